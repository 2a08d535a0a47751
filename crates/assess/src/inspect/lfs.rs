//! Git LFS pointer files (definition P1): what a checkout made without `git lfs pull` holds in
//! place of a large file.
//!
//! A pointer is a small text file: a `version` line naming the spec, then `key value` lines
//! sorted by key, among them `oid sha256:<64 hex>` and `size <decimal>`
//! (<https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md>). The declared size is a claim
//! about a blob we do not have: it is recorded, never used to size a read or an allocation.

use serde::{Deserialize, Serialize};

/// Pointers are smaller than this (the spec's bound); larger files are never pointers.
pub const LFS_POINTER_MAX: usize = 1024;

/// The first line of every pointer of spec v1 (git-lfs also accepts the pre-release
/// `hawser` URL; we accept both).
const VERSIONS: [&str; 2] = [
    "version https://git-lfs.github.com/spec/v1",
    "version https://hawser.github.com/spec/v1",
];

/// A valid Git LFS pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LfsPointer {
    /// `sha256:` followed by 64 lower-case hex digits.
    pub oid: String,
    /// The size of the blob the pointer stands for, as declared.
    pub size: u64,
}

/// Reads `bytes` as a pointer: `None` when it does not start like one (an ordinary file),
/// `Some(Err)` when it starts like one but breaks the spec (P4), `Some(Ok)` for a valid pointer.
pub fn parse_lfs_pointer(bytes: &[u8]) -> Option<Result<LfsPointer, String>> {
    if bytes.len() >= LFS_POINTER_MAX {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    let first = lines.next()?.trim_end();
    if !VERSIONS.contains(&first) {
        return None;
    }
    Some(fields(lines))
}

fn fields<'a>(lines: impl Iterator<Item = &'a str>) -> Result<LfsPointer, String> {
    let mut oid = None;
    let mut size = None;
    let mut previous_key = "";
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(' ')
            .ok_or_else(|| format!("line without a value: {}", clip(line)))?;
        if key <= previous_key {
            return Err(format!("keys out of order at `{}`", clip(key)));
        }
        previous_key = key;
        match key {
            "oid" => oid = Some(parse_oid(value)?),
            "size" => size = Some(parse_size(value)?),
            // Extensions (`ext-0-name sha256:...`) are the only other keys the spec allows.
            k if k.starts_with("ext-") => {}
            other => return Err(format!("unknown key `{}`", clip(other))),
        }
    }
    Ok(LfsPointer {
        oid: oid.ok_or("no oid line")?,
        size: size.ok_or("no size line")?,
    })
}

fn parse_oid(value: &str) -> Result<String, String> {
    let hex = value
        .strip_prefix("sha256:")
        .ok_or_else(|| format!("oid `{}` is not sha256", clip(value)))?;
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(format!(
            "oid `{}` is not 64 lower-case hex digits",
            clip(value)
        ));
    }
    Ok(value.to_owned())
}

fn parse_size(value: &str) -> Result<u64, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("size `{}` is not a decimal number", clip(value)));
    }
    value
        .parse::<u64>()
        .map_err(|_| format!("size `{}` does not fit in 64 bits", clip(value)))
}

/// At most 80 bytes of untrusted text, for an error message.
fn clip(s: &str) -> &str {
    crate::inspect::card::truncate_to_char_boundary(s, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    fn pointer(body: &str) -> Vec<u8> {
        format!("version https://git-lfs.github.com/spec/v1\n{body}").into_bytes()
    }

    #[test]
    fn reads_a_valid_pointer() {
        let p = parse_lfs_pointer(&pointer(&format!("oid {OID}\nsize 12345\n")));
        assert_eq!(
            p,
            Some(Ok(LfsPointer {
                oid: OID.to_owned(),
                size: 12345
            }))
        );
        let with_ext = pointer(&format!("ext-0-foo sha256:00\noid {OID}\nsize 1\n"));
        assert!(matches!(parse_lfs_pointer(&with_ext), Some(Ok(_))));
    }

    #[test]
    fn ordinary_files_are_not_pointers() {
        assert_eq!(
            parse_lfs_pointer(b"\x08\x00\x00\x00\x00\x00\x00\x00{}"),
            None
        );
        assert_eq!(parse_lfs_pointer(b"version 2\n"), None);
        assert_eq!(parse_lfs_pointer(&[0xff; 10]), None);
        let mut big = pointer(&format!("oid {OID}\nsize 1\n"));
        big.resize(LFS_POINTER_MAX, b'\n');
        assert_eq!(parse_lfs_pointer(&big), None);
    }

    #[test]
    fn refuses_malformed_pointers() {
        for body in [
            "oid sha256:abc\nsize 1\n".to_owned(),
            format!("oid {}\nsize 1\n", OID.to_uppercase()),
            format!("oid {OID}\nsize -1\n"),
            format!("oid {OID}\nsize 99999999999999999999999\n"),
            format!("oid {OID}\n"),
            "size 1\n".to_owned(),
            format!("size 1\noid {OID}\n"),
            format!("oid {OID}\nsize 1\nzzz 2\n"),
            format!("oid {OID}\nsize\n"),
        ] {
            assert!(
                matches!(parse_lfs_pointer(&pointer(&body)), Some(Err(_))),
                "{body:?}"
            );
        }
    }

    #[test]
    fn a_lying_size_is_only_recorded() {
        let p = parse_lfs_pointer(&pointer(&format!("oid {OID}\nsize {}\n", u64::MAX)));
        assert_eq!(p.and_then(Result::ok).map(|p| p.size), Some(u64::MAX));
    }
}
