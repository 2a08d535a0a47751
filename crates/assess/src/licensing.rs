//! Which licence governs what (definition L1-L9, N1-N3): the release's licence files, its
//! notices and the card's `license`, resolved per content type (weights, code, documents) with
//! evidence.
//!
//! A file's name says what it governs (`LICENSE-MODEL` the weights, `LICENSE-CODE` the code, a
//! plain `LICENSE` the whole release); a plain licence file whose text is a model licence
//! (Llama, Gemma, RAIL ...) governs the weights. The weights then follow L3: a model licence
//! file, else the licence the card names for them, else the release's `LICENSE`, else the card.
//! A notice (a short file that only refers to terms elsewhere) identifies a licence like a file
//! would, but is not a licence text. A use policy restricts the weights whatever their licence.

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
    /// Identified from a notice, not from a licence text (N2).
    pub from_notice: bool,
    /// Inherited from this base model, whose terms bind derivatives (G3).
    pub inherited_from: Option<String>,
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
            from_notice: false,
            inherited_from: None,
        }
    }

    /// The licence of a base model whose terms bind derivatives (G3): restrictive, whatever
    /// the id says, since the base's restrictions are what flows down.
    pub fn inherited(id: &str, evidence: Evidence, base: &str) -> Resolved {
        let mut r = Resolved::new(id, evidence, true);
        r.open = false;
        r.restrictive = true;
        r.inherited_from = Some(base.to_owned());
        r
    }

    /// OSI-approved (the OSAID test for code and parameters).
    pub fn osi(&self) -> bool {
        self.info.osi_approved || crate::mof::licences::is_osi_approved(&self.mof_id)
    }

    /// A licence written for software (MIT, Apache-2.0, BSD, GPL ...), as opposed to a model
    /// licence (AI licences, Creative Commons and other non-software licences, OpenMDW, and any
    /// id that is not SPDX): L3.
    fn is_software(&self) -> bool {
        self.info.known && (self.osi() || (self.info.fsf_libre && !self.info.open_data))
    }
}

/// What a licence file governs, from its name (L2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Distribution,
    Weights,
    Code,
    Data,
    UsePolicy,
}

impl Scope {
    fn of(path: &str) -> Scope {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_uppercase();
        if name.starts_with("USE_POLICY")
            || name.starts_with("USE-POLICY")
            || name.contains("ACCEPTABLE_USE")
        {
            Scope::UsePolicy
        } else if name.contains("MODEL") || name.contains("WEIGHT") {
            Scope::Weights
        } else if name.contains("CODE") {
            Scope::Code
        } else if name.contains("DATA") {
            Scope::Data
        } else {
            Scope::Distribution
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Scope::Distribution => "distribution",
            Scope::Weights => "weights",
            Scope::Code => "code",
            Scope::Data => "data",
            Scope::UsePolicy => "use-policy",
        }
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

/// An identified licence file of the release.
struct FileLicence {
    path: String,
    scope: Scope,
    resolved: Resolved,
}

impl FileLicence {
    fn at_root(&self) -> bool {
        !self.path.contains('/')
    }
}

/// The licences of a release, resolved.
#[derive(Default)]
pub(crate) struct Licensing {
    /// Every licence found, for the report.
    pub found: Vec<LicenceFinding>,
    /// The card's `license` (or `license_name` for `other`).
    pub card: Option<Resolved>,
    /// A licence text is in the release (L1): notices and use policies do not count (N3).
    pub has_file: bool,
    /// Notices found, with the licence each refers to, when they are the only licence files.
    pub notices: Vec<(Evidence, Option<String>)>,
    pub distribution: Option<Resolved>,
    pub code: Option<Resolved>,
    pub weights: Option<Resolved>,
    /// The release's own licence of the weights when a base's licence governs them instead (G3).
    pub own_weights: Option<Resolved>,
    /// The licence file the card's licence is compared with (L7), if any.
    pub comparable_file: Option<Resolved>,
    /// A use policy was shipped: the weights are restricted by it.
    pub use_policy: Option<Evidence>,
}

impl Licensing {
    /// A base model's licence governs the weights (G3); the release's own is kept aside.
    pub fn inherit_weights(&mut self, inherited: Resolved) {
        let mut listed = listed(&inherited, "weights");
        listed.inherited_from.clone_from(&inherited.inherited_from);
        self.found.push(listed);
        self.own_weights = self.weights.replace(inherited);
    }

    /// The release's own licence of the weights, before lineage.
    pub fn own_weights(&self) -> Option<&Resolved> {
        match &self.weights {
            Some(w) if w.inherited_from.is_some() => self.own_weights.as_ref(),
            other => other.as_ref(),
        }
    }
}

/// The first file of `scope` (licence texts before notices, root files before ones one
/// directory down) satisfying `keep`.
fn pick(
    files: &[FileLicence],
    scope: Scope,
    keep: impl Fn(&Resolved) -> bool,
) -> Option<&FileLicence> {
    files
        .iter()
        .filter(|f| f.scope == scope && keep(&f.resolved))
        .min_by_key(|f| (f.resolved.from_notice, !f.at_root()))
}

pub(crate) fn resolve(scan: &Scan, root: &str) -> Licensing {
    let mut out = Licensing::default();
    let mut files: Vec<FileLicence> = Vec::new();
    for lf in &scan.licences {
        let scope = Scope::of(&lf.path);
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
        if scope == Scope::UsePolicy {
            out.use_policy = Some(file_evidence(None));
        } else if lf.facts.notice {
            out.notices.push((
                file_evidence(None),
                lf.facts.licence.as_ref().map(|l| l.id.clone()),
            ));
        } else {
            out.has_file = true;
        }
        let Some(id) = &lf.facts.licence else {
            continue;
        };
        let mut resolved = Resolved::new(&id.id, file_evidence(None), !restrictions.is_empty());
        resolved.from_notice = lf.facts.notice;
        out.found.push(LicenceFinding {
            id: id.id.clone(),
            name: id.name.clone(),
            scope: scope.as_str().to_owned(),
            osi_approved: resolved.osi(),
            fsf_libre: resolved.info.fsf_libre,
            open_data: resolved.info.open_data,
            restrictive: resolved.restrictive,
            restrictions,
            evidence: file_evidence(None),
            notice: lf.facts.notice,
            inherited_from: None,
        });
        if scope != Scope::UsePolicy {
            files.push(FileLicence {
                path: lf.path.clone(),
                scope,
                resolved,
            });
        }
    }
    if out.has_file {
        out.notices.clear();
    }
    out.card = card_licence(scan, root, &mut out.found);

    let model_file = pick(&files, Scope::Weights, |_| true)
        .or_else(|| pick(&files, Scope::Distribution, |r| !r.is_software()))
        .map(|f| f.resolved.clone());
    let distribution_file = pick(&files, Scope::Distribution, |_| true).map(|f| f.resolved.clone());
    let card_model = out.card.clone().filter(|c| !c.is_software());
    let linked = linked_file(scan, &files);

    // L3: a model licence file, the licence the card names for the weights (or the file its
    // `license_link` points to), the release's licence, the card.
    out.weights = model_file
        .clone()
        .or_else(|| card_model.as_ref().and(linked.clone()))
        .or_else(|| card_model.clone())
        .or_else(|| distribution_file.clone())
        .or_else(|| out.card.clone());
    // L4 and L5.
    out.code = pick(&files, Scope::Code, |_| true)
        .map(|f| f.resolved.clone())
        .or_else(|| distribution_file.clone())
        .or_else(|| out.card.clone());
    out.distribution = distribution_file
        .clone()
        .or_else(|| out.card.clone())
        .or_else(|| out.weights.clone());
    // L7: like with like.
    out.comparable_file = if card_model.is_some() || model_file.is_some() {
        model_file.or(linked)
    } else {
        distribution_file
    };
    if out.use_policy.is_some()
        && let Some(w) = out.weights.as_mut()
    {
        w.restrictive = true;
        w.open = false;
    }
    out
}

/// The card's `license` (its `license_name` for `other`), recorded among the licences found.
fn card_licence(scan: &Scan, root: &str, found: &mut Vec<LicenceFinding>) -> Option<Resolved> {
    let sc = scan.card.as_ref()?;
    let meta = &sc.card.meta;
    let id = match meta.license.as_deref() {
        Some("other") => meta.license_name.clone().or(Some("other".to_owned())),
        other => other.map(str::to_owned),
    }
    .filter(|s| !s.trim().is_empty())?;
    let evidence = Evidence::File {
        root: root.to_owned(),
        path: sc.path.clone(),
        line: meta.lines.get("license").copied(),
    };
    let resolved = Resolved::new(&id, evidence, false);
    found.push(listed(&resolved, "card"));
    Some(resolved)
}

/// A licence that no file of the release holds (the card's, or a base's under G3), as listed
/// among the licences found.
fn listed(resolved: &Resolved, scope: &str) -> LicenceFinding {
    LicenceFinding {
        id: resolved.id.clone(),
        name: resolved.id.clone(),
        scope: scope.to_owned(),
        osi_approved: resolved.osi(),
        fsf_libre: resolved.info.fsf_libre,
        open_data: resolved.info.open_data,
        restrictive: resolved.restrictive,
        restrictions: Vec::new(),
        evidence: resolved.evidence.clone(),
        notice: false,
        inherited_from: None,
    }
}

/// The licence file of the release that the card's `license_link` points to (`LICENSE`,
/// `./LICENSE.md`, or a Hub URL ending in `/blob/main/LICENSE` or `/resolve/main/LICENSE`).
fn linked_file(scan: &Scan, files: &[FileLicence]) -> Option<Resolved> {
    let link = scan
        .card
        .as_ref()?
        .card
        .meta
        .license_link
        .as_deref()?
        .trim();
    let path = ["/blob/", "/resolve/"]
        .iter()
        .find_map(|marker| {
            let (_, rest) = link.split_once(marker)?;
            rest.split_once('/').map(|(_, path)| path)
        })
        .unwrap_or(link)
        .trim_start_matches("./");
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.resolved.clone())
}

/// Two licence ids name the same licence (L8): compared as lower-case letters and digits,
/// without a trailing "license", "licence", "license agreement" or "terms of use", through the
/// aliases; a family without its version matches any version.
pub(crate) fn same_licence(a: &str, b: &str) -> bool {
    let (a, b) = (canonical_name(a), canonical_name(b));
    a == b || family_of(&a, &b) || family_of(&b, &a)
}

/// Names of the same licence, in canonical form, canonical name last.
const ALIASES: &[(&str, &str)] = &[
    ("qwen", "tongyiqianwen"),
    ("qwenresearch", "tongyiqianwenresearch"),
    ("mrl", "mistralresearch"),
    ("mnpl", "mistralnonproduction"),
    ("applesamplecode", "appleascl"),
    // SPDX's Apple MIT License is the text Apple ships as its sample code licence.
    ("aml", "appleascl"),
];

/// Ids identified without their version (`llama`, `openrail`) and the prefix of their versions.
const FAMILIES: &[(&str, &str)] = &[("llama", "llama"), ("openrail", "openrail")];

fn canonical_name(id: &str) -> String {
    let mut s: String = id
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    for suffix in [
        "licenseagreement",
        "licenceagreement",
        "termsofuse",
        "license",
        "licence",
        "agreement",
    ] {
        if s.len() > suffix.len()
            && let Some(stripped) = s.strip_suffix(suffix)
        {
            s = stripped.to_owned();
            break;
        }
    }
    if let Some(spdx) = canonical_spdx(id) {
        s = spdx
            .to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
    }
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == s)
        .map_or(s, |(_, canonical)| (*canonical).to_owned())
}

fn family_of(family: &str, member: &str) -> bool {
    FAMILIES
        .iter()
        .any(|(f, prefix)| family == *f && member.contains(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_licence_names() {
        for (a, b) in [
            ("apache-2.0", "Apache-2.0"),
            ("mnpl", "mistral-non-production"),
            ("mrl", "mistral-research"),
            ("qwen-research", "tongyi-qianwen-research"),
            ("tongyi-qianwen-license-agreement", "tongyi-qianwen"),
            ("apple-sample-code-license", "apple-ascl"),
            ("AML", "apple-sample-code-license"),
            ("microsoft-research-license", "microsoft-research"),
            ("llama3_1", "llama3.1"),
            ("llama", "llama3.1"),
            ("openrail", "creativeml-openrail-m"),
            ("gemma", "gemma"),
        ] {
            assert!(same_licence(a, b), "{a} = {b}");
        }
        for (a, b) in [
            ("apache-2.0", "MIT"),
            ("llama3", "llama3.1"),
            ("qwen", "qwen-research"),
            ("gemma", "llama3"),
        ] {
            assert!(!same_licence(a, b), "{a} != {b}");
        }
    }
}
