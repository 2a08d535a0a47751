//! What a licence id means for openness: OSI approval and FSF libre status from the SPDX
//! data, open-data status from the list that MOF accepts for data, and whether the licence
//! restricts use (the AI licences, non-commercial and research-only terms).

use serde::Serialize;

/// Openness flags of a licence id or expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenceInfo {
    /// The id as given, trimmed.
    pub id: String,
    /// OSI-approved (for an expression: the expression is satisfiable with OSI licences).
    pub osi_approved: bool,
    /// FSF free/libre.
    pub fsf_libre: bool,
    /// An open-data licence (CC-BY, CC-BY-SA, CC0, CDLA, ODbL, PDDL, ...).
    pub open_data: bool,
    /// The licence restricts use, users or field, or forbids commercial use.
    pub restrictive: bool,
    /// Whether we know the id at all (`other` and unknown ids are not known).
    pub known: bool,
}

/// Restrictive AI licence ids (Hub ids and our ids for licences without one).
const RESTRICTIVE_AI: &[&str] = &[
    "llama",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "gemma",
    "openrail",
    "openrail++",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigscience-openrail-m",
    "bigcode-openrail-m",
    "deepfloyd-if-license",
    "apple-ascl",
    "apple-amlr",
    "deepseek",
    "tongyi-qianwen",
    "tongyi-qianwen-research",
    "microsoft-research",
    "stabilityai-ai-community",
    "nvidia-open-model-license",
    "qwen",
    "qwen-research",
    "falcon-llm-license",
    "mistral-research",
    "mrl",
    "mistral-non-production",
    "mnpl",
    "h-research",
    "intel-research",
    "fair-noncommercial-research-license",
    "c-uda",
];

/// Open-data licence id prefixes, matched case-insensitively against SPDX ids.
const OPEN_DATA_PREFIXES: &[&str] = &[
    "cc-by-1",
    "cc-by-2",
    "cc-by-3",
    "cc-by-4",
    "cc-by-sa-",
    "cc0-",
    "cdla-permissive-",
    "cdla-sharing-",
    "odbl-",
    "odc-by-",
    "pddl-",
    "ogl-uk-",
    "ogl-canada-",
    "etalab-",
    "openmdw-",
    "dl-de-by-",
    "dl-de-zero-",
    "nlod-",
    "ogdl-taiwan-",
];

/// Hub ids that are not SPDX ids, with the SPDX id whose flags they share.
const HUB_ALIASES: &[(&str, &str)] = &[
    ("gpl", "GPL-3.0-or-later"),
    ("lgpl", "LGPL-3.0-or-later"),
    ("agpl", "AGPL-3.0-or-later"),
    ("gfdl", "GFDL-1.3-or-later"),
    ("bsd", "BSD-3-Clause"),
    ("odbl", "ODbL-1.0"),
    ("odc-by", "ODC-By-1.0"),
    ("pddl", "PDDL-1.0"),
    ("lgpl-lr", "LGPLLR"),
    ("cc-by-nc-sa-2.0", "CC-BY-NC-SA-2.0"),
];

/// Looks up a Hub licence id, an SPDX id or an SPDX expression (case-insensitive).
pub fn licence_info(id: &str) -> LicenceInfo {
    let id = id.trim();
    let lower = id.to_ascii_lowercase();
    let unknown = LicenceInfo {
        id: id.to_string(),
        osi_approved: false,
        fsf_libre: false,
        open_data: false,
        restrictive: false,
        known: false,
    };
    if lower == "openmdw-1.0" || lower == "openmdw" {
        return LicenceInfo {
            open_data: true,
            known: true,
            ..unknown
        };
    }
    if RESTRICTIVE_AI.contains(&lower.as_str()) {
        return LicenceInfo {
            restrictive: true,
            known: true,
            ..unknown
        };
    }
    let spdx_name = HUB_ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(id, |(_, spdx)| *spdx);
    if let Some(licence) = spdx_lookup(spdx_name) {
        return single(id, licence);
    }
    expression(id).unwrap_or(unknown)
}

/// An SPDX licence by id, ignoring case (Hub ids are lower case: `apache-2.0`).
fn spdx_lookup(name: &str) -> Option<spdx::LicenseId> {
    spdx::license_id(name).or_else(|| {
        spdx::identifiers::LICENSES
            .iter()
            .find(|licence| licence.name.eq_ignore_ascii_case(name))
            .and_then(|licence| spdx::license_id(licence.name))
    })
}

/// Flags of one SPDX licence.
fn single(id: &str, licence: spdx::LicenseId) -> LicenceInfo {
    LicenceInfo {
        id: id.to_string(),
        osi_approved: licence.is_osi_approved(),
        fsf_libre: licence.is_fsf_free_libre(),
        open_data: is_open_data(licence.name),
        restrictive: is_restrictive_spdx(licence.name),
        known: true,
    }
}

/// Whether an SPDX id is an open-data licence.
fn is_open_data(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    OPEN_DATA_PREFIXES
        .iter()
        .any(|prefix| lower.starts_with(prefix))
}

/// Non-commercial, no-derivatives and research-only SPDX licences restrict use.
fn is_restrictive_spdx(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("-nc")
        || lower.contains("-nd")
        || lower.contains("noncommercial")
        || lower.contains("research")
}

/// Flags of an SPDX expression: `A OR B` has a flag when either side has it, `A AND B` when
/// both do; restrictive when any operand is. Hub ids inside expressions are not resolved.
fn expression(id: &str) -> Option<LicenceInfo> {
    let parsed = spdx::Expression::parse_mode(id, spdx::ParseMode::LAX).ok()?;
    let flag = |test: fn(spdx::LicenseId) -> bool| {
        parsed.evaluate(|req| req.license.id().is_some_and(test))
    };
    let restrictive = parsed.requirements().any(|req| {
        req.req
            .license
            .id()
            .is_some_and(|licence| is_restrictive_spdx(licence.name))
    });
    Some(LicenceInfo {
        id: id.to_string(),
        osi_approved: flag(|licence| licence.is_osi_approved()),
        fsf_libre: flag(|licence| licence.is_fsf_free_libre()),
        open_data: flag(|licence| is_open_data(licence.name)),
        restrictive,
        known: parsed
            .requirements()
            .all(|req| req.req.license.id().is_some()),
    })
}
