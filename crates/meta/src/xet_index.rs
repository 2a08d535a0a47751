//! Lookups over Xet storage that uploads do not need: the global-dedup index (eligible chunks
//! and the files that use each xorb) and paging through every recorded file (fsck).
//!
//! A dedup answer may only describe a file that the asking repo could commit itself or that a
//! public repo holds, so the lookup joins through the repo grants and never finds a file held
//! only by other private repos.

use sqlx::Row;

use crate::MetaStore;
use crate::codec::to_i64;
use crate::error::MetaError;
use crate::xet::{XetFileRow, file_row};

/// A Xet hash column, checked.
fn hash32(row: &sqlx::any::AnyRow, name: &str) -> Result<[u8; 32], MetaError> {
    let bytes: Vec<u8> = row.try_get(name)?;
    <[u8; 32]>::try_from(&bytes[..])
        .map_err(|_| MetaError::Corrupt(format!("a Xet hash of {} bytes", bytes.len())))
}

impl MetaStore {
    /// Records eligible chunks as (chunk, xorb) and the xorbs each file uses as (xorb, file),
    /// insert-if-absent, in one transaction. Every xorb and file must already be recorded.
    pub async fn record_xet_dedup(
        &self,
        chunks: &[([u8; 32], [u8; 32])],
        file_xorbs: &[([u8; 32], [u8; 32])],
    ) -> Result<(), MetaError> {
        let mut tx = self.begin_write().await?;
        let inserts = [
            (
                "INSERT INTO xet_dedup_chunks (chunk_hash, xorb_hash) VALUES ($1, $2) \
              ON CONFLICT DO NOTHING",
                chunks,
            ),
            (
                "INSERT INTO xet_file_xorbs (xorb_hash, file_hash) VALUES ($1, $2) \
              ON CONFLICT DO NOTHING",
                file_xorbs,
            ),
        ];
        for (sql, pairs) in inserts {
            for (a, b) in pairs {
                sqlx::query(sql)
                    .bind(&a[..])
                    .bind(&b[..])
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// For an eligible chunk: up to 16 (xorb holding it, file using that xorb) pairs whose file
    /// is granted to `repo_id` (if `own_files`: the asker may read that repo's files) or to a
    /// public repo that is not gated, `repo_id`'s own first. Empty if the chunk is unknown or
    /// only other repos' private or gated files use its xorbs. (Whether a file uses the chunk
    /// itself, not just its xorb, is for the caller to check against the file's terms.)
    pub async fn xet_dedup_lookup(
        &self,
        chunk: &[u8; 32],
        repo_id: i64,
        own_files: bool,
    ) -> Result<Vec<([u8; 32], [u8; 32])>, MetaError> {
        let own = if own_files { repo_id } else { -1 };
        let rows = sqlx::query(
            "SELECT c.xorb_hash, fx.file_hash FROM xet_dedup_chunks c \
             JOIN xet_file_xorbs fx ON fx.xorb_hash = c.xorb_hash \
             JOIN xet_grants g ON g.file_hash = fx.file_hash \
             JOIN repos r ON r.id = g.repo_id \
             WHERE c.chunk_hash = $1 AND (g.repo_id = $2 OR (r.private = 0 AND r.gated IS NULL)) \
             ORDER BY CASE WHEN g.repo_id = $3 THEN 0 ELSE 1 END LIMIT 16",
        )
        .bind(&chunk[..])
        .bind(own)
        .bind(own)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((hash32(r, "xorb_hash")?, hash32(r, "file_hash")?)))
            .collect()
    }

    /// Up to `limit` recorded Xet files with a hash greater than `after`, in byte order.
    pub async fn list_xet_files(
        &self,
        after: Option<[u8; 32]>,
        limit: u64,
    ) -> Result<Vec<XetFileRow>, MetaError> {
        self.page_xet_files("", after, limit).await
    }

    /// Like [`MetaStore::list_xet_files`], for the files the hub has not hashed yet (recorded
    /// before it hashed every file).
    pub async fn unhashed_xet_files(
        &self,
        after: Option<[u8; 32]>,
        limit: u64,
    ) -> Result<Vec<XetFileRow>, MetaError> {
        self.page_xet_files("AND sha256 IS NULL", after, limit)
            .await
    }

    async fn page_xet_files(
        &self,
        filter: &'static str,
        after: Option<[u8; 32]>,
        limit: u64,
    ) -> Result<Vec<XetFileRow>, MetaError> {
        let after = after.map(|h| h.to_vec()).unwrap_or_default();
        let sql = format!(
            "SELECT file_hash, size, terms, sha256 FROM xet_files WHERE file_hash > $1 {filter} \
             ORDER BY file_hash LIMIT $2"
        );
        // `filter` is one of two constants, never input.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(to_i64(limit, "limit").unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(file_row).collect()
    }
}
