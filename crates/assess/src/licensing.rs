//! Which licence governs what: the release's licence files and the card's `license` field,
//! resolved per content type (code, weights, documents) with evidence.
//!
//! A `LICENSE-CODE` governs code and a `LICENSE-MODEL` the weights; a plain `LICENSE` (or
//! `COPYING`, `LICENCE`) governs everything else. Without a licence file the card's licence
//! applies. A use policy (`USE_POLICY*`) restricts the weights whatever their licence says.

use crate::inspect::{self, LicenceInfo, RestrictionKind};
use crate::model::{Evidence, LicenceFinding, RestrictionFinding};
use crate::mof::licences::{canonical_spdx, mot_accepts};
use crate::scan::Scan;

/// A licence that applies to part of the release.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    /// As found (SPDX or Hub id).
    pub id: String,
    /// The SPDX spelling when it is an SPDX licence, else `id`: what MOF is given.
    pub mof_id: String,
    pub evidence: Evidence,
    pub info: LicenceInfo,
    /// Accepted by MOF (OSI, FSF-libre or open data) and not a restrictive AI licence.
    pub open: bool,
    /// Restricts use, users or field of use.
    pub restrictive: bool,
}

impl Resolved {
    fn new(id: &str, evidence: Evidence, restricted_by_text: bool) -> Resolved {
        let info = inspect::licence_info(id);
        let mof_id = canonical_spdx(id).unwrap_or(id).to_owned();
        let accepted =
            mot_accepts(&mof_id) || info.osi_approved || info.fsf_libre || info.open_data;
        let restrictive = info.restrictive || (!accepted && restricted_by_text);
        Resolved {
            id: id.to_owned(),
            mof_id,
            evidence,
            open: accepted && !info.restrictive,
            restrictive,
            info,
        }
    }

    /// OSI-approved (the OSAID test for code and parameters).
    pub fn osi(&self) -> bool {
        self.info.osi_approved || crate::mof::licences::is_osi_approved(&self.mof_id)
    }
}

/// What a licence file governs, from its name.
fn scope_of(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_uppercase();
    if name.starts_with("USE_POLICY") || name.contains("ACCEPTABLE_USE") {
        "use-policy"
    } else if name == "NOTICE" || name.starts_with("NOTICE.") {
        "notice"
    } else if name.contains("MODEL") || name.contains("WEIGHT") {
        "weights"
    } else if name.contains("CODE") {
        "code"
    } else {
        "distribution"
    }
}

fn kind_slug(kind: RestrictionKind) -> &'static str {
    match kind {
        RestrictionKind::AcceptableUsePolicy => "acceptable-use-policy",
        RestrictionKind::FieldOfUse => "field-of-use",
        RestrictionKind::UserCap => "user-cap",
        RestrictionKind::NamingObligation => "naming-obligation",
        RestrictionKind::NoImprovingOtherModels => "no-improving-other-models",
        RestrictionKind::Revocation => "revocation",
        RestrictionKind::NonCommercial => "non-commercial",
        RestrictionKind::ResearchOnly => "research-only",
    }
}

/// The licences of a release, resolved.
#[derive(Default)]
pub(crate) struct Licensing {
    /// Every licence found, for the report.
    pub found: Vec<LicenceFinding>,
    /// The card's `license` (or `license_name` for `other`).
    pub card: Option<Resolved>,
    /// Licence files present (any scope).
    pub has_file: bool,
    pub distribution: Option<Resolved>,
    pub code: Option<Resolved>,
    pub weights: Option<Resolved>,
    /// A use policy was shipped: the weights are restricted by it.
    pub use_policy: Option<Evidence>,
}

pub(crate) fn resolve(scan: &Scan, root: &str) -> Licensing {
    let mut out = Licensing::default();
    let mut by_scope: Vec<(&'static str, Resolved)> = Vec::new();
    for lf in &scan.licences {
        out.has_file = true;
        let scope = scope_of(&lf.path);
        let file_evidence = |line: Option<usize>| Evidence::File {
            root: root.to_owned(),
            path: lf.path.clone(),
            line,
        };
        let restrictions: Vec<RestrictionFinding> = lf
            .facts
            .restrictions
            .iter()
            .map(|r| RestrictionFinding {
                kind: kind_slug(r.kind).to_owned(),
                quote: r.quote.clone(),
                evidence: file_evidence(Some(r.line)),
            })
            .collect();
        if scope == "use-policy" {
            out.use_policy = Some(file_evidence(None));
        }
        let Some(id) = &lf.facts.licence else {
            continue;
        };
        let resolved = Resolved::new(&id.id, file_evidence(None), !restrictions.is_empty());
        out.found.push(LicenceFinding {
            id: id.id.clone(),
            name: id.name.clone(),
            scope: scope.to_owned(),
            osi_approved: resolved.osi(),
            fsf_libre: resolved.info.fsf_libre,
            open_data: resolved.info.open_data,
            restrictive: resolved.restrictive,
            restrictions,
            evidence: file_evidence(None),
        });
        // Root files take precedence over ones in subdirectories.
        let at_root = !lf.path.contains('/');
        let taken = by_scope.iter().position(|(s, _)| *s == scope);
        match taken {
            Some(i) if at_root => {
                if let Some(slot) = by_scope.get_mut(i) {
                    slot.1 = resolved;
                }
            }
            Some(_) => {}
            None => by_scope.push((scope, resolved)),
        }
    }
    if let Some(sc) = &scan.card {
        let meta = &sc.card.meta;
        let id = match meta.license.as_deref() {
            Some("other") => meta.license_name.clone().or(Some("other".to_owned())),
            other => other.map(str::to_owned),
        };
        if let Some(id) = id.filter(|s| !s.trim().is_empty()) {
            let evidence = Evidence::File {
                root: root.to_owned(),
                path: sc.path.clone(),
                line: meta.lines.get("license").copied(),
            };
            let resolved = Resolved::new(&id, evidence.clone(), false);
            out.found.push(LicenceFinding {
                id: id.clone(),
                name: id,
                scope: "card".to_owned(),
                osi_approved: resolved.osi(),
                fsf_libre: resolved.info.fsf_libre,
                open_data: resolved.info.open_data,
                restrictive: resolved.restrictive,
                restrictions: Vec::new(),
                evidence,
            });
            out.card = Some(resolved);
        }
    }
    let scoped = |scope: &str| {
        by_scope
            .iter()
            .find(|(s, _)| *s == scope)
            .map(|(_, r)| r.clone())
    };
    out.distribution = scoped("distribution").or_else(|| out.card.clone());
    out.code = scoped("code").or_else(|| out.distribution.clone());
    out.weights = scoped("weights").or_else(|| out.distribution.clone());
    if out.use_policy.is_some()
        && let Some(w) = out.weights.as_mut()
    {
        w.restrictive = true;
        w.open = false;
    }
    out
}
