//! Repository lifecycle and refs: create (with the Hub's initial commit), delete, move, branches,
//! tags, history, and the upload-mode decision of `preupload`.

use std::collections::{BinaryHeap, HashSet};

use commonhold_gitmodel::{
    Commit, DEFAULT_GITATTRIBUTES, EntryMode, GitAttributes, ObjectKind, hash_object,
};
use commonhold_meta::{Account, Repo};
use commonhold_types::{GitOid, MAIN_REF, RefName, RepoName, RepoPath, RepoType};

use crate::lfs::LFS_THRESHOLD;
use crate::revision::valid_ref_component;
use crate::{Hub, HubError, Principal};

/// Whether an upload goes inline in the commit or through LFS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadMode {
    Regular,
    Lfs,
}

/// A file's content looks binary if its sample has a NUL byte or is not UTF-8 (allowing a
/// multi-byte character cut at the end of the sample).
fn looks_binary(sample: &[u8]) -> bool {
    if sample.contains(&0) {
        return true;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => false,
        Err(e) => e.error_len().is_some(),
    }
}

impl Hub {
    /// Creates a repo in `namespace` with the Hub's initial commit (a `.gitattributes` that
    /// routes the usual binary formats to LFS) on `main`.
    pub async fn create_repo(
        &self,
        who: &Principal,
        repo_type: RepoType,
        name: &RepoName,
        private: bool,
    ) -> Result<Repo, HubError> {
        let owner = self.writable_namespace(who, name.namespace()).await?;
        let repo = self
            .meta
            .create_repo(repo_type, name, owner.id, private)
            .await?;
        self.invalidate_hot();
        let initial = self.initial_commit(&who.account).await?;
        let seq = self
            .meta
            .update_ref(repo.id, MAIN_REF, None, Some(initial))
            .await?
            .map_err(|_| HubError::internal("fresh repo already had a main branch"))?;
        self.refresh_summary(&repo, &initial, seq).await?;
        Ok(self.meta.repo_by_id(repo.id).await?.unwrap_or(repo))
    }

    async fn initial_commit(&self, author: &Account) -> Result<GitOid, HubError> {
        let content = DEFAULT_GITATTRIBUTES.as_bytes().to_vec();
        let blob = hash_object(ObjectKind::Blob, &content);
        let mut files = std::collections::BTreeMap::new();
        files.insert(
            RepoPath::new(".gitattributes").map_err(|e| HubError::internal(e.to_string()))?,
            (EntryMode::File, blob),
        );
        let blobs = vec![(blob, ObjectKind::Blob.as_u8(), content)];
        self.store_commit(author, &files, blobs, vec![], "initial commit\n".into())
            .await
    }

    /// Creates `refs/heads/{branch}` at `start` (default: main's head).
    pub async fn create_branch(
        &self,
        repo: &Repo,
        branch: &str,
        start: Option<&str>,
    ) -> Result<GitOid, HubError> {
        if !valid_ref_component(branch) {
            return Err(HubError::BadRequest(format!(
                "{branch:?} is not a valid branch name"
            )));
        }
        let at = self.resolve(repo, start.unwrap_or("main")).await?.commit;
        self.meta
            .update_ref(
                repo.id,
                &RefName::Branch(branch.to_owned()).to_string(),
                None,
                Some(at),
            )
            .await?
            .map_err(|_| HubError::Conflict(format!("branch {branch} already exists")))?;
        Ok(at)
    }

    pub async fn delete_branch(&self, repo: &Repo, branch: &str) -> Result<(), HubError> {
        if branch == "main" {
            return Err(HubError::Forbidden(
                "the default branch main cannot be deleted".into(),
            ));
        }
        self.delete_ref(
            repo,
            &RefName::Branch(branch.to_owned()).to_string(),
            "branch",
            branch,
        )
        .await
    }

    pub async fn create_tag(&self, repo: &Repo, tag: &str, rev: &str) -> Result<GitOid, HubError> {
        if !valid_ref_component(tag) {
            return Err(HubError::BadRequest(format!(
                "{tag:?} is not a valid tag name"
            )));
        }
        let at = self.resolve(repo, rev).await?.commit;
        self.meta
            .update_ref(
                repo.id,
                &RefName::Tag(tag.to_owned()).to_string(),
                None,
                Some(at),
            )
            .await?
            .map_err(|_| HubError::Conflict(format!("tag {tag} already exists")))?;
        Ok(at)
    }

    pub async fn delete_tag(&self, repo: &Repo, tag: &str) -> Result<(), HubError> {
        self.delete_ref(repo, &RefName::Tag(tag.to_owned()).to_string(), "tag", tag)
            .await
    }

    async fn delete_ref(
        &self,
        repo: &Repo,
        full: &str,
        what: &str,
        short: &str,
    ) -> Result<(), HubError> {
        let current =
            self.meta.get_ref(repo.id, full).await?.ok_or_else(|| {
                HubError::RevisionNotFound(format!("{what} {short} does not exist"))
            })?;
        self.meta
            .update_ref(repo.id, full, Some(current), None)
            .await?
            .map_err(|_| {
                HubError::Conflict(format!("{what} {short} changed while deleting it; retry"))
            })?;
        Ok(())
    }

    /// Commits reachable from `start`, newest first, skipping `offset` and returning at most
    /// `limit`. Also returns whether more remain.
    pub async fn history(
        &self,
        start: &GitOid,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<(GitOid, std::sync::Arc<Commit>)>, bool), HubError> {
        let mut heap = BinaryHeap::new();
        let mut seen = HashSet::new();
        let first = self.commit(start).await?;
        heap.push((first.committer.time, *start));
        seen.insert(*start);
        let mut out = Vec::new();
        let mut index = 0;
        while let Some((_, oid)) = heap.pop() {
            let commit = self.commit(&oid).await?;
            if index >= offset {
                if out.len() == limit {
                    return Ok((out, true));
                }
                out.push((oid, commit.clone()));
            }
            index += 1;
            for p in &commit.parents {
                if seen.insert(*p) {
                    let pc = self.commit(p).await?;
                    heap.push((pc.committer.time, *p));
                }
            }
        }
        Ok((out, false))
    }

    /// The `.gitattributes` in force at a commit (none: nothing is forced to LFS by pattern).
    pub async fn gitattributes(&self, commit: &GitOid) -> Result<GitAttributes, HubError> {
        let root = self.root_tree(commit).await?;
        match self.lookup(&root, ".gitattributes").await? {
            Some((mode, oid)) if mode != EntryMode::Dir => {
                let body = self.blob_content(&oid).await?;
                Ok(GitAttributes::parse(&String::from_utf8_lossy(&body)))
            }
            _ => Ok(GitAttributes::parse("")),
        }
    }

    /// The preupload decision for one file, given its first bytes and size: LFS for what
    /// `.gitattributes` tracks, binaries, and files over the regular-file limit (`regular_limit`,
    /// or 10 MiB, whichever is smaller).
    pub fn upload_mode(
        attrs: &GitAttributes,
        path: &RepoPath,
        sample: &[u8],
        size: u64,
        regular_limit: u64,
    ) -> UploadMode {
        let too_big = size >= LFS_THRESHOLD || size > regular_limit;
        if size == 0 {
            UploadMode::Regular
        } else if attrs.is_lfs(path) || too_big || looks_binary(sample) {
            UploadMode::Lfs
        } else {
            UploadMode::Regular
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_sniffing() {
        assert!(!looks_binary(b"hello\n"));
        assert!(looks_binary(b"a\0b"));
        assert!(looks_binary(&[0xff, 0xfe, 0x41]));
        // A character cut at the end of the 512-byte sample is still text.
        assert!(!looks_binary(&"é".as_bytes()[..1]));
    }

    #[test]
    fn upload_modes() {
        let attrs = GitAttributes::parse("*.bin filter=lfs diff=lfs merge=lfs -text\n");
        let p = |s: &str| RepoPath::new(s).unwrap();
        assert_eq!(
            Hub::upload_mode(&attrs, &p("a.bin"), b"text", 4, u64::MAX),
            UploadMode::Lfs
        );
        assert_eq!(
            Hub::upload_mode(&attrs, &p("a.bin"), b"", 0, u64::MAX),
            UploadMode::Regular
        );
        assert_eq!(
            Hub::upload_mode(&attrs, &p("a.txt"), b"text", 4, u64::MAX),
            UploadMode::Regular
        );
        assert_eq!(
            Hub::upload_mode(&attrs, &p("a.txt"), b"text", LFS_THRESHOLD, u64::MAX),
            UploadMode::Lfs
        );
        assert_eq!(
            Hub::upload_mode(&attrs, &p("a.dat"), b"\0\0", 2, u64::MAX),
            UploadMode::Lfs
        );
        // A text file over a configured regular-file limit goes to LFS, at the limit it stays.
        assert_eq!(
            Hub::upload_mode(&attrs, &p("a.txt"), b"text", 5, 4),
            UploadMode::Lfs
        );
        assert_eq!(
            Hub::upload_mode(&attrs, &p("a.txt"), b"text", 4, 4),
            UploadMode::Regular
        );
    }
}
