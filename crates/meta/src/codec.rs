//! Conversions between stored columns and domain values. Stored values are checked on the way
//! out: a damaged row becomes [`MetaError::Corrupt`], never a panic.

use std::time::{SystemTime, UNIX_EPOCH};

use commonhold_types::GitOid;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::MetaError;

/// Now, in unix milliseconds. A clock before 1970 reads as 0 rather than failing.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Reads a column by name; a missing column or a type mismatch is a database error.
pub(crate) fn col<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, MetaError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    Ok(row.try_get::<T, _>(name)?)
}

/// Flags are stored as 0/1 integers on both backends.
pub(crate) fn flag(row: &AnyRow, name: &str) -> Result<bool, MetaError> {
    Ok(col::<i64>(row, name)? != 0)
}

pub(crate) fn oid_from_bytes(bytes: &[u8]) -> Result<GitOid, MetaError> {
    <[u8; 20]>::try_from(bytes)
        .map(GitOid)
        .map_err(|_| MetaError::Corrupt(format!("a git object id of {} bytes", bytes.len())))
}

/// Reads a nullable git object id column.
pub(crate) fn opt_oid(row: &AnyRow, name: &str) -> Result<Option<GitOid>, MetaError> {
    col::<Option<Vec<u8>>>(row, name)?
        .map(|b| oid_from_bytes(&b))
        .transpose()
}

/// Converts a count or size from the caller into the signed 64-bit integer both backends store.
pub(crate) fn to_i64(value: u64, what: &str) -> Result<i64, MetaError> {
    i64::try_from(value).map_err(|_| MetaError::Invalid(format!("{what} {value} is too large")))
}

/// Converts a stored non-negative integer back; a negative one is damage.
pub(crate) fn to_u64(value: i64, what: &str) -> Result<u64, MetaError> {
    u64::try_from(value).map_err(|_| MetaError::Corrupt(format!("{what} {value} is negative")))
}

/// Parses stored JSON text.
pub(crate) fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, MetaError> {
    serde_json::from_str(text)
        .map_err(|e| MetaError::Corrupt(format!("{what} is not valid JSON: {e}")))
}
