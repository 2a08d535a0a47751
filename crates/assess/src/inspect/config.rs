//! `config.json`: the architecture a model declares, and a rough parameter count from it.

use serde::Serialize;
use serde_json::Value;

/// The largest `config.json` read.
pub const CONFIG_MAX: usize = 1 << 20;

/// What a `config.json` declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelConfig {
    /// `architectures`, e.g. `["LlamaForCausalLM"]`.
    pub architectures: Vec<String>,
    /// `model_type`, e.g. `llama`.
    pub model_type: Option<String>,
    /// An explicit parameter count (`num_parameters`, `n_params`), else an estimate from a
    /// decoder's dimensions; a hint to compare with the weights, never a measurement.
    pub parameters_hint: Option<u64>,
}

/// Parses a `config.json`; `None` when it is not a JSON object or exceeds [`CONFIG_MAX`].
pub fn parse_config(bytes: &[u8]) -> Option<ModelConfig> {
    if bytes.len() > CONFIG_MAX {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let object = value.as_object()?;
    let architectures = match object.get("architectures") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(name)) => vec![name.clone()],
        _ => Vec::new(),
    };
    let model_type = object
        .get("model_type")
        .and_then(Value::as_str)
        .map(str::to_string);
    let parameters_hint = explicit_count(&value)
        .or_else(|| estimate(&value))
        .or_else(|| value.get("text_config").and_then(estimate));
    Some(ModelConfig {
        architectures,
        model_type,
        parameters_hint,
    })
}

/// A parameter count stated outright.
fn explicit_count(config: &Value) -> Option<u64> {
    ["num_parameters", "n_params", "num_params", "total_params"]
        .iter()
        .find_map(|key| config.get(key).and_then(Value::as_u64))
}

/// A decoder-only transformer's parameters: embeddings (doubled unless tied) plus, per layer,
/// attention (4·h²) and a gated MLP (3·h·i). Good to a few per cent for Llama-style models.
fn estimate(config: &Value) -> Option<u64> {
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| config.get(name).and_then(Value::as_u64))
    };
    let hidden = field(&["hidden_size", "n_embd", "d_model"])?;
    let layers = field(&["num_hidden_layers", "n_layer", "num_layers"])?;
    let vocab = field(&["vocab_size"])?;
    let intermediate =
        field(&["intermediate_size", "n_inner", "ffn_dim"]).unwrap_or(hidden.checked_mul(4)?);
    let tied = config
        .get("tie_word_embeddings")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let embeddings = vocab
        .checked_mul(hidden)?
        .checked_mul(if tied { 1 } else { 2 })?;
    let attention = hidden.checked_mul(hidden)?.checked_mul(4)?;
    let mlp = hidden.checked_mul(intermediate)?.checked_mul(3)?;
    let per_layer = attention.checked_add(mlp)?;
    embeddings.checked_add(per_layer.checked_mul(layers)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_architecture_and_estimates_parameters() {
        // Llama-2-7B's dimensions: about 6.7 billion parameters.
        let config =
            br#"{"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":4096,
            "intermediate_size":11008,"num_hidden_layers":32,"vocab_size":32000}"#;
        let parsed = parse_config(config).expect("valid config");
        assert_eq!(parsed.architectures, vec!["LlamaForCausalLM"]);
        assert_eq!(parsed.model_type.as_deref(), Some("llama"));
        let hint = parsed.parameters_hint.expect("estimated");
        assert!((6_500_000_000..7_000_000_000).contains(&hint), "{hint}");
    }

    #[test]
    fn refuses_non_objects_and_survives_overflow() {
        assert_eq!(parse_config(b"[1,2]"), None);
        assert_eq!(parse_config(b"not json"), None);
        let huge = br#"{"hidden_size":18446744073709551615,"num_hidden_layers":2,"vocab_size":2}"#;
        assert_eq!(parse_config(huge).and_then(|c| c.parameters_hint), None);
    }
}
