//! The hub's domain operations, independent of HTTP.
//!
//! [`Hub`] ties the metadata store (accounts, repos, refs, git objects, the commit log), the blob
//! store (LFS content) and the pure git model together: resolving revisions, listing trees,
//! making commits with a compare-and-swap on the branch, deciding LFS uploads and signing their
//! URLs, and checking the whole store (`fsck`). The HTTP crate maps requests onto these calls; the
//! CLI's admin commands call them directly, which is why they work while a server is running.
//!
//! **Invariant:** a commit becomes visible atomically or not at all. Objects (LFS blobs, then git
//! objects) are written before the ref moves, and the ref moves in one database transaction that
//! compares its old value, so two server processes sharing a database stay correct.

mod access;
mod admin;
mod assessor;
mod card;
mod catalogue_index;
mod commit;
mod discussions;
mod error;
mod fsck;
mod gating;
mod hot;
mod lfs;
mod metrics;
mod objects;
mod openness;
mod repos;
mod revision;
mod signing;
mod tokens;
mod tree;
mod xet;
mod xet_dedup;

use std::sync::Arc;

pub use access::{
    AccessChanges, Principal, TokenBinding, Visibility, can_read_bytes, can_see, private_repos,
    visibility,
};
pub use assessor::openness_summary;
pub use card::{CardSummary, parse_front_matter};
pub use catalogue_index::MAX_README_BYTES;
pub use commit::{CommitOp, CommitRequest, CommitResult};
pub use discussions::{Change, DiscussionDetails, PrChanges};
pub use error::HubError;
pub use fsck::{FsckOptions, FsckProblem, FsckReport};
pub use gating::{MAX_ACCESS_DAYS, REJECTION_REASON_MAX, Requester, terms_sha256, validate_fields};
pub use lfs::{
    BatchObject, BatchOutcome, LFS_THRESHOLD, MAX_BATCH_OBJECTS, MAX_PARTS, MultipartPlan,
    UploadTicket, part_size,
};
pub use metrics::{Counter, Metrics};
pub use objects::{BlobInfo, ObjectCache, SMALL_BLOB_BYTES};
pub use openness::{DISPUTE_REASON_MAX, RunSummary};
pub use repos::UploadMode;
pub use revision::Resolved;
pub use signing::{SignedAction, Signer};
pub use tokens::{generate_token, hash_token};
pub use tree::{EntryKind, TreeItem};
pub use xet::{CasGrant, READ_PIECE_BYTES, XET_CAS_PREFIX, XetFile, XetPlan, XetToken};

use commonhold_blob::BlobStore;
use commonhold_meta::MetaStore;

/// Settings the domain layer needs; loading them (file, environment, flags) is the binary's job.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// Absolute base URL clients reach us at, without a trailing slash; every absolute URL the
    /// server emits starts with it.
    pub public_url: String,
    /// Largest file accepted, in bytes.
    pub max_file_size: u64,
    /// Largest regular (non-LFS) file a new commit may add, in bytes; preupload sends larger
    /// files to LFS.
    pub max_regular_file_size: u64,
    /// How long a signed upload URL stays valid, in seconds.
    pub upload_url_ttl_secs: i64,
    /// Lifetime of Xet CAS tokens in seconds; None: the `xet_token_ttl_secs` setting (default
    /// one hour).
    pub xet_token_ttl_secs: Option<i64>,
    /// Requests a minute one access token may make (bursts of as many); 0: no limit.
    pub rate_limit_per_token: u32,
    /// Requests a minute one client address may make without a valid token (IPv6 by /64);
    /// 0: no limit.
    pub rate_limit_per_address: u32,
}

/// Default of both rate limits, in requests a minute: a `snapshot_download` of a 1,000-file
/// repo makes two to five requests a file within seconds, which this burst covers.
pub const DEFAULT_RATE_LIMIT: u32 = 10_000;

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            public_url: "http://127.0.0.1:8080".into(),
            max_file_size: 50_000_000_000,
            max_regular_file_size: LFS_THRESHOLD,
            upload_url_ttl_secs: 3600,
            xet_token_ttl_secs: None,
            rate_limit_per_token: DEFAULT_RATE_LIMIT,
            rate_limit_per_address: DEFAULT_RATE_LIMIT,
        }
    }
}

/// The hub: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Hub {
    /// The stores are reachable only through `Hub` operations, which check access and keep
    /// the caches right; no handler reads or writes them directly.
    pub(crate) meta: MetaStore,
    pub(crate) blobs: Arc<dyn BlobStore>,
    pub config: Arc<HubConfig>,
    pub signer: Signer,
    pub(crate) cache: Arc<ObjectCache>,
    pub(crate) hot: Arc<hot::HotCaches>,
    pub(crate) reach: Arc<revision::ReachCache>,
    /// The access changes read so far ([`Hub::access_changes`]).
    pub(crate) access: Arc<tokio::sync::Mutex<Arc<AccessChanges>>>,
    /// What crossed the wire in this process (`GET /metrics`).
    pub metrics: Arc<Metrics>,
    /// The knowledge file of base-model families the assessor uses; replaced on reload.
    knowledge: Arc<std::sync::RwLock<Arc<commonhold_assess::Knowledge>>>,
}

impl Hub {
    /// Builds a hub. The URL-signing key comes from `signing_key` when configured, otherwise from
    /// the metadata store, where the first process to start stores a random one (so several
    /// servers sharing a database agree on it).
    pub async fn new(
        meta: MetaStore,
        blobs: Arc<dyn BlobStore>,
        config: HubConfig,
        signing_key: Option<Vec<u8>>,
    ) -> Result<Hub, HubError> {
        let key = match signing_key {
            Some(k) => k,
            None => {
                let fresh = hex::encode(rand::random::<[u8; 32]>());
                let winner = meta
                    .set_setting_if_absent("url_signing_key", &fresh)
                    .await?;
                hex::decode(winner.trim())
                    .map_err(|_| HubError::internal("stored url_signing_key is not hex"))?
            }
        };
        Ok(Hub {
            meta,
            blobs,
            config: Arc::new(config),
            signer: Signer::new(&key),
            cache: Arc::new(ObjectCache::new(200_000)),
            hot: Arc::new(hot::HotCaches::default()),
            reach: Arc::default(),
            access: Arc::default(),
            metrics: Arc::new(Metrics::default()),
            knowledge: Arc::new(std::sync::RwLock::new(Arc::new(
                commonhold_assess::Knowledge::builtin().clone(),
            ))),
        })
    }

    /// The knowledge file of base-model families in force.
    pub fn knowledge(&self) -> Arc<commonhold_assess::Knowledge> {
        match self.knowledge.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts `knowledge` in force for assessments started from now on; returns whether it differs
    /// (by sha256) from the one it replaces.
    pub fn set_knowledge(&self, knowledge: commonhold_assess::Knowledge) -> bool {
        let fresh = Arc::new(knowledge);
        let mut slot = match self.knowledge.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        let changed = slot.stamp().sha256 != fresh.stamp().sha256;
        *slot = fresh;
        changed
    }

    /// `{public_url}/{path}` with exactly one slash between.
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.config.public_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

/// Current time in unix milliseconds.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Formats unix milliseconds the only way the Hub clients parse: `YYYY-MM-DDTHH:MM:SS.fffZ`.
pub fn format_time_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn time_format_is_what_clients_parse() {
        assert_eq!(super::format_time_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            super::format_time_ms(1_700_000_000_123),
            "2023-11-14T22:13:20.123Z"
        );
    }
}
