//! `commonhold fsck` against real damage to a real store: a flipped byte in a stored blob, a
//! blob file that is gone, and a ref that points at no commit. Each must be named on stdout and
//! make the command exit 1; the undamaged store must pass with exit 0.

use crate::support;

use std::path::Path;

use support::hub::{file_op, lfs_op};
use support::{Store, find_files_named, pseudo_random};

/// A commit id that no store holds.
const DANGLING: &str = "0123456789abcdef0123456789abcdef01234567";

/// The one file under `blobs/` that holds the LFS object `oid`.
fn blob_file(data: &Path, oid: &str) -> std::path::PathBuf {
    let found = find_files_named(&data.join("blobs"), oid);
    assert_eq!(
        found.len(),
        1,
        "expected one stored file named {oid} under blobs/, found {found:?}"
    );
    found.into_iter().next().unwrap_or_default()
}

#[test]
fn fsck_names_a_flipped_byte_a_missing_blob_and_a_dangling_ref() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("weights");
    let weights = pseudo_random(256 * 1024, 7);
    let oid = client.upload_lfs(&weights);
    client.commit_ok(
        "add weights",
        &[
            lfs_op("model.safetensors", &oid, weights.len() as u64),
            file_op("README.md", b"# weights\n"),
        ],
    );
    let got = client.resolve("model.safetensors");
    assert_eq!(got.status, 200, "{}", got.text());
    assert!(
        got.body == weights,
        "the committed LFS file must download intact"
    );
    server.stop();

    // A clean store passes.
    store.assert_fsck(0, &[]);

    // (1) One flipped byte in the middle of the stored blob.
    let path = blob_file(&store.data, &oid);
    let original = std::fs::read(&path).unwrap();
    let mut flipped = original.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    std::fs::write(&path, &flipped).unwrap();
    store.assert_fsck(1, &[&oid]);
    std::fs::write(&path, &original).unwrap();
    store.assert_fsck(0, &[]);

    // (2) The blob file is gone: it is named, as missing.
    std::fs::remove_file(&path).unwrap();
    let stdout = store.assert_fsck(1, &[&oid]);
    assert!(
        stdout.to_lowercase().contains("missing"),
        "fsck should say the blob is missing:\n{stdout}"
    );
    std::fs::write(&path, &original).unwrap();
    store.assert_fsck(0, &[]);

    // (3) A branch pointing at a commit that does not exist.
    add_ref(
        &store.data.join("meta.db"),
        "weights",
        "refs/heads/dangling",
        &hex::decode(DANGLING).unwrap(),
    );
    store.assert_fsck(1, &["refs/heads/dangling", DANGLING]);
}

/// Adds a ref to repo `repo` directly in the SQLite metadata database, the way an operator's
/// mistake or a restore from mismatched backups would, behind the server's back.
fn add_ref(db: &Path, repo: &str, name: &str, oid: &[u8]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", db.display());
        let mut conn = sqlx::sqlite::SqliteConnection::connect(&url).await.unwrap();
        let done = sqlx::query(
            "INSERT INTO refs (repo_id, name, oid) SELECT id, ?, ? FROM repos WHERE name = ?",
        )
        .bind(name)
        .bind(oid)
        .bind(repo)
        .execute(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            done.rows_affected(),
            1,
            "one repo named {repo} should get the ref {name}"
        );
        conn.close().await.unwrap();
    });
}
