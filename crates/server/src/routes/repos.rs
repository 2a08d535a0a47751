//! Repo lifecycle: create, delete, move, settings, branches and tags.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonhold_types::{Gating, RepoName, RepoType};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{repo_type, repo_url_path};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::repo_access::{Branch, RepoIn, Tag, Write};
use crate::{ApiResult, AppState};

fn type_of(t: Option<&str>) -> ApiResult<RepoType> {
    match t {
        None => Ok(RepoType::Model),
        Some(t) => RepoType::parse(t).ok_or_else(|| {
            ApiError::bad_request(format!(
                "repo type {t:?} is not supported here: use model or dataset"
            ))
        }),
    }
}

/// `name` may be `ns/name` or a bare name with `organization` (or the caller) as namespace.
fn full_name(name: &str, organization: Option<&str>, caller_name: &str) -> ApiResult<RepoName> {
    let parsed = match (name.split_once('/'), organization) {
        (Some(_), _) => name.parse::<RepoName>(),
        (None, Some(org)) => RepoName::new(org, name),
        (None, None) => RepoName::new(caller_name, name),
    };
    parsed.map_err(|e| ApiError::bad_request(e.to_string()))
}

#[derive(Deserialize, Default)]
pub struct CreateBody {
    #[serde(default)]
    name: String,
    organization: Option<String>,
    #[serde(rename = "type")]
    repo_type: Option<String>,
    private: Option<bool>,
    visibility: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> ApiResult<Json<Value>> {
    let p = caller.require()?;
    let b: CreateBody = crate::body::json(body).await?;
    let kind = type_of(b.repo_type.as_deref())?;
    let name = full_name(&b.name, b.organization.as_deref(), &p.account.name)?;
    let private = match b.visibility.as_deref() {
        Some("private") => true,
        Some("public") | None => b.private.unwrap_or(false),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown visibility {other:?}"
            )));
        }
    };
    let repo = state
        .hub
        .create_repo(p, kind, &name, private)
        .await
        .map_err(|e| match e {
            // Clients with `exist_ok` read the existing repo's URL from the 409 body.
            commonhold_hub::HubError::Conflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                format!("You already created this {} repo: {name}", kind.as_str()),
            )
            .with_field(
                "url",
                json!(state.hub.url(&format!("{}{name}", kind.url_prefix()))),
            ),
            other => caller.err(other),
        })?;
    Ok(Json(
        json!({ "url": state.hub.url(&repo_url_path(&repo)), "name": repo.name.to_string(), "id": crate::views::object_id(&repo) }),
    ))
}

#[derive(Deserialize, Default)]
pub struct DeleteBody {
    #[serde(default)]
    name: String,
    organization: Option<String>,
    #[serde(rename = "type")]
    repo_type: Option<String>,
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> ApiResult<Json<Value>> {
    let p = caller.require()?;
    let b: DeleteBody = crate::body::json(body).await?;
    let kind = type_of(b.repo_type.as_deref())?;
    let name = full_name(&b.name, b.organization.as_deref(), &p.account.name)?;
    state
        .hub
        .delete_repo(Some(p), kind, &name)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({})))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct MoveBody {
    #[serde(default)]
    from_repo: String,
    #[serde(default)]
    to_repo: String,
    #[serde(rename = "type")]
    repo_type: Option<String>,
}

pub async fn move_repo(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> ApiResult<Json<Value>> {
    let p = caller.require()?;
    let b: MoveBody = crate::body::json(body).await?;
    let kind = type_of(b.repo_type.as_deref())?;
    let from = full_name(&b.from_repo, None, &p.account.name)?;
    let to: RepoName = b
        .to_repo
        .parse()
        .map_err(|e: commonhold_types::NameError| ApiError::bad_request(e.to_string()))?;
    state
        .hub
        .move_repo(p, kind, &from, &to)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(
        json!({ "url": state.hub.url(&format!("{}{to}", kind.url_prefix())) }),
    ))
}

/// The settings a client may change. Unknown keys are refused rather than ignored: a caller who
/// sets something this hub does not honour must not get a 200.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SettingsBody {
    private: Option<bool>,
    visibility: Option<String>,
    /// `"auto"`, `"manual"` or `false`, as the Hub.
    gated: Option<Value>,
    /// commonhold's own: how many days an accepted access request lasts (`null`: until revoked).
    #[serde(rename = "default_access_days", alias = "defaultAccessDays")]
    default_access_days: Option<Value>,
    /// Every repo speaks Xet, so only `true` is accepted.
    xet_enabled: Option<bool>,
}

impl SettingsBody {
    /// The visibility asked for, from `private` (huggingface_hub 0.x) or `visibility` (2.x).
    fn private(&self) -> ApiResult<Option<bool>> {
        let from_visibility = match self.visibility.as_deref() {
            None => None,
            Some("private") => Some(true),
            Some("public") => Some(false),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "visibility {other:?} is not supported: use \"public\" or \"private\""
                )));
            }
        };
        match (self.private, from_visibility) {
            (Some(a), Some(b)) if a != b => Err(ApiError::bad_request(
                "`private` and `visibility` disagree: send one of them",
            )),
            (a, b) => Ok(a.or(b)),
        }
    }

    /// The gating asked for: `"auto"`, `"manual"` or `false`; anything else is refused.
    fn gating(&self) -> ApiResult<Option<Gating>> {
        match &self.gated {
            None => Ok(None),
            Some(Value::Bool(false)) => Ok(Some(Gating::Open)),
            Some(Value::String(s)) if s == "auto" => Ok(Some(Gating::Auto)),
            Some(Value::String(s)) if s == "manual" => Ok(Some(Gating::Manual)),
            Some(v) => Err(ApiError::bad_request(format!(
                "gated {v} is not supported: use \"auto\", \"manual\" or false"
            ))),
        }
    }

    /// The grant lifetime asked for: `Some(None)` for `null` (until revoked).
    fn default_access_days(&self) -> ApiResult<Option<Option<i64>>> {
        match &self.default_access_days {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(v) => match v.as_i64() {
                Some(days) => Ok(Some(Some(days))),
                None => Err(ApiError::bad_request(format!(
                    "default_access_days {v} is not supported: use a whole number of days, or \
                     null for access until revoked"
                ))),
            },
        }
    }

    fn refuse_unsupported(&self) -> ApiResult<()> {
        if self.xet_enabled == Some(false) {
            return Err(ApiError::bad_request(
                "xetEnabled false is not supported: every repo on this hub accepts Xet and git-LFS uploads",
            ));
        }
        Ok(())
    }
}

pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, ns, name)): Path<(String, String, String)>,
    body: Body,
) -> ApiResult<Json<Value>> {
    caller.require()?;
    let kind = repo_type(&kind)?;
    let name = super::repo_name(&caller, &ns, &name)?;
    let b: SettingsBody = crate::body::json(body).await?;
    b.refuse_unsupported()?;
    // Everything is checked before anything changes (the hub checks the days' range first).
    let private = b.private()?;
    let gating = b.gating()?;
    let days = b.default_access_days()?;
    let (gating, days) = state
        .hub
        .set_gating(caller.principal(), kind, &name, gating, days)
        .await
        .map_err(|e| caller.err(e))?;
    let private = state
        .hub
        .set_private(caller.principal(), kind, &name, private)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({
        "private": private,
        "gated": gating.as_str().map_or(json!(false), |g| json!(g)),
        "default_access_days": days,
    })))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BranchBody {
    starting_point: Option<String>,
}

pub async fn create_branch(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Write>,
    Path(Branch { branch }): Path<Branch>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let b: BranchBody = crate::body::json(body).await?;
    state
        .hub
        .create_branch(&repo, &branch, b.starting_point.as_deref())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({})))
}

pub async fn delete_branch(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Write>,
    Path(Branch { branch }): Path<Branch>,
) -> ApiResult<Json<Value>> {
    state
        .hub
        .delete_branch(&repo, &branch)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({})))
}

#[derive(Deserialize, Default)]
pub struct TagBody {
    tag: Option<String>,
}

/// `POST .../tag/{rev}` with `{"tag"}` creates a tag at `rev`.
pub async fn create_tag(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Write>,
    Path(Tag { tag: rev }): Path<Tag>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let b: TagBody = crate::body::json(body).await?;
    let tag = b
        .tag
        .ok_or_else(|| ApiError::bad_request("the body must name the tag: {\"tag\": \"v1.0\"}"))?;
    state
        .hub
        .create_tag(&repo, &tag, &rev)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({})))
}

/// `DELETE .../tag/{tag}`.
pub async fn delete_tag(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Write>,
    Path(Tag { tag }): Path<Tag>,
) -> ApiResult<Json<Value>> {
    state
        .hub
        .delete_tag(&repo, &tag)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({})))
}
