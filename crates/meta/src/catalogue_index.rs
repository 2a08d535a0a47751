//! The persisted part of the catalogue's search index: each repo's card text, read from its
//! README, which is the one thing the index needs that the `repos` row does not already hold.
//!
//! Every write takes the next `rev` from the single `catalogue_head` row, updated first in the
//! writing transaction, so revs grow in commit order (as the commit log's `seq` does) and a
//! server that remembers the largest rev it loaded picks up every later change, whichever
//! process made it, with [`MetaStore::catalogue_cards_since`].

use commonhold_types::GitOid;

use crate::MetaStore;
use crate::codec::{col, now_ms, opt_oid, to_i64};
use crate::error::MetaError;

/// A card text to store.
#[derive(Clone, Copy, Debug)]
pub struct CardWrite<'a> {
    pub repo_id: i64,
    /// The commit the text was read from (`None` when the repo has no `main`).
    pub sha: Option<GitOid>,
    pub text: &'a str,
}

/// One repo's stored card text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueCard {
    pub repo_id: i64,
    /// The commit the text was read from (`None` when the repo has no `main`).
    pub sha: Option<GitOid>,
    pub text: String,
    /// When it was written, in write order across every process.
    pub rev: i64,
}

impl MetaStore {
    /// Stores (or replaces) the card texts of several repos in one transaction, each with a
    /// rev of its own (so a reader paging by rev never skips one); returns how many were
    /// stored. Repos that no longer exist are skipped: a deleted repo needs no card.
    pub async fn put_catalogue_cards(&self, cards: &[CardWrite<'_>]) -> Result<usize, MetaError> {
        if cards.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let last: Option<i64> = sqlx::query_scalar(
            "UPDATE catalogue_head SET last_rev = last_rev + $1 WHERE id = 1 RETURNING last_rev",
        )
        .bind(to_i64(cards.len() as u64, "card count")?)
        .fetch_optional(&mut *tx)
        .await?;
        let last = last.ok_or_else(|| {
            MetaError::Corrupt("the catalogue index counter row is missing".to_string())
        })?;
        let mut rev = last - to_i64(cards.len() as u64, "card count")?;
        let mut stored = 0;
        let now = now_ms();
        for card in cards {
            rev += 1;
            let done = sqlx::query(
                "INSERT INTO catalogue_cards (repo_id, sha, card_text, rev, updated_at) \
                 SELECT id, $2, $3, $4, $5 FROM repos WHERE id = $1 \
                 ON CONFLICT (repo_id) DO UPDATE SET sha = excluded.sha, \
                 card_text = excluded.card_text, rev = excluded.rev, updated_at = excluded.updated_at",
            )
            .bind(card.repo_id)
            .bind(card.sha.map(|o| o.0.to_vec()))
            .bind(card.text)
            .bind(rev)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            stored += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Up to `limit` stored cards with `rev > after_rev`, in rev order.
    pub async fn catalogue_cards_since(
        &self,
        after_rev: i64,
        limit: u64,
    ) -> Result<Vec<CatalogueCard>, MetaError> {
        let rows = sqlx::query(
            "SELECT repo_id, sha, card_text, rev FROM catalogue_cards \
             WHERE rev > $1 ORDER BY rev LIMIT $2",
        )
        .bind(after_rev)
        .bind(to_i64(limit, "limit")?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CatalogueCard {
                    repo_id: col(row, "repo_id")?,
                    sha: opt_oid(row, "sha")?,
                    text: col(row, "card_text")?,
                    rev: col(row, "rev")?,
                })
            })
            .collect()
    }

    /// The largest rev handed out so far (0 before the first write): one cheap read that tells a
    /// server whether its loaded index is behind.
    pub async fn catalogue_rev(&self) -> Result<i64, MetaError> {
        let rev: Option<i64> =
            sqlx::query_scalar("SELECT last_rev FROM catalogue_head WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(rev.unwrap_or(0))
    }
}
