//! Data in a release: Croissant metadata, data files, evaluation results and papers.

use serde::Serialize;
use serde_json::Value;

use crate::inspect::paths;

/// The largest Croissant JSON-LD document read.
pub const CROISSANT_MAX: usize = 4 << 20;

/// What a Croissant (MLCommons) JSON-LD document declares.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CroissantFacts {
    /// The dataset's `name`.
    pub name: Option<String>,
    /// Its `license` (first one when several; an object's `@id`, `url` or `name`).
    pub license: Option<String>,
    /// Whether Responsible-AI (`rai:`) properties are present.
    pub has_rai: bool,
    /// The `rai:` properties present, sorted.
    pub rai_fields: Vec<String>,
    /// Number of `recordSet`s (the dataset's described structure).
    pub record_sets: usize,
    /// Why the document could not be read, or why it is not Croissant.
    pub error: Option<String>,
}

/// Parses a Croissant JSON-LD document.
pub fn parse_croissant(bytes: &[u8]) -> CroissantFacts {
    let mut facts = CroissantFacts::default();
    if bytes.len() > CROISSANT_MAX {
        facts.error = Some(format!(
            "Croissant document of {} bytes exceeds the limit of {CROISSANT_MAX} bytes",
            bytes.len()
        ));
        return facts;
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(error) => {
            facts.error = Some(format!("malformed Croissant JSON: {error}"));
            return facts;
        }
    };
    let Some(object) = value.as_object() else {
        facts.error = Some("malformed Croissant JSON: not an object".into());
        return facts;
    };
    facts.name = object.get("name").and_then(text_of);
    facts.license = match object.get("license") {
        Some(Value::Array(items)) => items.iter().find_map(text_of),
        Some(other) => text_of(other),
        None => None,
    };
    let mut rai_fields: Vec<String> = object
        .keys()
        .filter(|key| key.starts_with("rai:"))
        .cloned()
        .collect();
    rai_fields.sort();
    facts.has_rai = !rai_fields.is_empty();
    facts.rai_fields = rai_fields;
    facts.record_sets = ["recordSet", "cr:recordSet"]
        .iter()
        .filter_map(|key| object.get(*key))
        .map(|sets| sets.as_array().map_or(1, Vec::len))
        .sum();
    let context = object
        .get("@context")
        .map(Value::to_string)
        .unwrap_or_default();
    let conforms = object
        .get("conformsTo")
        .or_else(|| object.get("dct:conformsTo"))
        .map(Value::to_string)
        .unwrap_or_default();
    if !context.contains("mlcommons.org/croissant") && !conforms.contains("mlcommons.org/croissant")
    {
        facts.error = Some("not a Croissant document: no mlcommons.org/croissant context".into());
    }
    facts
}

/// A string, or an object's `@id`, `url` or `name`.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Object(object) => ["@id", "url", "name"]
            .iter()
            .find_map(|key| object.get(*key)?.as_str().map(str::to_string)),
        _ => None,
    }
}

/// Extensions of data files (compression suffixes are looked through).
const DATA_EXTENSIONS: &[&str] = &[
    "parquet", "arrow", "jsonl", "ndjson", "csv", "tsv", "tfrecord", "avro", "orc", "feather",
    "npy", "npz", "txt", "json", "tar", "wds", "zarr", "hdf5", "lance", "sqlite", "db", "wav",
    "flac", "mp3", "jpg", "jpeg", "png", "webp",
];

/// Compression suffixes of data shards.
const COMPRESSIONS: &[&str] = &["gz", "zst", "bz2", "xz", "lz4", "zip"];

/// Whether a path is a data file: a known data extension, possibly compressed. Plain `.txt`,
/// `.json`, images and audio count only inside a directory, so that `requirements.txt`,
/// `config.json` and a card's illustration at the root do not (A5).
pub fn is_data_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = paths::file_name(&lower);
    let mut parts: Vec<&str> = name.split('.').skip(1).collect();
    if parts.last().is_some_and(|last| COMPRESSIONS.contains(last)) {
        parts.pop();
    }
    let Some(extension) = parts.last() else {
        return false;
    };
    if !DATA_EXTENSIONS.contains(extension) {
        return false;
    }
    // A5: plain text, JSON, images and audio are data only inside a directory; at the root
    // they are a card's illustrations, a tokenizer's or a config's files.
    if matches!(
        *extension,
        "txt" | "json" | "jpg" | "jpeg" | "png" | "webp" | "wav" | "flac" | "mp3"
    ) {
        return paths::depth(&lower) >= 1
            && !crate::inspect::is_licence_file(path)
            && name != "requirements.txt";
    }
    true
}

/// Whether a path holds evaluation results: `eval_results*.json`, `results*.json`,
/// `*_results.json`, or anything under `.eval_results/`, `eval_results/` or `evals/`.
pub fn is_eval_results_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let in_results_dir = lower.split('/').rev().skip(1).any(|dir| {
        matches!(
            dir,
            ".eval_results" | "eval_results" | "evaluation_results" | "evals" | "results"
        )
    });
    let name = paths::file_name(&lower);
    let result_like = matches!(
        paths::extension(&lower).as_deref(),
        Some("json" | "jsonl" | "csv" | "yaml" | "yml" | "md")
    );
    if !result_like {
        return false;
    }
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    in_results_dir
        || stem.starts_with("eval_results")
        || stem.starts_with("results")
        || stem.starts_with("evaluation")
        || stem.ends_with("_results")
        || stem.ends_with("-results")
}

/// Whether a path is a paper or technical report: a PDF, or `paper*`/`technical_report*`.
pub fn is_paper(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = paths::file_name(&lower);
    let extension = paths::extension(&lower);
    if extension.as_deref() == Some("pdf") {
        return true;
    }
    let document = matches!(extension.as_deref(), Some("md" | "tex" | "txt" | "html"));
    document
        && [
            "paper",
            "technical_report",
            "technical-report",
            "tech_report",
            "tech-report",
            "whitepaper",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_croissant() {
        let doc = br#"{"@context":{"@vocab":"https://schema.org/","cr":"http://mlcommons.org/croissant/","rai":"http://mlcommons.org/croissant/RAI/"},
            "name":"demo","license":"https://creativecommons.org/licenses/by/4.0/",
            "rai:dataCollection":"crawl","rai:dataBiases":"some","recordSet":[{"name":"a"},{"name":"b"}]}"#;
        let facts = parse_croissant(doc);
        assert_eq!(facts.error, None);
        assert_eq!(facts.name.as_deref(), Some("demo"));
        assert_eq!(
            facts.license.as_deref(),
            Some("https://creativecommons.org/licenses/by/4.0/")
        );
        assert!(facts.has_rai);
        assert_eq!(
            facts.rai_fields,
            vec!["rai:dataBiases", "rai:dataCollection"]
        );
        assert_eq!(facts.record_sets, 2);
        assert!(parse_croissant(b"{").error.is_some());
        assert!(
            parse_croissant(br#"{"name":"x"}"#)
                .error
                .is_some_and(|e| e.contains("not a Croissant"))
        );
    }

    #[test]
    fn recognises_data_results_and_papers() {
        assert!(is_data_file("data/train-00000-of-00010.parquet"));
        assert!(is_data_file("shards/part-1.jsonl.zst"));
        assert!(is_data_file("corpus/en/part1.txt"));
        assert!(!is_data_file("requirements.txt"));
        assert!(!is_data_file("config.json"));
        assert!(!is_data_file("model.safetensors"));
        assert!(!is_data_file("dev_grid.jpg") && !is_data_file("sample.wav"));
        assert!(is_data_file("images/train/0001.jpg") && is_data_file("audio/clip.flac"));
        assert!(is_eval_results_file("eval_results.json"));
        assert!(is_eval_results_file(".eval_results/mmlu.yaml"));
        assert!(is_eval_results_file("results_2024-01-01.json"));
        assert!(!is_eval_results_file("config.json"));
        assert!(is_paper("docs/paper.pdf"));
        assert!(is_paper("technical_report.md"));
        assert!(!is_paper("README.md"));
    }
}
