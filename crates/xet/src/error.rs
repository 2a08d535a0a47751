//! The one error type of the Xet crate.

use crate::hash::XetHash;

/// Why a xorb, a shard or a reconstruction request was refused. Every variant is caused by what
/// a client sent (or asked for), so its message says what was wrong; none carries internals.
#[derive(Debug, thiserror::Error)]
pub enum XetError {
    #[error("{0:?} is not a Xet hash (64 hexadecimal digits)")]
    BadHash(String),
    #[error("the xorb is malformed: {0}")]
    MalformedXorb(String),
    #[error(
        "the xorb's content hashes to {actual}, not {expected} as its URL says; nothing was stored"
    )]
    XorbHashMismatch { expected: XetHash, actual: XetHash },
    #[error("the shard is malformed: {0}")]
    MalformedShard(String),
    #[error("the shard names xorb {0}, which has not been uploaded; upload the xorb first")]
    MissingXorb(XetHash),
    #[error("file {file}: {reason}")]
    InvalidFile { file: XetHash, reason: String },
    #[error("stored Xet metadata is damaged: {0}")]
    Corrupt(String),
    #[error("bytes from {start} are outside a file of {size} bytes")]
    RangeNotSatisfiable { start: u64, size: u64 },
}
