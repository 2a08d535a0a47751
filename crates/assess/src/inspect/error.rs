//! The one error type of the inspectors.
//!
//! Inspectors never hand a `Result` to their callers: a malformed file is itself a fact about
//! the release. Internally they still use `Result<_, InspectError>` with `?`, and convert the
//! error to the `error` string of their facts at the public boundary, so the message says which
//! structure was malformed and where.

use thiserror::Error;

/// Why an inspector could not read (all of) a file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InspectError {
    /// The input ended before a structure it declares.
    #[error("truncated {what}: needs {needed} bytes at offset {offset}, only {available} present")]
    Truncated {
        /// The structure being read, e.g. "safetensors header".
        what: &'static str,
        /// Byte offset where the structure starts.
        offset: u64,
        /// Bytes the structure needs.
        needed: u64,
        /// Bytes actually present from `offset`.
        available: u64,
    },
    /// A declared size exceeds the bound the inspector accepts.
    #[error("{what} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The structure being read.
        what: &'static str,
        /// The declared or actual size.
        size: u64,
        /// The bound.
        limit: u64,
    },
    /// The bytes do not have the expected format.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// The structure being read.
        what: &'static str,
        /// What was wrong, in words.
        detail: String,
    },
}

impl InspectError {
    /// Shorthand for [`InspectError::Malformed`].
    pub(crate) fn malformed(what: &'static str, detail: impl Into<String>) -> Self {
        Self::Malformed {
            what,
            detail: detail.into(),
        }
    }
}
