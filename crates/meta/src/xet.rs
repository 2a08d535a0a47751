//! Xet storage metadata: validated xorbs with their chunk index, verified files (terms over
//! xorbs), and the per-repo map from the sha256 a commit names to the Xet file that holds it.
//!
//! Indexes and terms are opaque bytes here (encoded and checked by `commonhold-xet`); this
//! module only keeps them. Like LFS grants, a file is stored once but a repo may commit or serve
//! it only if it was uploaded with a token for that repo, so a known hash gives no access.

use commonhold_types::Sha256;
use sqlx::Row;

use crate::MetaStore;
use crate::codec::{col, to_i64, to_u64};
use crate::error::{MetaError, missing_parent};

/// A verified Xet file as stored: its hash, size and encoded terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XetFileRow {
    pub file_hash: [u8; 32],
    pub size: u64,
    pub terms: Vec<u8>,
}

fn hash_from(bytes: &[u8]) -> Result<[u8; 32], MetaError> {
    <[u8; 32]>::try_from(bytes)
        .map_err(|_| MetaError::Corrupt(format!("a Xet hash of {} bytes", bytes.len())))
}

impl MetaStore {
    /// Records a validated xorb (insert-if-absent: a xorb's content never changes).
    pub async fn record_xorb(
        &self,
        hash: &[u8; 32],
        size: u64,
        chunk_index: &[u8],
    ) -> Result<(), MetaError> {
        sqlx::query(
            "INSERT INTO xet_xorbs (hash, size, chunk_index, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&hash[..])
        .bind(to_i64(size, "xorb size")?)
        .bind(chunk_index)
        .bind(crate::codec::now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A recorded xorb's serialized size and encoded chunk index.
    pub async fn xorb_index(&self, hash: &[u8; 32]) -> Result<Option<(u64, Vec<u8>)>, MetaError> {
        let row = sqlx::query("SELECT size, chunk_index FROM xet_xorbs WHERE hash = $1")
            .bind(&hash[..])
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            to_u64(col(&row, "size")?, "xorb size")?,
            col(&row, "chunk_index")?,
        )))
    }

    /// Up to `limit` recorded xorb hashes greater than `after`, in byte order (fsck's pages).
    pub async fn list_xorbs(
        &self,
        after: Option<[u8; 32]>,
        limit: u64,
    ) -> Result<Vec<[u8; 32]>, MetaError> {
        let after = after.map(|h| h.to_vec()).unwrap_or_default();
        let ids: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT hash FROM xet_xorbs WHERE hash > $1 ORDER BY hash LIMIT $2")
                .bind(after)
                .bind(to_i64(limit, "limit").unwrap_or(i64::MAX))
                .fetch_all(&self.pool)
                .await?;
        ids.iter().map(|b| hash_from(b)).collect()
    }

    /// Records a verified file and lets `repo_id` commit it under `sha`, in one transaction.
    /// A later upload of other content asserting the same sha256 to the same repo replaces the
    /// mapping (the commit check compares sizes, and fsck re-hashes).
    pub async fn record_xet_file(
        &self,
        repo_id: i64,
        sha: &Sha256,
        file: &XetFileRow,
    ) -> Result<(), MetaError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO xet_files (file_hash, size, terms, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&file.file_hash[..])
        .bind(to_i64(file.size, "file size")?)
        .bind(&file.terms[..])
        .bind(crate::codec::now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO xet_grants (repo_id, sha, file_hash) VALUES ($1, $2, $3) \
             ON CONFLICT (repo_id, sha) DO UPDATE SET file_hash = excluded.file_hash",
        )
        .bind(repo_id)
        .bind(&sha.0[..])
        .bind(&file.file_hash[..])
        .execute(&mut *tx)
        .await
        .map_err(|e| missing_parent(e, || format!("no repo with id {repo_id}")))?;
        tx.commit().await?;
        Ok(())
    }

    /// The Xet file `repo_id` uploaded with content sha256 `sha`, if any.
    pub async fn xet_file_for(
        &self,
        repo_id: i64,
        sha: &Sha256,
    ) -> Result<Option<XetFileRow>, MetaError> {
        let row = sqlx::query(
            "SELECT f.file_hash, f.size, f.terms FROM xet_grants g \
             JOIN xet_files f ON f.file_hash = g.file_hash WHERE g.repo_id = $1 AND g.sha = $2",
        )
        .bind(repo_id)
        .bind(&sha.0[..])
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| file_row(&r)).transpose()
    }

    /// Whether `repo_id` was granted the Xet file `file_hash` (under any sha256).
    pub async fn repo_has_xet_file(
        &self,
        repo_id: i64,
        file_hash: &[u8; 32],
    ) -> Result<bool, MetaError> {
        let hit: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM xet_grants WHERE repo_id = $1 AND file_hash = $2 LIMIT 1",
        )
        .bind(repo_id)
        .bind(&file_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        Ok(hit.is_some())
    }

    /// A verified file by its Xet hash.
    pub async fn xet_file(&self, file_hash: &[u8; 32]) -> Result<Option<XetFileRow>, MetaError> {
        let row = sqlx::query("SELECT file_hash, size, terms FROM xet_files WHERE file_hash = $1")
            .bind(&file_hash[..])
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| file_row(&r)).transpose()
    }

    /// Every (repo id, sha256, file hash) mapping, for fsck.
    pub async fn list_xet_grants(&self) -> Result<Vec<(i64, Sha256, [u8; 32])>, MetaError> {
        let rows =
            sqlx::query("SELECT repo_id, sha, file_hash FROM xet_grants ORDER BY repo_id, sha")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let sha: Vec<u8> = r.try_get("sha")?;
                let sha = <[u8; 32]>::try_from(&sha[..])
                    .map_err(|_| MetaError::Corrupt("a sha256 of the wrong length".into()))?;
                let file: Vec<u8> = r.try_get("file_hash")?;
                Ok((col(r, "repo_id")?, Sha256(sha), hash_from(&file)?))
            })
            .collect()
    }
}

fn file_row(row: &sqlx::any::AnyRow) -> Result<XetFileRow, MetaError> {
    let hash: Vec<u8> = col(row, "file_hash")?;
    Ok(XetFileRow {
        file_hash: hash_from(&hash)?,
        size: to_u64(col(row, "size")?, "file size")?,
        terms: col(row, "terms")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonhold_types::{RepoName, RepoType};

    #[tokio::test]
    async fn files_are_found_only_through_the_repo_they_were_uploaded_to() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("meta.db").display());
        let store = MetaStore::open(&url).await.unwrap();
        let alice = store.create_user("alice", false).await.unwrap();
        let name: RepoName = "alice/a".parse().unwrap();
        let a = store
            .create_repo(RepoType::Model, &name, alice.id, false)
            .await
            .unwrap();
        let name: RepoName = "alice/b".parse().unwrap();
        let b = store
            .create_repo(RepoType::Model, &name, alice.id, false)
            .await
            .unwrap();

        store.record_xorb(&[1; 32], 100, b"index").await.unwrap();
        store.record_xorb(&[1; 32], 999, b"other").await.unwrap();
        assert_eq!(
            store.xorb_index(&[1; 32]).await.unwrap(),
            Some((100, b"index".to_vec()))
        );
        assert_eq!(store.xorb_index(&[2; 32]).await.unwrap(), None);
        assert_eq!(store.list_xorbs(None, 10).await.unwrap(), vec![[1; 32]]);
        assert!(
            store
                .list_xorbs(Some([1; 32]), 10)
                .await
                .unwrap()
                .is_empty()
        );

        let sha = Sha256([9; 32]);
        let file = XetFileRow {
            file_hash: [3; 32],
            size: 42,
            terms: b"terms".to_vec(),
        };
        store.record_xet_file(a.id, &sha, &file).await.unwrap();
        assert_eq!(
            store.xet_file_for(a.id, &sha).await.unwrap(),
            Some(file.clone())
        );
        assert_eq!(store.xet_file_for(b.id, &sha).await.unwrap(), None);
        assert_eq!(store.xet_file(&[3; 32]).await.unwrap(), Some(file.clone()));
        assert!(store.repo_has_xet_file(a.id, &[3; 32]).await.unwrap());
        assert!(!store.repo_has_xet_file(b.id, &[3; 32]).await.unwrap());
        // A second upload asserting the same sha256 replaces the mapping.
        let other = XetFileRow {
            file_hash: [4; 32],
            size: 42,
            terms: b"t2".to_vec(),
        };
        store.record_xet_file(a.id, &sha, &other).await.unwrap();
        assert_eq!(store.xet_file_for(a.id, &sha).await.unwrap(), Some(other));
        assert_eq!(
            store.list_xet_grants().await.unwrap(),
            vec![(a.id, sha, [4; 32])]
        );
    }
}
