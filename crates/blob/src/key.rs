//! Typed keys: the only names callers can give to stored objects.

use std::fmt;

use commonhold_types::{GitOid, Sha256};

use crate::error::BlobError;

/// What a stored object is. Callers name blobs by content and kind, never by path: only the
/// backends turn a key into a location, so no request can reach outside the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BlobKey {
    /// The content of a Git LFS object, addressed by its sha256 (the LFS oid).
    Lfs(Sha256),
    /// A Xet xorb, addressed by its Xet hash (raw bytes). Its content is checked by the Xet layer
    /// (a Merkle hash of its chunks), not by this store.
    Xorb([u8; 32]),
    /// A copy of a large git blob (a regular file) that the metadata store holds, addressed by
    /// its git object id, for downloads to stream. Its content is checked by the hub (the git
    /// object hash), not by this store.
    GitBlob(GitOid),
}

impl BlobKey {
    /// The digest the object's content must hash to. A xorb or a git blob has no sha256: its
    /// name is returned (a git id zero-padded), which this store cannot check.
    pub fn sha256(&self) -> Sha256 {
        match self {
            BlobKey::Lfs(digest) => *digest,
            BlobKey::Xorb(hash) => Sha256(*hash),
            BlobKey::GitBlob(oid) => {
                let mut padded = [0u8; 32];
                padded[..20].copy_from_slice(&oid.0);
                Sha256(padded)
            }
        }
    }

    /// The directory name of the key's kind and the hex of its name: how the backends file it.
    pub(crate) fn dir_and_hex(&self) -> (&'static str, String) {
        match self {
            BlobKey::Lfs(digest) => ("lfs", digest.to_hex()),
            BlobKey::Xorb(hash) => ("xorbs", hex::encode(hash)),
            BlobKey::GitBlob(oid) => ("git-blobs", oid.to_hex()),
        }
    }
}

/// The kinds of stored object a store can list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListedKind {
    /// LFS objects ([`BlobKey::Lfs`]).
    Lfs,
    /// Copies of large git blobs ([`BlobKey::GitBlob`]).
    GitBlob,
}

impl ListedKind {
    /// The directory the backends file this kind under (as [`BlobKey::dir_and_hex`] says).
    pub(crate) fn dir(self) -> &'static str {
        match self {
            ListedKind::Lfs => "lfs",
            ListedKind::GitBlob => "git-blobs",
        }
    }

    /// The key of this kind named by a file name, if it is one.
    pub(crate) fn key(self, name: &str) -> Option<BlobKey> {
        match self {
            ListedKind::Lfs => Sha256::from_hex(name).ok().map(BlobKey::Lfs),
            ListedKind::GitBlob => GitOid::from_hex(name).ok().map(BlobKey::GitBlob),
        }
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobKey::Lfs(digest) => write!(f, "lfs:{digest}"),
            BlobKey::Xorb(hash) => write!(f, "xorb:{}", hex::encode(hash)),
            BlobKey::GitBlob(oid) => write!(f, "git-blob:{oid}"),
        }
    }
}

/// Opaque id of a multipart upload: 1 to 64 ASCII letters, digits or `-`, so that it is safe
/// in a URL and as a directory or object-name component.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UploadId(String);

impl UploadId {
    /// A fresh id: 128 random bits as 32 hex digits.
    pub fn new_random() -> UploadId {
        UploadId(hex::encode(rand::random::<[u8; 16]>()))
    }

    /// Validates an id that came back from a client.
    pub fn parse(s: &str) -> Result<UploadId, BlobError> {
        let valid = (1..=64).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if valid {
            Ok(UploadId(s.to_string()))
        } else {
            Err(BlobError::InvalidUploadId(s.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the store returns for an accepted part: the etag to quote in
/// [`crate::BlobStore::complete_parts`], and the part's size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartReceipt {
    pub etag: String,
    pub size: u64,
}

/// A fresh etag: 128 random bits in hex. Random rather than a content hash so that accepting a
/// part costs no hashing; the whole blob is hashed once, at completion.
pub(crate) fn new_etag() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Etags we issue are 32 lowercase hex digits; anything else cannot name a stored part.
fn is_valid_etag(etag: &str) -> bool {
    etag.len() == 32 && etag.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A completion's part list must name parts in strictly ascending order, each with an etag we
/// could have issued (so it can name nothing outside the upload).
pub(crate) fn check_part_list(parts: &[(u32, String)]) -> Result<(), BlobError> {
    let mut previous = 0;
    for (part, etag) in parts {
        if *part <= previous {
            return Err(BlobError::PartOrder { part: *part });
        }
        previous = *part;
        if !is_valid_etag(etag) {
            return Err(BlobError::PartMissing {
                part: *part,
                etag: etag.chars().take(80).collect(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_ids_are_validated() {
        let id = UploadId::new_random();
        assert_eq!(id.as_str().len(), 32);
        assert_eq!(UploadId::parse(id.as_str()).unwrap(), id);
        assert_ne!(UploadId::new_random(), id);
        assert!(UploadId::parse("Abc-123").is_ok());
        assert!(UploadId::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "../x", "a/b", "a b", "é", "a.b", &"a".repeat(65)] {
            assert!(UploadId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
