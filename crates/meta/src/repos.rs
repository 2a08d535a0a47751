//! Repositories: creation, lookup, rename/move, visibility, deletion and the listing summary.
//!
//! A repo's internal id never changes; names are unique per repo type, case-insensitively, via
//! the unique `(repo_type, name_key)` pair.

use commonhold_types::{Gating, GitOid, RepoName, RepoType};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::MetaStore;
use crate::access::record_access_change;
use crate::codec::{col, flag, json, now_ms, opt_oid};
use crate::error::{MetaError, missing_parent, translate};
use crate::model::{Repo, RepoSummary};

/// The columns [`repo_from_row`] reads, as a literal for `concat!`.
macro_rules! repo_columns {
    () => {
        "id, repo_type, namespace, name, owner_id, private, created_at, downloads, sha, \
         last_modified, card_data, tags, pipeline_tag, library_name, gated, default_access_days, \
         openness"
    };
}
pub(crate) use repo_columns;

pub(crate) fn repo_from_row(row: &AnyRow) -> Result<Repo, MetaError> {
    let repo_type: String = col(row, "repo_type")?;
    let namespace: String = col(row, "namespace")?;
    let name: String = col(row, "name")?;
    let openness: Option<String> = col(row, "openness")?;
    let gated: Option<String> = col(row, "gated")?;
    Ok(Repo {
        id: col(row, "id")?,
        repo_type: RepoType::parse(&repo_type)
            .ok_or_else(|| MetaError::Corrupt(format!("repo type {repo_type:?}")))?,
        name: RepoName::new(&namespace, &name)
            .map_err(|e| MetaError::Corrupt(format!("repo name: {e}")))?,
        owner_id: col(row, "owner_id")?,
        private: flag(row, "private")?,
        gating: Gating::parse(gated.as_deref())
            .ok_or_else(|| MetaError::Corrupt(format!("gating mode {gated:?}")))?,
        default_access_days: col(row, "default_access_days")?,
        created_at: col(row, "created_at")?,
        downloads: col(row, "downloads")?,
        summary: RepoSummary {
            sha: opt_oid(row, "sha")?,
            last_modified: col(row, "last_modified")?,
            card_data: json(&col::<String>(row, "card_data")?, "card data")?,
            tags: json(&col::<String>(row, "tags")?, "tags")?,
            pipeline_tag: col(row, "pipeline_tag")?,
            library_name: col(row, "library_name")?,
            openness: openness
                .as_deref()
                .map(|text| json(text, "openness"))
                .transpose()?,
        },
    })
}

fn taken(repo_type: RepoType, name: &RepoName) -> String {
    format!("a {} named {name} already exists", repo_type.as_str())
}

/// A summary's card data and tags as the JSON text the repos table stores.
fn summary_json(s: &RepoSummary) -> Result<(String, String), MetaError> {
    let card_data = serde_json::to_string(&s.card_data)
        .map_err(|e| MetaError::Invalid(format!("card data does not serialise: {e}")))?;
    let tags = serde_json::to_string(&s.tags)
        .map_err(|e| MetaError::Invalid(format!("tags do not serialise: {e}")))?;
    Ok((card_data, tags))
}

fn no_repo(id: i64) -> MetaError {
    MetaError::NotFound(format!("no repo with id {id}"))
}

/// Replaces the repo's rows in `repo_tags`, the index behind tag filters.
async fn replace_tags(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    tags: &[String],
) -> Result<(), MetaError> {
    sqlx::query("DELETE FROM repo_tags WHERE repo_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for tag in tags {
        sqlx::query("INSERT INTO repo_tags (repo_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(tag.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl MetaStore {
    /// Creates an empty repo owned by `owner_id`. [`MetaError::Conflict`] if a repo of this
    /// type has the name in any case; [`MetaError::NotFound`] if the owner does not exist.
    pub async fn create_repo(
        &self,
        repo_type: RepoType,
        name: &RepoName,
        owner_id: i64,
        private: bool,
    ) -> Result<Repo, MetaError> {
        let created_at = now_ms();
        let summary = RepoSummary {
            last_modified: created_at,
            ..RepoSummary::default()
        };
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO repos (repo_type, namespace, name, name_key, ns_key, owner_id, private, \
                                created_at, last_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(repo_type.as_str())
        .bind(name.namespace())
        .bind(name.name())
        .bind(name.key())
        .bind(name.namespace().to_ascii_lowercase())
        .bind(owner_id)
        .bind(i64::from(private))
        .bind(created_at)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| missing_parent(e, || format!("no account with id {owner_id}")))?;
        let id = id.ok_or_else(|| MetaError::Conflict(taken(repo_type, name)))?;
        Ok(Repo {
            id,
            repo_type,
            name: name.clone(),
            owner_id,
            private,
            gating: Gating::Open,
            default_access_days: None,
            created_at,
            summary,
            downloads: 0,
        })
    }

    /// Looks a repo up by type and name, ignoring case.
    pub async fn repo_by_name(
        &self,
        repo_type: RepoType,
        name: &RepoName,
    ) -> Result<Option<Repo>, MetaError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            repo_columns!(),
            " FROM repos WHERE repo_type = $1 AND name_key = $2"
        ))
        .bind(repo_type.as_str())
        .bind(name.key())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(repo_from_row).transpose()
    }

    pub async fn repo_by_id(&self, id: i64) -> Result<Option<Repo>, MetaError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            repo_columns!(),
            " FROM repos WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(repo_from_row).transpose()
    }

    /// Every repo, public and private, in id order: for fsck and other whole-store work.
    pub async fn all_repos(&self) -> Result<Vec<Repo>, MetaError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            repo_columns!(),
            " FROM repos ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(repo_from_row).collect()
    }

    /// Renames a repo and/or gives it to another owner. The id, refs, grants and history stay.
    /// [`MetaError::Conflict`] if the new name is taken, [`MetaError::NotFound`] if the repo or
    /// the new owner does not exist.
    pub async fn move_repo(
        &self,
        id: i64,
        new_name: &RepoName,
        new_owner_id: i64,
    ) -> Result<(), MetaError> {
        let mut tx = self.begin_write().await?;
        // The owner may change, and with it who may see a private repo.
        record_access_change(&mut tx, id).await?;
        let repo_type: Option<String> =
            sqlx::query_scalar("SELECT repo_type FROM repos WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let repo_type = repo_type.ok_or_else(|| no_repo(id))?;
        let kind = RepoType::parse(&repo_type)
            .ok_or_else(|| MetaError::Corrupt(format!("repo type {repo_type:?}")))?;
        let done = sqlx::query(
            "UPDATE repos SET namespace = $2, name = $3, name_key = $4, ns_key = $5, owner_id = $6 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(new_name.namespace())
        .bind(new_name.name())
        .bind(new_name.key())
        .bind(new_name.namespace().to_ascii_lowercase())
        .bind(new_owner_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            translate(
                e,
                || taken(kind, new_name),
                || format!("no account with id {new_owner_id}"),
            )
        })?;
        if done.rows_affected() == 0 {
            return Err(no_repo(id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes a repo private or public, recording the change for every server's search index.
    pub async fn set_private(&self, id: i64, private: bool) -> Result<(), MetaError> {
        let mut tx = self.begin_write().await?;
        record_access_change(&mut tx, id).await?;
        let done = sqlx::query("UPDATE repos SET private = $2 WHERE id = $1")
            .bind(id)
            .bind(i64::from(private))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(no_repo(id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Stores what listings show about the repo's current state.
    pub async fn update_repo_summary(&self, id: i64, s: &RepoSummary) -> Result<(), MetaError> {
        let (card_data, tags) = summary_json(s)?;
        let openness = s
            .openness
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| MetaError::Invalid(format!("openness does not serialise: {e}")))?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE repos SET sha = $2, last_modified = $3, card_data = $4, tags = $5, \
                 pipeline_tag = $6, library_name = $7, openness = $8 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(s.sha.map(|oid| oid.0.to_vec()))
        .bind(s.last_modified)
        .bind(card_data)
        .bind(tags)
        .bind(s.pipeline_tag.clone())
        .bind(s.library_name.clone())
        .bind(openness)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(no_repo(id));
        }
        replace_tags(&mut tx, id, &s.tags).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the summary of `main` as of commit-log position `seq` (head, time, card data,
    /// tags), unless one of a later position is already stored: summaries are computed after the
    /// ref moves, so concurrent writers finish in any order and the newest must win.
    /// `openness` is left alone (the assessor writes it). Returns whether it was stored.
    pub async fn update_repo_head_summary(
        &self,
        id: i64,
        seq: i64,
        s: &RepoSummary,
    ) -> Result<bool, MetaError> {
        let (card_data, tags) = summary_json(s)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE repos SET sha = $2, last_modified = $3, card_data = $4, tags = $5, \
                 pipeline_tag = $6, library_name = $7, summary_seq = $8 \
             WHERE id = $1 AND summary_seq < $8",
        )
        .bind(id)
        .bind(s.sha.map(|oid| oid.0.to_vec()))
        .bind(s.last_modified)
        .bind(card_data)
        .bind(tags)
        .bind(s.pipeline_tag.clone())
        .bind(s.library_name.clone())
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM repos WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            tx.rollback().await?;
            return match exists {
                Some(_) => Ok(false),
                None => Err(no_repo(id)),
            };
        }
        replace_tags(&mut tx, id, &s.tags).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Stores the openness summary of commit `sha`, only while `sha` is still the summary's head
    /// (one conditional statement: a newer head stored meanwhile is never overwritten, nor
    /// given an older commit's openness). Returns whether it was stored.
    pub async fn set_repo_openness(
        &self,
        id: i64,
        sha: &GitOid,
        openness: &serde_json::Value,
    ) -> Result<bool, MetaError> {
        let done = sqlx::query("UPDATE repos SET openness = $3 WHERE id = $1 AND sha = $2")
            .bind(id)
            .bind(sha.0.to_vec())
            .bind(openness.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
