//! Memory of the real binary under many concurrent downloads (issue 10, item 10): what a
//! download holds per connection is bounded by the read-ahead, not by the file, so 200 clients
//! that stop reading (the worst case: every buffer fills and stays full) keep the server well
//! under 200 MB, for an LFS file read from the blob store, for a Xet file rebuilt from its
//! xorbs for a plain HTTP client, and for a regular (non-LFS) file larger than today's limit
//! that is already in history.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use commonhold_xet::fixtures::{CompressionScheme, file_fixture};
use support::http::request;
use support::hub::{file_op, lfs_op, sha256_hex};
use support::{Store, server::Server};

const CONNECTIONS: usize = 200;
const FILE_BYTES: usize = 32 << 20;
const LIMIT_MB: u64 = 200;

#[test]
fn two_hundred_stalled_lfs_downloads_stay_under_200_mb() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("weights");
    let data = support::pseudo_random(FILE_BYTES, 7);
    let oid = client.upload_lfs(&data);
    client.commit_ok("weights", &[lfs_op("w.bin", &oid, FILE_BYTES as u64)]);
    assert_stalled_downloads_stay_small(server, &format!("/{}/resolve/main/w.bin", client.repo));
}

#[test]
fn two_hundred_stalled_xet_plain_downloads_stay_under_200_mb() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("xet");
    let data = support::pseudo_random(FILE_BYTES, 8);
    let sha = sha256_hex(&data);
    // 64 KiB chunks, 8 MiB xorbs: each download reads long terms of many chunks.
    let f = file_fixture(&data, 64 << 10, 128, CompressionScheme::LZ4, &sha).unwrap();
    client.upload_xet(&f);
    client.commit_ok("weights", &[lfs_op("w.bin", &sha, FILE_BYTES as u64)]);
    let path = format!("/{}/resolve/main/w.bin", client.repo);
    let got = client.resolve("w.bin");
    assert!(
        got.header("x-xet-hash").is_some(),
        "the file must be Xet-stored"
    );
    assert!(got.body == data, "the Xet file must download intact");
    assert_stalled_downloads_stay_small(server, &path);
}

#[test]
fn two_hundred_stalled_downloads_of_a_large_regular_file_in_history_stay_under_200_mb() {
    let store = Store::new();
    // History made while the hub took regular files this large (or imported): the limit
    // refuses them only in new commits.
    let allowing = (FILE_BYTES * 2).to_string();
    let server = Server::start_with_env(
        &store.data,
        &[("COMMONHOLD_MAX_REGULAR_FILE_SIZE", allowing.as_str())],
    );
    let client = support::hub::Client::new(server.addr, &store.token, "alice/old");
    client.create_repo();
    let data = support::pseudo_random(FILE_BYTES, 9);
    client.commit_ok("a large regular file", &[file_op("big.txt", &data)]);
    server.stop();

    let server = Server::start(&store.data);
    let client = client.via(server.addr);
    let got = client.resolve("big.txt");
    assert!(
        got.status == 200 && got.body == data,
        "the file must download intact"
    );
    let path = format!("/{}/resolve/main/big.txt", client.repo);
    let (a, b) = (FILE_BYTES / 3, FILE_BYTES / 3 + 1_000_000);
    let range = format!("bytes={a}-{}", b - 1);
    let part = request(server.addr, "GET", &path, &[("Range", range.as_str())], b"").unwrap();
    assert_eq!(part.status, 206);
    assert!(
        part.body == data[a..b],
        "the range must be the file's bytes"
    );
    assert_stalled_downloads_stay_small(server, &path);
}

/// Each client asks for `path`, reads the first bytes of the answer and then stops reading,
/// keeping its connection open; the server's peak RSS must stay under [`LIMIT_MB`].
fn assert_stalled_downloads_stay_small(server: Server, path: &str) {
    let before = server.peak_rss_mb();
    let request = format!("GET {path} HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n");
    let mut held = Vec::with_capacity(CONNECTIONS);
    for i in 0..CONNECTIONS {
        let mut s = TcpStream::connect(server.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(request.as_bytes()).expect("request");
        let mut first = [0u8; 64];
        let n = s.read(&mut first).expect("answer");
        assert!(
            first[..n].starts_with(b"HTTP/1.1 200"),
            "download {i}: {}",
            String::from_utf8_lossy(&first[..n])
        );
        held.push(s);
    }
    // Let every server-side stream fill its buffers (a stalled reader's stream stops once
    // they are full), watching the peak.
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        std::thread::sleep(Duration::from_millis(200));
    }
    let peak = server.peak_rss_mb();
    eprintln!(
        "{path}: server peak RSS {before} MB before, {peak} MB with {CONNECTIONS} stalled downloads"
    );
    assert!(
        peak < LIMIT_MB,
        "{CONNECTIONS} stalled downloads of a {} MB file: the server peaked at {peak} MB",
        FILE_BYTES >> 20
    );
    drop(held);
    server.stop();
}
