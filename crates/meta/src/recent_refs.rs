//! A repo's refs as read within the last second, for downloads only: `resolve` of a small file
//! would otherwise spend most of its time on one ref query.
//!
//! Every ref write of this store (any clone of it) bumps an epoch when it ends, committed or
//! not, and an entry read under an older epoch is never used: a change made through this
//! process shows at once. A read records the epoch and the time *before* its query, so neither
//! a write that lands while the query runs nor a slow query can make an entry look fresher
//! than it is. Changes made through another process (another store on the same database) show
//! within [`REFS_TTL`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use commonhold_types::GitOid;

use crate::MetaStore;
use crate::error::MetaError;

/// How long refs read by this process are used for downloads.
pub const REFS_TTL: Duration = Duration::from_secs(1);
/// Most repos kept; the map is emptied when full.
const MAX_REPOS: usize = 10_000;

/// A repo's refs by name, as [`MetaStore::list_refs`] returns them.
pub type RefList = Arc<Vec<(String, GitOid)>>;

struct Entry {
    epoch: u64,
    read_at: Instant,
    refs: RefList,
}

#[derive(Default)]
pub(crate) struct RecentRefs {
    epoch: AtomicU64,
    map: Mutex<HashMap<i64, Entry>>,
}

impl std::fmt::Debug for RecentRefs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecentRefs")
            .field("epoch", &self.epoch.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Bumps the epoch when dropped: held for the whole of a ref write, so that it counts however
/// the write ends (committed, refused, or failed after the database may have committed).
pub(crate) struct RefWrite<'a>(&'a RecentRefs);

impl Drop for RefWrite<'_> {
    fn drop(&mut self) {
        self.0.epoch.fetch_add(1, Ordering::SeqCst);
    }
}

impl RecentRefs {
    pub(crate) fn write(&self) -> RefWrite<'_> {
        RefWrite(self)
    }

    fn get(&self, repo_id: i64) -> Option<RefList> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        let map = self.map.lock().ok()?;
        map.get(&repo_id)
            .filter(|e| e.epoch == epoch && e.read_at.elapsed() < REFS_TTL)
            .map(|e| e.refs.clone())
    }

    fn put(&self, repo_id: i64, entry: Entry) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_REPOS {
                map.clear();
            }
            map.insert(repo_id, entry);
        }
    }
}

impl MetaStore {
    /// All refs of a repo, read at most [`REFS_TTL`] ago and after this store's last ref write:
    /// for downloads, which may see another process's ref move up to a second late.
    pub async fn recent_refs(&self, repo_id: i64) -> Result<RefList, MetaError> {
        if let Some(refs) = self.recent.get(repo_id) {
            return Ok(refs);
        }
        let epoch = self.recent.epoch.load(Ordering::SeqCst);
        let read_at = Instant::now();
        let refs: RefList = Arc::new(self.list_refs(repo_id).await?);
        self.recent.put(
            repo_id,
            Entry {
                epoch,
                read_at,
                refs: refs.clone(),
            },
        );
        Ok(refs)
    }
}
