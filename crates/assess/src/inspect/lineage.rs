//! The files besides the card that name a release's base models (definition G1): a PEFT
//! `adapter_config.json` (`base_model_name_or_path`) and a mergekit configuration
//! (`mergekit_config.yml`, the models it merges).
//!
//! Both are read whole up to [`LINEAGE_FILE_MAX`]; the merge configuration is read line by
//! line rather than as YAML, so that a hostile file costs one pass over its lines and nothing
//! more. Repo ids longer than [`BASE_ID_MAX`] are ignored.

/// The largest adapter or merge configuration read.
pub const LINEAGE_FILE_MAX: usize = 64 * 1024;
/// The longest base-model id kept.
pub const BASE_ID_MAX: usize = 200;
/// The most models a merge configuration may name before the rest are ignored.
pub const MERGE_MODELS_MAX: usize = 16;

/// A plausible repo id (`ns/name`, a Hub URL or a bare name), trimmed of quotes.
fn base_id(value: &str) -> Option<String> {
    let v = value.trim().trim_matches(['"', '\'']).trim();
    let ok = !v.is_empty()
        && v.len() <= BASE_ID_MAX
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && !v.starts_with(['{', '[', '&', '*', '|', '>']);
    ok.then(|| v.to_owned())
}

/// `base_model_name_or_path` of a PEFT adapter configuration; `None` when the file is not
/// JSON, has no such string, or names a local path rather than a repo id.
pub fn adapter_base(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let base = base_id(value.get("base_model_name_or_path")?.as_str()?)?;
    // A path on the trainer's disk (`/home/me/llama`, `./out`) names no model anyone can look up.
    (!base.starts_with(['/', '.', '~']) && !base.contains('\\')).then_some(base)
}

/// The models a mergekit configuration names (`model:` and `base_model:` keys, in any list),
/// with their 1-based lines, each once.
pub fn merge_models(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or_default().trim();
        let code = code.strip_prefix("- ").unwrap_or(code).trim_start();
        let Some(value) = code
            .strip_prefix("model:")
            .or_else(|| code.strip_prefix("base_model:"))
        else {
            continue;
        };
        let Some(id) = base_id(value) else { continue };
        if !out.iter().any(|(_, seen)| seen.eq_ignore_ascii_case(&id)) {
            out.push((index + 1, id));
            if out.len() == MERGE_MODELS_MAX {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapter_config_names_its_base() {
        let json = br#"{"base_model_name_or_path": "unsloth/llama-3.2-1b-instruct-bnb-4bit", "peft_type": "LORA"}"#;
        assert_eq!(
            adapter_base(json).as_deref(),
            Some("unsloth/llama-3.2-1b-instruct-bnb-4bit")
        );
        assert_eq!(
            adapter_base(br#"{"base_model_name_or_path": "/home/me/out"}"#),
            None
        );
        assert_eq!(adapter_base(br#"{"base_model_name_or_path": 3}"#), None);
        assert_eq!(adapter_base(b"not json"), None);
    }

    #[test]
    fn merge_configuration_lists_each_model_once() {
        let yaml = "slices:\n  - sources:\n      - model: meta-llama/Meta-Llama-3-8B-Instruct\n        layer_range: [0, 32]\n      - model: \"NousResearch/Hermes-2-Pro-Llama-3-8B\"\n        layer_range: [0, 32]\nmerge_method: slerp\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct  # the first\nparameters:\n  t: 0.5\n";
        assert_eq!(
            merge_models(yaml),
            vec![
                (3, "meta-llama/Meta-Llama-3-8B-Instruct".to_owned()),
                (5, "NousResearch/Hermes-2-Pro-Llama-3-8B".to_owned()),
            ]
        );
    }

    #[test]
    fn hostile_merge_configurations_stay_bounded() {
        let many: String = (0..10_000)
            .map(|i| format!("- model: org/m{i}\n"))
            .collect();
        assert_eq!(merge_models(&many).len(), MERGE_MODELS_MAX);
        let long = format!("model: {}\n", "a".repeat(BASE_ID_MAX + 1));
        assert!(merge_models(&long).is_empty());
        assert!(merge_models("model: {path: x}\nmodel:\n").is_empty());
    }
}
