//! The records the store hands out and the queries it accepts. Plain data: no IO here.

use commonhold_types::{GitOid, RepoName, RepoType, Role};
use serde::{Deserialize, Serialize};

/// Which database a [`crate::MetaStore`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Users and organisations share one namespace, so they share one table and one id space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    User,
    Org,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::Org => "org",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        match s {
            "user" => Some(AccountKind::User),
            "org" => Some(AccountKind::Org),
            _ => None,
        }
    }
}

/// A user or an organisation. `name` keeps the case it was created with; lookups ignore case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub kind: AccountKind,
    pub is_admin: bool,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A user's role in an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgRole {
    Admin,
    Write,
    Read,
}

impl OrgRole {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Admin => "admin",
            OrgRole::Write => "write",
            OrgRole::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Option<OrgRole> {
        match s {
            "admin" => Some(OrgRole::Admin),
            "write" => Some(OrgRole::Write),
            "read" => Some(OrgRole::Read),
            _ => None,
        }
    }
}

/// An access token as listed to its owner. The secret itself is never stored, only its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub role: Role,
    /// Unix milliseconds.
    pub created_at: i64,
    pub revoked: bool,
}

/// What the listing and repo-info endpoints show about a repo's current state, recomputed by
/// the hub whenever `main` moves, so that listings need no git reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepoSummary {
    /// Head of `main`; `None` for an empty repo.
    pub sha: Option<GitOid>,
    /// Unix milliseconds.
    pub last_modified: i64,
    /// The README's YAML front matter, as JSON.
    pub card_data: serde_json::Value,
    pub tags: Vec<String>,
    pub pipeline_tag: Option<String>,
    pub library_name: Option<String>,
    /// The latest openness assessment's summary, filled in by the assessor.
    pub openness: Option<serde_json::Value>,
}

impl Default for RepoSummary {
    fn default() -> Self {
        RepoSummary {
            sha: None,
            last_modified: 0,
            card_data: serde_json::Value::Object(serde_json::Map::new()),
            tags: Vec::new(),
            pipeline_tag: None,
            library_name: None,
            openness: None,
        }
    }
}

/// A model or dataset repository. `id` never changes, not even when the repo is renamed or
/// moved to another owner, so everything else refers to repos by id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repo {
    pub id: i64,
    pub repo_type: RepoType,
    pub name: RepoName,
    pub owner_id: i64,
    pub private: bool,
    /// Whether its files need a granted access request; set by its settings only.
    pub gating: commonhold_types::Gating,
    /// How long an accepted access request lasts, in days; `None`: until revoked.
    pub default_access_days: Option<i64>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub summary: RepoSummary,
    pub downloads: i64,
}

/// Sort orders of [`RepoQuery`]. Ties are broken by id in the same direction, so that paging
/// is stable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RepoSort {
    #[default]
    LastModified,
    CreatedAt,
    Downloads,
    Likes,
    Id,
}

impl RepoSort {
    /// The column to order by; a fixed string per variant, never user text.
    pub(crate) fn column(self) -> &'static str {
        match self {
            RepoSort::LastModified => "last_modified",
            RepoSort::CreatedAt => "created_at",
            RepoSort::Downloads => "downloads",
            RepoSort::Likes => "likes",
            RepoSort::Id => "id",
        }
    }
}

/// Which private repos a listing includes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PrivateRepos {
    /// None: public repos only.
    #[default]
    None,
    /// Those owned by these accounts (the viewer and its organisations).
    OwnedBy(Vec<i64>),
    /// All of them (site administrators).
    All,
}

/// A repo listing: filters, visibility, order and page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoQuery {
    pub repo_type: RepoType,
    /// Case-insensitive substring of `namespace/name`.
    pub search: Option<String>,
    /// Exact namespace, case-insensitively.
    pub author: Option<String>,
    /// Every one of these must be among the repo's tags.
    pub tags: Vec<String>,
    /// Which private repos the viewer may see (the hub's access rule decides).
    pub private: PrivateRepos,
    /// `Some(true)`: only gated repos; `Some(false)`: only repos that are not.
    pub gated: Option<bool>,
    pub sort: RepoSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

impl RepoQuery {
    /// All public repos of a type, most recently modified first, 100 per page.
    pub fn new(repo_type: RepoType) -> RepoQuery {
        RepoQuery {
            repo_type,
            search: None,
            author: None,
            tags: Vec::new(),
            private: PrivateRepos::None,
            gated: None,
            sort: RepoSort::LastModified,
            descending: true,
            offset: 0,
            limit: 100,
        }
    }
}

/// A compare-and-swap on a ref failed: the ref's value was not the expected one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the ref has moved (now {})", match current { Some(oid) => oid.to_hex(), None => "absent".to_string() })]
pub struct RefConflict {
    pub current: Option<GitOid>,
}

/// One ref change in the durable commit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: i64,
    pub repo_id: i64,
    pub ref_name: String,
    pub old: Option<GitOid>,
    pub new: Option<GitOid>,
    /// Unix milliseconds.
    pub at: i64,
}
