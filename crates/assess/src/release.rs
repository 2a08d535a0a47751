//! The seam between the assessor and whoever stores the release.

use serde::{Deserialize, Serialize};

/// One file of a release: its path relative to the release root (`/`-separated) and its size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFile {
    pub path: String,
    pub size: u64,
}

/// A release's file tree, readable in bounded pieces.
///
/// The hub implements this over a commit of its repository model; the CLI uses
/// [`crate::DirRelease`]. The assessor never asks for more than the `*_MAX` bound of the
/// inspector concerned, so an implementation may refuse larger reads.
pub trait Release {
    /// Every file of the release. Directories are implied by paths.
    fn files(&self) -> &[ReleaseFile];
    /// Up to `max_len` bytes of `path` from `offset`; fewer at the end of the file.
    fn read(&self, path: &str, offset: u64, max_len: usize) -> std::io::Result<Vec<u8>>;
    /// What the evidence is relative to: a commit id, or the directory assessed.
    fn root(&self) -> &str;
}
