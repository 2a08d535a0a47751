//! Slow clients over a real socket: a connection that sends half a header, that keeps a
//! connection open without a next request, or whose body stops arriving, is closed by the
//! server; an upload that keeps moving is never cut, however long it takes.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::Store;
use support::http::{IO_TIMEOUT, read_reply, start_request};
use support::hub::{Client, file_op};
use support::server::Server;

/// Reads until the server closes the connection; a read timeout (the server kept it open) fails
/// the test.
fn read_until_closed(mut s: TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    match s.read_to_end(&mut got) {
        Ok(_) => got,
        // A reset after the server gave up is a close too.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => got,
        Err(e) => panic!(
            "the server kept the connection open for {IO_TIMEOUT:?} ({e}); got {:?}",
            String::from_utf8_lossy(&got)
        ),
    }
}

#[test]
fn stalled_clients_are_disconnected_and_moving_ones_are_not() {
    let store = Store::new();
    let server = Server::start_with_env(
        &store.data,
        &[
            ("COMMONHOLD_HEADER_READ_TIMEOUT_SECS", "1"),
            ("COMMONHOLD_IDLE_TIMEOUT_SECS", "2"),
        ],
    );
    let client = Client::new(server.addr, &store.token, "alice/slow");
    assert!(client.create_repo().is_success());

    // Half a header, then nothing.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let got = read_until_closed(s);
    assert!(
        got.is_empty() || got.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );

    // A whole request on a kept-alive connection, then silence: answered, then closed.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let got = read_until_closed(s);
    assert!(
        got.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );

    // A commit body that stops arriving halfway.
    let auth = format!("Bearer {}", store.token);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/x-ndjson"),
    ];
    let path = "/api/models/alice/slow/commit/main";
    let mut s = start_request(server.addr, "POST", path, &headers, 1000).unwrap();
    s.write_all(b"{\"key\": \"header\", ").unwrap();
    read_until_closed(s);
    assert_eq!(client.history().len(), 1, "nothing was committed");

    // A commit body sent a few bytes at a time for longer than both timeouts: it lands.
    let mut body =
        serde_json::json!({ "key": "header", "value": { "summary": "slow" } }).to_string();
    body.push('\n');
    body.push_str(&file_op("slow.txt", b"patience").to_string());
    let mut s = start_request(server.addr, "POST", path, &headers, body.len() as u64).unwrap();
    let pieces = body.as_bytes().chunks(body.len().div_ceil(16));
    for piece in pieces {
        s.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }
    let r = read_reply(s, false).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(client.history().len(), 2);
}
