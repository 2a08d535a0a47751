//! Domain types shared by every commonhold crate.
//!
//! Everything here is pure: parsing and validation of the names, ids and paths that cross the
//! system's boundaries. A value of one of these types has been validated, so code that holds a
//! [`RepoPath`] never needs to ask again whether it contains `..`.
//!
//! ```
//! use commonhold_types::{RepoName, RepoPath, RepoType};
//! let name: RepoName = "acme/tiny-llm".parse().unwrap();
//! assert_eq!(name.namespace(), "acme");
//! assert!(RepoPath::new("../etc/passwd").is_err());
//! assert_eq!(RepoType::from_plural("datasets"), Some(RepoType::Dataset));
//! ```

mod digest;
mod discussion;
mod gating;
mod name;
mod path;
mod reassess;
mod refname;

pub use digest::{DigestError, GitOid, Sha256};
pub use discussion::{DiscussionEventKind, DiscussionStatus};
pub use gating::{AccessStatus, Gating};
pub use name::{NameError, RESERVED_NAMESPACES, RepoName, RepoType, validate_account_name};
pub use path::{MAX_PATH_BYTES, PathError, RepoPath, is_invisible, nfc};
pub use reassess::ReassessStatus;
pub use refname::{MAIN_REF, RefName};

/// Access role carried by a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Read,
    Write,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "read" => Some(Role::Read),
            "write" => Some(Role::Write),
            _ => None,
        }
    }
}
