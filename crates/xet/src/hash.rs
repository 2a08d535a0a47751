//! Xet hashes and their string form.

use std::fmt;
use std::str::FromStr;

use xet_core_structures::merklehash::MerkleHash;

use crate::error::XetError;

/// A 32-byte Xet hash (chunk, xorb, file or shard), held as its raw bytes.
///
/// Its string form is not plain hex: the bytes are read as four little-endian u64 words and each
/// word is printed as 16 hex digits (the protocol's "hash string"). That form appears in URLs,
/// JSON and headers, so [`fmt::Display`] and [`FromStr`] use it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct XetHash(pub [u8; 32]);

impl XetHash {
    /// The hash as a [`MerkleHash`] of `xet-core-structures`.
    pub fn to_merkle(self) -> MerkleHash {
        // from_slice only fails on a length other than 32, which the array rules out.
        MerkleHash::from_slice(&self.0).unwrap_or_default()
    }

    /// The raw bytes of a [`MerkleHash`].
    pub fn from_merkle(hash: &MerkleHash) -> XetHash {
        let mut out = [0u8; 32];
        let bytes = hash.as_bytes();
        if bytes.len() == 32 {
            out.copy_from_slice(bytes);
        }
        XetHash(out)
    }

    /// Parses a hash string.
    pub fn parse(s: &str) -> Result<XetHash, XetError> {
        MerkleHash::from_hex(s)
            .map(|h| XetHash::from_merkle(&h))
            .map_err(|_| XetError::BadHash(s.chars().take(80).collect()))
    }
}

impl fmt::Display for XetHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_merkle().hex())
    }
}

impl fmt::Debug for XetHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XetHash({self})")
    }
}

impl FromStr for XetHash {
    type Err = XetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        XetHash::parse(s)
    }
}

impl serde::Serialize for XetHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_form_is_little_endian_words() {
        let mut bytes = [0u8; 32];
        bytes[0] = 1;
        bytes[8] = 0xab;
        let hash = XetHash(bytes);
        let s = hash.to_string();
        assert_eq!(&s[..16], "0000000000000001");
        assert_eq!(&s[16..32], "00000000000000ab");
        assert_eq!(XetHash::parse(&s).unwrap(), hash);
        assert!(XetHash::parse("xyz").is_err());
        assert!(XetHash::parse(&"g".repeat(64)).is_err());
    }
}
