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
