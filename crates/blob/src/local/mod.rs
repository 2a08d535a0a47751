//! The local filesystem backend (the default): see [`layout`] for the directory layout.

mod cleanup;
mod layout;
mod multipart;
mod read;
mod writer;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use commonhold_types::Sha256;

pub use cleanup::{TEMP_MAX_AGE, UPLOAD_MAX_AGE};
use layout::Layout;
pub use multipart::{MAX_PART_NUMBER, MAX_PART_SIZE};

use crate::error::BlobError;
use crate::key::{BlobKey, ListedKind, PartReceipt, UploadId};
use crate::store::{BlobStore, BlobStream, BlobWriter};

/// Blobs as files under one root directory. Cheap to clone (shares the layout).
#[derive(Clone, Debug)]
pub struct LocalBlobStore {
    layout: Arc<Layout>,
}

impl LocalBlobStore {
    /// Opens (creating if needed) a store rooted at `root`, and removes what interrupted work
    /// left behind: temp files older than [`TEMP_MAX_AGE`] and uploads idle for
    /// [`UPLOAD_MAX_AGE`].
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self, BlobError> {
        let layout = Arc::new(Layout::new(root.into()));
        let setup = layout.clone();
        tokio::task::spawn_blocking(move || {
            for dir in [setup.lfs_dir(), setup.tmp_dir(), setup.parts_dir()] {
                std::fs::create_dir_all(&dir).map_err(BlobError::io("create directory", &dir))?;
            }
            let temps = cleanup::remove_stale(&setup.tmp_dir(), TEMP_MAX_AGE);
            let uploads = cleanup::remove_stale(&setup.parts_dir(), UPLOAD_MAX_AGE);
            if temps + uploads > 0 {
                tracing::info!(temps, uploads, "removed leftovers of interrupted writes");
            }
            Ok::<_, BlobError>(())
        })
        .await??;
        Ok(LocalBlobStore { layout })
    }

    /// Opens a stored blob, mapping absence to [`BlobError::NotFound`].
    async fn open_blob(&self, key: &BlobKey) -> Result<(std::fs::File, u64), BlobError> {
        let path = self.layout.blob_path(key);
        let key = *key;
        tokio::task::spawn_blocking(move || {
            let file =
                std::fs::File::open(&path).map_err(|err| not_found_or(err, key, "open", &path))?;
            let len = file.metadata().map_err(BlobError::io("stat", &path))?.len();
            Ok((file, len))
        })
        .await?
    }
}

fn not_found_or(err: std::io::Error, key: BlobKey, action: &'static str, path: &Path) -> BlobError {
    if err.kind() == std::io::ErrorKind::NotFound {
        BlobError::NotFound(key)
    } else {
        BlobError::io(action, path)(err)
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn writer(&self) -> Result<Box<dyn BlobWriter>, BlobError> {
        Ok(Box::new(
            writer::LocalWriter::create(self.layout.clone()).await?,
        ))
    }

    async fn stat(&self, key: &BlobKey) -> Result<Option<u64>, BlobError> {
        let path = self.layout.blob_path(key);
        match tokio::fs::metadata(&path).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(BlobError::io("stat", path)(err)),
        }
    }

    async fn read(
        &self,
        key: &BlobKey,
        range: Option<Range<u64>>,
    ) -> Result<BlobStream, BlobError> {
        let (file, size) = self.open_blob(key).await?;
        let Range { start, end } = range.unwrap_or(0..size);
        let whole_empty = start == 0 && end == 0 && size == 0;
        if !whole_empty && (start >= end || end > size) {
            return Err(BlobError::InvalidRange { start, end, size });
        }
        Ok(read::stream_file(file, start, end - start))
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        let path = self.layout.blob_path(key);
        match tokio::fs::remove_file(&path).await {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(BlobError::io("delete", path)(err))
            }
            _ => Ok(()),
        }
    }

    async fn list_kind(&self, kind: ListedKind) -> Result<Vec<(BlobKey, u64)>, BlobError> {
        let layout = self.layout.clone();
        tokio::task::spawn_blocking(move || list_files(&layout, kind)).await?
    }

    async fn verify(&self, key: &BlobKey) -> Result<bool, BlobError> {
        let (file, _) = self.open_blob(key).await?;
        if !matches!(key, BlobKey::Lfs(_)) {
            return Ok(true);
        }
        let path = self.layout.blob_path(key);
        let actual = tokio::task::spawn_blocking(move || read::sha256_file(file))
            .await?
            .map_err(BlobError::io("read", path))?;
        // Only LFS keys reach here; Xet objects are checked by the Xet layer (commonhold fsck).
        Ok(actual == key.sha256())
    }

    async fn put_part(
        &self,
        upload: &UploadId,
        part: u32,
        body: BlobStream,
    ) -> Result<PartReceipt, BlobError> {
        multipart::put_part(&self.layout, upload, part, body).await
    }

    async fn complete_parts(
        &self,
        upload: &UploadId,
        parts: &[(u32, String)],
        expected: Sha256,
        size: u64,
    ) -> Result<(), BlobError> {
        multipart::complete_parts(self.layout.clone(), upload, parts, expected, size).await
    }

    async fn abort_parts(&self, upload: &UploadId) -> Result<(), BlobError> {
        multipart::abort_parts(&self.layout, upload).await
    }

    async fn put_verified(&self, key: &BlobKey, data: bytes::Bytes) -> Result<bool, BlobError> {
        let layout = self.layout.clone();
        let key = *key;
        tokio::task::spawn_blocking(move || put_file(&layout, &key, &data)).await?
    }
}

/// Writes `data` to a temp file, fsyncs it and renames it to `key`'s path unless that exists
/// (create-only: identical content under the same key is kept, never rewritten).
fn put_file(layout: &Layout, key: &BlobKey, data: &[u8]) -> Result<bool, BlobError> {
    use std::io::Write;
    let dest = layout.blob_path(key);
    if dest.exists() {
        return Ok(false);
    }
    let temp = layout::TempFile::new(layout.temp_path());
    let mut file =
        std::fs::File::create(temp.path()).map_err(BlobError::io("create", temp.path()))?;
    file.write_all(data)
        .map_err(BlobError::io("write", temp.path()))?;
    file.sync_all()
        .map_err(BlobError::io("sync", temp.path()))?;
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(BlobError::io("create directory", dir))?;
    std::fs::rename(temp.path(), &dest).map_err(BlobError::io("rename into", &dest))?;
    temp.disarm();
    layout::sync_dir(dir).map_err(BlobError::io("sync", dir))?;
    Ok(true)
}

/// Walks `<kind>/ab/cd/<hex>`, keeping only files whose names are keys filed where
/// [`Layout::blob_path`] puts them; anything else (a stray file) is not a blob and is skipped.
/// A kind nothing was ever stored under has no directory: it lists nothing.
fn list_files(layout: &Layout, kind: ListedKind) -> Result<Vec<(BlobKey, u64)>, BlobError> {
    let mut out = Vec::new();
    let top = layout.kind_dir(kind);
    if !top.exists() {
        return Ok(out);
    }
    for first in subdirs(&top)? {
        for second in subdirs(&first)? {
            for entry in std::fs::read_dir(&second)
                .map_err(BlobError::io("list", &second))?
                .flatten()
            {
                let name = entry.file_name();
                let Some(key) = name.to_str().and_then(|n| kind.key(n)) else {
                    continue;
                };
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_file() && layout.blob_path(&key) == entry.path() {
                    out.push((key, meta.len()));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, BlobError> {
    let entries = std::fs::read_dir(dir).map_err(BlobError::io("list", dir))?;
    Ok(entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect())
}

#[cfg(test)]
mod xorb_tests {
    use super::*;

    #[tokio::test]
    async fn xorbs_are_stored_create_only_under_their_own_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::open(dir.path()).await.unwrap();
        let key = BlobKey::Xorb([0xab; 32]);
        assert!(
            store
                .put_verified(&key, bytes::Bytes::from_static(b"first"))
                .await
                .unwrap()
        );
        assert!(
            !store
                .put_verified(&key, bytes::Bytes::from_static(b"other"))
                .await
                .unwrap()
        );
        assert_eq!(
            crate::read_to_vec(&store, &key, 100).await.unwrap(),
            b"first"
        );
        assert!(
            dir.path()
                .join("xorbs/ab/ab")
                .join("ab".repeat(32))
                .is_file()
        );
        assert!(store.verify(&key).await.unwrap());
        // Xorbs are not LFS blobs: the LFS listing (fsck's) does not show them.
        assert!(store.list().await.unwrap().is_empty());
    }
}
