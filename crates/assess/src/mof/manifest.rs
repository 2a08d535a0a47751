//! The MOF manifest: the YAML a publisher declares for the Model Openness Tool
//! (`conformance/mot/models/*.yml`, schema in `conformance/mot/schema/mof_schema.json`).
//!
//! Only what the MOF judgment needs is kept: the release name, the global licences by type and
//! the declared components with their own licence, resolved as MOT's importer does: a
//! component licence of `unlicensed` or `""` means "no licence" and does not fall back to a
//! global licence, while a missing or null one does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use yaml_serde::Value;

use super::components::{Component, ContentType};
use crate::error::AssessError;

/// Upper bound on the size of a manifest the assessor parses.
pub const MANIFEST_MAX: usize = 1 << 20;

/// The licence a manifest gives one component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum DeclaredLicence {
    /// No `license` key (or null): the global licence for the type applies.
    Inherit,
    /// `license: unlicensed` or an empty string: explicitly none.
    Unlicensed,
    /// A licence id or name, compared exactly as MOT does.
    Named(String),
}

/// One component a manifest declares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredComponent {
    pub component: Component,
    pub licence: DeclaredLicence,
    /// `component_path`, when given (often a URL).
    pub path: Option<String>,
}

/// A parsed MOF manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MofManifest {
    /// `release.name`: the key MOT's results are joined on.
    pub name: String,
    /// `release.license.<distribution|code|data|document>.name`, non-empty ones only.
    pub global_licences: BTreeMap<String, String>,
    pub components: Vec<DeclaredComponent>,
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_mapping().and_then(|m| m.get(key))
}

impl MofManifest {
    /// Parses a manifest from YAML text.
    pub fn from_yaml(text: &str) -> Result<MofManifest, AssessError> {
        if text.len() > MANIFEST_MAX {
            return Err(AssessError::ManifestTooLarge {
                size: text.len(),
                max: MANIFEST_MAX,
            });
        }
        let doc: Value =
            yaml_serde::from_str(text).map_err(|e| AssessError::ManifestYaml(e.to_string()))?;
        let release = field(&doc, "release").ok_or(AssessError::ManifestMissing("release"))?;
        let name = field(release, "name")
            .and_then(scalar_string)
            .ok_or(AssessError::ManifestMissing("release.name"))?;
        let mut global_licences = BTreeMap::new();
        if let Some(map) = field(release, "license").and_then(Value::as_mapping) {
            for (key, value) in map {
                let (Some(key), Some(id)) = (
                    scalar_string(key),
                    field(value, "name").and_then(scalar_string),
                ) else {
                    continue;
                };
                if !id.is_empty() {
                    global_licences.insert(key, id);
                }
            }
        }
        let mut components: Vec<DeclaredComponent> = Vec::new();
        let listed = field(release, "components")
            .and_then(Value::as_sequence)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for item in listed {
            let cname = field(item, "name")
                .and_then(scalar_string)
                .ok_or(AssessError::ManifestMissing("release.components[].name"))?;
            let component = Component::from_name(cname.trim())
                .ok_or_else(|| AssessError::UnknownComponent(cname.clone()))?;
            let licence = match field(item, "license") {
                None | Some(Value::Null) => DeclaredLicence::Inherit,
                Some(v) => match scalar_string(v) {
                    Some(s) if s.is_empty() || s == "unlicensed" => DeclaredLicence::Unlicensed,
                    Some(s) => DeclaredLicence::Named(s),
                    None => DeclaredLicence::Unlicensed,
                },
            };
            let path = field(item, "component_path").and_then(scalar_string);
            let declared = DeclaredComponent {
                component,
                licence,
                path,
            };
            // MOT keys components by id, so a repeated component replaces the earlier one.
            match components.iter_mut().find(|c| c.component == component) {
                Some(existing) => *existing = declared,
                None => components.push(declared),
            }
        }
        Ok(MofManifest {
            name,
            global_licences,
            components,
        })
    }

    /// The licence that applies to a declared component: its own, else the global licence for
    /// its content type, else the distribution licence; `None` when unlicensed.
    pub fn resolve_licence(&self, declared: &DeclaredComponent) -> Option<String> {
        match &declared.licence {
            DeclaredLicence::Named(id) => Some(id.clone()),
            DeclaredLicence::Unlicensed => None,
            DeclaredLicence::Inherit => self.global_for(declared.component.content_type()),
        }
    }

    /// The global licence for a content type, falling back to `distribution`.
    pub fn global_for(&self, content_type: ContentType) -> Option<String> {
        self.global_licences
            .get(content_type.as_str())
            .or_else(|| self.global_licences.get("distribution"))
            .cloned()
    }
}
