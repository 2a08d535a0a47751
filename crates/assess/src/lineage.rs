//! Lineage (definition G1-G6): the base models a release derives from, how each is resolved,
//! and what flows down from them.
//!
//! The bases are those the card's `base_model` names, the base of a PEFT adapter and the models
//! of a merge configuration (G1). Each is resolved from its assessment on the same hub, else
//! from the knowledge file of base families, else it stays unknown (G2). A base whose licence
//! binds derivatives governs the release's weights whatever the release's own card and files
//! say (G3); for a merge, any such base does (G4). A base's undisclosed training data is the
//! derivative's too (G5).

use crate::finding_id::FindingId;
use crate::findings::Findings;
use crate::knowledge::{FamilyMatch, Knowledge};
use crate::licensing::{Licensing, Resolved};
use crate::model::{Assessment, DataGrade, DataInformation, Evidence, Tier};
use crate::mof::Component;
use crate::scan::Scan;

/// The most bases judged for one release; the rest are ignored.
const BASES_MAX: usize = 8;

/// How a base was resolved (G2).
pub(crate) enum Resolution<'k> {
    /// Its assessment on the same hub, and the link to the base there.
    Hub(Box<Assessment>, String),
    /// A family of the knowledge file.
    Family(FamilyMatch<'k>),
    /// Neither: inheritance is not verified (OW014).
    Unknown,
}

/// One base model of the release.
pub(crate) struct Base<'k> {
    pub id: String,
    /// Where the release names it: the card's `base_model` line, the adapter configuration or
    /// the merge configuration (G6).
    pub named_by: Evidence,
    pub resolution: Resolution<'k>,
}

impl Base<'_> {
    /// The base's licence binds derivatives (G3): its knowledge entry says so, or the hub
    /// judged it restricted (or without weights to license).
    pub fn flows_down(&self) -> bool {
        match &self.resolution {
            Resolution::Hub(a, _) => matches!(a.tier, Tier::RestrictedWeights | Tier::Closed),
            Resolution::Family(m) => m.family.flows_down,
            Resolution::Unknown => false,
        }
    }

    /// The licence id of the base's weights, when known.
    pub fn licence(&self) -> Option<String> {
        match &self.resolution {
            Resolution::Hub(a, _) => a
                .component(Component::ModelParametersFinal)
                .and_then(|c| c.licence.clone()),
            Resolution::Family(m) => Some(m.family.licence.clone()),
            Resolution::Unknown => None,
        }
    }

    /// The base's data information grade, when known: the grade its hub assessment records
    /// (after its own lineage); an assessment made before the grade was recorded counts its data
    /// as closed when it raised OW005 or evidences no datasets, and as partial otherwise.
    pub fn data(&self) -> Option<DataGrade> {
        match &self.resolution {
            Resolution::Hub(a, _) if a.data_information.is_some() => {
                a.data_information.as_ref().map(|d| d.grade)
            }
            Resolution::Hub(a, _) => {
                let undisclosed = a.has_finding(FindingId::UndisclosedTrainingData)
                    || a.component(Component::Datasets)
                        .is_none_or(|c| !c.state.counts());
                Some(if undisclosed {
                    DataGrade::Closed
                } else {
                    DataGrade::Partial
                })
            }
            Resolution::Family(m) => Some(m.family.data),
            Resolution::Unknown => None,
        }
    }

    /// The evidence of a judgment drawn from this base: where it is named, then where it was
    /// resolved (G6, K3).
    pub fn evidence(&self, knowledge: &Knowledge) -> Vec<Evidence> {
        let mut out = vec![self.named_by.clone()];
        match &self.resolution {
            Resolution::Hub(_, url) => out.push(Evidence::Url {
                url: url.clone(),
                path: None,
                line: None,
            }),
            Resolution::Family(m) => out.push(Evidence::Knowledge {
                family: m.family.id.clone(),
                name: m.family.name.clone(),
                version: knowledge.version.clone(),
                licence: m.family.licence.clone(),
                flows_down: m.family.flows_down,
                data: m.family.data,
                source: m.family.source.clone(),
                checked: m.family.checked.clone(),
            }),
            Resolution::Unknown => {}
        }
        out
    }

    /// How the base was resolved, for messages.
    pub fn described(&self) -> String {
        match &self.resolution {
            Resolution::Hub(a, _) => {
                format!("`{}` (assessed on this hub: {})", self.id, a.tier.as_str())
            }
            Resolution::Family(m) => format!(
                "`{}` (knowledge file family `{}`, {}, under `{}`)",
                self.id, m.family.id, m.family.name, m.family.licence
            ),
            Resolution::Unknown => format!("`{}`", self.id),
        }
    }
}

/// The bases of a release, resolved.
pub(crate) struct Lineage<'k> {
    /// `base_model_relation`, or what the files say (`adapter`, `merge`), when known.
    pub relation: Option<String>,
    pub bases: Vec<Base<'k>>,
}

/// The bases the release names (G1), each once, in the order card, adapter, merge.
fn declared(scan: &Scan, root: &str) -> Vec<(String, Evidence)> {
    let file = |path: &str, line: Option<usize>| Evidence::File {
        root: root.to_owned(),
        path: path.to_owned(),
        line,
    };
    let mut out: Vec<(String, Evidence)> = Vec::new();
    let mut add = |id: &str, evidence: Evidence| {
        let id = id.trim();
        if !id.is_empty()
            && out.len() < BASES_MAX
            && !out.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(id))
        {
            out.push((id.to_owned(), evidence));
        }
    };
    if let Some(sc) = &scan.card {
        let line = sc.card.meta.lines.get("base_model").copied();
        for base in &sc.card.meta.base_model {
            add(base, file(&sc.path, line));
        }
    }
    if let Some((path, base)) = &scan.adapter_base {
        add(base, file(path, None));
    }
    if let Some((path, models)) = &scan.merge_models {
        for (line, model) in models {
            add(model, file(path, Some(*line)));
        }
    }
    out
}

fn relation(scan: &Scan) -> Option<String> {
    let declared = scan.card.as_ref().and_then(|c| {
        c.card
            .meta
            .raw
            .get("base_model_relation")
            .and_then(|v| v.as_str())
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty() && s.len() <= 32)
    });
    declared.or_else(|| {
        if scan.merge_models.is_some() {
            Some("merge".to_owned())
        } else if scan.adapter_base.is_some() {
            Some("adapter".to_owned())
        } else {
            None
        }
    })
}

/// Resolves the bases the release names (G1, G2): on the hub first, then in the knowledge file.
pub(crate) fn resolve<'k>(
    scan: &Scan,
    root: &str,
    opts: &crate::AssessOptions<'_>,
    knowledge: &'k Knowledge,
) -> Lineage<'k> {
    let bases = declared(scan, root)
        .into_iter()
        .map(|(id, named_by)| {
            let resolution = match (opts.base_models)(&id) {
                Some(a) => {
                    let url = format!("{}/{id}", opts.base_models_url.trim_end_matches('/'));
                    Resolution::Hub(Box::new(a), url)
                }
                None => knowledge
                    .lookup(&id)
                    .map_or(Resolution::Unknown, Resolution::Family),
            };
            Base {
                id,
                named_by,
                resolution,
            }
        })
        .collect();
    Lineage {
        relation: relation(scan),
        bases,
    }
}

impl Lineage<'_> {
    /// The first base whose terms flow down (G3, G4: any one is enough).
    pub fn flowing_down(&self) -> Option<&Base<'_>> {
        self.bases.iter().find(|b| b.flows_down())
    }

    /// G5: the grade after lineage is the lower of the release's own and its bases'; the rule
    /// says so when a base lowered it.
    pub fn lower_data(&self, data: &mut DataInformation) {
        let lowest = self.bases.iter().filter_map(Base::data).max();
        if let Some(base) = lowest
            && base > data.grade
        {
            data.grade = base;
            data.rule = "G5".to_owned();
        }
    }

    /// G3: a base's licence that binds derivatives governs the release's weights. The
    /// release's own licence is kept for the split-licence finding (OW004), which is about
    /// the release's own files.
    pub fn apply(&self, licensing: &mut Licensing, knowledge: &Knowledge) {
        let Some(base) = self.flowing_down() else {
            return;
        };
        let id = base.licence().unwrap_or_else(|| "other".to_owned());
        let evidence = base
            .evidence(knowledge)
            .pop()
            .unwrap_or_else(|| base.named_by.clone());
        licensing.inherit_weights(Resolved::inherited(&id, evidence, &base.id));
    }
}

/// What the bases say about the release (G2, G3, G5): OW014 for a base neither on the hub nor
/// in the knowledge file, OW006 for a base whose terms flow down, OW007 for a base whose data
/// is closed. Each cites where the release names the base and where it was resolved.
pub(crate) fn findings(out: &mut Findings, lineage: &Lineage<'_>, knowledge: &Knowledge) {
    let what = match lineage.relation.as_deref() {
        Some("adapter") => "adapter",
        Some("quantized") => "quantization",
        Some("merge") => "merge",
        _ => "derivative",
    };
    for base in &lineage.bases {
        let evidence = base.evidence(knowledge);
        if matches!(base.resolution, Resolution::Unknown) {
            out.raise(
                FindingId::BaseModelUnassessed,
                format!(
                    "Base model `{}` is neither on this hub nor in the knowledge file of base families: what this {what} inherits is not verified.",
                    base.id
                ),
                evidence,
            );
            continue;
        }
        if base.flows_down() {
            out.raise(
                FindingId::BaseModelRestricted,
                format!(
                    "Base model {} binds derivatives: this {what}'s weights are governed by `{}` whatever its card or licence files say.",
                    base.described(),
                    base.licence().unwrap_or_else(|| "its licence".to_owned())
                ),
                evidence.clone(),
            );
        }
        if base.data() == Some(DataGrade::Closed) {
            out.raise(
                FindingId::BaseModelUndisclosedData,
                format!(
                    "Base model {} does not disclose its training data (grade closed): neither does this {what}.",
                    base.described()
                ),
                evidence,
            );
        }
    }
}
