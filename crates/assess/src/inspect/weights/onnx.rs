//! ONNX: a protobuf `ModelProto` whose graph holds the weights as initialisers.
//!
//! A minimal protobuf walker: varints and length-delimited fields, each length checked against
//! the bytes present. Weights usually sit inline in the graph, so a prefix often ends inside
//! one; what was read by then is reported, and the file is truncated only when a declared
//! length runs past the file's size.

use super::bytes::Reader;
use super::{WeightFacts, WeightFormat, sorted_distinct};
use crate::inspect::InspectError;
use crate::inspect::card::truncate_to_char_boundary;

/// How deeply messages are followed (model, graph, tensor, and entries within).
const DEPTH_MAX: u32 = 3;

/// The longest text copied into metadata.
const VALUE_MAX: usize = 512;

/// A protobuf field's payload.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// What was gathered so far.
#[derive(Default)]
struct Tally {
    tensors: u64,
    parameters: u64,
    dtypes: Vec<String>,
}

/// Inspects an ONNX prefix.
pub(super) fn inspect(prefix: &[u8], file_size: u64) -> WeightFacts {
    let mut facts = WeightFacts::new(WeightFormat::Onnx);
    let mut tally = Tally::default();
    let complete = prefix.len() as u64 >= file_size;
    let result = model(prefix, &mut facts, &mut tally);
    facts.tensors = Some(tally.tensors);
    facts.parameters = Some(tally.parameters);
    facts.dtypes = sorted_distinct(tally.dtypes);
    if let Err(error) = result {
        if complete {
            facts.truncated = matches!(error, InspectError::Truncated { .. });
            facts.error = Some(error.to_string());
        } else {
            facts.metadata.insert(
                "onnx.partial".into(),
                "header read up to the prefix bound".into(),
            );
        }
    }
    if complete && !facts.metadata.contains_key("onnx.ir_version") && facts.error.is_none() {
        facts.error = Some("malformed ONNX model: no ir_version".into());
    }
    facts
}

/// `ModelProto`: 1 ir_version, 2 producer_name, 3 producer_version, 7 graph, 8 opset_import,
/// 14 metadata_props.
fn model(bytes: &[u8], facts: &mut WeightFacts, tally: &mut Tally) -> Result<(), InspectError> {
    fields(bytes, 0, &mut |number, field| {
        match (number, field) {
            (1, Field::Varint(version)) => {
                facts
                    .metadata
                    .insert("onnx.ir_version".into(), version.to_string());
            }
            (2, Field::Bytes(text)) => {
                facts
                    .metadata
                    .insert("onnx.producer_name".into(), text_of(text));
            }
            (3, Field::Bytes(text)) => {
                facts
                    .metadata
                    .insert("onnx.producer_version".into(), text_of(text));
            }
            (7, Field::Bytes(graph_bytes)) => graph(graph_bytes, tally)?,
            (14, Field::Bytes(entry)) if facts.metadata.len() < 256 => {
                let (key, value) = string_pair(entry)?;
                facts.metadata.insert(format!("onnx.{key}"), value);
            }
            _ => {}
        }
        Ok(())
    })
}

/// `GraphProto`: 5 initializer (`TensorProto`).
fn graph(bytes: &[u8], tally: &mut Tally) -> Result<(), InspectError> {
    fields(bytes, 1, &mut |number, field| {
        if let (5, Field::Bytes(tensor_bytes)) = (number, field) {
            tensor(tensor_bytes, tally)?;
        }
        Ok(())
    })
}

/// `TensorProto`: 1 dims (packed or not), 2 data_type.
fn tensor(bytes: &[u8], tally: &mut Tally) -> Result<(), InspectError> {
    let mut dims = Vec::new();
    let mut data_type = 0;
    fields(bytes, 2, &mut |number, field| {
        match (number, field) {
            (1, Field::Varint(dim)) => dims.push(dim),
            (1, Field::Bytes(packed)) => {
                let mut reader = Reader::new(packed, "ONNX dims");
                while reader.remaining() > 0 {
                    dims.push(varint(&mut reader)?);
                }
            }
            (2, Field::Varint(kind)) => data_type = kind,
            _ => {}
        }
        Ok(())
    })?;
    tally.tensors += 1;
    let elements = dims
        .iter()
        .fold(1u64, |product, dim| product.saturating_mul(*dim));
    tally.parameters = tally.parameters.saturating_add(elements);
    let name = data_type_name(data_type);
    if !tally.dtypes.iter().any(|known| known == name) {
        tally.dtypes.push(name.to_string());
    }
    Ok(())
}

/// A `StringStringEntryProto`: 1 key, 2 value.
fn string_pair(bytes: &[u8]) -> Result<(String, String), InspectError> {
    let mut pair = (String::new(), String::new());
    fields(bytes, 3, &mut |number, field| {
        match (number, field) {
            (1, Field::Bytes(text)) => pair.0 = text_of(text),
            (2, Field::Bytes(text)) => pair.1 = text_of(text),
            _ => {}
        }
        Ok(())
    })?;
    Ok(pair)
}

/// Calls `visit` for each field of a message.
fn fields<'a>(
    bytes: &'a [u8],
    depth: u32,
    visit: &mut dyn FnMut(u64, Field<'a>) -> Result<(), InspectError>,
) -> Result<(), InspectError> {
    if depth > DEPTH_MAX {
        return Err(InspectError::malformed(
            "ONNX protobuf",
            "nested too deeply",
        ));
    }
    let mut reader = Reader::new(bytes, "ONNX protobuf");
    while reader.remaining() > 0 {
        let key = varint(&mut reader)?;
        let field = match key & 7 {
            0 => Field::Varint(varint(&mut reader)?),
            1 => {
                reader.skip(8)?;
                Field::Fixed
            }
            2 => {
                let length = varint(&mut reader)?;
                Field::Bytes(reader.take(usize::try_from(length).unwrap_or(usize::MAX))?)
            }
            5 => {
                reader.skip(4)?;
                Field::Fixed
            }
            other => {
                return Err(InspectError::malformed(
                    "ONNX protobuf",
                    format!("wire type {other}"),
                ));
            }
        };
        visit(key >> 3, field)?;
    }
    Ok(())
}

/// A protobuf varint (at most ten bytes).
fn varint(reader: &mut Reader<'_>) -> Result<u64, InspectError> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let byte = reader.u8()?;
        value |= u64::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(InspectError::malformed(
        "ONNX protobuf",
        "varint longer than ten bytes",
    ))
}

/// A bounded, lossily decoded string.
fn text_of(bytes: &[u8]) -> String {
    truncate_to_char_boundary(&String::from_utf8_lossy(bytes), VALUE_MAX).to_string()
}

/// ONNX `TensorProto.DataType` names.
fn data_type_name(data_type: u64) -> &'static str {
    match data_type {
        1 => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        16 => "BFLOAT16",
        17..=20 => "FLOAT8",
        21 => "UINT4",
        22 => "INT4",
        _ => "UNDEFINED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(number: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn counts_initialisers() {
        // TensorProto: dims 3, 4 (unpacked), data_type FLOAT.
        let tensor = [0x08, 3, 0x08, 4, 0x10, 1];
        let graph = field(5, &tensor);
        let mut model = vec![0x08, 8];
        model.extend(field(2, b"pytorch"));
        model.extend(field(7, &graph));
        let facts = inspect(&model, model.len() as u64);
        assert_eq!(facts.error, None);
        assert_eq!(facts.tensors, Some(1));
        assert_eq!(facts.parameters, Some(12));
        assert_eq!(facts.dtypes, vec!["FLOAT"]);
        assert_eq!(
            facts.metadata.get("onnx.ir_version").map(String::as_str),
            Some("8")
        );
        assert_eq!(
            facts.metadata.get("onnx.producer_name").map(String::as_str),
            Some("pytorch")
        );
        let cut = model.get(..model.len() - 2).unwrap_or_default();
        let truncated = inspect(cut, cut.len() as u64);
        assert!(truncated.truncated);
        let partial = inspect(cut, 1 << 30);
        assert!(!partial.truncated && partial.error.is_none());
    }
}
