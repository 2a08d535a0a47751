//! The web pages, each a function from plain data to a complete HTML document.
//!
//! The server gathers the data (and decides what the viewer may see); these functions only
//! render it. Shared pieces (result rows, the site frame) live in `common`.

mod admin;
mod blob;
mod common;
mod compare;
mod definition;
mod discussions;
mod funders;
mod home;
mod openness;
mod org;
mod repo;
mod search;

pub use admin::{ChangeRow, RunRow, reassessments_page};
pub use blob::{BlobView, MAX_INLINE_BYTES, blob_page};
pub use common::{Site, error_page};
pub use compare::{CompareItem, compare_page};
pub use definition::{DEFINITION_PATH, definition_page, rule_href};
pub use discussions::{
    DiscussionRow, DiscussionView, EventView, discussion_page, discussions_page,
};
pub use funders::{funder_page, funders_index};
pub use home::home_page;
pub use openness::{DisputeRow, evidence_href};
pub use org::{DueDiligence, OrgView, org_page};
pub use repo::{CommitRow, FileRow, RefRow, RepoView, repo_page};
pub use search::search_page;
