//! Evidence-based openness assessment of a model or dataset release.
//!
//! The core does no IO of its own: it reads a release through the [`Release`] trait, which the
//! caller implements (the hub over its blob store, the CLI over a local directory with
//! [`DirRelease`]). Every read is bounded by the caller-visible `*_MAX` constants of [`inspect`].

mod assess;
mod component_map;
mod data_info;
mod dataset;
pub mod dir_release;
pub mod error;
pub mod explain;
mod finding_id;
mod findings;
pub mod inspect;
pub mod knowledge;
mod licensing;
mod lineage;
pub mod model;
pub mod mof;
pub mod release;
pub mod render;
mod scan;
mod tiers;

pub use assess::{AssessOptions, assess};
pub use dir_release::DirRelease;
pub use error::AssessError;
pub use finding_id::FindingId;
pub use knowledge::{Knowledge, KnowledgeError, KnowledgeStamp};
pub use model::{
    Assessment, ComponentAssessment, ComponentState, DataGrade, DataInformation, DataStatement,
    Evidence, Finding, NextTier, OsaidVerdict, SCHEMA_VERSION, Severity, Tier,
};
pub use mof::{MofManifest, MofResult, evaluate_manifest};
pub use release::{MemoryRelease, Release, ReleaseFile};
pub use render::{Format, render};
