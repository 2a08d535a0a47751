//! The HTTP server: the Hugging Face Hub-compatible API over [`commonhold_hub::Hub`].
//!
//! This is the only crate that knows HTTP. Every route is listed in [`router`]; handlers live in
//! `routes/`, one module per resource, and turn requests into `Hub` calls and `Hub` results into
//! the JSON shapes real clients parse (`views`). Wire details (percent-encoded revisions,
//! repeated query keys, 401-vs-404 for hidden repos, `Link` pagination on the public URL) are
//! handled here and nowhere else. commonhold's own endpoints (openness, exports, the provider
//! register) are described in OpenAPI 3.1 from their handlers' annotations (`openapi`).

mod auth;
mod body;
pub mod conn;
mod error;
mod openapi;
mod params;
pub mod range;
mod ratelimit;
mod repo_access;
mod routes;
mod security;
mod views;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use commonhold_hub::Hub;

pub use conn::Timeouts;
pub use error::{ApiError, ApiResult};

/// The bodies of the fuzz targets in `fuzz/` (`scripts/fuzz.sh`), here so that they reach
/// the crate's private parsers and so that the tests replay what the fuzzers found
/// (`fuzz/regressions/<target>/*`) without libFuzzer.
#[doc(hidden)]
pub mod fuzzing {
    use crate::range::{Selection, parse};

    /// The NDJSON commit payload of `POST .../commit/{rev}`: parsed, or refused with a message.
    pub fn commit_ndjson(data: &[u8]) {
        if let Err(e) = crate::routes::upload::parse_commit(data) {
            assert!(!e.message.is_empty());
        }
    }

    /// A `Range` header against a representation: the first 8 bytes are its size (little
    /// endian), the rest the header value. A selected span is never empty and never reaches
    /// past the end.
    pub fn range(data: &[u8]) {
        let (size, header) = match data.split_first_chunk::<8>() {
            Some((size, rest)) => (u64::from_le_bytes(*size), rest),
            None => (0, data),
        };
        let Some(spec) = std::str::from_utf8(header).ok().and_then(parse) else {
            return;
        };
        if let Selection::Partial(span) = spec.select(size) {
            assert!(
                span.start < span.end && span.end <= size,
                "{span:?} of {size}"
            );
            let _ = span.content_range(size);
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn replays_fuzzer_findings() {
            let root =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
            for (target, run) in [
                ("commit_ndjson", super::commit_ndjson as fn(&[u8])),
                ("range", super::range),
            ] {
                let inputs = std::fs::read_dir(root.join(target)).into_iter().flatten();
                for input in inputs.flatten() {
                    run(&std::fs::read(input.path()).expect("readable regression input"));
                }
            }
            super::range(b"\xe8\x03\0\0\0\0\0\0bytes=0-18446744073709551615");
            super::commit_ndjson(b"{\"key\":\"header\",\"value\":{}}\n{\"key\":\"file\"}");
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
}

/// Every route the server answers.
pub fn router(hub: Hub) -> Router {
    use routes::{
        both_kinds, discussions, download, gating, info, lfs, openness, repos, upload, user,
    };
    let web = routes::web::router(hub.clone());
    let limits = ratelimit::Limits {
        limiter: std::sync::Arc::new(ratelimit::RateLimiter::new(
            hub.config.rate_limit_per_token,
            hub.config.rate_limit_per_address,
        )),
        hub: hub.clone(),
    };
    let state = AppState { hub };
    let repo = |tail: &str| format!("/api/{{kind}}/{{ns}}/{{name}}{tail}");
    // The Hub's own URLs for downloads and git-lfs, a model's and a dataset's alike.
    let hub_urls = both_kinds([
        ("/resolve/{rev}/{*path}", get(download::resolve)),
        ("/info/lfs/objects/batch", post(lfs::batch)),
    ]);
    Router::new()
        .route("/api/health", get(user::health))
        .route("/api/openapi.json", get(openapi::document))
        .route("/metrics", get(routes::metrics::metrics))
        .route("/api/whoami-v2", get(user::whoami))
        .route("/api/repos/create", post(repos::create))
        .route("/api/repos/delete", axum::routing::delete(repos::delete))
        .route("/api/repos/move", post(repos::move_repo))
        .route("/api/validate-yaml", post(upload::validate_yaml))
        .route("/api/{kind}", get(info::list))
        .route(&repo(""), get(info::repo_info))
        .route(&repo("/revision/{rev}"), get(info::repo_info_at))
        .route(&repo("/tree/{rev}"), get(info::tree_root))
        .route(&repo("/tree/{rev}/{*path}"), get(info::tree_path))
        .route(&repo("/paths-info/{rev}"), post(info::paths_info))
        .route(&repo("/refs"), get(info::refs))
        .route(&repo("/commits/{rev}"), get(info::commits))
        .route(
            &repo("/branch/{branch}"),
            post(repos::create_branch).delete(repos::delete_branch),
        )
        .route(
            &repo("/tag/{tag}"),
            post(repos::create_tag).delete(repos::delete_tag),
        )
        .route(&repo("/settings"), put(repos::settings))
        .route(&repo("/auth-check"), get(gating::auth_check))
        .route(&repo("/auth-check/write"), get(gating::auth_check_write))
        .route(&repo("/ask-access"), post(gating::ask_access))
        .route(&repo("/user-access-request/{status}"), get(gating::list))
        .route(&repo("/user-access-request/handle"), post(gating::handle))
        .route(&repo("/user-access-request/cancel"), post(gating::cancel))
        .route(&repo("/user-access-request/grant"), post(gating::grant))
        .route(&repo("/openness"), get(openness::latest))
        .route(&repo("/openness/{rev}"), get(openness::at))
        .route(
            &repo("/disputes"),
            get(openness::disputes).post(openness::dispute),
        )
        .route("/api/admin/reassessments", get(openness::reassessments))
        .route("/api/admin/reassess", post(openness::reassess))
        .route(&repo("/preupload/{rev}"), post(upload::preupload))
        .route(&repo("/commit/{rev}"), post(upload::commit))
        .route(
            &repo("/xet-write-token/{rev}"),
            get(routes::xet::write_token),
        )
        .route(&repo("/xet-read-token/{rev}"), get(routes::xet::read_token))
        .route(
            &repo("/discussions"),
            get(discussions::list).post(discussions::open),
        )
        .route(&repo("/discussions/{num}"), get(discussions::get))
        .route(
            &repo("/discussions/{num}/comment"),
            post(discussions::comment),
        )
        .route(&repo("/discussions/{num}/title"), post(discussions::title))
        .route(
            &repo("/discussions/{num}/status"),
            post(discussions::status),
        )
        .route(&repo("/discussions/{num}/merge"), post(discussions::merge))
        .merge(routes::xet::cas_routes())
        .merge(hub_urls)
        .route("/api/lfs/{repo_id}/{oid}", put(lfs::put_object))
        .route("/api/lfs/{repo_id}/{oid}/part/{part}", put(lfs::put_part))
        .route("/api/lfs/{repo_id}/{oid}/complete", post(lfs::complete))
        .route("/api/lfs/{repo_id}/{oid}/verify", post(lfs::verify))
        .merge(web)
        .fallback(routes::not_found)
        // Handlers read their bodies through `body::read` after checking the caller, each with
        // its own bound; this bounds any extractor that would read a body whole.
        .layer(DefaultBodyLimit::max(body::JSON_LIMIT))
        .layer(middleware::from_fn_with_state(limits, ratelimit::limit))
        .layer(middleware::from_fn(lfs::error_bodies))
        .layer(middleware::from_fn(security::headers))
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// Gives every response an `X-Request-Id` (the client's, if it sent a sane one).
async fn request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(|| hex::encode(rand::random::<[u8; 12]>()));
    // The request line is copied only when it will be logged.
    let logged = tracing::enabled!(tracing::Level::DEBUG)
        .then(|| (req.method().clone(), req.uri().path().to_string()));
    let mut resp = next.run(req).await;
    if let Some((method, path)) = logged {
        tracing::debug!(%method, %path, status = resp.status().as_u16(), request_id = %id, "request");
    }
    if let Ok(v) = HeaderValue::from_maybe_shared(bytes::Bytes::from(id)) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// Serves until `shutdown` resolves, with `timeouts` for stalled clients (see [`conn`]).
pub async fn serve(
    hub: Hub,
    listener: tokio::net::TcpListener,
    timeouts: Timeouts,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    conn::serve(router(hub), listener, timeouts, shutdown).await
}
