//! Around the stored assessments: publishers' disputes of a judgment, and re-assessment runs
//! with what each changed.
//!
//! A dispute never changes the assessment it names; it is stored beside it. A re-assessment run
//! is claimed by one process at a time: the claim is a compare-and-swap on the row, and the
//! claim's time is refreshed with every repo recorded, so a run whose process died can be taken
//! over once its claim is stale, and resumes from its cursor.

use commonhold_types::{GitOid, ReassessStatus};
use sqlx::any::AnyRow;

use crate::MetaStore;
use crate::codec::{col, flag, now_ms, oid_from_bytes};
use crate::error::{MetaError, missing_parent};
use crate::model::Repo;
use crate::repos::{repo_columns, repo_from_row};

/// A publisher's dispute of one judgment of an assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispute {
    pub id: i64,
    pub repo_id: i64,
    /// The commit whose assessment is disputed.
    pub commit: GitOid,
    /// What is disputed: `tier`, `osaid`, `mof`, a finding id (`OW006`) or a component.
    pub target: String,
    /// The rule id the disputed judgment cites, when it names one.
    pub rule: Option<String>,
    /// The account name of the writer who recorded it.
    pub author: String,
    pub reason: String,
    pub evidence_url: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What to store for a new dispute.
#[derive(Clone, Debug)]
pub struct NewDispute<'a> {
    pub repo_id: i64,
    pub commit: GitOid,
    pub target: &'a str,
    pub rule: Option<&'a str>,
    pub author: &'a str,
    pub reason: &'a str,
    pub evidence_url: Option<&'a str>,
}

/// A re-assessment of every repo, queued when the definition or the knowledge file changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReassessRun {
    pub id: i64,
    /// Why it was queued (`commonhold reassess`, a new definition, a reloaded knowledge file).
    pub reason: String,
    /// The definition and knowledge it assesses with.
    pub definition: String,
    pub knowledge_version: String,
    pub knowledge_sha256: String,
    pub status: ReassessStatus,
    /// Repos with ids up to this one are done.
    pub cursor_repo_id: i64,
    pub repos_done: i64,
    pub repos_changed: i64,
    pub claimed_at: Option<i64>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// What a run found for one repo: its head of `main` before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReassessChange {
    pub run_id: i64,
    pub repo_id: i64,
    pub repo_type: String,
    pub repo_name: String,
    pub commit: GitOid,
    /// `None` when the commit had no assessment before.
    pub tier_before: Option<String>,
    pub tier_after: String,
    pub definition_before: Option<String>,
    pub findings_added: Vec<String>,
    pub findings_removed: Vec<String>,
    /// The tier or the findings changed.
    pub changed: bool,
    pub at: i64,
}

macro_rules! dispute_columns {
    () => {
        "id, repo_id, commit_oid, target, rule, author, reason, evidence_url, created_at"
    };
}

macro_rules! run_columns {
    () => {
        "id, reason, definition, knowledge_version, knowledge_sha256, status, cursor_repo_id, \
         repos_done, repos_changed, claimed_at, created_at, finished_at"
    };
}

macro_rules! change_columns {
    () => {
        "run_id, repo_id, repo_type, repo_name, commit_oid, tier_before, tier_after, \
         definition_before, findings_added, findings_removed, changed, at"
    };
}

fn dispute(row: &AnyRow) -> Result<Dispute, MetaError> {
    Ok(Dispute {
        id: col(row, "id")?,
        repo_id: col(row, "repo_id")?,
        commit: oid_from_bytes(&col::<Vec<u8>>(row, "commit_oid")?)?,
        target: col(row, "target")?,
        rule: col(row, "rule")?,
        author: col(row, "author")?,
        reason: col(row, "reason")?,
        evidence_url: col(row, "evidence_url")?,
        created_at: col(row, "created_at")?,
    })
}

fn run(row: &AnyRow) -> Result<ReassessRun, MetaError> {
    Ok(ReassessRun {
        id: col(row, "id")?,
        reason: col(row, "reason")?,
        definition: col(row, "definition")?,
        knowledge_version: col(row, "knowledge_version")?,
        knowledge_sha256: col(row, "knowledge_sha256")?,
        status: {
            let status: String = col(row, "status")?;
            ReassessStatus::parse(&status)
                .ok_or_else(|| MetaError::Corrupt(format!("re-assessment status {status:?}")))?
        },
        cursor_repo_id: col(row, "cursor_repo_id")?,
        repos_done: col(row, "repos_done")?,
        repos_changed: col(row, "repos_changed")?,
        claimed_at: col(row, "claimed_at")?,
        created_at: col(row, "created_at")?,
        finished_at: col(row, "finished_at")?,
    })
}

fn ids(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn change(row: &AnyRow) -> Result<ReassessChange, MetaError> {
    Ok(ReassessChange {
        run_id: col(row, "run_id")?,
        repo_id: col(row, "repo_id")?,
        repo_type: col(row, "repo_type")?,
        repo_name: col(row, "repo_name")?,
        commit: oid_from_bytes(&col::<Vec<u8>>(row, "commit_oid")?)?,
        tier_before: col(row, "tier_before")?,
        tier_after: col(row, "tier_after")?,
        definition_before: col(row, "definition_before")?,
        findings_added: ids(&col::<String>(row, "findings_added")?),
        findings_removed: ids(&col::<String>(row, "findings_removed")?),
        changed: flag(row, "changed")?,
        at: col(row, "at")?,
    })
}

impl MetaStore {
    /// Stores a dispute and returns it.
    pub async fn insert_dispute(&self, d: &NewDispute<'_>) -> Result<Dispute, MetaError> {
        let row = sqlx::query(concat!(
            "INSERT INTO assessment_disputes (repo_id, commit_oid, target, rule, author, reason, \
             evidence_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
            dispute_columns!()
        ))
        .bind(d.repo_id)
        .bind(&d.commit.0[..])
        .bind(d.target)
        .bind(d.rule)
        .bind(d.author)
        .bind(d.reason)
        .bind(d.evidence_url)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| missing_parent(e, || format!("no repo with id {}", d.repo_id)))?;
        dispute(&row)
    }

    /// A repo's disputes, newest first, at most `limit`.
    pub async fn disputes(&self, repo_id: i64, limit: u64) -> Result<Vec<Dispute>, MetaError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(concat!(
            "SELECT ",
            dispute_columns!(),
            " FROM assessment_disputes WHERE repo_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(repo_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(dispute).collect()
    }

    /// How many disputes `author` has recorded on a repo (a bound on what one writer can add).
    pub async fn count_disputes_by(&self, repo_id: i64, author: &str) -> Result<u64, MetaError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM assessment_disputes WHERE repo_id = $1 AND author = $2",
        )
        .bind(repo_id)
        .bind(author)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Queues a re-assessment run, unless one with the same definition and knowledge is still
    /// queued (which is returned instead).
    pub async fn enqueue_reassess(
        &self,
        reason: &str,
        definition: &str,
        knowledge_version: &str,
        knowledge_sha256: &str,
    ) -> Result<ReassessRun, MetaError> {
        let mut tx = self.begin_write().await?;
        let waiting = sqlx::query(concat!(
            "SELECT ",
            run_columns!(),
            " FROM reassess_runs WHERE status = $1 AND definition = $2 \
              AND knowledge_sha256 = $3 ORDER BY id LIMIT 1"
        ))
        .bind(ReassessStatus::Queued.as_str())
        .bind(definition)
        .bind(knowledge_sha256)
        .fetch_optional(&mut *tx)
        .await?;
        let row = match waiting {
            Some(row) => row,
            None => {
                sqlx::query(concat!(
                    "INSERT INTO reassess_runs (reason, definition, knowledge_version, \
                     knowledge_sha256, status, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
                    run_columns!()
                ))
                .bind(reason)
                .bind(definition)
                .bind(knowledge_version)
                .bind(knowledge_sha256)
                .bind(ReassessStatus::Queued.as_str())
                .bind(now_ms())
                .fetch_one(&mut *tx)
                .await?
            }
        };
        tx.commit().await?;
        run(&row)
    }

    /// Claims the oldest queued run, or a running one whose claim is older than `stale_ms`
    /// (its process died). `None` when there is nothing to do or another process won the race.
    pub async fn claim_reassess(&self, stale_ms: i64) -> Result<Option<ReassessRun>, MetaError> {
        let now = now_ms();
        let stale_before = now.saturating_sub(stale_ms);
        let candidate: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM reassess_runs WHERE status = $1 \
             OR (status = $2 AND claimed_at < $3) ORDER BY id LIMIT 1",
        )
        .bind(ReassessStatus::Queued.as_str())
        .bind(ReassessStatus::Running.as_str())
        .bind(stale_before)
        .fetch_optional(&self.pool)
        .await?;
        let Some(id) = candidate else {
            return Ok(None);
        };
        let claimed = sqlx::query(
            "UPDATE reassess_runs SET status = $1, claimed_at = $2 WHERE id = $3 \
             AND (status = $4 OR (status = $1 AND claimed_at < $5))",
        )
        .bind(ReassessStatus::Running.as_str())
        .bind(now)
        .bind(id)
        .bind(ReassessStatus::Queued.as_str())
        .bind(stale_before)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(None);
        }
        self.reassess_run(id).await
    }

    pub async fn reassess_run(&self, id: i64) -> Result<Option<ReassessRun>, MetaError> {
        sqlx::query(concat!(
            "SELECT ",
            run_columns!(),
            " FROM reassess_runs WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(run)
        .transpose()
    }

    /// Records one repo of a run (its change, when it has a head to assess) and moves the
    /// run's cursor past it, refreshing the claim.
    pub async fn record_reassess(
        &self,
        run_id: i64,
        repo_id: i64,
        change: Option<&ReassessChange>,
    ) -> Result<(), MetaError> {
        let mut tx = self.begin_write().await?;
        if let Some(c) = change {
            sqlx::query(concat!(
                "INSERT INTO reassess_changes (",
                change_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (run_id, repo_id) DO UPDATE SET tier_after = excluded.tier_after, \
                 findings_added = excluded.findings_added, \
                 findings_removed = excluded.findings_removed, changed = excluded.changed, \
                 at = excluded.at"
            ))
            .bind(run_id)
            .bind(repo_id)
            .bind(&c.repo_type)
            .bind(&c.repo_name)
            .bind(&c.commit.0[..])
            .bind(c.tier_before.as_deref())
            .bind(&c.tier_after)
            .bind(c.definition_before.as_deref())
            .bind(c.findings_added.join(","))
            .bind(c.findings_removed.join(","))
            .bind(i64::from(c.changed))
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(|e| missing_parent(e, || format!("no re-assessment run {run_id}")))?;
        }
        let changed = i64::from(change.is_some_and(|c| c.changed));
        sqlx::query(
            "UPDATE reassess_runs SET cursor_repo_id = $1, repos_done = repos_done + 1, \
             repos_changed = repos_changed + $2, claimed_at = $3 \
             WHERE id = $4 AND cursor_repo_id < $1",
        )
        .bind(repo_id)
        .bind(changed)
        .bind(now_ms())
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn finish_reassess(&self, run_id: i64) -> Result<(), MetaError> {
        sqlx::query("UPDATE reassess_runs SET status = $1, finished_at = $2 WHERE id = $3")
            .bind(ReassessStatus::Done.as_str())
            .bind(now_ms())
            .bind(run_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The latest runs, newest first.
    pub async fn reassess_runs(&self, limit: u64) -> Result<Vec<ReassessRun>, MetaError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(concat!(
            "SELECT ",
            run_columns!(),
            " FROM reassess_runs ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run).collect()
    }

    /// A run's records, changed ones first, then by repo name; at most `limit`.
    pub async fn reassess_changes(
        &self,
        run_id: i64,
        limit: u64,
    ) -> Result<Vec<ReassessChange>, MetaError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(concat!(
            "SELECT ",
            change_columns!(),
            " FROM reassess_changes WHERE run_id = $1 \
              ORDER BY changed DESC, repo_type, repo_name LIMIT $2"
        ))
        .bind(run_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(change).collect()
    }

    /// Up to `limit` repos with ids above `after`, in id order: a resumable walk of the store.
    pub async fn repos_after(&self, after: i64, limit: u64) -> Result<Vec<Repo>, MetaError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(concat!(
            "SELECT ",
            repo_columns!(),
            " FROM repos WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(repo_from_row).collect()
    }
}
