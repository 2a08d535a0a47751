//! A [`Release`] over a local directory, for `commonhold assess DIR`.
//!
//! This is the only module of the crate that touches the filesystem; the hub does not use it.
//! It skips `.git` and follows no symbolic links, so a release cannot make the assessor read
//! outside its directory.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component as PathComponent, Path, PathBuf};

use crate::error::AssessError;
use crate::release::{Release, ReleaseFile};

/// Upper bound on the number of files listed, so a pathological tree cannot exhaust memory.
pub const DIR_FILES_MAX: usize = 1_000_000;

/// A release read from a directory on disk.
#[derive(Debug)]
pub struct DirRelease {
    dir: PathBuf,
    root: String,
    files: Vec<ReleaseFile>,
}

impl DirRelease {
    /// Lists the regular files under `dir` (sorted by path), skipping `.git` and symlinks.
    pub fn open(dir: impl AsRef<Path>) -> Result<DirRelease, AssessError> {
        let dir = dir.as_ref().to_path_buf();
        let meta = std::fs::metadata(&dir).map_err(|source| AssessError::Io {
            path: dir.clone(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(AssessError::NotADirectory { path: dir });
        }
        let mut files = Vec::new();
        let mut pending = vec![dir.clone()];
        while let Some(current) = pending.pop() {
            let entries = std::fs::read_dir(&current).map_err(|source| AssessError::Io {
                path: current.clone(),
                source,
            })?;
            for entry in entries {
                let entry = entry.map_err(|source| AssessError::Io {
                    path: current.clone(),
                    source,
                })?;
                let path = entry.path();
                // `file_type` does not follow symlinks: a link is neither a file nor a dir here.
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if entry.file_name() != ".git" {
                        pending.push(path);
                    }
                } else if kind.is_file() && files.len() < DIR_FILES_MAX {
                    let Some(rel) = relative(&dir, &path) else {
                        continue;
                    };
                    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    files.push(ReleaseFile { path: rel, size });
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DirRelease {
            root: dir.display().to_string(),
            dir,
            files,
        })
    }
}

/// `path` relative to `base`, `/`-separated; `None` when not valid UTF-8.
fn relative(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Option<Vec<&str>> = rel
        .components()
        .map(|c| match c {
            PathComponent::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    Some(parts?.join("/"))
}

impl Release for DirRelease {
    fn files(&self) -> &[ReleaseFile] {
        &self.files
    }

    fn read(&self, path: &str, offset: u64, max_len: usize) -> std::io::Result<Vec<u8>> {
        // Only paths we listed may be read: nothing the caller passes escapes the directory.
        if self
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_err()
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{path} is not a file of this release"),
            ));
        }
        let mut file = File::open(self.dir.join(path))?;
        file.seek(SeekFrom::Start(offset))?;
        let mut buf = Vec::new();
        file.take(max_len as u64).read_to_end(&mut buf)?;
        Ok(buf)
    }

    fn root(&self) -> &str {
        &self.root
    }
}
