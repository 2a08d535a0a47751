//! The repository model: git objects with the ids real `git` computes, Git LFS pointers and
//! `.gitattributes` matching.
//!
//! commonhold keeps history git-shaped but not in a git repository: objects are bytes in a
//! database, keyed by their git id. Everything here is pure (no IO, no async), so the server,
//! the importer and fsck share one definition of what an object's bytes and id are. Decoders
//! take untrusted bytes, never panic, and refuse anything they could not re-encode byte for
//! byte, so `decode(body)?.oid()` is always the id of `body`.
//!
//! ```
//! use std::collections::BTreeMap;
//! use commonhold_gitmodel::*;
//! use commonhold_types::RepoPath;
//!
//! let readme = hash_object(ObjectKind::Blob, b"# tiny\n");
//! let weights = LfsPointer { oid: commonhold_types::Sha256([0xab; 32]), size: 1 << 30 };
//! let pointer = hash_object(ObjectKind::Blob, weights.encode().as_bytes());
//! let files = BTreeMap::from([
//!     (RepoPath::new("README.md").unwrap(), (EntryMode::File, readme)),
//!     (RepoPath::new("weights/model.safetensors").unwrap(), (EntryMode::File, pointer)),
//! ]);
//! let (root, trees) = build_trees(&files).unwrap();
//! assert_eq!(trees.len(), 2);
//!
//! let me = Signature { name: "A".into(), email: "a@example.org".into(), time: 0, tz_minutes: 0 };
//! let commit = Commit { tree: root, parents: vec![], author: me.clone(), committer: me, message: "Init".into() };
//! assert_eq!(Commit::decode(&commit.encode()).unwrap().oid(), commit.oid());
//!
//! let attrs = GitAttributes::parse(DEFAULT_GITATTRIBUTES);
//! assert!(attrs.is_lfs(&RepoPath::new("weights/model.safetensors").unwrap()));
//! ```

mod attributes;
mod build;
mod commit;
mod error;
mod lfs;
mod object;
mod tree;

pub use attributes::{DEFAULT_GITATTRIBUTES, GitAttributes};
pub use build::{BuiltTrees, build_trees};
pub use commit::{Commit, Signature};
pub use error::GitError;
pub use lfs::{LFS_SPEC_V1, LfsPointer, MAX_POINTER_BYTES};
pub use object::{EMPTY_BLOB_HEX, EMPTY_TREE_HEX, ObjectHasher, ObjectKind, hash_object};
pub use tree::{EntryMode, Tree, TreeEntry, git_entry_order};
