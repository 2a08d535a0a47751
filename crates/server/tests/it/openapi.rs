//! `GET /api/openapi.json`: the OpenAPI 3.1 description of commonhold's own endpoints, held to
//! a committed snapshot (`docs/openapi.json`), checked for the structure OpenAPI 3.1 requires,
//! and checked against the router: every operation it describes is served.

use std::collections::BTreeSet;
use std::path::PathBuf;

use axum::http::StatusCode;
use serde_json::Value;

use crate::common::TestHub;

/// Set to write the snapshot instead of comparing with it.
const UPDATE: &str = "COMMONHOLD_UPDATE_OPENAPI";

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

async fn document(h: &TestHub) -> Value {
    let r = h.get("/api/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.json()
}

#[tokio::test]
async fn the_document_matches_its_committed_snapshot() {
    let h = TestHub::new().await;
    let served = h.get("/api/openapi.json", None).await;
    let text = String::from_utf8(served.body).unwrap() + "\n";
    let path = snapshot_path();
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/openapi.json differs from the document the server generates: the API changed. \
         If the change is intended, update the snapshot with \
         `{UPDATE}=1 cargo nextest run -p commonhold-server -E 'test(/openapi::/)'` \
         and commit docs/openapi.json with the change."
    );
}

/// Every `$ref` in `v`, with the document it resolves in: a schema with an `$id` (the embedded
/// assessment schema) is the base of the references inside it.
fn refs<'a>(v: &'a Value, base: &'a Value, out: &mut Vec<(&'a Value, &'a str)>) {
    match v {
        Value::Object(m) => {
            let base = if m.contains_key("$id") { v } else { base };
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push((base, r));
            }
            m.values().for_each(|child| refs(child, base, out));
        }
        Value::Array(items) => items.iter().for_each(|child| refs(child, base, out)),
        _ => {}
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[tokio::test]
async fn the_document_is_openapi_3_1_with_every_reference_resolved() {
    let h = TestHub::new().await;
    let doc = document(&h).await;
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1."), "openapi: {version:?}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("securitySchemes");
    for (path, item) in paths {
        let operations: Vec<(&str, &Value)> = METHODS
            .iter()
            .filter_map(|m| item.get(*m).map(|op| (*m, op)))
            .collect();
        assert!(!operations.is_empty(), "{path} has no operation");
        // Every `{param}` of the template is a required path parameter of each operation.
        let templated: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, op) in operations {
            let responses = op["responses"].as_object();
            assert!(
                responses.is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            let declared: BTreeSet<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .inspect(|p| assert_eq!(p["required"], true, "{method} {path}: {p}"))
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert_eq!(declared, templated, "{method} {path}: path parameters");
            for requirement in op["security"].as_array().into_iter().flatten() {
                for scheme in requirement.as_object().unwrap().keys() {
                    assert!(schemes.contains_key(scheme), "{method} {path}: {scheme}");
                }
            }
        }
    }
    // Operation ids are unique within a document.
    let ids: Vec<&str> = paths
        .values()
        .flat_map(|item| {
            METHODS
                .iter()
                .filter_map(|m| item[*m]["operationId"].as_str())
        })
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "operation ids repeat: {ids:?}");
    let mut found = Vec::new();
    refs(&doc, &doc, &mut found);
    assert!(found.len() > 10, "the document references its schemas");
    for (base, r) in found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(
            base.pointer(pointer).is_some(),
            "$ref {r} resolves to nothing"
        );
    }
}

/// A path of the document with its parameters filled in.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|s| match s {
            "{kind}" => "models",
            s if s.starts_with('{') => "x",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_operation_it_describes_is_served() {
    let h = TestHub::new().await;
    let doc = document(&h).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            let uri = concrete(path);
            let r = h
                .call(
                    &method.to_uppercase(),
                    &uri,
                    None,
                    axum::body::Body::empty(),
                )
                .await;
            // The router's fallback (no such endpoint) and 405 (no such method) are the only
            // answers a missing route gives; a missing repo answers 401 to an anonymous caller.
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            assert!(
                !String::from_utf8_lossy(&r.body).contains("no such endpoint"),
                "{method} {uri} is described but not served"
            );
            assert!(!r.status.is_server_error(), "{method} {uri}: {}", r.status);
        }
    }
}
