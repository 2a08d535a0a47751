//! Compares this crate's object ids and bodies with what the real `git` binary computes, in
//! throw-away repositories created by the tests (no network, fixed dates and identities).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use commonhold_gitmodel::*;
use commonhold_types::{GitOid, RepoPath};
use proptest::prelude::*;

/// A temporary repository with git isolated from the user's and system configuration.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q"], b"");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git with `stdin`, returns trimmed stdout; fails the test on a non-zero exit.
    fn git(&self, args: &[&str], stdin: &[u8]) -> String {
        self.git_env(args, stdin, &[])
    }

    fn git_env(&self, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> String {
        let mut child = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git is installed");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    }

    fn hash_blob(&self, body: &[u8]) -> GitOid {
        oid(&self.git(&["hash-object", "-w", "--no-filters", "--stdin"], body))
    }

    /// `git mktree --missing` over ls-tree lines.
    fn mktree(&self, entries: &[(EntryMode, GitOid, &str)]) -> GitOid {
        let mut input = String::new();
        for (mode, id, name) in entries {
            let kind = mode.object_kind().as_str();
            input.push_str(&format!("{} {kind} {id}\t{name}\n", mode.as_str()));
        }
        oid(&self.git(&["mktree", "--missing"], input.as_bytes()))
    }

    /// The root tree git writes for a flat file map, via the index.
    fn write_tree(&self, files: &BTreeMap<RepoPath, (EntryMode, GitOid)>) -> GitOid {
        std::fs::remove_file(self.path().join(".git/index")).ok();
        let mut input = String::new();
        for (path, (mode, id)) in files {
            input.push_str(&format!("{} {id}\t{path}\n", mode.as_str()));
        }
        self.git(&["update-index", "--index-info"], input.as_bytes());
        oid(&self.git(&["write-tree", "--missing-ok"], b""))
    }

    fn cat_file(&self, kind: &str, id: GitOid) -> Vec<u8> {
        let out = Command::new("git")
            .args(["cat-file", kind, &id.to_hex()])
            .current_dir(self.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "cat-file {id}");
        out.stdout
    }

    fn commit_tree(&self, tree: GitOid, parents: &[GitOid], message: &[u8]) -> GitOid {
        let tree = tree.to_hex();
        let parents: Vec<String> = parents.iter().map(GitOid::to_hex).collect();
        let mut args = vec!["commit-tree", tree.as_str()];
        for parent in &parents {
            args.extend(["-p", parent.as_str()]);
        }
        oid(&self.git_env(&args, message, &IDENTITY))
    }
}

/// The fixed author and committer of every commit the tests make with git.
const IDENTITY: [(&str, &str); 6] = [
    ("GIT_AUTHOR_NAME", "Ada Lovelace"),
    ("GIT_AUTHOR_EMAIL", "ada@example.org"),
    ("GIT_AUTHOR_DATE", "1700000000 +0130"),
    ("GIT_COMMITTER_NAME", "Jörg Müller"),
    ("GIT_COMMITTER_EMAIL", "jm@example.de"),
    ("GIT_COMMITTER_DATE", "1700003600 -0700"),
];

fn oid(hex: &str) -> GitOid {
    GitOid::from_hex(hex).unwrap()
}

fn path(p: &str) -> RepoPath {
    RepoPath::new(p).unwrap()
}

#[test]
fn blob_ids_match_git() {
    let repo = Repo::new();
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let bodies: [&[u8]; 5] = [
        b"",
        b"hello\n",
        "données, 数据, ✓\n".as_bytes(),
        &binary,
        b"\0\0\r\n",
    ];
    for body in bodies {
        assert_eq!(
            hash_object(ObjectKind::Blob, body),
            repo.hash_blob(body),
            "{} bytes",
            body.len()
        );
    }
    assert_eq!(repo.hash_blob(b"").to_hex(), EMPTY_BLOB_HEX);
}

#[test]
fn tree_ordering_matches_mktree() {
    let repo = Repo::new();
    let blob = repo.hash_blob(b"x");
    let sub = repo.mktree(&[(EntryMode::File, blob, "inner")]);
    let module = GitOid([0x5a; 20]);
    let entries = [
        (EntryMode::File, blob, "a0"),
        (EntryMode::Dir, sub, "a"),
        (EntryMode::File, blob, "a.b"),
        (EntryMode::Executable, blob, "run.sh"),
        (EntryMode::Symlink, blob, "link"),
        (EntryMode::Submodule, module, "vendor"),
        (EntryMode::File, blob, "Ünïcødé.txt"),
        (EntryMode::File, blob, "with space"),
        (EntryMode::Dir, sub, "a-b"),
    ];
    let git_id = repo.mktree(&entries);
    let tree = Tree::new(
        entries
            .iter()
            .map(|&(mode, oid, name)| TreeEntry {
                name: name.into(),
                mode,
                oid,
            })
            .collect(),
    );
    assert_eq!(tree.oid(), git_id);
    let git_body = repo.cat_file("tree", git_id);
    assert_eq!(tree.encode(), git_body);
    assert_eq!(Tree::decode(&git_body).unwrap(), tree);
    let order: Vec<&str> = tree.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(order[..4], ["a-b", "a.b", "a", "a0"]);
}

#[test]
fn nested_trees_match_write_tree() {
    let repo = Repo::new();
    let small = repo.hash_blob(b"small\n");
    let other = repo.hash_blob("é\n".as_bytes());
    let files = BTreeMap::from([
        (path("README.md"), (EntryMode::File, small)),
        (path("a.b"), (EntryMode::File, small)),
        (path("a/x/y/z.txt"), (EntryMode::File, other)),
        (path("a/x/y.txt"), (EntryMode::Executable, small)),
        (path("a/x.y/z"), (EntryMode::File, small)),
        (path("a0"), (EntryMode::Symlink, other)),
        (path("données/模型.safetensors"), (EntryMode::File, other)),
        (path("sub/module"), (EntryMode::Submodule, GitOid([3; 20]))),
    ]);
    let (root, trees) = build_trees(&files).unwrap();
    assert_eq!(root, repo.write_tree(&files));
    assert_eq!(trees.len(), 7);
    for (id, body) in &trees {
        assert_eq!(&repo.cat_file("tree", *id), body, "tree {id}");
        assert_eq!(hash_object(ObjectKind::Tree, body), *id);
    }
    let (empty, _) = build_trees(&BTreeMap::new()).unwrap();
    assert_eq!(empty, repo.write_tree(&BTreeMap::new()));
}

#[test]
fn commits_match_commit_tree() {
    let repo = Repo::new();
    let tree = repo.mktree(&[]);
    let author = Signature {
        name: "Ada Lovelace".into(),
        email: "ada@example.org".into(),
        time: 1_700_000_000,
        tz_minutes: 90,
    };
    let committer = Signature {
        name: "Jörg Müller".into(),
        email: "jm@example.de".into(),
        time: 1_700_003_600,
        tz_minutes: -420,
    };
    let make = |parents: Vec<GitOid>, message: &str| Commit {
        tree,
        parents,
        author: author.clone(),
        committer: committer.clone(),
        message: message.into(),
    };
    let root = make(vec![], "Initial commit\n");
    let root_id = repo.commit_tree(tree, &[], root.message.as_bytes());
    assert_eq!(root.oid(), root_id);
    let child = make(
        vec![root_id],
        "Upload weights\n\nAdds model.safetensors.\nSecond line: ünïcødé.\n",
    );
    let child_id = repo.commit_tree(tree, &[root_id], child.message.as_bytes());
    assert_eq!(child.oid(), child_id);
    let side = repo.commit_tree(tree, &[root_id], b"side\n");
    let merge = make(vec![child_id, side], "Merge side\n");
    let merge_id = repo.commit_tree(tree, &[child_id, side], merge.message.as_bytes());
    assert_eq!(merge.oid(), merge_id);

    for (commit, id) in [(&root, root_id), (&child, child_id), (&merge, merge_id)] {
        let body = repo.cat_file("commit", id);
        assert_eq!(commit.encode(), body);
        assert_eq!(&Commit::decode(&body).unwrap(), commit);
    }
    assert_eq!(child.title(), "Upload weights");

    // Without a final newline we write what `git commit-tree -m` writes.
    let via_m = repo.git_env(
        &["commit-tree", &tree.to_hex(), "-m", "No newline"],
        b"",
        &IDENTITY,
    );
    assert_eq!(make(vec![], "No newline").oid(), oid(&via_m));
}

#[test]
fn lfs_pointer_blob_matches_git() {
    let repo = Repo::new();
    let pointer = LfsPointer {
        oid: commonhold_types::Sha256([0xcd; 32]),
        size: 4_294_967_296,
    };
    let text = pointer.encode();
    assert_eq!(
        hash_object(ObjectKind::Blob, text.as_bytes()),
        repo.hash_blob(text.as_bytes())
    );
}

#[test]
fn lfs_attribute_matches_check_attr() {
    let repo = Repo::new();
    let custom = "*.bin filter=lfs\nsmall.bin -filter\n/top.dat filter=lfs\ndata/*.csv filter=lfs\n\
                  **/deep.x filter=lfs\nkeep.txt !filter\n*.txt filter=lfs\ndocs/ filter=lfs\n";
    let paths = [
        "model.safetensors",
        "a/b/model.safetensors",
        "x.tar.gz",
        "x.tar",
        "tar",
        "README.md",
        "saved_model/saved_model.pb",
        "saved_model/variables/v.data",
        "sub/saved_model/v.txt",
        "runs/events.out.tfevents.1.host",
        ".x.npy",
        "big.bin",
        "small.bin",
        "d/small.bin",
        "top.dat",
        "d/top.dat",
        "data/x.csv",
        "data/s/x.csv",
        "o/data/x.csv",
        "deep.x",
        "a/b/deep.x",
        "keep.txt",
        "d/keep.txt",
        "other.txt",
        "docs/readme",
    ];
    for text in [DEFAULT_GITATTRIBUTES, custom] {
        std::fs::write(repo.path().join(".gitattributes"), text).unwrap();
        let mut args = vec!["check-attr", "filter", "--"];
        args.extend(paths);
        let out = repo.git(&args, b"");
        let attrs = GitAttributes::parse(text);
        for line in out.lines() {
            let (p, value) = line.split_once(": filter: ").unwrap();
            let expected = value == "lfs";
            assert_eq!(attrs.is_lfs(&path(p)), expected, "{p}: git says {value}");
        }
        assert_eq!(out.lines().count(), paths.len());
    }
}

/// Components chosen to exercise git's ordering corner cases.
const NAMES: &[&str] = &[
    "a",
    "a.b",
    "a0",
    "a-b",
    "b",
    "B",
    "é",
    "z z",
    "x.safetensors",
];

fn file_maps() -> impl Strategy<Value = BTreeMap<RepoPath, (EntryMode, GitOid)>> {
    let component = proptest::sample::select(NAMES);
    let mode =
        proptest::sample::select(&[EntryMode::File, EntryMode::Executable, EntryMode::Symlink][..]);
    let file = (
        proptest::collection::vec(component, 1..4),
        mode,
        any::<u8>(),
    );
    proptest::collection::vec(file, 0..24).prop_map(|files| {
        let mut map = BTreeMap::new();
        for (components, mode, byte) in files {
            let p = components.join("/");
            // Skip a path that would make a file also a directory.
            let clashes = map.keys().any(|k: &RepoPath| {
                let k = k.as_str();
                k == p || p.starts_with(&format!("{k}/")) || k.starts_with(&format!("{p}/"))
            });
            if !clashes {
                let mut id = [0x11; 20];
                id[0] = byte;
                map.insert(path(&p), (mode, GitOid(id)));
            }
        }
        map
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_file_maps_build_the_same_root_as_git(files in file_maps()) {
        let repo = Repo::new();
        let (root, trees) = build_trees(&files).unwrap();
        prop_assert_eq!(root, repo.write_tree(&files));
        for (id, body) in &trees {
            prop_assert_eq!(Tree::decode(body).unwrap().oid(), *id);
        }
    }
}
