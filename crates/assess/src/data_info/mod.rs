//! The data information grade (definition D1-D8): does the release say what it was trained on
//! in enough detail that a skilled person could rebuild a substantially equivalent system?

mod prose;

use prose::Paragraph;

use crate::inspect::LinkKind;
use crate::model::{DataGrade, DataInformation, DataStatement, Evidence};
use crate::scan::Scan;

/// Statements kept per kind: evidence enough, bounded.
const STATEMENTS_MAX: usize = 8;

#[derive(Default)]
struct Found {
    sources: Vec<DataStatement>,
    sizes: Vec<DataStatement>,
    collection: Vec<DataStatement>,
    generic: Vec<DataStatement>,
}

/// Keeps a statement unless the list is full or already cites that place.
fn push(list: &mut Vec<DataStatement>, rule: &str, quote: String, evidence: Evidence) {
    if list.len() < STATEMENTS_MAX && !list.iter().any(|s| s.evidence == evidence) {
        list.push(DataStatement {
            rule: rule.to_owned(),
            quote,
            evidence,
        });
    }
}

/// The line `n` of a paragraph, quoted.
fn quote_line(p: &Paragraph, n: usize) -> String {
    let line = p
        .lines
        .iter()
        .find(|(l, _)| *l == n)
        .or(p.lines.first())
        .map_or("", |(_, t)| t.as_str());
    crate::inspect::card::quote(line)
}

/// Grades the release's own description of its training data. `preprocessing_code` is true
/// when data preprocessing code is present or linked (D4). The grade after lineage equals the
/// own grade here; lineage (G5) lowers it.
pub(crate) fn grade(scan: &Scan, preprocessing_code: bool, root: &str) -> DataInformation {
    let mut f = Found::default();
    let file = |path: &str, line: Option<usize>| Evidence::File {
        root: root.to_owned(),
        path: path.to_owned(),
        line,
    };
    let mut paragraphs: Vec<(String, Paragraph)> = Vec::new();
    if let Some(sc) = &scan.card {
        let meta = &sc.card.meta;
        for d in &meta.datasets {
            push(
                &mut f.sources,
                "D2",
                d.clone(),
                Evidence::Url {
                    url: format!("https://huggingface.co/datasets/{d}"),
                    path: Some(sc.path.clone()),
                    line: meta.lines.get("datasets").copied(),
                },
            );
        }
        if meta.raw.get("size_categories").is_some() {
            push(
                &mut f.sizes,
                "D3",
                "size_categories".to_owned(),
                file(&sc.path, meta.lines.get("size_categories").copied()),
            );
        }
        let skip = sc.card.body_start_line.saturating_sub(1);
        let sections = &sc.card.sections;
        let in_data_section = |line: usize| {
            prose::section_at(sections, line).is_some_and(|s| prose::is_data_heading(&s.heading))
        };
        for link in &sc.card.links {
            let paper = matches!(
                link.kind,
                LinkKind::Arxiv | LinkKind::Doi | LinkKind::Pdf | LinkKind::Paper
            );
            let evaluation = prose::section_at(sections, link.line)
                .is_some_and(|s| s.kind == crate::inspect::SectionKind::Evaluation);
            let named = (link.kind == LinkKind::HfDataset && !evaluation)
                || (in_data_section(link.line) && !paper);
            // A dataset already named by its metadata id is one source, not two.
            let known = f
                .sources
                .iter()
                .any(|s| matches!(&s.evidence, Evidence::Url { url, .. } if *url == link.url));
            if named && !known {
                push(
                    &mut f.sources,
                    "D2",
                    link.url.clone(),
                    Evidence::Url {
                        url: link.url.clone(),
                        path: Some(sc.path.clone()),
                        line: Some(link.line),
                    },
                );
            }
        }
        paragraphs.extend(
            prose::paragraphs(&sc.text, &sc.card.sections, skip, false)
                .into_iter()
                .map(|p| (sc.path.clone(), p)),
        );
    }
    for (path, text) in &scan.data_card_texts {
        paragraphs.extend(
            prose::paragraphs(text, &[], 0, true)
                .into_iter()
                .map(|p| (path.clone(), p)),
        );
    }
    for (path, p) in &paragraphs {
        if !(p.in_data_section || prose::speaks_of_training_data(p)) {
            continue;
        }
        let corpus = prose::corpus_named(p);
        if let Some((n, name)) = &corpus {
            push(&mut f.sources, "D2", name.clone(), file(path, Some(*n)));
        }
        let size = prose::size_stated(p);
        if let Some(n) = size {
            push(&mut f.sizes, "D3", quote_line(p, n), file(path, Some(n)));
        }
        if let Some(n) = prose::collection_described(p) {
            push(
                &mut f.collection,
                "D4",
                quote_line(p, n),
                file(path, Some(n)),
            );
        }
        let names_data = corpus.is_some() || size.is_some();
        if (p.in_data_section || names_data)
            && let Some(n) = prose::generic_statement(p)
        {
            push(&mut f.generic, "D5", quote_line(p, n), file(path, Some(n)));
        }
    }
    if let Some((path, c)) = &scan.croissant {
        push(
            &mut f.sources,
            "D2",
            "Croissant".to_owned(),
            file(path, None),
        );
        if c.rai_fields.iter().any(|r| r == "rai:dataCollection") {
            push(
                &mut f.collection,
                "D4",
                "rai:dataCollection".to_owned(),
                file(path, None),
            );
        }
    }
    for path in scan.data_files.iter().take(STATEMENTS_MAX) {
        push(&mut f.sources, "D2", path.clone(), file(path, None));
    }
    let collected = !f.collection.is_empty() || preprocessing_code;
    let grade = if f.sources.is_empty() {
        DataGrade::Closed
    } else if f.generic.is_empty() && !f.sizes.is_empty() && collected {
        DataGrade::Open
    } else {
        DataGrade::Partial
    };
    DataInformation {
        grade,
        own_grade: grade,
        rule: "D6".to_owned(),
        sources: f.sources,
        sizes: f.sizes,
        collection: f.collection,
        generic: f.generic,
    }
}
