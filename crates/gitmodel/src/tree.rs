//! Tree objects: one directory's entries, in git's sort order.
//!
//! Body layout, per entry: `<mode> <name>\0<20 raw id bytes>`, modes in octal without a
//! leading zero (`40000`, not `040000`). Git orders entries by name bytes, except that a
//! directory compares as if its name ended in `/`: so `a.b` < `a/` (dir `a`) < `a0`.

use std::cmp::Ordering;

use commonhold_types::GitOid;

use crate::error::GitError;
use crate::object::{ObjectKind, hash_object};

/// The kinds of tree entry that git accepts in a well-formed tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryMode {
    /// `100644`
    File,
    /// `100755`
    Executable,
    /// `120000`: the blob holds the link target.
    Symlink,
    /// `40000`: a subtree.
    Dir,
    /// `160000`: a commit id in another repository.
    Submodule,
}

impl EntryMode {
    /// The mode as git writes it in a tree (no leading zero).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryMode::File => "100644",
            EntryMode::Executable => "100755",
            EntryMode::Symlink => "120000",
            EntryMode::Dir => "40000",
            EntryMode::Submodule => "160000",
        }
    }

    /// Inverse of [`EntryMode::as_str`]. Legacy modes such as `100664` are refused: they
    /// would not survive a re-encode, so the tree's id would change.
    pub fn parse(s: &str) -> Option<EntryMode> {
        match s {
            "100644" => Some(EntryMode::File),
            "100755" => Some(EntryMode::Executable),
            "120000" => Some(EntryMode::Symlink),
            "40000" => Some(EntryMode::Dir),
            "160000" => Some(EntryMode::Submodule),
            _ => None,
        }
    }

    /// The kind of object the entry's id names.
    pub fn object_kind(self) -> ObjectKind {
        match self {
            EntryMode::File | EntryMode::Executable | EntryMode::Symlink => ObjectKind::Blob,
            EntryMode::Dir => ObjectKind::Tree,
            EntryMode::Submodule => ObjectKind::Commit,
        }
    }
}

/// One name in a directory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TreeEntry {
    pub name: String,
    pub mode: EntryMode,
    pub oid: GitOid,
}

/// Git's entry order: name bytes, with directories compared as if suffixed by `/`.
pub fn git_entry_order(
    a_name: &str,
    a_mode: EntryMode,
    b_name: &str,
    b_mode: EntryMode,
) -> Ordering {
    let suffix = |mode| {
        if mode == EntryMode::Dir {
            Some(b'/')
        } else {
            None
        }
    };
    let a = a_name.bytes().chain(suffix(a_mode));
    let b = b_name.bytes().chain(suffix(b_mode));
    a.cmp(b)
}

impl TreeEntry {
    fn order(&self, other: &TreeEntry) -> Ordering {
        git_entry_order(&self.name, self.mode, &other.name, other.mode)
    }
}

/// A directory listing. Keep `entries` in git's order (see [`Tree::new`]); [`Tree::encode`]
/// sorts a copy if they are not, so the id is right either way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tree {
    pub entries: Vec<TreeEntry>,
}

impl Tree {
    /// A tree with its entries sorted into git's order.
    pub fn new(mut entries: Vec<TreeEntry>) -> Tree {
        entries.sort_by(TreeEntry::order);
        Tree { entries }
    }

    /// The object body.
    pub fn encode(&self) -> Vec<u8> {
        let size: usize = self.entries.iter().map(|e| e.name.len() + 28).sum();
        let mut out = Vec::with_capacity(size);
        let sorted = self
            .entries
            .is_sorted_by(|a, b| a.order(b) != Ordering::Greater);
        if sorted {
            encode_entries(&mut out, &self.entries);
        } else {
            let mut copy: Vec<&TreeEntry> = self.entries.iter().collect();
            copy.sort_by(|a, b| a.order(b));
            encode_entries(&mut out, copy);
        }
        out
    }

    /// Parses a tree body, refusing what would not re-encode to the same bytes: unknown
    /// modes, names that are empty, `.`, `..` or contain `/` or NUL, non-UTF-8 names, and
    /// entries out of order or duplicated.
    pub fn decode(body: &[u8]) -> Result<Tree, GitError> {
        let mut entries: Vec<TreeEntry> = Vec::new();
        let mut offset = 0;
        while offset < body.len() {
            let rest = body.get(offset..).unwrap_or_default();
            let truncated = GitError::TreeTruncated { offset };
            let space = rest
                .iter()
                .position(|&b| b == b' ')
                .ok_or(truncated.clone())?;
            let nul = rest.iter().position(|&b| b == 0).ok_or(truncated.clone())?;
            let (mode_bytes, name_bytes) = match (rest.get(..space), rest.get(space + 1..nul)) {
                (Some(m), Some(n)) => (m, n),
                _ => return Err(truncated),
            };
            let mode_text = String::from_utf8_lossy(mode_bytes);
            let mode = EntryMode::parse(&mode_text).ok_or_else(|| GitError::TreeMode {
                offset,
                mode: mode_text.chars().take(20).collect(),
            })?;
            let name = std::str::from_utf8(name_bytes)
                .ok()
                .filter(|n| !matches!(*n, "" | "." | "..") && !n.contains('/'))
                .ok_or_else(|| GitError::TreeName {
                    offset,
                    name: String::from_utf8_lossy(name_bytes)
                        .chars()
                        .take(200)
                        .collect(),
                })?;
            let id: [u8; 20] = rest
                .get(nul + 1..nul + 21)
                .and_then(|s| s.try_into().ok())
                .ok_or(truncated)?;
            let entry = TreeEntry {
                name: name.to_string(),
                mode,
                oid: GitOid(id),
            };
            if entries
                .last()
                .is_some_and(|prev| prev.order(&entry) != Ordering::Less)
            {
                return Err(GitError::TreeOrder { name: entry.name });
            }
            entries.push(entry);
            offset += nul + 21;
        }
        Ok(Tree { entries })
    }

    /// The tree's git id.
    pub fn oid(&self) -> GitOid {
        hash_object(ObjectKind::Tree, &self.encode())
    }
}

fn encode_entries<'a>(out: &mut Vec<u8>, entries: impl IntoIterator<Item = &'a TreeEntry>) {
    for entry in entries {
        out.extend_from_slice(entry.mode.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(entry.name.as_bytes());
        out.push(0);
        out.extend_from_slice(entry.oid.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, mode: EntryMode) -> TreeEntry {
        TreeEntry {
            name: name.into(),
            mode,
            oid: GitOid([7; 20]),
        }
    }

    #[test]
    fn directories_sort_as_if_slash_suffixed() {
        let tree = Tree::new(vec![
            entry("a0", EntryMode::File),
            entry("a", EntryMode::Dir),
            entry("a.b", EntryMode::File),
            entry("b", EntryMode::Submodule),
            entry("B", EntryMode::Executable),
        ]);
        let names: Vec<_> = tree.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["B", "a.b", "a", "a0", "b"]);
        // A file named `a` sorts before `a.b`; only directories get the virtual slash.
        let files = Tree::new(vec![
            entry("a.b", EntryMode::File),
            entry("a", EntryMode::File),
        ]);
        assert_eq!(files.entries.first().map(|e| e.name.as_str()), Some("a"));
    }

    #[test]
    fn encode_sorts_and_decode_round_trips() {
        let unsorted = Tree {
            entries: vec![entry("z", EntryMode::Symlink), entry("a", EntryMode::Dir)],
        };
        let sorted = Tree::new(unsorted.entries.clone());
        assert_eq!(unsorted.encode(), sorted.encode());
        assert!(sorted.encode().starts_with(b"40000 a\0"));
        assert_eq!(Tree::decode(&sorted.encode()).unwrap(), sorted);
        assert_eq!(Tree::decode(b"").unwrap(), Tree::default());
    }

    #[test]
    fn decode_refuses_malformed_bodies() {
        let one = Tree::new(vec![entry("x", EntryMode::File)]).encode();
        let mut twice = one.clone();
        twice.extend_from_slice(&one);
        assert!(matches!(
            Tree::decode(&twice),
            Err(GitError::TreeOrder { .. })
        ));
        assert!(matches!(
            Tree::decode(&one[..one.len() - 1]),
            Err(GitError::TreeTruncated { .. })
        ));
        let legacy = [b"100664 x\0".as_slice(), &[7; 20]].concat();
        assert!(matches!(
            Tree::decode(&legacy),
            Err(GitError::TreeMode { .. })
        ));
        let modes_with_zero = [b"040000 x\0".as_slice(), &[7; 20]].concat();
        assert!(Tree::decode(&modes_with_zero).is_err());
        for bad in [&b".."[..], b"", b"a/b", b"\xff"] {
            let body = [b"100644 ".as_slice(), bad, b"\0", &[7; 20]].concat();
            assert!(
                matches!(Tree::decode(&body), Err(GitError::TreeName { .. })),
                "{bad:?}"
            );
        }
    }
}
