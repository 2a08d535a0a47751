//! The repo a route names, found with the access the route needs. A handler of
//! `/api/{kind}/{ns}/{name}/...` takes a [`RepoIn<Read>`], [`RepoIn<ReadBytes>`] (routes that
//! hand out file content or the means to fetch it), [`RepoIn<Write>`] or
//! [`RepoIn<Contribute>`] and so cannot forget the check: the extractor reads the caller and the
//! repo's kind and name from the path, and asks the hub's access rule (`Hub::readable_repo` and
//! its siblings) before the handler runs, and before any body byte is read. Missing and hidden
//! repos answer alike (401 anonymous, 404 signed in).

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use commonhold_hub::{Hub, HubError, Principal};
use commonhold_meta::Repo;
use commonhold_types::{RepoName, RepoType};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::repo_type;

/// What a route needs of the caller to reach a repo.
pub trait Access: Send + Sync + 'static {
    /// Whether the route refuses anonymous callers outright (401).
    const SIGNED_IN: bool;

    /// The repo, if `who` may reach it so, and whether `who` may write it.
    fn find(
        hub: &Hub,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
    ) -> impl Future<Output = Result<(Repo, bool), HubError>> + Send;
}

/// See the repo: its metadata, card, file list, discussions.
pub struct Read;
/// Read the repo's files: see it, and pass the gate if it is gated (`Hub::require_read_bytes`).
pub struct ReadBytes;
/// Change the repo: its branches, tags, settings and judgments' disputes.
pub struct Write;
/// Upload to the repo, or open and join its discussions and pull requests: anyone with a write
/// token who can read it (only writers move its branches, see `Hub::check_contribution`).
pub struct Contribute;

impl Access for Read {
    const SIGNED_IN: bool = false;

    async fn find(
        hub: &Hub,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
    ) -> Result<(Repo, bool), HubError> {
        let repo = hub.readable_repo(who, kind, name).await?;
        let writer = commonhold_hub::visibility(who, &repo) == commonhold_hub::Visibility::Write;
        Ok((repo, writer))
    }
}

impl Access for ReadBytes {
    const SIGNED_IN: bool = false;

    async fn find(
        hub: &Hub,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
    ) -> Result<(Repo, bool), HubError> {
        let (repo, writer) = Read::find(hub, who, kind, name).await?;
        hub.require_read_bytes(who, &repo).await?;
        Ok((repo, writer))
    }
}

impl Access for Write {
    const SIGNED_IN: bool = true;

    async fn find(
        hub: &Hub,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
    ) -> Result<(Repo, bool), HubError> {
        Ok((hub.writable_repo(who, kind, name).await?, true))
    }
}

impl Access for Contribute {
    const SIGNED_IN: bool = true;

    async fn find(
        hub: &Hub,
        who: Option<&Principal>,
        kind: RepoType,
        name: &RepoName,
    ) -> Result<(Repo, bool), HubError> {
        hub.contributable_repo(who, kind, name).await
    }
}

/// A repo the caller may reach as `A` says, with the caller.
pub struct RepoIn<A> {
    pub repo: Repo,
    /// Whether the caller may write the repo (a contributor may not).
    pub writer: bool,
    pub caller: Caller,
    access: PhantomData<A>,
}

/// A repo named in an API path: `/api/{kind}/{ns}/{name}/...`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RepoParams {
    /// `models` or `datasets` (anything else is a 404, like any unknown path).
    #[param(inline, value_type = crate::openapi::RepoKind)]
    pub kind: String,
    /// The owner: a user or an organisation.
    pub ns: String,
    /// The repo's name within its owner.
    pub name: String,
}

impl<A: Access> FromRequestParts<AppState> for RepoIn<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Ok(Path(segments)) = Path::<RepoParams>::from_request_parts(parts, state).await else {
            return Err(ApiError::repo_not_found(caller.authenticated()));
        };
        let kind = repo_type(&segments.kind)?;
        if A::SIGNED_IN {
            caller.require()?;
        }
        let name = RepoName::new(&segments.ns, &segments.name)
            .map_err(|_| ApiError::repo_not_found(caller.authenticated()))?;
        let (repo, writer) = A::find(&state.hub, caller.principal(), kind, &name)
            .await
            .map_err(|e| caller.err(e))?;
        Ok(RepoIn {
            repo,
            writer,
            caller,
            access: PhantomData,
        })
    }
}

/// The revision segment of a repo route (`.../tree/{rev}`, `.../openness/{rev}`...).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Rev {
    /// A branch, tag or commit id.
    pub rev: String,
}

/// The discussion number of `.../discussions/{num}/...`.
#[derive(Deserialize)]
pub struct Num {
    pub num: String,
}

/// The branch of `.../branch/{branch}`.
#[derive(Deserialize)]
pub struct Branch {
    pub branch: String,
}

/// The tag of `DELETE .../tag/{tag}`.
#[derive(Deserialize)]
pub struct Tag {
    pub tag: String,
}

/// The path within the tree of `.../tree/{rev}/{*path}`.
#[derive(Deserialize)]
pub struct TreePath {
    pub path: String,
}
