//! Xet storage metadata: validated xorbs with their chunk index, verified files (terms over
//! xorbs), and the per-repo map from the sha256 a commit names to the Xet file that holds it.
//!
//! Indexes and terms are opaque bytes here (encoded and checked by `commonhold-xet`); this
//! module only keeps them. Like LFS grants, a file is stored once but a repo may commit or serve
//! it only if it was uploaded with a token for that repo, so a known hash gives no access.
//!
//! A file also keeps the sha256 of its bytes, which the hub computes from the xorbs (a client's
//! claim is never stored as a fact). A mapping (repo, sha256) → file is *verified* when that
//! file's sha256 equals the mapping's: only verified mappings are found, and a verified mapping
//! is never replaced. Files recorded before the hub hashed them have no sha256 until it does.

use commonhold_types::Sha256;
use sqlx::Row;

use crate::MetaStore;
use crate::codec::{col, to_i64, to_u64};
use crate::error::{MetaError, missing_parent};

/// A verified Xet file as stored: its hash, size and encoded terms, and the sha256 of its bytes
/// as the hub computed it (None for a file recorded before the hub hashed files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XetFileRow {
    pub file_hash: [u8; 32],
    pub size: u64,
    pub terms: Vec<u8>,
    pub sha256: Option<Sha256>,
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

    /// Records a file whose bytes the hub has hashed to `file.sha256` and lets `repo_id` commit
    /// and serve it under that sha256, in one transaction. Create-only: a verified mapping of
    /// the same (repo, sha256) is kept (its bytes are the same), and only a mapping that was
    /// never verified (recorded before files were hashed) is replaced.
    pub async fn record_xet_file(&self, repo_id: i64, file: &XetFileRow) -> Result<(), MetaError> {
        let sha = file.sha256.ok_or_else(|| {
            MetaError::Corrupt("a Xet file is recorded only with the sha256 of its bytes".into())
        })?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO xet_files (file_hash, size, terms, created_at, sha256) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (file_hash) DO UPDATE SET sha256 = excluded.sha256 \
             WHERE xet_files.sha256 IS NULL",
        )
        .bind(&file.file_hash[..])
        .bind(to_i64(file.size, "file size")?)
        .bind(&file.terms[..])
        .bind(crate::codec::now_ms())
        .bind(&sha.0[..])
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO xet_grants (repo_id, sha, file_hash) VALUES ($1, $2, $3) \
             ON CONFLICT (repo_id, sha) DO UPDATE SET file_hash = excluded.file_hash \
             WHERE NOT EXISTS (SELECT 1 FROM xet_files f \
                 WHERE f.file_hash = xet_grants.file_hash AND f.sha256 = xet_grants.sha)",
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

    /// The Xet file `repo_id` serves for content sha256 `sha`: a verified mapping only.
    pub async fn xet_file_for(
        &self,
        repo_id: i64,
        sha: &Sha256,
    ) -> Result<Option<XetFileRow>, MetaError> {
        let row = sqlx::query(
            "SELECT f.file_hash, f.size, f.terms, f.sha256 FROM xet_grants g \
             JOIN xet_files f ON f.file_hash = g.file_hash \
             WHERE g.repo_id = $1 AND g.sha = $2 AND f.sha256 = g.sha",
        )
        .bind(repo_id)
        .bind(&sha.0[..])
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| file_row(&r)).transpose()
    }

    /// Whether `repo_id` holds the Xet file `file_hash` through a verified mapping.
    pub async fn repo_has_xet_file(
        &self,
        repo_id: i64,
        file_hash: &[u8; 32],
    ) -> Result<bool, MetaError> {
        let hit: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM xet_grants g JOIN xet_files f ON f.file_hash = g.file_hash \
             WHERE g.repo_id = $1 AND g.file_hash = $2 AND f.sha256 = g.sha LIMIT 1",
        )
        .bind(repo_id)
        .bind(&file_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        Ok(hit.is_some())
    }

    /// A verified file by its Xet hash.
    pub async fn xet_file(&self, file_hash: &[u8; 32]) -> Result<Option<XetFileRow>, MetaError> {
        let row = sqlx::query(
            "SELECT file_hash, size, terms, sha256 FROM xet_files WHERE file_hash = $1",
        )
        .bind(&file_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| file_row(&r)).transpose()
    }

    /// Records the sha256 the hub computed for a file that had none; false if it already had
    /// one (which is then kept).
    pub async fn set_xet_file_sha256(
        &self,
        file_hash: &[u8; 32],
        sha: &Sha256,
    ) -> Result<bool, MetaError> {
        let done =
            sqlx::query("UPDATE xet_files SET sha256 = $1 WHERE file_hash = $2 AND sha256 IS NULL")
                .bind(&sha.0[..])
                .bind(&file_hash[..])
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
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

/// Reads the `file_hash, size, terms, sha256` columns.
pub(crate) fn file_row(row: &sqlx::any::AnyRow) -> Result<XetFileRow, MetaError> {
    let hash: Vec<u8> = col(row, "file_hash")?;
    let sha256 = match col::<Option<Vec<u8>>>(row, "sha256")? {
        Some(bytes) => Some(Sha256(<[u8; 32]>::try_from(&bytes[..]).map_err(|_| {
            MetaError::Corrupt(format!("a file sha256 of {} bytes", bytes.len()))
        })?)),
        None => None,
    };
    Ok(XetFileRow {
        file_hash: hash_from(&hash)?,
        size: to_u64(col(row, "size")?, "file size")?,
        terms: col(row, "terms")?,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonhold_types::{RepoName, RepoType};

    /// A store in `dir` with the user alice and her public repos `names`.
    async fn store_with_repos(dir: &tempfile::TempDir, names: &[&str]) -> (MetaStore, Vec<i64>) {
        let url = format!("sqlite://{}", dir.path().join("meta.db").display());
        let store = MetaStore::open(&url).await.unwrap();
        let alice = store.create_user("alice", false).await.unwrap();
        let mut ids = Vec::new();
        for name in names {
            let name: RepoName = name.parse().unwrap();
            let repo = store
                .create_repo(RepoType::Model, &name, alice.id, false)
                .await
                .unwrap();
            ids.push(repo.id);
        }
        (store, ids)
    }

    #[tokio::test]
    async fn files_are_found_only_through_the_repo_they_were_uploaded_to() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ids) = store_with_repos(&dir, &["alice/a", "alice/b"]).await;
        let (a, b) = (ids[0], ids[1]);

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
            sha256: Some(sha),
        };
        store.record_xet_file(a, &file).await.unwrap();
        assert_eq!(
            store.xet_file_for(a, &sha).await.unwrap(),
            Some(file.clone())
        );
        assert_eq!(store.xet_file_for(b, &sha).await.unwrap(), None);
        assert_eq!(store.xet_file(&[3; 32]).await.unwrap(), Some(file.clone()));
        assert!(store.repo_has_xet_file(a, &[3; 32]).await.unwrap());
        assert!(!store.repo_has_xet_file(b, &[3; 32]).await.unwrap());
        // A second file with the same bytes (another chunking) does not replace the mapping.
        let other = XetFileRow {
            file_hash: [4; 32],
            size: 42,
            terms: b"t2".to_vec(),
            sha256: Some(sha),
        };
        store.record_xet_file(a, &other).await.unwrap();
        assert_eq!(store.xet_file_for(a, &sha).await.unwrap(), Some(file));
        assert_eq!(
            store.list_xet_grants().await.unwrap(),
            vec![(a, sha, [3; 32])]
        );
        assert!(
            store
                .record_xet_file(
                    a,
                    &XetFileRow {
                        sha256: None,
                        ..other
                    }
                )
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn mappings_recorded_before_files_were_hashed_are_not_served_until_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ids) = store_with_repos(&dir, &["alice/a"]).await;
        let a = ids[0];
        // Two files as an older hub left them (no sha256), one mapping each: an honest one and
        // one whose file does not hold the bytes it claims.
        let (honest, forged) = (Sha256([7; 32]), Sha256([8; 32]));
        for (file, sha) in [([5u8; 32], honest), ([6; 32], forged)] {
            sqlx::query(
                "INSERT INTO xet_files (file_hash, size, terms, created_at) VALUES ($1, 1, $2, 0)",
            )
            .bind(&file[..])
            .bind(&b""[..])
            .execute(&store.pool)
            .await
            .unwrap();
            sqlx::query("INSERT INTO xet_grants (repo_id, sha, file_hash) VALUES ($1, $2, $3)")
                .bind(a)
                .bind(&sha.0[..])
                .bind(&file[..])
                .execute(&store.pool)
                .await
                .unwrap();
        }
        assert_eq!(store.xet_file_for(a, &honest).await.unwrap(), None);
        assert!(!store.repo_has_xet_file(a, &[5; 32]).await.unwrap());
        let unhashed = store.unhashed_xet_files(Some([5; 32]), 10).await.unwrap();
        assert_eq!(unhashed.len(), 1);
        assert_eq!((unhashed[0].file_hash, unhashed[0].sha256), ([6; 32], None));

        // Hashed: the honest mapping serves, the forged one never does.
        assert!(store.set_xet_file_sha256(&[5; 32], &honest).await.unwrap());
        assert!(
            store
                .set_xet_file_sha256(&[6; 32], &Sha256([1; 32]))
                .await
                .unwrap()
        );
        assert!(!store.set_xet_file_sha256(&[6; 32], &forged).await.unwrap());
        assert!(store.xet_file_for(a, &honest).await.unwrap().is_some());
        assert_eq!(store.xet_file_for(a, &forged).await.unwrap(), None);
        assert!(store.unhashed_xet_files(None, 10).await.unwrap().is_empty());

        // An upload of the real content replaces the forged (never verified) mapping.
        let real = XetFileRow {
            file_hash: [9; 32],
            size: 1,
            terms: vec![],
            sha256: Some(forged),
        };
        store.record_xet_file(a, &real).await.unwrap();
        assert_eq!(store.xet_file_for(a, &forged).await.unwrap(), Some(real));
    }
}
