//! safetensors: an 8-byte little-endian header length, a JSON header mapping tensor names to
//! `{dtype, shape, data_offsets}`, then the raw data. The header is parsed here, under
//! [`HEADER_MAX`], rather than through the `safetensors` crate, so that a truncated file still
//! yields its declared tensors and the truncation is reported as a fact instead of an error.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::bytes::Reader;
use super::{WeightFacts, WeightFormat, sorted_distinct};
use crate::inspect::InspectError;

/// The largest header accepted (the `safetensors` crate's own limit is 100 MB; ours is the
/// prefix the caller reads).
const HEADER_MAX: u64 = super::WEIGHTS_HEADER_MAX as u64 - 8;

/// The most metadata entries copied from `__metadata__`.
const METADATA_MAX: usize = 64;

/// The longest metadata value copied.
const METADATA_VALUE_MAX: usize = 512;

/// One tensor's header entry.
#[derive(Deserialize)]
struct TensorEntry {
    dtype: String,
    shape: Vec<u64>,
    data_offsets: [u64; 2],
}

/// Inspects a safetensors prefix.
pub(super) fn inspect(prefix: &[u8], file_size: u64) -> WeightFacts {
    let mut facts = WeightFacts::new(WeightFormat::Safetensors);
    if let Err(error) = parse(prefix, file_size, &mut facts) {
        facts.error = Some(error.to_string());
    }
    facts
}

fn parse(prefix: &[u8], file_size: u64, facts: &mut WeightFacts) -> Result<(), InspectError> {
    let mut reader = Reader::new(prefix, "safetensors header");
    let header_len = reader.u64()?;
    if header_len > HEADER_MAX {
        return Err(InspectError::TooLarge {
            what: "safetensors header",
            size: header_len,
            limit: HEADER_MAX,
        });
    }
    let data_start = 8 + header_len;
    if data_start > file_size {
        facts.truncated = true;
    }
    let header = reader.take(usize::try_from(header_len).unwrap_or(usize::MAX))?;
    let entries: BTreeMap<String, serde_json::Value> = serde_json::from_slice(header)
        .map_err(|error| InspectError::malformed("safetensors header JSON", error.to_string()))?;
    let mut tensors = 0u64;
    let mut parameters = 0u64;
    let mut data_end = 0u64;
    let mut dtypes = Vec::new();
    for (name, value) in entries {
        if name == "__metadata__" {
            copy_metadata(&value, facts);
            continue;
        }
        let entry: TensorEntry = serde_json::from_value(value).map_err(|error| {
            InspectError::malformed("safetensors tensor entry", format!("{name}: {error}"))
        })?;
        let [start, end] = entry.data_offsets;
        if start > end {
            return Err(InspectError::malformed(
                "safetensors tensor entry",
                format!("{name}: offsets {start} > {end}"),
            ));
        }
        let elements = entry
            .shape
            .iter()
            .try_fold(1u64, |product, dim| product.checked_mul(*dim))
            .ok_or_else(|| {
                InspectError::malformed(
                    "safetensors tensor entry",
                    format!("{name}: shape overflows"),
                )
            })?;
        tensors += 1;
        parameters = parameters.saturating_add(elements);
        data_end = data_end.max(end);
        dtypes.push(entry.dtype);
    }
    facts.tensors = Some(tensors);
    facts.parameters = Some(parameters);
    facts.dtypes = sorted_distinct(dtypes);
    if data_start.saturating_add(data_end) > file_size {
        facts.truncated = true;
    }
    Ok(())
}

/// Copies the string entries of `__metadata__` (e.g. `format: pt`), bounded.
fn copy_metadata(value: &serde_json::Value, facts: &mut WeightFacts) {
    let Some(object) = value.as_object() else {
        return;
    };
    for (key, value) in object.iter().take(METADATA_MAX) {
        if let Some(text) = value.as_str() {
            let text = crate::inspect::card::truncate_to_char_boundary(text, METADATA_VALUE_MAX);
            facts
                .metadata
                .insert(format!("safetensors.{key}"), text.to_string());
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A safetensors file with the given JSON header and `data_len` zero bytes of data.
    pub(crate) fn file(header: &str, data_len: usize) -> Vec<u8> {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.resize(bytes.len() + data_len, 0);
        bytes
    }

    const HEADER: &str = r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},"b":{"dtype":"BF16","shape":[4],"data_offsets":[12,20]}}"#;

    #[test]
    fn counts_tensors_and_parameters() {
        let bytes = file(HEADER, 20);
        let facts = inspect(&bytes, bytes.len() as u64);
        assert_eq!(facts.error, None);
        assert_eq!(facts.tensors, Some(2));
        assert_eq!(facts.parameters, Some(10));
        assert_eq!(facts.dtypes, vec!["BF16", "F16"]);
        assert!(!facts.truncated);
        assert_eq!(
            facts.metadata.get("safetensors.format").map(String::as_str),
            Some("pt")
        );
    }

    #[test]
    fn detects_truncation_from_declared_offsets() {
        let bytes = file(HEADER, 10);
        let facts = inspect(&bytes, bytes.len() as u64);
        assert!(facts.truncated);
        assert_eq!(facts.tensors, Some(2));
    }

    #[test]
    fn refuses_a_huge_declared_header_without_allocating() {
        let mut bytes = u64::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{}");
        let facts = inspect(&bytes, 1 << 40);
        assert!(facts.error.is_some_and(|e| e.contains("exceeds")));
    }

    #[test]
    fn reports_a_header_cut_short_by_the_prefix() {
        let bytes = file(HEADER, 0);
        let facts = inspect(bytes.get(..40).unwrap_or_default(), 1000);
        assert!(facts.error.is_some_and(|e| e.contains("truncated")));
    }
}
