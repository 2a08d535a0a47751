//! A CycloneDX 1.6 ML-BOM for one model revision.
//!
//! The model is the metadata component (purl `pkg:huggingface/ns/name@sha?repository_url=…`);
//! weight files are `file` sub-components hashed with their LFS oid (a content SHA-256; a git
//! commit id is not a content hash); training datasets from the card are `data` components the
//! model depends on. Licences are listed twice, declared (card) and concluded (assessor), and
//! the tier, MOF class and OSAID verdict go in `commonhold:` properties.

use commonhold_assess::Assessment;
use serde_json::{Value, json};
use sha2::Digest;

use super::licence::{licence_iri, spdx_id};
use super::{ExportFile, rfc3339};
use crate::entry::{RepoEntry, strings};

/// One model revision to describe.
#[derive(Clone, Debug)]
pub struct MlBomInput<'a> {
    pub base_url: &'a str,
    pub entry: &'a RepoEntry,
    pub commit: &'a str,
    /// Unix milliseconds of the commit (the BOM's timestamp, so the document is reproducible).
    pub commit_time_ms: i64,
    pub files: &'a [ExportFile],
    pub assessment: Option<&'a Assessment>,
}

/// Weight formats listed as file components.
const WEIGHT_EXTENSIONS: [&str; 8] = [
    "safetensors",
    "bin",
    "gguf",
    "onnx",
    "pt",
    "pth",
    "ckpt",
    "h5",
];

fn licence_choice(base: &str, id: &str, acknowledgement: &str) -> Value {
    match spdx_id(id) {
        Some(spdx) => json!({"license": {"id": spdx, "acknowledgement": acknowledgement}}),
        None => {
            json!({"license": {"name": id, "acknowledgement": acknowledgement, "url": licence_iri(base, id)}})
        }
    }
}

/// A stable `urn:uuid` derived from the revision, so the same revision always gets the same
/// serial number.
fn serial(purl: &str) -> String {
    let d = sha2::Sha256::digest(purl.as_bytes());
    let h = hex::encode(d.get(..16).unwrap_or_default());
    let g = |a: usize, b: usize| h.get(a..b).unwrap_or("0").to_string();
    format!(
        "urn:uuid:{}-{}-5{}-8{}-{}",
        g(0, 8),
        g(8, 12),
        g(13, 16),
        g(17, 20),
        g(20, 32)
    )
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({"name": name, "value": value.into()})
}

/// Builds the BOM.
pub fn mlbom(m: &MlBomInput<'_>) -> Value {
    let base = m.base_url.trim_end_matches('/');
    let e = m.entry;
    let commit = m.commit.to_ascii_lowercase();
    let purl = format!(
        "pkg:huggingface/{}/{}@{commit}?repository_url={base}",
        e.namespace, e.name
    );
    let page = format!("{base}{}", e.web_path());
    let mut licences: Vec<Value> = e
        .licences()
        .iter()
        .map(|l| licence_choice(base, l, "declared"))
        .collect();
    let mut properties = Vec::new();
    if let Some(a) = m.assessment {
        for l in a.licences.iter().filter(|l| l.scope != "card") {
            let choice = licence_choice(base, &l.id, "concluded");
            if !licences.contains(&choice) {
                licences.push(choice);
            }
            properties.push(prop(
                &format!("commonhold:license:{}:osi-approved", l.id),
                l.osi_approved.to_string(),
            ));
        }
        properties.push(prop("commonhold:openness:tier", a.tier.as_str()));
        properties.push(prop(
            "commonhold:openness:definition",
            a.definition_version.clone(),
        ));
        properties.push(prop("commonhold:openness:mof-class", a.mof.label.clone()));
        properties.push(prop(
            "commonhold:openness:osaid",
            if a.osaid.pass { "pass" } else { "fail" },
        ));
        properties.push(prop(
            "commonhold:openness:assessment",
            format!("{base}/api/models/{}/openness/{commit}", e.id()),
        ));
        for f in &a.findings {
            properties.push(prop(
                "commonhold:openness:finding",
                format!("{} {}", f.id, f.slug),
            ));
        }
    }
    let datasets: Vec<String> = strings(e.card_data.get("datasets"));
    let dataset_ref = |d: &str| format!("dataset:{d}");
    let mut model_parameters = json!({});
    if let Some(task) = &e.pipeline_tag {
        model_parameters["task"] = json!(task);
    }
    if !datasets.is_empty() {
        model_parameters["datasets"] = json!(
            datasets
                .iter()
                .map(|d| json!({"ref": dataset_ref(d)}))
                .collect::<Vec<_>>()
        );
    }
    let mut model_card = json!({"modelParameters": model_parameters});
    if !properties.is_empty() {
        model_card["properties"] = json!(properties);
    }
    let files: Vec<Value> = m
        .files
        .iter()
        .filter(|f| {
            let ext = f.path.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
            WEIGHT_EXTENSIONS.contains(&ext.as_str())
        })
        .map(|f| {
            json!({
                "type": "file",
                "bom-ref": format!("{purl}#{}", f.path),
                "name": f.path,
                "hashes": [{"alg": "SHA-256", "content": f.sha256}],
                "properties": [prop("commonhold:size", f.size.to_string()), prop("commonhold:lfs", f.lfs.to_string())],
            })
        })
        .collect();
    let mut component = json!({
        "type": "machine-learning-model",
        "bom-ref": purl,
        "group": e.namespace,
        "name": e.name,
        "version": commit,
        "purl": purl,
        "externalReferences": [
            {"type": "website", "url": page},
            {"type": "distribution", "url": format!("{page}/tree/{commit}")},
        ],
        "modelCard": model_card,
    });
    let description = e.description();
    if !description.is_empty() {
        component["description"] = json!(description);
    }
    if !licences.is_empty() {
        component["licenses"] = json!(licences);
    }
    if !files.is_empty() {
        component["components"] = json!(files);
    }
    let bases = strings(e.card_data.get("base_model"));
    if !bases.is_empty() {
        let ancestors: Vec<Value> = bases
            .iter()
            .map(|b| match b.split_once('/') {
                Some((g, n)) => json!({"type": "machine-learning-model", "group": g, "name": n}),
                None => json!({"type": "machine-learning-model", "name": b}),
            })
            .collect();
        component["pedigree"] = json!({"ancestors": ancestors});
    }
    let data_components: Vec<Value> = datasets
        .iter()
        .map(|d| {
            json!({"type": "data", "bom-ref": dataset_ref(d), "name": d,
                   "data": [{"type": "dataset", "name": d}]})
        })
        .collect();
    let mut bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial(&purl),
        "version": 1,
        "metadata": {
            "timestamp": rfc3339(m.commit_time_ms),
            "tools": {"components": [{"type": "application", "name": "commonhold", "version": env!("CARGO_PKG_VERSION")}]},
            "component": component,
        },
    });
    if !data_components.is_empty() {
        bom["components"] = json!(data_components);
        bom["dependencies"] = json!([{"ref": purl, "dependsOn": datasets.iter().map(|d| dataset_ref(d)).collect::<Vec<_>>()}]);
    }
    bom
}
