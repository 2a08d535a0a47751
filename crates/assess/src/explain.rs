//! Rule ids on every judgment, so a publisher can see which rule of
//! `docs/openness/definition.md` decided it (and dispute that one).
//!
//! The judgments are made elsewhere; a judgment that already names its rule keeps it. For the
//! rest, the rule follows from what was judged: a finding's id has one rule in the definition's
//! table, a component's rule follows from its state and kind, the tier's from the tier reached.

use crate::finding_id::FindingId;
use crate::model::{Assessment, ComponentAssessment, ComponentState, Evidence, Tier};
use crate::mof::Component;

/// The rule that makes a component present, linked, declared or absent.
fn component_rule(c: &ComponentAssessment) -> &'static str {
    match c.state {
        ComponentState::Absent => return "A1",
        ComponentState::DeclaredUnverified => return "M3",
        ComponentState::Present | ComponentState::Linked => {}
    }
    match c.component {
        Component::ModelArchitecture => "A3",
        Component::ModelParametersFinal => "T1",
        Component::ModelParametersIntermediate => {
            // A checkpoint published as a branch or tag is cited by its revision, not a file.
            if c.evidence
                .iter()
                .all(|e| !matches!(e, Evidence::File { .. }))
            {
                "R1"
            } else {
                "A1"
            }
        }
        Component::DataCard => "A4",
        Component::Datasets => "A5",
        Component::ResearchPaper => "A6",
        Component::TechnicalReport => {
            let named_report = c.evidence.iter().any(|e| match e {
                Evidence::File { path, .. } => path.to_ascii_lowercase().contains("report"),
                Evidence::Url { url, .. } => url.to_ascii_lowercase().contains("report"),
                _ => false,
            });
            if named_report { "A6" } else { "R3" }
        }
        Component::EvaluationResults | Component::EvaluationData => "A7",
        Component::TrainingCode
        | Component::InferenceCode
        | Component::EvaluationCode
        | Component::DataPreprocessingCode
        | Component::SupportingLibraries => "A8",
        Component::ModelCard | Component::ModelMetadata | Component::SampleModelOutputs => "A1",
    }
}

/// The rule that decided the tier.
fn tier_rule(a: &Assessment) -> Option<&'static str> {
    Some(match a.tier {
        Tier::Closed => "T1",
        Tier::RestrictedWeights => {
            if a.has_finding(FindingId::BaseModelRestricted) {
                "G3"
            } else {
                "T2"
            }
        }
        Tier::OpenWeights => "T3",
        Tier::OpenModel => "T4",
        Tier::OpenTooling => "T5",
        Tier::OpenScience => "T6",
        Tier::NotApplicable => return None,
    })
}

/// Fills in the rule of every judgment that does not name one yet.
pub(crate) fn annotate(a: &mut Assessment) {
    for c in &mut a.components {
        if c.rule.is_none() {
            c.rule = Some(component_rule(c).to_owned());
        }
    }
    for f in &mut a.findings {
        if f.rule.is_none() {
            f.rule = Some(f.id.rule().to_owned());
        }
    }
    if a.tier_rule.is_none() {
        a.tier_rule = tier_rule(a).map(str::to_owned);
    }
}
