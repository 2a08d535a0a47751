//! Instance settings (for example a URL-signing key generated on first start) and openness
//! assessments keyed by `(repo, commit)`.

use commonhold_types::GitOid;

use crate::MetaStore;
use crate::codec::now_ms;
use crate::error::{MetaError, missing_parent};

impl MetaStore {
    pub async fn setting(&self, key: &str) -> Result<Option<String>, MetaError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), MetaError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores `value` unless the key already has one, and returns the value that is stored:
    /// when two processes start at once, both end up using the same generated key.
    pub async fn set_setting_if_absent(&self, key: &str, value: &str) -> Result<String, MetaError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        self.setting(key).await?.ok_or_else(|| {
            MetaError::Corrupt(format!("setting {key:?} vanished after it was stored"))
        })
    }

    /// Stores (or replaces) the assessment JSON of a repo at a commit.
    pub async fn put_assessment(
        &self,
        repo_id: i64,
        commit: &GitOid,
        json: &str,
    ) -> Result<(), MetaError> {
        sqlx::query(
            "INSERT INTO assessments (repo_id, commit_oid, json, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (repo_id, commit_oid) DO UPDATE SET json = excluded.json, \
                 updated_at = excluded.updated_at",
        )
        .bind(repo_id)
        .bind(&commit.0[..])
        .bind(json)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(|e| missing_parent(e, || format!("no repo with id {repo_id}")))?;
        Ok(())
    }

    pub async fn get_assessment(
        &self,
        repo_id: i64,
        commit: &GitOid,
    ) -> Result<Option<String>, MetaError> {
        Ok(sqlx::query_scalar(
            "SELECT json FROM assessments WHERE repo_id = $1 AND commit_oid = $2",
        )
        .bind(repo_id)
        .bind(&commit.0[..])
        .fetch_optional(&self.pool)
        .await?)
    }
}
