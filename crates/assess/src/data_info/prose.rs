//! Reading a card's prose about training data (definition D1-D5): paragraphs, and in them
//! public corpora, sizes, collection statements and generic phrases.

use crate::inspect::{Section, outside_code_blocks};

/// The most paragraphs read from one text: a card is at most a megabyte, but a pathological
/// one could be a million one-line paragraphs.
const PARAGRAPHS_MAX: usize = 20_000;

/// A paragraph (D1): lines up to a blank line, a heading, a list item or a table row.
pub(super) struct Paragraph {
    /// 1-based line of each line of the paragraph, with its text.
    pub lines: Vec<(usize, String)>,
    /// Under a data heading (D1).
    pub in_data_section: bool,
    /// A table row; `header` is the table's header row when it names a unit of data (D3).
    pub unit_header: Option<usize>,
}

impl Paragraph {
    pub fn first_line(&self) -> usize {
        self.lines.first().map_or(1, |(n, _)| *n)
    }

    fn text(&self) -> String {
        self.lines
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    /// The line of the first line containing `needle` (lower-case), else the first line.
    fn line_of(&self, needle: &str) -> usize {
        self.lines
            .iter()
            .find(|(_, l)| l.to_lowercase().contains(needle))
            .map_or(self.first_line(), |(n, _)| *n)
    }
}

/// The section a line lies in: the last heading at or before it. Sections are in line order;
/// a binary search keeps a card of many headings and paragraphs linear.
pub(super) fn section_at(sections: &[Section], line: usize) -> Option<&Section> {
    let after = sections.partition_point(|s| s.line <= line);
    after.checked_sub(1).map(|i| &sections[i])
}

/// Whether a heading is about training data (D1).
pub(super) fn is_data_heading(heading: &str) -> bool {
    let h = heading.to_lowercase();
    let about_data = [
        "data",
        "corpus",
        "pretraining",
        "pre-training",
        "provenance",
    ]
    .iter()
    .any(|w| h.contains(w));
    let about_other = h.contains("metadata") || (h.contains("eval") && !h.contains("train"));
    about_data && !about_other
}

/// Splits a text (a card body or a data card) into paragraphs, each knowing whether it lies
/// under a data heading; `all_data` marks every paragraph as data (a data card).
pub(super) fn paragraphs(
    text: &str,
    sections: &[Section],
    skip_lines: usize,
    all_data: bool,
) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::new();
    let mut current: Vec<(usize, String)> = Vec::new();
    let mut table_header: Option<(usize, bool)> = None;
    let in_data = |line: usize| {
        all_data || section_at(sections, line).is_some_and(|s| is_data_heading(&s.heading))
    };
    let flush = |current: &mut Vec<(usize, String)>, out: &mut Vec<Paragraph>| {
        if let Some((first, _)) = current.first() {
            let first = *first;
            out.push(Paragraph {
                lines: std::mem::take(current),
                in_data_section: in_data(first),
                unit_header: None,
            });
        }
    };
    let body = text.lines().enumerate().skip(skip_lines);
    for (index, line) in outside_code_blocks(body) {
        if out.len() >= PARAGRAPHS_MAX {
            break;
        }
        let n = index + 1;
        let trimmed = line.trim();
        if trimmed.starts_with('|') {
            flush(&mut current, &mut out);
            let header = match table_header {
                Some(h) => h,
                None => {
                    let h = (n, names_unit(trimmed));
                    table_header = Some(h);
                    h
                }
            };
            if !trimmed.replace(['|', '-', ':', ' '], "").is_empty() {
                out.push(Paragraph {
                    lines: vec![(n, line.to_owned())],
                    in_data_section: in_data(n),
                    unit_header: header.1.then_some(header.0),
                });
            }
            continue;
        }
        table_header = None;
        let starts_block = trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed.starts_with("+ ")
            || trimmed.split_once(". ").is_some_and(|(n, _)| {
                !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit())
            });
        if starts_block {
            flush(&mut current, &mut out);
        }
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            current.push((n, line.to_owned()));
        }
    }
    flush(&mut current, &mut out);
    out
}

/// D1: phrases that make a paragraph outside data sections speak of training data.
const TRIGGERS: [&str; 11] = [
    "trained on",
    "trained with",
    "pretrained on",
    "pre-trained on",
    "fine-tuned on",
    "training data",
    "training corpus",
    "tokens of",
    "dataset size",
    "data sources",
    "finetuned on",
];

pub(super) fn speaks_of_training_data(p: &Paragraph) -> bool {
    let text = p.text();
    TRIGGERS.iter().any(|t| text.contains(t))
}

/// D2: public corpora, as lower-case words in order.
const CORPORA: &[&[&str]] = &[
    &["the", "pile"],
    &["pile"],
    &["refinedweb"],
    &["dolma"],
    &["redpajama"],
    &["slimpajama"],
    &["c4"],
    &["mc4"],
    &["fineweb"],
    &["fineweb", "edu"],
    &["the", "stack"],
    &["starcoderdata"],
    &["roots"],
    &["laion"],
    &["wikipedia"],
    &["bookcorpus"],
    &["openwebmath"],
    &["openwebtext"],
    &["cosmopedia"],
    &["common", "crawl"],
    &["commoncrawl"],
    &["oscar"],
    &["project", "gutenberg"],
];

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A paragraph's sentences, each as its lower-case words with the line each sits on. A word
/// ending in `.`, `;`, `!` or `?` ends a sentence.
fn sentences(p: &Paragraph) -> Vec<Vec<(usize, String)>> {
    let mut out = vec![Vec::new()];
    for (n, line) in &p.lines {
        for raw in line.to_lowercase().split_whitespace() {
            if let Some(current) = out.last_mut() {
                current.extend(words(raw).into_iter().map(|w| (*n, w.to_owned())));
            }
            if raw.ends_with(['.', ';', '!', '?']) {
                out.push(Vec::new());
            }
        }
    }
    out
}

/// The first public corpus a paragraph names (D2), with its line.
pub(super) fn corpus_named(p: &Paragraph) -> Option<(usize, String)> {
    // A corpus named after "exclude" or "without" in the same sentence is what was left out,
    // not a source (D2).
    sentences(p).into_iter().find_map(|w| {
        let mut excluded = false;
        (0..w.len()).find_map(|i| {
            excluded |= EXCLUSIONS.contains(&w[i].1.as_str());
            let name = CORPORA.iter().find(|name| {
                name.iter()
                    .enumerate()
                    .all(|(k, part)| w.get(i + k).is_some_and(|x| x.1 == *part))
            })?;
            (!excluded).then(|| (w[i].0, name.join(" ")))
        })
    })
}

/// Words after which, in the same sentence, a named corpus is what was excluded.
const EXCLUSIONS: [&str; 8] = [
    "exclude",
    "excludes",
    "excluded",
    "excluding",
    "without",
    "remove",
    "removed",
    "except",
];

/// D3: units of data, and multipliers that may sit between a number and its unit.
const UNITS: &[&str] = &[
    "tokens",
    "token",
    "words",
    "documents",
    "docs",
    "samples",
    "examples",
    "images",
    "pairs",
    "hours",
    "conversations",
    "instructions",
    "books",
    "entries",
    "files",
    "pages",
    "sentences",
    "characters",
    "utterances",
    "dialogues",
];
const BYTE_UNITS: &[&str] = &[
    "kb", "mb", "gb", "tb", "pb", "kib", "mib", "gib", "tib", "pib",
];
const MULTIPLIERS: &[&str] = &[
    "k", "m", "b", "t", "thousand", "million", "billion", "trillion",
];

fn names_unit(line: &str) -> bool {
    let lower = line.to_lowercase();
    words(&lower).iter().any(|w| UNITS.contains(w))
}

/// The first size a paragraph states (D3), with its line.
pub(super) fn size_stated(p: &Paragraph) -> Option<usize> {
    if let Some(header) = p.unit_header
        && p.lines.iter().any(|(_, l)| {
            l.split('|')
                .skip(2)
                .any(|cell| starts_with_digit(cell.trim()))
        })
    {
        return Some(header);
    }
    // A number may end one line and its unit begin the next: tokens run across lines.
    let lowered: Vec<(usize, String)> = p
        .lines
        .iter()
        .map(|(n, l)| (*n, l.to_lowercase()))
        .collect();
    let tokens: Vec<(usize, &str)> = lowered
        .iter()
        .flat_map(|(n, l)| {
            l.split(|c: char| c.is_whitespace() || "()[]|:;/\"'`*".contains(c))
                .filter(|t| !t.is_empty())
                .map(move |t| (*n, t))
        })
        .collect();
    (0..tokens.len())
        .find(|&i| states_size_at(&tokens, i))
        .map(|i| tokens[i].0)
}

fn starts_with_digit(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Whether the token at `i` is a number with a unit of data, attached (`825GiB`, `350B`
/// followed by `tokens`) or within the next three tokens (`11,038 unpublished books`).
fn states_size_at(tokens: &[(usize, &str)], i: usize) -> bool {
    let token = tokens[i].1;
    if !starts_with_digit(token) {
        return false;
    }
    let suffix: String = token
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        .trim_matches(|c: char| c == '+' || c == '.' || c == ',')
        .to_owned();
    if suffix.contains('%') {
        return false;
    }
    if BYTE_UNITS.contains(&suffix.as_str()) || UNITS.contains(&suffix.as_str()) {
        return true;
    }
    if !(suffix.is_empty() || MULTIPLIERS.contains(&suffix.as_str())) {
        return false;
    }
    tokens
        .iter()
        .skip(i + 1)
        .take(3)
        .map(|(_, t)| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .any(|t| UNITS.contains(&t) || BYTE_UNITS.contains(&t))
}

/// D4: stems of words that describe collection, selection, filtering or labelling.
const COLLECTION: [&str; 17] = [
    "collect",
    "crawl",
    "scrap",
    "select",
    "sampl",
    "filter",
    "dedup",
    "exclud",
    "clean",
    "process",
    "preprocess",
    "curat",
    "mix",
    "annotat",
    "label",
    "decontaminat",
    "quality",
];

/// The line where a paragraph describes collection or filtering (D4).
pub(super) fn collection_described(p: &Paragraph) -> Option<usize> {
    // Stems match at the start of a word: "curat" is in "curated", not in "accurate".
    p.lines.iter().find_map(|(n, line)| {
        let lower = line.to_lowercase();
        words(&lower)
            .iter()
            .any(|w| COLLECTION.iter().any(|stem| w.starts_with(stem)))
            .then_some(*n)
    })
}

/// D5: generic phrases that stand in for sources.
const GENERIC: [&str; 21] = [
    "publicly available",
    "publicly accessible",
    "public sources",
    "new mix of",
    "mix of publicly",
    "mixture of publicly",
    "web documents",
    "web data",
    "curated corpora",
    "proprietary",
    "licensed data",
    "in-house",
    "internal data",
    "variety of sources",
    "various sources",
    "wide variety of",
    "synthetic data",
    "undisclosed",
    "public datasets",
    "our own curated",
    "our own data",
];

/// D5 admissions: words that speak of publishing data.
const PUBLISHING: [&str; 12] = [
    "available",
    "release",
    "released",
    "releasing",
    "publish",
    "published",
    "disclose",
    "disclosed",
    "share",
    "shared",
    "open",
    "opened",
];

/// Words that, up to four words before a publishing word, make it a statement that the data is
/// not published yet (or at all): "will be available", "not yet released", "won't share".
const NOT_YET_BEFORE: [&str; 6] = ["will", "not", "never", "yet", "soon", "t"];

/// Words that, up to six words after a publishing word, do the same: "released soon",
/// "open-source the mixture in the future".
const NOT_YET_AFTER: [&str; 4] = ["soon", "later", "future", "upcoming"];

/// The line of an admission that the data is not published (D5): a publishing word with a
/// negation or a future marker in the same sentence, within a few words. This is a rule, not a
/// phrase list: "will be available soon" and "has not been made public... released" are caught
/// without being listed.
fn admission(p: &Paragraph) -> Option<usize> {
    sentences(p).into_iter().find_map(|w| {
        (0..w.len()).find_map(|i| {
            if !PUBLISHING.contains(&w[i].1.as_str()) {
                return None;
            }
            let before = &w[i.saturating_sub(4)..i];
            let after = &w[i + 1..(i + 7).min(w.len())];
            let to_be = i >= 2 && w[i - 2].1 == "to" && w[i - 1].1 == "be";
            let marked = to_be
                || before
                    .iter()
                    .any(|x| NOT_YET_BEFORE.contains(&x.1.as_str()))
                || after.iter().any(|x| NOT_YET_AFTER.contains(&x.1.as_str()));
            // "open" publishes only as "open-source(d)" / "open sourced".
            let publishing = (w[i].1 != "open" && w[i].1 != "opened")
                || after.first().is_some_and(|x| x.1.starts_with("sourc"));
            (marked && publishing).then_some(w[i].0)
        })
    })
}

/// The line of the first generic phrase or admission in a paragraph (D5).
pub(super) fn generic_statement(p: &Paragraph) -> Option<usize> {
    let text = p.text();
    GENERIC
        .iter()
        .find(|phrase| text.contains(*phrase))
        .map(|phrase| p.line_of(phrase))
        .or_else(|| admission(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(line: &str) -> Paragraph {
        Paragraph {
            lines: vec![(1, line.to_owned())],
            in_data_section: true,
            unit_header: None,
        }
    }

    #[test]
    fn sizes() {
        for line in [
            "an 825GiB general-purpose dataset",
            "1.5TB of pre-processed text converted into 350B unique tokens",
            "on 3.5+ trillion tokens",
            "a dataset of 11,038 unpublished books",
            "1 million hours of weakly labelled audio",
            "| Stage 1 | 4 trillion tokens (1 epoch) |",
            "Dataset size: 250B tokens, a combination of",
        ] {
            assert!(size_stated(&para(line)).is_some(), "{line}");
        }
        for line in [
            "trained on LAION-2B (en) and subsets of it",
            "Llama 2 7B with 4k context",
            "79% of the mix",
            "released in 2023 with 32 layers",
        ] {
            assert!(size_stated(&para(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn corpora_generic_and_collection() {
        assert_eq!(
            corpus_named(&para("RefinedWeb, deduplicated PILE and Dolma v1.6")).map(|c| c.1),
            Some("refinedweb".to_owned())
        );
        assert!(corpus_named(&para("a corpus of 3T tokens")).is_none());
        assert!(
            generic_statement(&para(
                "2 trillion tokens of data from publicly available sources"
            ))
            .is_some()
        );
        assert!(generic_statement(&para("It contains texts from 22 diverse sources")).is_none());
        assert!(collection_described(&para("The Pile was not deduplicated")).is_some());
    }

    fn para_lines(lines: &[&str]) -> Paragraph {
        Paragraph {
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, l)| (i + 1, (*l).to_owned()))
                .collect(),
            in_data_section: true,
            unit_header: None,
        }
    }

    #[test]
    fn vague_paragraphs_name_no_source_and_are_generic() {
        for vague in [
            "Llama 3 was pretrained on over 15 trillion tokens of data from publicly available sources.",
            "A new mix of publicly available online data.",
            "trained on a dataset that includes a wide variety of sources, totaling 6 trillion tokens",
            "Our training data is a mixture of publicly available data and licensed data.",
            "The pretraining data comes from a large corpus of web documents and in-house data.",
            "Training data has not been publicly released.",
        ] {
            let p = para(vague);
            assert!(corpus_named(&p).is_none(), "{vague}");
            assert!(generic_statement(&p).is_some(), "{vague}");
        }
        // Vague without a generic phrase: no source, so the grade stays closed anyway.
        assert!(
            corpus_named(&para(
                "Trained on a large proportion of multilingual and code data"
            ))
            .is_none()
        );
    }

    #[test]
    fn detailed_paragraphs_name_sources_sizes_and_processing() {
        let detailed = para_lines(&[
            "The model was trained on Dolma v1.7, 2.05 trillion tokens from Common Crawl, The Stack,",
            "peS2o, Project Gutenberg and Wikipedia, deduplicated and filtered for quality.",
        ]);
        assert_eq!(corpus_named(&detailed), Some((1, "dolma".to_owned())));
        assert_eq!(size_stated(&detailed), Some(1));
        assert!(collection_described(&detailed).is_some());
        assert!(generic_statement(&detailed).is_none());
    }

    #[test]
    fn excluded_corpora_are_not_sources() {
        let excluded = para(
            "we exclude generic web-crawl data sources such as common-crawl from the training.",
        );
        assert!(corpus_named(&excluded).is_none());
        // The exclusion ends with its sentence; a subset left out still names the corpus.
        let next = para("We exclude code. The rest is RefinedWeb.");
        assert_eq!(
            corpus_named(&next).map(|c| c.1),
            Some("refinedweb".to_owned())
        );
        let subset = para("RedPajama-Data and The Pile, both without the Books3 subset");
        assert_eq!(
            corpus_named(&subset).map(|c| c.1),
            Some("redpajama".to_owned())
        );
    }

    #[test]
    fn admissions_and_word_starts() {
        assert!(
            generic_statement(&para("new datasets that we curated and will release soon"))
                .is_some()
        );
        assert!(generic_statement(&para("public datasets and our own curated datasets")).is_some());
        // Admissions are a rule, not a list: unlisted wordings of "not published yet".
        for admitted in [
            "The full data sequence will be available soon.",
            "The cleaned corpus has not yet been made public; it will be shared later.",
            "We plan to open-source the mixture in the future.",
            "The instruction data isn't released.",
            "Data to be published with the paper.",
        ] {
            assert!(generic_statement(&para(admitted)).is_some(), "{admitted}");
        }
        for published in [
            "All of it is available on the Hub as allenai/dolma.",
            "We released the data mix on the Hub. It will help others train models.",
            "The Pile, an open dataset, was shared by EleutherAI.",
            "The data is open and not filtered.",
        ] {
            assert!(generic_statement(&para(published)).is_none(), "{published}");
        }
        // "its own data card" is not "our own data".
        assert!(
            generic_statement(&para("Each source is described in its own data card")).is_none()
        );
        // "accurate" holds "curat", but not at a word start.
        assert!(collection_described(&para("factually accurate and consistent")).is_none());
        assert!(collection_described(&para("the curated subset")).is_some());
        // A number and its unit on two lines of one paragraph.
        let wrapped = para_lines(&["a dataset of 11,038", "unpublished books"]);
        assert_eq!(size_stated(&wrapped), Some(1));
    }

    #[test]
    fn paragraphs_tables_and_data_headings() {
        let text = "## DataMix\n\n| Subset | Tokens (Billion) |\n|---|---|\n| C4 | 197.67 |\n\n## Evaluation\n\nText\nwrapped.\n- item\n";
        let sections = vec![
            Section {
                kind: crate::inspect::SectionKind::Other,
                heading: "DataMix".to_owned(),
                line: 1,
                words: 0,
            },
            Section {
                kind: crate::inspect::SectionKind::Evaluation,
                heading: "Evaluation".to_owned(),
                line: 7,
                words: 0,
            },
        ];
        let ps = paragraphs(text, &sections, 0, false);
        let lines: Vec<Vec<usize>> = ps
            .iter()
            .map(|p| p.lines.iter().map(|l| l.0).collect())
            .collect();
        assert_eq!(lines, vec![vec![3], vec![5], vec![9, 10], vec![11]]);
        assert!(ps[1].in_data_section && !ps[2].in_data_section);
        assert_eq!(size_stated(&ps[1]), Some(3));
        assert!(is_data_heading("Training Data") && is_data_heading("### Pretraining"));
        assert!(!is_data_heading("Evaluation data") && !is_data_heading("Model metadata"));
        assert!(is_data_heading("Training and evaluation data"));
    }
}
