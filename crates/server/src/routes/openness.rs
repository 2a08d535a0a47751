//! `GET /api/{kind}/{repo}/openness[/{rev}]`: the stored assessment of a revision, or 202
//! `{"status": "pending"}` while the background assessor has not reached it yet.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use commonhold_hub::format_time_ms;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::openapi::ErrorBody;
use crate::repo_access::{Read, RepoIn, RepoParams, Rev, Write};
use crate::{ApiResult, AppState};

/// The answer while the background assessor has not reached a revision yet.
#[derive(Serialize, ToSchema)]
pub struct Pending {
    /// Always `pending`.
    #[schema(example = "pending")]
    status: &'static str,
    /// The commit the revision resolved to.
    commit: String,
}

/// `GET /api/{kind}/{ns}/{name}/openness`: the assessment of `main`.
#[utoipa::path(
    get,
    path = "/api/{kind}/{ns}/{name}/openness",
    tag = "openness",
    params(RepoParams),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "The stored assessment of `main`", body = ref("#/components/schemas/Assessment")),
        (status = 202, description = "Not assessed yet: the background assessor has not reached this commit", body = Pending),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or `main` is", body = ErrorBody),
    ),
)]
pub async fn latest(State(state): State<AppState>, repo: RepoIn<Read>) -> ApiResult<Response> {
    assessment_at(&state, &repo, "main").await
}

/// `GET /api/{kind}/{ns}/{name}/openness/{rev}`: the assessment of a revision.
#[utoipa::path(
    get,
    path = "/api/{kind}/{ns}/{name}/openness/{rev}",
    tag = "openness",
    params(RepoParams, Rev),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "The stored assessment of the revision", body = ref("#/components/schemas/Assessment")),
        (status = 202, description = "Not assessed yet: the background assessor has not reached this commit", body = Pending),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or the revision is", body = ErrorBody),
    ),
)]
pub async fn at(
    State(state): State<AppState>,
    repo: RepoIn<Read>,
    Path(Rev { rev }): Path<Rev>,
) -> ApiResult<Response> {
    assessment_at(&state, &repo, &rev).await
}

/// The stored assessment of `rev`, or 202 while it is pending.
async fn assessment_at(
    state: &AppState,
    RepoIn { repo, caller, .. }: &RepoIn<Read>,
    rev: &str,
) -> ApiResult<Response> {
    let resolved = state
        .hub
        .resolve(repo, rev)
        .await
        .map_err(|e| caller.err(e))?;
    match state
        .hub
        .assessment(repo, &resolved.commit)
        .await
        .map_err(|e| caller.err(e))?
    {
        Some(a) => Ok(Json(a).into_response()),
        None => Ok((
            StatusCode::ACCEPTED,
            Json(Pending {
                status: "pending",
                commit: resolved.commit.to_hex(),
            }),
        )
            .into_response()),
    }
}

/// A publisher's dispute of a judgment, shown beside it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DisputeView {
    id: i64,
    /// The commit whose assessment is disputed.
    commit: String,
    /// What is disputed: `tier`, `osaid`, `mof`, a finding id (`OW006`) or a component.
    target: String,
    /// The rule id the disputed judgment cites, when it names one.
    rule: Option<String>,
    /// The account that recorded it.
    author: String,
    reason: String,
    evidence_url: Option<String>,
    /// RFC 3339.
    created_at: String,
}

impl From<&commonhold_meta::Dispute> for DisputeView {
    fn from(d: &commonhold_meta::Dispute) -> DisputeView {
        DisputeView {
            id: d.id,
            commit: d.commit.to_hex(),
            target: d.target.clone(),
            rule: d.rule.clone(),
            author: d.author.clone(),
            reason: d.reason.clone(),
            evidence_url: d.evidence_url.clone(),
            created_at: format_time_ms(d.created_at),
        }
    }
}

/// Disputes shown per listing, newest first.
pub const DISPUTES_SHOWN: u64 = 200;

/// `GET /api/{kind}/{ns}/{name}/disputes`: the repo's disputes of its openness judgments.
#[utoipa::path(
    get,
    path = "/api/{kind}/{ns}/{name}/disputes",
    tag = "openness",
    params(RepoParams),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "The latest 200 disputes, newest first", body = [DisputeView]),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller", body = ErrorBody),
    ),
)]
pub async fn disputes(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
) -> ApiResult<Json<Vec<DisputeView>>> {
    let list = state
        .hub
        .disputes(&repo, DISPUTES_SHOWN)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(list.iter().map(DisputeView::from).collect()))
}

/// A dispute of one judgment of a revision's assessment.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    /// What is disputed: `tier`, `osaid`, `mof`, a finding id (`OW006`) or a component.
    #[serde(default)]
    target: String,
    /// Why the judgment is wrong.
    #[serde(default)]
    reason: String,
    /// An http(s) link to the evidence.
    #[serde(default)]
    evidence_url: Option<String>,
    /// The revision whose assessment is disputed; `main` by default.
    #[serde(default)]
    revision: Option<String>,
}

/// `POST /api/{kind}/{ns}/{name}/disputes` `{target, reason, evidence_url?, revision?}`: a
/// writer of the repo records why a judgment is wrong. The judgment stays as it is; the dispute
/// is shown beside it.
#[utoipa::path(
    post,
    path = "/api/{kind}/{ns}/{name}/disputes",
    tag = "openness",
    params(RepoParams),
    request_body = DisputeBody,
    security(("token" = [])),
    responses(
        (status = 201, description = "Recorded; the judgment is unchanged", body = DisputeView),
        (status = 400, description = "No such judgment in the assessment, an empty or overlong reason, or a link that is not http(s)", body = ErrorBody),
        (status = 401, description = "Not signed in, or the repo is missing or private", body = ErrorBody),
        (status = 403, description = "The caller cannot write the repo, or the token is read-only", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or the revision is", body = ErrorBody),
        (status = 409, description = "The revision has not been assessed yet", body = ErrorBody),
        (status = 413, description = "The caller has recorded as many disputes on this repo as allowed", body = ErrorBody),
    ),
)]
pub async fn dispute(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Write>,
    body: axum::body::Body,
) -> ApiResult<Response> {
    let who = caller.require()?.clone();
    let b: DisputeBody = crate::body::json(body).await?;
    let rev = b.revision.as_deref().unwrap_or("main");
    let resolved = state
        .hub
        .resolve(&repo, rev)
        .await
        .map_err(|e| caller.err(e))?;
    let d = state
        .hub
        .record_dispute(
            &who,
            &repo,
            &resolved.commit,
            &b.target,
            &b.reason,
            b.evidence_url.as_deref(),
        )
        .await
        .map_err(|e| caller.err(e))?;
    Ok((StatusCode::CREATED, Json(DisputeView::from(&d))).into_response())
}

/// Runs listed on the admin views.
const RUNS_SHOWN: u64 = 20;
/// Repos listed per run on the admin views.
pub const CHANGES_SHOWN: u64 = 500;

/// A re-assessment of every repo, queued when the definition or the knowledge file changes (or
/// by `commonhold reassess`), with what it changed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReassessmentView {
    id: i64,
    /// Why it was queued.
    reason: String,
    /// The definition it assesses with.
    definition: String,
    knowledge_version: String,
    knowledge_sha256: String,
    /// `queued`, `running` or `done`.
    status: String,
    repos_done: i64,
    repos_changed: i64,
    /// RFC 3339.
    created_at: String,
    finished_at: Option<String>,
    /// Each repo's head of `main` before and after (at most 500 per run).
    repos: Vec<ReassessedRepo>,
}

/// What a re-assessment found for one repo.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReassessedRepo {
    repo: String,
    /// `model` or `dataset`.
    #[serde(rename = "type")]
    repo_type: String,
    commit: String,
    /// None when the commit had no assessment before.
    tier_before: Option<String>,
    tier_after: String,
    definition_before: Option<String>,
    findings_added: Vec<String>,
    findings_removed: Vec<String>,
    /// The tier or the findings changed.
    changed: bool,
}

/// `GET /api/admin/reassessments`: the latest re-assessment runs, each with what it changed.
#[utoipa::path(
    get,
    path = "/api/admin/reassessments",
    tag = "admin",
    security(("token" = [])),
    responses(
        (status = 200, description = "The latest 20 runs, newest first", body = [ReassessmentView]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller is not a site administrator", body = ErrorBody),
    ),
)]
pub async fn reassessments(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ReassessmentView>>> {
    caller.require()?;
    let runs = state
        .hub
        .reassessments(caller.principal(), RUNS_SHOWN, CHANGES_SHOWN)
        .await
        .map_err(|e| caller.err(e))?;
    let out = runs
        .into_iter()
        .map(|(r, changes)| ReassessmentView {
            id: r.id,
            reason: r.reason,
            definition: r.definition,
            knowledge_version: r.knowledge_version,
            knowledge_sha256: r.knowledge_sha256,
            status: r.status.as_str().to_owned(),
            repos_done: r.repos_done,
            repos_changed: r.repos_changed,
            created_at: format_time_ms(r.created_at),
            finished_at: r.finished_at.map(format_time_ms),
            repos: changes
                .into_iter()
                .map(|c| ReassessedRepo {
                    repo: c.repo_name,
                    repo_type: c.repo_type,
                    commit: c.commit.to_hex(),
                    tier_before: c.tier_before,
                    tier_after: c.tier_after,
                    definition_before: c.definition_before,
                    findings_added: c.findings_added,
                    findings_removed: c.findings_removed,
                    changed: c.changed,
                })
                .collect(),
        })
        .collect();
    Ok(Json(out))
}

/// A queued re-assessment run.
#[derive(Serialize, ToSchema)]
pub struct QueuedRun {
    id: i64,
    /// `queued`, `running` or `done`.
    status: String,
}

/// `POST /api/admin/reassess`: queues a re-assessment of every repo (a server works it in the
/// background).
#[utoipa::path(
    post,
    path = "/api/admin/reassess",
    tag = "admin",
    security(("token" = [])),
    responses(
        (status = 202, description = "Queued (or the run already queued)", body = QueuedRun),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller is not a site administrator", body = ErrorBody),
    ),
)]
pub async fn reassess(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require()?;
    let run = state
        .hub
        .request_reassess(caller.principal())
        .await
        .map_err(|e| caller.err(e))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedRun {
            id: run.id,
            status: run.status.as_str().to_owned(),
        }),
    )
        .into_response())
}
