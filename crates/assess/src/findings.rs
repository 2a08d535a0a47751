//! Open-washing and safety findings, each with a stable id (see `docs/openness/definition.md`).

use crate::finding_id::FindingId;
use crate::inspect::WeightFormat;
use crate::licensing::Licensing;
use crate::model::{
    ComponentAssessment, ComponentState, DataGrade, DataInformation, Evidence, Finding,
    OsaidVerdict, Severity,
};
use crate::scan::{Scan, ScannedCard};

/// Builds findings with the catalogue's slug and default severity.
#[derive(Default)]
pub(crate) struct Findings {
    pub list: Vec<Finding>,
}

impl Findings {
    pub fn raise(&mut self, id: FindingId, message: String, evidence: Vec<Evidence>) {
        self.raise_with(id, None, message, evidence);
    }

    pub fn raise_with(
        &mut self,
        id: FindingId,
        severity: Option<Severity>,
        message: String,
        evidence: Vec<Evidence>,
    ) {
        self.list.push(Finding {
            id,
            slug: id.slug().to_owned(),
            severity: severity.unwrap_or(id.default_severity()),
            message,
            evidence,
            rule: None,
        });
    }
}

/// Findings about licences and claims; shared by models and datasets.
pub(crate) fn licence_findings(
    out: &mut Findings,
    scan: &Scan,
    licensing: &Licensing,
    root: &str,
    is_dataset: bool,
) {
    let card_path = scan.card.as_ref().map(|c| c.path.clone());
    if let Some(sc) = &scan.card {
        if let Some(err) = &sc.card.front_matter_error {
            out.raise(
                FindingId::CardMetadataInvalid,
                format!("The card's YAML front matter could not be read: {err}"),
                vec![Evidence::File {
                    root: root.to_owned(),
                    path: sc.path.clone(),
                    line: Some(1),
                }],
            );
        }
        let governing = if is_dataset {
            licensing.distribution.as_ref()
        } else {
            licensing.weights.as_ref()
        };
        let open = governing.is_some_and(|r| (r.osi() && !r.restrictive) || (r.open && is_dataset));
        if !sc.claims.is_empty() && !open {
            let what = governing.map_or("no licence".to_owned(), |r| format!("`{}`", r.id));
            let (quote, mut evidence) = claim_evidence(sc, root);
            evidence.extend(governing.map(|r| r.evidence.clone()));
            out.raise(
                FindingId::OpenSourceClaimNonOsi,
                format!(
                    "The card calls the release open source (\"{quote}\") but it is under {what}, which is not OSI-approved."
                ),
                evidence,
            );
        }
    }
    if let (Some(card), Some(file)) = (&licensing.card, &licensing.comparable_file)
        && card.id != "other"
        && !crate::licensing::same_licence(&card.id, &file.id)
    {
        out.raise(
            FindingId::CardLicenceMismatch,
            format!(
                "The card declares `{}` but the licence file that governs the same part of the release is `{}`.",
                card.id, file.id
            ),
            vec![card.evidence.clone(), file.evidence.clone()],
        );
    }
    if !licensing.has_file {
        let severity =
            (licensing.card.is_none() && licensing.notices.is_empty()).then_some(Severity::High);
        let refers: Vec<String> = licensing
            .notices
            .iter()
            .map(|(e, id)| {
                let what = id
                    .as_deref()
                    .map_or("no licence".to_owned(), |i| format!("`{i}`"));
                format!("{} refers to {what}", crate::render::evidence_ref(e))
            })
            .collect();
        let message = match (&licensing.card, refers.is_empty()) {
            (_, false) => format!(
                "No licence text in the release: only notices that refer to terms published elsewhere ({}).",
                refers.join("; ")
            ),
            (Some(c), true) => format!(
                "No licence file (LICENSE, COPYING ...) in the release; only the card names `{}`.",
                c.id
            ),
            (None, true) => {
                "No licence file and no licence in the card: the release grants no rights."
                    .to_owned()
            }
        };
        let mut evidence: Vec<Evidence> = card_path
            .map(|p| Evidence::File {
                root: root.to_owned(),
                path: p,
                line: None,
            })
            .into_iter()
            .collect();
        evidence.extend(licensing.notices.iter().map(|(e, _)| e.clone()));
        out.raise_with(FindingId::NoLicenceFile, severity, message, evidence);
    }
    for l in &licensing.found {
        if l.restrictive && !l.restrictions.is_empty() {
            let kinds: Vec<&str> = l.restrictions.iter().map(|r| r.kind.as_str()).collect();
            let mut kinds_distinct = kinds.clone();
            kinds_distinct.dedup();
            out.raise(
                FindingId::RestrictiveLicenceTerms,
                format!("`{}` restricts use: {}.", l.id, kinds_distinct.join(", ")),
                l.restrictions
                    .iter()
                    .take(8)
                    .map(|r| r.evidence.clone())
                    .collect(),
            );
        }
    }
}

/// The first claim quoted, and up to three claim lines as evidence.
fn claim_evidence<'a>(sc: &'a ScannedCard, root: &str) -> (&'a str, Vec<Evidence>) {
    let quote = sc
        .claims
        .first()
        .map(|(_, q)| q.as_str())
        .unwrap_or_default();
    let evidence = sc
        .claims
        .iter()
        .take(3)
        .map(|(line, _)| Evidence::File {
            root: root.to_owned(),
            path: sc.path.clone(),
            // Line 0: the claim is in the repository's name, not in the card.
            line: (*line > 0).then_some(*line),
        })
        .collect();
    (quote, evidence)
}

/// OW018 (C5): the card claims open source, the weights are under an OSI-approved licence
/// without restrictions (so OW001 does not apply), but the release fails OSAID.
pub(crate) fn claim_fails_osaid(
    out: &mut Findings,
    scan: &Scan,
    licensing: &Licensing,
    osaid: &OsaidVerdict,
    root: &str,
) {
    let Some(sc) = &scan.card else { return };
    let osi_weights = licensing
        .weights
        .as_ref()
        .is_some_and(|w| w.osi() && !w.restrictive);
    if sc.claims.is_empty() || !osi_weights || osaid.pass {
        return;
    }
    let (quote, evidence) = claim_evidence(sc, root);
    out.raise(
        FindingId::OpenSourceClaimFailsOsaid,
        format!(
            "The card calls the release open source (\"{quote}\") but it fails the Open Source AI Definition: {}.",
            osaid.missing.join("; ")
        ),
        evidence,
    );
}

/// Findings about a model release.
pub(crate) fn model_findings(
    out: &mut Findings,
    scan: &Scan,
    licensing: &Licensing,
    components: &[ComponentAssessment],
    data: &DataInformation,
    manifest_declared: bool,
    root: &str,
) {
    let file = |path: &str| Evidence::File {
        root: root.to_owned(),
        path: path.to_owned(),
        line: None,
    };
    if let (Some(code), Some(weights)) = (&licensing.code, licensing.own_weights())
        && code.open
        && !weights.open
        && code.id != weights.id
    {
        out.raise(
            FindingId::SplitLicenceRestrictedWeights,
            format!(
                "Split licence: code under `{}` but the weights under `{}`, which restricts their use.",
                code.id, weights.id
            ),
            vec![code.evidence.clone(), weights.evidence.clone()],
        );
    }
    if data.own_grade == DataGrade::Closed {
        let claims = scan.card.as_ref().is_some_and(|c| !c.claims.is_empty());
        let quoted: Vec<&str> = data
            .generic
            .iter()
            .map(|s| s.quote.as_str())
            .take(2)
            .collect();
        let message = if quoted.is_empty() {
            "The training data is not disclosed: no training source is named (dataset id, link, Croissant or a public corpus).".to_owned()
        } else {
            format!(
                "The training data is not disclosed: no training source is named, only generic statements (\"{}\").",
                quoted.join("\"; \"")
            )
        };
        let mut evidence: Vec<Evidence> = data.generic.iter().map(|s| s.evidence.clone()).collect();
        if evidence.is_empty() {
            evidence.extend(scan.card.iter().map(|c| file(&c.path)));
        }
        out.raise_with(
            FindingId::UndisclosedTrainingData,
            claims.then_some(Severity::High),
            message,
            evidence,
        );
    }
    let final_weights: Vec<_> = scan.weights.iter().filter(|w| !w.intermediate).collect();
    if final_weights.is_empty() {
        let claimed_by = scan
            .config
            .as_ref()
            .map(|(p, _)| file(p))
            .or_else(|| {
                scan.card.as_ref().and_then(|c| {
                    let m = &c.card.meta;
                    (m.library_name.is_some() || m.pipeline_tag.is_some()).then(|| Evidence::File {
                        root: root.to_owned(),
                        path: c.path.clone(),
                        line: m
                            .lines
                            .get("library_name")
                            .or_else(|| m.lines.get("pipeline_tag"))
                            .copied(),
                    })
                })
            })
            .or_else(|| {
                manifest_declared.then_some(Evidence::Manifest {
                    component_path: None,
                })
            });
        if let Some(ev) = claimed_by {
            out.raise(
                FindingId::WeightsMissing,
                "The release presents itself as a model (config, card metadata or manifest) but contains no weight files.".to_owned(),
                vec![ev],
            );
        }
    }
    for w in &scan.weights {
        if w.facts.truncated {
            out.raise(
                FindingId::WeightsTruncated,
                format!(
                    "{} is truncated: its header declares more data than the file's {} bytes.",
                    w.file.path, w.file.size
                ),
                vec![file(&w.file.path)],
            );
        } else if let Some(err) = &w.facts.error
            && w.facts.format != WeightFormat::Other
        {
            out.raise(
                FindingId::WeightsUnreadable,
                format!("{} could not be read as weights: {err}", w.file.path),
                vec![file(&w.file.path)],
            );
        }
        if !w.facts.unsafe_imports.is_empty() {
            out.raise(
                FindingId::UnsafeSerialization,
                format!(
                    "{} is a pickle that imports {}: loading it can run code. Publish safetensors instead.",
                    w.file.path,
                    w.facts.unsafe_imports.join(", ")
                ),
                vec![file(&w.file.path)],
            );
        }
    }
    let pointers: Vec<&str> = scan
        .weights
        .iter()
        .filter(|w| w.lfs.is_some())
        .map(|w| w.file.path.as_str())
        .collect();
    if !pointers.is_empty() {
        out.raise(
            FindingId::WeightsNotScanned,
            format!(
                "{} weight file(s) are Git LFS pointers ({}{}): counted as present, but their headers and pickle data were not scanned. Run `git lfs pull`, or assess on the hub that holds the blobs.",
                pointers.len(),
                pointers.iter().take(3).copied().collect::<Vec<_>>().join(", "),
                if pointers.len() > 3 { ", ..." } else { "" }
            ),
            pointers.iter().take(8).map(|p| file(p)).collect(),
        );
    }
    for c in components {
        if c.state == ComponentState::DeclaredUnverified {
            out.raise(
                FindingId::ManifestClaimUnverified,
                format!(
                    "The MOF manifest declares {} but the release has no file or link for it.",
                    c.name
                ),
                c.evidence.clone(),
            );
        }
    }
}
