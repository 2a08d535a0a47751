//! GGUF (llama.cpp), versions 2 and 3: magic, version, tensor count, key/value count, typed
//! key/values (arrays included), then tensor infos. Every string and array length is checked
//! against the bytes remaining before use, so a forged count fails fast instead of
//! allocating; array contents are walked, never collected.

use super::bytes::Reader;
use super::{WeightFacts, WeightFormat, sorted_distinct};
use crate::inspect::InspectError;
use crate::inspect::card::truncate_to_char_boundary;

/// The most key/values and tensors read.
const ENTRIES_MAX: u64 = 1 << 20;

/// The most dimensions of a tensor (GGML supports 4).
const DIMS_MAX: u32 = 8;

/// How deeply arrays may nest.
const NESTING_MAX: u32 = 4;

/// The longest metadata value copied into the facts.
const VALUE_MAX: usize = 512;

/// The alignment of the data section unless `general.alignment` says otherwise.
const DEFAULT_ALIGNMENT: u64 = 32;

/// Inspects a GGUF prefix.
pub(super) fn inspect(prefix: &[u8], file_size: u64) -> WeightFacts {
    let mut facts = WeightFacts::new(WeightFormat::Gguf);
    if let Err(error) = parse(prefix, file_size, &mut facts) {
        facts.error = Some(error.to_string());
    }
    facts
}

fn parse(prefix: &[u8], file_size: u64, facts: &mut WeightFacts) -> Result<(), InspectError> {
    let mut reader = Reader::new(prefix, "GGUF header");
    if reader.take(4)? != b"GGUF" {
        return Err(InspectError::malformed("GGUF header", "missing GGUF magic"));
    }
    let version = reader.u32()?;
    facts
        .metadata
        .insert("gguf.version".into(), version.to_string());
    if !(2..=3).contains(&version) {
        return Err(InspectError::malformed(
            "GGUF header",
            format!("unsupported version {version}"),
        ));
    }
    let tensor_count = reader.u64()?;
    let kv_count = reader.u64()?;
    if tensor_count > ENTRIES_MAX || kv_count > ENTRIES_MAX {
        return Err(InspectError::malformed(
            "GGUF header",
            format!("implausible counts: {tensor_count} tensors, {kv_count} key/values"),
        ));
    }
    facts.tensors = Some(tensor_count);
    let mut alignment = DEFAULT_ALIGNMENT;
    for _ in 0..kv_count {
        let key = reader.string_u64()?;
        let value_type = reader.u32()?;
        let value = value(&mut reader, value_type, 0)?;
        if key == "general.alignment" {
            alignment = value
                .parse()
                .ok()
                .filter(|a: &u64| *a > 0)
                .unwrap_or(DEFAULT_ALIGNMENT);
        }
        if facts.metadata.len() < 256 {
            let key = truncate_to_char_boundary(&key, VALUE_MAX).to_string();
            facts.metadata.insert(key, value);
        }
    }
    let mut parameters = 0u64;
    let mut data_end = 0u64;
    let mut dtypes = Vec::new();
    for _ in 0..tensor_count {
        let _name = reader.string_u64()?;
        let dims = reader.u32()?;
        if dims > DIMS_MAX {
            return Err(InspectError::malformed(
                "GGUF tensor info",
                format!("{dims} dimensions"),
            ));
        }
        let mut elements = 1u64;
        for _ in 0..dims {
            elements = elements.saturating_mul(reader.u64()?);
        }
        let ggml_type = reader.u32()?;
        let offset = reader.u64()?;
        parameters = parameters.saturating_add(elements);
        dtypes.push(type_name(ggml_type));
        let size = tensor_bytes(ggml_type, elements).unwrap_or(1);
        data_end = data_end.max(offset.saturating_add(size));
    }
    facts.parameters = Some(parameters);
    facts.dtypes = sorted_distinct(dtypes);
    let data_start = (reader.position() as u64)
        .div_ceil(alignment)
        .saturating_mul(alignment);
    facts.truncated = data_start.saturating_add(data_end) > file_size;
    Ok(())
}

/// Reads one typed value; returns its text (arrays as a summary).
fn value(reader: &mut Reader<'_>, value_type: u32, depth: u32) -> Result<String, InspectError> {
    Ok(match value_type {
        0 => reader.u8()?.to_string(),
        1 => (reader.u8()? as i8).to_string(),
        2 => reader.u16()?.to_string(),
        3 => (reader.u16()? as i16).to_string(),
        4 => reader.u32()?.to_string(),
        5 => (reader.u32()? as i32).to_string(),
        6 => f32::from_bits(reader.u32()?).to_string(),
        7 => (reader.u8()? != 0).to_string(),
        8 => {
            let text = reader.string_u64()?;
            truncate_to_char_boundary(&text, VALUE_MAX).to_string()
        }
        9 => {
            if depth >= NESTING_MAX {
                return Err(InspectError::malformed("GGUF array", "nested too deeply"));
            }
            let element_type = reader.u32()?;
            let count = reader.u64()?;
            // Every element takes at least one byte: a count beyond the remaining bytes is forged.
            if count > reader.remaining() as u64 {
                return Err(InspectError::Truncated {
                    what: "GGUF array",
                    offset: reader.position() as u64,
                    needed: count,
                    available: reader.remaining() as u64,
                });
            }
            for _ in 0..count {
                value(reader, element_type, depth + 1)?;
            }
            format!("[{count} x {}]", value_type_name(element_type))
        }
        10 => reader.u64()?.to_string(),
        11 => (reader.u64()? as i64).to_string(),
        12 => f64::from_bits(reader.u64()?).to_string(),
        other => {
            return Err(InspectError::malformed(
                "GGUF key/value",
                format!("unknown value type {other}"),
            ));
        }
    })
}

/// The GGUF name of a value type, for array summaries.
fn value_type_name(value_type: u32) -> &'static str {
    match value_type {
        0 => "u8",
        1 => "i8",
        2 => "u16",
        3 => "i16",
        4 => "u32",
        5 => "i32",
        6 => "f32",
        7 => "bool",
        8 => "string",
        9 => "array",
        10 => "u64",
        11 => "i64",
        12 => "f64",
        _ => "unknown",
    }
}

/// `(name, elements per block, bytes per block)` of GGML tensor types, from ggml.h.
const GGML_TYPES: &[(u32, &str, u64, u64)] = &[
    (0, "F32", 1, 4),
    (1, "F16", 1, 2),
    (2, "Q4_0", 32, 18),
    (3, "Q4_1", 32, 20),
    (6, "Q5_0", 32, 22),
    (7, "Q5_1", 32, 24),
    (8, "Q8_0", 32, 34),
    (9, "Q8_1", 32, 36),
    (10, "Q2_K", 256, 84),
    (11, "Q3_K", 256, 110),
    (12, "Q4_K", 256, 144),
    (13, "Q5_K", 256, 176),
    (14, "Q6_K", 256, 210),
    (15, "Q8_K", 256, 292),
    (16, "IQ2_XXS", 256, 66),
    (17, "IQ2_XS", 256, 74),
    (18, "IQ3_XXS", 256, 98),
    (19, "IQ1_S", 256, 50),
    (20, "IQ4_NL", 32, 18),
    (21, "IQ3_S", 256, 110),
    (22, "IQ2_S", 256, 82),
    (23, "IQ4_XS", 256, 136),
    (24, "I8", 1, 1),
    (25, "I16", 1, 2),
    (26, "I32", 1, 4),
    (27, "I64", 1, 8),
    (28, "F64", 1, 8),
    (29, "IQ1_M", 256, 56),
    (30, "BF16", 1, 2),
];

/// The name of a GGML type.
fn type_name(ggml_type: u32) -> String {
    GGML_TYPES
        .iter()
        .find(|(id, ..)| *id == ggml_type)
        .map_or_else(
            || format!("type{ggml_type}"),
            |(_, name, ..)| (*name).to_string(),
        )
}

/// Bytes a tensor of `elements` of this type occupies; `None` for types we do not know.
fn tensor_bytes(ggml_type: u32, elements: u64) -> Option<u64> {
    let (_, _, block, bytes) = GGML_TYPES.iter().find(|(id, ..)| *id == ggml_type)?;
    elements.div_ceil(*block).checked_mul(*bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a GGUF v3 file with string key/values and F32 tensors of the given shapes.
    pub(crate) fn file(kvs: &[(&str, &str)], tensors: &[&[u64]], data_len: usize) -> Vec<u8> {
        fn string(out: &mut Vec<u8>, text: &str) {
            out.extend_from_slice(&(text.len() as u64).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        let mut out = b"GGUF".to_vec();
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(tensors.len() as u64).to_le_bytes());
        out.extend_from_slice(&(kvs.len() as u64 + 1).to_le_bytes());
        for (key, value) in kvs {
            string(&mut out, key);
            out.extend_from_slice(&8u32.to_le_bytes());
            string(&mut out, value);
        }
        string(&mut out, "tokenizer.ggml.tokens");
        out.extend_from_slice(&9u32.to_le_bytes());
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&2u64.to_le_bytes());
        string(&mut out, "a");
        string(&mut out, "b");
        let mut offset = 0u64;
        for (index, shape) in tensors.iter().enumerate() {
            string(&mut out, &format!("t{index}"));
            out.extend_from_slice(&(shape.len() as u32).to_le_bytes());
            for dim in *shape {
                out.extend_from_slice(&dim.to_le_bytes());
            }
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
            offset += shape.iter().product::<u64>() * 4;
        }
        while !out.len().is_multiple_of(32) {
            out.push(0);
        }
        out.resize(out.len() + data_len, 0);
        out
    }

    #[test]
    fn reads_metadata_tensors_and_truncation() {
        let kvs = [
            ("general.architecture", "llama"),
            ("general.license", "apache-2.0"),
        ];
        let bytes = file(&kvs, &[&[4, 2], &[3]], 44);
        let facts = inspect(&bytes, bytes.len() as u64);
        assert_eq!(facts.error, None);
        assert_eq!(facts.tensors, Some(2));
        assert_eq!(facts.parameters, Some(11));
        assert_eq!(facts.dtypes, vec!["F32"]);
        assert!(!facts.truncated);
        assert_eq!(
            facts
                .metadata
                .get("general.architecture")
                .map(String::as_str),
            Some("llama")
        );
        assert_eq!(
            facts.metadata.get("general.license").map(String::as_str),
            Some("apache-2.0")
        );
        assert_eq!(
            facts.metadata.get("gguf.version").map(String::as_str),
            Some("3")
        );
        assert_eq!(
            facts
                .metadata
                .get("tokenizer.ggml.tokens")
                .map(String::as_str),
            Some("[2 x string]")
        );
        let short = inspect(&bytes, bytes.len() as u64 - 1);
        assert!(short.truncated);
    }

    #[test]
    fn refuses_forged_counts_without_allocating() {
        let mut bytes = b"GGUF".to_vec();
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.extend_from_slice(&0u64.to_le_bytes());
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.push(b'k');
        bytes.extend_from_slice(&9u32.to_le_bytes());
        bytes.extend_from_slice(&8u32.to_le_bytes());
        bytes.extend_from_slice(&u64::MAX.to_le_bytes());
        let facts = inspect(&bytes, bytes.len() as u64);
        assert!(facts.error.is_some_and(|e| e.contains("GGUF array")));
        assert!(
            inspect(b"GGUF\x01\0\0\0", 8)
                .error
                .is_some_and(|e| e.contains("version 1"))
        );
        assert!(
            inspect(b"NOPE", 4)
                .error
                .is_some_and(|e| e.contains("magic"))
        );
    }
}
