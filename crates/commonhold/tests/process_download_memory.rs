//! Memory of the real binary under many concurrent downloads (issue 10, item 10): what a
//! download holds per connection is bounded by the read-ahead, not by the file, so 200 clients
//! that stop reading (the worst case: every buffer fills and stays full) keep the server well
//! under 200 MB.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::Store;
use support::hub::lfs_op;

const CONNECTIONS: usize = 200;
const FILE_BYTES: usize = 32 << 20;
const LIMIT_MB: u64 = 200;

#[test]
fn two_hundred_stalled_downloads_stay_under_200_mb() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("weights");
    let data = support::pseudo_random(FILE_BYTES, 7);
    let oid = client.upload_lfs(&data);
    client.commit_ok("weights", &[lfs_op("w.bin", &oid, FILE_BYTES as u64)]);
    let before = server.peak_rss_mb();

    // Each client asks for the file, reads the first bytes of the answer and then stops
    // reading, keeping its connection open.
    let request = format!(
        "GET /{}/resolve/main/w.bin HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n",
        client.repo
    );
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
        "server peak RSS: {before} MB before, {peak} MB with {CONNECTIONS} stalled downloads"
    );
    assert!(
        peak < LIMIT_MB,
        "{CONNECTIONS} stalled downloads of a {} MB file: the server peaked at {peak} MB",
        FILE_BYTES >> 20
    );
    drop(held);
    server.stop();
}
