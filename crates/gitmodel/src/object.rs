//! Object kinds and git's object id: SHA-1 over a `"<kind> <len>\0"` header and the body.

use commonhold_types::GitOid;
use sha1::{Digest, Sha1};

/// The four kinds of git object. The numeric codes are git's own pack type numbers, so a
/// database column holding them means the same as a packfile would.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    Blob,
    Tree,
    Commit,
    Tag,
}

impl ObjectKind {
    /// The name git writes in the object header.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Blob => "blob",
            ObjectKind::Tree => "tree",
            ObjectKind::Commit => "commit",
            ObjectKind::Tag => "tag",
        }
    }

    /// Git's pack type number (commit 1, tree 2, blob 3, tag 4), for compact DB storage.
    pub fn as_u8(self) -> u8 {
        match self {
            ObjectKind::Commit => 1,
            ObjectKind::Tree => 2,
            ObjectKind::Blob => 3,
            ObjectKind::Tag => 4,
        }
    }

    /// Inverse of [`ObjectKind::as_u8`]; `None` for any other number.
    pub fn from_u8(code: u8) -> Option<ObjectKind> {
        match code {
            1 => Some(ObjectKind::Commit),
            2 => Some(ObjectKind::Tree),
            3 => Some(ObjectKind::Blob),
            4 => Some(ObjectKind::Tag),
            _ => None,
        }
    }

    /// Inverse of [`ObjectKind::as_str`].
    pub fn parse(s: &str) -> Option<ObjectKind> {
        match s {
            "blob" => Some(ObjectKind::Blob),
            "tree" => Some(ObjectKind::Tree),
            "commit" => Some(ObjectKind::Commit),
            "tag" => Some(ObjectKind::Tag),
            _ => None,
        }
    }
}

/// The id git gives an object of `kind` with this `body` (what `git hash-object -t kind` prints).
pub fn hash_object(kind: ObjectKind, body: &[u8]) -> GitOid {
    let mut hasher = ObjectHasher::new(kind, body.len() as u64);
    hasher.update(body);
    hasher.finish()
}

/// Incremental form of [`hash_object`] for bodies that arrive in pieces (e.g. a blob being
/// uploaded): the length must be known up front because git puts it in the header.
#[derive(Clone)]
pub struct ObjectHasher(Sha1);

impl ObjectHasher {
    pub fn new(kind: ObjectKind, len: u64) -> ObjectHasher {
        let mut sha = Sha1::new();
        sha.update(kind.as_str().as_bytes());
        sha.update(b" ");
        sha.update(len.to_string().as_bytes());
        sha.update(b"\0");
        ObjectHasher(sha)
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }

    pub fn finish(self) -> GitOid {
        GitOid(self.0.finalize().into())
    }
}

/// The id of the empty tree, which git knows without storing it.
pub const EMPTY_TREE_HEX: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// The id of the empty blob.
pub const EMPTY_BLOB_HEX: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids() {
        assert_eq!(hash_object(ObjectKind::Blob, b"").to_hex(), EMPTY_BLOB_HEX);
        assert_eq!(hash_object(ObjectKind::Tree, b"").to_hex(), EMPTY_TREE_HEX);
        let mut h = ObjectHasher::new(ObjectKind::Blob, 6);
        h.update(b"hel");
        h.update(b"lo\n");
        assert_eq!(h.finish(), hash_object(ObjectKind::Blob, b"hello\n"));
        // `echo hello | git hash-object --stdin`
        assert_eq!(
            hash_object(ObjectKind::Blob, b"hello\n").to_hex(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn kind_codes_round_trip() {
        for kind in [
            ObjectKind::Blob,
            ObjectKind::Tree,
            ObjectKind::Commit,
            ObjectKind::Tag,
        ] {
            assert_eq!(ObjectKind::from_u8(kind.as_u8()), Some(kind));
            assert_eq!(ObjectKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ObjectKind::from_u8(0), None);
        assert_eq!(ObjectKind::from_u8(5), None);
        assert_eq!(ObjectKind::parse("blobs"), None);
    }
}
