//! Open-standard exports of the catalogue: the DCAT-AP catalogue (`GET /api/catalog/dcat`,
//! paginated), Croissant per dataset (`GET /api/datasets/{ns}/{name}/croissant`, the Hub's own
//! path), a CycloneDX ML-BOM per model revision (`GET /api/models/{ns}/{name}/mlbom[/{rev}]`)
//! and an SPDX 3 document (AI and Dataset profiles) per revision
//! (`GET /api/{models|datasets}/{ns}/{name}/spdx[/{rev}]`, one route over the kind).
//!
//! The DCAT catalogue lists only public repos (gated ones with restricted access rights);
//! the per-repo exports answer like the rest of the API (401/404 for a hidden repo).
//!
//! The provider register's due-diligence fields are read and set here too
//! (`GET|PUT /api/organizations/{name}/provider`): set by an organisation admin's write token
//! (or the user's own, for a user namespace); only a site admin may mark a provider verified.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use commonhold_catalogue::RepoEntry;
use commonhold_catalogue::export::{
    CroissantInput, DcatPage, ExportFile, MlBomInput, SpdxInput, croissant, dcat_catalog, mlbom,
    sha256_hex, spdx3,
};
use commonhold_gitmodel::EntryMode;
use commonhold_types::{GitOid, RepoType};
use serde::Deserialize;

use super::readable;
use super::web::{WebState, entry_of};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::openapi::{ErrorBody, NamedRepo};
use crate::params::Params;
use crate::repo_access::{RepoParams, Rev};
use crate::{ApiResult, AppState};

/// Largest DCAT page.
const MAX_PER_PAGE: u64 = 1000;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/api/catalog/dcat", get(dcat))
        .route("/api/datasets/{ns}/{name}/croissant", get(croissant_doc))
        .route("/api/models/{ns}/{name}/mlbom", get(mlbom_main))
        .route("/api/models/{ns}/{name}/mlbom/{rev}", get(mlbom_at))
        .route("/api/{kind}/{ns}/{name}/spdx", get(spdx_main))
        .route("/api/{kind}/{ns}/{name}/spdx/{rev}", get(spdx_at))
        .route(
            "/api/organizations/{name}/provider",
            get(provider_get).put(provider_put),
        )
}

fn json_ld(v: serde_json::Value, media: &'static str) -> Response {
    ([(header::CONTENT_TYPE, media)], Json(v)).into_response()
}

/// `GET /api/catalog/dcat`: the public catalogue as a DCAT-AP 3 `dcat:Catalog`, a page at a time.
#[utoipa::path(
    get,
    path = "/api/catalog/dcat",
    tag = "exports",
    params(
        ("page" = Option<u64>, Query, description = "The page, from 1", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "Repos per page: 100 by default, at most 1000", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "A DCAT-AP catalogue page (JSON-LD) of the public repos, each with its openness", content_type = "application/ld+json", body = Object),
        (status = 400, description = "A paging parameter is not a whole number", body = ErrorBody),
    ),
)]
async fn dcat(State(s): State<WebState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref());
    let per_page = p.whole("per_page")?.unwrap_or(100).clamp(1, MAX_PER_PAGE);
    let page = p.whole("page")?.unwrap_or(1).max(1);
    let index = s
        .index
        .get(&s.hub)
        .await
        .map_err(|e| ApiError::from_hub(e, false))?;
    // The export is public: what an anonymous caller sees.
    let anyone = s
        .sight(None)
        .await
        .map_err(|e| ApiError::from_hub(e, false))?;
    let mut public: Vec<&RepoEntry> = index.entries().iter().filter(|e| anyone.sees(e)).collect();
    public.sort_by_key(|e| (e.kind.as_str(), e.id().to_lowercase()));
    let total = public.len() as u64;
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let slice: Vec<&RepoEntry> = public
        .into_iter()
        .skip(start)
        .take(usize::try_from(per_page).unwrap_or(100))
        .collect();
    let entries = slice;
    let base = s.hub.config.public_url.clone();
    let doc = dcat_catalog(&DcatPage {
        base_url: &base,
        title: &format!("{} catalogue", s.site.name),
        description: "Open AI models and datasets held on this hub, with their openness assessment.",
        publisher: &format!("{} operator", s.site.name),
        entries,
        page,
        per_page,
        total,
    });
    Ok(json_ld(doc, "application/ld+json"))
}

/// What a per-revision export needs: the repo as the catalogue sees it, the commit, its files
/// and its assessment (if made yet).
struct Revision {
    entry: RepoEntry,
    commit: GitOid,
    /// Unix milliseconds of the commit.
    time_ms: i64,
    files: Vec<ExportFile>,
    assessment: Option<commonhold_assess::Assessment>,
}

/// Loads `rev` of a repo the caller may read, answering like the API for hidden ones.
async fn revision(
    s: &WebState,
    caller: &Caller,
    kind: RepoType,
    (ns, name): (&str, &str),
    rev: &str,
) -> ApiResult<Revision> {
    let app = AppState { hub: s.hub.clone() };
    let repo = readable(&app, caller, kind, ns, name).await?;
    let hub = &s.hub;
    let commit = hub
        .resolve(&repo, rev)
        .await
        .map_err(|e| caller.err(e))?
        .commit;
    let time = hub
        .commit(&commit)
        .await
        .map_err(|e| caller.err(e))?
        .committer
        .time;
    let files = files_at(s, caller, &commit).await?;
    let assessment = hub
        .assessment(&repo, &commit)
        .await
        .map_err(|e| caller.err(e))?
        .and_then(|v| serde_json::from_value(v).ok());
    Ok(Revision {
        entry: entry_of(&repo, String::new()),
        commit,
        time_ms: time.saturating_mul(1000),
        files,
        assessment,
    })
}

/// Every file at `commit` with its content hash (LFS oid, or hashed here for git-stored files).
async fn files_at(s: &WebState, caller: &Caller, commit: &GitOid) -> ApiResult<Vec<ExportFile>> {
    let hub = &s.hub;
    let root = hub.root_tree(commit).await.map_err(|e| caller.err(e))?;
    let flat = hub.flat_files(&root).await.map_err(|e| caller.err(e))?;
    let mut out = Vec::with_capacity(flat.len());
    for (path, (mode, oid)) in flat {
        if mode == EntryMode::Submodule {
            continue;
        }
        let info = hub.blob_info(&oid).await.map_err(|e| caller.err(e))?;
        let sha256 = match &info.lfs {
            Some(p) => p.oid.to_hex(),
            None => sha256_hex(&hub.blob_content(&oid).await.map_err(|e| caller.err(e))?),
        };
        out.push(ExportFile {
            path: path.as_str().to_string(),
            size: info.file_size(),
            sha256,
            lfs: info.lfs.is_some(),
        });
    }
    Ok(out)
}

/// `GET /api/datasets/{ns}/{name}/croissant`: the dataset's Croissant description (the Hub's
/// own path), with its openness.
#[utoipa::path(
    get,
    path = "/api/datasets/{ns}/{name}/croissant",
    tag = "exports",
    params(NamedRepo),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "Croissant 1.1 (JSON-LD) of `main`", content_type = "application/ld+json", body = Object),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or the revision is", body = ErrorBody),
    ),
)]
async fn croissant_doc(
    State(s): State<WebState>,
    caller: Caller,
    Path(NamedRepo { ns, name }): Path<NamedRepo>,
) -> ApiResult<Response> {
    let r = revision(&s, &caller, RepoType::Dataset, (&ns, &name), "main").await?;
    let base = s.hub.config.public_url.clone();
    let hex = r.commit.to_hex();
    let doc = croissant(&CroissantInput {
        base_url: &base,
        entry: &r.entry,
        commit: &hex,
        files: &r.files,
        assessment: r.assessment.as_ref(),
    });
    Ok(json_ld(doc, "application/ld+json"))
}

/// `GET /api/models/{ns}/{name}/mlbom`: a CycloneDX 1.6 ML-BOM of `main`.
#[utoipa::path(
    get,
    path = "/api/models/{ns}/{name}/mlbom",
    tag = "exports",
    params(NamedRepo),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "A CycloneDX 1.6 ML-BOM of `main`, with its openness", content_type = "application/vnd.cyclonedx+json", body = Object),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or the revision is", body = ErrorBody),
    ),
)]
async fn mlbom_main(
    State(s): State<WebState>,
    caller: Caller,
    Path(repo): Path<NamedRepo>,
) -> ApiResult<Response> {
    mlbom_doc(&s, &caller, &repo, "main").await
}

/// `GET /api/models/{ns}/{name}/mlbom/{rev}`: a CycloneDX 1.6 ML-BOM of the revision.
#[utoipa::path(
    get,
    path = "/api/models/{ns}/{name}/mlbom/{rev}",
    tag = "exports",
    params(NamedRepo, Rev),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "A CycloneDX 1.6 ML-BOM of the revision, with its openness", content_type = "application/vnd.cyclonedx+json", body = Object),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or the revision is", body = ErrorBody),
    ),
)]
async fn mlbom_at(
    State(s): State<WebState>,
    caller: Caller,
    Path(repo): Path<NamedRepo>,
    Path(Rev { rev }): Path<Rev>,
) -> ApiResult<Response> {
    mlbom_doc(&s, &caller, &repo, &rev).await
}

/// A CycloneDX ML-BOM of `rev` of a model.
async fn mlbom_doc(
    s: &WebState,
    caller: &Caller,
    NamedRepo { ns, name }: &NamedRepo,
    rev: &str,
) -> ApiResult<Response> {
    let r = revision(s, caller, RepoType::Model, (ns, name), rev).await?;
    let base = s.hub.config.public_url.clone();
    let hex = r.commit.to_hex();
    let doc = mlbom(&MlBomInput {
        base_url: &base,
        entry: &r.entry,
        commit: &hex,
        commit_time_ms: r.time_ms,
        files: &r.files,
        assessment: r.assessment.as_ref(),
    });
    Ok(json_ld(doc, "application/vnd.cyclonedx+json"))
}

/// `GET /api/{kind}/{ns}/{name}/spdx`: an SPDX 3 document of `main`.
#[utoipa::path(
    get,
    path = "/api/{kind}/{ns}/{name}/spdx",
    tag = "exports",
    params(RepoParams),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "An SPDX 3 document of `main` (JSON-LD; the AI profile for a model, the Dataset profile for a dataset), with its openness", content_type = "application/spdx+json", body = Object),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or the revision is", body = ErrorBody),
    ),
)]
async fn spdx_main(
    State(s): State<WebState>,
    caller: Caller,
    Path(repo): Path<RepoParams>,
) -> ApiResult<Response> {
    spdx_doc(&s, &caller, &repo, "main").await
}

/// `GET /api/{kind}/{ns}/{name}/spdx/{rev}`: an SPDX 3 document of the revision.
#[utoipa::path(
    get,
    path = "/api/{kind}/{ns}/{name}/spdx/{rev}",
    tag = "exports",
    params(RepoParams, Rev),
    security((), ("token" = [])),
    responses(
        (status = 200, description = "An SPDX 3 document of the revision (JSON-LD; the AI profile for a model, the Dataset profile for a dataset), with its openness", content_type = "application/spdx+json", body = Object),
        (status = 401, description = "Anonymous, and the repo is missing or private", body = ErrorBody),
        (status = 404, description = "The repo is missing or hidden from the caller, or the revision is", body = ErrorBody),
    ),
)]
async fn spdx_at(
    State(s): State<WebState>,
    caller: Caller,
    Path(repo): Path<RepoParams>,
    Path(Rev { rev }): Path<Rev>,
) -> ApiResult<Response> {
    spdx_doc(&s, &caller, &repo, &rev).await
}

/// An SPDX 3 document for a revision; a dataset's data card is judged from its README there.
async fn spdx_doc(
    s: &WebState,
    caller: &Caller,
    RepoParams { kind, ns, name }: &RepoParams,
    rev: &str,
) -> ApiResult<Response> {
    let kind = super::repo_type(kind)?;
    let mut r = revision(s, caller, kind, (ns, name), rev).await?;
    if kind == RepoType::Dataset {
        r.entry.card_text = s
            .hub
            .readme(&r.commit)
            .await
            .map_err(|e| caller.err(e))?
            .unwrap_or_default();
    }
    let base = s.hub.config.public_url.clone();
    let hex = r.commit.to_hex();
    let doc = spdx3(&SpdxInput {
        base_url: &base,
        hub_name: &s.site.name,
        entry: &r.entry,
        commit: &hex,
        commit_time_ms: r.time_ms,
        assessment: r.assessment.as_ref(),
    });
    Ok(json_ld(doc, "application/spdx+json"))
}

/// The account named in the URL, or 404.
async fn provider_account(s: &WebState, name: &str) -> ApiResult<commonhold_meta::Account> {
    s.hub
        .account(name)
        .await
        .map_err(|e| ApiError::from_hub(e, false))?
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                format!("no user or organisation {name:?}"),
            )
        })
}

/// The account of `/api/organizations/{name}/provider`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProviderName {
    /// An organisation or a user.
    name: String,
}

/// A provider's due-diligence fields in the register.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ProviderView {
    /// Where to report a security or safety problem.
    security_contact: Option<String>,
    /// How the provider handles personal and licensed data.
    data_handling: Option<String>,
    /// Checked by the site's administrators.
    verified: bool,
}

impl From<commonhold_meta::catalogue::ProviderProfile> for ProviderView {
    fn from(p: commonhold_meta::catalogue::ProviderProfile) -> ProviderView {
        ProviderView {
            security_contact: p.security_contact,
            data_handling: p.data_handling,
            verified: p.verified,
        }
    }
}

/// `GET /api/organizations/{name}/provider`: the provider register's entry of an account.
#[utoipa::path(
    get,
    path = "/api/organizations/{name}/provider",
    tag = "providers",
    params(ProviderName),
    responses(
        (status = 200, description = "The entry (empty fields when never set)", body = ProviderView),
        (status = 404, description = "No such user or organisation", body = ErrorBody),
    ),
)]
async fn provider_get(
    State(s): State<WebState>,
    Path(ProviderName { name }): Path<ProviderName>,
) -> ApiResult<Response> {
    let account = provider_account(&s, &name).await?;
    let profile = s
        .hub
        .provider_profile(&account)
        .await
        .map_err(|e| ApiError::from_hub(e, false))?;
    Ok(Json(ProviderView::from(profile)).into_response())
}

/// The body of `PUT /api/organizations/{name}/provider`; absent fields keep their value,
/// blank text clears a field.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ProviderUpdate {
    /// At most 2000 characters.
    security_contact: Option<String>,
    /// At most 2000 characters.
    data_handling: Option<String>,
    /// Only a site administrator may set it.
    verified: Option<bool>,
}

/// `PUT /api/organizations/{name}/provider`: changes the entry; by an admin of the organisation
/// (or the user itself) with a write token.
#[utoipa::path(
    put,
    path = "/api/organizations/{name}/provider",
    tag = "providers",
    params(ProviderName),
    request_body = ProviderUpdate,
    security(("token" = [])),
    responses(
        (status = 200, description = "The entry as changed", body = ProviderView),
        (status = 400, description = "A text is too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin of the account with a write token, or `verified` set by someone else than a site administrator", body = ErrorBody),
        (status = 404, description = "No such user or organisation", body = ErrorBody),
    ),
)]
async fn provider_put(
    State(s): State<WebState>,
    caller: Caller,
    Path(ProviderName { name }): Path<ProviderName>,
    body: Body,
) -> ApiResult<Response> {
    let who = caller.require()?;
    let account = provider_account(&s, &name).await?;
    // Signed in and the provider exists: only now is the body read (the hub checks the role).
    let update: ProviderUpdate = crate::body::json(body).await?;
    let profile = s
        .hub
        .update_provider_profile(
            who,
            &account,
            update.security_contact,
            update.data_handling,
            update.verified,
        )
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(ProviderView::from(profile)).into_response())
}
