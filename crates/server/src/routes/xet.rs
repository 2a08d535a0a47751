//! The Xet storage protocol: the token routes on the Hub API, and the CAS service under
//! [`XET_CAS_PREFIX`] (see `reference/xet-protocol.md`).
//!
//! Routes the client probes before falling back (xorb grants, v2 shards, v2 reconstructions)
//! answer 404, which hf_xet takes as "not supported here"; so does a global dedup query for a
//! chunk no visible file holds. The CAS checks its own bearer tokens (issued by the token
//! routes, scoped to one repo) inside each handler, after routing, so an unknown CAS route is a
//! 404 and never a 401.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use commonhold_hub::{CasGrant, XET_CAS_PREFIX, XetPlan, XetToken};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::range::{self, RangeSpec, Span};
use crate::repo_access::{Contribute, ReadBytes, RepoIn};
use crate::{ApiResult, AppState};

/// Largest shard body read.
const MAX_SHARD_BODY: usize = commonhold_xet::MAX_SHARD_BYTES;
/// Largest xorb body read.
const MAX_XORB_BODY: usize = commonhold_xet::MAX_XORB_BYTES;

/// `GET /api/{kind}/{ns}/{name}/xet-write-token/{rev}` (also with `rev` = `None` and
/// `?create_pr=1`): a write token for the repo, for its writers and for contributors of pull
/// requests (what they may commit is checked at the commit).
pub async fn write_token(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Contribute>,
) -> ApiResult<Response> {
    let token = state
        .hub
        .xet_token(&repo, true, caller.principal())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(token_response(&token))
}

/// `GET /api/{kind}/{ns}/{name}/xet-read-token/{rev}`: a read token for a repo whose files the
/// caller may read (a gated repo needs a grant).
pub async fn read_token(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<ReadBytes>,
) -> ApiResult<Response> {
    let token = state
        .hub
        .xet_token(&repo, false, caller.principal())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(token_response(&token))
}

/// The token twice: a JSON body (read by hf_xet; `exp` an integer) and headers (read by
/// huggingface_hub's download path).
fn token_response(token: &XetToken) -> Response {
    let body = json!({
        "accessToken": token.access_token,
        "exp": token.exp,
        "casUrl": token.cas_url,
    });
    let mut resp = Json(body).into_response();
    let h = resp.headers_mut();
    for (name, value) in [
        ("x-xet-cas-url", token.cas_url.clone()),
        ("x-xet-access-token", token.access_token.clone()),
        ("x-xet-token-expiration", token.exp.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    resp
}

/// The CAS grant of the request's bearer token, or 401: checked against the access token it
/// was issued for and the repo's visibility now, not only its signature.
async fn grant(state: &AppState, headers: &HeaderMap) -> ApiResult<CasGrant> {
    let refused = || {
        ApiError::unauthorized(
            "missing, invalid, expired or revoked Xet token; get a new one from the \
             xet-write-token or xet-read-token route",
        )
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(refused)?;
    state
        .hub
        .xet_grant(token.trim())
        .await
        .map_err(hub_err)?
        .ok_or_else(refused)
}

fn hub_err(e: commonhold_hub::HubError) -> ApiError {
    ApiError::from_hub(e, true)
}

async fn read_body(body: Body, limit: usize) -> ApiResult<axum::body::Bytes> {
    to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {limit} bytes, or was cut short"),
        )
    })
}

/// Routes this CAS does not offer; the client falls back on a 404.
pub async fn unsupported() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not supported by this CAS")
}

/// `POST /v1/telemetry`: accepted and dropped.
pub async fn telemetry() -> StatusCode {
    StatusCode::OK
}

/// `POST {cas}/v1/xorbs/{prefix}/{hash}`. Always `was_inserted: true` (the xorb is stored now):
/// the truth would tell whether any repo, maybe a private one, already holds this content.
/// hf_xet only logs the value, and xet-core's reference server answers the same.
pub async fn put_xorb(
    State(state): State<AppState>,
    Path((_prefix, hash)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let grant = grant(&state, &headers).await?;
    let body = read_body(body, MAX_XORB_BODY).await?;
    state
        .hub
        .xet_put_xorb(grant, &hash, body)
        .await
        .map_err(hub_err)?;
    Ok(Json(json!({ "was_inserted": true })).into_response())
}

/// `GET {cas}/v1/chunks/{prefix}/{chunk}`: global dedup. A shard describing xorbs that hold the
/// chunk (chunk hashes keyed), or 404 when no file the token's repo may see holds it.
pub async fn dedup_chunk(
    State(state): State<AppState>,
    Path((_prefix, chunk)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let grant = grant(&state, &headers).await?;
    match state
        .hub
        .xet_dedup_query(grant, &chunk)
        .await
        .map_err(hub_err)?
    {
        Some(shard) => {
            Ok(([(header::CONTENT_TYPE, "application/octet-stream")], shard).into_response())
        }
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no known xorb holds this chunk",
        )),
    }
}

/// `POST {cas}/v1/shards`.
pub async fn put_shard(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let grant = grant(&state, &headers).await?;
    let body = read_body(body, MAX_SHARD_BODY).await?;
    state
        .hub
        .xet_put_shard(grant, &body)
        .await
        .map_err(hub_err)?;
    Ok(Json(json!({ "result": 1 })).into_response())
}

/// `GET {cas}/v1/reconstructions/{file}` with `Range: bytes=a-b` (end inclusive; none = all).
pub async fn reconstruction(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let grant = grant(&state, &headers).await?;
    // hf_xet always names `first-last`; the plan clamps `last` and says when `first` is past
    // the end. A suffix would need the size first, which no client asks for.
    let (start, end) = match headers
        .get(header::RANGE)
        .map(|v| v.to_str().ok().and_then(range::parse))
    {
        None => (0, u64::MAX),
        Some(Some(RangeSpec::FromTo(first, last))) => (first, last),
        Some(Some(RangeSpec::From(first))) => (first, u64::MAX),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Range must be one `bytes=first-last` or `bytes=first-` range",
            ));
        }
    };
    match state
        .hub
        .xet_reconstruction(grant, &file, start, end)
        .await
        .map_err(hub_err)?
    {
        XetPlan::Plan(plan) => Ok(Json(plan).into_response()),
        XetPlan::Unsatisfiable { size } => Err(ApiError::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "Requested range not satisfiable",
        )
        .with_header("content-range", format!("bytes */{size}"))),
    }
}

#[derive(Deserialize)]
pub struct FetchQuery {
    start: u64,
    end: u64,
    exp: i64,
    sig: String,
}

/// `GET {cas}/fetch/{xorb}?start&end&exp&sig`: the signed byte range of a xorb (no bearer).
pub async fn fetch(
    State(state): State<AppState>,
    Path(xorb): Path<String>,
    Query(q): Query<FetchQuery>,
) -> ApiResult<Response> {
    // The signed range is what is sent (hf_xet asks for exactly it in `Range`); the server only
    // signs well-formed ones, but the arithmetic stays checked.
    let span = Span::inclusive(q.start, q.end)
        .ok_or_else(|| ApiError::bad_request("fetch URL range: start is after end"))?;
    let stream = state
        .hub
        .xet_fetch(&xorb, q.start, q.end, q.exp, &q.sig)
        .await
        .map_err(hub_err)?;
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
    let h = resp.headers_mut();
    for (name, value) in [
        ("content-length", span.len().to_string()),
        (
            "content-range",
            format!("bytes {}-{}/*", span.start, span.last()),
        ),
        ("content-type", "application/octet-stream".to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    Ok(resp)
}

/// Every CAS route, relative to the server root.
pub fn cas_routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let p = |tail: &str| format!("{XET_CAS_PREFIX}{tail}");
    axum::Router::new()
        .route(&p("/v1/xorb-grants/{prefix}/{hash}"), post(unsupported))
        .route(&p("/v1/chunks/{prefix}/{hash}"), get(dedup_chunk))
        .route(&p("/v1/xorbs/{prefix}/{hash}"), post(put_xorb))
        .route(&p("/v2/shards"), post(unsupported))
        .route(&p("/v1/shards"), post(put_shard))
        .route(&p("/v2/reconstructions/{file}"), get(unsupported))
        .route(&p("/v1/reconstructions/{file}"), get(reconstruction))
        .route(&p("/fetch/{xorb}"), get(fetch))
        .route(&p("/v1/telemetry"), post(telemetry))
        .route("/v1/telemetry", post(telemetry))
}
