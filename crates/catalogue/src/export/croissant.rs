//! Croissant 1.1 (+ RAI 1.0) JSON-LD for one dataset revision, at the Hub's own path
//! `GET /api/datasets/{ns}/{name}/croissant`.
//!
//! mlcroissant never fetches a context and warns on any key missing from its standard one, so
//! the full context is inlined (`croissant-context.json`). The git commit goes in download
//! URLs and `sameAs`, never in `version` (which must be `MAJOR.MINOR.PATCH`).

use commonhold_assess::Assessment;
use serde_json::{Value, json};

use super::licence::licence_iri;
use super::{ExportFile, rfc3339};
use crate::entry::RepoEntry;

/// The Croissant context, verbatim from the reference example that validates.
const CONTEXT: &str = include_str!("croissant-context.json");

/// One dataset revision to describe.
#[derive(Clone, Debug)]
pub struct CroissantInput<'a> {
    pub base_url: &'a str,
    pub entry: &'a RepoEntry,
    pub commit: &'a str,
    pub files: &'a [ExportFile],
    pub assessment: Option<&'a Assessment>,
}

/// The media type Croissant expects for a file, by extension.
fn encoding_format(path: &str) -> &'static str {
    let ext = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "json" => "application/json",
        "jsonl" => "application/jsonlines",
        "parquet" => "application/x-parquet",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// A semantic version from the card, else `1.0.0`.
fn version(card: &Value) -> String {
    let v = card
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let parts: Vec<&str> = v.trim_start_matches('v').split('.').collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        parts.join(".")
    } else {
        "1.0.0".into()
    }
}

/// Builds the document.
pub fn croissant(c: &CroissantInput<'_>) -> Value {
    let base = c.base_url.trim_end_matches('/');
    let e = c.entry;
    let page = format!("{base}{}", e.web_path());
    let context: Value = serde_json::from_str(CONTEXT).unwrap_or_else(|_| json!({}));
    let description = match e.description() {
        d if d.is_empty() => format!("Dataset {} published on this hub.", e.id()),
        d => d,
    };
    let declared = e.licences();
    let licence = declared
        .first()
        .map(|l| licence_iri(base, l))
        .unwrap_or_else(|| format!("{base}/licenses/unspecified"));
    let distribution: Vec<Value> = c
        .files
        .iter()
        .filter(|f| f.path != ".gitattributes")
        .map(|f| {
            json!({
                "@type": "cr:FileObject",
                "@id": f.path,
                "name": f.path,
                "contentUrl": format!("{page}/resolve/{}/{}", c.commit, crate::html::path_value(&f.path)),
                "contentSize": format!("{} B", f.size),
                "encodingFormat": encoding_format(&f.path),
                "sha256": f.sha256,
            })
        })
        .collect();
    let year = rfc3339(e.created_at).get(..4).unwrap_or("1970").to_string();
    let mut conforms = vec![
        json!("http://mlcommons.org/croissant/1.1"),
        json!("http://mlcommons.org/croissant/RAI/1.0"),
    ];
    let mut doc = json!({
        "@context": context,
        "@type": "sc:Dataset",
        "name": e.name,
        "description": description,
        "url": page,
        "license": licence,
        "creator": {"@type": "sc:Organization", "name": e.namespace, "url": format!("{base}/organizations/{}", e.namespace)},
        "datePublished": rfc3339(e.created_at),
        "dateModified": rfc3339(e.last_modified),
        "version": version(&e.card_data),
        "sameAs": format!("{page}/tree/{}", c.commit),
        "citeAs": format!("@misc{{{key}, title={{{name}}}, author={{{ns}}}, year={{{year}}}, url={{{page}}}}}",
            key = e.id().replace(['/', '-', '.'], "_"), name = e.name, ns = e.namespace),
        "isAccessibleForFree": e.gated.is_none(),
        "usageInfo": format!("{base}/api/datasets/{}/openness/{}", e.id(), c.commit),
        "distribution": distribution,
    });
    let mut keywords: Vec<String> = e.pipeline_tag.iter().cloned().collect();
    keywords.extend(e.tags.iter().filter(|t| !t.contains(':')).take(20).cloned());
    if !keywords.is_empty() {
        doc["keywords"] = json!(keywords);
    }
    let languages = e.languages();
    if !languages.is_empty() {
        doc["inLanguage"] = json!(languages);
    }
    if let Some(a) = c.assessment {
        // The concluded licence and data-card completeness, in RAI text properties and our own
        // usage statement; the assessment itself is linked by `usageInfo`.
        if let Some(ds) = &a.dataset {
            let concluded = ds.licence.as_deref().unwrap_or("none found");
            doc["rai:dataUseCases"] = json!(format!(
                "Licence declared: {}; licence concluded by the openness assessment: {concluded} ({}).",
                if declared.is_empty() {
                    "none".to_string()
                } else {
                    declared.join(", ")
                },
                if ds.open_data {
                    "open data"
                } else {
                    "not open data"
                }
            ));
            let missing: Vec<&str> = [
                (ds.card.composition, "composition"),
                (ds.card.collection, "collection process"),
                (ds.card.provenance, "provenance"),
                (ds.card.known_biases, "known biases"),
            ]
            .into_iter()
            .filter(|(present, _)| !present)
            .map(|(_, name)| name)
            .collect();
            doc["rai:dataLimitations"] = json!(if missing.is_empty() {
                "The data card documents composition, collection, provenance and known biases."
                    .to_string()
            } else {
                format!("The data card does not document: {}.", missing.join(", "))
            });
        }
        conforms.push(json!(super::tier_iri(base, a.tier.as_str())));
    }
    doc["conformsTo"] = json!(conforms);
    doc
}
