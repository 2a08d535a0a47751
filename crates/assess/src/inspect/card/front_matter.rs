//! The YAML front matter of a card, read as the Hub reads it, without trusting it.
//!
//! YAML aliases can expand a few hundred bytes into gigabytes ("billion laughs"). Instead of
//! deserialising into a YAML value tree, we deserialise straight into JSON through a seed that
//! charges every node and string byte against a budget, so expansion stops as soon as the
//! budget is spent, whatever the aliases do.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::CardMeta;
use crate::inspect::InspectError;

/// The largest front matter we parse. Real cards with long `model-index` blocks stay far below.
pub(crate) const FRONT_MATTER_MAX: usize = 512 * 1024;

/// The most a front matter may cost once expanded: bytes of strings plus [`NODE_COST`] per value.
const EXPANSION_BUDGET: u64 = 16 << 20;

/// The cost charged per value, roughly what a JSON value occupies in memory.
const NODE_COST: u64 = 32;

/// Where the front matter is, if any.
pub(super) struct Split<'a> {
    /// The YAML between the fences, when both fences exist.
    pub(super) yaml: Option<&'a str>,
    /// The 1-based README.md line of the YAML's first line.
    pub(super) yaml_first_line: usize,
    /// The 1-based line where the Markdown body starts.
    pub(super) body_start_line: usize,
    /// Set when an opening fence is never closed.
    pub(super) error: Option<String>,
}

/// Finds the front matter: a first line `---`, up to the next line `---` (or `...`).
pub(super) fn split(text: &str) -> Split<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut offset = 0;
    let mut yaml_start = None;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        match yaml_start {
            None if index == 0 && bare == "---" => yaml_start = Some(offset + line.len()),
            None => break,
            Some(start) if bare == "---" || bare == "..." => {
                return Split {
                    yaml: text.get(start..offset),
                    yaml_first_line: 2,
                    body_start_line: index + 2,
                    error: None,
                };
            }
            Some(_) => {}
        }
        offset += line.len();
    }
    Split {
        yaml: None,
        yaml_first_line: 2,
        body_start_line: 1,
        error: yaml_start.map(|_| "front matter opened on line 1 is never closed by `---`".into()),
    }
}

/// Parses the YAML into the metadata the assessor uses.
pub(super) fn parse(yaml: &str, first_line: usize) -> Result<CardMeta, InspectError> {
    let raw = to_json(yaml)?;
    let Value::Object(object) = &raw else {
        return Err(InspectError::malformed(
            "front matter",
            "it is not a mapping of keys to values",
        ));
    };
    let lines = key_lines(yaml, first_line, object);
    Ok(CardMeta {
        license: string_field(object, "license"),
        license_name: string_field(object, "license_name"),
        license_link: string_field(object, "license_link"),
        base_model: list_field(object, "base_model"),
        datasets: list_field(object, "datasets"),
        language: list_field(object, "language"),
        pipeline_tag: string_field(object, "pipeline_tag"),
        library_name: string_field(object, "library_name"),
        tags: list_field(object, "tags"),
        has_model_index: object.get("model-index").is_some_and(|v| !v.is_null()),
        model_index_line: lines.get("model-index").copied(),
        funding: match object.get("funding") {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        },
        lines,
        raw,
    })
}

/// Deserialises YAML into JSON under the size and expansion bounds.
pub(crate) fn to_json(yaml: &str) -> Result<Value, InspectError> {
    if yaml.len() > FRONT_MATTER_MAX {
        return Err(InspectError::TooLarge {
            what: "front matter",
            size: yaml.len() as u64,
            limit: FRONT_MATTER_MAX as u64,
        });
    }
    if yaml.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let budget = Cell::new(EXPANSION_BUDGET);
    let deserializer = yaml_serde::Deserializer::from_str(yaml);
    let value = BoundedJson { budget: &budget }
        .deserialize(deserializer)
        .map_err(|error| InspectError::malformed("front matter YAML", error.to_string()))?;
    Ok(match value {
        Value::Null => Value::Object(Map::new()),
        other => other,
    })
}

/// A string-valued key; a list yields its first string, a number or boolean its text.
fn string_field(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::Array(items) => items.iter().find_map(scalar_text),
        other => scalar_text(other),
    }
}

/// A key that the Hub accepts as a string or a list of strings.
fn list_field(object: &Map<String, Value>, key: &str) -> Vec<String> {
    match object.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(scalar_text).collect(),
        Some(other) => scalar_text(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The text of a scalar; `None` for null, lists and mappings.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The README.md line of each top-level key: the first unindented `key:` line naming it.
fn key_lines(
    yaml: &str,
    first_line: usize,
    object: &Map<String, Value>,
) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    for (index, line) in yaml.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let Some((key, _)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        if object.contains_key(key) && !lines.contains_key(key) {
            lines.insert(key.to_string(), first_line + index);
        }
    }
    lines
}

/// Deserialises any YAML value into JSON, charging each value to a shared budget.
#[derive(Clone, Copy)]
struct BoundedJson<'a> {
    budget: &'a Cell<u64>,
}

impl BoundedJson<'_> {
    /// Spends `cost`, or fails once the budget is exhausted.
    fn charge<E: de::Error>(self, bytes: usize) -> Result<(), E> {
        let cost = NODE_COST.saturating_add(bytes as u64);
        match self.budget.get().checked_sub(cost) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(E::custom(format!(
                "front matter expands beyond {EXPANSION_BUDGET} bytes (YAML aliases?)"
            ))),
        }
    }
}

impl<'de> DeserializeSeed<'de> for BoundedJson<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BoundedJson<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        self.charge(value.len())?;
        Ok(Value::String(value.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(self)? {
            let value = map.next_value_seed(self)?;
            let key = match key {
                Value::String(text) => text,
                Value::Null => "null".to_string(),
                other => other.to_string(),
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fenced_front_matter_and_body_line() {
        let split = split("---\nlicense: mit\n---\n# Model\n");
        assert_eq!(split.yaml, Some("license: mit\n"));
        assert_eq!(split.body_start_line, 4);
        assert!(split.error.is_none());
    }

    #[test]
    fn reports_an_unclosed_fence() {
        let split = split("---\nlicense: mit\n# Model\n");
        assert!(split.yaml.is_none());
        assert_eq!(split.body_start_line, 1);
        assert!(split.error.is_some());
    }

    #[test]
    fn no_front_matter_without_a_first_line_fence() {
        let split = split("# Model\n---\n");
        assert!(split.yaml.is_none());
        assert!(split.error.is_none());
    }

    #[test]
    fn refuses_an_alias_bomb() {
        let mut yaml = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut previous = "a";
        for name in names {
            let refs = vec![format!("*{previous}"); 9].join(",");
            yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
            previous = name;
        }
        let error = to_json(&yaml).expect_err("an alias bomb must be refused");
        assert!(error.to_string().contains("front matter"), "{error}");
    }

    #[test]
    fn keys_of_any_type_become_strings() {
        let value = to_json("1: one\ntrue: yes\n").expect("valid YAML");
        assert_eq!(value["1"], "one");
        assert_eq!(value["true"], "yes");
    }
}
