//! An SPDX 3.0.1 document (AI and Dataset profiles) for one model or dataset revision.
//!
//! The root element is an `ai_AIPackage` or a `dataset_DatasetPackage` with the properties the
//! profiles require beyond the SHACL shapes (release time, supplier, download location,
//! version, purpose). Licences are `simplelicensing_LicenseExpression` elements, linked twice:
//! `hasDeclaredLicense` (the card) and `hasConcludedLicense` (the assessor); a non-SPDX id such
//! as `llama3` becomes `LicenseRef-llama3`, mapped to our licence page. The openness assessment
//! travels as a review `Annotation`. Every element id is under `{base}/spdx/`, revision-specific,
//! so the document needs no imports.

use commonhold_assess::Assessment;
use commonhold_types::RepoType;
use serde_json::{Value, json};

use super::licence::{licence_iri, spdx_id};
use super::{rfc3339, tier_iri};
use crate::entry::{RepoEntry, strings};

/// One revision to describe.
#[derive(Clone, Debug)]
pub struct SpdxInput<'a> {
    pub base_url: &'a str,
    /// The hub's name, for the document's creator.
    pub hub_name: &'a str,
    pub entry: &'a RepoEntry,
    pub commit: &'a str,
    /// Unix milliseconds of the commit (creation and release time, so the document is
    /// reproducible).
    pub commit_time_ms: i64,
    pub assessment: Option<&'a Assessment>,
}

/// Dataset types of the SPDX vocabulary, found in Hub `modality:` tags.
const DATASET_TYPES: [(&str, &str); 6] = [
    ("modality:text", "text"),
    ("modality:image", "image"),
    ("modality:audio", "audio"),
    ("modality:video", "video"),
    ("modality:tabular", "structured"),
    ("modality:timeseries", "timeseries"),
];

/// The SPDX licence expression for a Hub licence id: the SPDX id, or a `LicenseRef-`.
fn expression(hub_id: &str) -> String {
    match spdx_id(hub_id) {
        Some(id) => id.to_string(),
        None => {
            let idstring: String = hub_id
                .trim()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            format!("LicenseRef-{idstring}")
        }
    }
}

/// Builds the document.
pub fn spdx3(s: &SpdxInput<'_>) -> Value {
    let base = s.base_url.trim_end_matches('/');
    let e = s.entry;
    let commit = s.commit.to_ascii_lowercase();
    let fragment = match e.kind {
        RepoType::Dataset => "dataset",
        RepoType::Model => "model",
    };
    let doc_id = format!("{base}/spdx/{}/{}/{commit}", e.kind.plural(), e.id());
    let root = format!("{doc_id}#{fragment}");
    let hub_agent = format!("{base}/spdx/agent/hub");
    let provider = format!("{base}/spdx/agent/{}", e.namespace);
    let time = rfc3339(s.commit_time_ms);
    let ci = "_:creationinfo";

    let mut elements: Vec<Value> = vec![
        json!({"type": "Organization", "spdxId": hub_agent, "creationInfo": ci, "name": s.hub_name}),
        json!({"type": "Organization", "spdxId": provider, "creationInfo": ci, "name": e.namespace}),
    ];
    let mut licence_ids: Vec<String> = Vec::new();
    let mut licence = |elements: &mut Vec<Value>, hub_id: &str| -> String {
        let expr = expression(hub_id);
        let id = format!("{base}/spdx/license/{expr}");
        if !licence_ids.contains(&id) {
            let mut el = json!({"type": "simplelicensing_LicenseExpression", "spdxId": id,
                "creationInfo": ci, "simplelicensing_licenseExpression": expr});
            if expr.starts_with("LicenseRef-") {
                el["simplelicensing_customIdToUri"] = json!([{"type": "DictionaryEntry",
                    "key": expr, "value": licence_iri(base, hub_id)}]);
            }
            elements.push(el);
            licence_ids.push(id.clone());
        }
        id
    };
    let data_licence = licence(&mut elements, "CC0-1.0");

    let page = format!("{base}{}", e.web_path());
    let mut package = json!({
        "spdxId": root,
        "creationInfo": ci,
        "name": e.id(),
        "software_packageVersion": commit,
        "software_downloadLocation": format!("{page}/tree/{commit}"),
        "software_homePage": page,
        "releaseTime": time,
    });
    let description = e.description();
    if !description.is_empty() {
        package["description"] = json!(description);
    }
    match e.kind {
        RepoType::Model => {
            package["type"] = json!("ai_AIPackage");
            package["software_primaryPurpose"] = json!("model");
            package["suppliedBy"] = json!(provider);
            package["software_packageUrl"] = json!(format!(
                "pkg:huggingface/{}/{}@{commit}?repository_url={base}",
                e.namespace, e.name
            ));
            if let Some(task) = &e.pipeline_tag {
                package["ai_domain"] = json!([task]);
            }
            let datasets = strings(e.card_data.get("datasets"));
            let bases = strings(e.card_data.get("base_model"));
            let mut training = Vec::new();
            if !datasets.is_empty() {
                training.push(format!(
                    "Datasets named in the card: {}.",
                    datasets.join(", ")
                ));
            }
            if !bases.is_empty() {
                training.push(format!("Base model: {}.", bases.join(", ")));
            }
            if !training.is_empty() {
                package["ai_informationAboutTraining"] = json!(training.join(" "));
            }
        }
        RepoType::Dataset => {
            package["type"] = json!("dataset_DatasetPackage");
            package["software_primaryPurpose"] = json!("data");
            package["originatedBy"] = json!([provider]);
            package["builtTime"] = json!(time);
            let mut types: Vec<&str> = DATASET_TYPES
                .iter()
                .filter(|(tag, _)| e.tags.iter().any(|t| t == tag))
                .map(|(_, ty)| *ty)
                .collect();
            if types.is_empty() {
                types.push("noAssertion");
            }
            package["dataset_datasetType"] = json!(types);
        }
    }
    elements.push(package);

    let relationship = |elements: &mut Vec<Value>, name: &str, kind: &str, to: Vec<String>| {
        if !to.is_empty() {
            elements.push(
                json!({"type": "Relationship", "spdxId": format!("{doc_id}#rel-{name}"),
                "creationInfo": ci, "from": root, "relationshipType": kind, "to": to}),
            );
        }
    };
    let declared: Vec<String> = e
        .licences()
        .iter()
        .map(|l| licence(&mut elements, l))
        .collect();
    relationship(&mut elements, "declared", "hasDeclaredLicense", declared);
    if let Some(a) = s.assessment {
        let concluded: Vec<String> = concluded_ids(a)
            .iter()
            .map(|id| licence(&mut elements, id))
            .collect();
        relationship(&mut elements, "concluded", "hasConcludedLicense", concluded);
        elements.push(json!({
            "type": "Annotation",
            "spdxId": format!("{doc_id}#openness"),
            "creationInfo": ci,
            "annotationType": "review",
            "subject": root,
            "contentType": "text/plain",
            "statement": openness_statement(base, e, &commit, a),
        }));
    }

    let ids: Vec<Value> = elements
        .iter()
        .filter_map(|el| el.get("spdxId").cloned())
        .collect();
    let mut graph = vec![
        json!({"type": "CreationInfo", "@id": ci, "specVersion": "3.0.1", "created": time,
               "createdBy": [hub_agent]}),
        json!({
            "type": "SpdxDocument",
            "spdxId": doc_id,
            "creationInfo": ci,
            "name": format!("{} at {commit}", e.id()),
            "profileConformance": ["core", "software", "simpleLicensing", "ai", "dataset"],
            "dataLicense": data_licence,
            "rootElement": [root],
            "element": ids,
        }),
    ];
    graph.extend(elements);
    json!({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": graph})
}

/// The licences the assessor concluded: a dataset's distribution licence, or a model's
/// licences found in its files (not its card).
fn concluded_ids(a: &Assessment) -> Vec<String> {
    match &a.dataset {
        Some(ds) => ds.licence.iter().cloned().collect(),
        None => a
            .licences
            .iter()
            .filter(|l| l.scope != "card")
            .map(|l| l.id.clone())
            .collect(),
    }
}

/// The review annotation's text: tier and OSAID for a model, licence and data card for a
/// dataset, and where the full assessment is.
fn openness_statement(base: &str, e: &RepoEntry, commit: &str, a: &Assessment) -> String {
    let assessment_url = format!(
        "{base}/api/{}/{}/openness/{commit}",
        e.kind.plural(),
        e.id()
    );
    match (&a.dataset, e.data_card()) {
        (Some(ds), card) => format!(
            "licence concluded: {} ({}); data card: {}; assessment {assessment_url}",
            ds.licence.as_deref().unwrap_or("none found"),
            if ds.open_data {
                "open data"
            } else {
                "not open data"
            },
            card.map_or("not checked", |c| c.level().as_str()),
        ),
        (None, _) => format!(
            "openness tier: {} (definition {}); licence concluded: {}; MOF: {}; OSAID 1.0: {}; findings: {}; assessment {assessment_url}",
            a.tier.as_str(),
            tier_iri(base, a.tier.as_str()),
            match concluded_ids(a).join(", ") {
                ids if ids.is_empty() => "none found".to_string(),
                ids => ids,
            },
            a.mof.label,
            if a.osaid.pass { "pass" } else { "fail" },
            a.findings.len(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_expressions_are_spdx_ids_or_licence_refs() {
        assert_eq!(expression("apache-2.0"), "Apache-2.0");
        assert_eq!(expression("llama3"), "LicenseRef-llama3");
        assert_eq!(
            expression("other licence/v2"),
            "LicenseRef-other-licence-v2"
        );
    }
}
