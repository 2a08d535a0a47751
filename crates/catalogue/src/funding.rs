//! The `funding:` card-metadata extension, so that publicly funded assets can be found by funder
//! and grant. Documented in `docs/catalogue.md`:
//!
//! ```yaml
//! funding:
//!   - funder: European Commission
//!     grant_id: "101070000"
//!     programme: Horizon Europe
//! ```
//!
//! A bare string (`funding: Example Foundation`) names a funder without a grant.

use serde_json::Value;

/// One funding declaration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Funding {
    pub funder: String,
    pub grant_id: Option<String>,
    pub programme: Option<String>,
}

/// Longest funder, grant or programme text kept; longer values are cut, not refused.
const MAX_FIELD: usize = 200;

/// The funding entries of a card's front matter; malformed entries are skipped.
pub fn funding_of(card_data: &Value) -> Vec<Funding> {
    let items: Vec<&Value> = match card_data.get("funding") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ (Value::Object(_) | Value::String(_))) => vec![v],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(Funding {
                funder: clip(s)?,
                grant_id: None,
                programme: None,
            }),
            Value::Object(o) => Some(Funding {
                funder: clip(o.get("funder")?.as_str()?)?,
                grant_id: o.get("grant_id").and_then(scalar).and_then(|s| clip(&s)),
                programme: o.get("programme").and_then(Value::as_str).and_then(clip),
            }),
            _ => None,
        })
        .collect()
}

/// A grant id may be written as a number in YAML.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn clip(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.chars().take(MAX_FIELD).collect())
}

/// The URL slug of a funder page: lower-case, runs of other characters as one `-`.
pub fn funder_slug(funder: &str) -> String {
    let mut out = String::new();
    for c in funder.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_lists_objects_strings_and_numeric_grants() {
        let card = json!({"funding": [
            {"funder": "European Commission", "grant_id": 101070000, "programme": "Horizon Europe"},
            "Example Foundation",
            {"grant_id": "no funder"},
            42
        ]});
        let f = funding_of(&card);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].grant_id.as_deref(), Some("101070000"));
        assert_eq!(f[1].funder, "Example Foundation");
        assert!(funding_of(&json!({"funding": "  "})).is_empty());
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(
            funder_slug("European Commission (DG CNECT)"),
            "european-commission-dg-cnect"
        );
        assert_eq!(funder_slug("--"), "");
    }
}
