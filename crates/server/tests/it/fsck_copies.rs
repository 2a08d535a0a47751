//! The downloads' copies of large git blobs (`git-blobs/` in the blob store): fsck re-hashes
//! them and names a bad one, `--prune-copies` removes it and the next download makes it again
//! with the right bytes, and a copy whose repo was deleted is reported and then removed.

use axum::http::StatusCode;
use commonhold_hub::FsckOptions;
use commonhold_types::Role;
use serde_json::json;

use crate::common::*;

/// Every file under the test hub's `git-blobs/` directory.
fn copies(t: &TestHub) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, inside: bool, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let here = inside || entry.file_name() == "git-blobs";
            if path.is_dir() {
                walk(&path, here, out);
            } else if inside {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(t.dir.path(), false, &mut out);
    out
}

const PRUNE: FsckOptions = FsckOptions { prune_copies: true };

#[tokio::test]
async fn fsck_rehashes_blob_copies_and_prunes_bad_and_unreachable_ones() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    ok(&t.create_repo(&alice, "m", "model", false).await);
    // Above the 1 MiB served from memory, so the first download stores a copy.
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    ok(&t
        .commit(
            &alice,
            "alice/m",
            &[header_line("big"), file_line("big.bin", &data)],
        )
        .await);
    let download = || t.get("/alice/m/resolve/main/big.bin", None);
    let got = download().await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.body == data, "the first download serves the file");
    let [copy] = copies(&t).try_into().expect("one copy after a download");
    let oid = copy.file_name().unwrap().to_string_lossy().into_owned();

    let report = t.hub.fsck(&|_| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!((report.blob_copies, report.orphan_copies.len()), (1, 0));

    // One flipped byte: named, as a copy, and kept until asked.
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes[1_500_000] ^= 1;
    std::fs::write(&copy, &bytes).unwrap();
    let report = t.hub.fsck(&|_| {}).await.unwrap();
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(&oid) && problems[0].contains("corrupt copy of git blob"),
        "{problems:?}"
    );
    assert!(copy.exists());

    // Pruned while the server runs: the next download (whose process knew the copy) makes it
    // again from the git object and serves the right bytes.
    let report = t.hub.fsck_with(PRUNE, &|_| {}).await.unwrap();
    assert_eq!(report.removed_copies, 1);
    assert!(!copy.exists());
    let again = download().await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body == data, "a pruned copy is remade intact");
    assert!(t.hub.fsck(&|_| {}).await.unwrap().problems.is_empty());

    // The repo is deleted: its copy is reported as unused (not a problem), then removed.
    let del = t
        .call(
            "DELETE",
            "/api/repos/delete",
            Some(&alice),
            json!({ "name": "m", "organization": "alice", "type": "model" }).to_string(),
        )
        .await;
    assert_eq!(del.status, StatusCode::OK);
    let report = t.hub.fsck(&|_| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let orphans: Vec<String> = report
        .orphan_copies
        .iter()
        .map(|(o, _)| o.to_string())
        .collect();
    assert_eq!(orphans, vec![oid]);
    assert!(copy.exists(), "fsck without the flag removes nothing");
    let report = t.hub.fsck_with(PRUNE, &|_| {}).await.unwrap();
    assert_eq!(report.removed_copies, 1);
    assert!(copies(&t).is_empty());
}
