//! Gated repositories: a repo's gating settings and its users' access requests.
//!
//! One request per (repo, user) (a unique key): asking, accepting, rejecting, cancelling and
//! granting move that row between `pending`, `accepted` and `rejected`. Every change appends its
//! audit event in the same transaction, so the change and its record commit together. Whether a
//! caller may read a gated repo's files is the hub's rule (`access.rs`); this module only stores.

use commonhold_types::{AccessStatus, Gating};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::MetaStore;
use crate::audit::{NewAuditEvent, append_in};
use crate::codec::{col, json, now_ms};
use crate::error::{MetaError, missing_parent};

/// A user's access request to a gated repo, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessRequest {
    pub id: i64,
    pub repo_id: i64,
    pub user_id: i64,
    /// The requester's name (read with the row).
    pub user_name: String,
    pub status: AccessStatus,
    /// The requester's answers to the gating form, a JSON object.
    pub fields: serde_json::Value,
    /// SHA-256 (hex) of the gating terms the requester was shown, if any.
    pub terms_sha256: Option<String>,
    /// Why it was rejected (at most 200 characters, checked by the hub).
    pub reason: Option<String>,
    /// The account that accepted or rejected it; `None` for an automatic acceptance.
    pub decided_by: Option<i64>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub decided_at: Option<i64>,
    /// When an accepted request stops granting access; `None`: until revoked.
    pub expires_at: Option<i64>,
}

impl AccessRequest {
    /// Whether this request grants access at `now` (unix milliseconds).
    pub fn grants_at(&self, now: i64) -> bool {
        self.status == AccessStatus::Accepted && self.expires_at.is_none_or(|t| now < t)
    }
}

/// A new request: the answers and the terms' hash the requester saw.
#[derive(Clone, Debug)]
pub struct NewAccessRequest {
    pub fields: serde_json::Value,
    pub terms_sha256: Option<String>,
    /// Accepted at once (`auto` gating), lasting until `expires_at`; otherwise pending.
    pub accept_now: bool,
    pub expires_at: Option<i64>,
}

/// A decision on an existing request (accept, reject, cancel to pending) or a direct grant.
#[derive(Clone, Debug)]
pub struct AccessDecision {
    pub status: AccessStatus,
    pub reason: Option<String>,
    pub decided_by: i64,
    /// For acceptances: when the access ends.
    pub expires_at: Option<i64>,
}

const REQUEST_COLUMNS: &str = "r.id, r.repo_id, r.user_id, a.name AS user_name, r.status, \
     r.fields, r.terms_sha256, r.reason, r.decided_by, r.created_at, r.decided_at, r.expires_at";

fn request_from_row(row: &AnyRow) -> Result<AccessRequest, MetaError> {
    let status: String = col(row, "status")?;
    Ok(AccessRequest {
        id: col(row, "id")?,
        repo_id: col(row, "repo_id")?,
        user_id: col(row, "user_id")?,
        user_name: col(row, "user_name")?,
        status: AccessStatus::parse(&status)
            .ok_or_else(|| MetaError::Corrupt(format!("access request status {status:?}")))?,
        fields: json(&col::<String>(row, "fields")?, "access request fields")?,
        terms_sha256: col(row, "terms_sha256")?,
        reason: col(row, "reason")?,
        decided_by: col(row, "decided_by")?,
        created_at: col(row, "created_at")?,
        decided_at: col(row, "decided_at")?,
        expires_at: col(row, "expires_at")?,
    })
}

impl MetaStore {
    /// The user behind request `id` of `repo_id`, if there is such a request.
    pub async fn access_request_user(
        &self,
        repo_id: i64,
        id: i64,
    ) -> Result<Option<i64>, MetaError> {
        Ok(
            sqlx::query_scalar(
                "SELECT user_id FROM access_requests WHERE repo_id = $1 AND id = $2",
            )
            .bind(repo_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }
}

fn one_request_sql() -> String {
    format!(
        "SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN accounts a ON a.id = r.user_id \
         WHERE r.repo_id = $1 AND r.user_id = $2"
    )
}

async fn request_in(
    tx: &mut Transaction<'static, Any>,
    repo_id: i64,
    user_id: i64,
) -> Result<Option<AccessRequest>, MetaError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(one_request_sql()))
        .bind(repo_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(request_from_row).transpose()
}

impl MetaStore {
    /// Sets a repo's gating mode and grant lifetime, with its audit event.
    pub async fn set_gating(
        &self,
        repo_id: i64,
        gating: Gating,
        default_access_days: Option<i64>,
        audit: &NewAuditEvent,
    ) -> Result<(), MetaError> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE repos SET gated = $2, default_access_days = $3 WHERE id = $1")
                .bind(repo_id)
                .bind(gating.as_str())
                .bind(default_access_days)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NotFound(format!("no repo with id {repo_id}")));
        }
        append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The request `user_id` made (or was granted) for `repo_id`, if any.
    pub async fn access_request(
        &self,
        repo_id: i64,
        user_id: i64,
    ) -> Result<Option<AccessRequest>, MetaError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(one_request_sql()))
            .bind(repo_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    /// Moves the end of `user_id`'s access to `expires_at` (unix milliseconds; `None`: until
    /// revoked), with its audit event: an administrator's revocation at a time, and how tests
    /// move a grant past its end without waiting. [`MetaError::NotFound`] without a request.
    pub async fn set_access_expiry(
        &self,
        repo_id: i64,
        user_id: i64,
        expires_at: Option<i64>,
        audit: &NewAuditEvent,
    ) -> Result<(), MetaError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE access_requests SET expires_at = $3 WHERE repo_id = $1 AND user_id = $2",
        )
        .bind(repo_id)
        .bind(user_id)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NotFound(
                "no access request from this user".into(),
            ));
        }
        append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A repo's requests with this status, oldest first, from `offset`.
    pub async fn access_requests(
        &self,
        repo_id: i64,
        status: AccessStatus,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AccessRequest>, MetaError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REQUEST_COLUMNS} FROM access_requests r JOIN accounts a ON a.id = r.user_id \
             WHERE r.repo_id = $1 AND r.status = $2 ORDER BY r.created_at, r.id \
             LIMIT $3 OFFSET $4"
        )))
        .bind(repo_id)
        .bind(status.as_str())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_from_row).collect()
    }

    /// Records `user_id`'s request. A rejected user cannot ask again ([`MetaError::Conflict`]);
    /// a pending request or a live grant is returned unchanged; an expired grant is asked anew.
    /// The audit event is appended only when something changed.
    pub async fn request_access(
        &self,
        repo_id: i64,
        user_id: i64,
        new: &NewAccessRequest,
        audit: &NewAuditEvent,
    ) -> Result<AccessRequest, MetaError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        if let Some(existing) = request_in(&mut tx, repo_id, user_id).await? {
            match existing.status {
                AccessStatus::Rejected => {
                    return Err(MetaError::Conflict(
                        "your request was rejected; ask an owner of the repo to reconsider".into(),
                    ));
                }
                AccessStatus::Pending => return Ok(existing),
                AccessStatus::Accepted if existing.grants_at(now) => return Ok(existing),
                AccessStatus::Accepted => {}
            }
        }
        let fields = serde_json::to_string(&new.fields)
            .map_err(|e| MetaError::Invalid(format!("fields do not serialise: {e}")))?;
        let (status, decided_at, expires_at) = if new.accept_now {
            (AccessStatus::Accepted, Some(now), new.expires_at)
        } else {
            (AccessStatus::Pending, None, None)
        };
        sqlx::query(
            "INSERT INTO access_requests (repo_id, user_id, status, fields, terms_sha256, \
                 created_at, decided_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (repo_id, user_id) DO UPDATE SET status = $3, fields = $4, \
                 terms_sha256 = $5, reason = NULL, decided_by = NULL, created_at = $6, \
                 decided_at = $7, expires_at = $8",
        )
        .bind(repo_id)
        .bind(user_id)
        .bind(status.as_str())
        .bind(fields)
        .bind(new.terms_sha256.clone())
        .bind(now)
        .bind(decided_at)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| missing_parent(e, || format!("no repo {repo_id} or user {user_id}")))?;
        append_in(&mut tx, audit).await?;
        let stored = request_in(&mut tx, repo_id, user_id)
            .await?
            .ok_or_else(|| MetaError::Corrupt("an access request vanished".into()))?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Moves `user_id`'s request to `decision.status`. [`MetaError::NotFound`] when there is no
    /// request, or it already has that status (the Hub's answer for both).
    pub async fn decide_access(
        &self,
        repo_id: i64,
        user_id: i64,
        decision: &AccessDecision,
        audit: &NewAuditEvent,
    ) -> Result<AccessRequest, MetaError> {
        let mut tx = self.begin_write().await?;
        let existing = request_in(&mut tx, repo_id, user_id)
            .await?
            .ok_or_else(|| MetaError::NotFound("no access request from this user".into()))?;
        if existing.status == decision.status {
            return Err(MetaError::NotFound(format!(
                "the access request is already {}",
                decision.status
            )));
        }
        self.write_decision(&mut tx, repo_id, user_id, decision)
            .await?;
        append_in(&mut tx, audit).await?;
        let stored = request_in(&mut tx, repo_id, user_id)
            .await?
            .ok_or_else(|| MetaError::Corrupt("an access request vanished".into()))?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Grants `user_id` access without a request of theirs. [`MetaError::Conflict`] when they
    /// already have access (an accepted request that has not expired).
    pub async fn grant_access(
        &self,
        repo_id: i64,
        user_id: i64,
        decision: &AccessDecision,
        audit: &NewAuditEvent,
    ) -> Result<AccessRequest, MetaError> {
        let mut tx = self.begin_write().await?;
        let existing = request_in(&mut tx, repo_id, user_id).await?;
        if existing.as_ref().is_some_and(|r| r.grants_at(now_ms())) {
            return Err(MetaError::Conflict(
                "this user already has access to the repo".into(),
            ));
        }
        if existing.is_none() {
            sqlx::query(
                "INSERT INTO access_requests (repo_id, user_id, status, fields, created_at) \
                 VALUES ($1, $2, 'pending', '{}', $3)",
            )
            .bind(repo_id)
            .bind(user_id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(|e| missing_parent(e, || format!("no repo {repo_id} or user {user_id}")))?;
        }
        self.write_decision(&mut tx, repo_id, user_id, decision)
            .await?;
        append_in(&mut tx, audit).await?;
        let stored = request_in(&mut tx, repo_id, user_id)
            .await?
            .ok_or_else(|| MetaError::Corrupt("an access request vanished".into()))?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn write_decision(
        &self,
        tx: &mut Transaction<'static, Any>,
        repo_id: i64,
        user_id: i64,
        d: &AccessDecision,
    ) -> Result<(), MetaError> {
        let pending = d.status == AccessStatus::Pending;
        sqlx::query(
            "UPDATE access_requests SET status = $3, reason = $4, decided_by = $5, \
                 decided_at = $6, expires_at = $7 \
             WHERE repo_id = $1 AND user_id = $2",
        )
        .bind(repo_id)
        .bind(user_id)
        .bind(d.status.as_str())
        .bind(d.reason.clone())
        .bind((!pending).then_some(d.decided_by))
        .bind((!pending).then_some(now_ms()))
        .bind(d.expires_at.filter(|_| d.status == AccessStatus::Accepted))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
