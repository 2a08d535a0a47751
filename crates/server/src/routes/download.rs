//! `HEAD`/`GET /{repo}/resolve/{rev}/{path}`: file downloads, with ranges.
//!
//! Both methods answer 200 (or 206) directly rather than redirecting, with the headers the
//! clients' cache needs: `X-Repo-Commit`, an `ETag` that is the git blob id for regular files and
//! the sha256 for LFS files, and the size.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use commonhold_gitmodel::EntryMode;
use commonhold_meta::Repo;
use commonhold_types::RepoType;
use commonhold_xet::XetHash;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::range::{self, Selection};
use crate::routes::UrlKind;
use crate::security;
use crate::{ApiResult, AppState};

type ResolvePath = Path<(String, String, String, String)>;

/// Sets a header from a string it takes over (no copy into the header's buffer).
fn set(h: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_maybe_shared(bytes::Bytes::from(value)) {
        h.insert(name, v);
    }
}

/// `GET|HEAD /{ns}/{name}/resolve/{rev}/{*path}` and its `/datasets/` twin.
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    UrlKind(kind): UrlKind,
    Path((ns, name, rev, path)): ResolvePath,
) -> ApiResult<Response> {
    let hub = &state.hub;
    let name = super::repo_name(&caller, &ns, &name)?;
    let repo = hub
        .downloadable_repo(caller.principal(), kind, &name)
        .await
        .map_err(|e| caller.err(e))?;
    let resolved = hub
        .resolve_for_download(&repo, &rev)
        .await
        .map_err(|e| caller.err(e))?;
    let commit = resolved.commit.to_hex();
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("Entry not found: {path} does not exist at {rev}"),
        )
        .with_code(ErrorCode::EntryNotFound)
        .with_header("x-repo-commit", commit.clone())
    };
    let root = resolved.tree;
    let (mode, oid) = match hub.lookup(&root, &path).await.map_err(|e| caller.err(e))? {
        Some((mode, oid)) if mode != EntryMode::Dir && !path.is_empty() => (mode, oid),
        _ => return Err(missing()),
    };
    let _ = mode;
    let info = hub.blob_info(&oid).await.map_err(|e| caller.err(e))?;
    let size = info.file_size();
    let etag = info
        .lfs
        .as_ref()
        .map_or_else(|| oid.to_hex(), |p| p.oid.to_hex());

    // One indexed lookup for LFS files only: regular files cannot be Xet-stored.
    let xet = match &info.lfs {
        Some(p) => hub
            .xet_file(repo.id, &p.oid)
            .await
            .map_err(|e| caller.err(e))?,
        None => None,
    };

    let range = range::select(&headers, size, &etag);
    let mut resp = Response::new(Body::empty());
    let h = resp.headers_mut();
    set(h, "x-repo-commit", commit.clone());
    set(h, "etag", format!("\"{etag}\""));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    // Every file is served as octet-stream, which with `nosniff` no browser renders; markup is
    // also marked as a download, in case anything in between sniffs or rewrites the type.
    if security::is_active(&path) {
        h.insert(header::CONTENT_DISPOSITION, security::attachment(&path));
    }
    if let Some(p) = &info.lfs {
        h.insert("x-linked-size", HeaderValue::from(p.size));
        set(h, "x-linked-etag", format!("\"{}\"", p.oid.to_hex()));
    }
    if let Some(file) = &xet {
        advertise_xet(h, hub, kind, &repo, &commit, &file.hash);
    }
    let (start, end) = match range {
        Selection::Full => (0, size),
        Selection::Partial(span) => {
            *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
            set(
                resp.headers_mut(),
                "content-range",
                span.content_range(size),
            );
            (span.start, span.end)
        }
        Selection::Unsatisfiable => {
            return Err(ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "Requested range not satisfiable",
            )
            .with_header("content-range", format!("bytes */{size}")));
        }
    };
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    if method == Method::HEAD {
        return Ok(resp);
    }
    count_download(&state, &caller, peer, &repo);
    *resp.body_mut() = match (&info.lfs, &xet) {
        // Xet uploads are stored as xorbs only: rebuild those; other LFS files are plain.
        (_, Some(file)) => Body::from_stream(
            hub.xet_file_stream(file, start..end)
                .await
                .map_err(|e| caller.err(e))?,
        ),
        (Some(p), None) => Body::from_stream(
            hub.lfs_range(&p.oid, start..end)
                .await
                .map_err(|e| caller.err(e))?,
        ),
        (None, None) if size > commonhold_hub::SMALL_BLOB_BYTES => Body::from_stream(
            hub.blob_range(&oid, start..end)
                .await
                .map_err(|e| caller.err(e))?,
        ),
        (None, None) => {
            let content = hub.blob_bytes(&oid).await.map_err(|e| caller.err(e))?;
            let (s, e) = (start as usize, (end as usize).min(content.len()));
            Body::from(content.slice(s.min(e)..e))
        }
    };
    Ok(resp)
}

/// Tells Xet clients to reconstruct the file themselves: its Xet hash, and where to get a read
/// token for this commit (a path in `X-Xet-Refresh-Route`, the absolute URL in `Link`, which
/// huggingface_hub prefers).
fn advertise_xet(
    h: &mut HeaderMap,
    hub: &commonhold_hub::Hub,
    kind: RepoType,
    repo: &Repo,
    commit: &str,
    hash: &XetHash,
) {
    let route = format!(
        "/api/{}/{}/xet-read-token/{commit}",
        kind.plural(),
        repo.name
    );
    set(h, "x-xet-hash", hash.to_string());
    set(
        h,
        "link",
        format!("<{}>; rel=\"xet-auth\"", hub.url(&route)),
    );
    set(h, "x-xet-refresh-route", route);
}

/// One download per (repo, caller, UTC day), counted off the request path.
fn count_download(
    state: &AppState,
    caller: &Caller,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    repo: &Arc<Repo>,
) {
    // Named only for the first download of the day: repeated GETs format nothing.
    let caller_key = match (caller.principal(), &peer) {
        (Some(p), _) => (Some(p.account.id), None),
        (None, Some(Extension(ConnectInfo(addr)))) => (None, Some(addr.ip())),
        (None, None) => (None, None),
    };
    let day = commonhold_hub::now_ms() / 86_400_000;
    if !state.hub.first_download_seen(repo.id, caller_key, day) {
        return;
    }
    let who = match caller_key {
        (Some(id), _) => format!("user:{id}"),
        (None, Some(ip)) => format!("ip:{ip}"),
        (None, None) => "anonymous".to_string(),
    };
    let (hub, repo) = (state.hub.clone(), repo.clone());
    tokio::spawn(async move {
        if let Err(e) = hub.record_download(&repo, &who, day).await {
            tracing::warn!(error = %e, "could not record a download");
        }
    });
}
