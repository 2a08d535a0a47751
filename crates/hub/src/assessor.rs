//! Background assessment of every commit, driven by the durable commit log.
//!
//! The worker reads the log from its saved cursor, assesses each new ref target that has no
//! assessment yet, stores it, and only then advances the cursor; after a crash it resumes from the
//! last saved position and redoes at most one batch (assessments are idempotent). The commit
//! response never waits for it. Several servers may run workers at once: they only duplicate work.

use std::sync::Arc;
use std::time::Duration;

use commonhold_assess::{AssessOptions, Assessment, Release, ReleaseFile};
use commonhold_blob::BlobKey;
use commonhold_gitmodel::EntryMode;
use commonhold_meta::Repo;
use commonhold_types::{GitOid, MAIN_REF, RepoName, RepoType};
use futures::StreamExt;
use serde_json::json;

use crate::{Hub, HubError, format_time_ms, now_ms};

pub(crate) const CONSUMER: &str = "assessor";
const BATCH: u64 = 50;

/// Where a file's bytes are.
#[derive(Clone)]
enum Content {
    /// A regular git blob, or an LFS pointer whose object this hub does not hold: read as the
    /// pointer text it is (definition P5).
    Blob(GitOid),
    /// An LFS object in the blob store.
    Lfs(commonhold_types::Sha256, u64),
    /// An LFS object uploaded through Xet, stored as xorbs.
    Xet(Arc<crate::XetFile>),
}

/// A commit of a repo, seen through the assessor's `Release` trait. Reads block on the async
/// stores, so assessments run on a blocking thread.
struct CommitRelease {
    hub: Hub,
    handle: tokio::runtime::Handle,
    root: String,
    files: Vec<ReleaseFile>,
    index: std::collections::HashMap<String, Content>,
}

impl Release for CommitRelease {
    fn files(&self) -> &[ReleaseFile] {
        &self.files
    }

    fn read(&self, path: &str, offset: u64, max_len: usize) -> std::io::Result<Vec<u8>> {
        let content = self
            .index
            .get(path)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, path.to_string()))?
            .clone();
        let hub = self.hub.clone();
        self.handle.block_on(async move {
            let (size, stream) = match content {
                Content::Blob(oid) => {
                    let body = hub
                        .blob_content(&oid)
                        .await
                        .map_err(std::io::Error::other)?;
                    let start = usize::try_from(offset)
                        .unwrap_or(usize::MAX)
                        .min(body.len());
                    let end = start.saturating_add(max_len).min(body.len());
                    return Ok(body.get(start..end).unwrap_or_default().to_vec());
                }
                Content::Lfs(sha, size) => (size, Err(sha)),
                Content::Xet(file) => (file.size(), Ok(file)),
            };
            let start = offset.min(size);
            let end = start.saturating_add(max_len as u64).min(size);
            if start == end {
                return Ok(Vec::new());
            }
            let mut stream = match stream {
                Ok(file) => hub
                    .xet_file_stream_internal(&file, start..end)
                    .await
                    .map_err(std::io::Error::other)?,
                Err(sha) => hub
                    .blobs
                    .read(&BlobKey::Lfs(sha), Some(start..end))
                    .await
                    .map_err(std::io::Error::other)?,
            };
            let mut out = Vec::with_capacity(usize::try_from(end - start).unwrap_or(0));
            while let Some(chunk) = stream.next().await {
                out.extend_from_slice(&chunk?);
            }
            Ok(out)
        })
    }

    fn root(&self) -> &str {
        &self.root
    }
}

/// The compact summary repo info carries.
pub fn openness_summary(a: &Assessment) -> serde_json::Value {
    json!({
        "tier": a.tier.as_str(),
        "mofClass": a.mof.class,
        "osaid": if a.osaid.pass { "pass" } else { "fail" },
        "findings": a.findings.len(),
        "commit": a.root,
    })
}

impl Hub {
    /// Assesses `commit` of `repo` (blocking work on a blocking thread) and stores the result.
    pub async fn assess_commit(
        &self,
        repo: &Repo,
        commit: &GitOid,
    ) -> Result<Assessment, HubError> {
        let root = self.root_tree(commit).await?;
        let flat = self.flat_files(&root).await?;
        let mut files = Vec::with_capacity(flat.len());
        let mut index = std::collections::HashMap::with_capacity(flat.len());
        for (path, (mode, oid)) in &flat {
            if *mode == EntryMode::Submodule {
                continue;
            }
            let info = self.blob_info(oid).await?;
            let content = match &info.lfs {
                None => Content::Blob(*oid),
                Some(p) => match self.xet_file(repo.id, &p.oid).await? {
                    Some(file) => Content::Xet(file),
                    None => match self.blobs.stat(&BlobKey::Lfs(p.oid)).await? {
                        Some(size) => Content::Lfs(p.oid, size),
                        None => Content::Blob(*oid),
                    },
                },
            };
            let size = match &content {
                Content::Blob(_) => info.size,
                Content::Lfs(_, size) => *size,
                Content::Xet(file) => file.size(),
            };
            files.push(ReleaseFile {
                path: path.as_str().to_string(),
                size,
            });
            index.insert(path.as_str().to_string(), content);
        }
        let release = CommitRelease {
            hub: self.clone(),
            handle: tokio::runtime::Handle::current(),
            root: commit.to_hex(),
            files,
            index,
        };
        let repo_type = repo.repo_type;
        let hub = self.clone();
        let knowledge = self.knowledge();
        let hub_url = self.config.public_url.clone();
        let assessment = tokio::task::spawn_blocking(move || {
            let handle = release.handle.clone();
            let base = |name: &str| -> Option<Assessment> {
                let name: RepoName = name.parse().ok()?;
                handle.block_on(hub.latest_public_assessment(&name))
            };
            let opts = AssessOptions {
                repo_type: Some(repo_type),
                base_models: &base,
                base_models_url: &hub_url,
                now: Some(format_time_ms(now_ms())),
                knowledge: &knowledge,
                ..AssessOptions::default()
            };
            commonhold_assess::assess(&release, &opts)
        })
        .await
        .map_err(|e| HubError::internal(format!("assessment task failed: {e}")))?;
        let text =
            serde_json::to_string(&assessment).map_err(|e| HubError::internal(e.to_string()))?;
        self.meta.put_assessment(repo.id, commit, &text).await?;
        Ok(assessment)
    }

    /// The stored assessment of a public model's `main`, for base-model inheritance.
    async fn latest_public_assessment(&self, name: &RepoName) -> Option<Assessment> {
        let repo = self.meta.repo_by_name(RepoType::Model, name).await.ok()??;
        if repo.private {
            return None;
        }
        let head = self.meta.get_ref(repo.id, MAIN_REF).await.ok()??;
        let text = self.meta.get_assessment(repo.id, &head).await.ok()??;
        serde_json::from_str(&text).ok()
    }

    /// The stored assessment of a commit, if it has been made.
    pub async fn assessment(
        &self,
        repo: &Repo,
        commit: &GitOid,
    ) -> Result<Option<serde_json::Value>, HubError> {
        match self.meta.get_assessment(repo.id, commit).await? {
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| HubError::internal(e.to_string())),
            None => Ok(None),
        }
    }

    /// Processes one batch of the commit log; returns how many entries it consumed.
    pub async fn assess_pending(&self) -> Result<usize, HubError> {
        let cursor = self.meta.cursor(CONSUMER).await?;
        let entries = self.meta.log_since(cursor, BATCH).await?;
        for entry in &entries {
            if let (Some(new), Some(repo)) = (entry.new, self.meta.repo_by_id(entry.repo_id).await?)
            {
                let done = self.meta.get_assessment(repo.id, &new).await?.is_some();
                let assessment = if done {
                    None
                } else {
                    Some(self.assess_commit(&repo, &new).await?)
                };
                if entry.ref_name == MAIN_REF {
                    let a = match assessment {
                        Some(a) => Some(a),
                        None => self
                            .assessment(&repo, &new)
                            .await?
                            .and_then(|v| serde_json::from_value(v).ok()),
                    };
                    // Stored only while `new` is still the summary's head: a commit landing
                    // meanwhile is neither undone nor given this commit's openness.
                    if let Some(a) = a {
                        self.meta
                            .set_repo_openness(repo.id, &new, &openness_summary(&a))
                            .await?;
                    }
                }
            }
            self.meta.set_cursor(CONSUMER, entry.seq).await?;
        }
        Ok(entries.len())
    }

    /// Runs the assessor until the process ends, polling the log when idle.
    pub fn spawn_assessor(&self) -> tokio::task::JoinHandle<()> {
        let hub = Arc::new(self.clone());
        tokio::spawn(async move {
            loop {
                match hub.assess_pending().await {
                    Ok(0) => tokio::time::sleep(Duration::from_millis(300)).await,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "assessment worker failed; retrying");
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
            }
        })
    }
}
