//! The backend-neutral interface: what the server, the importer and fsck program against.

use std::ops::Range;

use async_trait::async_trait;
use commonhold_types::Sha256;
use futures::StreamExt;

use crate::error::BlobError;
use crate::key::{BlobKey, ListedKind, PartReceipt, UploadId};

/// A blob's content as a stream of chunks (large ones, to keep per-chunk overhead low).
pub type BlobStream = futures::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>;

/// A content-addressed store of blobs. Implemented by [`crate::LocalBlobStore`] and
/// [`crate::S3BlobStore`], so callers do not change with the backend.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// A new verified write. Nothing is visible until `commit` succeeds.
    async fn writer(&self) -> Result<Box<dyn BlobWriter>, BlobError>;

    /// Size of a stored blob, None if absent.
    async fn stat(&self, key: &BlobKey) -> Result<Option<u64>, BlobError>;

    /// Reads `range` (start inclusive, end exclusive; None = whole) as a stream of chunks.
    /// A range must be non-empty and lie inside the blob ([`BlobError::InvalidRange`]).
    async fn read(&self, key: &BlobKey, range: Option<Range<u64>>)
    -> Result<BlobStream, BlobError>;

    /// Removes a blob. Removing an absent blob succeeds, so GC can be re-run after a crash.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;

    /// Every stored LFS key with its size (for fsck / GC).
    async fn list(&self) -> Result<Vec<(BlobKey, u64)>, BlobError> {
        self.list_kind(ListedKind::Lfs).await
    }

    /// Every stored key of one kind with its size, sorted (for fsck / GC).
    async fn list_kind(&self, kind: ListedKind) -> Result<Vec<(BlobKey, u64)>, BlobError>;

    /// Re-hashes a stored blob and says whether it still matches its key (fsck).
    async fn verify(&self, key: &BlobKey) -> Result<bool, BlobError>;

    /// Stores one part of a multipart upload. Parts may arrive in any order, in parallel,
    /// and be retried; each accepted attempt gets its own etag.
    async fn put_part(
        &self,
        upload: &UploadId,
        part: u32,
        body: BlobStream,
    ) -> Result<PartReceipt, BlobError>;

    /// Assembles the listed parts (ascending part numbers, each with the etag its upload
    /// returned), verifying the sha256 and total size, then stores the blob as
    /// `BlobKey::Lfs(expected)` and forgets the parts. On error nothing is stored and the
    /// parts are kept, so the client may fix its list or abort.
    async fn complete_parts(
        &self,
        upload: &UploadId,
        parts: &[(u32, String)],
        expected: Sha256,
        size: u64,
    ) -> Result<(), BlobError>;

    /// Removes every part of an upload. Aborting an unknown upload succeeds.
    async fn abort_parts(&self, upload: &UploadId) -> Result<(), BlobError>;

    /// Stores small content (a xorb, at most tens of MiB) under a key whose content the caller
    /// has already verified, durably and create-only: if the key exists it is kept and `false`
    /// is returned, otherwise `true`. For Xet objects, whose hashes only the Xet layer computes.
    async fn put_verified(&self, key: &BlobKey, data: bytes::Bytes) -> Result<bool, BlobError>;
}

/// A write in progress. Dropping it (or [`BlobWriter::abort`]) leaves no visible blob.
#[async_trait]
pub trait BlobWriter: Send {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError>;

    /// Bytes accepted so far.
    fn written(&self) -> u64;

    /// Verifies that what was written has sha256 `expected` and length `size`, then makes it
    /// visible as `BlobKey::Lfs(expected)` (durably: fsync file and directory). If it already
    /// exists, just drop the temp data (dedup). On mismatch: `BlobError::DigestMismatch` /
    /// `SizeMismatch` and nothing is stored.
    async fn commit(self: Box<Self>, expected: Sha256, size: u64) -> Result<(), BlobError>;

    /// Discards everything written.
    async fn abort(self: Box<Self>);
}

/// Stores `data` (whose digest is computed here) and returns its key. For small, in-memory
/// content such as generated files; uploads should stream through [`BlobStore::writer`].
pub async fn put_bytes(store: &dyn BlobStore, data: &[u8]) -> Result<BlobKey, BlobError> {
    let digest = crate::sha256_of(data);
    let mut writer = store.writer().await?;
    writer.write(data).await?;
    writer.commit(digest, data.len() as u64).await?;
    Ok(BlobKey::Lfs(digest))
}

/// Reads a whole blob into memory, refusing blobs larger than `limit` bytes: the bound every
/// read of untrusted content needs.
pub async fn read_to_vec(
    store: &dyn BlobStore,
    key: &BlobKey,
    limit: u64,
) -> Result<Vec<u8>, BlobError> {
    let size = store.stat(key).await?.ok_or(BlobError::NotFound(*key))?;
    if size > limit {
        return Err(BlobError::TooLarge { size, limit });
    }
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or_default());
    let mut stream = store.read(key, None).await?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(BlobError::Body)?;
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(BlobError::TooLarge {
                size: out.len() as u64 + chunk.len() as u64,
                limit,
            });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
