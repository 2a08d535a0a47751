//! The audit trail: an append-only, hash-chained log of who was given what, and who changed
//! who may see or fetch what.
//!
//! Each event's hash covers the previous event's hash and the event's own fields, so an edited,
//! deleted or reordered event breaks the chain where it happened. A chain recomputed from some
//! point on, or cut short with the head row rewritten, still verifies on its own: that is what
//! checkpoints are for. A [`Checkpoint`] (head seq and hash, time) signed with a key from the
//! configuration and kept outside the database pins the chain as it was; verifying against it
//! finds any later rewrite of what it covers.
//!
//! Appends are serialised by the database (the single `audit_head` row is updated first in the
//! appending transaction), never by a lock in one process, so several server processes append
//! to one chain; an event can be appended in the transaction of the change it records, so the
//! change and its record commit together or not at all.

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

use crate::MetaStore;
use crate::codec::{col, now_ms, to_i64};
use crate::error::MetaError;

/// The hash before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. Stored by its name ([`AuditAction::as_str`]); names never change meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    TokenCreated,
    TokenRevoked,
    VisibilityChanged,
    RepoMoved,
    RepoDeleted,
    MemberAdded,
    MemberRemoved,
    Pruned,
    GatingChanged,
    AccessRequested,
    AccessAccepted,
    AccessRejected,
    AccessCancelled,
    AccessGranted,
    AccessExpiryChanged,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::TokenCreated => "token.created",
            AuditAction::TokenRevoked => "token.revoked",
            AuditAction::VisibilityChanged => "repo.visibility",
            AuditAction::RepoMoved => "repo.moved",
            AuditAction::RepoDeleted => "repo.deleted",
            AuditAction::MemberAdded => "org.member_added",
            AuditAction::MemberRemoved => "org.member_removed",
            AuditAction::Pruned => "audit.pruned",
            AuditAction::GatingChanged => "repo.gating",
            AuditAction::AccessRequested => "access.requested",
            AuditAction::AccessAccepted => "access.accepted",
            AuditAction::AccessRejected => "access.rejected",
            AuditAction::AccessCancelled => "access.cancelled",
            AuditAction::AccessGranted => "access.granted",
            AuditAction::AccessExpiryChanged => "access.expiry",
        }
    }
}

/// An event to append. `actor` is an account name (`None`: the hub itself, or an administrator
/// at the command line); `repo` is `type/ns/name`. Never put a token value in `detail`.
#[derive(Clone, Debug)]
pub struct NewAuditEvent {
    pub actor: Option<String>,
    pub action: AuditAction,
    pub repo: Option<String>,
    pub detail: serde_json::Value,
}

/// A stored event, exactly as hashed. `action` stays text so that a chain written by a newer
/// version still verifies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub repo: Option<String>,
    /// Compact JSON, as stored and hashed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event must carry after `prev_hash`: SHA-256 over a versioned, line-separated
    /// encoding. No field can contain a newline (names are validated, `detail` is compact JSON),
    /// and an absent actor or repo is empty, which no name is.
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(
            format!(
                "commonhold-audit-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
                self.prev_hash,
                self.seq,
                self.at,
                self.actor.as_deref().unwrap_or(""),
                self.action,
                self.repo.as_deref().unwrap_or(""),
                self.detail
            )
            .as_bytes(),
        );
        hex::encode(h.finalize())
    }
}

/// Where the chain stands: its last event, and where the retained part starts (retention deletes
/// a prefix; `pruned_hash` is the hash of the last deleted event, `GENESIS_HASH` if none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub pruned_seq: i64,
    pub pruned_hash: String,
}

/// The first place the chain is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event {}: {}", self.seq, self.reason)
    }
}

/// Checks events one at a time, in `seq` order, so a chain of any length verifies in bounded
/// memory.
#[derive(Debug)]
pub struct ChainCheck {
    next_seq: i64,
    prev_hash: String,
    checkpoint: Option<(i64, String)>,
    checkpoint_seen: bool,
}

impl ChainCheck {
    /// A check of the retained chain, optionally against a checkpoint's `(seq, hash)`. A
    /// checkpoint at or before the retention boundary is compared with the boundary by the
    /// caller ([`MetaStore::verify_audit`]); the events it covered are gone.
    pub fn new(head: &AuditHead, checkpoint: Option<(i64, String)>) -> ChainCheck {
        let checkpoint_seen = checkpoint
            .as_ref()
            .is_none_or(|(seq, _)| *seq <= head.pruned_seq);
        ChainCheck {
            next_seq: head.pruned_seq + 1,
            prev_hash: head.pruned_hash.clone(),
            checkpoint,
            checkpoint_seen,
        }
    }

    pub fn check(&mut self, e: &AuditEvent) -> Result<(), BrokenLink> {
        let broken = |reason: String| BrokenLink { seq: e.seq, reason };
        if e.seq != self.next_seq {
            return Err(BrokenLink {
                seq: self.next_seq,
                reason: format!(
                    "missing: the next stored event is {} (deleted or reordered events)",
                    e.seq
                ),
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(broken(
                "its previous-hash link does not match the event before it".into(),
            ));
        }
        if e.expected_hash() != e.hash {
            return Err(broken("its contents do not match its hash (edited)".into()));
        }
        if let Some((seq, hash)) = &self.checkpoint
            && *seq == e.seq
        {
            if *hash != e.hash {
                return Err(broken(
                    "differs from the signed checkpoint (the chain was rewritten from here or \
                     earlier)"
                        .into(),
                ));
            }
            self.checkpoint_seen = true;
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&e.hash);
        Ok(())
    }

    /// After the last event up to `head.seq`: the head row must name it, and a checkpoint must
    /// have been passed (a chain shorter than its checkpoint was truncated).
    pub fn finish(self, head: &AuditHead) -> Result<(), BrokenLink> {
        if self.next_seq - 1 != head.seq {
            return Err(BrokenLink {
                seq: self.next_seq,
                reason: format!(
                    "missing: the head says the chain ends at event {}, the stored events end at {}",
                    head.seq,
                    self.next_seq - 1
                ),
            });
        }
        if self.prev_hash != head.hash {
            return Err(BrokenLink {
                seq: head.seq,
                reason: "the head's hash does not match the last event".into(),
            });
        }
        if !self.checkpoint_seen
            && let Some((seq, _)) = self.checkpoint
        {
            return Err(BrokenLink {
                seq: head.seq + 1,
                reason: format!(
                    "truncated: the signed checkpoint covers events up to {seq}, the chain ends at {}",
                    head.seq
                ),
            });
        }
        Ok(())
    }
}

/// A signed statement of the chain's head at a moment, kept outside the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// Unix milliseconds.
    pub at: i64,
    /// HMAC-SHA-256 (hex) over the fields above with the configured audit key.
    pub signature: String,
}

impl Checkpoint {
    fn mac(key: &[u8], seq: i64, hash: &str, at: i64) -> hmac::Hmac<Sha256> {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key)
            .expect("HMAC-SHA-256 accepts keys of any length");
        mac.update(format!("commonhold-audit-checkpoint-v1\n{seq}\n{hash}\n{at}").as_bytes());
        mac
    }

    pub fn sign(head: &AuditHead, key: &[u8]) -> Checkpoint {
        let at = now_ms();
        Checkpoint {
            seq: head.seq,
            hash: head.hash.clone(),
            at,
            signature: hex::encode(
                Self::mac(key, head.seq, &head.hash, at)
                    .finalize()
                    .into_bytes(),
            ),
        }
    }

    /// Whether the signature was made with `key` over these fields.
    pub fn is_signed_by(&self, key: &[u8]) -> bool {
        let Ok(signature) = hex::decode(&self.signature) else {
            return false;
        };
        Self::mac(key, self.seq, &self.hash, self.at)
            .verify_slice(&signature)
            .is_ok()
    }
}

/// What a verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// Events checked (the retained chain up to the head read at the start).
    pub checked: u64,
    pub head: AuditHead,
    pub broken: Option<BrokenLink>,
}

const PAGE: u64 = 1000;

/// Appends `event` in the caller's transaction: it commits or rolls back with the change it
/// records. Takes the head row first, which serialises appends across processes.
pub(crate) async fn append_in(
    tx: &mut Transaction<'static, Any>,
    event: &NewAuditEvent,
) -> Result<AuditEvent, MetaError> {
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| MetaError::Corrupt("the audit head row is missing".to_string()))?;
    let mut stored = AuditEvent {
        seq: col(&row, "seq")?,
        at: now_ms(),
        actor: event.actor.clone(),
        action: event.action.as_str().to_string(),
        repo: event.repo.clone(),
        detail: serde_json::to_string(&event.detail)
            .map_err(|e| MetaError::Corrupt(format!("audit detail: {e}")))?,
        prev_hash: col(&row, "hash")?,
        hash: String::new(),
    };
    stored.hash = stored.expected_hash();
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor, action, repo, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(stored.seq)
    .bind(stored.at)
    .bind(stored.actor.clone())
    .bind(&stored.action)
    .bind(stored.repo.clone())
    .bind(&stored.detail)
    .bind(&stored.prev_hash)
    .bind(&stored.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&stored.hash)
        .execute(&mut **tx)
        .await?;
    Ok(stored)
}

fn event_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEvent, MetaError> {
    Ok(AuditEvent {
        seq: col(row, "seq")?,
        at: col(row, "at")?,
        actor: col(row, "actor")?,
        action: col(row, "action")?,
        repo: col(row, "repo")?,
        detail: col(row, "detail")?,
        prev_hash: col(row, "prev_hash")?,
        hash: col(row, "hash")?,
    })
}

impl MetaStore {
    /// Appends one event in a transaction of its own.
    pub async fn append_audit(&self, event: &NewAuditEvent) -> Result<AuditEvent, MetaError> {
        let mut tx = self.begin_write().await?;
        let stored = append_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn audit_head(&self) -> Result<AuditHead, MetaError> {
        let row =
            sqlx::query("SELECT seq, hash, pruned_seq, pruned_hash FROM audit_head WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| MetaError::Corrupt("the audit head row is missing".to_string()))?;
        Ok(AuditHead {
            seq: col(&row, "seq")?,
            hash: col(&row, "hash")?,
            pruned_seq: col(&row, "pruned_seq")?,
            pruned_hash: col(&row, "pruned_hash")?,
        })
    }

    /// Up to `limit` events after `after_seq`, in order; only those at or after `since_ms` and
    /// only those of `repo` (`type/ns/name`) when given.
    pub async fn audit_events(
        &self,
        after_seq: i64,
        since_ms: Option<i64>,
        repo: Option<&str>,
        limit: u64,
    ) -> Result<Vec<AuditEvent>, MetaError> {
        let since = since_ms.unwrap_or(i64::MIN);
        let limit = to_i64(limit, "limit")?;
        let query = match repo {
            Some(repo) => sqlx::query(
                "SELECT seq, at, actor, action, repo, detail, prev_hash, hash FROM audit_events \
                 WHERE seq > $1 AND at >= $2 AND repo = $4 ORDER BY seq LIMIT $3",
            )
            .bind(after_seq)
            .bind(since)
            .bind(limit)
            .bind(repo.to_string()),
            None => sqlx::query(
                "SELECT seq, at, actor, action, repo, detail, prev_hash, hash FROM audit_events \
                 WHERE seq > $1 AND at >= $2 ORDER BY seq LIMIT $3",
            )
            .bind(after_seq)
            .bind(since)
            .bind(limit),
        };
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Walks the retained chain up to the current head, a page at a time, and reports the first
    /// broken link; with `checkpoint`, also that the chain still holds what it pinned.
    pub async fn verify_audit(
        &self,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<AuditReport, MetaError> {
        let head = self.audit_head().await?;
        let mut check = ChainCheck::new(&head, checkpoint.map(|c| (c.seq, c.hash.clone())));
        if let Some(c) = checkpoint
            && c.seq == head.pruned_seq
            && c.seq > 0
            && c.hash != head.pruned_hash
        {
            return Ok(AuditReport {
                checked: 0,
                broken: Some(BrokenLink {
                    seq: c.seq,
                    reason: "differs from the signed checkpoint at the retention boundary".into(),
                }),
                head,
            });
        }
        let mut after = head.pruned_seq;
        let mut checked = 0u64;
        loop {
            let page = self.audit_events(after, None, None, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in page.iter().take_while(|e| e.seq <= head.seq) {
                if let Err(broken) = check.check(e) {
                    return Ok(AuditReport {
                        checked,
                        head,
                        broken: Some(broken),
                    });
                }
                checked += 1;
            }
            if after >= head.seq {
                break;
            }
        }
        let broken = check.finish(&head).err();
        Ok(AuditReport {
            checked,
            head,
            broken,
        })
    }

    /// Deletes the events older than `before_ms` (retention), keeps where the chain now starts,
    /// and records the deletion itself as an event. Returns how many events were deleted.
    pub async fn prune_audit(&self, before_ms: i64, actor: Option<&str>) -> Result<u64, MetaError> {
        let mut tx = self.begin_write().await?;
        // Take the head first, as appends do, so no append interleaves with the cut.
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let cut = sqlx::query(
            "SELECT seq, hash FROM audit_events WHERE at < $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(before_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(cut) = cut else {
            tx.rollback().await?;
            return Ok(0);
        };
        let (cut_seq, cut_hash): (i64, String) = (col(&cut, "seq")?, col(&cut, "hash")?);
        let deleted = sqlx::query("DELETE FROM audit_events WHERE seq <= $1")
            .bind(cut_seq)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("UPDATE audit_head SET pruned_seq = $1, pruned_hash = $2 WHERE id = 1")
            .bind(cut_seq)
            .bind(&cut_hash)
            .execute(&mut *tx)
            .await?;
        append_in(
            &mut tx,
            &NewAuditEvent {
                actor: actor.map(str::to_string),
                action: AuditAction::Pruned,
                repo: None,
                detail: serde_json::json!({
                    "deleted_through_seq": cut_seq,
                    "deleted_events": deleted,
                    "before_ms": before_ms,
                    "boundary_hash": cut_hash,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }
}
