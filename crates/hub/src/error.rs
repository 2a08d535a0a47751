//! The domain layer's error: each variant maps to one HTTP status and Hub error code upstream.

use commonhold_meta::MetaError;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// Missing, or private and not visible to the caller: never says which.
    #[error("Repository not found")]
    RepoNotFound,
    /// A gated repo the caller can see but whose files it may not read (yet): the Hub's
    /// `GatedRepo`, 401 to anonymous callers and 403 to signed-in ones.
    #[error("{0}")]
    Gated(String),
    #[error("Invalid rev id: {0}")]
    RevisionNotFound(String),
    #[error("{0}")]
    EntryNotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Something other than a repo, revision or file is missing (a user, an access request).
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// A stale `parentCommit`, or a branch that moved under a commit that pinned its parent.
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    TooLarge(String),
    /// Something broke inside; the message goes to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl HubError {
    pub fn internal(msg: impl Into<String>) -> HubError {
        HubError::Internal(msg.into())
    }
}

impl From<MetaError> for HubError {
    fn from(e: MetaError) -> HubError {
        match e {
            MetaError::Conflict(m) => HubError::Conflict(m),
            MetaError::NotFound(m) => HubError::BadRequest(m),
            other => HubError::Internal(other.to_string()),
        }
    }
}

impl From<commonhold_blob::BlobError> for HubError {
    fn from(e: commonhold_blob::BlobError) -> HubError {
        HubError::Internal(format!("blob store: {e}"))
    }
}

impl From<commonhold_gitmodel::GitError> for HubError {
    fn from(e: commonhold_gitmodel::GitError) -> HubError {
        HubError::Internal(format!("git object: {e}"))
    }
}
