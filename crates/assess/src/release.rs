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

/// A release held in memory: each file's path and bytes. For callers that already hold the
/// files (a fuzz target, a test, an upload being checked).
pub struct MemoryRelease {
    files: Vec<ReleaseFile>,
    contents: Vec<Vec<u8>>,
    root: String,
}

impl MemoryRelease {
    /// The release the `data_grade` fuzz target and its replay test assess: a model card and a
    /// data card, split at the input's first NUL byte.
    #[doc(hidden)]
    pub fn card_and_data_card(data: &[u8]) -> MemoryRelease {
        let (card, sheet) = match data.iter().position(|b| *b == 0) {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, &data[..0]),
        };
        MemoryRelease::new(
            "fuzz",
            vec![
                ("README.md".to_owned(), card.to_vec()),
                ("DATA_CARD.md".to_owned(), sheet.to_vec()),
            ],
        )
    }

    pub fn new(root: &str, files: Vec<(String, Vec<u8>)>) -> MemoryRelease {
        let (files, contents) = files
            .into_iter()
            .map(|(path, bytes)| {
                let size = bytes.len() as u64;
                (ReleaseFile { path, size }, bytes)
            })
            .unzip();
        MemoryRelease {
            files,
            contents,
            root: root.to_owned(),
        }
    }
}

impl Release for MemoryRelease {
    fn files(&self) -> &[ReleaseFile] {
        &self.files
    }

    fn read(&self, path: &str, offset: u64, max_len: usize) -> std::io::Result<Vec<u8>> {
        let Some(i) = self.files.iter().position(|f| f.path == path) else {
            return Err(std::io::ErrorKind::NotFound.into());
        };
        let bytes = &self.contents[i];
        let start = usize::try_from(offset).map_or(bytes.len(), |o| o.min(bytes.len()));
        Ok(bytes[start..start.saturating_add(max_len).min(bytes.len())].to_vec())
    }

    fn root(&self) -> &str {
        &self.root
    }
}
