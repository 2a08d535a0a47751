//! Reading git objects from the metadata store, through a cache.
//!
//! Git objects are immutable and content-addressed, so caching them is always correct, across
//! processes too: a cached object can never be stale. The cache keeps parsed commits and trees
//! and, for blobs, only what the hot paths need (size and LFS pointer), not their content.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use commonhold_gitmodel::{Commit, LfsPointer, ObjectKind, Tree};
use commonhold_types::GitOid;

use crate::{Hub, HubError};

/// What a blob is, without its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobInfo {
    /// Size of the git blob itself (the pointer's size for LFS files).
    pub size: u64,
    pub lfs: Option<LfsPointer>,
}

impl BlobInfo {
    /// Size of the file a user sees: the LFS object's size for LFS files.
    pub fn file_size(&self) -> u64 {
        self.lfs.as_ref().map_or(self.size, |p| p.size)
    }
}

#[derive(Clone)]
enum Cached {
    Commit(Arc<Commit>),
    Tree(Arc<Tree>),
    Blob(Arc<BlobInfo>),
}

/// A bounded map of parsed objects. When full it is emptied: simple, and good enough since the
/// working set of a hub (recent trees and commits) refills quickly.
pub struct ObjectCache {
    map: Mutex<HashMap<GitOid, Cached>>,
    capacity: usize,
}

impl ObjectCache {
    pub fn new(capacity: usize) -> ObjectCache {
        ObjectCache {
            map: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    fn get(&self, oid: &GitOid) -> Option<Cached> {
        self.map.lock().ok()?.get(oid).cloned()
    }

    fn put(&self, oid: GitOid, value: Cached) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= self.capacity {
                map.clear();
            }
            map.insert(oid, value);
        }
    }
}

impl Hub {
    async fn raw_object(&self, oid: &GitOid, want: ObjectKind) -> Result<Vec<u8>, HubError> {
        let (kind, body) = self
            .meta
            .get_object(oid)
            .await?
            .ok_or_else(|| HubError::internal(format!("missing git object {oid}")))?;
        if kind != want.as_u8() {
            return Err(HubError::internal(format!(
                "object {oid} is not a {}",
                want.as_str()
            )));
        }
        Ok(body)
    }

    pub async fn commit(&self, oid: &GitOid) -> Result<Arc<Commit>, HubError> {
        if let Some(Cached::Commit(c)) = self.cache.get(oid) {
            return Ok(c);
        }
        let commit = Arc::new(Commit::decode(
            &self.raw_object(oid, ObjectKind::Commit).await?,
        )?);
        self.cache.put(*oid, Cached::Commit(commit.clone()));
        Ok(commit)
    }

    /// Like [`Hub::commit`], but `None` when the id names no commit (user-supplied ids).
    pub async fn try_commit(&self, oid: &GitOid) -> Result<Option<Arc<Commit>>, HubError> {
        if let Some(Cached::Commit(c)) = self.cache.get(oid) {
            return Ok(Some(c));
        }
        match self.meta.get_object(oid).await? {
            Some((kind, _)) if kind == ObjectKind::Commit.as_u8() => {
                Ok(Some(self.commit(oid).await?))
            }
            _ => Ok(None),
        }
    }

    pub async fn tree(&self, oid: &GitOid) -> Result<Arc<Tree>, HubError> {
        if let Some(Cached::Tree(t)) = self.cache.get(oid) {
            return Ok(t);
        }
        let tree = Arc::new(Tree::decode(
            &self.raw_object(oid, ObjectKind::Tree).await?,
        )?);
        self.cache.put(*oid, Cached::Tree(tree.clone()));
        Ok(tree)
    }

    pub async fn blob_info(&self, oid: &GitOid) -> Result<Arc<BlobInfo>, HubError> {
        if let Some(Cached::Blob(b)) = self.cache.get(oid) {
            return Ok(b);
        }
        // Only the head of the blob is read: a pointer is short, and a file's size is known
        // without loading it.
        let (kind, size, head) = self
            .meta
            .object_head(oid)
            .await?
            .ok_or_else(|| HubError::internal(format!("missing git object {oid}")))?;
        if kind != ObjectKind::Blob.as_u8() {
            return Err(HubError::internal(format!("object {oid} is not a blob")));
        }
        let lfs = if size == head.len() as u64 {
            LfsPointer::parse(&head)
        } else {
            None
        };
        let info = Arc::new(BlobInfo { size, lfs });
        self.cache.put(*oid, Cached::Blob(info.clone()));
        Ok(info)
    }

    /// The content of a regular (non-LFS) file.
    pub async fn blob_content(&self, oid: &GitOid) -> Result<Vec<u8>, HubError> {
        self.raw_object(oid, ObjectKind::Blob).await
    }
}
