//! Discussions and pull requests: opening them, comments, status and title changes, and merging
//! a pull request into its target branch.
//!
//! A pull request's commits live on `refs/pr/{num}`, which starts at the target branch's head
//! (its *fork* point). Merging fast-forwards the target when it has not moved since; otherwise it
//! is a three-way merge of file maps (fork, target head, PR head) written as a merge commit with
//! both heads as parents, refused with the list of conflicting files when both sides changed the
//! same path differently. The target moves by compare-and-swap, like every commit.

use std::collections::BTreeMap;

use commonhold_gitmodel::EntryMode;
use commonhold_meta::{
    Account, Discussion, DiscussionEvent, DiscussionFilter, DiscussionUpdate, MergeRefused,
    NewDiscussion, PrMerge, Repo,
};
use commonhold_types::{
    DiscussionEventKind, DiscussionStatus, GitOid, MAIN_REF, RefName, RepoPath,
};
use serde_json::json;

use crate::{Hub, HubError};

/// Title length the Hub accepts.
const TITLE_CHARS: std::ops::RangeInclusive<usize> = 3..=200;
/// Most comment text stored.
const MAX_COMMENT_BYTES: usize = 64 * 1024;
/// How often a merge is retried when the target branch moves under it.
const MERGE_ATTEMPTS: u32 = 8;

type FileMap = BTreeMap<RepoPath, (EntryMode, GitOid)>;

/// How a path differs between a pull request and its fork point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

impl Change {
    /// `added`, `modified` or `deleted`.
    pub fn label(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Modified => "modified",
            Change::Deleted => "deleted",
        }
    }
}

/// What a pull request changes, and which of those paths its target also changed differently.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrChanges {
    pub changes: Vec<(String, Change)>,
    pub conflicts: Vec<String>,
}

/// A discussion with everything its details page shows.
#[derive(Clone, Debug)]
pub struct DiscussionDetails {
    pub discussion: Discussion,
    pub events: Vec<DiscussionEvent>,
    /// For pull requests that are not merged or closed.
    pub changes: Option<PrChanges>,
}

fn check_title(title: &str) -> Result<&str, HubError> {
    let t = title.trim();
    if TITLE_CHARS.contains(&t.chars().count()) {
        Ok(t)
    } else {
        Err(HubError::BadRequest(format!(
            "a title has {} to {} characters",
            TITLE_CHARS.start(),
            TITLE_CHARS.end()
        )))
    }
}

fn check_comment(text: &str) -> Result<&str, HubError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(HubError::BadRequest("the comment is empty".into()));
    }
    if t.len() > MAX_COMMENT_BYTES {
        return Err(HubError::BadRequest(format!(
            "a comment has at most {MAX_COMMENT_BYTES} bytes"
        )));
    }
    Ok(t)
}

fn pr_num_of(ref_name: &str) -> Option<u64> {
    match RefName::parse(ref_name)? {
        RefName::PullRequest(n) => Some(n),
        _ => None,
    }
}

/// The paths `theirs` changed relative to `base`.
fn diff(base: &FileMap, theirs: &FileMap) -> Vec<(RepoPath, Change)> {
    let mut out = Vec::new();
    for (path, entry) in theirs {
        match base.get(path) {
            None => out.push((path.clone(), Change::Added)),
            Some(b) if b != entry => out.push((path.clone(), Change::Modified)),
            Some(_) => {}
        }
    }
    for path in base.keys() {
        if !theirs.contains_key(path) {
            out.push((path.clone(), Change::Deleted));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The three-way merge of file maps: the PR's changes applied to `target`, or the paths that
/// both sides changed differently.
fn merge_files(fork: &FileMap, target: &FileMap, pr: &FileMap) -> Result<FileMap, Vec<String>> {
    let mut merged = target.clone();
    let mut conflicts = Vec::new();
    for (path, _) in diff(fork, pr) {
        let ours = target.get(&path);
        let theirs = pr.get(&path);
        if ours == theirs {
            continue;
        }
        if ours != fork.get(&path) {
            conflicts.push(path.as_str().to_string());
            continue;
        }
        match theirs {
            Some(entry) => merged.insert(path, *entry),
            None => merged.remove(&path),
        };
    }
    if conflicts.is_empty() {
        Ok(merged)
    } else {
        Err(conflicts)
    }
}

impl Hub {
    /// Opens a discussion, or a draft pull request whose ref starts at the head of `main`.
    pub async fn open_discussion(
        &self,
        repo: &Repo,
        author: &Account,
        title: &str,
        description: &str,
        pull_request: bool,
    ) -> Result<Discussion, HubError> {
        let title = check_title(title)?;
        let description = description.trim();
        let (target, fork) = if pull_request {
            let target = MAIN_REF;
            let head = self.meta.get_ref(repo.id, target).await?.ok_or_else(|| {
                HubError::RevisionNotFound("main: the repo has no main branch to merge into".into())
            })?;
            (Some(target), Some(head))
        } else {
            (None, None)
        };
        let num = self.meta.next_pr_number(repo.id).await?;
        if let Some(head) = fork {
            let pr_ref = RefName::PullRequest(num);
            let created = self
                .meta
                .update_ref(repo.id, &pr_ref.to_string(), None, Some(head))
                .await?;
            if created.is_err() {
                return Err(HubError::Conflict(format!(
                    "{pr_ref} already exists; retry"
                )));
            }
        }
        let d = NewDiscussion {
            repo_id: repo.id,
            num,
            is_pr: pull_request,
            title,
            status: if pull_request {
                DiscussionStatus::Draft
            } else {
                DiscussionStatus::Open
            },
            author: &author.name,
            target_ref: target,
            fork,
        };
        let comment = (!description.is_empty()).then_some(description);
        Ok(self.meta.insert_discussion(&d, comment).await?)
    }

    /// Records the pull request a commit with `create_pr` opened (its ref already exists).
    pub(crate) async fn record_commit_pr(
        &self,
        repo: &Repo,
        author: &Account,
        num: u64,
        summary: &str,
        target: &str,
        fork: GitOid,
    ) -> Result<(), HubError> {
        let title: String = summary.trim().chars().take(*TITLE_CHARS.end()).collect();
        let d = NewDiscussion {
            repo_id: repo.id,
            num,
            is_pr: true,
            title: if title.is_empty() {
                "Pull request"
            } else {
                &title
            },
            status: DiscussionStatus::Open,
            author: &author.name,
            target_ref: Some(target),
            fork: Some(fork),
        };
        self.meta.insert_discussion(&d, None).await?;
        Ok(())
    }

    /// Adds a commit event to the pull request whose ref a commit moved.
    pub(crate) async fn record_pr_commit(
        &self,
        repo: &Repo,
        author: &Account,
        ref_name: &str,
        oid: &GitOid,
        summary: &str,
    ) -> Result<(), HubError> {
        let Some(num) = pr_num_of(ref_name) else {
            return Ok(());
        };
        if self.meta.discussion(repo.id, num).await?.is_none() {
            return Ok(());
        }
        let data = json!({ "subject": summary.trim(), "oid": oid.to_hex() }).to_string();
        self.meta
            .add_discussion_event(
                repo.id,
                num,
                DiscussionEventKind::Commit,
                &author.name,
                &data,
                DiscussionUpdate::None,
            )
            .await?;
        Ok(())
    }

    /// A discussion, or `EntryNotFound`.
    pub async fn discussion(&self, repo: &Repo, num: u64) -> Result<Discussion, HubError> {
        self.meta
            .discussion(repo.id, num)
            .await?
            .ok_or_else(|| HubError::EntryNotFound(format!("Discussion #{num} not found")))
    }

    pub async fn discussion_details(
        &self,
        repo: &Repo,
        num: u64,
    ) -> Result<DiscussionDetails, HubError> {
        let discussion = self.discussion(repo, num).await?;
        let events = self.meta.discussion_events(repo.id, num).await?;
        let changes = if discussion.is_pr && discussion.status.is_open() {
            Some(self.pr_changes(repo, &discussion).await?)
        } else {
            None
        };
        Ok(DiscussionDetails {
            discussion,
            events,
            changes,
        })
    }

    pub async fn list_discussions(
        &self,
        repo: &Repo,
        filter: &DiscussionFilter,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Discussion>, u64, u64), HubError> {
        Ok(self
            .meta
            .list_discussions(repo.id, filter, offset, limit)
            .await?)
    }

    pub async fn comment_discussion(
        &self,
        repo: &Repo,
        author: &Account,
        num: u64,
        text: &str,
    ) -> Result<DiscussionEvent, HubError> {
        let text = check_comment(text)?;
        self.discussion(repo, num).await?;
        let data = json!({ "raw": text }).to_string();
        Ok(self
            .meta
            .add_discussion_event(
                repo.id,
                num,
                DiscussionEventKind::Comment,
                &author.name,
                &data,
                DiscussionUpdate::None,
            )
            .await?)
    }

    pub async fn rename_discussion(
        &self,
        repo: &Repo,
        author: &Account,
        num: u64,
        title: &str,
    ) -> Result<DiscussionEvent, HubError> {
        let title = check_title(title)?;
        let d = self.discussion(repo, num).await?;
        let data = json!({ "from": d.title, "to": title }).to_string();
        Ok(self
            .meta
            .add_discussion_event(
                repo.id,
                num,
                DiscussionEventKind::TitleChange,
                &author.name,
                &data,
                DiscussionUpdate::Title(title.to_string()),
            )
            .await?)
    }

    /// Opens or closes a discussion (a merged pull request stays merged).
    pub async fn set_discussion_status(
        &self,
        repo: &Repo,
        author: &Account,
        num: u64,
        status: &str,
        comment: Option<&str>,
    ) -> Result<DiscussionEvent, HubError> {
        let status = match DiscussionStatus::parse(status) {
            Some(s @ (DiscussionStatus::Open | DiscussionStatus::Closed)) => s,
            _ => {
                return Err(HubError::BadRequest(format!(
                    "status {status:?}: use \"open\" or \"closed\""
                )));
            }
        };
        let d = self.discussion(repo, num).await?;
        if d.status == DiscussionStatus::Merged {
            return Err(HubError::Conflict(format!(
                "#{num} is merged; its status cannot change"
            )));
        }
        if let Some(text) = comment.filter(|c| !c.trim().is_empty()) {
            self.comment_discussion(repo, author, num, text).await?;
        }
        self.status_event(repo, author, num, status).await
    }

    async fn status_event(
        &self,
        repo: &Repo,
        author: &Account,
        num: u64,
        status: DiscussionStatus,
    ) -> Result<DiscussionEvent, HubError> {
        let data = json!({ "status": status }).to_string();
        let update = DiscussionUpdate::Status {
            status,
            merge: None,
        };
        let kind = DiscussionEventKind::StatusChange;
        Ok(self
            .meta
            .add_discussion_event(repo.id, num, kind, &author.name, &data, update)
            .await?)
    }

    /// The fork, target-head and PR-head file maps of an open pull request.
    async fn pr_sides(
        &self,
        repo: &Repo,
        d: &Discussion,
    ) -> Result<(GitOid, FileMap, GitOid, FileMap, GitOid, FileMap), HubError> {
        let corrupt = || HubError::internal(format!("pull request #{} has no fork point", d.num));
        let fork = d.fork.ok_or_else(corrupt)?;
        let target_ref = d.target_ref.as_deref().ok_or_else(corrupt)?;
        let target = self
            .meta
            .get_ref(repo.id, target_ref)
            .await?
            .ok_or_else(|| {
                HubError::Conflict(format!("the target branch {target_ref} no longer exists"))
            })?;
        let head = self
            .meta
            .get_ref(repo.id, &RefName::PullRequest(d.num).to_string())
            .await?
            .ok_or_else(|| {
                HubError::internal(format!("{} is missing", RefName::PullRequest(d.num)))
            })?;
        let files = |oid: GitOid| async move {
            let root = self.root_tree(&oid).await?;
            self.flat_files(&root).await
        };
        Ok((
            fork,
            files(fork).await?,
            target,
            files(target).await?,
            head,
            files(head).await?,
        ))
    }

    /// What an open pull request changes and where it conflicts with its target.
    pub async fn pr_changes(&self, repo: &Repo, d: &Discussion) -> Result<PrChanges, HubError> {
        let (_, fork, _, target, _, head) = self.pr_sides(repo, d).await?;
        let changes = diff(&fork, &head)
            .into_iter()
            .map(|(p, c)| (p.as_str().to_string(), c))
            .collect();
        let conflicts = merge_files(&fork, &target, &head).err().unwrap_or_default();
        Ok(PrChanges { changes, conflicts })
    }

    /// Merges an open pull request into its target branch; returns the target's new head.
    pub async fn merge_pr(
        &self,
        repo: &Repo,
        author: &Account,
        num: u64,
        comment: Option<&str>,
    ) -> Result<GitOid, HubError> {
        let d = self.discussion(repo, num).await?;
        if !d.is_pr {
            return Err(HubError::BadRequest(format!(
                "#{num} is a discussion, not a pull request"
            )));
        }
        if !d.status.is_open() {
            return Err(HubError::Conflict(format!(
                "pull request #{num} is {}; only open pull requests merge",
                d.status
            )));
        }
        let target_ref = d.target_ref.clone().unwrap_or_default();
        for _ in 0..MERGE_ATTEMPTS {
            let (fork_oid, fork, target_oid, target, head_oid, head) =
                self.pr_sides(repo, &d).await?;
            if head_oid == fork_oid {
                return Err(HubError::BadRequest(format!(
                    "pull request #{num} has no commits to merge"
                )));
            }
            let new_head = if target_oid == fork_oid {
                head_oid
            } else {
                let merged = merge_files(&fork, &target, &head).map_err(|files| {
                    HubError::Conflict(format!(
                        "pull request #{num} conflicts with {target_ref} in: {}",
                        files.join(", ")
                    ))
                })?;
                let message = format!("Merge pull request #{num}: {}\n", d.title);
                self.store_commit(
                    author,
                    &merged,
                    Vec::new(),
                    vec![target_oid, head_oid],
                    message,
                )
                .await?
            };
            let comment = comment.map(str::trim).filter(|c| !c.is_empty());
            if let Some(text) = comment {
                check_comment(text)?;
            }
            let merge = PrMerge {
                repo_id: repo.id,
                num,
                target_ref: &target_ref,
                old: target_oid,
                new: new_head,
                author: &author.name,
                comment,
            };
            match self.meta.merge_pull_request(&merge).await? {
                Ok(seq) => {
                    if target_ref == MAIN_REF {
                        self.refresh_summary(repo, &new_head, seq).await?;
                    }
                    return Ok(new_head);
                }
                Err(MergeRefused::NotOpen(status)) => {
                    return Err(HubError::Conflict(format!(
                        "pull request #{num} is {status}; only open pull requests merge"
                    )));
                }
                // The target moved under us: merge again against its new head.
                Err(MergeRefused::TargetMoved(_)) => continue,
            }
        }
        Err(HubError::Conflict(format!(
            "{target_ref} kept moving during the merge; retry"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, u8)]) -> FileMap {
        entries
            .iter()
            .map(|(p, b)| {
                (
                    RepoPath::new(p).unwrap(),
                    (EntryMode::File, GitOid([*b; 20])),
                )
            })
            .collect()
    }

    #[test]
    fn three_way_merge_applies_the_pr_and_names_conflicts() {
        let fork = map(&[("a", 1), ("b", 1), ("c", 1)]);
        // The target edited b; the PR edited a, deleted c, added d.
        let target = map(&[("a", 1), ("b", 2), ("c", 1)]);
        let pr = map(&[("a", 3), ("b", 1), ("d", 4)]);
        let merged = merge_files(&fork, &target, &pr).unwrap();
        assert_eq!(merged, map(&[("a", 3), ("b", 2), ("d", 4)]));
        assert_eq!(
            diff(&fork, &pr)
                .into_iter()
                .map(|(p, c)| (p.as_str().to_string(), c))
                .collect::<Vec<_>>(),
            [
                ("a".to_string(), Change::Modified),
                ("c".to_string(), Change::Deleted),
                ("d".to_string(), Change::Added),
            ]
        );

        // Both sides changed a, differently: a conflict. The same change on both sides is not.
        let target = map(&[("a", 5), ("b", 1), ("c", 1), ("d", 4)]);
        assert_eq!(merge_files(&fork, &target, &pr), Err(vec!["a".to_string()]));
        let target = map(&[("a", 3), ("b", 1)]);
        assert_eq!(
            merge_files(&fork, &target, &pr).unwrap(),
            map(&[("a", 3), ("b", 1), ("d", 4)])
        );
    }
}
