//! Hubs on a temporary SQLite database, and small helpers to commit to them.

use std::sync::Arc;

use commonhold_hub::{CommitOp, CommitRequest, Hub, HubConfig, Principal};
use commonhold_meta::{MetaStore, Repo};
use commonhold_types::{GitOid, RepoName, RepoPath, RepoType, Role};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub hub: Hub,
    /// The hub's metadata store, to set up and inspect what the hub's operations do not show.
    pub meta: MetaStore,
    pub who: Principal,
}

/// A hub on a fresh SQLite database.
pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let meta = store(&dir).await;
    let hub = open(&dir).await;
    let account = meta.create_user("u", false).await.unwrap();
    let who = Principal {
        account,
        token: None,
        token_name: "t".into(),
        role: Role::Write,
        orgs: Vec::new(),
    };
    Fixture {
        dir,
        hub,
        meta,
        who,
    }
}

/// The metadata store of the hubs on `dir`.
pub async fn store(dir: &tempfile::TempDir) -> MetaStore {
    MetaStore::open(&format!("sqlite://{}/meta.db", dir.path().display()))
        .await
        .unwrap()
}

/// Another hub on the same database and blob directory, as a second server process has.
pub async fn open(dir: &tempfile::TempDir) -> Hub {
    let meta = store(dir).await;
    let blobs = commonhold_blob::LocalBlobStore::open(dir.path().join("blobs"))
        .await
        .unwrap();
    Hub::new(
        meta,
        Arc::new(blobs),
        HubConfig::default(),
        Some(vec![7; 32]),
    )
    .await
    .unwrap()
}

impl Fixture {
    pub async fn repo(&self, name: &str) -> Repo {
        let name = RepoName::new("u", name).unwrap();
        self.hub
            .create_repo(&self.who, RepoType::Model, &name, false)
            .await
            .unwrap()
    }

    /// Commits regular files to `revision`; returns the new commit.
    pub async fn commit(&self, repo: &Repo, revision: &str, files: &[(&str, &[u8])]) -> GitOid {
        commit_with(&self.hub, &self.who, repo, revision, files).await
    }

    /// The repo as stored now.
    pub async fn reload(&self, repo: &Repo) -> Repo {
        self.meta.repo_by_id(repo.id).await.unwrap().unwrap()
    }
}

pub async fn commit_with(
    hub: &Hub,
    who: &Principal,
    repo: &Repo,
    revision: &str,
    files: &[(&str, &[u8])],
) -> GitOid {
    let req = CommitRequest {
        revision: revision.into(),
        summary: "files".into(),
        description: String::new(),
        parent_commit: None,
        create_pr: false,
        ops: files
            .iter()
            .map(|(p, c)| CommitOp::AddRegular {
                path: RepoPath::new(p).unwrap(),
                content: c.to_vec(),
            })
            .collect(),
    };
    hub.create_commit(repo, &who.account, req)
        .await
        .unwrap()
        .commit
}
