//! The one error type of this crate: what was wrong with an object body or a file map.

/// Why an object could not be decoded or a set of trees could not be built.
///
/// Messages name the offending part (header, entry, path) so that an import or fsck report
/// tells the operator where to look.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum GitError {
    #[error("commit object is not valid UTF-8")]
    CommitNotUtf8,
    #[error("commit object has no blank line between its headers and its message")]
    CommitNoMessage,
    #[error("commit header {line:?} is malformed or out of place: {reason}")]
    CommitHeader { line: String, reason: &'static str },
    #[error("commit object has no {0} header")]
    CommitMissing(&'static str),
    #[error(
        "commit message does not end with a newline; commonhold stores messages as \
         `git commit-tree -m` writes them and could not reproduce this object's id"
    )]
    CommitMessageUnterminated,
    #[error("signature {0:?} is not of the form `Name <email> seconds +HHMM`")]
    Signature(String),
    #[error("object id {0:?} is not 40 lowercase hex characters")]
    Oid(String),
    #[error("tree entry at byte {offset} is truncated")]
    TreeTruncated { offset: usize },
    #[error("tree entry at byte {offset} has unsupported mode {mode:?}")]
    TreeMode { offset: usize, mode: String },
    #[error("tree entry at byte {offset} has an invalid name {name:?}")]
    TreeName { offset: usize, name: String },
    #[error("tree entry {name:?} is out of git's sort order or duplicated")]
    TreeOrder { name: String },
    #[error(
        "{path} is given as a directory entry; build_trees takes files, links and submodules only"
    )]
    DirInFileMap { path: String },
    #[error("{path} is both a file and a directory")]
    PathConflict { path: String },
}
