//! Changes of who may see a repo (its visibility, its owner, its existence), numbered so that
//! every server process learns each of them with one cheap query: search indexes and other
//! long-lived copies of repo rows apply them at once instead of waiting for a rebuild.
//!
//! Each change takes the next `rev` from the single `repo_access_head` row, updated first in the
//! changing transaction, so revs grow in commit order (as the commit log's `seq` does) and a
//! reader that remembers the largest rev it read misses nothing with
//! [`MetaStore::access_changes_since`].

use sqlx::{Any, Transaction};

use crate::MetaStore;
use crate::codec::{col, to_i64};
use crate::error::MetaError;

/// Who may see a repo now, or that it is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessChange {
    pub rev: i64,
    pub repo_id: i64,
    /// `(owner id, private)`, or `None` for a deleted repo.
    pub now: Option<(i64, bool)>,
}

/// Records that who may see `repo_id` changed, in the transaction that changes it. Call it
/// before touching the repo's row, so every such transaction locks in one order.
pub(crate) async fn record_access_change(
    tx: &mut Transaction<'static, Any>,
    repo_id: i64,
) -> Result<(), MetaError> {
    let rev: Option<i64> = sqlx::query_scalar(
        "UPDATE repo_access_head SET last_rev = last_rev + 1 WHERE id = 1 RETURNING last_rev",
    )
    .fetch_optional(&mut **tx)
    .await?;
    let rev = rev
        .ok_or_else(|| MetaError::Corrupt("the repo access counter row is missing".to_string()))?;
    sqlx::query(
        "INSERT INTO repo_access_changes (repo_id, rev) VALUES ($1, $2) \
         ON CONFLICT (repo_id) DO UPDATE SET rev = excluded.rev",
    )
    .bind(repo_id)
    .bind(rev)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl MetaStore {
    /// Up to `limit` repos whose access changed after `after_rev`, in rev order, each as it is
    /// now (a repo changed twice appears once, with its last rev).
    pub async fn access_changes_since(
        &self,
        after_rev: i64,
        limit: u64,
    ) -> Result<Vec<AccessChange>, MetaError> {
        let rows = sqlx::query(
            "SELECT c.rev, c.repo_id, r.owner_id, r.private FROM repo_access_changes c \
             LEFT JOIN repos r ON r.id = c.repo_id WHERE c.rev > $1 ORDER BY c.rev LIMIT $2",
        )
        .bind(after_rev)
        .bind(to_i64(limit, "limit")?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let owner: Option<i64> = col(row, "owner_id")?;
                let private: Option<i64> = col(row, "private")?;
                Ok(AccessChange {
                    rev: col(row, "rev")?,
                    repo_id: col(row, "repo_id")?,
                    now: owner.zip(private).map(|(o, p)| (o, p != 0)),
                })
            })
            .collect()
    }
}
