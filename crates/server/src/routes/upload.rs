//! Upload endpoints: validate-yaml, preupload and the NDJSON commit.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use commonhold_hub::{CommitOp, CommitRequest, Hub, UploadMode, parse_front_matter};
use commonhold_types::{RepoPath, Sha256};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{contributable, repo_type, repo_url_path};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Params;
use crate::{ApiResult, AppState};

/// Largest NDJSON commit body; LFS content never travels in it, only small inline files.
const MAX_COMMIT_BODY: usize = 512 << 20;
const MAX_PREUPLOAD_FILES: usize = 1000;

#[derive(Deserialize)]
pub struct ValidateYaml {
    #[serde(default)]
    content: String,
}

pub async fn validate_yaml(body: Bytes) -> Response {
    let req: ValidateYaml = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("invalid request body: {e}");
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "errors": [{ "message": msg }], "warnings": [] })),
            )
                .into_response();
        }
    };
    match parse_front_matter(&req.content) {
        Ok(_) => Json(json!({ "errors": [], "warnings": [] })).into_response(),
        Err(msg) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "errors": [{ "message": msg }], "warnings": [] })),
        )
            .into_response(),
    }
}

fn repo_path(p: &str) -> ApiResult<RepoPath> {
    RepoPath::new(p).map_err(|e| ApiError::bad_request(format!("invalid path: {e}")))
}

#[derive(Deserialize)]
struct PreuploadFile {
    path: String,
    #[serde(default)]
    sample: String,
    #[serde(default)]
    size: u64,
}

#[derive(Deserialize)]
struct PreuploadBody {
    files: Vec<PreuploadFile>,
}

pub async fn preupload(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, ns, name, rev)): Path<(String, String, String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (repo, _) = contributable(&state, &caller, repo_type(&kind)?, &ns, &name).await?;
    let req: PreuploadBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid preupload body: {e}")))?;
    if req.files.len() > MAX_PREUPLOAD_FILES {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_PREUPLOAD_FILES} files per preupload call"
        )));
    }
    let hub = &state.hub;
    let resolved = hub.resolve(&repo, &rev).await.map_err(|e| caller.err(e))?;
    let attrs = hub
        .gitattributes(&resolved.commit)
        .await
        .map_err(|e| caller.err(e))?;
    let root = resolved.tree;
    let mut files = Vec::with_capacity(req.files.len());
    for f in req.files {
        let path = repo_path(&f.path)?;
        if f.size > hub.config.max_file_size {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "{path} is {} bytes; this hub accepts files up to {} bytes",
                    f.size, hub.config.max_file_size
                ),
            ));
        }
        let sample = base64::engine::general_purpose::STANDARD
            .decode(f.sample.as_bytes())
            .unwrap_or_default();
        let mode = Hub::upload_mode(&attrs, &path, &sample, f.size);
        // The remote oid lets the client skip files that are already there unchanged.
        let remote = match hub
            .lookup(&root, path.as_str())
            .await
            .map_err(|e| caller.err(e))?
        {
            Some((m, oid)) if m != commonhold_gitmodel::EntryMode::Dir => {
                let info = hub.blob_info(&oid).await.map_err(|e| caller.err(e))?;
                Some(
                    info.lfs
                        .as_ref()
                        .map_or_else(|| oid.to_hex(), |p| p.oid.to_hex()),
                )
            }
            _ => None,
        };
        files.push(json!({
            "path": path.as_str(),
            "uploadMode": if mode == UploadMode::Lfs { "lfs" } else { "regular" },
            "shouldIgnore": false,
            "oid": remote,
        }));
    }
    Ok(Json(
        json!({ "files": files, "commitOid": resolved.commit.to_hex() }),
    ))
}

#[derive(Deserialize)]
struct Line {
    key: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Header {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
    parent_commit: Option<String>,
}

#[derive(Deserialize)]
struct FileLine {
    path: String,
    content: String,
    #[serde(default)]
    encoding: Option<String>,
}

#[derive(Deserialize)]
struct LfsLine {
    path: String,
    #[serde(default)]
    algo: Option<String>,
    oid: String,
    size: Option<u64>,
}

#[derive(Deserialize)]
struct PathLine {
    path: String,
}

fn field<T: for<'de> Deserialize<'de>>(v: Value, line: usize, what: &str) -> ApiResult<T> {
    serde_json::from_value(v)
        .map_err(|e| ApiError::bad_request(format!("line {line}: invalid {what}: {e}")))
}

/// Parses the NDJSON commit payload into a header and operations.
pub(crate) fn parse_commit(body: &[u8]) -> ApiResult<(Header, Vec<CommitOp>)> {
    let mut header = None;
    let mut ops = Vec::new();
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: Line = serde_json::from_slice(raw)
            .map_err(|e| ApiError::bad_request(format!("line {n}: not a JSON object: {e}")))?;
        match line.key.as_str() {
            "header" => header = Some(field::<Header>(line.value, n, "header")?),
            "file" => {
                let f: FileLine = field(line.value, n, "file")?;
                let content = match f.encoding.as_deref() {
                    Some("base64") | None => base64::engine::general_purpose::STANDARD
                        .decode(f.content.as_bytes())
                        .map_err(|e| {
                            ApiError::bad_request(format!(
                                "line {n}: {}: invalid base64: {e}",
                                f.path
                            ))
                        })?,
                    Some("utf-8" | "utf8") => f.content.into_bytes(),
                    Some(other) => {
                        return Err(ApiError::bad_request(format!(
                            "line {n}: unknown encoding {other:?}"
                        )));
                    }
                };
                ops.push(CommitOp::AddRegular {
                    path: repo_path(&f.path)?,
                    content,
                });
            }
            "lfsFile" => {
                let f: LfsLine = field(line.value, n, "lfsFile")?;
                if f.algo.as_deref().is_some_and(|a| a != "sha256") {
                    return Err(ApiError::bad_request(format!(
                        "line {n}: only sha256 LFS oids are supported"
                    )));
                }
                let oid = Sha256::from_hex(&f.oid)
                    .map_err(|e| ApiError::bad_request(format!("line {n}: {e}")))?;
                let path = repo_path(&f.path)?;
                // Copies of LFS files arrive without a size: the hub finds this repo's.
                ops.push(match f.size {
                    Some(size) => CommitOp::AddLfs { path, oid, size },
                    None => CommitOp::CopyLfs { path, oid },
                });
            }
            "deletedFile" => ops.push(CommitOp::DeleteFile {
                path: repo_path(&field::<PathLine>(line.value, n, "deletedFile")?.path)?,
            }),
            "deletedFolder" => {
                let p = field::<PathLine>(line.value, n, "deletedFolder")?.path;
                ops.push(CommitOp::DeleteFolder {
                    path: repo_path(p.trim_end_matches('/'))?,
                });
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "line {n}: unknown key {other:?}"
                )));
            }
        }
    }
    let header =
        header.ok_or_else(|| ApiError::bad_request("the commit payload has no header line"))?;
    Ok((header, ops))
}

pub async fn commit(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, ns, name, rev)): Path<(String, String, String, String)>,
    RawQuery(q): RawQuery,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (repo, writer) = contributable(&state, &caller, repo_type(&kind)?, &ns, &name).await?;
    let author = caller.require()?.account.clone();
    let p = Params::parse(q.as_deref());
    if !writer {
        state
            .hub
            .check_contribution(&repo, &author, &rev, p.flag("create_pr"))
            .await
            .map_err(|e| caller.err(e))?;
    }
    let body = axum::body::to_bytes(body, MAX_COMMIT_BODY)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "commit payload too large or interrupted: large files must go through LFS",
            )
        })?;
    let (header, ops) = parse_commit(&body)?;
    let req = CommitRequest {
        revision: rev,
        summary: if header.summary.trim().is_empty() {
            "Upload files".into()
        } else {
            header.summary
        },
        description: header.description,
        parent_commit: header.parent_commit,
        create_pr: p.flag("create_pr"),
        ops,
    };
    let result = state
        .hub
        .create_commit(&repo, &author, req)
        .await
        .map_err(|e| caller.err(e))?;
    let base = state.hub.url(&repo_url_path(&repo));
    Ok(Json(json!({
        "commitUrl": format!("{base}/commit/{}", result.commit.to_hex()),
        "commitOid": result.commit.to_hex(),
        "pullRequestUrl": result.pr_num.map(|n| format!("{base}/discussions/{n}")),
    })))
}
