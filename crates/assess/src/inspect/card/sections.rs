//! The body's headings, mapped to the sections that card templates and datasheets ask for.

use serde::Serialize;

/// Which documentation duty a section fulfils. Model-card sections come from the Hub's model
/// card template; dataset sections from its dataset card template and "Datasheets for Datasets".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SectionKind {
    /// Intended, direct, downstream and out-of-scope uses.
    IntendedUse,
    /// What the model was trained on.
    TrainingData,
    /// How it was trained: procedure, hyperparameters, hardware.
    TrainingProcedure,
    /// Evaluation: data, metrics, results, benchmarks.
    Evaluation,
    /// Bias, risks and limitations.
    Limitations,
    /// Compute, energy and emissions.
    EnvironmentalImpact,
    /// How to cite the work.
    Citation,
    /// A dataset's structure: instances, fields, splits.
    DatasetComposition,
    /// How a dataset was collected, curated and annotated.
    DataCollection,
    /// Where a dataset's data comes from.
    Provenance,
    /// A dataset's known biases.
    KnownBiases,
    /// Any other heading.
    Other,
}

/// One heading of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The duty the heading's wording suggests.
    pub kind: SectionKind,
    /// The heading text, without `#` marks.
    pub heading: String,
    /// The 1-based line of the heading in README.md.
    pub line: usize,
    /// Words under the heading, up to the next heading of the same or a higher level; an empty
    /// section is a template left unfilled, which is not documentation.
    pub words: usize,
}

/// The most headings kept, so a pathological card cannot grow the output without bound.
const SECTIONS_MAX: usize = 2_000;

/// Keywords per kind, checked in order: the first kind with a keyword in the heading wins, so
/// the more specific phrases come first ("training data" before "training").
const KEYWORDS: &[(SectionKind, &[&str])] = &[
    (
        SectionKind::EnvironmentalImpact,
        &["environmental", "carbon", "emission", "co2", "energy"],
    ),
    (SectionKind::Citation, &["citation", "cite", "bibtex"]),
    (SectionKind::KnownBiases, &["known bias"]),
    (
        SectionKind::Limitations,
        &["limitation", "risk", "bias", "ethical consideration"],
    ),
    (
        SectionKind::TrainingData,
        &[
            "training data",
            "pretraining data",
            "pre-training data",
            "training dataset",
            "training corpus",
        ],
    ),
    (
        SectionKind::Evaluation,
        &[
            "evaluation",
            "result",
            "benchmark",
            "metric",
            "testing",
            "performance",
        ],
    ),
    (
        SectionKind::TrainingProcedure,
        &["training", "hyperparameter", "fine-tuning", "finetuning"],
    ),
    (
        SectionKind::IntendedUse,
        &[
            "intended",
            "uses",
            "use case",
            "direct use",
            "downstream use",
            "out-of-scope",
        ],
    ),
    (
        SectionKind::Provenance,
        &["provenance", "source data", "data source", "origin"],
    ),
    (
        SectionKind::DataCollection,
        &[
            "collection",
            "curation",
            "annotation",
            "preprocessing",
            "data processing",
            "filtering",
        ],
    ),
    (
        SectionKind::DatasetComposition,
        &[
            "dataset structure",
            "data fields",
            "data instances",
            "data splits",
            "composition",
        ],
    ),
];

/// Reads ATX headings (`# Title`) outside fenced code blocks, with their word counts.
pub(super) fn find<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Vec<Section> {
    let mut sections: Vec<(usize, Section)> = Vec::new();
    for (index, line) in super::outside_code_blocks(lines) {
        if let Some((level, heading)) = heading(line) {
            if sections.len() < SECTIONS_MAX {
                sections.push((
                    level,
                    Section {
                        kind: classify(heading),
                        heading: heading.to_string(),
                        line: index + 1,
                        words: 0,
                    },
                ));
            }
            continue;
        }
        add_words(&mut sections, line.split_whitespace().count());
    }
    sections.into_iter().map(|(_, section)| section).collect()
}

/// Adds a line's words to the open sections: the last heading and every enclosing one.
fn add_words(sections: &mut [(usize, Section)], words: usize) {
    let mut level = usize::MAX;
    for (section_level, section) in sections.iter_mut().rev() {
        if *section_level < level {
            section.words = section.words.saturating_add(words);
            level = *section_level;
        }
        if level == 1 {
            break;
        }
    }
}

/// `(level, text)` of an ATX heading line: up to three spaces, 1–6 `#`, a space, the text.
fn heading(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = line.trim_start_matches(' ');
    let level = rest.len() - rest.trim_start_matches('#').len();
    if !(1..=6).contains(&level) {
        return None;
    }
    let text = rest.get(level..)?;
    if !(text.is_empty() || text.starts_with([' ', '\t'])) {
        return None;
    }
    let text = text.trim().trim_end_matches('#').trim();
    (!text.is_empty()).then_some((level, text))
}

/// The section kind a heading's wording suggests.
fn classify(heading: &str) -> SectionKind {
    let lower = heading.to_lowercase();
    KEYWORDS
        .iter()
        .find(|(_, words)| words.iter().any(|word| lower.contains(word)))
        .map_or(SectionKind::Other, |(kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections_of(text: &str) -> Vec<Section> {
        find(text.lines().enumerate())
    }

    #[test]
    fn classifies_template_headings() {
        let cases = [
            ("## Uses", SectionKind::IntendedUse),
            ("### Out-of-Scope Use", SectionKind::IntendedUse),
            ("### Training Data", SectionKind::TrainingData),
            ("### Training Procedure", SectionKind::TrainingProcedure),
            ("## Evaluation", SectionKind::Evaluation),
            ("## Bias, Risks, and Limitations", SectionKind::Limitations),
            ("## Environmental Impact", SectionKind::EnvironmentalImpact),
            ("## Citation", SectionKind::Citation),
            ("### Source Data", SectionKind::Provenance),
            (
                "#### Data Collection and Processing",
                SectionKind::DataCollection,
            ),
            ("## Dataset Structure", SectionKind::DatasetComposition),
            ("### Known Biases", SectionKind::KnownBiases),
            ("## Model Details", SectionKind::Other),
        ];
        for (line, kind) in cases {
            let found = sections_of(line);
            assert_eq!(found.first().map(|s| s.kind), Some(kind), "{line}");
        }
    }

    #[test]
    fn counts_words_into_enclosing_sections_and_skips_code() {
        let text = "# Card\nintro words here\n## Training\n### Training Data\none two\n```\n# not a heading\n```\n## Citation\ncite me\n";
        let found = sections_of(text);
        let summary: Vec<(&str, usize, usize)> = found
            .iter()
            .map(|s| (s.heading.as_str(), s.line, s.words))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("Card", 1, 7),
                ("Training", 3, 2),
                ("Training Data", 4, 2),
                ("Citation", 9, 2)
            ]
        );
    }

    #[test]
    fn rejects_non_headings() {
        assert_eq!(heading("#hashtag"), None);
        assert_eq!(heading("    # indented code"), None);
        assert_eq!(heading("####### seven"), None);
        assert_eq!(heading("## Closed ##"), Some((2, "Closed")));
    }
}
