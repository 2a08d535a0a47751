//! Read-only endpoints: listing and search, repo info, tree, paths-info, refs, commits.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use commonhold_hub::{EntryKind, Resolved, TreeItem, format_time_ms};
use commonhold_meta::{Repo, RepoQuery, RepoSort};
use commonhold_types::RefName;
use commonhold_xet::XetHash;
use futures::{StreamExt, TryStreamExt};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use super::repo_type;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Params;
use crate::repo_access::{Read, RepoIn, Rev, TreePath};
use crate::views::{apply_expand, repo_summary, sibling, tree_entry};
use crate::{ApiResult, AppState};

const TREE_PAGE: u64 = 1000;
const COMMITS_PAGE: usize = 100;
const LIST_PAGE_MAX: u64 = 1000;

/// A JSON array response with `Link: <next>; rel="next"` when there is more.
pub(crate) fn paged(items: Vec<Value>, next: Option<String>) -> Response {
    let mut resp = Json(Value::Array(items)).into_response();
    if let Some(url) = next
        && let Ok(v) = HeaderValue::from_str(&format!("<{url}>; rel=\"next\""))
    {
        resp.headers_mut().insert(header::LINK, v);
    }
    resp
}

/// The query string with `cursor` replaced.
pub(crate) fn with_cursor(params: &Params, cursor: u64) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.0.iter().filter(|(k, _)| k != "cursor") {
        out.append_pair(k, v);
    }
    out.append_pair("cursor", &cursor.to_string());
    out.finish()
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let kind = repo_type(&kind)?;
    let p = Params::parse(q.as_deref());
    let sort = match p.get("sort") {
        Some("downloads" | "trendingScore" | "downloadsAllTime") => RepoSort::Downloads,
        Some("likes") => RepoSort::Likes,
        Some("lastModified" | "last_modified") => RepoSort::LastModified,
        Some("createdAt" | "created_at") => RepoSort::CreatedAt,
        Some("id" | "modelId") => RepoSort::Id,
        Some(other) => return Err(ApiError::bad_request(format!("unknown sort {other:?}"))),
        None => RepoSort::Id,
    };
    // The Hub sorts descending unless told `direction=1`; 0.x clients send `direction=-1`.
    let descending = p.get("sort").is_some() && p.get("direction") != Some("1");
    let page = p.limit("limit", LIST_PAGE_MAX)?;
    let offset = p.offset("cursor", 1)?;
    let mut tags: Vec<String> = p
        .all("filter")
        .iter()
        .flat_map(|f| f.split(','))
        .map(str::to_string)
        .collect();
    for key in ["pipeline_tag", "library", "language", "license"] {
        if let Some(v) = p.get(key) {
            tags.push(match key {
                "pipeline_tag" | "library" => v.to_string(),
                _ => format!("{key}:{v}"),
            });
        }
    }
    tags.retain(|t| !t.is_empty());
    let gated = match p.get("gated").map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "gated={other:?} is not understood: use gated=true or gated=false"
            )));
        }
    };
    let query = RepoQuery {
        repo_type: kind,
        search: p
            .get("search")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        author: p
            .get("author")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        tags,
        // The hub fills in which private repos the caller may see.
        private: Default::default(),
        gated,
        sort,
        descending,
        offset,
        limit: page + 1,
    };
    let mut repos = state
        .hub
        .list_repos(caller.principal(), query)
        .await
        .map_err(|e| caller.err(e))?;
    let more = repos.len() as u64 > page;
    repos.truncate(page as usize);
    let full = p.flag("full");
    let expand = p.all("expand");
    let mut items = Vec::with_capacity(repos.len());
    for repo in &repos {
        let mut m = repo_summary(repo);
        if full && let Some(sha) = repo.summary.sha {
            let files = files_at(&state, &caller, sha).await?;
            m.insert(
                "siblings".into(),
                Value::Array(files.iter().map(|f| sibling(f, false)).collect()),
            );
        }
        items.push(Value::Object(apply_expand(m, &expand)));
    }
    let next = more.then(|| {
        state.hub.url(&format!(
            "api/{}?{}",
            kind.plural(),
            with_cursor(&p, offset + page)
        ))
    });
    Ok(paged(items, next))
}

/// Every file (not directory) at a commit, in listing order.
async fn files_at(
    state: &AppState,
    caller: &Caller,
    commit: commonhold_types::GitOid,
) -> ApiResult<Vec<TreeItem>> {
    let hub = &state.hub;
    let root = hub.root_tree(&commit).await.map_err(|e| caller.err(e))?;
    let items = hub
        .list(&root, "", true)
        .await
        .map_err(|e| caller.err(e))?
        .unwrap_or_default();
    Ok(items
        .into_iter()
        .filter(|i| i.kind == EntryKind::File)
        .collect())
}

pub async fn repo_info(
    state: State<AppState>,
    repo: RepoIn<Read>,
    q: RawQuery,
) -> ApiResult<Response> {
    info_at(state, repo, "main".into(), q).await
}

pub async fn repo_info_at(
    state: State<AppState>,
    repo: RepoIn<Read>,
    Path(Rev { rev }): Path<Rev>,
    q: RawQuery,
) -> ApiResult<Response> {
    info_at(state, repo, rev, q).await
}

async fn info_at(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
    rev: String,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(q.as_deref());
    let resolved = state
        .hub
        .resolve(&repo, &rev)
        .await
        .map_err(|e| caller.err(e))?;
    let files = files_at(&state, &caller, resolved.commit).await?;
    let mut m = repo_summary(&repo);
    m.insert("sha".into(), json!(resolved.commit.to_hex()));
    let blobs = p.flag("blobs");
    m.insert(
        "siblings".into(),
        Value::Array(files.iter().map(|f| sibling(f, blobs)).collect()),
    );
    if blobs {
        let used: u64 = files.iter().map(|f| f.size).sum();
        m.insert("usedStorage".into(), json!(used));
    }
    m.insert("spaces".into(), json!([]));
    // `config` is file content: only for callers who may read the repo's files.
    let readable = state
        .hub
        .require_read_bytes(caller.principal(), &repo)
        .await;
    if readable.is_ok()
        && let Some(config) = small_json_file(&state, &files, "config.json").await
    {
        m.insert("config".into(), config);
    }
    Ok(Json(Value::Object(apply_expand(m, &p.all("expand")))).into_response())
}

/// A small regular JSON file at the root, parsed, for repo info's `config`.
async fn small_json_file(state: &AppState, files: &[TreeItem], path: &str) -> Option<Value> {
    let item = files
        .iter()
        .find(|f| f.path == path && f.lfs.is_none() && f.size <= 256 * 1024)?;
    let body = state.hub.blob_content(&item.oid).await.ok()?;
    serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
}

pub async fn tree_root(
    state: State<AppState>,
    repo: RepoIn<Read>,
    Path(Rev { rev }): Path<Rev>,
    q: RawQuery,
) -> ApiResult<Response> {
    tree(state, repo, (rev, String::new()), q).await
}

pub async fn tree_path(
    state: State<AppState>,
    repo: RepoIn<Read>,
    Path(Rev { rev }): Path<Rev>,
    Path(TreePath { path }): Path<TreePath>,
    q: RawQuery,
) -> ApiResult<Response> {
    tree(state, repo, (rev, path), q).await
}

async fn last_commit_views(
    state: &AppState,
    caller: &Caller,
    resolved: &Resolved,
    items: &[TreeItem],
) -> ApiResult<Vec<Option<Value>>> {
    let paths: Vec<String> = items.iter().map(|i| i.path.clone()).collect();
    let found = state
        .hub
        .last_commits(&resolved.commit, &paths)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(paths
        .iter()
        .map(|p| {
            found.get(p).map(|(oid, c)| {
                json!({ "id": oid.to_hex(), "title": c.title(), "date": format_time_ms(c.committer.time * 1000) })
            })
        })
        .collect())
}

/// How many Xet lookups a listing keeps in flight.
const XET_LOOKUPS_IN_FLIGHT: usize = 16;

/// The Xet hash of each item that is a Xet-stored LFS file of `repo`, in item order; regular
/// files and directories cost nothing.
async fn xet_hashes(
    state: &AppState,
    caller: &Caller,
    repo: &Repo,
    items: &[TreeItem],
) -> ApiResult<Vec<Option<XetHash>>> {
    let oids: Vec<_> = items
        .iter()
        .map(|i| i.lfs.as_ref().map(|p| p.oid))
        .collect();
    let repo_id = repo.id;
    futures::stream::iter(oids)
        .map(|oid| {
            let hub = state.hub.clone();
            async move {
                match oid {
                    Some(oid) => hub.xet_hash_for(repo_id, &oid).await,
                    None => Ok(None),
                }
            }
        })
        .buffered(XET_LOOKUPS_IN_FLIGHT)
        .try_collect()
        .await
        .map_err(|e| caller.err(e))
}

async fn tree(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
    (rev, path): (String, String),
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let kind = repo.repo_type;
    let p = Params::parse(q.as_deref());
    let path = path.trim_matches('/').to_string();
    let resolved = state
        .hub
        .resolve(&repo, &rev)
        .await
        .map_err(|e| caller.err(e))?;
    let offset = p.offset("cursor", 1)?;
    let page = p.limit("limit", TREE_PAGE)?;
    let (slice, more) = state
        .hub
        .list_page(
            &resolved.tree,
            &path,
            p.flag("recursive"),
            usize::try_from(offset).unwrap_or(usize::MAX),
            usize::try_from(page).unwrap_or(usize::MAX),
        )
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                format!("Entry not found: no directory {path:?} at {rev}"),
            )
            .with_code(crate::error::ErrorCode::EntryNotFound)
            .with_header("x-repo-commit", resolved.commit.to_hex())
        })?;
    let last = if p.flag("expand") {
        last_commit_views(&state, &caller, &resolved, &slice).await?
    } else {
        vec![None; slice.len()]
    };
    let xet = xet_hashes(&state, &caller, &repo, &slice).await?;
    let out = slice
        .iter()
        .zip(xet)
        .zip(last)
        .map(|((i, x), c)| tree_entry(i, x.as_ref(), c))
        .collect();
    let next = more.then(|| {
        let tail = if path.is_empty() {
            String::new()
        } else {
            format!(
                "/{}",
                path.split('/').map(enc).collect::<Vec<_>>().join("/")
            )
        };
        state.hub.url(&format!(
            "api/{}/{}/tree/{}{tail}?{}",
            kind.plural(),
            repo.name,
            enc(&rev),
            with_cursor(&p, offset + page)
        ))
    });
    Ok(paged(out, next))
}

pub async fn paths_info(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
    Path(Rev { rev }): Path<Rev>,
    RawQuery(q): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    let body = crate::body::read(body, 4 << 20, "paths-info").await?;
    let form = Params::parse(std::str::from_utf8(&body).ok());
    let query = Params::parse(q.as_deref());
    let resolved = state
        .hub
        .resolve(&repo, &rev)
        .await
        .map_err(|e| caller.err(e))?;
    let root = resolved.tree;
    let mut items = Vec::new();
    for path in form.all("paths") {
        let path = path.trim_matches('/');
        if let Some((mode, oid)) = state
            .hub
            .lookup(&root, path)
            .await
            .map_err(|e| caller.err(e))?
        {
            if path.is_empty() {
                continue;
            }
            items.push(
                state
                    .hub
                    .item(path.to_string(), mode, oid)
                    .await
                    .map_err(|e| caller.err(e))?,
            );
        }
    }
    let last = if form.flag("expand") || query.flag("expand") {
        last_commit_views(&state, &caller, &resolved, &items).await?
    } else {
        vec![None; items.len()]
    };
    let xet = xet_hashes(&state, &caller, &repo, &items).await?;
    Ok(Json(Value::Array(
        items
            .iter()
            .zip(xet)
            .zip(last)
            .map(|((i, x), c)| tree_entry(i, x.as_ref(), c))
            .collect(),
    ))
    .into_response())
}

fn ref_view(full: &str, short: &str, target: &commonhold_types::GitOid) -> Value {
    json!({ "name": short, "ref": full, "targetCommit": target.to_hex() })
}

pub async fn refs(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref());
    let refs = state.hub.refs(&repo).await.map_err(|e| caller.err(e))?;
    let (mut branches, mut tags, mut prs) = (Vec::new(), Vec::new(), Vec::new());
    for (full, target) in &refs {
        match RefName::parse(full) {
            Some(RefName::Branch(b)) => branches.push(ref_view(full, &b, target)),
            Some(RefName::Tag(t)) => tags.push(ref_view(full, &t, target)),
            Some(RefName::PullRequest(_)) => prs.push(ref_view(full, full, target)),
            None => {}
        }
    }
    let mut out = Map::new();
    out.insert("branches".into(), Value::Array(branches));
    out.insert("tags".into(), Value::Array(tags));
    out.insert("converts".into(), json!([]));
    if p.flag("include_prs") {
        out.insert("pullRequests".into(), Value::Array(prs));
    }
    Ok(Json(Value::Object(out)))
}

pub async fn commits(
    State(state): State<AppState>,
    RepoIn { repo, caller, .. }: RepoIn<Read>,
    Path(Rev { rev }): Path<Rev>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let kind = repo.repo_type;
    let p = Params::parse(q.as_deref());
    let resolved = state
        .hub
        .resolve(&repo, &rev)
        .await
        .map_err(|e| caller.err(e))?;
    let offset = p.offset("cursor", 1)?;
    let (list, more) = state
        .hub
        .history(
            &resolved.commit,
            usize::try_from(offset).unwrap_or(usize::MAX),
            COMMITS_PAGE,
        )
        .await
        .map_err(|e| caller.err(e))?;
    let items = list
        .iter()
        .map(|(oid, c)| {
            json!({
                "id": oid.to_hex(),
                "title": c.title(),
                "message": c.message.split_once('\n').map_or("", |(_, rest)| rest).trim(),
                "date": format_time_ms(c.committer.time * 1000),
                "authors": [{ "user": c.author.name, "avatar": null }],
            })
        })
        .collect();
    let next = more.then(|| {
        state.hub.url(&format!(
            "api/{}/{}/commits/{}?{}",
            kind.plural(),
            repo.name,
            enc(&rev),
            with_cursor(&p, offset + COMMITS_PAGE as u64)
        ))
    });
    Ok(paged(items, next))
}
