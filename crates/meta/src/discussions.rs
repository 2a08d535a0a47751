//! Discussions and pull requests with their events (comments, status and title changes, commits).
//!
//! Numbers come from the repo's pull-request sequence ([`MetaStore::next_pr_number`]), so a
//! discussion and a pull request never share a number. A change of status or title and the event
//! that records it are written in one transaction: the event list is the history of the row.

use commonhold_types::{DiscussionEventKind, DiscussionStatus, GitOid};
use sqlx::any::AnyRow;

use sqlx::{Any, Transaction};

use crate::MetaStore;
use crate::codec::{col, flag, now_ms, opt_oid, to_i64, to_u64};
use crate::error::{MetaError, missing_parent};
use crate::log::{append, next_seq};
use crate::refs::{read_ref, swap};

/// One discussion or pull request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discussion {
    pub repo_id: i64,
    pub num: u64,
    pub is_pr: bool,
    pub title: String,
    pub status: DiscussionStatus,
    /// The author's account name.
    pub author: String,
    /// The branch a pull request merges into (`refs/heads/main`).
    pub target_ref: Option<String>,
    /// The target's head when the pull request was opened: the base of a three-way merge.
    pub fork: Option<GitOid>,
    /// The commit that merged it.
    pub merge: Option<GitOid>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What to store for a new discussion; its number was taken from the sequence beforehand.
#[derive(Clone, Debug)]
pub struct NewDiscussion<'a> {
    pub repo_id: i64,
    pub num: u64,
    pub is_pr: bool,
    pub title: &'a str,
    pub status: DiscussionStatus,
    pub author: &'a str,
    pub target_ref: Option<&'a str>,
    pub fork: Option<GitOid>,
}

/// One event, its `data` a small JSON object whose shape depends on `kind`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscussionEvent {
    pub id: i64,
    pub kind: DiscussionEventKind,
    pub author: String,
    pub data: String,
    pub created_at: i64,
}

/// A change to the discussion row that goes with an event.
#[derive(Clone, Debug)]
pub enum DiscussionUpdate {
    None,
    Status {
        status: DiscussionStatus,
        merge: Option<GitOid>,
    },
    Title(String),
}

/// A pull request's merge: its target moves from `old` to `new`, and it becomes `merged`.
#[derive(Clone, Debug)]
pub struct PrMerge<'a> {
    pub repo_id: i64,
    pub num: u64,
    pub target_ref: &'a str,
    pub old: GitOid,
    pub new: GitOid,
    /// Who merged it, and what they said (a comment event before the status change).
    pub author: &'a str,
    pub comment: Option<&'a str>,
}

/// Why a merge did not take effect; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeRefused {
    /// The pull request is no longer open or draft (merged or closed meanwhile); its status.
    NotOpen(DiscussionStatus),
    /// The target is no longer at `old`; where it is now.
    TargetMoved(Option<GitOid>),
}

/// Which discussions a listing wants.
#[derive(Clone, Debug, Default)]
pub struct DiscussionFilter {
    /// Some(true): pull requests only; Some(false): discussions only.
    pub pull_requests: Option<bool>,
    /// Some(true): open (and draft) only; Some(false): closed and merged only.
    pub open: Option<bool>,
    pub author: Option<String>,
}

macro_rules! columns {
    () => {
        "repo_id, num, is_pr, title, status, author, target_ref, fork_oid, merge_oid, created_at"
    };
}

fn discussion(row: &AnyRow) -> Result<Discussion, MetaError> {
    Ok(Discussion {
        repo_id: col(row, "repo_id")?,
        num: to_u64(col(row, "num")?, "discussion number")?,
        is_pr: flag(row, "is_pr")?,
        title: col(row, "title")?,
        status: status_of(col(row, "status")?)?,
        author: col(row, "author")?,
        target_ref: col(row, "target_ref")?,
        fork: opt_oid(row, "fork_oid")?,
        merge: opt_oid(row, "merge_oid")?,
        created_at: col(row, "created_at")?,
    })
}

fn status_of(status: String) -> Result<DiscussionStatus, MetaError> {
    DiscussionStatus::parse(&status)
        .ok_or_else(|| MetaError::Corrupt(format!("discussion status {status:?}")))
}

fn event(row: &AnyRow) -> Result<DiscussionEvent, MetaError> {
    Ok(DiscussionEvent {
        id: col(row, "id")?,
        kind: {
            let kind: String = col(row, "kind")?;
            DiscussionEventKind::parse(&kind)
                .ok_or_else(|| MetaError::Corrupt(format!("discussion event kind {kind:?}")))?
        },
        author: col(row, "author")?,
        data: col(row, "data")?,
        created_at: col(row, "created_at")?,
    })
}

/// The WHERE clause of a listing and its bound values after `repo_id` ($1).
fn filter_clause(f: &DiscussionFilter) -> (String, Option<&str>) {
    let mut sql = String::from(" WHERE repo_id = $1");
    match f.pull_requests {
        Some(true) => sql.push_str(" AND is_pr = 1"),
        Some(false) => sql.push_str(" AND is_pr = 0"),
        None => {}
    }
    match f.open {
        Some(true) => sql.push_str(" AND status IN ('open', 'draft')"),
        Some(false) => sql.push_str(" AND status IN ('closed', 'merged')"),
        None => {}
    }
    let author = f.author.as_deref();
    if author.is_some() {
        sql.push_str(" AND author = $2");
    }
    (sql, author)
}

impl MetaStore {
    /// Stores a new discussion, with its opening comment when there is one.
    pub async fn insert_discussion(
        &self,
        d: &NewDiscussion<'_>,
        comment: Option<&str>,
    ) -> Result<Discussion, MetaError> {
        let now = now_ms();
        let num = to_i64(d.num, "discussion number")?;
        let mut tx = self.begin_write().await?;
        sqlx::query(concat!(
            "INSERT INTO discussions (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)"
        ))
        .bind(d.repo_id)
        .bind(num)
        .bind(i64::from(d.is_pr))
        .bind(d.title)
        .bind(d.status.as_str())
        .bind(d.author)
        .bind(d.target_ref)
        .bind(d.fork.map(|o| o.0.to_vec()))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| missing_parent(e, || format!("no repo with id {}", d.repo_id)))?;
        if let Some(text) = comment {
            let data = serde_json::json!({ "raw": text }).to_string();
            sqlx::query(
                "INSERT INTO discussion_events (repo_id, num, kind, author, data, created_at) \
                 VALUES ($1, $2, 'comment', $3, $4, $5)",
            )
            .bind(d.repo_id)
            .bind(num)
            .bind(d.author)
            .bind(data)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.discussion(d.repo_id, d.num)
            .await?
            .ok_or_else(|| MetaError::Corrupt(format!("discussion {} vanished", d.num)))
    }

    pub async fn discussion(
        &self,
        repo_id: i64,
        num: u64,
    ) -> Result<Option<Discussion>, MetaError> {
        let Ok(num) = i64::try_from(num) else {
            return Ok(None);
        };
        sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM discussions WHERE repo_id = $1 AND num = $2"
        ))
        .bind(repo_id)
        .bind(num)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(discussion)
        .transpose()
    }

    /// A page of discussions, newest first, with the number matching and the number closed.
    pub async fn list_discussions(
        &self,
        repo_id: i64,
        filter: &DiscussionFilter,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Discussion>, u64, u64), MetaError> {
        let (clause, author) = filter_clause(filter);
        let bind_author = author.is_some();
        let page_sql = format!(
            "SELECT {} FROM discussions{clause} ORDER BY num DESC LIMIT {} OFFSET {}",
            columns!(),
            to_i64(limit, "limit")?,
            to_i64(offset, "offset")?
        );
        // The clause is made of fixed fragments only; every value is bound.
        let mut page = sqlx::query(sqlx::AssertSqlSafe(page_sql)).bind(repo_id);
        if let Some(a) = author {
            page = page.bind(a);
        }
        let rows = page.fetch_all(&self.pool).await?;
        let list = rows.iter().map(discussion).collect::<Result<Vec<_>, _>>()?;
        let count_sql = format!(
            "SELECT COUNT(*) AS n, \
             COALESCE(SUM(CASE WHEN status IN ('closed', 'merged') THEN 1 ELSE 0 END), 0) AS closed \
             FROM discussions{clause}"
        );
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql)).bind(repo_id);
        if bind_author {
            count = count.bind(author);
        }
        let row = count.fetch_one(&self.pool).await?;
        let total = to_u64(col(&row, "n")?, "discussion count")?;
        let closed = to_u64(col(&row, "closed")?, "closed discussion count")?;
        Ok((list, total, closed))
    }

    /// Appends an event and applies the change that goes with it, atomically.
    pub async fn add_discussion_event(
        &self,
        repo_id: i64,
        num: u64,
        kind: DiscussionEventKind,
        author: &str,
        data: &str,
        update: DiscussionUpdate,
    ) -> Result<DiscussionEvent, MetaError> {
        let n = to_i64(num, "discussion number")?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let changed = match &update {
            DiscussionUpdate::None => None,
            // A merged pull request stays merged, whatever raced with its merge.
            DiscussionUpdate::Status { status, merge } => Some(
                sqlx::query(
                    "UPDATE discussions SET status = $1, merge_oid = COALESCE($2, merge_oid) \
                     WHERE repo_id = $3 AND num = $4 AND status <> 'merged'",
                )
                .bind(status.as_str())
                .bind(merge.map(|o| o.0.to_vec()))
                .bind(repo_id)
                .bind(n)
                .execute(&mut *tx)
                .await?,
            ),
            DiscussionUpdate::Title(title) => Some(
                sqlx::query("UPDATE discussions SET title = $1 WHERE repo_id = $2 AND num = $3")
                    .bind(title.as_str())
                    .bind(repo_id)
                    .bind(n)
                    .execute(&mut *tx)
                    .await?,
            ),
        };
        if changed.is_some_and(|r| r.rows_affected() == 0) {
            let status = status_in(&mut tx, repo_id, n).await?;
            tx.rollback().await?;
            return Err(match status {
                Some(_) => MetaError::Conflict(format!("#{num} is merged; it cannot change")),
                None => MetaError::NotFound(format!("no discussion #{num}")),
            });
        }
        let ev = insert_event(&mut tx, repo_id, n, kind, author, data, now).await?;
        tx.commit().await?;
        Ok(ev)
    }

    /// Merges a pull request: in ONE transaction its status goes from open (or draft) to
    /// `merged`, with the merge commit, the merger's comment and a status event, and its target
    /// moves from `old` to `new` with the commit-log entry. So two merges of one pull request
    /// cannot both land, and none lands for a pull request closed meanwhile. Returns the log
    /// position, or why nothing changed.
    pub async fn merge_pull_request(
        &self,
        m: &PrMerge<'_>,
    ) -> Result<Result<i64, MergeRefused>, MetaError> {
        let n = to_i64(m.num, "discussion number")?;
        let now = now_ms();
        let write = self.recent.write();
        let mut tx = self.begin_write().await?;
        // The log lock first, as every ref writer takes it (see crate::log).
        let seq = next_seq(&mut tx).await?;
        let opened = sqlx::query(
            "UPDATE discussions SET status = 'merged', merge_oid = $1 \
             WHERE repo_id = $2 AND num = $3 AND is_pr = 1 AND status IN ('open', 'draft')",
        )
        .bind(m.new.0.to_vec())
        .bind(m.repo_id)
        .bind(n)
        .execute(&mut *tx)
        .await?;
        if opened.rows_affected() == 0 {
            let status = status_in(&mut tx, m.repo_id, n).await?;
            tx.rollback().await?;
            let status =
                status.ok_or_else(|| MetaError::NotFound(format!("no pull request #{}", m.num)))?;
            return Ok(Err(MergeRefused::NotOpen(status)));
        }
        if !swap(
            &mut tx,
            &write,
            m.repo_id,
            m.target_ref,
            Some(m.old),
            Some(m.new),
        )
        .await?
        {
            let current = read_ref(&mut *tx, m.repo_id, m.target_ref).await?;
            tx.rollback().await?;
            return Ok(Err(MergeRefused::TargetMoved(current)));
        }
        append(
            &mut tx,
            seq,
            m.repo_id,
            m.target_ref,
            Some(m.old),
            Some(m.new),
        )
        .await?;
        if let Some(text) = m.comment {
            let data = serde_json::json!({ "raw": text }).to_string();
            let comment = DiscussionEventKind::Comment;
            insert_event(&mut tx, m.repo_id, n, comment, m.author, &data, now).await?;
        }
        let data = serde_json::json!({ "status": DiscussionStatus::Merged }).to_string();
        let change = DiscussionEventKind::StatusChange;
        insert_event(&mut tx, m.repo_id, n, change, m.author, &data, now).await?;
        tx.commit().await?;
        Ok(Ok(seq))
    }
}

/// A discussion's status, read inside a transaction.
async fn status_in(
    tx: &mut Transaction<'static, Any>,
    repo_id: i64,
    num: i64,
) -> Result<Option<DiscussionStatus>, MetaError> {
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM discussions WHERE repo_id = $1 AND num = $2")
            .bind(repo_id)
            .bind(num)
            .fetch_optional(&mut **tx)
            .await?;
    status.map(status_of).transpose()
}

/// Appends an event inside a transaction.
async fn insert_event(
    tx: &mut Transaction<'static, Any>,
    repo_id: i64,
    num: i64,
    kind: DiscussionEventKind,
    author: &str,
    data: &str,
    now: i64,
) -> Result<DiscussionEvent, MetaError> {
    let row = sqlx::query(
        "INSERT INTO discussion_events (repo_id, num, kind, author, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, kind, author, data, created_at",
    )
    .bind(repo_id)
    .bind(num)
    .bind(kind.as_str())
    .bind(author)
    .bind(data)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| missing_parent(e, || format!("no discussion #{num}")))?;
    event(&row)
}

impl MetaStore {
    /// A discussion's events, oldest first.
    pub async fn discussion_events(
        &self,
        repo_id: i64,
        num: u64,
    ) -> Result<Vec<DiscussionEvent>, MetaError> {
        let rows = sqlx::query(
            "SELECT id, kind, author, data, created_at FROM discussion_events \
             WHERE repo_id = $1 AND num = $2 ORDER BY id",
        )
        .bind(repo_id)
        .bind(to_i64(num, "discussion number")?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event).collect()
    }
}
