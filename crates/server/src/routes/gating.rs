//! Gated repositories on the wire, as `huggingface_hub` calls them: `auth-check`, asking for
//! access, and the owners' `user-access-request/*` routes. The rules are the hub's
//! (`Hub::require_read_bytes`, `hub/src/gating.rs`); these handlers only translate.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use commonhold_hub::{Requester, format_time_ms};
use commonhold_meta::AccessRequest;
use commonhold_types::{AccessStatus, RepoName, RepoType};
use serde::Deserialize;
use serde_json::{Value, json};

use super::info::{paged, with_cursor};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Params;
use crate::repo_access::{ReadBytes, RepoIn, RepoParams, Write};
use crate::{ApiResult, AppState};

/// Requests listed per page (`Link` points at the next).
const REQUESTS_PAGE: i64 = 1000;

/// `GET .../auth-check`: 200 when the caller may read the repo's files; a gated repo answers
/// `GatedRepo` (401 anonymous, 403 signed in), a missing or hidden one `RepoNotFound`.
pub async fn auth_check(_: RepoIn<ReadBytes>) -> Json<Value> {
    Json(json!({}))
}

/// `GET .../auth-check/write`: 200 when the caller may write the repo.
pub async fn auth_check_write(_: RepoIn<Write>) -> Json<Value> {
    Json(json!({}))
}

/// The repo a route names, with the caller signed in.
fn named(caller: &Caller, p: &RepoParams) -> ApiResult<(RepoType, RepoName)> {
    caller.require()?;
    let kind = super::repo_type(&p.kind)?;
    Ok((kind, super::repo_name(caller, &p.ns, &p.name)?))
}

/// One request as the Hub lists it; `expiresAt`/`expired` are commonhold's additions for
/// grants with an end.
fn request_view(r: &AccessRequest) -> Value {
    let mut v = json!({
        "user": { "user": r.user_name, "fullname": r.user_name, "type": "user" },
        "requestId": r.id.to_string(),
        "status": r.status.as_str(),
        "timestamp": format_time_ms(r.created_at),
        "fields": r.fields,
    });
    if let Some(at) = r.decided_at {
        v["reviewedAt"] = json!(format_time_ms(at));
    }
    if let Some(reason) = &r.reason {
        v["rejectionReason"] = json!(reason);
    }
    if let Some(at) = r.expires_at {
        v["expiresAt"] = json!(format_time_ms(at));
        v["expired"] =
            json!(r.status == AccessStatus::Accepted && !r.grants_at(commonhold_hub::now_ms()));
    }
    v
}

/// `POST /api/{kind}/{ns}/{name}/ask-access` with the answers to the card's form as a JSON
/// object: `auto` gating accepts at once, `manual` leaves the request pending.
pub async fn ask_access(
    State(state): State<AppState>,
    caller: Caller,
    Path(p): Path<RepoParams>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (kind, name) = named(&caller, &p)?;
    let who = caller.require()?;
    let fields: Value = crate::body::json::<Option<Value>>(body)
        .await?
        .unwrap_or_else(|| json!({}));
    let stored = state
        .hub
        .ask_access(who, kind, &name, fields)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(request_view(&stored)))
}

#[derive(Deserialize)]
pub struct StatusSegment {
    status: String,
}

/// `GET .../user-access-request/{pending|accepted|rejected}`, oldest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(p): Path<RepoParams>,
    Path(StatusSegment { status }): Path<StatusSegment>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let (kind, name) = named(&caller, &p)?;
    let status = AccessStatus::parse(&status).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!("unknown list {status:?}: use pending, accepted or rejected"),
        )
    })?;
    let params = Params::parse(q.as_deref());
    let page = REQUESTS_PAGE as u64;
    let offset = params.offset("cursor", page)?;
    let found = state
        .hub
        .list_access_requests(
            caller.principal(),
            kind,
            &name,
            status,
            i64::try_from(offset).unwrap_or(i64::MAX),
            REQUESTS_PAGE + 1,
        )
        .await
        .map_err(|e| caller.err(e))?;
    let more = found.len() as i64 > REQUESTS_PAGE;
    let items: Vec<Value> = found
        .iter()
        .take(REQUESTS_PAGE as usize)
        .map(request_view)
        .collect();
    let next = more.then(|| {
        state.hub.url(&format!(
            "api/{}/{name}/user-access-request/{status}?{}",
            p.kind,
            with_cursor(&params, offset / page + 1)
        ))
    });
    Ok(paged(items, next))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HandleBody {
    user: Option<String>,
    request_id: Option<String>,
    status: Option<String>,
    rejection_reason: Option<String>,
}

impl HandleBody {
    fn requester(&self) -> ApiResult<Requester> {
        match (&self.user, &self.request_id) {
            (Some(u), None) => Ok(Requester::User(u.clone())),
            (None, Some(id)) => Ok(Requester::RequestId(id.clone())),
            _ => Err(ApiError::bad_request(
                "name exactly one of `user` or `requestId`",
            )),
        }
    }
}

/// `POST .../user-access-request/handle` `{"user" | "requestId", "status", "rejectionReason"?}`:
/// accept, reject, or cancel (status `pending`).
pub async fn handle(
    State(state): State<AppState>,
    caller: Caller,
    Path(p): Path<RepoParams>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (kind, name) = named(&caller, &p)?;
    let b: HandleBody = crate::body::json(body).await?;
    let requester = b.requester()?;
    let status = b
        .status
        .as_deref()
        .and_then(AccessStatus::parse)
        .ok_or_else(|| {
            ApiError::bad_request("status must be \"accepted\", \"rejected\" or \"pending\"")
        })?;
    decide(
        &state,
        &caller,
        kind,
        &name,
        &requester,
        status,
        b.rejection_reason,
    )
    .await
}

/// `POST .../user-access-request/cancel` `{"user" | "requestId"}`: back to pending, ending an
/// access (what `cancel_access_request` does through `handle`).
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(p): Path<RepoParams>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (kind, name) = named(&caller, &p)?;
    let b: HandleBody = crate::body::json(body).await?;
    let requester = b.requester()?;
    decide(
        &state,
        &caller,
        kind,
        &name,
        &requester,
        AccessStatus::Pending,
        None,
    )
    .await
}

async fn decide(
    state: &AppState,
    caller: &Caller,
    kind: RepoType,
    name: &RepoName,
    requester: &Requester,
    status: AccessStatus,
    reason: Option<String>,
) -> ApiResult<Json<Value>> {
    let stored = state
        .hub
        .handle_access_request(caller.principal(), kind, name, requester, status, reason)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(request_view(&stored)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    user: Option<String>,
}

/// `POST .../user-access-request/grant` `{"user"}`: access without a request of theirs.
pub async fn grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(p): Path<RepoParams>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (kind, name) = named(&caller, &p)?;
    let b: GrantBody = crate::body::json(body).await?;
    let user = b
        .user
        .ok_or_else(|| ApiError::bad_request("name the user: {\"user\": \"alice\"}"))?;
    let stored = state
        .hub
        .grant_access(caller.principal(), kind, &name, &user)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(request_view(&stored)))
}
