//! Errors of the assessor's fallible entry points: reading a MOF manifest and walking a local
//! directory. Assessing a release itself never fails: unreadable files become findings.

use std::path::PathBuf;

/// What went wrong, with the file or field it concerns.
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    #[error("MOF manifest is {size} bytes; the limit is {max} bytes")]
    ManifestTooLarge { size: usize, max: usize },
    #[error("MOF manifest is not valid YAML: {0}")]
    ManifestYaml(String),
    #[error("MOF manifest has no `{0}`; see the MOT schema (release.name, release.components)")]
    ManifestMissing(&'static str),
    #[error("MOF manifest names an unknown component {0:?}; use one of MOF's 17 component names")]
    UnknownComponent(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a directory; `assess` takes the directory of a release")]
    NotADirectory { path: PathBuf },
    #[error("{0} is not a tier; use one of {1}")]
    UnknownTier(String, &'static str),
}
