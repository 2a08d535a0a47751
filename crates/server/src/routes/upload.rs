//! Upload endpoints: validate-yaml, preupload and the NDJSON commit.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use commonhold_hub::{CommitOp, CommitRequest, Hub, UploadMode, parse_front_matter};
use commonhold_types::{RepoPath, Sha256};
use serde::Deserialize;
use serde_json::{Value, json};

use super::repo_url_path;
use crate::body::{Lines, LinesError};
use crate::error::ApiError;
use crate::params::Params;
use crate::repo_access::{Contribute, RepoIn, Rev};
use crate::{ApiResult, AppState};

/// Largest NDJSON commit body; LFS content never travels in it, only small inline files.
const MAX_COMMIT_BODY: u64 = 512 << 20;
/// Longest line of a commit payload: one regular file of `max_regular` bytes in base64, with its
/// path and the JSON around it.
fn max_commit_line(max_regular: u64) -> usize {
    let base64 = max_regular.div_ceil(3).saturating_mul(4);
    usize::try_from(base64.saturating_add(64 << 10)).unwrap_or(usize::MAX)
}
const MAX_PREUPLOAD_FILES: usize = 1000;

#[derive(Deserialize)]
pub struct ValidateYaml {
    #[serde(default)]
    content: String,
}

/// `POST /api/validate-yaml` needs no token (huggingface_hub sends none), so its body is the
/// one an anonymous caller can make the server read: a model card, JSON-escaped.
const VALIDATE_YAML_LIMIT: usize = 2 << 20;
/// [`MAX_PREUPLOAD_FILES`] entries of a path and a 512-byte sample in base64.
const PREUPLOAD_LIMIT: usize = 4 << 20;

pub async fn validate_yaml(body: Body) -> Response {
    let body = match crate::body::read(body, VALIDATE_YAML_LIMIT, "validate-yaml").await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
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
    RepoIn { repo, caller, .. }: RepoIn<Contribute>,
    Path(Rev { rev }): Path<Rev>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let body = crate::body::read(body, PREUPLOAD_LIMIT, "preupload").await?;
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
        let mode = Hub::upload_mode(
            &attrs,
            &path,
            &sample,
            f.size,
            hub.config.max_regular_file_size,
        );
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

/// One line of the NDJSON commit payload: `{"key": ..., "value": ...}`.
#[derive(Deserialize)]
#[serde(tag = "key", content = "value")]
enum Line<'a> {
    #[serde(rename = "header")]
    Header(Header),
    #[serde(rename = "file")]
    File(#[serde(borrow)] FileLine<'a>),
    #[serde(rename = "lfsFile")]
    LfsFile(LfsLine),
    #[serde(rename = "deletedFile")]
    DeletedFile(PathLine),
    #[serde(rename = "deletedFolder")]
    DeletedFolder(PathLine),
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
struct FileLine<'a> {
    path: String,
    /// Borrowed from the line when it has no escapes (base64 never has): no second copy.
    #[serde(borrow)]
    content: std::borrow::Cow<'a, str>,
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

/// Everything the commit payload says: its header and operations, in order.
#[derive(Default)]
struct CommitPayload {
    header: Option<Header>,
    ops: Vec<CommitOp>,
}

impl CommitPayload {
    /// Adds line `n` (1-based; blank lines are skipped).
    fn add_line(&mut self, raw: &[u8], n: usize) -> ApiResult<()> {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let line: Line<'_> = serde_json::from_slice(raw)
            .map_err(|e| ApiError::bad_request(format!("line {n}: not a commit line: {e}")))?;
        match line {
            Line::Header(h) => self.header = Some(h),
            Line::File(f) => {
                let content = match f.encoding.as_deref() {
                    Some("base64") | None => base64::engine::general_purpose::STANDARD
                        .decode(f.content.as_bytes())
                        .map_err(|e| {
                            ApiError::bad_request(format!(
                                "line {n}: {}: invalid base64: {e}",
                                f.path
                            ))
                        })?,
                    Some("utf-8" | "utf8") => f.content.into_owned().into_bytes(),
                    Some(other) => {
                        return Err(ApiError::bad_request(format!(
                            "line {n}: unknown encoding {other:?}"
                        )));
                    }
                };
                self.ops.push(CommitOp::AddRegular {
                    path: repo_path(&f.path)?,
                    content,
                });
            }
            Line::LfsFile(f) => {
                if f.algo.as_deref().is_some_and(|a| a != "sha256") {
                    return Err(ApiError::bad_request(format!(
                        "line {n}: only sha256 LFS oids are supported"
                    )));
                }
                let oid = Sha256::from_hex(&f.oid)
                    .map_err(|e| ApiError::bad_request(format!("line {n}: {e}")))?;
                let path = repo_path(&f.path)?;
                // Copies of LFS files arrive without a size: the hub finds this repo's.
                self.ops.push(match f.size {
                    Some(size) => CommitOp::AddLfs { path, oid, size },
                    None => CommitOp::CopyLfs { path, oid },
                });
            }
            Line::DeletedFile(p) => {
                let path = repo_path(&p.path)?;
                self.ops.push(CommitOp::DeleteFile { path });
            }
            Line::DeletedFolder(p) => {
                let path = repo_path(p.path.trim_end_matches('/'))?;
                self.ops.push(CommitOp::DeleteFolder { path });
            }
        }
        Ok(())
    }

    fn finish(self) -> ApiResult<(Header, Vec<CommitOp>)> {
        let header = self
            .header
            .ok_or_else(|| ApiError::bad_request("the commit payload has no header line"))?;
        Ok((header, self.ops))
    }
}

/// Parses a whole NDJSON commit payload held in memory (the fuzz target's entry point).
pub(crate) fn parse_commit(body: &[u8]) -> ApiResult<(Header, Vec<CommitOp>)> {
    let mut payload = CommitPayload::default();
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        payload.add_line(raw, i + 1)?;
    }
    payload.finish()
}

/// Reads the NDJSON commit payload line by line as it arrives: memory holds one line.
async fn read_commit(lines: &mut Lines) -> ApiResult<(Header, Vec<CommitOp>)> {
    let mut payload = CommitPayload::default();
    while let Some(raw) = lines.next_line().await.map_err(commit_body_error)? {
        payload.add_line(&raw, lines.number)?;
    }
    payload.finish()
}

fn commit_body_error(e: LinesError) -> ApiError {
    match e {
        LinesError::LineTooLong { line, max } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "line {line} of the commit payload is longer than {max} bytes: \
                 large files must go through LFS"
            ),
        ),
        LinesError::TooLarge { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the commit payload is larger than {limit} bytes: \
                 split the upload into several commits, and send large files through LFS"
            ),
        ),
        LinesError::Interrupted => crate::body::interrupted(),
    }
}

pub async fn commit(
    State(state): State<AppState>,
    RepoIn {
        repo,
        writer,
        caller,
        ..
    }: RepoIn<Contribute>,
    Path(Rev { rev }): Path<Rev>,
    RawQuery(q): RawQuery,
    body: Body,
) -> ApiResult<Json<Value>> {
    let author = caller.require()?.account.clone();
    let p = Params::parse(q.as_deref());
    if !writer {
        state
            .hub
            .check_contribution(&repo, &author, &rev, p.flag("create_pr"))
            .await
            .map_err(|e| caller.err(e))?;
    }
    let mut lines = Lines::new(
        body,
        max_commit_line(state.hub.config.max_regular_file_size),
        MAX_COMMIT_BODY,
    );
    let (header, ops) = read_commit(&mut lines).await?;
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
