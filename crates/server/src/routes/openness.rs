//! `GET /api/{kind}/{repo}/openness[/{rev}]`: the stored assessment of a revision, or 202
//! `{"status": "pending"}` while the background assessor has not reached it yet.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{readable, repo_type};
use crate::auth::Caller;
use crate::{ApiResult, AppState};

pub async fn latest(
    state: State<AppState>,
    caller: Caller,
    Path((kind, ns, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    at(state, caller, Path((kind, ns, name, "main".into()))).await
}

pub async fn at(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, ns, name, rev)): Path<(String, String, String, String)>,
) -> ApiResult<Response> {
    let repo = readable(&state, &caller, repo_type(&kind)?, &ns, &name).await?;
    let resolved = state
        .hub
        .resolve(&repo, &rev)
        .await
        .map_err(|e| caller.err(e))?;
    match state
        .hub
        .assessment(&repo, &resolved.commit)
        .await
        .map_err(|e| caller.err(e))?
    {
        Some(a) => Ok(Json(a).into_response()),
        None => Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "status": "pending", "commit": resolved.commit.to_hex() })),
        )
            .into_response()),
    }
}

fn dispute_view(d: &commonhold_meta::Dispute) -> serde_json::Value {
    json!({
        "id": d.id,
        "commit": d.commit.to_hex(),
        "target": d.target,
        "rule": d.rule,
        "author": d.author,
        "reason": d.reason,
        "evidenceUrl": d.evidence_url,
        "createdAt": commonhold_hub::format_time_ms(d.created_at),
    })
}

/// Disputes shown per listing, newest first.
pub const DISPUTES_SHOWN: u64 = 200;

/// `GET /api/{kind}/{ns}/{name}/disputes`: the repo's disputes of its openness judgments.
pub async fn disputes(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, ns, name)): Path<(String, String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let repo = readable(&state, &caller, repo_type(&kind)?, &ns, &name).await?;
    let list = state
        .hub
        .disputes(&repo, DISPUTES_SHOWN)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!(
        list.iter().map(dispute_view).collect::<Vec<_>>()
    )))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    #[serde(default)]
    target: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    evidence_url: Option<String>,
    /// The revision whose assessment is disputed; `main` by default.
    #[serde(default)]
    revision: Option<String>,
}

/// `POST /api/{kind}/{ns}/{name}/disputes` `{target, reason, evidence_url?, revision?}`: a
/// writer of the repo records why a judgment is wrong. The judgment stays as it is; the dispute
/// is shown beside it.
pub async fn dispute(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, ns, name)): Path<(String, String, String)>,
    body: axum::body::Body,
) -> ApiResult<Response> {
    let who = caller.require()?.clone();
    let repo = super::writable(&state, &caller, repo_type(&kind)?, &ns, &name).await?;
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
    Ok((StatusCode::CREATED, Json(dispute_view(&d))).into_response())
}

/// Runs listed on the admin views.
const RUNS_SHOWN: u64 = 20;
/// Repos listed per run on the admin views.
pub const CHANGES_SHOWN: u64 = 500;

/// `GET /api/admin/reassessments`: the latest re-assessment runs, each with what it changed.
pub async fn reassessments(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require()?;
    let runs = state
        .hub
        .reassessments(caller.principal(), RUNS_SHOWN, CHANGES_SHOWN)
        .await
        .map_err(|e| caller.err(e))?;
    let mut out = Vec::with_capacity(runs.len());
    for (r, changes) in &runs {
        out.push(json!({
            "id": r.id,
            "reason": r.reason,
            "definition": r.definition,
            "knowledgeVersion": r.knowledge_version,
            "knowledgeSha256": r.knowledge_sha256,
            "status": r.status,
            "reposDone": r.repos_done,
            "reposChanged": r.repos_changed,
            "createdAt": commonhold_hub::format_time_ms(r.created_at),
            "finishedAt": r.finished_at.map(commonhold_hub::format_time_ms),
            "repos": changes.iter().map(|c| json!({
                "repo": c.repo_name,
                "type": c.repo_type,
                "commit": c.commit.to_hex(),
                "tierBefore": c.tier_before,
                "tierAfter": c.tier_after,
                "definitionBefore": c.definition_before,
                "findingsAdded": c.findings_added,
                "findingsRemoved": c.findings_removed,
                "changed": c.changed,
            })).collect::<Vec<_>>(),
        }));
    }
    Ok(Json(json!(out)))
}

/// `POST /api/admin/reassess`: queues a re-assessment of every repo (a server works it in the
/// background).
pub async fn reassess(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require()?;
    let run = state
        .hub
        .request_reassess(caller.principal())
        .await
        .map_err(|e| caller.err(e))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": run.id, "status": run.status })),
    )
        .into_response())
}
