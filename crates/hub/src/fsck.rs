//! `fsck`: checks every stored object against its hash and every ref against the object graph.

use std::collections::HashSet;

use commonhold_blob::BlobKey;
use commonhold_gitmodel::{Commit, EntryMode, LfsPointer, ObjectKind, Tree, hash_object};
use commonhold_types::GitOid;

use crate::{Hub, HubError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsckProblem {
    /// A git object whose content does not hash to its id, or cannot be parsed.
    CorruptObject { oid: GitOid, detail: String },
    /// A ref, tree or commit names an object that is not stored.
    MissingObject { oid: GitOid, referenced_by: String },
    /// A stored LFS blob whose bytes no longer hash to its key.
    CorruptBlob { key: String },
    /// A file points at an LFS object the blob store lacks (or has with another size).
    MissingBlob {
        sha256: String,
        referenced_by: String,
    },
}

impl std::fmt::Display for FsckProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FsckProblem::CorruptObject { oid, detail } => {
                write!(f, "corrupt git object {oid}: {detail}")
            }
            FsckProblem::MissingObject { oid, referenced_by } => {
                write!(f, "missing git object {oid}, referenced by {referenced_by}")
            }
            FsckProblem::CorruptBlob { key } => {
                write!(f, "corrupt blob {key}: content does not match its sha256")
            }
            FsckProblem::MissingBlob {
                sha256,
                referenced_by,
            } => {
                write!(
                    f,
                    "missing LFS blob {sha256}, referenced by {referenced_by}"
                )
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct FsckReport {
    pub objects: u64,
    pub blobs: u64,
    pub refs: u64,
    pub problems: Vec<FsckProblem>,
}

impl Hub {
    /// Checks the whole store. `progress` is called with a short description as it goes.
    pub async fn fsck(&self, progress: &(dyn Fn(&str) + Sync)) -> Result<FsckReport, HubError> {
        let mut report = FsckReport::default();
        progress("checking git objects");
        let mut after = None;
        let mut valid = HashSet::new();
        loop {
            let page = self.meta.list_object_ids(after, 1000).await?;
            let Some(last) = page.last().copied() else {
                break;
            };
            for oid in page {
                report.objects += 1;
                let Some((kind, body)) = self.meta.get_object(&oid).await? else {
                    continue;
                };
                let Some(kind) = ObjectKind::from_u8(kind) else {
                    report.problems.push(FsckProblem::CorruptObject {
                        oid,
                        detail: format!("unknown kind {kind}"),
                    });
                    continue;
                };
                let actual = hash_object(kind, &body);
                if actual != oid {
                    report.problems.push(FsckProblem::CorruptObject {
                        oid,
                        detail: format!("content hashes to {actual}"),
                    });
                    continue;
                }
                valid.insert(oid);
            }
            after = Some(last);
        }

        progress("checking blobs");
        let mut stored = std::collections::HashMap::new();
        for (key, size) in self.blobs.list().await? {
            report.blobs += 1;
            if !self.blobs.verify(&key).await? {
                report.problems.push(FsckProblem::CorruptBlob {
                    key: format!("{key:?}"),
                });
                continue;
            }
            stored.insert(key, size);
        }

        progress("checking refs");
        let mut reachable = HashSet::new();
        for repo in self.meta.all_repos().await? {
            for (name, commit) in self.meta.list_refs(repo.id).await? {
                report.refs += 1;
                let label = format!("{}/{} {name}", repo.repo_type.plural(), repo.name);
                self.check_reachable(
                    commit,
                    &label,
                    &valid,
                    &stored,
                    &mut reachable,
                    &mut report.problems,
                )
                .await?;
            }
        }
        Ok(report)
    }

    /// Walks everything reachable from `start`, reporting what is missing.
    async fn check_reachable(
        &self,
        start: GitOid,
        label: &str,
        valid: &HashSet<GitOid>,
        stored: &std::collections::HashMap<BlobKey, u64>,
        seen: &mut HashSet<GitOid>,
        problems: &mut Vec<FsckProblem>,
    ) -> Result<(), HubError> {
        let mut stack = vec![(start, ObjectKind::Commit, label.to_string())];
        while let Some((oid, kind, by)) = stack.pop() {
            if !seen.insert(oid) {
                continue;
            }
            if !valid.contains(&oid) {
                problems.push(FsckProblem::MissingObject {
                    oid,
                    referenced_by: by,
                });
                continue;
            }
            let Some((_, body)) = self.meta.get_object(&oid).await? else {
                continue;
            };
            let corrupt = |detail: String| FsckProblem::CorruptObject { oid, detail };
            match kind {
                ObjectKind::Commit => match Commit::decode(&body) {
                    Ok(c) => {
                        stack.push((c.tree, ObjectKind::Tree, format!("commit {oid}")));
                        stack.extend(
                            c.parents
                                .iter()
                                .map(|p| (*p, ObjectKind::Commit, format!("commit {oid}"))),
                        );
                    }
                    Err(e) => problems.push(corrupt(e.to_string())),
                },
                ObjectKind::Tree => match Tree::decode(&body) {
                    Ok(t) => {
                        for e in t.entries {
                            let k = match e.mode {
                                EntryMode::Dir => ObjectKind::Tree,
                                EntryMode::Submodule => continue,
                                _ => ObjectKind::Blob,
                            };
                            stack.push((e.oid, k, format!("tree {oid} entry {}", e.name)));
                        }
                    }
                    Err(e) => problems.push(corrupt(e.to_string())),
                },
                ObjectKind::Blob => {
                    if let Some(p) = LfsPointer::parse(&body)
                        && stored.get(&BlobKey::Lfs(p.oid)) != Some(&p.size)
                    {
                        problems.push(FsckProblem::MissingBlob {
                            sha256: p.oid.to_hex(),
                            referenced_by: by,
                        });
                    }
                }
                ObjectKind::Tag => {}
            }
        }
        Ok(())
    }
}
