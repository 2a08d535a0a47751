//! SPDX licence texts, identified by the `spdx` crate's askalono detector over the SPDX
//! licence data it bundles, and `SPDX-License-Identifier:` lines.

use std::sync::OnceLock;

use spdx::detection::{Store, TextData};

use super::{IdSource, LicenceId};

/// The least askalono score accepted: re-wrapped texts and changed copyright lines still
/// score well above it, while unrelated texts score far below.
const MIN_SCORE: f32 = 0.8;

/// The SPDX licence store, decompressed once per process (it is the costly part).
fn store() -> Option<&'static Store> {
    static STORE: OnceLock<Option<Store>> = OnceLock::new();
    STORE.get_or_init(|| Store::load_inline().ok()).as_ref()
}

/// The SPDX licence whose text `text` is, if askalono is confident enough.
pub(super) fn detect(text: &str) -> Option<LicenceId> {
    if text.trim().is_empty() {
        return None;
    }
    let store = store()?;
    let found = store.analyze(&TextData::new(text));
    if found.score < MIN_SCORE {
        return None;
    }
    let name = spdx::license_id(found.name).map_or(found.name, |id| id.full_name);
    Some(LicenceId {
        id: found.name.to_string(),
        name: name.to_string(),
        source: IdSource::SpdxText,
        confidence: found.score,
    })
}

/// The expression of the first `SPDX-License-Identifier:` line, when it parses.
pub(super) fn identifier_line(text: &str) -> Option<LicenceId> {
    const TAG: &str = "SPDX-License-Identifier:";
    text.lines().find_map(|line| {
        let (_, rest) = line.split_once(TAG)?;
        let expression = rest.trim().trim_end_matches("*/").trim();
        let parsed = spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX).ok()?;
        Some(LicenceId {
            id: parsed.to_string(),
            name: expression.to_string(),
            source: IdSource::SpdxExpression,
            confidence: 1.0,
        })
    })
}
