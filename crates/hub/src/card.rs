//! The model or dataset card's YAML front matter, as far as repo info and listings need it.
//! (The assessor reads cards in depth; this is the hub's cheap summary.)

use serde_json::Value;

/// Front matter larger than this is refused rather than parsed.
const MAX_FRONT_MATTER: usize = 256 * 1024;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CardSummary {
    /// The front matter as JSON (`{}` when there is none).
    pub card_data: Value,
    /// Tags as the Hub derives them: the card's `tags`, the library, the task, `license:*`,
    /// `dataset:*`, `base_model:*`, and each language both bare and as `language:*`.
    pub tags: Vec<String>,
    pub pipeline_tag: Option<String>,
    pub library_name: Option<String>,
}

/// Extracts the YAML between a leading `---` line and the next `---` line. Returns
/// `Ok(None)` when the text has no front matter, `Err` with a message when it is malformed.
pub fn parse_front_matter(text: &str) -> Result<Option<Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok(None);
    };
    let mut end = None;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            end = Some(offset);
            break;
        }
        offset += line.len();
    }
    let end = end.ok_or("the YAML front matter starts with '---' but has no closing '---' line")?;
    let yaml = &rest[..end];
    if yaml.len() > MAX_FRONT_MATTER {
        return Err(format!(
            "the YAML front matter is larger than {MAX_FRONT_MATTER} bytes"
        ));
    }
    if yaml.trim().is_empty() {
        return Ok(Some(Value::Object(Default::default())));
    }
    let value: Value =
        yaml_serde::from_str(yaml).map_err(|e| format!("invalid YAML front matter: {e}"))?;
    match value {
        Value::Object(_) => Ok(Some(value)),
        Value::Null => Ok(Some(Value::Object(Default::default()))),
        _ => Err("the YAML front matter must be a mapping of keys to values".into()),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

impl CardSummary {
    /// Summarises a README; a malformed or missing front matter gives an empty summary.
    pub fn from_readme(text: &str) -> CardSummary {
        let card = parse_front_matter(text)
            .ok()
            .flatten()
            .unwrap_or(Value::Object(Default::default()));
        let pipeline_tag = card
            .get("pipeline_tag")
            .and_then(Value::as_str)
            .map(str::to_string);
        let library_name = card
            .get("library_name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut tags = strings(card.get("tags"));
        tags.extend(library_name.clone());
        tags.extend(pipeline_tag.clone());
        tags.extend(
            strings(card.get("license"))
                .into_iter()
                .map(|l| format!("license:{l}")),
        );
        tags.extend(
            strings(card.get("datasets"))
                .into_iter()
                .map(|d| format!("dataset:{d}")),
        );
        tags.extend(
            strings(card.get("base_model"))
                .into_iter()
                .map(|b| format!("base_model:{b}")),
        );
        for lang in strings(card.get("language")) {
            tags.push(format!("language:{lang}"));
            tags.push(lang);
        }
        let mut seen = std::collections::HashSet::new();
        tags.retain(|t| seen.insert(t.clone()));
        CardSummary {
            card_data: card,
            tags,
            pipeline_tag,
            library_name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_front_matter_and_derives_tags() {
        let s = CardSummary::from_readme(
            "---\nlicense: mit\nlanguage: [en, fr]\ntags: [tiny]\npipeline_tag: text-generation\n---\n# Hi\n",
        );
        assert_eq!(s.card_data["license"], "mit");
        for t in [
            "tiny",
            "text-generation",
            "license:mit",
            "en",
            "language:fr",
        ] {
            assert!(s.tags.iter().any(|x| x == t), "{t} in {:?}", s.tags);
        }
        assert_eq!(s.pipeline_tag.as_deref(), Some("text-generation"));
    }

    #[test]
    fn front_matter_errors_are_explained() {
        assert_eq!(parse_front_matter("# no front matter"), Ok(None));
        assert!(
            parse_front_matter("---\nlicense: mit\n")
                .unwrap_err()
                .contains("closing")
        );
        assert!(
            parse_front_matter("---\n- a\n- b\n---\n")
                .unwrap_err()
                .contains("mapping")
        );
        assert!(
            parse_front_matter("---\na: [\n---\n")
                .unwrap_err()
                .contains("invalid YAML")
        );
    }
}
