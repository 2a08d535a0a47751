//! The public catalogue of commonhold: the face of the hub for procurement officers, funders,
//! journalists and citizens.
//!
//! This crate is pure: it takes plain data gathered by the server (repositories as
//! [`RepoEntry`], assessments as [`commonhold_assess::Assessment`]) and returns HTML pages,
//! search results or export documents. It knows no HTTP and does no IO, so every page and
//! export is tested without a server.
//!
//! - [`pages`]: server-rendered, accessible HTML that needs no JavaScript;
//! - [`markdown`]: cards rendered from Markdown with raw HTML escaped and unsafe links removed;
//! - [`search`]: the embedded full-text and facet index;
//! - [`export`]: DCAT-AP, Croissant and CycloneDX ML-BOM documents;
//! - [`funding`]: the `funding:` card-metadata extension;
//! - [`datacard`]: data-card completeness, the datasets' counterpart of a tier.
//!
//! ```
//! use commonhold_catalogue::markdown::render_card;
//! let html = render_card("# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))");
//! assert!(html.contains("&lt;script&gt;") && html.contains("<a href=\"#\">x</a>"));
//! ```

pub mod datacard;
pub mod entry;
pub mod error;
pub mod export;
pub mod funding;
pub mod html;
pub mod markdown;
pub mod pages;
pub mod search;

pub use entry::{OpennessBrief, RepoEntry};
pub use error::CatalogueError;
pub use search::{Facet, SearchIndex, SearchQuery, SearchResults, Sort};
