//! `commonhold fsck` on Xet storage in a real store: a file uploaded through the CAS routes (as
//! hf_xet uploads it) and committed, then a flipped byte in a stored xorb, a xorb file that is
//! gone, a repo mapping that names no recorded file, and a committed pointer that nothing serves.
//! Each must be named on stdout and make the command exit 1; the undamaged store passes.

mod support;

use std::path::Path;

use commonhold_xet::fixtures::{CompressionScheme, file_fixture};
use support::http::request;
use support::hub::{lfs_op, sha256_hex};
use support::{Store, find_files_named, pseudo_random};

#[test]
fn fsck_names_damaged_xorbs_dangling_mappings_and_unserved_pointers() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("xet");
    let data = pseudo_random(300_000, 11);
    let sha = sha256_hex(&data);
    let f = file_fixture(&data, 64 * 1024, 2, CompressionScheme::LZ4, &sha).unwrap();

    // Upload as hf_xet does: a write token, the xorbs, then the shard; then commit the sha256.
    let auth = format!("Bearer {}", store.token);
    let r = request(
        server.addr,
        "GET",
        "/api/models/alice/xet/xet-write-token/main",
        &[("Authorization", &auth)],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let cas = format!("Bearer {}", r.json()["accessToken"].as_str().unwrap());
    let cas_headers = [("Authorization", cas.as_str())];
    for (hash, body) in &f.xorbs {
        let path = format!("/xet-cas/v1/xorbs/default/{hash}");
        let r = request(server.addr, "POST", &path, &cas_headers, body).unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = request(
        server.addr,
        "POST",
        "/xet-cas/v1/shards",
        &cas_headers,
        &f.shard,
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    client.commit_ok(
        "add weights",
        &[lfs_op("model.bin", &sha, data.len() as u64)],
    );
    let got = client.resolve("model.bin");
    assert!(
        got.status == 200 && got.body == data,
        "the Xet file must download intact"
    );
    server.stop();
    store.assert_fsck(0, &[]);

    // (1) One flipped byte in the middle of a stored xorb: the xorb and the file are named.
    let (xorb, _) = &f.xorbs[1];
    let found = find_files_named(&store.data, &hex_of(&xorb.0));
    assert_eq!(found.len(), 1, "one stored file for xorb {xorb}: {found:?}");
    let path = &found[0];
    let original = std::fs::read(path).unwrap();
    let mut flipped = original.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    std::fs::write(path, &flipped).unwrap();
    store.assert_fsck(
        1,
        &[&format!("corrupt xorb {xorb}"), &f.file_hash.to_string()],
    );
    std::fs::write(path, &original).unwrap();
    store.assert_fsck(0, &[]);

    // (2) The xorb file is gone.
    std::fs::remove_file(path).unwrap();
    store.assert_fsck(1, &[&format!("corrupt xorb {xorb}: missing")]);
    std::fs::write(path, &original).unwrap();
    store.assert_fsck(0, &[]);

    // (3) A repo mapping naming a file that is not recorded (foreign keys off, as a careless
    // restore would leave it).
    let ghost = [0x42u8; 32];
    sql(
        &store.data.join("meta.db"),
        "INSERT INTO xet_grants (repo_id, sha, file_hash) SELECT id, ?, ? FROM repos WHERE name = 'xet'",
        &[&[7u8; 32], &ghost],
    );
    store.assert_fsck(
        1,
        &["not recorded", &commonhold_xet::XetHash(ghost).to_string()],
    );
    sql(
        &store.data.join("meta.db"),
        "DELETE FROM xet_grants WHERE file_hash = ?",
        &[&ghost],
    );
    store.assert_fsck(0, &[]);

    // (4) The committed pointer loses the mapping that served it: no LFS blob, no Xet file.
    sql(&store.data.join("meta.db"), "DELETE FROM xet_grants", &[]);
    store.assert_fsck(1, &[&format!("missing LFS blob {sha}"), "model.bin"]);
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs one statement on the SQLite metadata database behind the server's back, with foreign
/// keys off, binding `blobs` in order.
fn sql(db: &Path, statement: &'static str, blobs: &[&[u8]]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", db.display());
        let mut conn = sqlx::sqlite::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut conn)
            .await
            .unwrap();
        let mut q = sqlx::query(statement);
        for b in blobs {
            q = q.bind(b.to_vec());
        }
        let done = q.execute(&mut conn).await.unwrap();
        assert!(done.rows_affected() >= 1, "{statement} changed nothing");
        conn.close().await.unwrap();
    });
}
