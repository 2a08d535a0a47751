//! Building every tree object of a snapshot from a flat map of file paths, in one pass.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use commonhold_types::{GitOid, RepoPath};

use crate::error::GitError;
use crate::object::{ObjectKind, hash_object};
use crate::tree::{EntryMode, Tree, TreeEntry, git_entry_order};

/// The trees of a snapshot: the root id and every distinct tree object as (id, body).
pub type BuiltTrees = (GitOid, Vec<(GitOid, Vec<u8>)>);

/// Builds every tree object for a flat map of files. Returns the root tree id and all tree
/// objects (oid, encoded body), root included and last, each distinct tree once; an empty map
/// gives the empty tree `4b825dc6...`.
///
/// One pass over the map: `BTreeMap` order is byte order of the full path, under which the
/// paths of one directory are contiguous and a directory's entries arrive already in git's
/// order (dir `a`'s first path `a/...` sorts exactly where git puts `a/`). So a stack of open
/// directories suffices; each is encoded and hashed once, when the walk leaves it.
///
/// Errors: an entry with [`EntryMode::Dir`] (trees are derived, not given), or a path that is
/// both a file and a directory (`a` and `a/b`).
pub fn build_trees(
    files: &BTreeMap<RepoPath, (EntryMode, GitOid)>,
) -> Result<BuiltTrees, GitError> {
    let mut builder = Builder {
        open: vec![(String::new(), Vec::new())],
        seen: HashSet::new(),
        out: Vec::new(),
    };
    for (path, &(mode, oid)) in files {
        if mode == EntryMode::Dir {
            return Err(GitError::DirInFileMap {
                path: path.to_string(),
            });
        }
        let mut components: Vec<&str> = path.components().collect();
        let Some(file_name) = components.pop() else {
            continue;
        };
        let common = builder.common_depth(&components);
        builder.close_to_depth(common);
        for dir in components.get(common..).unwrap_or_default() {
            builder.open_dir(dir, path)?;
        }
        builder.add(
            TreeEntry {
                name: file_name.to_string(),
                mode,
                oid,
            },
            path,
        )?;
    }
    builder.close_to_depth(0);
    let (_, root_entries) = builder.open.pop().unwrap_or_default();
    let root = builder.finish_tree(root_entries);
    Ok((root, builder.out))
}

struct Builder {
    /// Open directories from the root down: (name within parent, entries so far).
    open: Vec<(String, Vec<TreeEntry>)>,
    seen: HashSet<GitOid>,
    out: Vec<(GitOid, Vec<u8>)>,
}

impl Builder {
    /// How many leading directories of `dirs` are already open.
    fn common_depth(&self, dirs: &[&str]) -> usize {
        let open_dirs = self.open.iter().skip(1).map(|(name, _)| name.as_str());
        open_dirs.zip(dirs).take_while(|(a, b)| a == *b).count()
    }

    /// Closes open directories until only the root and `depth` directories remain.
    fn close_to_depth(&mut self, depth: usize) {
        while self.open.len() > depth + 1 {
            let Some((name, entries)) = self.open.pop() else {
                return;
            };
            let oid = self.finish_tree(entries);
            if let Some((_, parent)) = self.open.last_mut() {
                parent.push(TreeEntry {
                    name,
                    mode: EntryMode::Dir,
                    oid,
                });
            }
        }
    }

    fn open_dir(&mut self, name: &str, path: &RepoPath) -> Result<(), GitError> {
        if let Some((_, parent)) = self.open.last() {
            let as_file = parent
                .binary_search_by(|e| git_entry_order(&e.name, e.mode, name, EntryMode::File));
            if as_file.is_ok() {
                return Err(GitError::PathConflict {
                    path: path.to_string(),
                });
            }
        }
        self.open.push((name.to_string(), Vec::new()));
        Ok(())
    }

    fn add(&mut self, entry: TreeEntry, path: &RepoPath) -> Result<(), GitError> {
        let Some((_, entries)) = self.open.last_mut() else {
            return Ok(());
        };
        let in_order = entries.last().is_none_or(|prev| {
            git_entry_order(&prev.name, prev.mode, &entry.name, entry.mode) == Ordering::Less
        });
        if !in_order {
            return Err(GitError::PathConflict {
                path: path.to_string(),
            });
        }
        entries.push(entry);
        Ok(())
    }

    fn finish_tree(&mut self, entries: Vec<TreeEntry>) -> GitOid {
        let body = Tree { entries }.encode();
        let oid = hash_object(ObjectKind::Tree, &body);
        if self.seen.insert(oid) {
            self.out.push((oid, body));
        }
        oid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::EMPTY_TREE_HEX;

    fn map(paths: &[&str]) -> BTreeMap<RepoPath, (EntryMode, GitOid)> {
        paths
            .iter()
            .map(|p| {
                (
                    RepoPath::new(p).unwrap(),
                    (EntryMode::File, GitOid([9; 20])),
                )
            })
            .collect()
    }

    #[test]
    fn empty_map_is_the_empty_tree() {
        let (root, trees) = build_trees(&BTreeMap::new()).unwrap();
        assert_eq!(root.to_hex(), EMPTY_TREE_HEX);
        assert_eq!(trees, vec![(root, Vec::new())]);
    }

    #[test]
    fn nested_dirs_are_listed_once_and_root_last() {
        let (root, trees) = build_trees(&map(&["a/x", "b/x", "c/d/e", "top"])).unwrap();
        // a/ and b/ are identical trees, so they appear once.
        assert_eq!(trees.len(), 4);
        assert_eq!(trees.last().map(|t| t.0), Some(root));
        let root_tree = Tree::decode(&trees.last().unwrap().1).unwrap();
        let names: Vec<_> = root_tree
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.mode))
            .collect();
        assert_eq!(
            names,
            [
                ("a", EntryMode::Dir),
                ("b", EntryMode::Dir),
                ("c", EntryMode::Dir),
                ("top", EntryMode::File)
            ]
        );
    }

    #[test]
    fn file_and_directory_of_the_same_name_conflict() {
        assert!(matches!(
            build_trees(&map(&["a", "a.b", "a/c"])),
            Err(GitError::PathConflict { .. })
        ));
        let mut dir = map(&["x"]);
        dir.insert(
            RepoPath::new("y").unwrap(),
            (EntryMode::Dir, GitOid([1; 20])),
        );
        assert!(matches!(
            build_trees(&dir),
            Err(GitError::DirInFileMap { .. })
        ));
    }
}
