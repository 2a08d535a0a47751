//! [`RepoEntry`]: one repository as the catalogue sees it, and the facet values derived from
//! its card metadata. Everything here is plain data handed over by the server.

use commonhold_types::RepoType;
use serde_json::Value;

use crate::datacard::DataCard;
use crate::funding::{Funding, funding_of};

/// The compact openness summary the hub keeps with each repo (`RepoSummary.openness`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpennessBrief {
    /// Tier id such as `open-model`, or `n/a` for datasets.
    pub tier: String,
    /// MOF class 1..3, 0 when unclassified.
    pub mof_class: u8,
    /// OSAID verdict.
    pub osaid_pass: bool,
    /// Number of findings.
    pub findings: u64,
}

impl OpennessBrief {
    /// Reads the hub's summary (`{"tier", "mofClass", "osaid", "findings"}`); `None` when
    /// absent or not in that shape, which the pages show as "assessment pending".
    pub fn from_summary(v: &Value) -> Option<OpennessBrief> {
        Some(OpennessBrief {
            tier: v.get("tier")?.as_str()?.to_string(),
            mof_class: v
                .get("mofClass")
                .and_then(Value::as_u64)
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(0),
            osaid_pass: v.get("osaid").and_then(Value::as_str) == Some("pass"),
            findings: v.get("findings").and_then(Value::as_u64).unwrap_or(0),
        })
    }
}

/// One repository, with what listings, search and exports need.
#[derive(Clone, Debug, PartialEq)]
pub struct RepoEntry {
    /// Stable database id; used to re-check visibility of hits.
    pub repo_id: i64,
    pub kind: RepoType,
    pub namespace: String,
    pub name: String,
    /// Account that owns it (for visibility of private repos).
    pub owner_id: i64,
    pub private: bool,
    /// `Some("auto" | "manual")` when access is gated.
    pub gated: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub last_modified: i64,
    pub downloads: i64,
    /// Head of `main`, lower-case hex.
    pub sha: Option<String>,
    /// Card front matter as JSON.
    pub card_data: Value,
    pub tags: Vec<String>,
    pub pipeline_tag: Option<String>,
    pub openness: Option<OpennessBrief>,
    /// The card's Markdown body, for full-text search (may be empty).
    pub card_text: String,
}

impl RepoEntry {
    /// `ns/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The web path of the repository page: `/ns/name` or `/datasets/ns/name`.
    pub fn web_path(&self) -> String {
        format!("/{}{}", self.kind.url_prefix(), self.id())
    }

    /// Declared licences from the card (`license` string or list), lower-case as the Hub keeps them.
    pub fn licences(&self) -> Vec<String> {
        strings(self.card_data.get("license"))
    }

    /// Declared languages (`language` string or list).
    pub fn languages(&self) -> Vec<String> {
        strings(self.card_data.get("language"))
    }

    /// Funding declared in the card (`funding:` extension, see `docs/catalogue.md`).
    pub fn funding(&self) -> Vec<Funding> {
        funding_of(&self.card_data)
    }

    /// A one-line description: the card's `description`, else the first prose line of the card.
    pub fn description(&self) -> String {
        if let Some(d) = self.card_data.get("description").and_then(Value::as_str) {
            return d.trim().to_string();
        }
        crate::markdown::strip_front_matter(&self.card_text)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("---"))
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect()
    }

    /// What a dataset's card documents (`None` for models, which have a tier instead).
    pub fn data_card(&self) -> Option<DataCard> {
        (self.kind == RepoType::Dataset).then(|| DataCard::check(&self.card_data, &self.card_text))
    }

    /// The tier id, `pending` while the assessor has not reached the head.
    pub fn tier(&self) -> &str {
        self.openness
            .as_ref()
            .map_or("pending", |o| o.tier.as_str())
    }
}

/// A card value that may be a string or a list of strings.
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}
