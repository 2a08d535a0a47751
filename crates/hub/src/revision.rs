//! Turning a revision string (branch, tag, `refs/pr/N`, full ref or commit id) into a commit.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use commonhold_meta::Repo;
use commonhold_types::{GitOid, RefName};

use crate::{Hub, HubError};

/// How far back a commit id is searched for in a repo's history before giving up.
const MAX_HISTORY_WALK: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub commit: GitOid,
    /// The commit's root tree, which nearly every caller walks next.
    pub tree: GitOid,
    /// The full ref the revision named (`refs/heads/main`), or `None` for a commit id.
    pub ref_name: Option<String>,
}

/// Full ref names a revision may stand for, in the order the Hub tries them.
pub fn candidate_refs(rev: &str) -> Vec<String> {
    if rev.starts_with("refs/") {
        return vec![rev.to_string()];
    }
    vec![
        RefName::Branch(rev.to_owned()).to_string(),
        RefName::Tag(rev.to_owned()).to_string(),
    ]
}

/// Whether a branch or tag name is acceptable (git's check-ref-format, simplified and strict).
pub fn valid_ref_component(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && !name.starts_with("refs/")
        && !name
            .chars()
            .any(|c| c.is_control() || " ~^:?*[\\".contains(c))
}

impl Hub {
    pub async fn resolve(&self, repo: &Repo, rev: &str) -> Result<Resolved, HubError> {
        for name in candidate_refs(rev) {
            if let Some(commit) = self.meta.get_ref(repo.id, &name).await? {
                return self.resolved(commit, Some(name)).await;
            }
        }
        if GitOid::from_hex(rev).is_err() {
            return Err(HubError::RevisionNotFound(rev.to_string()));
        }
        self.resolve_commit_id(repo, rev, &self.meta.list_refs(repo.id).await?)
            .await
    }

    /// Like [`Hub::resolve`], for downloads: from the repo's refs as read within the last
    /// second (`MetaStore::recent_refs`), so that the many downloads of a `snapshot_download`
    /// cost no ref query each. A ref moved through this process is seen at once, one moved
    /// through another process within a second.
    pub async fn resolve_for_download(&self, repo: &Repo, rev: &str) -> Result<Resolved, HubError> {
        let refs = self.meta.recent_refs(repo.id).await?;
        // As `candidate_refs` orders them, without building the names.
        let named = |n: &str| {
            if rev.starts_with("refs/") {
                n == rev
            } else {
                RefName::names_branch(n, rev)
            }
        };
        let found = refs.iter().find(|(n, _)| named(n)).or_else(|| {
            refs.iter()
                .find(|(n, _)| !rev.starts_with("refs/") && RefName::names_tag(n, rev))
        });
        if let Some((name, commit)) = found {
            return self.resolved(*commit, Some(name.clone())).await;
        }
        self.resolve_commit_id(repo, rev, &refs).await
    }

    async fn resolved(
        &self,
        commit: GitOid,
        ref_name: Option<String>,
    ) -> Result<Resolved, HubError> {
        let tree = self.root_tree(&commit).await?;
        Ok(Resolved {
            commit,
            tree,
            ref_name,
        })
    }

    /// `rev` as a commit id reachable from `refs` (the repo's refs), or not found.
    async fn resolve_commit_id(
        &self,
        repo: &Repo,
        rev: &str,
        refs: &[(String, GitOid)],
    ) -> Result<Resolved, HubError> {
        if let Ok(oid) = GitOid::from_hex(rev)
            && self.commit_reachable(repo, &oid, refs).await?
        {
            return self.resolved(oid, None).await;
        }
        Err(HubError::RevisionNotFound(rev.to_string()))
    }

    /// Whether `oid` is a commit reachable from one of the repo's refs. Objects are shared
    /// between repos, so without this check a commit id from someone else's private repo
    /// would open its files to anyone.
    pub async fn commit_in_repo(&self, repo: &Repo, oid: &GitOid) -> Result<bool, HubError> {
        let refs = self.meta.list_refs(repo.id).await?;
        self.commit_reachable(repo, oid, &refs).await
    }

    /// [`Hub::commit_in_repo`] against `refs`, the repo's refs as the caller read them.
    ///
    /// A walk of the history answers once per (repo, commit, state of the repo's refs): the
    /// answer is kept under a digest of the refs, so it is reused while no ref moves (every
    /// file of a `snapshot_download` at a commit id) and never outlives a ref that moved or
    /// was deleted, in any process.
    async fn commit_reachable(
        &self,
        repo: &Repo,
        oid: &GitOid,
        refs: &[(String, GitOid)],
    ) -> Result<bool, HubError> {
        if self.try_commit(oid).await?.is_none() {
            return Ok(false);
        }
        if refs.iter().any(|(_, head)| head == oid) {
            return Ok(true);
        }
        let key = (repo.id, *oid, refs_digest(refs));
        if let Some(known) = self.reach.get(&key) {
            return Ok(known);
        }
        let found = self.walk_to(refs.iter().map(|(_, c)| *c), oid).await?;
        self.reach.put(key, found);
        Ok(found)
    }

    /// How many history walks commit-id lookups have made in this process.
    pub fn history_walks(&self) -> u64 {
        self.reach.walks.load(Ordering::Relaxed)
    }

    /// Walks history back from `heads` looking for `oid` (at most [`MAX_HISTORY_WALK`] commits).
    async fn walk_to(
        &self,
        heads: impl Iterator<Item = GitOid>,
        oid: &GitOid,
    ) -> Result<bool, HubError> {
        self.reach.walks.fetch_add(1, Ordering::Relaxed);
        let mut queue: VecDeque<GitOid> = heads.collect();
        let mut seen = HashSet::new();
        while let Some(c) = queue.pop_front() {
            if c == *oid {
                return Ok(true);
            }
            if !seen.insert(c) || seen.len() > MAX_HISTORY_WALK {
                continue;
            }
            if let Some(commit) = self.try_commit(&c).await? {
                queue.extend(commit.parents.iter().copied());
            }
        }
        Ok(false)
    }
}

/// A digest of a repo's refs (names and targets): equal digests, equal refs.
fn refs_digest(refs: &[(String, GitOid)]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for (name, oid) in refs {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update(oid.0);
    }
    h.finalize().into()
}

/// (repo id, commit, digest of the repo's refs).
type ReachKey = (i64, GitOid, [u8; 32]);

/// Answers of [`Hub::commit_in_repo`] by [`ReachKey`]. Emptied when full.
#[derive(Default)]
pub(crate) struct ReachCache {
    map: Mutex<HashMap<ReachKey, bool>>,
    /// History walks made (tests check that repeated lookups make none).
    pub(crate) walks: AtomicU64,
}

const REACH_ENTRIES: usize = 100_000;

impl ReachCache {
    fn get(&self, key: &ReachKey) -> Option<bool> {
        self.map.lock().ok()?.get(key).copied()
    }

    fn put(&self, key: ReachKey, value: bool) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= REACH_ENTRIES {
                map.clear();
            }
            map.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        assert_eq!(
            candidate_refs("main"),
            ["refs/heads/main", "refs/tags/main"]
        );
        assert_eq!(candidate_refs("refs/pr/1"), ["refs/pr/1"]);
        for ok in ["main", "v1.0", "feature/x", "dev_2"] {
            assert!(valid_ref_component(ok), "{ok}");
        }
        for bad in [
            "",
            "-x",
            "a..b",
            "a b",
            "x.lock",
            "a:b",
            "refs/heads/x",
            "/a",
            "a/",
            "a\0",
        ] {
            assert!(!valid_ref_component(bad), "{bad:?}");
        }
    }
}
