//! The MOF classification exactly as the Model Openness Tool computes it.
//!
//! Classes are cumulative and gated: Class III needs its 6 required components, Class II those
//! plus 4 more, Class I all 14. Progress toward a class is the share of its cumulative required
//! components that are present under an accepted licence, and is reported as 0 until every
//! class above it is complete. A research paper stands in for a missing technical report: it is
//! counted in Classes III and II, and Class I then needs one component fewer.

use serde::{Deserialize, Serialize};

use super::components::Component;
use super::licences::mot_accepts;

/// How MOT sees one component of a declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MofStatus {
    /// Required, present, under an accepted licence: counts toward its class.
    Included,
    /// Optional, present, under an accepted licence.
    Optional,
    /// Present under a licence MOT does not accept.
    Invalid,
    /// Present without any licence.
    Unlicensed,
    /// Not present.
    Missing,
}

/// One component's MOF judgment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MofComponent {
    pub component: Component,
    pub status: MofStatus,
    /// The licence that applied, as given.
    pub licence: Option<String>,
}

/// Progress toward each class, in percent (0 to 100).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassProgress {
    pub class_1: f64,
    pub class_2: f64,
    pub class_3: f64,
}

/// A MOF classification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MofResult {
    /// 1, 2 or 3 for the best complete class; 0 when no class is complete.
    pub class: u8,
    /// MOT's label, e.g. "Class III - Open Model" or "Unclassified".
    pub label: String,
    pub progress: ClassProgress,
    /// Every one of the 17 components, in [`Component::ALL`] order.
    pub components: Vec<MofComponent>,
}

/// MOT's label for a class number.
pub fn class_label(class: u8) -> &'static str {
    match class {
        1 => "Class I - Open Science Model",
        2 => "Class II - Open Tooling Model",
        3 => "Class III - Open Model",
        _ => "Unclassified",
    }
}

/// Classifies a declaration: each present component with the licence that applies to it
/// (`None` = unlicensed). Components not listed are missing; a repeated one counts once.
pub fn evaluate(present: &[(Component, Option<String>)]) -> MofResult {
    let components: Vec<MofComponent> = Component::ALL
        .into_iter()
        .map(|component| {
            let found = present.iter().find(|(c, _)| *c == component);
            let (status, licence) = match found {
                None => (MofStatus::Missing, None),
                Some((_, None)) => (MofStatus::Unlicensed, None),
                Some((_, Some(id))) if mot_accepts(id) => {
                    let status = if component.required() {
                        MofStatus::Included
                    } else {
                        MofStatus::Optional
                    };
                    (status, Some(id.clone()))
                }
                Some((_, Some(id))) => (MofStatus::Invalid, Some(id.clone())),
            };
            MofComponent {
                component,
                status,
                licence,
            }
        })
        .collect();
    let progress = progress(&components);
    let class = if progress.class_1 >= 100.0 {
        1
    } else if progress.class_2 >= 100.0 {
        2
    } else if progress.class_3 >= 100.0 {
        3
    } else {
        0
    };
    MofResult {
        class,
        label: class_label(class).to_owned(),
        progress,
        components,
    }
}

fn status_of(components: &[MofComponent], c: Component) -> MofStatus {
    components
        .iter()
        .find(|m| m.component == c)
        .map_or(MofStatus::Missing, |m| m.status)
}

fn progress(components: &[MofComponent]) -> ClassProgress {
    let report_included = status_of(components, Component::TechnicalReport) == MofStatus::Included;
    let paper_included = status_of(components, Component::ResearchPaper) == MofStatus::Included;
    // A research paper counts in Classes III and II in place of a missing technical report.
    let paper_stands_in = !report_included && paper_included;

    let required_in = |class: u8| {
        Component::ALL
            .into_iter()
            .filter(|c| c.required() && c.class() == class)
            .count()
    };
    let included_up_to = |class: u8| {
        let own = components
            .iter()
            .filter(|m| m.status == MofStatus::Included && m.component.class() >= class)
            .count();
        if paper_stands_in && class >= 2 {
            own + 1
        } else {
            own
        }
    };

    let mut out = [0.0_f64; 3];
    for target in 1..=3u8 {
        let mut total = 0usize;
        let mut gated = false;
        for class in (target..=3).rev() {
            total += required_in(class);
            if class > target && included_up_to(class) < total {
                gated = true;
                break;
            }
        }
        if gated {
            continue;
        }
        if target == 1 && paper_stands_in {
            total -= 1;
        }
        let pct = if total == 0 {
            0.0
        } else {
            (included_up_to(target) as f64 / total as f64 * 100.0).min(100.0)
        };
        if let Some(slot) = out.get_mut(usize::from(target - 1)) {
            *slot = pct;
        }
    }
    let [class_1, class_2, class_3] = out;
    ClassProgress {
        class_1,
        class_2,
        class_3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(list: &[Component], licence: &str) -> Vec<(Component, Option<String>)> {
        list.iter()
            .map(|c| (*c, Some(licence.to_owned())))
            .collect()
    }

    #[test]
    fn class_three_complete_gates_class_two() {
        use Component::*;
        let r = evaluate(&with(
            &[
                ModelArchitecture,
                ModelParametersFinal,
                ModelCard,
                DataCard,
                TechnicalReport,
                EvaluationResults,
            ],
            "Apache-2.0",
        ));
        assert_eq!(r.class, 3);
        assert_eq!(r.progress.class_3, 100.0);
        assert_eq!(r.progress.class_2, 60.0);
        assert_eq!(r.progress.class_1, 0.0);
    }

    #[test]
    fn non_open_licence_is_invalid() {
        let r = evaluate(&with(&[Component::ModelParametersFinal], "llama3"));
        assert_eq!(r.class, 0);
        assert_eq!(
            status_of(&r.components, Component::ModelParametersFinal),
            MofStatus::Invalid
        );
    }

    #[test]
    fn empty_declaration_is_unclassified() {
        let r = evaluate(&[]);
        assert_eq!(r.class, 0);
        assert_eq!(r.label, "Unclassified");
        assert_eq!(r.progress, ClassProgress::default());
    }
}
