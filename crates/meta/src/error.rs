//! The one error type of the metadata store.
//!
//! Callers decide what a user sees from the variant: `Conflict` and `NotFound` carry messages
//! written for people ("the name `acme` is already taken"); `Database` wraps the driver's error,
//! which names no SQL but may name tables, so the HTTP layer logs it and answers with a generic
//! message.

use sqlx::error::ErrorKind;

/// Why a metadata operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// A name (account, repo) is already taken; the message says which.
    #[error("{0}")]
    Conflict(String),
    /// The thing the operation refers to (an account, a repo) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The caller passed something the store refuses to record: a malformed name, a size out
    /// of range, a database URL of an unknown kind.
    #[error("{0}")]
    Invalid(String),
    /// The database failed or could not be reached.
    #[error("metadata database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored value does not decode (for example a 19-byte git object id): the database was
    /// edited by hand or damaged.
    #[error("metadata database holds an invalid value: {0}")]
    Corrupt(String),
}

impl From<sqlx::migrate::MigrateError> for MetaError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        MetaError::Database(sqlx::Error::Migrate(Box::new(e)))
    }
}

/// The constraint a database error reports, if it is one we translate.
fn constraint_kind(e: &sqlx::Error) -> Option<ErrorKind> {
    match e {
        sqlx::Error::Database(db) => Some(db.kind()),
        _ => None,
    }
}

/// Turns a unique-constraint violation into [`MetaError::Conflict`] with `what` as message, and
/// a foreign-key violation into [`MetaError::NotFound`] with `missing` as message. Other errors
/// pass through unchanged.
pub(crate) fn translate(
    e: sqlx::Error,
    what: impl FnOnce() -> String,
    missing: impl FnOnce() -> String,
) -> MetaError {
    match constraint_kind(&e) {
        Some(ErrorKind::UniqueViolation) => MetaError::Conflict(what()),
        Some(ErrorKind::ForeignKeyViolation) => MetaError::NotFound(missing()),
        _ => MetaError::Database(e),
    }
}

/// Turns a foreign-key violation into [`MetaError::NotFound`] with `missing` as message.
pub(crate) fn missing_parent(e: sqlx::Error, missing: impl FnOnce() -> String) -> MetaError {
    match constraint_kind(&e) {
        Some(ErrorKind::ForeignKeyViolation) => MetaError::NotFound(missing()),
        _ => MetaError::Database(e),
    }
}
