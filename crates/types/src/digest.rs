//! Fixed-size digests: git object ids (SHA-1) and content digests (SHA-256).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("expected {expected} lowercase hex characters, got {got:?}")]
pub struct DigestError {
    expected: usize,
    got: String,
}

macro_rules! hex_digest {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            pub const LEN: usize = $len;

            /// Parses exactly `2 * LEN` hex characters; upper case is accepted and normalised,
            /// since clients are inconsistent about it.
            pub fn from_hex(s: &str) -> Result<Self, DigestError> {
                let err = || DigestError { expected: $len * 2, got: s.chars().take(80).collect() };
                if s.len() != $len * 2 {
                    return Err(err());
                }
                let mut out = [0u8; $len];
                hex::decode_to_slice(s, &mut out).map_err(|_| err())?;
                Ok($name(out))
            }

            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = DigestError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_hex(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::from_hex(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_digest!(
    /// A git object id (SHA-1 over `"<kind> <len>\0<body>"`), as git and the Hub print it.
    GitOid,
    20
);
hex_digest!(
    /// A SHA-256 content digest: the LFS oid and the blob store's key.
    Sha256,
    32
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_normalises_case() {
        let s = "E69DE29BB2D1D6434B8B29AE775AD8C2E48C5391";
        let oid = GitOid::from_hex(s).unwrap();
        assert_eq!(oid.to_hex(), s.to_lowercase());
        assert!(GitOid::from_hex("e69de29").is_err());
        assert!(GitOid::from_hex(&"g".repeat(40)).is_err());
        assert!(Sha256::from_hex(&"0".repeat(64)).is_ok());
    }
}
