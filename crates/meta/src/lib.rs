//! The metadata store of commonhold: accounts, tokens, repos, refs, git objects, LFS grants,
//! the durable commit log, settings, openness assessments, gated repositories' access requests
//! and the audit trail.
//!
//! One API over two databases: SQLite (the embedded default, one file) and PostgreSQL (for
//! several server processes). Both run the same SQL through sqlx's `Any` driver; only the DDL
//! differs (`migrations/sqlite`, `migrations/postgres`). Every invariant that matters under
//! concurrency is enforced by the database (unique keys, compare-and-swap updates,
//! transactions), never by a lock in this process, so two `serve` processes may share one
//! SQLite file or one PostgreSQL database.
//!
//! # The commit log contract
//! Every successful [`MetaStore::update_ref`] appends one [`LogEntry`] in the same transaction
//! as the ref change. Sequence numbers are taken from a single counter row that the appending
//! transaction updates first, which serialises ref updates: entry `s + 1` is allocated only
//! after the transaction holding `s` has committed or rolled back. So sequence numbers are
//! gap-free and become visible in order, and a consumer that remembers the last `seq` it
//! processed ([`MetaStore::set_cursor`]) and resumes with [`MetaStore::log_since`] misses
//! nothing and sees nothing twice, even after a crash.
//!
//! ```no_run
//! # async fn demo() -> Result<(), commonhold_meta::MetaError> {
//! use commonhold_meta::MetaStore;
//! use commonhold_types::{RepoName, RepoType};
//! let store = MetaStore::open("sqlite:///var/lib/commonhold/meta.db").await?;
//! let alice = store.create_user("alice", false).await?;
//! let name: RepoName = "alice/tiny".parse().expect("a valid name");
//! let repo = store.create_repo(RepoType::Model, &name, alice.id, false).await?;
//! assert_eq!(store.next_pr_number(repo.id).await?, 1);
//! # Ok(()) }
//! ```

mod access;
mod accounts;
mod audit;
pub mod catalogue;
mod catalogue_index;
mod codec;
mod connect;
mod discussions;
mod error;
mod gating;
mod listing;
mod log;
mod model;
mod objects;
mod openness;
mod recent_refs;
mod refs;
mod repos;
mod settings;
mod tokens;
mod xet;
mod xet_index;

pub use access::AccessChange;
pub use audit::{
    AuditAction, AuditEvent, AuditHead, AuditReport, BrokenLink, ChainCheck, Checkpoint,
    GENESIS_HASH, NewAuditEvent,
};
pub use catalogue_index::{CardWrite, CatalogueCard};
pub use discussions::{
    Discussion, DiscussionEvent, DiscussionFilter, DiscussionUpdate, MergeRefused, NewDiscussion,
    PrMerge,
};
pub use error::MetaError;
pub use gating::{AccessDecision, AccessRequest, NewAccessRequest};
pub use model::{
    Account, AccountKind, Backend, LogEntry, OrgRole, PrivateRepos, RefConflict, Repo, RepoQuery,
    RepoSort, RepoSummary, TokenInfo,
};
pub use openness::{Dispute, NewDispute, ReassessChange, ReassessRun};
pub use recent_refs::{REFS_TTL, RefList};
pub use xet::XetFileRow;

/// A handle on the metadata database. Cloning is cheap: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct MetaStore {
    pool: sqlx::AnyPool,
    backend: Backend,
    /// Refs read for downloads; shared by clones, so that any clone's ref write clears them.
    recent: std::sync::Arc<recent_refs::RecentRefs>,
}
