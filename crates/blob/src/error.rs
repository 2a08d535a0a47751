//! The one error type of the blob store.

use std::path::PathBuf;

use commonhold_types::Sha256;

use crate::key::BlobKey;

/// What went wrong with a blob operation.
///
/// The variants a client can cause (mismatches, ranges, parts) carry what the client needs to
/// fix its request; [`BlobError::Io`] and [`BlobError::Store`] carry the location and the action
/// for the operator's log and are not meant to be shown to a client (the server answers them with
/// a plain 500).
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error(
        "the uploaded content has sha256 {actual}, but {expected} was declared; nothing was stored"
    )]
    DigestMismatch { expected: Sha256, actual: Sha256 },
    #[error(
        "the uploaded content is {actual} bytes long, but {expected} bytes were declared; nothing was stored"
    )]
    SizeMismatch { expected: u64, actual: u64 },
    #[error("blob {0} is not in the store")]
    NotFound(BlobKey),
    #[error("bytes {start}..{end} are not a non-empty range inside a blob of {size} bytes")]
    InvalidRange { start: u64, end: u64, size: u64 },
    #[error("{limit} bytes is the most that can be read into memory here; the blob has {size}")]
    TooLarge { size: u64, limit: u64 },
    #[error("{0:?} is not a valid upload id (1 to 64 letters, digits or '-')")]
    InvalidUploadId(String),
    #[error("part number {0} is out of range; parts are numbered 1 to 10000")]
    InvalidPartNumber(u32),
    #[error("part {part} is larger than the limit of {limit} bytes per part")]
    PartTooLarge { part: u32, limit: u64 },
    #[error(
        "part {part} with etag {etag:?} was not uploaded to this upload (or the upload was aborted)"
    )]
    PartMissing { part: u32, etag: String },
    #[error(
        "parts must be listed in strictly ascending order of part number; part {part} is out of order"
    )]
    PartOrder { part: u32 },
    #[error("reading the uploaded body failed: {0}")]
    Body(#[source] std::io::Error),
    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not {action} {location} in the object store: {source}")]
    Store {
        action: &'static str,
        location: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("invalid S3 blob store configuration: {0}")]
    Config(String),
    #[error("a blob store background task failed: {0}")]
    Task(String),
}

impl BlobError {
    /// Wraps an IO error with what was being done to which path.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> BlobError {
        let path = path.into();
        move |source| BlobError::Io {
            action,
            path,
            source,
        }
    }
}

impl From<tokio::task::JoinError> for BlobError {
    fn from(err: tokio::task::JoinError) -> BlobError {
        BlobError::Task(err.to_string())
    }
}
