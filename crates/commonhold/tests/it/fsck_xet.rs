//! `commonhold fsck` on Xet storage in a real store: a file uploaded through the CAS routes (as
//! hf_xet uploads it) and committed, then a flipped byte in a stored xorb, a xorb file that is
//! gone, a repo mapping that names no recorded file, and a committed pointer that nothing serves.
//! Each must be named on stdout and make the command exit 1; the undamaged store passes. And a
//! mapping whose file does not hash to its sha256 (forged) is named, and never served.

use crate::support;

use std::path::Path;

use commonhold_xet::fixtures::{CompressionScheme, file_fixture};
use support::hub::{lfs_op, sha256_hex};
use support::{Store, find_files_named, pseudo_random};

#[test]
fn fsck_names_damaged_xorbs_dangling_mappings_and_unserved_pointers() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("xet");
    let data = pseudo_random(300_000, 11);
    let sha = sha256_hex(&data);
    let f = file_fixture(&data, 64 * 1024, 2, CompressionScheme::LZ4, &sha).unwrap();

    client.upload_xet(&f);
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

/// A store as a hub without content hashing could have left it: a mapping that names the
/// victim's LFS file by its sha256 but points at another Xet file, and files with no recorded
/// sha256. fsck rebuilds and hashes every file and names the forged mapping; a server started on
/// the store hashes the older files, serves the honest mapping and never the forged one.
#[test]
fn fsck_names_a_forged_mapping_and_the_server_never_serves_it() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("victim");
    let victim = pseudo_random(200_000, 21);
    let victim_sha = client.upload_lfs(&victim);
    let other = pseudo_random(victim.len(), 22);
    let other_sha = sha256_hex(&other);
    let f = file_fixture(&other, 64 * 1024, 2, CompressionScheme::LZ4, &other_sha).unwrap();
    client.upload_xet(&f);
    client.commit_ok(
        "weights and another file",
        &[
            lfs_op("model.bin", &victim_sha, victim.len() as u64),
            lfs_op("other.bin", &other_sha, other.len() as u64),
        ],
    );
    server.stop();
    store.assert_fsck(0, &[]);

    let db = store.data.join("meta.db");
    sql(&db, "UPDATE xet_files SET sha256 = NULL", &[]);
    let victim_raw = hex::decode(&victim_sha).unwrap();
    sql(
        &db,
        "INSERT INTO xet_grants (repo_id, sha, file_hash) SELECT id, ?, ? FROM repos WHERE name = 'victim'",
        &[&victim_raw[..], &f.file_hash.0],
    );
    store.assert_fsck(
        1,
        &[&format!(
            "maps sha256 {victim_sha} to Xet file {}, whose bytes do not hash to it",
            f.file_hash
        )],
    );

    let server = support::server::Server::start(&store.data);
    let client = client.via(server.addr);
    // The other file serves once the server has hashed it (in the background, at start).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let got = client.resolve("other.bin");
        if got.status == 200 && got.header("x-xet-hash").is_some() {
            assert!(
                got.body == other,
                "the honest Xet file must download intact"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the older Xet file was not hashed: {} {}",
            got.status,
            server.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let got = client.resolve("model.bin");
    assert_eq!(got.status, 200);
    assert!(got.body == victim, "the forged mapping was served");
    assert_eq!(got.header("x-xet-hash"), None);
    server.stop();
}

/// Uploads a file fixture as hf_xet does: a write token for `repo`, the xorbs, then the shard.
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
