//! Discussions and pull requests as the Hub API has them (`huggingface_hub`'s
//! `get_repo_discussions`, `create_discussion`, `create_pull_request`, `comment_discussion`,
//! `rename_discussion`, `change_discussion_status`, `merge_pull_request`, and the
//! `upload_folder(create_pr=True)` pipeline, which opens its pull request this way).
//!
//! Anyone with a write token who can read a repo may open a discussion or pull request and
//! comment; its author or a writer may rename it or change its status; only a writer merges. A
//! read token changes nothing, whoever holds it.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use commonhold_catalogue::html::esc;
use commonhold_hub::{Change, DiscussionDetails, format_time_ms};
use commonhold_meta::{Discussion, DiscussionEvent, DiscussionFilter, Repo};
use commonhold_types::{DiscussionEventKind, RefName};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Params;
use crate::repo_access::{Contribute, Num, Read, RepoIn};
use crate::{ApiResult, AppState};

/// Discussions per page of a listing, as on the Hub.
const PAGE: u64 = 50;

fn num_of(num: &str) -> ApiResult<u64> {
    num.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::bad_request(format!("{num:?} is not a discussion number")))
}

fn author(name: &str) -> Value {
    json!({ "name": name, "type": "user" })
}

fn summary(repo: &Repo, d: &Discussion) -> Value {
    json!({
        "num": d.num,
        "title": d.title,
        "status": d.status,
        "isPullRequest": d.is_pr,
        "createdAt": format_time_ms(d.created_at),
        "author": author(&d.author),
        "repo": { "name": repo.name.to_string(), "type": repo.repo_type.as_str() },
        "pinned": false,
    })
}

/// An event in the Hub's shape; our stored `data` is the minimal form of each kind.
fn event(e: &DiscussionEvent) -> Value {
    let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
    let at = format_time_ms(e.created_at);
    let shaped = match e.kind {
        DiscussionEventKind::Comment => json!({
            "edited": false,
            "hidden": false,
            "latest": {
                "raw": data["raw"],
                // Shown as text: escaped, never rendered markup.
                "html": format!("<p>{}</p>", esc(data["raw"].as_str().unwrap_or(""))),
                "updatedAt": at,
                "author": author(&e.author),
            },
            "numEdits": 0,
            "editors": [e.author],
            "editReactions": [],
            "identifiedLanguage": null,
            "isReport": false,
        }),
        _ => data,
    };
    json!({
        "id": format!("{:024x}", e.id),
        "type": e.kind,
        "createdAt": at,
        "author": author(&e.author),
        "data": shaped,
    })
}

fn details(repo: &Repo, d: &DiscussionDetails) -> Value {
    let mut v = summary(repo, &d.discussion);
    v["events"] = d.events.iter().map(event).collect();
    if d.discussion.is_pr {
        let conflicts = d.changes.as_ref().map(|c| c.conflicts.clone());
        v["filesWithConflicts"] = json!(conflicts.unwrap_or_default());
        v["changes"] = json!({
            "base": d.discussion.target_ref,
            "mergeCommitId": d.discussion.merge.map(|o| o.to_hex()),
        });
        v["diff"] = json!(d.changes.as_ref().map(|c| {
            c.changes
                .iter()
                .map(|(path, change)| {
                    let what = match change {
                        Change::Added => "new file",
                        Change::Modified => "modified",
                        Change::Deleted => "deleted file",
                    };
                    format!("diff --git a/{path} b/{path}\n{what}\n")
                })
                .collect::<String>()
        }));
    }
    v
}

/// `GET /api/{kind}/{ns}/{name}/discussions?p=&type=&status=&author=`
pub async fn list(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref());
    let filter = DiscussionFilter {
        pull_requests: match p.get("type") {
            Some("pull_request") => Some(true),
            Some("discussion") => Some(false),
            _ => None,
        },
        open: match p.get("status") {
            Some("open") => Some(true),
            Some("closed") => Some(false),
            _ => None,
        },
        author: p.get("author").map(str::to_string),
    };
    let start = p.offset("p", PAGE)?;
    let (list, count, closed) = state
        .hub
        .list_discussions(&repo, &filter, start, PAGE)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({
        "discussions": list.iter().map(|d| summary(&repo, d)).collect::<Vec<_>>(),
        "count": count,
        "start": start,
        "numClosedDiscussions": closed,
    })))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OpenBody {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    pull_request: bool,
}

/// `POST /api/{kind}/{ns}/{name}/discussions` `{title, description, pullRequest}`
pub async fn open(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Contribute>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let who = caller.require()?;
    let b: OpenBody = crate::body::json(body).await?;
    let d = state
        .hub
        .open_discussion(
            &repo,
            &who.account,
            &b.title,
            &b.description,
            b.pull_request,
        )
        .await
        .map_err(|e| caller.err(e))?;
    let mut v = summary(&repo, &d);
    v["url"] = json!(state.hub.url(&format!(
        "{}/discussions/{}",
        super::repo_url_path(&repo),
        d.num
    )));
    if d.is_pr {
        v["pullRequest"] = json!({ "ref": RefName::PullRequest(d.num).to_string() });
    }
    Ok(Json(v))
}

/// `GET /api/{kind}/{ns}/{name}/discussions/{num}`
pub async fn get(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
    Path(Num { num }): Path<Num>,
) -> ApiResult<Json<Value>> {
    let d = state
        .hub
        .discussion_details(&repo, num_of(&num)?)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(details(&repo, &d)))
}

#[derive(Deserialize, Default)]
pub struct ChangeBody {
    comment: Option<String>,
    title: Option<String>,
    status: Option<String>,
}

/// The repo and discussion a change names, if the caller may change it: with a write token,
/// the author or a writer for `title`/`status`, a writer for `merge`.
async fn changeable(
    state: &AppState,
    RepoIn {
        repo,
        writer,
        caller,
        ..
    }: RepoIn<Contribute>,
    num: &str,
    writer_only: bool,
) -> ApiResult<(Repo, Discussion, Caller)> {
    let who = caller.require()?;
    let d = state
        .hub
        .discussion(&repo, num_of(num)?)
        .await
        .map_err(|e| caller.err(e))?;
    if !writer && (writer_only || d.author != who.account.name) {
        return Err(caller.err(commonhold_hub::HubError::Forbidden(format!(
            "you don't have write access to {}; only its writers{} may do this",
            repo.name,
            if writer_only {
                ""
            } else {
                " and the discussion's author"
            }
        ))));
    }
    Ok((repo, d, caller))
}

/// `POST .../discussions/{num}/comment` `{comment}`
pub async fn comment(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Contribute>,
    Path(Num { num }): Path<Num>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let who = caller.require()?;
    let b: ChangeBody = crate::body::json(body).await?;
    let e = state
        .hub
        .comment_discussion(
            &repo,
            &who.account,
            num_of(&num)?,
            &b.comment.unwrap_or_default(),
        )
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({ "newMessage": event(&e) })))
}

/// `POST .../discussions/{num}/title` `{title}`
pub async fn title(
    State(state): State<AppState>,
    repo: RepoIn<Contribute>,
    Path(Num { num }): Path<Num>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (repo, d, caller) = changeable(&state, repo, &num, false).await?;
    let b: ChangeBody = crate::body::json(body).await?;
    let who = caller.require()?;
    let e = state
        .hub
        .rename_discussion(&repo, &who.account, d.num, &b.title.unwrap_or_default())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({ "newTitle": event(&e) })))
}

/// `POST .../discussions/{num}/status` `{status, comment?}`
pub async fn status(
    State(state): State<AppState>,
    repo: RepoIn<Contribute>,
    Path(Num { num }): Path<Num>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (repo, d, caller) = changeable(&state, repo, &num, false).await?;
    let b: ChangeBody = crate::body::json(body).await?;
    let who = caller.require()?;
    let e = state
        .hub
        .set_discussion_status(
            &repo,
            &who.account,
            d.num,
            b.status.as_deref().unwrap_or(""),
            b.comment.as_deref(),
        )
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({ "newStatus": event(&e) })))
}

/// `POST .../discussions/{num}/merge` `{comment?}`
pub async fn merge(
    State(state): State<AppState>,
    repo: RepoIn<Contribute>,
    Path(Num { num }): Path<Num>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (repo, d, caller) = changeable(&state, repo, &num, true).await?;
    let b: ChangeBody = crate::body::json(body).await?;
    let who = caller.require()?;
    let head = state
        .hub
        .merge_pr(&repo, &who.account, d.num, b.comment.as_deref())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(json!({ "mergeCommitId": head.to_hex() })))
}
