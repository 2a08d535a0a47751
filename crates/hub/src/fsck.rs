//! `fsck`: checks every stored object against its hash and every ref against the object graph.
//!
//! Xet storage is checked as deeply as an upload is: every xorb is read back, decompressed and
//! re-hashed; every file's terms must lie inside valid xorbs and recompute the file hash, and
//! its bytes are rebuilt and hashed with sha256; every grant must name a stored file whose bytes
//! hash to the grant's sha256; and every LFS pointer a repo commits must be served by an LFS
//! blob or by such a Xet file granted to that same repo.
//!
//! The copies of large git blobs in the blob store (`BlobKey::GitBlob`, made by downloads) are
//! re-hashed as git objects; a bad copy is a problem, a copy whose blob no repo reaches any
//! more (its repo was deleted) is only reported. Both are caches the next download remakes, so
//! [`FsckOptions::prune_copies`] removes them: nothing else collects them.

use std::collections::{HashMap, HashSet};

use commonhold_blob::{BlobKey, ListedKind, read_to_vec};
use commonhold_gitmodel::{
    Commit, EntryMode, LfsPointer, ObjectHasher, ObjectKind, Tree, hash_object,
};
use commonhold_meta::XetFileRow;
use commonhold_types::{GitOid, Sha256};
use commonhold_xet::{FileRecord, ShardFile, XetHash, XorbIndex, XorbIndexes};
use futures::StreamExt;

use crate::{Hub, HubError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsckProblem {
    /// A git object whose content does not hash to its id, or cannot be parsed.
    CorruptObject { oid: GitOid, detail: String },
    /// A ref, tree or commit names an object that is not stored.
    MissingObject { oid: GitOid, referenced_by: String },
    /// A stored LFS blob whose bytes no longer hash to its key.
    CorruptBlob { key: String },
    /// A download's copy of a large git blob whose bytes do not hash to its git id (downloads
    /// would serve them). `removed` when [`FsckOptions::prune_copies`] deleted it.
    CorruptBlobCopy {
        oid: GitOid,
        detail: String,
        removed: bool,
    },
    /// A file points at an LFS object that neither the blob store (with that size) nor a Xet
    /// file granted to its repo serves.
    MissingBlob {
        sha256: String,
        referenced_by: String,
    },
    /// A recorded xorb whose stored bytes are gone, unreadable or no longer hash to its name.
    CorruptXorb { hash: String, detail: String },
    /// A recorded Xet file whose terms do not rebuild it (missing or damaged xorbs, chunk
    /// ranges out of bounds, sizes or file hash that do not add up).
    CorruptXetFile { file: String, detail: String },
    /// A repo's sha256 → Xet file mapping names a file that is not recorded.
    DanglingXetGrant {
        repo: String,
        sha256: String,
        file: String,
    },
    /// A repo's sha256 → Xet file mapping names a file whose bytes hash to something else (a
    /// forged mapping; the server does not serve it).
    ForgedXetGrant {
        repo: String,
        sha256: String,
        file: String,
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
            FsckProblem::CorruptBlobCopy {
                oid,
                detail,
                removed,
            } => {
                let then = if *removed {
                    "removed; the next download remakes it"
                } else {
                    "remove it with `commonhold fsck --prune-copies`"
                };
                write!(f, "corrupt copy of git blob {oid}: {detail} ({then})")
            }
            FsckProblem::MissingBlob {
                sha256,
                referenced_by,
            } => {
                write!(
                    f,
                    "missing LFS blob {sha256} (neither an LFS object nor a Xet file of its repo), referenced by {referenced_by}"
                )
            }
            FsckProblem::CorruptXorb { hash, detail } => {
                write!(f, "corrupt xorb {hash}: {detail}")
            }
            FsckProblem::CorruptXetFile { file, detail } => {
                write!(f, "corrupt Xet file {file}: {detail}")
            }
            FsckProblem::DanglingXetGrant { repo, sha256, file } => {
                write!(
                    f,
                    "{repo} maps sha256 {sha256} to Xet file {file}, which is not recorded"
                )
            }
            FsckProblem::ForgedXetGrant { repo, sha256, file } => {
                write!(
                    f,
                    "{repo} maps sha256 {sha256} to Xet file {file}, whose bytes do not hash to it (not served)"
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
    pub xorbs: u64,
    pub xet_files: u64,
    /// Copies of large git blobs checked.
    pub blob_copies: u64,
    /// Copies whose git blob no ref of any repo reaches (with their sizes): not a problem, a
    /// cache nothing will read. Removed when `removed_copies` counts them.
    pub orphan_copies: Vec<(GitOid, u64)>,
    /// Copies deleted by [`FsckOptions::prune_copies`] (bad and orphaned).
    pub removed_copies: u64,
    pub problems: Vec<FsckProblem>,
}

/// What fsck may change besides reporting.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsckOptions {
    /// Delete copies of git blobs that are bad or that no repo reaches. Safe while servers
    /// run: a download that finds its copy gone makes it again from the git object.
    pub prune_copies: bool,
}

impl Hub {
    /// Checks the whole store, changing nothing. `progress` is called with a short description
    /// as it goes.
    pub async fn fsck(&self, progress: &(dyn Fn(&str) + Sync)) -> Result<FsckReport, HubError> {
        self.fsck_with(FsckOptions::default(), progress).await
    }

    /// [`Hub::fsck`], with the clean-ups `options` asks for.
    pub async fn fsck_with(
        &self,
        options: FsckOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<FsckReport, HubError> {
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

        progress("checking xorbs");
        let xorbs = self.fsck_xorbs(&mut report).await?;
        progress("checking Xet files");
        let files = self.fsck_xet_files(&xorbs, &mut report).await?;
        progress("checking Xet grants");
        let repos = self.meta.all_repos().await?;
        let names: HashMap<i64, String> = repos
            .iter()
            .map(|r| (r.id, format!("{}/{}", r.repo_type.plural(), r.name)))
            .collect();
        let mut grants = HashMap::new();
        for (repo_id, sha, file) in self.meta.list_xet_grants().await? {
            let repo = || {
                names
                    .get(&repo_id)
                    .cloned()
                    .unwrap_or_else(|| format!("repo id {repo_id}"))
            };
            let (sha256, file_name) = (sha.to_hex(), XetHash(file).to_string());
            match files.get(&file) {
                None => report.problems.push(FsckProblem::DanglingXetGrant {
                    repo: repo(),
                    sha256,
                    file: file_name,
                }),
                // Damaged files were reported by the file check.
                Some(facts) if facts.sha256.is_some_and(|actual| actual != sha) => {
                    report.problems.push(FsckProblem::ForgedXetGrant {
                        repo: repo(),
                        sha256,
                        file: file_name,
                    });
                }
                Some(_) => {
                    grants.insert((repo_id, sha), file);
                }
            }
        }

        progress("checking refs");
        let mut referenced = HashSet::new();
        for repo in repos {
            // Per repo, because whether a pointer is served depends on the repo's Xet grants.
            let mut reachable = HashSet::new();
            for (name, commit) in self.meta.list_refs(repo.id).await? {
                report.refs += 1;
                let label = format!("{}/{} {name}", repo.repo_type.plural(), repo.name);
                let known = Known {
                    repo_id: repo.id,
                    objects: &valid,
                    blobs: &stored,
                    xet_grants: &grants,
                    xet_files: &files,
                };
                self.check_reachable(commit, &label, &known, &mut reachable, &mut report.problems)
                    .await?;
            }
            referenced.extend(reachable);
        }

        progress("checking copies of large git blobs");
        self.fsck_blob_copies(&referenced, options, &mut report)
            .await?;
        Ok(report)
    }

    /// Re-hashes every copy of a git blob the downloads made, and finds the ones no repo
    /// reaches; removes both kinds when asked.
    async fn fsck_blob_copies(
        &self,
        referenced: &HashSet<GitOid>,
        options: FsckOptions,
        report: &mut FsckReport,
    ) -> Result<(), HubError> {
        for (key, size) in self.blobs.list_kind(ListedKind::GitBlob).await? {
            let BlobKey::GitBlob(oid) = key else { continue };
            report.blob_copies += 1;
            // None: removed since it was listed (by another fsck), nothing to check.
            let Some(checked) = self.check_blob_copy(oid, size).await else {
                continue;
            };
            let problem = checked.err();
            let orphan = !referenced.contains(&oid);
            let remove = options.prune_copies && (problem.is_some() || orphan);
            if remove {
                self.blobs.delete(&key).await?;
                report.removed_copies += 1;
            }
            if let Some(detail) = problem {
                report.problems.push(FsckProblem::CorruptBlobCopy {
                    oid,
                    detail,
                    removed: remove,
                });
            } else if orphan {
                report.orphan_copies.push((oid, size));
            }
        }
        Ok(())
    }

    /// What is wrong with the stored copy of `oid` (`size` bytes) read back and hashed as a
    /// git blob, if anything; None if it is gone.
    async fn check_blob_copy(&self, oid: GitOid, size: u64) -> Option<Result<(), String>> {
        let mut hasher = ObjectHasher::new(ObjectKind::Blob, size);
        if size > 0 {
            let mut stream = match self.blobs.read(&BlobKey::GitBlob(oid), None).await {
                Ok(stream) => stream,
                Err(commonhold_blob::BlobError::NotFound(_)) => return None,
                Err(e) => return Some(Err(format!("cannot be read: {e}"))),
            };
            while let Some(chunk) = stream.next().await {
                match chunk {
                    Ok(chunk) => hasher.update(&chunk),
                    Err(e) => return Some(Err(format!("cannot be read: {e}"))),
                }
            }
        }
        let actual = hasher.finish();
        Some(if actual == oid {
            Ok(())
        } else {
            Err(format!("its bytes hash to {actual}"))
        })
    }

    /// Re-validates every recorded xorb from its stored bytes, as an upload is validated, and
    /// compares the result with the recorded index. Returns the xorbs that passed.
    async fn fsck_xorbs(&self, report: &mut FsckReport) -> Result<HashSet<XetHash>, HubError> {
        let mut good = HashSet::new();
        let mut after = None;
        loop {
            let page = self.meta.list_xorbs(after, 100).await?;
            let Some(last) = page.last().copied() else {
                break;
            };
            for raw in page {
                report.xorbs += 1;
                let hash = XetHash(raw);
                match self.check_xorb(hash).await? {
                    None => {
                        good.insert(hash);
                    }
                    Some(detail) => report.problems.push(FsckProblem::CorruptXorb {
                        hash: hash.to_string(),
                        detail,
                    }),
                }
            }
            after = Some(last);
        }
        Ok(good)
    }

    /// What is wrong with one recorded xorb, if anything.
    async fn check_xorb(&self, hash: XetHash) -> Result<Option<String>, HubError> {
        let Some((size, recorded)) = self.meta.xorb_index(&hash.0).await? else {
            return Ok(Some("its record vanished during the check".into()));
        };
        let key = BlobKey::Xorb(hash.0);
        let limit = commonhold_xet::MAX_XORB_BYTES as u64;
        let bytes = match read_to_vec(self.blobs.as_ref(), &key, limit).await {
            Ok(bytes) => bytes,
            Err(commonhold_blob::BlobError::NotFound(_)) => {
                return Ok(Some("missing: its stored bytes are gone".into()));
            }
            Err(e) => return Ok(Some(format!("cannot be read: {e}"))),
        };
        if bytes.len() as u64 != size {
            return Ok(Some(format!(
                "{} bytes are stored, {size} were recorded",
                bytes.len()
            )));
        }
        let validated =
            tokio::task::spawn_blocking(move || commonhold_xet::validate_xorb(hash, &bytes))
                .await
                .map_err(|e| HubError::internal(format!("xorb check task: {e}")))?;
        Ok(match validated {
            Err(e) => Some(e.to_string()),
            Ok(index) if index.encode() != recorded => {
                Some("its chunks differ from its recorded index".into())
            }
            Ok(_) => None,
        })
    }

    /// Checks every recorded Xet file against the xorbs that passed, rebuilding and hashing the
    /// ones that do; returns what was learnt of every recorded file (damaged ones included: they
    /// are reported here, not again as dangling).
    async fn fsck_xet_files(
        &self,
        good_xorbs: &HashSet<XetHash>,
        report: &mut FsckReport,
    ) -> Result<HashMap<[u8; 32], XetFileFacts>, HubError> {
        let mut all = HashMap::new();
        let mut after = None;
        loop {
            let page = self.meta.list_xet_files(after, 100).await?;
            let Some(last) = page.last().map(|f| f.file_hash) else {
                break;
            };
            for row in page {
                report.xet_files += 1;
                let checked = self.check_xet_file(&row, good_xorbs).await?;
                if let Err(detail) = &checked {
                    report.problems.push(FsckProblem::CorruptXetFile {
                        file: XetHash(row.file_hash).to_string(),
                        detail: detail.clone(),
                    });
                }
                let facts = XetFileFacts {
                    size: row.size,
                    sha256: checked.ok(),
                };
                all.insert(row.file_hash, facts);
            }
            after = Some(last);
        }
        Ok(all)
    }

    /// The sha256 of one recorded file's bytes, or what is wrong with it: the checks of a shard
    /// upload, made against the xorbs as they are stored now, then its bytes rebuilt and hashed
    /// (and compared with the sha256 recorded for it, if any).
    async fn check_xet_file(
        &self,
        row: &XetFileRow,
        good_xorbs: &HashSet<XetHash>,
    ) -> Result<Result<Sha256, String>, HubError> {
        let record = match FileRecord::decode(row.size, &row.terms) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let mut indexes = XorbIndexes::new();
        for (i, term) in record.terms.iter().enumerate() {
            if indexes.contains_key(&term.xorb) {
                continue;
            }
            if !good_xorbs.contains(&term.xorb) {
                return Ok(Err(format!(
                    "term {i} needs xorb {}, which is missing or damaged",
                    term.xorb
                )));
            }
            let Some((_, bytes)) = self.meta.xorb_index(&term.xorb.0).await? else {
                return Ok(Err(format!("xorb {} vanished during the check", term.xorb)));
            };
            indexes.insert(term.xorb, XorbIndex::decode(&bytes)?);
        }
        let file = ShardFile {
            file_hash: XetHash(row.file_hash),
            sha256_hex: None,
            terms: record.terms.clone(),
            range_hashes: None,
        };
        match commonhold_xet::verify_file(&file, &indexes) {
            Err(e) => return Ok(Err(e.to_string())),
            Ok(rebuilt) if rebuilt.size != row.size => {
                return Ok(Err(format!(
                    "its terms hold {} bytes, {} were recorded",
                    rebuilt.size, row.size
                )));
            }
            Ok(_) => {}
        }
        let actual = match self.hash_xet_content(&record).await {
            Ok(sha) => sha,
            Err(e) => return Ok(Err(format!("its bytes cannot be rebuilt: {e}"))),
        };
        Ok(match row.sha256 {
            Some(recorded) if recorded != actual => Err(format!(
                "its bytes hash to sha256 {actual}, but {recorded} was recorded"
            )),
            _ => Ok(actual),
        })
    }

    /// Walks everything reachable from `start`, reporting what is missing.
    async fn check_reachable(
        &self,
        start: GitOid,
        label: &str,
        known: &Known<'_>,
        seen: &mut HashSet<GitOid>,
        problems: &mut Vec<FsckProblem>,
    ) -> Result<(), HubError> {
        let mut stack = vec![(start, ObjectKind::Commit, label.to_string())];
        while let Some((oid, kind, by)) = stack.pop() {
            if !seen.insert(oid) {
                continue;
            }
            if !known.objects.contains(&oid) {
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
                        && !known.pointer_served(&p)
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

/// What fsck learnt of a recorded Xet file.
struct XetFileFacts {
    size: u64,
    /// The sha256 of its bytes; None if they cannot be rebuilt (reported by the file check).
    sha256: Option<Sha256>,
}

/// What the ref walk of one repo checks against.
struct Known<'a> {
    repo_id: i64,
    objects: &'a HashSet<GitOid>,
    blobs: &'a HashMap<BlobKey, u64>,
    /// Every grant whose file is recorded and not shown to hash to something else (forged).
    xet_grants: &'a HashMap<(i64, Sha256), [u8; 32]>,
    xet_files: &'a HashMap<[u8; 32], XetFileFacts>,
}

impl Known<'_> {
    /// Whether an LFS pointer committed in this repo is served: by an LFS blob of its size, or
    /// by a Xet file of its size granted to that repo under its sha256 and not forged (damage
    /// to the file was reported by the file check, so it is not reported again here).
    fn pointer_served(&self, p: &LfsPointer) -> bool {
        if self.blobs.get(&BlobKey::Lfs(p.oid)) == Some(&p.size) {
            return true;
        }
        self.xet_grants
            .get(&(self.repo_id, p.oid))
            .and_then(|file| self.xet_files.get(file))
            .is_some_and(|f| f.size == p.size)
    }
}
