//! Git LFS pointer files (spec v1): the small text blob that stands in the git tree for a
//! large file whose bytes live in the blob store under their SHA-256.

use commonhold_types::{GitOid, Sha256};

use crate::object::{ObjectKind, hash_object};

/// The `version` line's value in every pointer git-lfs writes today.
pub const LFS_SPEC_V1: &str = "https://git-lfs.github.com/spec/v1";

/// Pointers are small; git-lfs itself does not treat larger blobs as pointers.
pub const MAX_POINTER_BYTES: usize = 1024;

/// An LFS pointer: the content's SHA-256 and its size in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LfsPointer {
    pub oid: Sha256,
    pub size: u64,
}

impl LfsPointer {
    /// The pointer text exactly as git-lfs writes it:
    /// `version https://git-lfs.github.com/spec/v1\noid sha256:<hex>\nsize <n>\n`.
    pub fn encode(&self) -> String {
        format!(
            "version {LFS_SPEC_V1}\noid sha256:{}\nsize {}\n",
            self.oid.to_hex(),
            self.size
        )
    }

    /// The git blob id of this pointer's text: what the tree entry of an LFS file holds.
    pub fn blob_oid(&self) -> GitOid {
        hash_object(ObjectKind::Blob, self.encode().as_bytes())
    }

    /// Recognises a pointer, strictly: only the canonical v1 form that [`LfsPointer::encode`]
    /// produces (the three keys in order, lower-case hex, decimal size without sign or
    /// leading zeros, final newline), under [`MAX_POINTER_BYTES`]. Anything else is an
    /// ordinary file, so a stray text file is never mistaken for a pointer, and a pointer's
    /// git blob id can always be recomputed from `(oid, size)`.
    pub fn parse(body: &[u8]) -> Option<LfsPointer> {
        if body.len() >= MAX_POINTER_BYTES {
            return None;
        }
        let text = std::str::from_utf8(body).ok()?;
        let rest = text.strip_prefix("version ")?.strip_prefix(LFS_SPEC_V1)?;
        let rest = rest.strip_prefix("\noid sha256:")?;
        let (hex, rest) = rest.split_once('\n')?;
        let size = rest.strip_prefix("size ")?.strip_suffix('\n')?;
        if !size.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let pointer = LfsPointer {
            oid: Sha256::from_hex(hex).ok()?,
            size: size.parse().ok()?,
        };
        (pointer.encode().as_bytes() == body).then_some(pointer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    fn spec_text(size: &str) -> String {
        format!("version https://git-lfs.github.com/spec/v1\noid sha256:{HEX}\nsize {size}\n")
    }

    #[test]
    fn encodes_the_spec_text() {
        let p = LfsPointer {
            oid: Sha256::from_hex(HEX).unwrap(),
            size: 12345,
        };
        assert_eq!(p.encode(), spec_text("12345"));
        assert_eq!(LfsPointer::parse(spec_text("12345").as_bytes()), Some(p));
        let zero = LfsPointer {
            oid: p.oid,
            size: 0,
        };
        assert_eq!(LfsPointer::parse(spec_text("0").as_bytes()), Some(zero));
        let max = spec_text(&u64::MAX.to_string());
        assert_eq!(
            LfsPointer::parse(max.as_bytes()).map(|p| p.size),
            Some(u64::MAX)
        );
    }

    #[test]
    fn refuses_anything_not_canonical() {
        let good = spec_text("10");
        let cases = [
            good.trim_end().to_string(),
            good.replace("size 10", "size +10"),
            good.replace("size 10", "size 010"),
            good.replace("size 10", "size -1"),
            good.replace("size 10", "size 99999999999999999999999"),
            good.replace(HEX, &HEX.to_uppercase()),
            good.replace(HEX, &HEX[1..]),
            good.replace("sha256:", "sha512:"),
            good.replace("spec/v1", "spec/v2"),
            good.replace('\n', "\r\n"),
            format!("{good}ext-0-foo sha256:{HEX}\n"),
            format!("{good}{}", " ".repeat(MAX_POINTER_BYTES)),
            String::new(),
        ];
        for case in cases {
            assert_eq!(LfsPointer::parse(case.as_bytes()), None, "{case:?}");
        }
        assert_eq!(LfsPointer::parse(b"\xff\xfe"), None);
    }
}
