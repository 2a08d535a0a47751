//! Gated repositories: the gating settings, access requests and their review, as the Hub's
//! clients speak them. Who may read a gated repo's files is decided in one place,
//! [`crate::access::can_read_bytes`]; this module changes what that rule reads. Every change is
//! recorded in the audit trail in the same transaction as the change.

use commonhold_meta::{
    AccessDecision, AccessRequest, AccountKind, AuditAction, MetaError, NewAccessRequest,
    NewAuditEvent, Repo,
};
use commonhold_types::{AccessStatus, Gating, RepoName, RepoType};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::{Hub, HubError, Principal};

/// Longest rejection reason, in characters (the Hub's limit).
pub const REJECTION_REASON_MAX: usize = 200;
/// Longest grant lifetime a repo may set, in days (a hundred years: "until revoked" is `None`).
pub const MAX_ACCESS_DAYS: i64 = 36_500;
/// Largest form answers stored with a request, as JSON text.
const MAX_FIELDS_BYTES: usize = 16 * 1024;
/// Longest answer to one field, in characters.
const MAX_ANSWER_CHARS: usize = 1000;
/// The card keys that make up a repo's gating terms (their hash is stored with each request).
const TERMS_KEYS: [&str; 5] = [
    "extra_gated_prompt",
    "extra_gated_heading",
    "extra_gated_description",
    "extra_gated_button_content",
    "extra_gated_fields",
];

/// Who a decision is about: a user by name, or a request by its id.
#[derive(Clone, Debug)]
pub enum Requester {
    User(String),
    RequestId(String),
}

fn audit_repo(repo: &Repo) -> String {
    format!("{}/{}", repo.repo_type.as_str(), repo.name)
}

fn event(
    who: Option<&Principal>,
    action: AuditAction,
    repo: &Repo,
    detail: Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor: who.map(|p| p.account.name.clone()),
        action,
        repo: Some(audit_repo(repo)),
        detail,
    }
}

/// Maps the store's answers for requests: a missing request is the Hub's 404, a conflict
/// (already has access, rejected before) its 400.
fn request_err(e: MetaError) -> HubError {
    match e {
        MetaError::NotFound(m) => HubError::NotFound(m),
        MetaError::Conflict(m) => HubError::BadRequest(m),
        other => other.into(),
    }
}

fn not_gated(repo: &Repo) -> HubError {
    HubError::BadRequest(format!(
        "{} is not gated: set gated to \"auto\" or \"manual\" in its settings first",
        repo.name
    ))
}

/// The SHA-256 (hex) of the gating terms a card shows: its `extra_gated_*` keys, as JSON.
pub fn terms_sha256(card_data: &Value) -> Option<String> {
    let terms: Map<String, Value> = TERMS_KEYS
        .iter()
        .filter_map(|k| card_data.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    if terms.is_empty() {
        return None;
    }
    let text = serde_json::to_string(&terms).ok()?;
    Some(hex::encode(Sha256::digest(text.as_bytes())))
}

/// Checks the answers against the card's `extra_gated_fields` (`{label: type}` or
/// `{label: {type, options}}`): every field answered, with a value of its type, and nothing
/// else. Without fields in the card, any small object of short answers is kept.
pub fn validate_fields(card_data: &Value, answers: &Value) -> Result<(), HubError> {
    let bad = |m: String| Err(HubError::BadRequest(m));
    let Some(answers) = answers.as_object() else {
        return bad("the request's fields must be a JSON object of answers".into());
    };
    if serde_json::to_string(answers).map_or(0, |t| t.len()) > MAX_FIELDS_BYTES {
        return bad(format!("the answers exceed {MAX_FIELDS_BYTES} bytes"));
    }
    let Some(fields) = card_data
        .get("extra_gated_fields")
        .and_then(Value::as_object)
    else {
        for (label, v) in answers {
            match v {
                Value::String(s) if s.chars().count() <= MAX_ANSWER_CHARS => {}
                Value::Bool(_) => {}
                _ => return bad(format!("field {label:?}: answer with text or true/false")),
            }
        }
        return Ok(());
    };
    for label in answers.keys() {
        if !fields.contains_key(label) {
            return bad(format!("field {label:?} is not part of this repo's form"));
        }
    }
    for (label, spec) in fields {
        let (kind, options) = match spec {
            Value::String(kind) => (kind.as_str(), None),
            Value::Object(o) => (
                o.get("type").and_then(Value::as_str).unwrap_or("text"),
                o.get("options").and_then(Value::as_array),
            ),
            _ => ("text", None),
        };
        let Some(answer) = answers.get(label) else {
            return bad(format!("field {label:?} must be answered"));
        };
        let text = answer.as_str().unwrap_or_default();
        let ok = match kind {
            "checkbox" => answer == &Value::Bool(true) || text == "on" || text == "true",
            "date_picker" => {
                text.len() == 10
                    && time::Date::parse(
                        text,
                        time::macros::format_description!("[year]-[month]-[day]"),
                    )
                    .is_ok()
            }
            "country" => text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()),
            "select" => options.is_some_and(|opts| {
                opts.iter().any(|o| {
                    o.as_str() == Some(text) || o.get("value").and_then(Value::as_str) == Some(text)
                })
            }),
            _ => !text.trim().is_empty() && text.chars().count() <= MAX_ANSWER_CHARS,
        };
        if !ok {
            let expect = match kind {
                "checkbox" => "must be checked (true)",
                "date_picker" => "must be a date, YYYY-MM-DD",
                "country" => "must be an ISO 3166-1 alpha-2 country code, e.g. \"DE\"",
                "select" => "must be one of the options",
                _ => "must be non-empty text of at most 1000 characters",
            };
            return bad(format!("field {label:?} {expect}"));
        }
    }
    Ok(())
}

impl Hub {
    /// Changes a repo's gating (`None`: leaves it) and grant lifetime (`None`: leaves it;
    /// `Some(None)`: until revoked); only its writers may. Returns the settings in force.
    pub async fn set_gating(
        &self,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
        gating: Option<Gating>,
        default_access_days: Option<Option<i64>>,
    ) -> Result<(Gating, Option<i64>), HubError> {
        let repo = self.writable_repo(who, kind, name).await?;
        if let Some(Some(days)) = default_access_days
            && !(1..=MAX_ACCESS_DAYS).contains(&days)
        {
            return Err(HubError::BadRequest(format!(
                "default_access_days {days} is out of range: use 1 to {MAX_ACCESS_DAYS}, or null \
                 for access until revoked"
            )));
        }
        let gating_now = gating.unwrap_or(repo.gating);
        let days_now = default_access_days.unwrap_or(repo.default_access_days);
        if (gating_now, days_now) == (repo.gating, repo.default_access_days) {
            return Ok((gating_now, days_now));
        }
        let detail = json!({
            "gated": gating_now.as_str().map_or(json!(false), |g| json!(g)),
            "default_access_days": days_now,
        });
        self.meta
            .set_gating(
                repo.id,
                gating_now,
                days_now,
                &event(who, AuditAction::GatingChanged, &repo, detail),
            )
            .await?;
        self.invalidate_hot();
        Ok((gating_now, days_now))
    }

    /// `who` asks for access to a gated repo it can see, answering the card's form. `auto`
    /// gating accepts at once (for the repo's `default_access_days`), `manual` leaves the request
    /// pending; a rejected user cannot ask again.
    pub async fn ask_access(
        &self,
        who: &Principal,
        kind: RepoType,
        name: &RepoName,
        fields: Value,
    ) -> Result<AccessRequest, HubError> {
        let repo = self.readable_repo(Some(who), kind, name).await?;
        if !repo.gating.is_gated() {
            return Err(not_gated(&repo));
        }
        if who.role != commonhold_types::Role::Write {
            return Err(HubError::Forbidden(
                "asking for access needs a write token (a read token changes nothing)".into(),
            ));
        }
        validate_fields(&repo.summary.card_data, &fields)?;
        let accept_now = repo.gating == Gating::Auto;
        let new = NewAccessRequest {
            fields,
            terms_sha256: terms_sha256(&repo.summary.card_data),
            accept_now,
            expires_at: self.expiry(&repo),
        };
        let action = if accept_now {
            AuditAction::AccessAccepted
        } else {
            AuditAction::AccessRequested
        };
        let detail = json!({ "user": who.account.name, "terms_sha256": new.terms_sha256,
                             "expires_at": new.expires_at.filter(|_| accept_now) });
        let stored = self
            .meta
            .request_access(
                repo.id,
                who.account.id,
                &new,
                &event(Some(who), action, &repo, detail),
            )
            .await
            .map_err(request_err)?;
        self.invalidate_hot();
        Ok(stored)
    }

    /// A gated repo's requests with `status`, for its writers, oldest first.
    pub async fn list_access_requests(
        &self,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
        status: AccessStatus,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AccessRequest>, HubError> {
        let repo = self.gated_repo_to_manage(who, kind, name).await?;
        Ok(self
            .meta
            .access_requests(repo.id, status, offset, limit)
            .await?)
    }

    /// Moves a request to `status`: accept (for the repo's `default_access_days`), reject (with
    /// an optional reason of at most [`REJECTION_REASON_MAX`] characters) or cancel (back to
    /// pending, which ends an access). Only the repo's writers may.
    pub async fn handle_access_request(
        &self,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
        requester: &Requester,
        status: AccessStatus,
        reason: Option<String>,
    ) -> Result<AccessRequest, HubError> {
        let repo = self.gated_repo_to_manage(who, kind, name).await?;
        let decider = who.ok_or(HubError::RepoNotFound)?;
        if reason.is_some() && status != AccessStatus::Rejected {
            return Err(HubError::BadRequest(
                "rejectionReason goes only with status \"rejected\"".into(),
            ));
        }
        if let Some(r) = &reason
            && r.chars().count() > REJECTION_REASON_MAX
        {
            return Err(HubError::BadRequest(format!(
                "rejectionReason is longer than {REJECTION_REASON_MAX} characters"
            )));
        }
        let user_id = match requester {
            Requester::User(user) => self.user_id(user).await?,
            Requester::RequestId(id) => {
                let missing = || HubError::NotFound(format!("no access request {id:?}"));
                let id: i64 = id.parse().map_err(|_| missing())?;
                self.meta
                    .access_request_user(repo.id, id)
                    .await?
                    .ok_or_else(missing)?
            }
        };
        let action = match status {
            AccessStatus::Accepted => AuditAction::AccessAccepted,
            AccessStatus::Rejected => AuditAction::AccessRejected,
            AccessStatus::Pending => AuditAction::AccessCancelled,
        };
        let decision = AccessDecision {
            status,
            reason,
            decided_by: decider.account.id,
            expires_at: self.expiry(&repo),
        };
        let stored = self
            .meta
            .decide_access(
                repo.id,
                user_id,
                &decision,
                &event(who, action, &repo, decision_detail(user_id, &decision)),
            )
            .await
            .map_err(request_err)?;
        self.invalidate_hot();
        Ok(stored)
    }

    /// Grants `user` access without a request of theirs (for the repo's `default_access_days`).
    pub async fn grant_access(
        &self,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
        user: &str,
    ) -> Result<AccessRequest, HubError> {
        let repo = self.gated_repo_to_manage(who, kind, name).await?;
        let decider = who.ok_or(HubError::RepoNotFound)?;
        let user_id = self.user_id(user).await?;
        let decision = AccessDecision {
            status: AccessStatus::Accepted,
            reason: None,
            decided_by: decider.account.id,
            expires_at: self.expiry(&repo),
        };
        let stored = self
            .meta
            .grant_access(
                repo.id,
                user_id,
                &decision,
                &event(
                    who,
                    AuditAction::AccessGranted,
                    &repo,
                    decision_detail(user_id, &decision),
                ),
            )
            .await
            .map_err(request_err)?;
        self.invalidate_hot();
        Ok(stored)
    }

    /// A gated repo `who` may manage requests of: its writers (write token), site admins.
    async fn gated_repo_to_manage(
        &self,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
    ) -> Result<Repo, HubError> {
        let repo = self.writable_repo(who, kind, name).await?;
        if !repo.gating.is_gated() {
            return Err(not_gated(&repo));
        }
        Ok(repo)
    }

    async fn user_id(&self, user: &str) -> Result<i64, HubError> {
        match self.meta.account_by_name(user).await? {
            Some(a) if a.kind == AccountKind::User => Ok(a.id),
            _ => Err(HubError::NotFound(format!("user {user:?} not found"))),
        }
    }

    /// When an access granted now ends, by the repo's `default_access_days`.
    fn expiry(&self, repo: &Repo) -> Option<i64> {
        repo.default_access_days
            .map(|days| crate::now_ms().saturating_add(days.saturating_mul(86_400_000)))
    }
}

fn decision_detail(user_id: i64, d: &AccessDecision) -> Value {
    json!({
        "user_id": user_id,
        "status": d.status.as_str(),
        "reason": d.reason,
        "expires_at": d.expires_at.filter(|_| d.status == AccessStatus::Accepted),
    })
}
