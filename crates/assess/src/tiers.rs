//! Our tiers, the OSAID 1.0 verdict and the steps to the next tier.
//!
//! Definitions (versioned in `docs/openness/definition.md`):
//! - `closed`: no final weights in the release;
//! - `restricted-weights`: weights present, but their licence is not accepted by MOF or restricts
//!   use, users or field of use;
//! - `open-weights`: weights under an accepted licence, MOF Class III not met;
//! - `open-model` / `open-tooling` / `open-science`: weights under an accepted licence and MOF
//!   Class III / II / I met from the release's own files and links.

use crate::component_map::licence_for;
use crate::finding_id::FindingId;
use crate::licensing::Licensing;
use crate::model::{
    ComponentAssessment, ComponentState, DataGrade, DataInformation, Finding, NextTier,
    OsaidVerdict, Tier,
};
use crate::mof::{Component, MofResult, MofStatus};

fn state(components: &[ComponentAssessment], c: Component) -> ComponentState {
    components
        .iter()
        .find(|a| a.component == c)
        .map_or(ComponentState::Absent, |a| a.state)
}

/// The tier of a model release.
pub(crate) fn model_tier(
    components: &[ComponentAssessment],
    licensing: &Licensing,
    mof: &MofResult,
) -> Tier {
    if state(components, Component::ModelParametersFinal) != ComponentState::Present {
        return Tier::Closed;
    }
    if !licensing.weights.as_ref().is_some_and(|w| w.open) {
        return Tier::RestrictedWeights;
    }
    match mof.class {
        1 => Tier::OpenScience,
        2 => Tier::OpenTooling,
        3 => Tier::OpenModel,
        _ => Tier::OpenWeights,
    }
}

/// OSAID 1.0: data information, code and parameters, each under OSI-approved terms.
pub(crate) fn osaid(
    components: &[ComponentAssessment],
    licensing: &Licensing,
    data: &DataInformation,
) -> OsaidVerdict {
    let mut missing = Vec::new();
    let has = |c: Component| state(components, c).counts();
    if state(components, Component::ModelParametersFinal) != ComponentState::Present {
        missing.push("parameters: no final weights in the release".to_owned());
    } else {
        match &licensing.weights {
            Some(w) if w.osi() && !w.restrictive => {}
            Some(w) => missing.push(format!(
                "parameters: under `{}`, not OSI-approved terms",
                w.id
            )),
            None => missing.push("parameters: no licence".to_owned()),
        }
    }
    // O2: grade open, or partial with a paper or report where the rest is published.
    let paper = has(Component::ResearchPaper) || has(Component::TechnicalReport);
    match data.grade {
        DataGrade::Open => {}
        DataGrade::Partial if paper => {}
        DataGrade::Partial => missing.push(
            "data information: only some training sources are named, and no paper or technical report is published (grade partial)".to_owned(),
        ),
        DataGrade::Closed => missing.push(
            "data information: no training source is named (grade closed)".to_owned(),
        ),
    }
    for c in [
        Component::DataPreprocessingCode,
        Component::TrainingCode,
        Component::EvaluationCode,
        Component::InferenceCode,
    ] {
        if !has(c) {
            missing.push(format!("code: {}", c.name().to_ascii_lowercase()));
        }
    }
    let any_code = components
        .iter()
        .any(|a| a.component.content_type() == crate::mof::ContentType::Code && a.state.counts());
    if any_code && let Some(code) = &licensing.code {
        if !code.osi() {
            missing.push(format!("code: under `{}`, not OSI-approved terms", code.id));
        }
    } else if any_code {
        missing.push("code: no licence".to_owned());
    }
    OsaidVerdict {
        pass: missing.is_empty(),
        missing,
    }
}

/// What to do to reach the tier above `tier`.
pub(crate) fn next_tier(
    tier: Tier,
    mof: &MofResult,
    licensing: &Licensing,
    findings: &[Finding],
) -> Option<NextTier> {
    let next = tier.next()?;
    let mut steps = Vec::new();
    match tier {
        Tier::Closed => steps.push(
            "Publish the final model weights in the release (safetensors preferred).".to_owned(),
        ),
        Tier::RestrictedWeights => {
            if let Some(w) = &licensing.weights
                && let Some(base) = &w.inherited_from
            {
                steps.push(format!(
                    "The weights derive from `{base}`, whose licence `{}` binds derivatives (definition G3): no licence of this release can lift it. Start from a base released under an OSI-approved licence.",
                    w.id
                ));
            }
            let found = licensing
                .weights
                .as_ref()
                .map_or("no licence".to_owned(), |w| format!("`{}`", w.id));
            steps.push(format!(
                "Release the weights under an OSI-approved or open-data licence without use restrictions (now {found}), and add it as a LICENSE file."
            ));
        }
        _ => {
            let class = match next {
                Tier::OpenModel => 3,
                Tier::OpenTooling => 2,
                _ => 1,
            };
            for m in &mof.components {
                if !m.component.required() || m.component.class() < class {
                    continue;
                }
                if m.component == Component::TechnicalReport
                    && mof.components.iter().any(|r| {
                        r.component == Component::ResearchPaper && r.status == MofStatus::Included
                    })
                {
                    continue;
                }
                match m.status {
                    MofStatus::Missing => steps.push(format!(
                        "Add the {} to the release{}.",
                        m.component.name().to_ascii_lowercase(),
                        hint(m.component)
                    )),
                    MofStatus::Invalid | MofStatus::Unlicensed => steps.push(format!(
                        "License the {} under an OSI-approved or open-data licence (now {}).",
                        m.component.name().to_ascii_lowercase(),
                        m.licence
                            .as_deref()
                            .map_or("none".to_owned(), |l| format!("`{l}`"))
                    )),
                    MofStatus::Included | MofStatus::Optional => {}
                }
            }
            if let Some(c) = Component::ALL
                .into_iter()
                .find(|c| c.class() >= class && licence_for(*c, licensing).is_none())
                && steps.is_empty()
            {
                steps.push(format!("Add a licence that covers the {}.", c.name()));
            }
        }
    }
    if findings
        .iter()
        .any(|f| f.id == FindingId::UnsafeSerialization)
    {
        steps
            .push("Replace pickle checkpoints with safetensors (unsafe serialisation).".to_owned());
    }
    Some(NextTier { tier: next, steps })
}

/// Where a component usually lives, to make a step actionable.
fn hint(c: Component) -> &'static str {
    match c {
        Component::ModelArchitecture => " (config.json or modeling code)",
        Component::ModelCard => " (README.md with Hub metadata)",
        Component::DataCard => " (a training-data section in README.md or DATA_CARD.md)",
        Component::TechnicalReport | Component::ResearchPaper => {
            " (a PDF or an arXiv link in the card)"
        }
        Component::EvaluationResults => " (model-index in the card, or eval_results.json)",
        Component::TrainingCode => {
            " (train.py, or a code repository linked under Training procedure)"
        }
        Component::InferenceCode => " (inference code, or a linked code repository)",
        Component::EvaluationCode => " (eval code, or a repository linked under Evaluation)",
        Component::EvaluationData => " (datasets in model-index, or evaluation data files)",
        Component::Datasets => " (`datasets:` in the card metadata, or the data files)",
        Component::DataPreprocessingCode => {
            " (preprocessing code, or a repository linked under Training data)"
        }
        Component::ModelParametersIntermediate => " (checkpoint-N/ directories)",
        _ => "",
    }
}
