//! Model and dataset cards: the README.md of a repository.
//!
//! The Hub reads a card's YAML front matter (between `---` lines at the top) for the
//! repository's metadata, and renders the rest as Markdown. We read the same front matter
//! (bounded, alias expansion capped), the body's headings mapped to the sections that the
//! Hub's card templates and datasheets ask for, and the links, each with its line so that a
//! judgment can cite `README.md:LINE`.

mod claims;
mod front_matter;
mod links;
mod sections;

use std::collections::BTreeMap;

use serde::Serialize;

pub use links::{Link, LinkKind};
pub use sections::{Section, SectionKind};

/// The most bytes of a README.md the assessor reads; the caller truncates to this bound and
/// [`parse_card`] ignores anything past it.
pub const CARD_MAX: usize = 1 << 20;

/// What a card says, with lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    /// The front matter's metadata (empty when there is none or it does not parse).
    pub meta: CardMeta,
    /// The body's headings, in order.
    pub sections: Vec<Section>,
    /// URLs found anywhere in the card, and `arxiv:`/`doi:` tags of the front matter.
    pub links: Vec<Link>,
    /// Why the front matter could not be read, if it exists and could not.
    pub front_matter_error: Option<String>,
    /// The 1-based line where the Markdown body starts (1 when there is no front matter).
    pub body_start_line: usize,
}

/// The Hub metadata keys the assessor uses, plus the whole front matter as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CardMeta {
    /// `license`: a Hub licence id such as `apache-2.0`, `llama3.1` or `other`.
    pub license: Option<String>,
    /// `license_name`: the publisher's name for an `other` licence.
    pub license_name: Option<String>,
    /// `license_link`: where an `other` licence's text is.
    pub license_link: Option<String>,
    /// `base_model`: the model(s) this one derives from.
    pub base_model: Vec<String>,
    /// `datasets`: datasets the model was trained or evaluated on.
    pub datasets: Vec<String>,
    /// `language`.
    pub language: Vec<String>,
    /// `pipeline_tag`: the task.
    pub pipeline_tag: Option<String>,
    /// `library_name`.
    pub library_name: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// Whether a `model-index` (structured evaluation results) is present.
    pub has_model_index: bool,
    /// The line of the `model-index` key.
    pub model_index_line: Option<usize>,
    /// `funding` entries (not a Hub key; commonhold's, for the public-funding catalogue).
    pub funding: Vec<serde_json::Value>,
    /// The whole front matter as JSON (`{}` when there is none).
    pub raw: serde_json::Value,
    /// Top-level key to its 1-based line in README.md.
    pub lines: BTreeMap<String, usize>,
}

/// Parses a card. Never fails: problems are reported in [`Card::front_matter_error`].
pub fn parse_card(text: &str) -> Card {
    let text = truncate_to_char_boundary(text, CARD_MAX);
    let split = front_matter::split(text);
    let (meta, front_matter_error) = match split.yaml {
        Some(yaml) => match front_matter::parse(yaml, split.yaml_first_line) {
            Ok(meta) => (meta, split.error),
            Err(error) => (CardMeta::empty(), Some(error.to_string())),
        },
        None => (CardMeta::empty(), split.error),
    };
    let body = text
        .lines()
        .enumerate()
        .skip(split.body_start_line.saturating_sub(1));
    let sections = sections::find(body.clone());
    let mut links = links::find(text.lines().enumerate());
    links.extend(links::from_tags(&meta));
    Card {
        meta,
        sections,
        links,
        front_matter_error,
        body_start_line: split.body_start_line,
    }
}

impl CardMeta {
    /// Metadata of a card without front matter.
    fn empty() -> Self {
        Self {
            raw: serde_json::Value::Object(serde_json::Map::new()),
            ..Self::default()
        }
    }
}

/// The longest quote returned for a claim, so a single huge line cannot bloat the findings.
const QUOTE_MAX: usize = 240;

/// The most claims kept from one card: evidence enough, bounded output.
const CLAIMS_MAX: usize = 64;

/// Lines (1-based) of the card's body, outside code blocks, that claim the release is open
/// source (definition C1-C3), with the quoted line. The front matter is not read here: its
/// `tags` are checked by [`tag_claims`].
pub fn claims_open_source(text: &str) -> Vec<(usize, String)> {
    let text = truncate_to_char_boundary(text, CARD_MAX);
    let body_start = front_matter::split(text).body_start_line;
    let mut out = Vec::new();
    let body = text.lines().enumerate().skip(body_start.saturating_sub(1));
    for (index, line) in outside_code_blocks(body) {
        if claims::line_claims(line) {
            out.push((index + 1, quote(line)));
            if out.len() >= CLAIMS_MAX {
                break;
            }
        }
    }
    out
}

/// Whether a repository id (`owner/name`) claims open source in its name (definition C2).
pub fn name_claims(repo_id: &str) -> bool {
    let name = repo_id.rsplit('/').next().unwrap_or(repo_id);
    claims::line_claims(&name.replace(['-', '_', '.'], " "))
}

/// The lines that are not inside fenced code blocks (nor their fences).
pub(crate) fn outside_code_blocks<'a>(
    lines: impl Iterator<Item = (usize, &'a str)>,
) -> impl Iterator<Item = (usize, &'a str)> {
    let mut fence: Option<&'a str> = None;
    lines.filter(move |(_, line)| {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            return false;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = trimmed.get(..3);
            return false;
        }
        true
    })
}

/// The card's `tags` that claim open source (`open-source`, `fully-open` ...), with the line
/// of the `tags` key.
pub fn tag_claims(meta: &CardMeta) -> Vec<(usize, String)> {
    let line = meta.lines.get("tags").copied().unwrap_or(1);
    meta.tags
        .iter()
        .filter(|tag| claims::line_claims(&tag.replace(['-', '_'], " ")))
        .take(CLAIMS_MAX)
        .map(|tag| (line, format!("tags: {}", quote(tag))))
        .collect()
}

/// A line trimmed and shortened to [`QUOTE_MAX`] bytes, for citing in a finding.
pub(crate) fn quote(line: &str) -> String {
    truncate_to_char_boundary(line.trim(), QUOTE_MAX).to_string()
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(crate) fn truncate_to_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}
