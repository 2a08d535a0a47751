//! Keeps the catalogue's persisted search index current: the card text of each repo's `main`,
//! stored in the metadata database (`MetaStore::put_catalogue_card`), so that servers load the
//! index at start without reading a single README.
//!
//! A follower reads the durable commit log from its own cursor, as the assessor does: for each
//! repo whose `main` moved in a batch it stores the README of the new head, then advances the
//! cursor, so a crash redoes at most one batch (writes are idempotent). Everything else the index
//! shows (name, tags, card metadata, visibility, openness, downloads) is in the repo's row and
//! current there. [`Hub::reindex_catalogue`] recomputes every repo's text from its refs, for
//! `commonhold reindex` after a restore or a wipe.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use commonhold_gitmodel::EntryMode;
use commonhold_meta::CardWrite;
use commonhold_types::GitOid;

use crate::{Hub, HubError};

const CONSUMER: &str = "catalogue";
const BATCH: u64 = 200;
const MAIN: &str = commonhold_types::MAIN_REF;
/// Largest README read, for cards, pages and the search index.
pub const MAX_README_BYTES: u64 = 1 << 20;
/// Card text kept per repo for full-text search.
const CARD_TEXT_MAX: usize = 64 * 1024;

impl Hub {
    /// The `README.md` at a commit, when it is a regular (non-LFS) UTF-8 file of at most
    /// [`MAX_README_BYTES`] (a larger one is not read at all).
    pub async fn readme(&self, commit: &GitOid) -> Result<Option<String>, HubError> {
        let root = self.root_tree(commit).await?;
        let Some((EntryMode::File | EntryMode::Executable, oid)) =
            self.lookup(&root, "README.md").await?
        else {
            return Ok(None);
        };
        let info = self.blob_info(&oid).await?;
        if info.lfs.is_some() || info.size > MAX_README_BYTES {
            return Ok(None);
        }
        Ok(String::from_utf8(self.blob_content(&oid).await?).ok())
    }

    /// The text the catalogue indexes for a commit: its README, cut at [`CARD_TEXT_MAX`] bytes,
    /// without NUL characters (PostgreSQL text cannot hold them); empty when there is none.
    pub async fn catalogue_card_text(&self, commit: &GitOid) -> Result<String, HubError> {
        let Some(text) = self.readme(commit).await? else {
            return Ok(String::new());
        };
        let mut cut = text.len().min(CARD_TEXT_MAX);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        Ok(text.get(..cut).unwrap_or_default().replace('\0', ""))
    }

    /// The card text of a repo whose `main` is `head` (empty for none).
    async fn card_at(&self, repo_id: i64, head: Option<&GitOid>) -> String {
        let Some(commit) = head else {
            return String::new();
        };
        match self.catalogue_card_text(commit).await {
            Ok(t) => t,
            // A damaged commit must not stall the follower; fsck reports the damage and
            // `commonhold reindex` retries after a repair.
            Err(e) => {
                tracing::warn!(repo_id, commit = %commit.to_hex(), error = %e, "cannot read the card for the catalogue");
                String::new()
            }
        }
    }

    /// Reads and stores the cards of `(repo id, head)` pairs in one transaction.
    async fn store_cards(&self, heads: &[(i64, Option<GitOid>)]) -> Result<(), HubError> {
        let mut texts = Vec::with_capacity(heads.len());
        for (repo_id, head) in heads {
            texts.push(self.card_at(*repo_id, head.as_ref()).await);
        }
        let writes: Vec<CardWrite<'_>> = heads
            .iter()
            .zip(&texts)
            .map(|((repo_id, sha), text)| CardWrite {
                repo_id: *repo_id,
                sha: *sha,
                text,
            })
            .collect();
        self.meta.put_catalogue_cards(&writes).await?;
        Ok(())
    }

    /// Processes one batch of the commit log; returns how many entries it consumed.
    pub async fn index_catalogue_pending(&self) -> Result<usize, HubError> {
        let cursor = self.meta.cursor(CONSUMER).await?;
        let entries = self.meta.log_since(cursor, BATCH).await?;
        let Some(last) = entries.last() else {
            return Ok(0);
        };
        // Only the last head of each repo in the batch matters.
        let heads: BTreeMap<i64, Option<GitOid>> = entries
            .iter()
            .filter(|e| e.ref_name == MAIN)
            .map(|e| (e.repo_id, e.new))
            .collect();
        self.store_cards(&heads.into_iter().collect::<Vec<_>>())
            .await?;
        self.meta.set_cursor(CONSUMER, last.seq).await?;
        Ok(entries.len())
    }

    /// Follows the log until it is caught up (for a reader that must see its own writes).
    pub async fn index_catalogue_caught_up(&self) -> Result<(), HubError> {
        while self.index_catalogue_pending().await? > 0 {}
        Ok(())
    }

    /// Recomputes the card text of every repo from its `main`; `progress(done, total)` is called
    /// after each batch of repos. Returns the number of repos.
    pub async fn reindex_catalogue(
        &self,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<usize, HubError> {
        let repos = self.meta.all_repos().await?;
        let total = repos.len();
        let mut done = 0;
        for chunk in repos.chunks(BATCH as usize) {
            let mut heads = Vec::with_capacity(chunk.len());
            for repo in chunk {
                heads.push((repo.id, self.meta.get_ref(repo.id, MAIN).await?));
            }
            self.store_cards(&heads).await?;
            done += chunk.len();
            progress(done, total);
        }
        Ok(total)
    }

    /// Runs the catalogue follower until the process ends, polling the log when idle.
    pub fn spawn_catalogue_indexer(&self) -> tokio::task::JoinHandle<()> {
        let hub = Arc::new(self.clone());
        tokio::spawn(async move {
            loop {
                match hub.index_catalogue_pending().await {
                    Ok(0) => tokio::time::sleep(Duration::from_millis(300)).await,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "catalogue index follower failed; retrying");
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
            }
        })
    }
}
