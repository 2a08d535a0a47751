//! The git-LFS batch API and the signed upload URLs it hands out.
//!
//! Their errors carry the message twice: git-lfs prints the body's `message` (its batch API's
//! error schema) and `huggingface_hub` reads `error` (and `X-Error-Message`), as everywhere.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use commonhold_hub::{BatchObject, BatchOutcome, SignedAction};
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::contributable;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorJson};
use crate::params::Params;
use crate::routes::UrlKind;
use crate::{ApiResult, AppState};

const LFS_JSON: &str = "application/vnd.git-lfs+json";
/// The hub takes at most `MAX_BATCH_OBJECTS` (1,000) objects, about 120 kB of JSON; this leaves
/// room for clients that send more fields per object.
const BATCH_BODY_LIMIT: usize = 1 << 20;

#[derive(Deserialize)]
struct BatchRequest {
    operation: String,
    #[serde(default)]
    transfers: Vec<String>,
    #[serde(default)]
    objects: Vec<BatchObjectIn>,
}

#[derive(Deserialize)]
struct BatchObjectIn {
    oid: String,
    size: u64,
}

/// Whether `path` is one of the LFS endpoints: the batch API of a repo, or a signed URL.
fn is_lfs(path: &str) -> bool {
    path.starts_with("/api/lfs/") || path.ends_with(".git/info/lfs/objects/batch")
}

/// Gives every error answer of the LFS endpoints (whoever made it: a handler, an extractor, the
/// rate limiter) the `message` git-lfs prints, beside the `error` Hub clients read, and the LFS
/// media type.
pub async fn error_bodies(req: Request, next: Next) -> Response {
    let lfs = is_lfs(req.uri().path());
    let mut resp = next.run(req).await;
    if !lfs {
        return resp;
    }
    let Some(ErrorJson(mut body)) = resp.extensions_mut().remove::<ErrorJson>() else {
        return resp;
    };
    body["message"] = body["error"].clone();
    let (mut parts, _) = resp.into_parts();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(LFS_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body.to_string()))
}

fn lfs_json(status: StatusCode, v: Value) -> Response {
    let mut resp = (status, v.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(LFS_JSON));
    resp
}

/// `POST /{ns}/{name}.git/info/lfs/objects/batch` and its `/datasets/` twin.
pub async fn batch(
    State(state): State<AppState>,
    caller: Caller,
    UrlKind(kind): UrlKind,
    Path((ns, name)): Path<(String, String)>,
    body: Body,
) -> ApiResult<Response> {
    let Some(name) = name.strip_suffix(".git") else {
        return Err(super::not_found().await);
    };
    let (repo, _) = contributable(&state, &caller, kind, &ns, name).await?;
    let body = crate::body::read(body, BATCH_BODY_LIMIT, "the LFS batch API").await?;
    let req: BatchRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid LFS batch request: {e}")))?;
    if req.operation != "upload" {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "only the upload operation is served here; download files through /resolve/",
        ));
    }
    let objects: Vec<BatchObject> = req
        .objects
        .into_iter()
        .map(|o| BatchObject {
            oid: o.oid,
            size: o.size,
        })
        .collect();
    let multipart = req.transfers.iter().any(|t| t == "multipart");
    // Upload URLs are bound to the access token that asked for them.
    let token_id = caller.require()?.token.map(|t| t.id).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "uploads through the LFS batch API need an access token",
        )
    })?;
    let outcomes = state
        .hub
        .lfs_batch_upload(&repo, &objects, multipart, token_id)
        .await
        .map_err(|e| caller.err(e))?;
    let uses_multipart = outcomes
        .iter()
        .any(|o| matches!(o, BatchOutcome::Multipart(_)));
    let out: Vec<Value> = objects
        .iter()
        .zip(outcomes)
        .map(|(o, outcome)| match outcome {
            BatchOutcome::Present => json!({ "oid": o.oid, "size": o.size }),
            BatchOutcome::Basic(t) => json!({
                "oid": o.oid, "size": o.size, "authenticated": true,
                "actions": { "upload": { "href": t.href }, "verify": { "href": t.verify_href } },
            }),
            BatchOutcome::Multipart(m) => {
                let mut header = serde_json::Map::new();
                header.insert("chunk_size".into(), json!(m.chunk_size.to_string()));
                for (i, href) in m.part_hrefs.iter().enumerate() {
                    header.insert((i + 1).to_string(), json!(href));
                }
                json!({
                    "oid": o.oid, "size": o.size, "authenticated": true,
                    "actions": { "upload": { "href": m.complete_href, "header": header }, "verify": { "href": m.verify_href } },
                })
            }
            BatchOutcome::Error { code, message } => json!({ "oid": o.oid, "size": o.size, "error": { "code": code, "message": message } }),
        })
        .collect();
    // The client runs one transfer adapter per batch: multipart if any object needs it. A
    // multipart answer for an object with a single part works as well as basic.
    let transfer = if uses_multipart { "multipart" } else { "basic" };
    Ok(lfs_json(
        StatusCode::OK,
        json!({ "transfer": transfer, "objects": out, "hash_algo": "sha256" }),
    ))
}

/// Rebuilds what a signed URL claims to authorise from its path and query, and checks its
/// signature, its expiry and that the token it was issued for is live: a handler that has the
/// action has a verified one.
async fn signed(
    hub: &commonhold_hub::Hub,
    action: &str,
    repo_id: i64,
    oid: &str,
    part: u32,
    q: Option<&str>,
) -> ApiResult<SignedAction> {
    let p = Params::parse(q);
    let bad = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "upload URL refused: it is incomplete; ask the batch API for a new one",
        )
    };
    let size = p.number("size").ok_or_else(bad)?;
    let expires = p
        .get("exp")
        .and_then(|e| e.parse::<i64>().ok())
        .ok_or_else(bad)?;
    let token_id = p
        .get("tok")
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(bad)?;
    let sig = p.get("sig").ok_or_else(bad)?.to_string();
    let a = SignedAction {
        action: action.into(),
        repo_id,
        oid: oid.into(),
        size,
        upload: p.get("upload").unwrap_or("").into(),
        part,
        expires,
    };
    hub.check_signed(&a, token_id, &sig)
        .await
        .map_err(|e| ApiError::from_hub(e, true))?;
    Ok(a)
}

fn stream_of(body: Body) -> commonhold_blob::BlobStream {
    Box::pin(body.into_data_stream().map_err(std::io::Error::other))
}

pub async fn put_object(
    State(state): State<AppState>,
    Path((repo_id, oid)): Path<(i64, String)>,
    RawQuery(q): RawQuery,
    body: Body,
) -> ApiResult<Json<Value>> {
    let a = signed(&state.hub, "put", repo_id, &oid, 0, q.as_deref()).await?;
    state
        .hub
        .lfs_put(&a, stream_of(body))
        .await
        .map_err(|e| ApiError::from_hub(e, true))?;
    Ok(Json(json!({})))
}

pub async fn put_part(
    State(state): State<AppState>,
    Path((repo_id, oid, part)): Path<(i64, String, u32)>,
    RawQuery(q): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    let a = signed(&state.hub, "part", repo_id, &oid, part, q.as_deref()).await?;
    let etag = state
        .hub
        .lfs_put_part(&a, stream_of(body))
        .await
        .map_err(|e| ApiError::from_hub(e, true))?;
    let mut resp = Json(json!({})).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{etag}\"")) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
struct CompleteBody {
    #[serde(default)]
    parts: Vec<PartIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartIn {
    part_number: u32,
    etag: String,
}

pub async fn complete(
    State(state): State<AppState>,
    Path((repo_id, oid)): Path<(i64, String)>,
    RawQuery(q): RawQuery,
    body: Body,
) -> ApiResult<Json<Value>> {
    let a = signed(&state.hub, "complete", repo_id, &oid, 0, q.as_deref()).await?;
    let body = crate::body::read(body, crate::body::JSON_LIMIT, "the completion call").await?;
    let req: CompleteBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid completion body: {e}")))?;
    let parts: Vec<(u32, String)> = req
        .parts
        .into_iter()
        .map(|p| (p.part_number, p.etag.trim_matches('"').to_string()))
        .collect();
    state
        .hub
        .lfs_complete(&a, &parts)
        .await
        .map_err(|e| ApiError::from_hub(e, true))?;
    Ok(Json(json!({})))
}

pub async fn verify(
    State(state): State<AppState>,
    Path((repo_id, oid)): Path<(i64, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let a = signed(&state.hub, "verify", repo_id, &oid, 0, q.as_deref()).await?;
    state
        .hub
        .lfs_verify(&a)
        .await
        .map_err(|e| ApiError::from_hub(e, true))?;
    Ok(Json(json!({ "oid": oid, "size": a.size })))
}
