//! Turning a revision string (branch, tag, `refs/pr/N`, full ref or commit id) into a commit.

use std::collections::{HashSet, VecDeque};

use commonhold_meta::Repo;
use commonhold_types::GitOid;

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
    vec![format!("refs/heads/{rev}"), format!("refs/tags/{rev}")]
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
                let tree = self.root_tree(&commit).await?;
                return Ok(Resolved {
                    commit,
                    tree,
                    ref_name: Some(name),
                });
            }
        }
        if let Ok(oid) = GitOid::from_hex(rev)
            && self.commit_in_repo(repo, &oid).await?
        {
            let tree = self.root_tree(&oid).await?;
            return Ok(Resolved {
                commit: oid,
                tree,
                ref_name: None,
            });
        }
        Err(HubError::RevisionNotFound(rev.to_string()))
    }

    /// Whether `oid` is a commit reachable from one of the repo's refs. Objects are shared
    /// between repos, so without this check a commit id from someone else's private repo
    /// would open its files to anyone.
    pub async fn commit_in_repo(&self, repo: &Repo, oid: &GitOid) -> Result<bool, HubError> {
        if self.try_commit(oid).await?.is_none() {
            return Ok(false);
        }
        let mut queue: VecDeque<GitOid> = self
            .meta
            .list_refs(repo.id)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
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
