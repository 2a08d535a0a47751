//! Reading git objects from the metadata store, through a cache.
//!
//! Git objects are immutable and content-addressed, so caching them is always correct, across
//! processes too: a cached object can never be stale. The cache keeps parsed commits and trees
//! and, for blobs, what the hot paths need (size and LFS pointer); the content only of small
//! blobs (`config.json`, tokenizer files), which clients fetch by the dozen.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use commonhold_blob::{BlobKey, BlobStream};
use commonhold_gitmodel::{Commit, LfsPointer, ObjectKind, Tree, hash_object};
use commonhold_types::GitOid;
use futures::StreamExt;

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
    contents: Mutex<Contents>,
    copies: BlobCopies,
}

/// Large git blobs copied to the blob store ([`Hub::blob_range`]).
#[derive(Default)]
struct BlobCopies {
    /// Blobs known to have their copy; emptied when it reaches [`COPIES_KNOWN`].
    done: Mutex<HashSet<GitOid>>,
    /// Held while a copy is made: each holds a whole blob in memory.
    one_at_a_time: tokio::sync::Mutex<()>,
}

const COPIES_KNOWN: usize = 100_000;

/// Blob contents of at most [`SMALL_BLOB_BYTES`] each, [`CONTENT_CACHE_BYTES`] in all.
#[derive(Default)]
struct Contents {
    map: HashMap<GitOid, Bytes>,
    bytes: usize,
}

/// Largest blob whose content is kept in memory.
pub const SMALL_BLOB_BYTES: u64 = 1 << 20;
/// Most bytes of blob content kept; emptied when full.
const CONTENT_CACHE_BYTES: usize = 64 << 20;

impl ObjectCache {
    pub fn new(capacity: usize) -> ObjectCache {
        ObjectCache {
            map: Mutex::new(HashMap::new()),
            capacity,
            contents: Mutex::default(),
            copies: BlobCopies::default(),
        }
    }

    fn content(&self, oid: &GitOid) -> Option<Bytes> {
        self.contents.lock().ok()?.map.get(oid).cloned()
    }

    fn put_content(&self, oid: GitOid, content: Bytes) {
        if let Ok(mut c) = self.contents.lock() {
            if c.bytes + content.len() > CONTENT_CACHE_BYTES {
                *c = Contents::default();
            }
            c.bytes += content.len();
            if let Some(old) = c.map.insert(oid, content) {
                c.bytes -= old.len();
            }
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

    /// The content of a regular file to serve: small ones from memory after the first read.
    pub async fn blob_bytes(&self, oid: &GitOid) -> Result<Bytes, HubError> {
        if let Some(content) = self.cache.content(oid) {
            return Ok(content);
        }
        let content = Bytes::from(self.blob_content(oid).await?);
        if content.len() as u64 <= SMALL_BLOB_BYTES {
            self.cache.put_content(*oid, content.clone());
        }
        Ok(content)
    }

    /// Bytes `range` of a regular file larger than [`SMALL_BLOB_BYTES`], streamed in bounded
    /// pieces. Such blobs (in history from before the size limit, or from a hub configured
    /// with a higher one) are read from a copy in the blob store under their git id, made by
    /// the first download after a start that finds none: the database row is read whole once
    /// (one copy at a time) and checked against its id, never once per download.
    pub async fn blob_range(
        &self,
        oid: &GitOid,
        range: Range<u64>,
    ) -> Result<BlobStream, HubError> {
        self.ensure_blob_copy(oid).await?;
        if range.start >= range.end {
            return Ok(futures::stream::empty().boxed());
        }
        let key = BlobKey::GitBlob(*oid);
        match self.blobs.read(&key, Some(range.clone())).await {
            // `fsck --prune-copies` removed it (bad, or unreachable when it looked): made again.
            Err(commonhold_blob::BlobError::NotFound(_)) => {
                if let Ok(mut done) = self.cache.copies.done.lock() {
                    done.remove(oid);
                }
                self.ensure_blob_copy(oid).await?;
                Ok(self.blobs.read(&key, Some(range)).await?)
            }
            read => Ok(read?),
        }
    }

    async fn ensure_blob_copy(&self, oid: &GitOid) -> Result<(), HubError> {
        let copies = &self.cache.copies;
        let known = |oid: &GitOid| copies.done.lock().is_ok_and(|d| d.contains(oid));
        if known(oid) {
            return Ok(());
        }
        let _one = copies.one_at_a_time.lock().await;
        let key = BlobKey::GitBlob(*oid);
        if !known(oid) && self.blobs.stat(&key).await?.is_none() {
            let content = self.blob_content(oid).await?;
            if hash_object(ObjectKind::Blob, &content) != *oid {
                return Err(HubError::internal(format!(
                    "git object {oid} does not hash to its id"
                )));
            }
            self.blobs.put_verified(&key, Bytes::from(content)).await?;
        }
        if let Ok(mut done) = copies.done.lock() {
            if done.len() >= COPIES_KNOWN {
                done.clear();
            }
            done.insert(*oid);
        }
        Ok(())
    }
}
