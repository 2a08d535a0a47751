//! Walking the tree of a commit: path lookup, listings, and the flat file map commits start from.

use std::collections::BTreeMap;

use commonhold_gitmodel::{EntryMode, LfsPointer};
use commonhold_types::{GitOid, RepoPath};

use crate::{Hub, HubError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
}

/// One entry of a listing, in the shape the tree and paths-info endpoints need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeItem {
    pub path: String,
    pub kind: EntryKind,
    /// Git blob or tree id.
    pub oid: GitOid,
    /// File size as users see it (the LFS object's size for LFS files); 0 for directories.
    pub size: u64,
    pub lfs: Option<LfsPointer>,
    /// Size of the git blob (the pointer, for LFS files).
    pub blob_size: u64,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

impl Hub {
    /// Root tree of a commit.
    pub async fn root_tree(&self, commit: &GitOid) -> Result<GitOid, HubError> {
        Ok(self.commit(commit).await?.tree)
    }

    /// Finds `path` (empty = the root) under `root`: its mode and id, or `None`.
    pub async fn lookup(
        &self,
        root: &GitOid,
        path: &str,
    ) -> Result<Option<(EntryMode, GitOid)>, HubError> {
        let mut current = (EntryMode::Dir, *root);
        if path.is_empty() {
            return Ok(Some(current));
        }
        for component in path.split('/') {
            if current.0 != EntryMode::Dir {
                return Ok(None);
            }
            let tree = self.tree(&current.1).await?;
            match tree.entries.iter().find(|e| e.name == component) {
                Some(e) => current = (e.mode, e.oid),
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    }

    /// A listing item for an entry found at `path`.
    pub async fn item(
        &self,
        path: String,
        mode: EntryMode,
        oid: GitOid,
    ) -> Result<TreeItem, HubError> {
        if mode == EntryMode::Dir {
            return Ok(TreeItem {
                path,
                kind: EntryKind::Directory,
                oid,
                size: 0,
                lfs: None,
                blob_size: 0,
            });
        }
        let info = self.blob_info(&oid).await?;
        Ok(TreeItem {
            path,
            kind: EntryKind::File,
            oid,
            size: info.file_size(),
            lfs: info.lfs,
            blob_size: info.size,
        })
    }

    /// Lists the directory `path` under `root`, one level or recursively (directories before
    /// their contents). `Ok(None)` when the path is missing or not a directory.
    pub async fn list(
        &self,
        root: &GitOid,
        path: &str,
        recursive: bool,
    ) -> Result<Option<Vec<TreeItem>>, HubError> {
        Ok(self
            .list_page(root, path, recursive, 0, usize::MAX)
            .await?
            .map(|(items, _)| items))
    }

    /// Entries `offset..offset + limit` of [`Hub::list`], and whether more follow. The walk
    /// stops at the end of the page, and only the page's entries are looked at beyond their
    /// tree entry (sizes, LFS pointers), so a page costs the same in a repo of any size.
    pub async fn list_page(
        &self,
        root: &GitOid,
        path: &str,
        recursive: bool,
        offset: usize,
        limit: usize,
    ) -> Result<Option<(Vec<TreeItem>, bool)>, HubError> {
        let Some((EntryMode::Dir, dir)) = self.lookup(root, path).await? else {
            return Ok(None);
        };
        let mut page = Vec::new();
        let mut more = false;
        let mut index = 0usize;
        let mut stack = vec![(path.to_string(), dir)];
        'walk: while let Some((prefix, oid)) = stack.pop() {
            let tree = self.tree(&oid).await?;
            let mut subdirs = Vec::new();
            for e in &tree.entries {
                let p = join(&prefix, &e.name);
                if index >= offset {
                    if page.len() == limit {
                        more = true;
                        break 'walk;
                    }
                    page.push((p.clone(), e.mode, e.oid));
                }
                index += 1;
                if e.mode == EntryMode::Dir && recursive {
                    subdirs.push((p, e.oid));
                }
            }
            // Reverse so that the stack pops directories in tree order.
            stack.extend(subdirs.into_iter().rev());
        }
        let mut items = Vec::with_capacity(page.len());
        for (p, mode, oid) in page {
            items.push(self.item(p, mode, oid).await?);
        }
        Ok(Some((items, more)))
    }

    /// Every file under `root` with its mode and blob id: what a commit edits.
    pub async fn flat_files(
        &self,
        root: &GitOid,
    ) -> Result<BTreeMap<RepoPath, (EntryMode, GitOid)>, HubError> {
        let mut files = BTreeMap::new();
        let mut stack = vec![(String::new(), *root)];
        while let Some((prefix, oid)) = stack.pop() {
            let tree = self.tree(&oid).await?;
            for e in &tree.entries {
                let p = join(&prefix, &e.name);
                if e.mode == EntryMode::Dir {
                    stack.push((p, e.oid));
                } else {
                    let path = RepoPath::stored(&p)
                        .map_err(|err| HubError::internal(format!("stored path {p:?}: {err}")))?;
                    files.insert(path, (e.mode, e.oid));
                }
            }
        }
        Ok(files)
    }
}

/// How many commits back `last_commits` looks before settling on the oldest one seen.
const LAST_COMMIT_DEPTH: usize = 300;

impl Hub {
    /// For each path, the most recent commit (from `start`, following first parents) that
    /// changed it. Paths unchanged within the search depth get the oldest commit examined.
    pub async fn last_commits(
        &self,
        start: &GitOid,
        paths: &[String],
    ) -> Result<
        std::collections::HashMap<String, (GitOid, std::sync::Arc<commonhold_gitmodel::Commit>)>,
        HubError,
    > {
        let mut found = std::collections::HashMap::new();
        let mut current = *start;
        for _ in 0..LAST_COMMIT_DEPTH {
            let commit = self.commit(&current).await?;
            let Some(parent) = commit.parents.first().copied() else {
                break;
            };
            let parent_root = self.root_tree(&parent).await?;
            for path in paths {
                if found.contains_key(path) {
                    continue;
                }
                let here = self.lookup(&commit.tree, path).await?;
                let there = self.lookup(&parent_root, path).await?;
                if here != there {
                    found.insert(path.clone(), (current, commit.clone()));
                }
            }
            if found.len() == paths.len() {
                return Ok(found);
            }
            current = parent;
        }
        let oldest = self.commit(&current).await?;
        for path in paths {
            found
                .entry(path.clone())
                .or_insert_with(|| (current, oldest.clone()));
        }
        Ok(found)
    }
}
