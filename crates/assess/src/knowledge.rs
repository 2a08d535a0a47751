//! The knowledge file of well-known base-model families (`docs/openness/base-families.toml`).
//!
//! A release that names a base model the hub does not hold is judged by what is known about
//! that base's family: its licence, whether the licence's terms bind derivatives, and how well
//! its training data is disclosed. The built-in file is embedded in the binary; a site may
//! replace it with its own. The crate does no IO: the caller reads the file and hands the text
//! to [`Knowledge::parse`], which refuses a file with errors and names the line of the first.
//! Parsing is bounded (size, number of families and patterns, pattern length), so a hostile
//! file can be refused, never exhaust the assessor.

mod glob;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::inspect::licence_info;
use crate::model::DataGrade;

/// The built-in knowledge file, reviewed with the definition.
pub const BUILTIN_TEXT: &str = include_str!("../../../docs/openness/base-families.toml");

/// The largest knowledge file accepted.
pub const KNOWLEDGE_MAX: usize = 1 << 20;
/// The most families a file may list.
pub const FAMILIES_MAX: usize = 4096;
/// The most patterns one family may list.
pub const PATTERNS_MAX: usize = 64;
/// The longest pattern, and the longest repo id looked up (longer ids match nothing).
pub const PATTERN_LEN_MAX: usize = 200;
/// The longest free-text field (names, notes, URLs).
const TEXT_MAX: usize = 2048;

/// A well-known family of base models.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Family {
    pub id: String,
    pub name: String,
    /// Lower-cased repo-id patterns; `*` matches any run of characters.
    pub patterns: Vec<String>,
    /// Licence id of the weights.
    pub licence: String,
    /// The licence restricts use, users, field or commercial use.
    pub restrictive: bool,
    /// The licence's terms bind derivatives.
    pub flows_down: bool,
    pub data: DataGrade,
    pub source: String,
    /// `YYYY-MM-DD`.
    pub checked: String,
    pub note: Option<String>,
    /// Line of the family's table in the file, for reviewers.
    pub line: usize,
}

/// A licence the knowledge file declares because the assessor does not know its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeclaredLicence {
    pub id: String,
    pub name: String,
    pub restrictive: bool,
    pub url: String,
}

/// Which knowledge an assessment used: recorded in every assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeStamp {
    pub version: String,
    /// Hex sha256 of the file's bytes.
    pub sha256: String,
    /// `builtin`, or what the caller says it loaded (a path).
    pub origin: String,
}

/// A parsed knowledge file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knowledge {
    pub version: String,
    /// The definition version the file belongs to.
    pub definition: String,
    pub families: Vec<Family>,
    pub licences: Vec<DeclaredLicence>,
    stamp: KnowledgeStamp,
}

/// Why a knowledge file was refused: the first error, with its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnowledgeError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for KnowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for KnowledgeError {}

/// A family that matched a repo id, and the pattern that matched.
#[derive(Clone, Copy, Debug)]
pub struct FamilyMatch<'k> {
    pub family: &'k Family,
    pub pattern: &'k str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Spanned<String>,
    definition: Spanned<String>,
    #[serde(default)]
    licence: Vec<Spanned<RawLicence>>,
    #[serde(default)]
    family: Vec<Spanned<RawFamily>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLicence {
    id: Spanned<String>,
    name: Spanned<String>,
    restrictive: bool,
    url: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    id: Spanned<String>,
    name: Spanned<String>,
    patterns: Spanned<Vec<Spanned<String>>>,
    licence: Spanned<String>,
    flows_down: bool,
    data: Spanned<String>,
    source: Spanned<String>,
    checked: Spanned<String>,
    #[serde(default)]
    note: Option<Spanned<String>>,
}

static BUILTIN: LazyLock<Knowledge> = LazyLock::new(|| {
    // The embedded file is tested to parse; should it ever not, assess with no families rather
    // than fail every assessment, and say so in the stamp.
    Knowledge::parse(BUILTIN_TEXT, "builtin").unwrap_or_else(|e| Knowledge {
        version: format!("invalid builtin ({e})"),
        definition: String::new(),
        families: Vec::new(),
        licences: Vec::new(),
        stamp: KnowledgeStamp {
            version: "invalid".into(),
            sha256: sha256_hex(BUILTIN_TEXT.as_bytes()),
            origin: "builtin".into(),
        },
    })
});

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
        + 1
}

/// Checks of one file, each error located by a span.
struct Check<'t> {
    text: &'t str,
}

impl Check<'_> {
    fn fail<T>(&self, span: std::ops::Range<usize>, message: String) -> Result<T, KnowledgeError> {
        Err(KnowledgeError {
            line: line_of(self.text, span.start),
            message,
        })
    }

    fn text(&self, what: &str, value: &Spanned<String>) -> Result<String, KnowledgeError> {
        let v = value.get_ref().trim();
        if v.is_empty() {
            return self.fail(value.span(), format!("`{what}` is empty"));
        }
        if v.len() > TEXT_MAX || v.chars().any(char::is_control) {
            return self.fail(
                value.span(),
                format!("`{what}` is longer than {TEXT_MAX} bytes or has control characters"),
            );
        }
        Ok(v.to_owned())
    }

    fn id(&self, what: &str, value: &Spanned<String>) -> Result<String, KnowledgeError> {
        let v = self.text(what, value)?;
        let ok = v.len() <= 100
            && v.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_' | '+')
            });
        if !ok {
            return self.fail(
                value.span(),
                format!("`{what}` {v:?} must be lower-case letters, digits, `-`, `.`, `_` or `+`"),
            );
        }
        Ok(v)
    }

    fn url(&self, what: &str, value: &Spanned<String>) -> Result<String, KnowledgeError> {
        let v = self.text(what, value)?;
        if !(v.starts_with("https://") || v.starts_with("http://")) || v.contains(' ') {
            return self.fail(
                value.span(),
                format!("`{what}` {v:?} is not an http(s) URL"),
            );
        }
        Ok(v)
    }

    fn date(&self, value: &Spanned<String>) -> Result<String, KnowledgeError> {
        let v = value.get_ref().trim();
        let parts: Vec<&str> = v.split('-').collect();
        let number = |s: &str, len: usize, max: u32| {
            s.len() == len
                && s.bytes().all(|b| b.is_ascii_digit())
                && s.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n))
        };
        match parts.as_slice() {
            [y, m, d] if number(y, 4, 9999) && number(m, 2, 12) && number(d, 2, 31) => {
                Ok(v.to_owned())
            }
            _ => self.fail(
                value.span(),
                format!("`checked` {v:?} is not a date (YYYY-MM-DD)"),
            ),
        }
    }

    fn pattern(&self, value: &Spanned<String>) -> Result<String, KnowledgeError> {
        let v = value.get_ref().trim();
        let valid = !v.is_empty()
            && v.len() <= PATTERN_LEN_MAX
            && v.chars().any(|c| c != '*')
            && !v.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return self.fail(
                value.span(),
                format!(
                    "pattern {v:?} must be 1 to {PATTERN_LEN_MAX} characters, not only `*`, without spaces"
                ),
            );
        }
        Ok(v.to_ascii_lowercase())
    }
}

fn data_grade(s: &str) -> Option<DataGrade> {
    match s.trim() {
        "open" => Some(DataGrade::Open),
        "partial" => Some(DataGrade::Partial),
        "closed" => Some(DataGrade::Closed),
        _ => None,
    }
}

impl Knowledge {
    /// The knowledge file built into this binary.
    pub fn builtin() -> &'static Knowledge {
        &BUILTIN
    }

    /// What assessments record about this knowledge.
    pub fn stamp(&self) -> &KnowledgeStamp {
        &self.stamp
    }

    /// Parses and checks a knowledge file; `origin` is recorded in the stamp (`builtin` or a
    /// path). Refuses the whole file on its first error, naming the line.
    pub fn parse(text: &str, origin: &str) -> Result<Knowledge, KnowledgeError> {
        if text.len() > KNOWLEDGE_MAX {
            return Err(KnowledgeError {
                line: 1,
                message: format!(
                    "the file is {} bytes; the limit is {KNOWLEDGE_MAX}",
                    text.len()
                ),
            });
        }
        let raw: RawFile = toml::from_str(text).map_err(|e| KnowledgeError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_owned(),
        })?;
        let check = Check { text };
        let version = check.text("version", &raw.version)?;
        if version.len() > 64 {
            return check.fail(
                raw.version.span(),
                "`version` is longer than 64 bytes".into(),
            );
        }
        let definition = check.text("definition", &raw.definition)?;
        if raw.family.len() > FAMILIES_MAX || raw.licence.len() > FAMILIES_MAX {
            return Err(KnowledgeError {
                line: 1,
                message: format!("more than {FAMILIES_MAX} families or licences"),
            });
        }
        let mut licences: Vec<DeclaredLicence> = Vec::with_capacity(raw.licence.len());
        for entry in &raw.licence {
            let l = entry.get_ref();
            let id = check.id("id", &l.id)?;
            if licences.iter().any(|d| d.id == id) {
                return check.fail(l.id.span(), format!("licence `{id}` is declared twice"));
            }
            licences.push(DeclaredLicence {
                name: check.text("name", &l.name)?,
                url: check.url("url", &l.url)?,
                restrictive: l.restrictive,
                id,
            });
        }
        let mut families: Vec<Family> = Vec::with_capacity(raw.family.len());
        let mut ids = BTreeSet::new();
        for entry in &raw.family {
            let f = entry.get_ref();
            let id = check.id("id", &f.id)?;
            if !ids.insert(id.clone()) {
                return check.fail(f.id.span(), format!("family `{id}` is listed twice"));
            }
            let list = f.patterns.get_ref();
            if list.is_empty() || list.len() > PATTERNS_MAX {
                return check.fail(
                    f.patterns.span(),
                    format!("`patterns` must list 1 to {PATTERNS_MAX} repo-id patterns"),
                );
            }
            let patterns = list
                .iter()
                .map(|p| check.pattern(p))
                .collect::<Result<Vec<_>, _>>()?;
            let licence = f.licence.get_ref().trim().to_owned();
            let declared = licences
                .iter()
                .find(|d| d.id.eq_ignore_ascii_case(&licence));
            let info = licence_info(&licence);
            let restrictive = match declared {
                Some(d) => d.restrictive,
                None if info.known => info.restrictive,
                None => {
                    return check.fail(
                        f.licence.span(),
                        format!(
                            "licence `{licence}` is neither an SPDX or Hub id the assessor knows nor declared in a [[licence]] table"
                        ),
                    );
                }
            };
            let Some(data) = data_grade(f.data.get_ref()) else {
                return check.fail(
                    f.data.span(),
                    format!(
                        "`data` {:?} must be open, partial or closed",
                        f.data.get_ref()
                    ),
                );
            };
            families.push(Family {
                name: check.text("name", &f.name)?,
                patterns,
                licence,
                restrictive,
                flows_down: f.flows_down,
                data,
                source: check.url("source", &f.source)?,
                checked: check.date(&f.checked)?,
                note: f.note.as_ref().map(|n| check.text("note", n)).transpose()?,
                line: line_of(text, entry.span().start),
                id,
            });
        }
        Ok(Knowledge {
            stamp: KnowledgeStamp {
                version: version.clone(),
                sha256: sha256_hex(text.as_bytes()),
                origin: origin.to_owned(),
            },
            version,
            definition,
            families,
            licences,
        })
    }

    /// The first family with a pattern matching `repo` (case-insensitive). `repo` may be an id
    /// (`ns/name`) or a Hub URL of one; anything longer than [`PATTERN_LEN_MAX`] matches nothing.
    pub fn lookup(&self, repo: &str) -> Option<FamilyMatch<'_>> {
        let id = normalise_repo_id(repo)?;
        self.families.iter().find_map(|family| {
            family
                .patterns
                .iter()
                .find(|p| glob::matches(p, &id))
                .map(|p| FamilyMatch {
                    family,
                    pattern: p.as_str(),
                })
        })
    }

    /// A licence the file declares, by id.
    pub fn declared_licence(&self, id: &str) -> Option<&DeclaredLicence> {
        self.licences
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(id.trim()))
    }
}

/// `ns/name` in lower case from an id or a Hub URL (`https://huggingface.co/ns/name/tree/x`);
/// `None` when empty or too long to be an id.
pub fn normalise_repo_id(repo: &str) -> Option<String> {
    let mut s = repo.trim();
    for prefix in ["https://", "http://"] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    let from_url = ["huggingface.co/", "www.huggingface.co/", "hf.co/"]
        .iter()
        .find_map(|host| s.strip_prefix(host));
    let s = match from_url {
        Some(rest) => {
            let rest = rest.strip_prefix("models/").unwrap_or(rest);
            let mut parts = rest.split('/').filter(|p| !p.is_empty());
            match (parts.next(), parts.next()) {
                (Some(ns), Some(name)) => format!("{ns}/{name}"),
                (Some(name), None) => name.to_owned(),
                _ => return None,
            }
        }
        None => s.trim_end_matches('/').to_owned(),
    };
    let s = s.split(['@', '?', '#']).next().unwrap_or_default();
    (!s.is_empty() && s.len() <= PATTERN_LEN_MAX).then(|| s.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
version = "1"
definition = "2026.2"

[[family]]
id = "a"
name = "A"
patterns = ["org/A-3B*", "org/A-*"]
licence = "apache-2.0"
flows_down = false
data = "open"
source = "https://example.org/a"
checked = "2026-12-03"
"#;

    fn error_of(text: &str) -> KnowledgeError {
        Knowledge::parse(text, "test").expect_err("must be refused")
    }

    #[test]
    fn builtin_parses_and_is_stamped() {
        let k = Knowledge::parse(BUILTIN_TEXT, "builtin").expect("the built-in file parses");
        assert!(k.families.len() > 40, "{}", k.families.len());
        assert_eq!(k.stamp().sha256.len(), 64);
        assert_eq!(Knowledge::builtin().version, k.version);
    }

    #[test]
    fn builtin_facts() {
        let k = Knowledge::builtin();
        let fam = |id: &str| k.lookup(id).map(|m| m.family.id.as_str());
        assert_eq!(fam("meta-llama/Llama-3.1-8B-Instruct"), Some("llama-3.1"));
        assert_eq!(fam("unsloth/Meta-Llama-3.1-8B-bnb-4bit"), Some("llama-3.1"));
        assert_eq!(fam("Qwen/Qwen2.5-3B-Instruct"), Some("qwen2.5-3b-research"));
        assert_eq!(fam("Qwen/Qwen2.5-32B-Instruct"), Some("qwen2.5"));
        assert_eq!(fam("Qwen/Qwen2.5-72B"), Some("qwen2.5-72b"));
        assert_eq!(
            fam("deepseek-ai/DeepSeek-V3"),
            Some("deepseek-model-license")
        );
        assert_eq!(fam("deepseek-ai/DeepSeek-R1"), Some("deepseek-mit"));
        assert_eq!(
            fam("deepseek-ai/DeepSeek-R1-Distill-Llama-8B"),
            Some("llama-3.1")
        );
        assert_eq!(fam("tiiuae/falcon-40b"), Some("falcon-apache"));
        assert_eq!(fam("tiiuae/falcon-180B"), Some("falcon-tii"));
        assert_eq!(
            fam("black-forest-labs/FLUX.1-schnell"),
            Some("flux-schnell")
        );
        assert_eq!(fam("black-forest-labs/FLUX.1-dev"), Some("flux-dev"));
        assert_eq!(fam("mistralai/Codestral-22B-v0.1"), Some("codestral-mnpl"));
        assert_eq!(fam("mistralai/Mistral-7B-v0.1"), Some("mistral-apache"));
        assert_eq!(
            fam("https://huggingface.co/google/gemma-2-9b/tree/main"),
            Some("gemma")
        );
        assert_eq!(fam("someone/entirely-new-model"), None);
        let llama = k.lookup("meta-llama/Llama-2-7b-hf").expect("llama 2");
        assert!(llama.family.restrictive && llama.family.flows_down);
        assert_eq!(llama.family.data, DataGrade::Closed);
        let flux = k.lookup("black-forest-labs/FLUX.1-dev").expect("flux");
        assert!(
            flux.family.restrictive,
            "declared licences carry their flag"
        );
        let olmo = k.lookup("allenai/OLMo-7B").expect("olmo");
        assert!(!olmo.family.restrictive && olmo.family.data == DataGrade::Open);
    }

    #[test]
    fn first_match_wins() {
        let k = Knowledge::parse(MINIMAL, "t").expect("valid");
        assert_eq!(
            k.lookup("ORG/a-3b-chat").map(|m| m.pattern),
            Some("org/a-3b*")
        );
        assert_eq!(k.lookup("org/A-7B").map(|m| m.pattern), Some("org/a-*"));
        assert_eq!(k.stamp().origin, "t");
    }

    #[test]
    fn syntax_error_names_its_line() {
        let e = error_of("version = \"1\"\ndefinition = \"x\"\n[[family]\n");
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn semantic_errors_name_their_line() {
        let unknown_licence = MINIMAL.replace("\"apache-2.0\"", "\"made-up-licence\"");
        let e = error_of(&unknown_licence);
        assert_eq!(e.line, 9, "{e}");
        assert!(e.message.contains("made-up-licence"), "{e}");
        let bad_grade = MINIMAL.replace("\"open\"", "\"mostly\"");
        assert_eq!(error_of(&bad_grade).line, 11);
        let bad_date = MINIMAL.replace("2026-12-03", "2026-13-03");
        assert_eq!(error_of(&bad_date).line, 13);
        let star = MINIMAL.replace("\"org/A-*\"", "\"**\"");
        assert_eq!(error_of(&star).line, 8);
        let typo = MINIMAL.replace("flows_down", "flow_down");
        assert_eq!(error_of(&typo).line, 10, "unknown keys are refused");
        let twice = format!(
            "{MINIMAL}{}",
            &MINIMAL[MINIMAL.find("[[family]]").unwrap_or(0)..]
        );
        assert_eq!(error_of(&twice).line, 15);
    }

    #[test]
    fn bounds() {
        let big = "#".repeat(KNOWLEDGE_MAX + 1);
        assert_eq!(error_of(&big).line, 1);
        let long = MINIMAL.replace("org/A-*", &"a".repeat(PATTERN_LEN_MAX + 1));
        assert_eq!(error_of(&long).line, 8);
        let k = Knowledge::parse(MINIMAL, "t").expect("valid");
        assert!(k.lookup(&"org/A-".repeat(100)).is_none());
    }

    #[test]
    fn normalises_ids_and_urls() {
        assert_eq!(normalise_repo_id(" Org/Name ").as_deref(), Some("org/name"));
        assert_eq!(
            normalise_repo_id("https://huggingface.co/org/name/blob/main/x").as_deref(),
            Some("org/name")
        );
        assert_eq!(
            normalise_repo_id("hf.co/org/name").as_deref(),
            Some("org/name")
        );
        assert_eq!(
            normalise_repo_id("org/name@main").as_deref(),
            Some("org/name")
        );
        assert_eq!(normalise_repo_id("gpt2").as_deref(), Some("gpt2"));
        assert_eq!(normalise_repo_id("  "), None);
    }
}
