//! What a card's prose and code blocks say about components published outside the files of
//! the release (definition R1, R2, R4, R5, A8).

use crate::inspect::{Section, SectionKind, outside_code_blocks};
use crate::mof::Component;

/// R4: words of a code link's context and the code component they name.
const CODE_ROLES: &[(Component, &[&str])] = &[
    (
        Component::DataPreprocessingCode,
        &[
            "data prep",
            "preprocess",
            "pre-process",
            "data processing",
            "data-processing",
            "data preparation",
        ],
    ),
    (
        Component::TrainingCode,
        &["train", "fine-tun", "finetun", "pretrain"],
    ),
    (Component::EvaluationCode, &["eval", "benchmark", "metric"]),
    (
        Component::InferenceCode,
        &["inference", "serving", "generation"],
    ),
];

/// The code components a link's context says it holds (R4); empty when it says nothing.
pub(super) fn code_roles_said(context: &str) -> Vec<Component> {
    CODE_ROLES
        .iter()
        .filter(|(_, words)| words.iter().any(|w| context.contains(w)))
        .map(|(c, _)| *c)
        .collect()
}

/// R2: repositories of named evaluation harnesses (lower-case `host/owner/name`).
const HARNESSES: [&str; 7] = [
    "github.com/eleutherai/lm-evaluation-harness",
    "github.com/bigcode-project/bigcode-evaluation-harness",
    "github.com/allenai/olmo-eval",
    "github.com/allenai/olmes",
    "github.com/huggingface/lighteval",
    "github.com/open-compass/opencompass",
    "github.com/stanford-crfm/helm",
];

/// Whether a URL points to a named evaluation harness (R2).
pub(super) fn is_harness(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    HARNESSES.iter().any(|h| lower.contains(h))
}

/// R5: public benchmarks, as lower-case words (a name of several words is matched in order).
const BENCHMARKS: &[&[&str]] = &[
    &["mmlu"],
    &["hellaswag"],
    &["hswag"],
    &["arc"],
    &["truthfulqa"],
    &["winogrande"],
    &["winog"],
    &["gsm8k"],
    &["gsm"],
    &["humaneval"],
    &["mbpp"],
    &["piqa"],
    &["boolq"],
    &["lambada"],
    &["sciq"],
    &["openbookqa"],
    &["obqa"],
    &["copa"],
    &["glue"],
    &["superglue"],
    &["squad"],
    &["bbh"],
    &["ifeval"],
    &["gpqa"],
    &["triviaqa"],
    &["agieval"],
    &["cmmlu"],
    &["librispeech"],
    &["common", "voice"],
    &["fleurs"],
];

/// The first line of an evaluation section that names a public benchmark (R5).
pub(super) fn benchmark_line(text: &str, sections: &[Section], body_start: usize) -> Option<usize> {
    let body = text.lines().enumerate().skip(body_start.saturating_sub(1));
    outside_code_blocks(body).find_map(|(index, line)| {
        let line_no = index + 1;
        let in_evaluation = sections
            .iter()
            .take_while(|s| s.line <= line_no)
            .last()
            .is_some_and(|s| s.kind == SectionKind::Evaluation);
        (in_evaluation && names_benchmark(line)).then_some(line_no)
    })
}

fn names_benchmark(line: &str) -> bool {
    let words: Vec<String> = line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.iter().enumerate().any(|(i, _)| {
        BENCHMARKS.iter().any(|name| {
            name.iter()
                .enumerate()
                .all(|(k, part)| words.get(i + k).is_some_and(|w| w == part))
        })
    })
}

/// A8: what a usage example runs the model with.
const USAGE_MARKERS: [&str; 7] = [
    "from_pretrained(",
    "pipeline(",
    ".generate(",
    "llama-cli",
    "ollama run",
    "mistral-chat",
    "torchrun",
];

/// The line of the first fenced code block that loads or runs the model (A8).
pub(super) fn usage_snippet_line(text: &str) -> Option<usize> {
    let mut open: Option<(usize, &str)> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match open {
            Some((start, fence)) => {
                if trimmed.starts_with(fence) {
                    open = None;
                } else if USAGE_MARKERS.iter().any(|m| line.contains(m)) {
                    return Some(start);
                }
            }
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                open = trimmed.get(..3).map(|fence| (index + 1, fence));
            }
            None => {}
        }
    }
    None
}

/// R1: the first line naming a checkpoint revision (`revision="step143000"`).
pub(super) fn revision_line(text: &str) -> Option<usize> {
    text.lines().enumerate().find_map(|(index, line)| {
        let (_, rest) = line.split_once("revision=")?;
        let value = rest.trim_start_matches(['"', '\'']);
        let value = value.split(['"', '\'', ')', ',', ' ']).next()?;
        crate::inspect::is_checkpoint_dir(value).then_some(index + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_said_by_a_link() {
        assert_eq!(
            code_roles_said("- core repo (training, inference, fine-tuning etc.): "),
            vec![Component::TrainingCode, Component::InferenceCode]
        );
        assert_eq!(
            code_roles_said("[data preparation]( "),
            vec![Component::DataPreprocessingCode]
        );
        assert_eq!(
            code_roles_said("[metrics]( "),
            vec![Component::EvaluationCode]
        );
        assert!(code_roles_said("[github repo]( ").is_empty());
    }

    #[test]
    fn snippets_revisions_and_benchmarks() {
        let card = "# M\n\n```python\nmodel = AutoModel.from_pretrained(\"x\", revision=\"step3000\")\n```\n";
        assert_eq!(usage_snippet_line(card), Some(3));
        assert_eq!(revision_line(card), Some(4));
        assert_eq!(revision_line("revision=\"main\""), None);
        assert!(names_benchmark("| arc_challenge | 44.5 |"));
        assert!(names_benchmark("on LibriSpeech and Common Voice"));
        assert!(!names_benchmark("a common way to voice it"));
        assert!(!names_benchmark("parcel"));
    }
}
