//! Git objects (content-addressed, shared by all repos, insert-if-absent) and LFS objects
//! (stored once, but served only to repos that were granted them, so that knowing a digest
//! does not give access to another repo's private file).

use commonhold_types::{GitOid, Sha256};

use crate::MetaStore;
use crate::codec::{col, oid_from_bytes, to_i64, to_u64};
use crate::error::{MetaError, missing_parent};

/// How many leading bytes [`MetaStore::object_head`] returns: more than any LFS pointer has.
const OBJECT_HEAD_BYTES: u32 = 1024;

impl MetaStore {
    /// Stores git objects `(id, kind, body)` that are not yet stored, in one transaction.
    /// The caller has computed the ids; an id already present keeps its stored body.
    pub async fn put_objects(&self, objs: &[(GitOid, u8, Vec<u8>)]) -> Result<(), MetaError> {
        if objs.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for (oid, kind, data) in objs {
            sqlx::query(
                "INSERT INTO git_objects (oid, kind, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(&oid.0[..])
            .bind(i64::from(*kind))
            .bind(&data[..])
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A git object's kind and body.
    pub async fn get_object(&self, oid: &GitOid) -> Result<Option<(u8, Vec<u8>)>, MetaError> {
        let row = sqlx::query("SELECT kind, data FROM git_objects WHERE oid = $1")
            .bind(&oid.0[..])
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let kind = object_kind(&row, oid)?;
        Ok(Some((kind, col(&row, "data")?)))
    }

    /// A git object's kind, its size, and its first [`OBJECT_HEAD_BYTES`] bytes, without reading
    /// the rest: what a listing needs of a blob (its size, and whether it is an LFS pointer).
    pub async fn object_head(&self, oid: &GitOid) -> Result<Option<(u8, u64, Vec<u8>)>, MetaError> {
        // The prefix length is a literal: PostgreSQL's substr takes integer, not bigint.
        let sql = format!(
            "SELECT kind, CAST(length(data) AS BIGINT) AS size, substr(data, 1, {OBJECT_HEAD_BYTES}) AS head \
             FROM git_objects WHERE oid = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&oid.0[..])
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let kind = object_kind(&row, oid)?;
        let size = to_u64(col(&row, "size")?, "git object size")?;
        // An empty blob's head reads as NULL on SQLite.
        let head: Option<Vec<u8>> = col(&row, "head")?;
        Ok(Some((kind, size, head.unwrap_or_default())))
    }

    /// Up to `limit` stored object ids greater than `after`, in byte order: pages for fsck.
    pub async fn list_object_ids(
        &self,
        after: Option<GitOid>,
        limit: u64,
    ) -> Result<Vec<GitOid>, MetaError> {
        // The empty byte string sorts before every id, so "from the start" needs no other query.
        let after = after.map(|oid| oid.0.to_vec()).unwrap_or_default();
        let ids: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT oid FROM git_objects WHERE oid > $1 ORDER BY oid LIMIT $2")
                .bind(after)
                .bind(to_i64(limit, "limit").unwrap_or(i64::MAX))
                .fetch_all(&self.pool)
                .await?;
        ids.iter().map(|b| oid_from_bytes(b)).collect()
    }

    /// Records that the blob store now holds the LFS object `sha` of `size` bytes.
    pub async fn record_lfs_object(&self, sha: &Sha256, size: u64) -> Result<(), MetaError> {
        sqlx::query(
            "INSERT INTO lfs_objects (sha, size, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(&sha.0[..])
        .bind(to_i64(size, "LFS object size")?)
        .bind(crate::codec::now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The size of a stored LFS object, if stored.
    pub async fn lfs_object_size(&self, sha: &Sha256) -> Result<Option<u64>, MetaError> {
        let size: Option<i64> = sqlx::query_scalar("SELECT size FROM lfs_objects WHERE sha = $1")
            .bind(&sha.0[..])
            .fetch_optional(&self.pool)
            .await?;
        size.map(|s| to_u64(s, "LFS object size")).transpose()
    }

    /// Lets a repo serve an LFS object (it was uploaded to, or is referenced by, the repo).
    pub async fn grant_lfs(&self, repo_id: i64, sha: &Sha256) -> Result<(), MetaError> {
        sqlx::query("INSERT INTO lfs_grants (repo_id, sha) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(repo_id)
            .bind(&sha.0[..])
            .execute(&self.pool)
            .await
            .map_err(|e| missing_parent(e, || format!("no repo with id {repo_id}")))?;
        Ok(())
    }

    /// Whether the repo was granted the LFS object.
    pub async fn repo_has_lfs(&self, repo_id: i64, sha: &Sha256) -> Result<bool, MetaError> {
        let hit: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM lfs_grants WHERE repo_id = $1 AND sha = $2")
                .bind(repo_id)
                .bind(&sha.0[..])
                .fetch_optional(&self.pool)
                .await?;
        Ok(hit.is_some())
    }
}

/// The stored kind of git object `oid` (1 to 4 when sound).
fn object_kind(row: &sqlx::any::AnyRow, oid: &GitOid) -> Result<u8, MetaError> {
    let kind: i64 = col(row, "kind")?;
    u8::try_from(kind).map_err(|_| MetaError::Corrupt(format!("git object {oid} has kind {kind}")))
}
