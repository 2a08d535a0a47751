//! Refs (`refs/heads/main`, `refs/tags/v1`, `refs/pr/3`), moved only by compare-and-swap in
//! one transaction with their commit-log entry; repo deletion, which drops the refs; and the
//! pull-request counter.

use commonhold_types::GitOid;
use sqlx::{Any, Executor, Transaction};

use crate::MetaStore;
use crate::access::record_access_change;
use crate::codec::{col, oid_from_bytes, opt_oid};
use crate::error::{MetaError, missing_parent};
use crate::log::{append, claim_log, next_seq};
use crate::model::RefConflict;
use crate::recent_refs::RefWrite;

/// Applies the compare-and-swap as one conditional statement; true if it took effect. The
/// caller holds a [`RefWrite`] for the whole transaction, so downloads see the move at once.
pub(crate) async fn swap(
    tx: &mut Transaction<'static, Any>,
    _write: &RefWrite<'_>,
    repo_id: i64,
    name: &str,
    old: Option<GitOid>,
    new: Option<GitOid>,
) -> Result<bool, MetaError> {
    let query = match (old, new) {
        (None, Some(new)) => sqlx::query(
            "INSERT INTO refs (repo_id, name, oid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(repo_id)
        .bind(name)
        .bind(new.0.to_vec()),
        (Some(old), Some(new)) => {
            sqlx::query("UPDATE refs SET oid = $3 WHERE repo_id = $1 AND name = $2 AND oid = $4")
                .bind(repo_id)
                .bind(name)
                .bind(new.0.to_vec())
                .bind(old.0.to_vec())
        }
        (Some(old), None) => {
            sqlx::query("DELETE FROM refs WHERE repo_id = $1 AND name = $2 AND oid = $3")
                .bind(repo_id)
                .bind(name)
                .bind(old.0.to_vec())
        }
        (None, None) => {
            return Err(MetaError::Invalid(format!(
                "an update of {name} needs an old or a new value"
            )));
        }
    };
    let done = query
        .execute(&mut **tx)
        .await
        .map_err(|e| missing_parent(e, || format!("no repo with id {repo_id}")))?;
    Ok(done.rows_affected() == 1)
}

/// Reads one ref through the pool or inside a transaction.
pub(crate) async fn read_ref<'e, E>(
    executor: E,
    repo_id: i64,
    name: &str,
) -> Result<Option<GitOid>, MetaError>
where
    E: Executor<'e, Database = Any>,
{
    let oid: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT oid FROM refs WHERE repo_id = $1 AND name = $2")
            .bind(repo_id)
            .bind(name)
            .fetch_optional(executor)
            .await?;
    oid.map(|b| oid_from_bytes(&b)).transpose()
}

impl MetaStore {
    pub async fn get_ref(&self, repo_id: i64, name: &str) -> Result<Option<GitOid>, MetaError> {
        read_ref(&self.pool, repo_id, name).await
    }

    /// All refs of a repo, by name.
    pub async fn list_refs(&self, repo_id: i64) -> Result<Vec<(String, GitOid)>, MetaError> {
        let rows = sqlx::query("SELECT name, oid FROM refs WHERE repo_id = $1 ORDER BY name")
            .bind(repo_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    col(row, "name")?,
                    oid_from_bytes(&col::<Vec<u8>>(row, "oid")?)?,
                ))
            })
            .collect()
    }

    /// Compare-and-swap in ONE transaction: `old` `None` = the ref must not exist, `new` `None`
    /// = delete it. On success appends `(repo_id, name, old, new)` to the commit log in the
    /// same transaction and returns its sequence number. On mismatch returns
    /// `Ok(Err(RefConflict { current }))` and changes nothing. Both `None` is
    /// [`MetaError::Invalid`].
    pub async fn update_ref(
        &self,
        repo_id: i64,
        name: &str,
        old: Option<GitOid>,
        new: Option<GitOid>,
    ) -> Result<Result<i64, RefConflict>, MetaError> {
        let write = self.recent.write();
        let mut tx = self.begin_write().await?;
        // The sequence number first: it takes the log lock (see crate::log), so every ref
        // writer locks in the same order. A failed swap rolls the number back.
        let seq = next_seq(&mut tx).await?;
        if !swap(&mut tx, &write, repo_id, name, old, new).await? {
            let current = read_ref(&mut *tx, repo_id, name).await?;
            tx.rollback().await?;
            return Ok(Err(RefConflict { current }));
        }
        append(&mut tx, seq, repo_id, name, old, new).await?;
        tx.commit().await?;
        Ok(Ok(seq))
    }

    /// Deletes a repo with its refs, grants, counters and assessments. Each dropped ref is
    /// logged as a deletion, so log consumers learn that the repo's content is gone; earlier
    /// log entries stay. [`MetaError::NotFound`] if there is no such repo.
    pub async fn delete_repo(&self, id: i64) -> Result<(), MetaError> {
        let _write = self.recent.write();
        let mut tx = self.begin_write().await?;
        claim_log(&mut tx).await?;
        let rows = sqlx::query("DELETE FROM refs WHERE repo_id = $1 RETURNING name, oid")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        let mut dropped = Vec::with_capacity(rows.len());
        for row in &rows {
            dropped.push((col::<String>(row, "name")?, opt_oid(row, "oid")?));
        }
        dropped.sort();
        record_access_change(&mut tx, id).await?;
        let done = sqlx::query("DELETE FROM repos WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NotFound(format!("no repo with id {id}")));
        }
        for (name, oid) in dropped {
            let seq = next_seq(&mut tx).await?;
            append(&mut tx, seq, id, &name, oid, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The next pull-request number of a repo: 1, 2, 3... never reused, atomic across
    /// processes.
    pub async fn next_pr_number(&self, repo_id: i64) -> Result<u64, MetaError> {
        let n: Option<i64> = sqlx::query_scalar(
            "UPDATE repos SET last_pr = last_pr + 1 WHERE id = $1 RETURNING last_pr",
        )
        .bind(repo_id)
        .fetch_optional(&self.pool)
        .await?;
        let n = n.ok_or_else(|| MetaError::NotFound(format!("no repo with id {repo_id}")))?;
        crate::codec::to_u64(n, "pull request number")
    }
}
