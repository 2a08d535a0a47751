//! From inspector facts to MOF's 17 components, each with its state, licence and evidence.
//!
//! A file in the release makes a component *present*; a URL in the card or its metadata makes
//! it *linked* (counted toward MOF as MOT counts a declaration, but shown as unverified); a
//! component only the MOF manifest mentions is *declared-unverified* and does not count.

mod prose;

use std::collections::BTreeMap;

use crate::inspect::{CodeRole, LinkKind, Section, SectionKind};
use crate::licensing::{Licensing, Resolved};
use crate::model::{ComponentAssessment, ComponentState, DataGrade, DataInformation, Evidence};
use crate::mof::{Component, ContentType, MofManifest};
use crate::scan::Scan;

/// Sections shorter than this (in words) are headings without content.
const SECTION_MIN_WORDS: usize = 20;

#[derive(Default)]
struct Found {
    state: Option<ComponentState>,
    evidence: Vec<Evidence>,
}

/// Collects evidence per component; a stronger state (present over linked) wins.
#[derive(Default)]
struct Collector {
    found: BTreeMap<Component, Found>,
}

/// Evidence kept per component: enough to check, not a listing of every shard.
const EVIDENCE_PER_COMPONENT: usize = 8;

impl Collector {
    fn add(&mut self, c: Component, state: ComponentState, evidence: Evidence) {
        let entry = self.found.entry(c).or_default();
        if entry.state.is_none_or(|s| state < s) {
            entry.state = Some(state);
        }
        if entry.evidence.len() < EVIDENCE_PER_COMPONENT && !entry.evidence.contains(&evidence) {
            entry.evidence.push(evidence);
        }
    }
}

/// What a linked code repository holds, decided once by the most specific statement (A8, R4):
/// what its own line says (R4), else the heading it sits under, else the default for a bare
/// code link, inference code and supporting libraries. A link whose line says "trained using"
/// is training code only: the default roles are what a link is taken to hold when nothing
/// says otherwise, not additions to what is said.
fn code_link_roles(context: &str, section: Option<SectionKind>) -> Vec<Component> {
    let said = prose::code_roles_said(context);
    if !said.is_empty() {
        return said;
    }
    match section {
        Some(SectionKind::TrainingProcedure) => vec![Component::TrainingCode],
        Some(SectionKind::Evaluation) => vec![Component::EvaluationCode],
        Some(SectionKind::TrainingData | SectionKind::DataCollection) => {
            vec![Component::DataPreprocessingCode]
        }
        _ => vec![Component::InferenceCode, Component::SupportingLibraries],
    }
}

/// The section a line of the card falls in (the last heading at or above it).
fn section_at(sections: &[Section], line: usize) -> Option<SectionKind> {
    sections
        .iter()
        .take_while(|s| s.line <= line)
        .last()
        .map(|s| s.kind)
}

fn code_component(role: CodeRole) -> Component {
    match role {
        CodeRole::Training => Component::TrainingCode,
        CodeRole::Inference => Component::InferenceCode,
        CodeRole::Evaluation => Component::EvaluationCode,
        CodeRole::DataProcessing => Component::DataPreprocessingCode,
        CodeRole::ModelArchitecture => Component::ModelArchitecture,
        CodeRole::SupportingLibrary => Component::SupportingLibraries,
    }
}

/// A data file under an evaluation-looking directory is evaluation data.
fn is_eval_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower
        .split('/')
        .rev()
        .skip(1)
        .any(|d| d.starts_with("eval") || d == "test" || d == "validation" || d == "benchmark")
}

fn collect(scan: &Scan, refs: &[String], root: &str) -> Collector {
    use ComponentState::{Linked, Present};
    let mut col = Collector::default();
    let file = |path: &str, line: Option<usize>| Evidence::File {
        root: root.to_owned(),
        path: path.to_owned(),
        line,
    };

    if let Some(sc) = &scan.card {
        let card = &sc.card;
        let meta = &card.meta;
        let has_content =
            !card.sections.is_empty() || meta.raw.as_object().is_some_and(|o| !o.is_empty());
        if has_content {
            col.add(Component::ModelCard, Present, file(&sc.path, None));
        }
        for s in &card.sections {
            if s.words < SECTION_MIN_WORDS {
                continue;
            }
            // The data card is decided by the data information grade (A4, `set_data_card`).
            if s.kind == SectionKind::Evaluation {
                col.add(
                    Component::EvaluationResults,
                    Present,
                    file(&sc.path, Some(s.line)),
                );
            }
        }
        if meta.has_model_index {
            col.add(
                Component::EvaluationResults,
                Present,
                file(&sc.path, meta.model_index_line),
            );
        }
        let url = |url: String, line: Option<usize>| Evidence::Url {
            url,
            path: Some(sc.path.clone()),
            line,
        };
        for d in &meta.datasets {
            let ev = url(
                format!("https://huggingface.co/datasets/{d}"),
                meta.lines.get("datasets").copied(),
            );
            col.add(Component::Datasets, Linked, ev);
        }
        for d in model_index_datasets(&meta.raw) {
            let ev = url(
                format!("https://huggingface.co/datasets/{d}"),
                meta.model_index_line,
            );
            col.add(Component::EvaluationData, Linked, ev);
        }
        for link in &card.links {
            let section = section_at(&card.sections, link.line);
            let ev = url(link.url.clone(), Some(link.line));
            if prose::is_harness(&link.url) {
                col.add(Component::EvaluationCode, Linked, ev.clone());
            }
            match link.kind {
                LinkKind::Arxiv | LinkKind::Doi | LinkKind::Pdf | LinkKind::Paper => {
                    let named_report = ["technical report", "tech report", "technical-report"]
                        .iter()
                        .any(|w| link.context.contains(w));
                    let c = if named_report {
                        Component::TechnicalReport
                    } else {
                        Component::ResearchPaper
                    };
                    col.add(c, Linked, ev);
                }
                LinkKind::CodeRepo => {
                    for c in code_link_roles(&link.context, section) {
                        col.add(c, Linked, ev.clone());
                    }
                }
                LinkKind::HfDataset => {
                    let c = if section == Some(SectionKind::Evaluation) {
                        Component::EvaluationData
                    } else {
                        Component::Datasets
                    };
                    col.add(c, Linked, ev);
                }
                LinkKind::HfModel | LinkKind::Other => {}
            }
        }
        let at = |line: usize| file(&sc.path, Some(line));
        if let Some(line) = prose::benchmark_line(&sc.text, &card.sections, card.body_start_line) {
            col.add(Component::EvaluationData, Linked, at(line));
        }
        if let Some(line) = prose::usage_snippet_line(&sc.text) {
            col.add(Component::InferenceCode, Present, at(line));
        }
        if let Some(line) = prose::revision_line(&sc.text) {
            col.add(Component::ModelParametersIntermediate, Linked, at(line));
        }
    }
    for path in &scan.revision_lists {
        col.add(
            Component::ModelParametersIntermediate,
            Linked,
            file(path, None),
        );
    }
    for name in refs.iter().filter(|r| crate::inspect::is_checkpoint_dir(r)) {
        col.add(
            Component::ModelParametersIntermediate,
            Present,
            Evidence::Revision { name: name.clone() },
        );
    }
    for w in &scan.weights {
        if w.facts.truncated || w.facts.error.is_some() {
            continue;
        }
        let c = if w.intermediate {
            Component::ModelParametersIntermediate
        } else {
            Component::ModelParametersFinal
        };
        col.add(c, Present, file(&w.file.path, None));
        if !w.intermediate && w.facts.metadata.contains_key("general.architecture") {
            col.add(
                Component::ModelArchitecture,
                Present,
                file(&w.file.path, None),
            );
        }
    }
    if let Some((path, config)) = &scan.config
        && (!config.architectures.is_empty() || config.model_type.is_some())
    {
        col.add(Component::ModelArchitecture, Present, file(path, None));
    }
    for (path, roles) in &scan.code {
        for role in roles {
            col.add(code_component(*role), Present, file(path, None));
        }
    }
    for path in &scan.metadata_files {
        col.add(Component::ModelMetadata, Present, file(path, None));
    }
    for path in &scan.papers {
        let c = if path.to_ascii_lowercase().contains("report") {
            Component::TechnicalReport
        } else {
            Component::ResearchPaper
        };
        col.add(c, Present, file(path, None));
    }
    for path in &scan.eval_results {
        col.add(Component::EvaluationResults, Present, file(path, None));
    }
    for path in &scan.sample_outputs {
        col.add(Component::SampleModelOutputs, Present, file(path, None));
    }
    for path in &scan.data_files {
        let c = if is_eval_path(path) {
            Component::EvaluationData
        } else {
            Component::Datasets
        };
        col.add(c, Present, file(path, None));
    }
    col
}

/// `model-index[].results[].dataset.type`: the datasets a model was evaluated on.
fn model_index_datasets(raw: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let entries = raw
        .get("model-index")
        .and_then(|v| v.as_array())
        .map(Vec::as_slice)
        .unwrap_or_default();
    for entry in entries {
        let results = entry
            .get("results")
            .and_then(|v| v.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default();
        for r in results {
            if let Some(t) = r.pointer("/dataset/type").and_then(|v| v.as_str())
                && !out.iter().any(|o| o == t)
                && out.len() < EVIDENCE_PER_COMPONENT
            {
                out.push(t.to_owned());
            }
        }
    }
    out
}

/// A4: the data card is present when the release's own description of its data has grade
/// open or partial and comes from a data section of the card or a data card file; linked when
/// the named sources are only links or metadata; absent when the grade is closed.
pub(crate) fn set_data_card(
    components: &mut [ComponentAssessment],
    info: &DataInformation,
    scan: &Scan,
    licensing: &Licensing,
    root: &str,
) {
    let Some(card) = components
        .iter_mut()
        .find(|c| c.component == Component::DataCard)
    else {
        return;
    };
    if info.own_grade == DataGrade::Closed || card.state == ComponentState::Present {
        return;
    }
    let documented = scan.data_cards.first().map(|p| Evidence::File {
        root: root.to_owned(),
        path: p.clone(),
        line: None,
    });
    let section = scan.card.as_ref().and_then(|sc| {
        let line = info
            .sources
            .iter()
            .chain(&info.sizes)
            .chain(&info.collection)
            .find_map(|s| match &s.evidence {
                Evidence::File {
                    path,
                    line: Some(l),
                    ..
                } if *path == sc.path => Some(*l),
                _ => None,
            })?;
        Some(Evidence::File {
            root: root.to_owned(),
            path: sc.path.clone(),
            line: Some(line),
        })
    });
    let (state, evidence) = match documented.or(section) {
        Some(e) => (ComponentState::Present, vec![e]),
        None => (
            ComponentState::Linked,
            info.sources
                .iter()
                .take(EVIDENCE_PER_COMPONENT)
                .map(|s| s.evidence.clone())
                .collect(),
        ),
    };
    card.state = state;
    card.evidence = evidence;
    card.licence = licence_for(Component::DataCard, licensing).map(|r| r.id.clone());
}

/// The licence that applies to a component found in the release.
pub(crate) fn licence_for(c: Component, licensing: &Licensing) -> Option<&Resolved> {
    match c.content_type() {
        ContentType::Code => licensing.code.as_ref(),
        ContentType::Data => licensing.weights.as_ref(),
        ContentType::Document => licensing.distribution.as_ref(),
    }
}

/// Every one of the 17 components, with state, licence and evidence.
pub(crate) fn map_components(
    scan: &Scan,
    licensing: &Licensing,
    manifest: Option<&MofManifest>,
    refs: &[String],
    root: &str,
) -> Vec<ComponentAssessment> {
    let mut col = collect(scan, refs, root);
    if let Some(m) = manifest {
        for d in &m.components {
            let entry = col.found.entry(d.component).or_default();
            if entry.state.is_none() {
                entry.state = Some(ComponentState::DeclaredUnverified);
                entry.evidence.push(Evidence::Manifest {
                    component_path: d.path.clone(),
                });
            }
        }
    }
    Component::ALL
        .into_iter()
        .map(|c| {
            let found = col.found.remove(&c).unwrap_or_default();
            let state = found.state.unwrap_or(ComponentState::Absent);
            let licence = if state.counts() {
                licence_for(c, licensing).map(|r| r.id.clone())
            } else {
                None
            };
            ComponentAssessment {
                component: c,
                name: c.name().to_owned(),
                state,
                licence,
                evidence: found.evidence,
                rule: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_link_says_it_holds_replaces_the_default_roles() {
        // R4 first: a framework linked as "trained using" is training code, not also a library.
        assert_eq!(
            code_link_roles(
                "a transformer model trained using ben wang's [mesh transformer jax](",
                None
            ),
            vec![Component::TrainingCode]
        );
        // Then the heading (A8).
        assert_eq!(
            code_link_roles("[repo](", Some(SectionKind::Evaluation)),
            vec![Component::EvaluationCode]
        );
        // Only a bare link elsewhere gets the default roles.
        assert_eq!(
            code_link_roles("[github repo](", None),
            vec![Component::InferenceCode, Component::SupportingLibraries]
        );
    }
}
