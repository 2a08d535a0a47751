//! The durable, ordered commit log and its consumers' cursors.
//!
//! Sequence numbers come from the single row of `log_head`, which an appending transaction
//! updates before anything else (see [`claim_log`]). The row lock that this update takes is
//! held until commit, so appends are serialised: `seq` is gap-free, strictly increasing in
//! commit order, and an entry is visible only after every smaller one is. This is what lets a
//! consumer resume from a single number (see the crate documentation). On SQLite the write lock
//! already serialises writers; on PostgreSQL the row lock does, across processes.

use commonhold_types::GitOid;
use sqlx::{Any, Transaction};

use crate::MetaStore;
use crate::codec::{col, now_ms, opt_oid, to_i64};
use crate::error::MetaError;
use crate::model::LogEntry;

/// Takes the log lock for this transaction without allocating a number. Every transaction that
/// changes refs calls this (or [`next_seq`]) before touching `refs`, so all of them lock in one
/// order and cannot deadlock.
pub(crate) async fn claim_log(tx: &mut Transaction<'static, Any>) -> Result<(), MetaError> {
    sqlx::query("UPDATE log_head SET last_seq = last_seq WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Allocates the next sequence number (and takes the log lock if not yet held).
pub(crate) async fn next_seq(tx: &mut Transaction<'static, Any>) -> Result<i64, MetaError> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE log_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
    )
    .fetch_optional(&mut **tx)
    .await?;
    seq.ok_or_else(|| MetaError::Corrupt("the commit log counter row is missing".to_string()))
}

/// Writes log entry `seq`, which the caller got from [`next_seq`] in the same transaction.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    seq: i64,
    repo_id: i64,
    ref_name: &str,
    old: Option<GitOid>,
    new: Option<GitOid>,
) -> Result<(), MetaError> {
    sqlx::query(
        "INSERT INTO commit_log (seq, repo_id, ref_name, old_oid, new_oid, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(seq)
    .bind(repo_id)
    .bind(ref_name)
    .bind(old.map(|o| o.0.to_vec()))
    .bind(new.map(|o| o.0.to_vec()))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl MetaStore {
    /// Up to `limit` log entries with `seq > after_seq`, in order.
    pub async fn log_since(&self, after_seq: i64, limit: u64) -> Result<Vec<LogEntry>, MetaError> {
        let rows = sqlx::query(
            "SELECT seq, repo_id, ref_name, old_oid, new_oid, at FROM commit_log \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(to_i64(limit, "limit").unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LogEntry {
                    seq: col(row, "seq")?,
                    repo_id: col(row, "repo_id")?,
                    ref_name: col(row, "ref_name")?,
                    old: opt_oid(row, "old_oid")?,
                    new: opt_oid(row, "new_oid")?,
                    at: col(row, "at")?,
                })
            })
            .collect()
    }

    /// The last sequence number `consumer` recorded as processed; 0 if it never did.
    pub async fn cursor(&self, consumer: &str) -> Result<i64, MetaError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM log_cursors WHERE consumer = $1")
                .bind(consumer)
                .fetch_optional(&self.pool)
                .await?;
        Ok(seq.unwrap_or(0))
    }

    /// Records that `consumer` has processed every entry up to and including `seq`.
    pub async fn set_cursor(&self, consumer: &str, seq: i64) -> Result<(), MetaError> {
        sqlx::query(
            "INSERT INTO log_cursors (consumer, seq) VALUES ($1, $2) \
             ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq",
        )
        .bind(consumer)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
