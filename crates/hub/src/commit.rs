//! Making a commit: apply file operations to a branch head, write the new objects, then move
//! the branch with a compare-and-swap, retrying on a concurrent update unless the caller pinned
//! the parent.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;
use std::time::Duration;

use commonhold_gitmodel::{
    Commit, EntryMode, LfsPointer, ObjectKind, Signature, build_trees, hash_object,
};
use commonhold_meta::{Account, Repo};
use commonhold_types::{GitOid, MAIN_REF, RefName, RepoPath, Sha256, nfc};

use crate::card::CardSummary;
use crate::{Hub, HubError, now_ms};

/// How many times a commit without `parentCommit` is re-applied when the branch moves under it.
const MAX_ATTEMPTS: u32 = 64;

#[derive(Clone, Debug)]
pub enum CommitOp {
    /// A file stored in git itself (small text files).
    AddRegular {
        path: RepoPath,
        content: Vec<u8>,
    },
    /// A file whose content is an LFS object already uploaded to this repo.
    AddLfs {
        path: RepoPath,
        oid: Sha256,
        size: u64,
    },
    /// A file whose content is an LFS object this repo already holds, at its stored size (an
    /// `lfsFile` line without `size`: how clients copy a file).
    CopyLfs {
        path: RepoPath,
        oid: Sha256,
    },
    DeleteFile {
        path: RepoPath,
    },
    DeleteFolder {
        path: RepoPath,
    },
}

#[derive(Clone, Debug)]
pub struct CommitRequest {
    /// The branch to commit to (or `refs/pr/N`); with `create_pr`, the branch the PR starts from.
    pub revision: String,
    pub summary: String,
    pub description: String,
    /// When set, the commit is refused unless the branch head still starts with this id.
    pub parent_commit: Option<String>,
    pub create_pr: bool,
    pub ops: Vec<CommitOp>,
}

#[derive(Clone, Debug)]
pub struct CommitResult {
    pub commit: GitOid,
    pub ref_name: String,
    pub pr_num: Option<u64>,
}

/// The outcome of applying operations to a file map: the new map, plus the blobs to store.
struct Applied {
    files: BTreeMap<RepoPath, (EntryMode, GitOid)>,
    blobs: Vec<(GitOid, u8, Vec<u8>)>,
}

fn apply(
    mut files: BTreeMap<RepoPath, (EntryMode, GitOid)>,
    ops: &[CommitOp],
) -> Result<Applied, HubError> {
    let created = new_names(&files, ops);
    let mut blobs = Vec::new();
    for op in ops {
        match op {
            CommitOp::AddRegular { path, content } => {
                let oid = hash_object(ObjectKind::Blob, content);
                blobs.push((oid, ObjectKind::Blob.as_u8(), content.clone()));
                files.insert(path.clone(), (EntryMode::File, oid));
            }
            CommitOp::AddLfs { path, oid, size } => {
                let pointer = LfsPointer {
                    oid: *oid,
                    size: *size,
                }
                .encode()
                .into_bytes();
                let blob = hash_object(ObjectKind::Blob, &pointer);
                blobs.push((blob, ObjectKind::Blob.as_u8(), pointer));
                files.insert(path.clone(), (EntryMode::File, blob));
            }
            CommitOp::CopyLfs { path, .. } => {
                return Err(HubError::internal(format!(
                    "{path}: an LFS copy reached apply without its size"
                )));
            }
            CommitOp::DeleteFile { path } => {
                if files.remove(path).is_none() {
                    return Err(HubError::EntryNotFound(format!(
                        "cannot delete {path}: no such file in this revision"
                    )));
                }
            }
            CommitOp::DeleteFolder { path } => {
                let prefix = format!("{}/", path.as_str().trim_end_matches('/'));
                let before = files.len();
                files.retain(|p, _| !p.as_str().starts_with(&prefix));
                if files.len() == before {
                    return Err(HubError::EntryNotFound(format!(
                        "cannot delete folder {path}: no such folder in this revision"
                    )));
                }
            }
        }
    }
    // A path cannot be both a file and a directory.
    for path in files.keys() {
        let s = path.as_str();
        for (i, _) in s.match_indices('/') {
            let parent = &s[..i];
            if files.contains_key(parent) {
                return Err(HubError::BadRequest(format!(
                    "{parent} is a file, so {s} cannot be created under it"
                )));
            }
        }
    }
    if let Some((new, old)) = normalisation_clash(&files, &created) {
        return Err(HubError::BadRequest(format!(
            "{new:?} and {old:?} are the same name in another Unicode spelling (they are \
             equal in NFC), so they cannot both be in one tree; use the existing spelling {old:?}"
        )));
    }
    Ok(Applied { files, blobs })
}

/// Whether `name` (a path or a directory's path) is in `files`, as a file or a directory.
fn has_name(files: &BTreeMap<RepoPath, (EntryMode, GitOid)>, name: &str) -> bool {
    if files.contains_key(name) {
        return true;
    }
    // Every path under the directory `name/` sorts after `name/` and before the next name.
    let dir = format!("{name}/");
    files
        .range::<str, _>((Bound::Included(dir.as_str()), Bound::Unbounded))
        .next()
        .is_some_and(|(p, _)| p.as_str().starts_with(&dir))
}

/// Every prefix of `path` that names a file or directory: `a`, `a/b`, `a/b/c.txt`.
fn names_of(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .map(|(i, _)| &path[..i])
        .chain(std::iter::once(path))
}

/// The names (files and directories) that the commit's additions create: those not in the
/// parent tree.
fn new_names(files: &BTreeMap<RepoPath, (EntryMode, GitOid)>, ops: &[CommitOp]) -> Vec<String> {
    let mut out = Vec::new();
    for op in ops {
        let (CommitOp::AddRegular { path, .. } | CommitOp::AddLfs { path, .. }) = op else {
            continue;
        };
        out.extend(
            names_of(path.as_str())
                .filter(|n| !has_name(files, n))
                .map(str::to_string),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// A name the commit creates that equals another name of the resulting tree under Unicode NFC
/// (`é` as one code point or as `e` and a combining accent): the two would look the same in
/// every listing, and a checkout on macOS (which normalises names) cannot hold both. Returns the
/// new name and the other.
///
/// Names that differ only in case are allowed: the Hub and git are case-sensitive, such pairs
/// are visible as different, and real repos (mirrors of git projects) have them; refusing them
/// would refuse history the Hub accepts.
///
/// Two different names that are both already in NFC never collide, so the work is only for
/// trees holding a name that is not (ASCII names always are).
fn normalisation_clash(
    files: &BTreeMap<RepoPath, (EntryMode, GitOid)>,
    created: &[String],
) -> Option<(String, String)> {
    // A later operation may have deleted what an earlier one created.
    let created: HashSet<&str> = created
        .iter()
        .map(String::as_str)
        .filter(|n| has_name(files, n))
        .collect();
    if created.is_empty() || files.keys().all(RepoPath::is_nfc) {
        return None;
    }
    // The spellings of each NFC name that has one not in NFC or created by this commit (the
    // NFC spelling itself is looked up last).
    let mut spellings: HashMap<String, BTreeSet<&str>> = HashMap::new();
    let not_nfc = files.keys().filter(|p| !p.is_nfc()).map(RepoPath::as_str);
    for name in not_nfc.flat_map(names_of).chain(created.iter().copied()) {
        let key = nfc(name);
        if key != name || created.contains(name) {
            spellings.entry(key).or_default().insert(name);
        }
    }
    spellings.into_iter().find_map(|(key, names)| {
        let new = names.iter().find(|n| created.contains(*n))?;
        let old = match names.iter().find(|n| *n != new) {
            Some(other) => other.to_string(),
            None if key != *new && has_name(files, &key) => key,
            None => return None,
        };
        Some((new.to_string(), old))
    })
}

/// Whether a `parentCommit` value (5 to 40 hex digits) names `head`.
fn parent_matches(parent: &str, head: &GitOid) -> bool {
    let p = parent.to_ascii_lowercase();
    (5..=40).contains(&p.len())
        && p.bytes().all(|b| b.is_ascii_hexdigit())
        && head.to_hex().starts_with(&p)
}

impl Hub {
    pub async fn create_commit(
        &self,
        repo: &Repo,
        author: &Account,
        mut req: CommitRequest,
    ) -> Result<CommitResult, HubError> {
        self.check_regular_sizes(&req.ops)?;
        req.ops = self.check_lfs_ops(repo, req.ops).await?;
        // With `create_pr`, the PR forks from the revision's commit and merges back into the ref
        // it named (a bare commit id targets main).
        let (ref_name, base, pr_num, pr_target) = if req.create_pr {
            let resolved = self.resolve(repo, &req.revision).await?;
            let n = self.meta.next_pr_number(repo.id).await?;
            let target = resolved.ref_name.unwrap_or_else(|| MAIN_REF.into());
            (
                RefName::PullRequest(n).to_string(),
                Some(resolved.commit),
                Some(n),
                Some(target),
            )
        } else {
            let name = if RefName::is_pull_request(&req.revision) {
                req.revision.clone()
            } else {
                RefName::Branch(req.revision.clone()).to_string()
            };
            if self.meta.get_ref(repo.id, &name).await?.is_none() {
                return Err(HubError::RevisionNotFound(format!(
                    "{}: commits go to an existing branch; create it first",
                    req.revision
                )));
            }
            (name, None, None, None)
        };
        let message = if req.description.trim().is_empty() {
            format!("{}\n", req.summary.trim_end())
        } else {
            format!(
                "{}\n\n{}\n",
                req.summary.trim_end(),
                req.description.trim_end()
            )
        };

        for attempt in 0..MAX_ATTEMPTS {
            // The ref's current value is what we compare against; for a new PR it must not exist.
            let (old, parent) = match base {
                Some(b) => (None, b),
                None => {
                    let head = self
                        .meta
                        .get_ref(repo.id, &ref_name)
                        .await?
                        .ok_or_else(|| {
                            HubError::RevisionNotFound(format!(
                                "{ref_name} was deleted during the commit"
                            ))
                        })?;
                    (Some(head), head)
                }
            };
            if let Some(p) = &req.parent_commit
                && !parent_matches(p, &parent)
            {
                return Err(HubError::PreconditionFailed(format!(
                    "A commit has happened since {p}: the head of {ref_name} is now {parent}. \
                         Fetch the latest revision and retry."
                )));
            }
            let parent_tree = self.root_tree(&parent).await?;
            let applied = apply(self.flat_files(&parent_tree).await?, &req.ops)?;
            let oid = self
                .store_commit(
                    author,
                    &applied.files,
                    applied.blobs,
                    vec![parent],
                    message.clone(),
                )
                .await?;

            match self
                .meta
                .update_ref(repo.id, &ref_name, old, Some(oid))
                .await?
            {
                Ok(seq) => {
                    if ref_name == MAIN_REF {
                        self.refresh_summary(repo, &oid, seq).await?;
                    }
                    if let (Some(n), Some(fork), Some(target)) = (pr_num, base, &pr_target) {
                        self.record_commit_pr(repo, author, n, &req.summary, target, fork)
                            .await?;
                    }
                    if RefName::is_pull_request(&ref_name) {
                        self.record_pr_commit(repo, author, &ref_name, &oid, &req.summary)
                            .await?;
                    }
                    return Ok(CommitResult {
                        commit: oid,
                        ref_name,
                        pr_num,
                    });
                }
                Err(conflict) => {
                    if req.parent_commit.is_some() || base.is_some() {
                        return Err(HubError::PreconditionFailed(format!(
                            "{ref_name} moved to {:?} during the commit; fetch the latest revision and retry",
                            conflict.current.map(|c| c.to_hex())
                        )));
                    }
                    // Someone else moved the branch: re-apply our operations on top of theirs.
                    let backoff = 2u64.pow(attempt.min(6)) + u64::from(rand::random::<u8>() % 8);
                    tokio::time::sleep(Duration::from_millis(backoff)).await;
                }
            }
        }
        Err(HubError::Conflict(format!(
            "{ref_name} is being updated by many writers at once; retry the commit"
        )))
    }

    /// Writes the trees of `files`, the new `blobs` and a commit of them by `author` on top of
    /// `parents`; returns the commit id. No ref moves: the caller compares-and-swaps one.
    pub(crate) async fn store_commit(
        &self,
        author: &Account,
        files: &BTreeMap<RepoPath, (EntryMode, GitOid)>,
        blobs: Vec<(GitOid, u8, Vec<u8>)>,
        parents: Vec<GitOid>,
        message: String,
    ) -> Result<GitOid, HubError> {
        let (tree, trees) = build_trees(files)?;
        let sig = Signature {
            name: author.name.clone(),
            email: format!("{}@users.noreply.commonhold", author.name),
            time: now_ms() / 1000,
            tz_minutes: 0,
        };
        let commit = Commit {
            tree,
            parents,
            author: sig.clone(),
            committer: sig,
            message,
        };
        let oid = commit.oid();
        let mut objects = blobs;
        objects.extend(
            trees
                .into_iter()
                .map(|(o, b)| (o, ObjectKind::Tree.as_u8(), b)),
        );
        objects.push((oid, ObjectKind::Commit.as_u8(), commit.encode()));
        self.meta.put_objects(&objects).await?;
        Ok(oid)
    }

    /// Regular files live in the metadata store and are read whole; anything larger than the
    /// configured bound must go through LFS (history imported with larger ones is kept).
    fn check_regular_sizes(&self, ops: &[CommitOp]) -> Result<(), HubError> {
        let limit = self.config.max_regular_file_size;
        for op in ops {
            if let CommitOp::AddRegular { path, content } = op
                && content.len() as u64 > limit
            {
                return Err(HubError::TooLarge(format!(
                    "{path} is {} bytes, more than the {limit} bytes this hub accepts for a \
                     regular (non-LFS) file: upload it through LFS (huggingface_hub does when \
                     preupload answers \"lfs\"; with git, `git lfs track` it)",
                    content.len()
                )));
            }
        }
        Ok(())
    }

    /// Storage is shared, access is not: an LFS object may be committed only when this repo
    /// received it (an upload) or already references it. Copies get their stored size. An
    /// object the repo does not hold gets one answer, whether or not another repo holds it, and
    /// no size but the one the client sent.
    async fn check_lfs_ops(
        &self,
        repo: &Repo,
        ops: Vec<CommitOp>,
    ) -> Result<Vec<CommitOp>, HubError> {
        let mut out = Vec::with_capacity(ops.len());
        for op in ops {
            let (path, oid, asked) = match op {
                CommitOp::AddLfs { path, oid, size } => (path, oid, Some(size)),
                CommitOp::CopyLfs { path, oid } => (path, oid, None),
                other => {
                    out.push(other);
                    continue;
                }
            };
            if let Some(size) = asked
                && size > self.config.max_file_size
            {
                return Err(HubError::TooLarge(format!(
                    "{path} is {size} bytes; this hub accepts files up to {} bytes",
                    self.config.max_file_size
                )));
            }
            let Some(held) = self.lfs_size_in_repo(repo, &oid).await? else {
                return Err(HubError::BadRequest(format!(
                    "{path}: LFS object {oid} has not been uploaded to this repo; \
                     upload it through the LFS batch API (or Xet) before committing"
                )));
            };
            match asked {
                Some(size) if size != held => {
                    return Err(HubError::BadRequest(format!(
                        "{path}: LFS object {oid} has {held} bytes, but the commit says {size}"
                    )));
                }
                _ => out.push(CommitOp::AddLfs {
                    path,
                    oid,
                    size: held,
                }),
            }
        }
        Ok(out)
    }

    /// The size at which this repo holds LFS object `oid` (a Xet file it uploaded, or an LFS
    /// object uploaded to it); `None` when it does not, whoever else does.
    async fn lfs_size_in_repo(&self, repo: &Repo, oid: &Sha256) -> Result<Option<u64>, HubError> {
        if let Some(file) = self.meta.xet_file_for(repo.id, oid).await? {
            return Ok(Some(file.size));
        }
        if self.meta.repo_has_lfs(repo.id, oid).await? {
            return Ok(self.meta.lfs_object_size(oid).await?);
        }
        Ok(None)
    }

    /// Recomputes the summary listings show (card data, tags) from `main`'s README at `head`,
    /// which the commit log recorded at position `seq`. A summary of a later position, stored
    /// by a concurrent writer that finished first, is kept.
    pub async fn refresh_summary(
        &self,
        repo: &Repo,
        head: &GitOid,
        seq: i64,
    ) -> Result<(), HubError> {
        let card = match self.readme(head).await? {
            Some(text) => CardSummary::from_readme(&text),
            None => CardSummary::default(),
        };
        let summary = commonhold_meta::RepoSummary {
            sha: Some(*head),
            last_modified: now_ms(),
            card_data: card.card_data,
            tags: card.tags,
            pipeline_tag: card.pipeline_tag,
            library_name: card.library_name,
            ..repo.summary.clone()
        };
        self.meta
            .update_repo_head_summary(repo.id, seq, &summary)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> RepoPath {
        RepoPath::new(s).unwrap()
    }

    #[test]
    fn parent_prefixes() {
        let head = GitOid::from_hex(&"ab".repeat(20)).unwrap();
        assert!(parent_matches("ababa", &head));
        assert!(parent_matches(&"AB".repeat(20), &head));
        assert!(!parent_matches("abab", &head));
        assert!(!parent_matches("abac0", &head));
    }

    fn add(path: &str) -> CommitOp {
        CommitOp::AddRegular {
            path: p(path),
            content: b"x".to_vec(),
        }
    }

    #[test]
    fn names_equal_in_nfc_cannot_be_created_beside_each_other() {
        let composed = "caf\u{e9}";
        let decomposed = "cafe\u{301}";
        let tree = |paths: &[&str]| {
            apply(
                BTreeMap::new(),
                &paths.iter().map(|s| add(s)).collect::<Vec<_>>(),
            )
            .unwrap()
            .files
        };
        let clash = |files, ops: &[CommitOp]| match apply(files, ops) {
            Err(HubError::BadRequest(m)) => m,
            other => panic!("{:?}", other.map(|a| a.files)),
        };
        // A new spelling of an existing file, of an existing directory, or both in one commit.
        let m = clash(tree(&[decomposed]), &[add(composed)]);
        assert!(m.contains("equal in NFC"), "{m}");
        clash(tree(&[composed]), &[add(decomposed)]);
        clash(
            tree(&[&format!("{composed}/a.txt")]),
            &[add(&format!("{decomposed}/b.txt"))],
        );
        clash(
            tree(&[&format!("d/{decomposed}/a")]),
            &[add(&format!("d/{composed}"))],
        );
        clash(BTreeMap::new(), &[add(composed), add(decomposed)]);
        // Same spelling (a change), other names, or case: fine.
        for (existing, added) in [
            (decomposed, decomposed.to_string()),
            (decomposed, format!("{decomposed}s")),
            (composed, format!("{composed}2")),
            ("README.md", "readme.md".to_string()),
            ("Caf\u{c9}", composed.to_string()),
        ] {
            assert!(
                apply(tree(&[existing]), &[add(&added)]).is_ok(),
                "{existing:?} {added:?}"
            );
        }
        // A clash already in the tree (history from elsewhere) does not block other commits,
        // nor one that adds under the existing spelling; deleting then re-adding is fine.
        let both = {
            let mut t = tree(&[&format!("{composed}/a")]);
            t.insert(
                p(&format!("{decomposed}/b")),
                (EntryMode::File, GitOid([1; 20])),
            );
            t
        };
        assert!(apply(both.clone(), &[add("other.txt")]).is_ok());
        assert!(apply(both, &[add(&format!("{decomposed}/c"))]).is_ok());
        assert!(
            apply(
                tree(&[decomposed]),
                &[
                    CommitOp::DeleteFile {
                        path: p(decomposed)
                    },
                    add(composed)
                ]
            )
            .is_ok()
        );
    }

    #[test]
    fn apply_adds_deletes_and_refuses_file_dir_clashes() {
        let ops = vec![
            CommitOp::AddRegular {
                path: p("a/b.txt"),
                content: b"x".to_vec(),
            },
            CommitOp::AddRegular {
                path: p("c.txt"),
                content: b"y".to_vec(),
            },
        ];
        let applied = apply(BTreeMap::new(), &ops).unwrap();
        assert_eq!(applied.files.len(), 2);
        let gone = apply(
            applied.files.clone(),
            &[CommitOp::DeleteFolder { path: p("a") }],
        )
        .unwrap();
        assert_eq!(
            gone.files.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["c.txt"]
        );
        assert!(matches!(
            apply(
                applied.files.clone(),
                &[CommitOp::DeleteFile { path: p("zz") }]
            ),
            Err(HubError::EntryNotFound(_))
        ));
        assert!(matches!(
            apply(
                applied.files,
                &[CommitOp::AddRegular {
                    path: p("c.txt/d"),
                    content: vec![]
                }]
            ),
            Err(HubError::BadRequest(_))
        ));
    }
}
