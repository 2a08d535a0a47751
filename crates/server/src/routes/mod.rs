//! Request handlers, one module per resource.

pub mod discussions;
pub mod download;
pub mod exports;
pub mod gating;
pub mod info;
pub mod lfs;
pub mod metrics;
pub mod openness;
pub mod repos;
pub mod upload;
pub mod user;
pub mod web;
pub mod xet;

use axum::Router;
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::MethodRouter;
use commonhold_meta::Repo;
use commonhold_types::{RepoName, RepoType};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::{ApiResult, AppState};

pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "Not Found: no such endpoint on this hub",
    )
}

/// The kind of repo a Hub-style page, download or LFS URL names: a dataset's begins with
/// `/datasets/`, a model's with its namespace. Read from the route that matched, so that one
/// handler serves both kinds (registered by [`both_kinds`]).
pub struct UrlKind(pub RepoType);

impl<S: Send + Sync> FromRequestParts<S> for UrlKind {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<UrlKind, Self::Rejection> {
        let template = parts.extensions.get::<MatchedPath>();
        let dataset = template.is_some_and(|t| t.as_str().starts_with(DATASETS));
        Ok(UrlKind(if dataset {
            RepoType::Dataset
        } else {
            RepoType::Model
        }))
    }
}

const DATASETS: &str = "/datasets/";

/// Registers each route at a model's URL (`/{ns}/{name}{tail}`) and at a dataset's
/// (`/datasets/{ns}/{name}{tail}`); its handlers learn which from [`UrlKind`].
pub fn both_kinds<'a, S: Clone + Send + Sync + 'static>(
    routes: impl IntoIterator<Item = (&'a str, MethodRouter<S>)>,
) -> Router<S> {
    routes
        .into_iter()
        .fold(Router::new(), |router, (tail, route)| {
            router
                .route(&format!("/{{ns}}/{{name}}{tail}"), route.clone())
                .route(&format!("{DATASETS}{{ns}}/{{name}}{tail}"), route)
        })
}

/// The `{kind}` segment of `/api/{kind}/...`.
pub fn repo_type(kind: &str) -> ApiResult<RepoType> {
    RepoType::from_plural(kind).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("unknown repo type {kind:?}: use models or datasets"),
        )
    })
}

/// A repo named in a URL. A malformed name is treated as a missing repo.
pub fn repo_name(caller: &Caller, ns: &str, name: &str) -> ApiResult<RepoName> {
    RepoName::new(ns, name).map_err(|_| ApiError::repo_not_found(caller.authenticated()))
}

/// The repo at `/api/{kind}/{ns}/{name}`, if the caller may read it.
pub async fn readable(
    state: &AppState,
    caller: &Caller,
    kind: RepoType,
    ns: &str,
    name: &str,
) -> ApiResult<Repo> {
    let name = repo_name(caller, ns, name)?;
    state
        .hub
        .readable_repo(caller.principal(), kind, &name)
        .await
        .map_err(|e| caller.err(e))
}

/// The repo at `/api/{kind}/{ns}/{name}`, if the caller may upload to it, and whether it may
/// write the repo (others contribute through pull requests only).
pub async fn contributable(
    state: &AppState,
    caller: &Caller,
    kind: RepoType,
    ns: &str,
    name: &str,
) -> ApiResult<(Repo, bool)> {
    caller.require()?;
    let name = repo_name(caller, ns, name)?;
    state
        .hub
        .contributable_repo(caller.principal(), kind, &name)
        .await
        .map_err(|e| caller.err(e))
}

/// The URL path of a repo's web page: `ns/name` or `datasets/ns/name`.
pub fn repo_url_path(repo: &Repo) -> String {
    format!("{}{}", repo.repo_type.url_prefix(), repo.name)
}
