//! The Model Openness Framework: components, MOT's licence rule, manifests and the classifier.

pub mod components;
pub mod engine;
pub mod licences;
pub mod manifest;

pub use components::{Component, ContentType};
pub use engine::{ClassProgress, MofComponent, MofResult, MofStatus, class_label, evaluate};
pub use manifest::{DeclaredComponent, DeclaredLicence, MANIFEST_MAX, MofManifest};

/// Classifies a declared MOF manifest exactly as the Model Openness Tool does.
pub fn evaluate_manifest(manifest: &MofManifest) -> MofResult {
    let present: Vec<(Component, Option<String>)> = manifest
        .components
        .iter()
        .map(|d| (d.component, manifest.resolve_licence(d)))
        .collect();
    evaluate(&present)
}
