//! Short-lived caches for the hottest read path (HEAD/GET on `resolve`, CAS requests), where a database round
//! trip per request would dominate.
//!
//! Unlike git objects, repos and tokens change, so these entries live for [`TTL`] only: a repo
//! made private, or a token revoked, through *another* server process takes effect here within
//! that time (changes made through this process clear the cache at once). Refs are kept by
//! the metadata store itself under the same rule (`MetaStore::recent_refs`), because only it
//! sees every ref write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use commonhold_meta::{AccessRequest, Repo};
use commonhold_types::{RepoName, RepoType, Sha256};

use crate::{Hub, HubError, Principal, XetFile};

pub const TTL: Duration = Duration::from_secs(1);
const MAX_ENTRIES: usize = 10_000;

/// A map whose entries expire after [`TTL`]; emptied when full.
pub struct Expiring<K, V> {
    map: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: std::hash::Hash + Eq, V: Clone> Default for Expiring<K, V> {
    fn default() -> Self {
        Expiring {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> Expiring<K, V> {
    pub fn get(&self, key: &K) -> Option<V> {
        let map = self.map.lock().ok()?;
        map.get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: V) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, (Instant::now(), value));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.map.lock() {
            map.clear();
        }
    }
}

#[derive(Default)]
pub struct HotCaches {
    /// Shared, not copied per request: a repo row carries its card's front matter as JSON.
    pub repos: Expiring<(RepoType, String), Option<Arc<Repo>>>,
    pub tokens: Expiring<[u8; 32], Option<Principal>>,
    /// Token id → whether it is live (not revoked), for what was issued to a token.
    pub live_tokens: Expiring<i64, bool>,
    /// Repos by id, for the CAS routes, whose tokens name the repo by id.
    pub repos_by_id: Expiring<i64, Option<Repo>>,
    /// (repo id, sha256) → the Xet file it serves, if any (HEAD of every LFS file asks).
    pub xet_files: Expiring<(i64, Sha256), Option<Arc<XetFile>>>,
    /// (repo id, user id) → that user's access request, for gated repos.
    pub access_requests: Expiring<(i64, i64), Option<AccessRequest>>,
    /// (repo, hash of the caller, day) downloads this process has already recorded.
    downloads: Mutex<std::collections::HashSet<(i64, u64, i64)>>,
    /// The keys of `downloads`' caller hashes (fixed per process).
    download_keys: std::hash::RandomState,
}

impl Hub {
    /// Like [`Hub::bytes_readable_repo`], through the short-lived cache: for downloads only.
    pub async fn downloadable_repo(
        &self,
        who: Option<&Principal>,
        repo_type: RepoType,
        name: &RepoName,
    ) -> Result<Arc<Repo>, HubError> {
        let key = (repo_type, name.key());
        let repo = match self.hot.repos.get(&key) {
            Some(r) => r,
            None => {
                let r = self.meta.repo_by_name(repo_type, name).await?.map(Arc::new);
                self.hot.repos.put(key, r.clone());
                r
            }
        };
        let repo = repo.ok_or(HubError::RepoNotFound)?;
        self.require_read_bytes(who, &repo).await?;
        Ok(repo)
    }

    /// Whether this process sees this (repo, caller, day) download for the first time: repeated
    /// GETs then cost no database write (the database still dedups across processes).
    /// The caller is kept as a 64-bit keyed hash, so a repeated GET allocates nothing here (two
    /// callers sharing a hash would at worst leave one download to the database's dedup).
    pub fn first_download_seen(&self, repo_id: i64, who: impl std::hash::Hash, day: i64) -> bool {
        use std::hash::BuildHasher;
        let who = self.hot.download_keys.hash_one(who);
        let Ok(mut seen) = self.hot.downloads.lock() else {
            return true;
        };
        if seen.len() >= MAX_ENTRIES * 10 {
            seen.clear();
        }
        seen.insert((repo_id, who, day))
    }

    /// Whether the access token with this id is live, through the short-lived cache: what was
    /// issued to a token stops working within [`TTL`] of its revocation, like the token itself.
    pub async fn token_is_live(&self, token_id: i64) -> Result<bool, HubError> {
        if let Some(live) = self.hot.live_tokens.get(&token_id) {
            return Ok(live);
        }
        let live = self.meta.token_is_live(token_id).await?;
        self.hot.live_tokens.put(token_id, live);
        Ok(live)
    }

    /// `user_id`'s access request to `repo_id` through the short-lived cache (every download
    /// of a gated repo asks).
    pub(crate) async fn access_request_for_download(
        &self,
        repo_id: i64,
        user_id: i64,
    ) -> Result<Option<AccessRequest>, HubError> {
        let key = (repo_id, user_id);
        if let Some(r) = self.hot.access_requests.get(&key) {
            return Ok(r);
        }
        let r = self.meta.access_request(repo_id, user_id).await?;
        self.hot.access_requests.put(key, r.clone());
        Ok(r)
    }

    /// A repo by id through the short-lived cache (CAS requests, several per download).
    pub(crate) async fn repo_by_id_for_cas(&self, id: i64) -> Result<Option<Repo>, HubError> {
        if let Some(r) = self.hot.repos_by_id.get(&id) {
            return Ok(r);
        }
        let r = self.meta.repo_by_id(id).await?;
        self.hot.repos_by_id.put(id, r.clone());
        Ok(r)
    }

    /// Forgets cached repos and tokens after a change made through this process.
    pub fn invalidate_hot(&self) {
        self.hot.repos.clear();
        self.hot.repos_by_id.clear();
        self.hot.tokens.clear();
        self.hot.live_tokens.clear();
        self.hot.access_requests.clear();
    }
}
