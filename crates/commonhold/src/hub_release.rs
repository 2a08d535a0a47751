//! `commonhold assess --hub URL ns/name[@rev]`: a release read through the Hub API of commonhold
//! or any Hub-compatible server, never downloaded whole.
//!
//! The revision is resolved to a commit once (`/api/{kind}/{repo}/revision/{rev}`), the file
//! list comes from the recursive tree listing (following `Link: rel="next"` pages, only on the
//! same origin so the token never travels elsewhere), `paths-info` fills in entries a server
//! lists without a size, and every read is one ranged GET of `/resolve/{commit}/{path}` capped
//! at what the assessor asked for: a weight file costs its header, not its gigabytes. The
//! assessor itself (`commonhold_assess`) stays free of IO; this is the binary's edge.

use std::io;
use std::time::Duration;

use anyhow::{Context as _, bail};
use commonhold_assess::dir_release::DIR_FILES_MAX;
use commonhold_assess::{Assessment, Release, ReleaseFile};
use commonhold_types::RepoType;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{AUTHORIZATION, CONTENT_RANGE, LINK, RANGE};
use reqwest::{Client, Response, StatusCode, Url};
use serde_json::Value;

/// What is left unencoded in a path segment or query value: RFC 3986 unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Largest JSON answer accepted (a tree page, paths-info, an assessment).
const JSON_MAX: usize = 64 << 20;
/// Most tree pages followed.
const PAGES_MAX: usize = 100_000;
/// Paths per paths-info request.
const PATHS_INFO_BATCH: usize = 500;
/// Longest path accepted from a listing.
const PATH_MAX: usize = 4096;

/// A release at one commit of a repository on a remote hub.
pub struct HubRelease {
    runtime: tokio::runtime::Runtime,
    client: Client,
    /// The endpoint, without a trailing slash.
    base: Url,
    kind: RepoType,
    repo: String,
    token: Option<String>,
    commit: String,
    /// Sorted by path.
    files: Vec<ReleaseFile>,
}

/// `ns/name[@rev]`, split; the revision defaults to `main`.
pub fn parse_spec(spec: &str) -> anyhow::Result<(String, String)> {
    let (repo, rev) = match spec.split_once('@') {
        Some((r, v)) => (r, v),
        None => (spec, "main"),
    };
    if repo.parse::<commonhold_types::RepoName>().is_err() || rev.is_empty() {
        bail!("{spec:?} is not a repository: use namespace/name or namespace/name@revision");
    }
    Ok((repo.to_owned(), rev.to_owned()))
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn enc_path(path: &str) -> String {
    path.split('/').map(enc).collect::<Vec<_>>().join("/")
}

/// The `next` URL of a `Link` header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().eq_ignore_ascii_case("rel=\"next\"") || p.trim() == "rel=next")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A path from a listing that is safe to ask for and to cite.
fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= PATH_MAX
        && !path.starts_with('/')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// Reads at most `max` bytes of a body, skipping its first `skip` (for a server that ignores
/// ranges); stops reading as soon as it has enough, so a whole weight file never crosses.
async fn body_prefix(mut resp: Response, skip: u64, max: usize) -> reqwest::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut skip = skip;
    while out.len() < max {
        let Some(chunk) = resp.chunk().await? else {
            break;
        };
        let mut chunk = &chunk[..];
        if skip > 0 {
            let drop = usize::try_from(skip).unwrap_or(usize::MAX).min(chunk.len());
            chunk = &chunk[drop..];
            skip -= drop as u64;
        }
        let room = max - out.len();
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(out)
}

/// The server's own message from an error answer, shortened.
async fn error_text(resp: Response) -> String {
    let status = resp.status();
    let body = body_prefix(resp, 0, 2048).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(300).collect());
    format!("{status}: {}", message.trim())
}

impl HubRelease {
    /// Resolves `rev` of `repo` on the hub at `endpoint` and lists its files.
    pub fn open(
        endpoint: &str,
        repo: &str,
        rev: &str,
        kind: RepoType,
        token: Option<String>,
    ) -> anyhow::Result<HubRelease> {
        let mut base = Url::parse(endpoint.trim_end_matches('/')).with_context(|| {
            format!("--hub {endpoint:?} is not a URL (e.g. http://127.0.0.1:8080)")
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            bail!("--hub {endpoint:?} must be an http:// or https:// URL");
        }
        base.set_query(None);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the HTTP runtime")?;
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("commonhold/", env!("CARGO_PKG_VERSION"), " assess"))
            .build()
            .context("cannot build the HTTP client")?;
        let mut release = HubRelease {
            runtime,
            client,
            base,
            kind,
            repo: repo.to_owned(),
            token,
            commit: String::new(),
            files: Vec::new(),
        };
        release.commit = release.resolve(rev)?;
        release.files = release.list()?;
        Ok(release)
    }

    fn api_url(&self, tail: &str) -> String {
        format!(
            "{}/api/{}/{}/{tail}",
            self.base.as_str().trim_end_matches('/'),
            self.kind.plural(),
            self.repo
        )
    }

    fn get(&self, url: &str) -> reqwest::RequestBuilder {
        let req = self.client.get(url);
        match &self.token {
            Some(t) => req.header(AUTHORIZATION, format!("Bearer {t}")),
            None => req,
        }
    }

    async fn json(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> anyhow::Result<(Value, Option<String>)> {
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach {} for {what}", self.base))?;
        if !resp.status().is_success() {
            let why = error_text(resp).await;
            bail!("{what} of {} on {}: {why}", self.repo, self.base);
        }
        let link = resp
            .headers()
            .get(LINK)
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        let body = body_prefix(resp, 0, JSON_MAX + 1).await?;
        if body.len() > JSON_MAX {
            bail!("{what} of {} is larger than {JSON_MAX} bytes", self.repo);
        }
        let value = serde_json::from_slice(&body)
            .with_context(|| format!("{what} of {} is not JSON", self.repo))?;
        Ok((value, link))
    }

    /// The commit `rev` names.
    fn resolve(&self, rev: &str) -> anyhow::Result<String> {
        let url = self.api_url(&format!("revision/{}", enc(rev)));
        let (info, _) = self
            .runtime
            .block_on(self.json(self.get(&url), "the revision"))?;
        let sha = info.get("sha").and_then(Value::as_str).unwrap_or_default();
        if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("the hub did not name a commit for {}@{rev}", self.repo);
        }
        Ok(sha.to_ascii_lowercase())
    }

    /// Every file at the commit, with sizes (LFS files: the object's size).
    fn list(&self) -> anyhow::Result<Vec<ReleaseFile>> {
        self.runtime.block_on(async {
            let mut files = Vec::new();
            let mut without_size = Vec::new();
            let mut url = self.api_url(&format!("tree/{}?recursive=true", self.commit));
            for _ in 0..PAGES_MAX {
                let (page, next) = self.json(self.get(&url), "the file listing").await?;
                let Some(entries) = page.as_array() else {
                    bail!("the file listing of {} is not a JSON array", self.repo);
                };
                for e in entries {
                    if e.get("type").and_then(Value::as_str) != Some("file") {
                        continue;
                    }
                    let Some(path) = e.get("path").and_then(Value::as_str).filter(|p| valid_path(p))
                    else {
                        continue;
                    };
                    let size = e
                        .pointer("/lfs/size")
                        .and_then(Value::as_u64)
                        .or_else(|| e.get("size").and_then(Value::as_u64));
                    match size {
                        Some(size) => files.push(ReleaseFile {
                            path: path.to_owned(),
                            size,
                        }),
                        None => without_size.push(path.to_owned()),
                    }
                    if files.len() + without_size.len() > DIR_FILES_MAX {
                        bail!("{} lists more than {DIR_FILES_MAX} files", self.repo);
                    }
                }
                let Some(next) = next else {
                    files.extend(self.paths_info(&without_size).await?);
                    files.sort_by(|a, b| a.path.cmp(&b.path));
                    files.dedup_by(|a, b| a.path == b.path);
                    return Ok(files);
                };
                let next_url = Url::parse(&next)
                    .or_else(|_| self.base.join(&next))
                    .context("the listing's next page is not a URL")?;
                if !same_origin(&next_url, &self.base) {
                    bail!("the listing's next page {next_url} is on another server; refusing to send the token there");
                }
                url = next_url.to_string();
            }
            bail!("the file listing of {} has more than {PAGES_MAX} pages", self.repo)
        })
    }

    /// Sizes of files a listing gave without one.
    async fn paths_info(&self, paths: &[String]) -> anyhow::Result<Vec<ReleaseFile>> {
        let mut out = Vec::new();
        for batch in paths.chunks(PATHS_INFO_BATCH) {
            let form: String = batch
                .iter()
                .map(|p| format!("paths={}", enc(p)))
                .collect::<Vec<_>>()
                .join("&");
            let url = self.api_url(&format!("paths-info/{}", self.commit));
            let mut req = self
                .client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form);
            if let Some(t) = &self.token {
                req = req.header(AUTHORIZATION, format!("Bearer {t}"));
            }
            let (entries, _) = self.json(req, "paths-info").await?;
            for e in entries.as_array().into_iter().flatten() {
                let path = e.get("path").and_then(Value::as_str).unwrap_or_default();
                let size = e
                    .pointer("/lfs/size")
                    .and_then(Value::as_u64)
                    .or_else(|| e.get("size").and_then(Value::as_u64));
                if let Some(size) = size
                    && batch.iter().any(|p| p == path)
                {
                    out.push(ReleaseFile {
                        path: path.to_owned(),
                        size,
                    });
                }
            }
        }
        Ok(out)
    }

    fn resolve_url(&self, path: &str) -> String {
        let prefix = match self.kind {
            RepoType::Model => String::new(),
            other => format!("/{}", other.plural()),
        };
        format!(
            "{}{prefix}/{}/resolve/{}/{}",
            self.base.as_str().trim_end_matches('/'),
            self.repo,
            self.commit,
            enc_path(path)
        )
    }

    /// The stored assessment of a public base model on the same hub (`None` when it has none,
    /// as a hub that does not assess never has): a hub-held base wins over the knowledge file,
    /// as on the hub itself. Asked without the token, so only what the hub shows everyone
    /// counts, again as on the hub.
    pub fn base_assessment(&self, base_model: &str) -> Option<Assessment> {
        let (repo, _) = parse_spec(base_model).ok()?;
        let url = format!(
            "{}/api/models/{repo}/openness",
            self.base.as_str().trim_end_matches('/')
        );
        self.runtime.block_on(async {
            let resp = self.client.get(&url).send().await.ok()?;
            if resp.status() != StatusCode::OK {
                return None;
            }
            let body = body_prefix(resp, 0, JSON_MAX).await.ok()?;
            serde_json::from_slice(&body).ok()
        })
    }
}

impl Release for HubRelease {
    fn files(&self) -> &[ReleaseFile] {
        &self.files
    }

    fn read(&self, path: &str, offset: u64, max_len: usize) -> io::Result<Vec<u8>> {
        let Ok(i) = self.files.binary_search_by(|f| f.path.as_str().cmp(path)) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{path} is not a file of this release"),
            ));
        };
        let size = self.files.get(i).map_or(0, |f| f.size);
        if max_len == 0 || offset >= size {
            return Ok(Vec::new());
        }
        let last = offset
            .saturating_add(max_len as u64)
            .min(size)
            .saturating_sub(1);
        let url = self.resolve_url(path);
        self.runtime.block_on(async {
            let resp = self
                .get(&url)
                .header(RANGE, format!("bytes={offset}-{last}"))
                .send()
                .await
                .map_err(io::Error::other)?;
            let status = resp.status();
            if status == StatusCode::RANGE_NOT_SATISFIABLE {
                return Ok(Vec::new());
            }
            if !status.is_success() {
                return Err(io::Error::other(format!(
                    "GET {path}: {}",
                    error_text(resp).await
                )));
            }
            // A 206 starts at `offset`; a server that ignored the range sends the whole file,
            // of which the prefix is skipped and the rest never read.
            let partial = status == StatusCode::PARTIAL_CONTENT
                && resp
                    .headers()
                    .get(CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with(&format!("bytes {offset}-")));
            let skip = if partial { 0 } else { offset };
            body_prefix(resp, skip, max_len)
                .await
                .map_err(io::Error::other)
        })
    }

    fn root(&self) -> &str {
        &self.commit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(
            parse_spec("alice/m").unwrap(),
            ("alice/m".to_owned(), "main".to_owned())
        );
        assert_eq!(
            parse_spec("alice/m@refs/pr/1").unwrap(),
            ("alice/m".to_owned(), "refs/pr/1".to_owned())
        );
        for bad in ["alice", "a/b/c", "/m", "a/m@", "a/m m", "../x"] {
            assert!(parse_spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_and_paths() {
        assert_eq!(
            next_link("<http://h/api/x?cursor=2>; rel=\"next\"").as_deref(),
            Some("http://h/api/x?cursor=2")
        );
        assert_eq!(next_link("<http://h/a>; rel=\"prev\""), None);
        assert!(valid_path("a/b.safetensors"));
        for bad in ["", "/etc/passwd", "a/../b", "a//b", "a/\u{7}"] {
            assert!(!valid_path(bad), "{bad:?}");
        }
        assert_eq!(enc_path("dir/a b#.txt"), "dir/a%20b%23.txt");
        assert_eq!(enc("refs/pr/1"), "refs%2Fpr%2F1");
        let a = Url::parse("http://127.0.0.1:8080/x").unwrap();
        assert!(same_origin(
            &a,
            &Url::parse("http://127.0.0.1:8080/y").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("http://evil.example:8080/y").unwrap()
        ));
    }
}
