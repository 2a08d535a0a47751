//! Which licences MOT accepts for a component, using the SPDX licence data of the `spdx` crate.
//!
//! MOT counts a component only when its licence is OSI-approved or FSF-libre (SPDX flags), on
//! its list of open-data licences, or OpenMDW-1.0. MOT compares licence ids exactly, so
//! [`mot_accepts`] does too; [`canonical_spdx`] is for ids the assessor found itself (card
//! metadata such as `apache-2.0`), which are normalised before the same rule is applied.

/// The open-data licences MOT accepts for any component (`LicenseHandler::OPEN_DATA_LICENSES`).
pub const OPEN_DATA_LICENCES: &[&str] = &[
    "CC0-1.0",
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-2.5-AU",
    "CC-BY-3.0",
    "CC-BY-3.0-AT",
    "CC-BY-3.0-AU",
    "CC-BY-3.0-DE",
    "CC-BY-3.0-IGO",
    "CC-BY-3.0-NL",
    "CC-BY-3.0-US",
    "CC-BY-4.0",
    "CC-BY-SA-1.0",
    "CC-BY-SA-2.0",
    "CC-BY-SA-2.0-UK",
    "CC-BY-SA-2.1-JP",
    "CC-BY-SA-2.5",
    "CC-BY-SA-3.0",
    "CC-BY-SA-3.0-AT",
    "CC-BY-SA-4.0",
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "CDLA-Sharing-1.0",
    "ODC-PDDL-1.0",
    "ODC-By-1.0",
    "ODbL-1.0",
    "GFDL-1.3",
    "OGL-Canada-2.0",
    "OGL-UK-2.0",
    "OGL-UK-3.0",
];

/// Licences MOT treats as open although SPDX flags neither OSI nor FSF approval.
const EXTRA_OPEN_LICENCES: &[&str] = &["OpenMDW-1.0"];

/// The SPDX licence with exactly this id (no `+` trimming, no case folding), as MOT matches.
fn exact_spdx(id: &str) -> Option<spdx::LicenseId> {
    spdx::license_id(id).filter(|l| l.name == id)
}

/// True when `id` is OSI-approved in the SPDX licence list.
pub fn is_osi_approved(id: &str) -> bool {
    exact_spdx(id).is_some_and(|l| l.is_osi_approved())
}

/// True when `id` is on MOT's open-data list.
pub fn is_open_data(id: &str) -> bool {
    OPEN_DATA_LICENCES.contains(&id)
}

/// MOT's test for an open licence, applied to an exact licence id.
pub fn mot_accepts(id: &str) -> bool {
    is_open_data(id)
        || EXTRA_OPEN_LICENCES.contains(&id)
        || exact_spdx(id).is_some_and(|l| l.is_osi_approved() || l.is_fsf_free_libre())
}

/// Normalises a licence id found in a release (`apache-2.0`, `MIT License`, `cc-by-4.0`) to its
/// SPDX spelling, or `None` when it is no SPDX licence (e.g. `llama3.1`, `other`).
pub fn canonical_spdx(id: &str) -> Option<&'static str> {
    let id = id.trim();
    if let Some(l) = exact_spdx(id) {
        return Some(l.name);
    }
    if let Some(l) = spdx::identifiers::LICENSES
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(id))
    {
        return Some(l.name);
    }
    if let Some(name) = OPEN_DATA_LICENCES
        .iter()
        .chain(EXTRA_OPEN_LICENCES)
        .find(|n| n.eq_ignore_ascii_case(id))
    {
        return Some(name);
    }
    match spdx::imprecise_license_id(id) {
        Some((l, len)) if len == id.len() => Some(l.name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mot_matching_is_exact() {
        assert!(mot_accepts("Apache-2.0"));
        assert!(!mot_accepts("apache-2.0"));
        assert!(!mot_accepts("Apache 2.0"));
        assert!(mot_accepts("CC-BY-4.0"));
        assert!(!mot_accepts("CC-BY-NC-4.0"));
        assert!(mot_accepts("OpenMDW-1.0"));
        assert!(!mot_accepts("llama3"));
    }

    #[test]
    fn canonicalises_hub_ids() {
        assert_eq!(canonical_spdx("apache-2.0"), Some("Apache-2.0"));
        assert_eq!(canonical_spdx("mit"), Some("MIT"));
        assert_eq!(canonical_spdx("cc-by-sa-4.0"), Some("CC-BY-SA-4.0"));
        assert_eq!(canonical_spdx("llama3.1"), None);
        assert_eq!(canonical_spdx("other"), None);
    }
}
