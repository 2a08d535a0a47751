//! Licence files: which licence a text is, what it restricts, and what an id means.
//!
//! SPDX licences are identified with the `spdx` crate's askalono detector and its bundled SPDX
//! licence data, never by hand-written matching. The AI licences that SPDX lacks (Llama,
//! Gemma, the RAIL family, DeepSeek, Qwen, Falcon, Mistral) are recognised by their names and
//! distinctive clauses ([`ai`]), not by shipping their texts. Restrictive clauses are found in
//! every text, whatever its licence, and quoted with their line.

mod ai;
mod info;
mod normalize;
mod notice;
mod restrictions;
mod spdx_text;

use serde::Serialize;

pub use info::{LicenceInfo, licence_info};
pub use restrictions::{Restriction, RestrictionKind};

use crate::inspect::card::truncate_to_char_boundary;
use crate::inspect::paths;

/// The most bytes of a licence file the assessor reads.
pub const LICENCE_FILE_MAX: usize = 256 * 1024;

/// How an identification was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum IdSource {
    /// The text matched an SPDX licence text (askalono).
    SpdxText,
    /// The text was recognised as an AI licence by its title and clauses.
    AiLicenceText,
    /// The id came from Hub metadata.
    HubId,
    /// The text carries an `SPDX-License-Identifier:` expression.
    SpdxExpression,
    /// A notice names the licence or links to it (definition N2).
    Notice,
}

/// An identified licence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceId {
    /// An SPDX id or expression, or a Hub id such as `llama3.1`, `openrail++`, `deepseek`.
    pub id: String,
    /// The licence's name for people.
    pub name: String,
    /// How it was identified.
    pub source: IdSource,
    /// From 0 to 1: the askalono score, or how much of an AI licence's evidence was found.
    pub confidence: f32,
}

/// What a licence text is and what it restricts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceFacts {
    /// The licence, if identified.
    pub licence: Option<LicenceId>,
    /// Restrictive clauses, with lines, in text order.
    pub restrictions: Vec<Restriction>,
    /// The file is a notice (definition N1): shorter than [`notice::NOTICE_WORDS_MAX`] words and
    /// not an SPDX licence text. It may identify a licence but is not a licence text.
    pub notice: bool,
}

/// Whether a path names a licence file: `LICENSE*`, `LICENCE*`, `COPYING*`, `NOTICE*`,
/// `USE_POLICY*` (also `LICENSE-MODEL`, `MODEL_LICENSE`, `Tongyi Qianwen LICENSE AGREEMENT`),
/// at the root or one directory down (where split releases keep per-component licences).
pub fn is_licence_file(path: &str) -> bool {
    if paths::depth(path) > 1 {
        return false;
    }
    let name = paths::file_name(path).to_ascii_uppercase();
    let extension = paths::extension(path);
    let text_like = matches!(
        extension.as_deref(),
        None | Some("txt" | "md" | "rst" | "markdown" | "text" | "html")
    );
    const PREFIXES: [&str; 7] = [
        "LICENSE",
        "LICENCE",
        "COPYING",
        "NOTICE",
        "USE_POLICY",
        "USE-POLICY",
        "ACCEPTABLE_USE",
    ];
    if PREFIXES.iter().any(|prefix| name.starts_with(prefix)) {
        // `LICENSE.Apache-2.0` is a licence; `license_check.py` is code.
        return text_like || !is_code_extension(extension.as_deref());
    }
    text_like && (name.contains("LICENSE") || name.contains("LICENCE"))
}

/// Extensions of source code or data, which a licence file never has.
fn is_code_extension(extension: Option<&str>) -> bool {
    matches!(
        extension,
        Some(
            "py" | "rs"
                | "js"
                | "ts"
                | "go"
                | "c"
                | "h"
                | "cc"
                | "cpp"
                | "java"
                | "sh"
                | "json"
                | "yaml"
                | "yml"
                | "toml"
                | "ipynb"
        )
    )
}

/// Identifies a licence text and finds its restrictive clauses.
pub fn identify_licence_text(text: &str) -> LicenceFacts {
    let text = truncate_to_char_boundary(text, LICENCE_FILE_MAX);
    let words = normalize::Words::new(text);
    let licence = ai::recognise(&words)
        .or_else(|| spdx_text::detect(text))
        .or_else(|| spdx_text::identifier_line(text));
    let notice = notice::is_short(text)
        && !licence
            .as_ref()
            .is_some_and(|l| l.source == IdSource::SpdxText);
    let licence = match licence {
        None if notice => notice::referenced(text, &words),
        found => found,
    };
    LicenceFacts {
        licence,
        restrictions: restrictions::find(text, &words),
        notice,
    }
}
