//! Memory bounds of the real binary under hostile requests: huge bodies sent to routes that
//! must refuse them, streamed by the test (never held in its memory), while the server's peak
//! resident set (`VmHWM`) is watched.

use crate::support;

use support::Store;
use support::http::{Reply, stream_zeros};

/// One gibibyte: what an attacker sends.
const HUGE: u64 = 1 << 30;
/// The server's peak RSS must stay under this through every attack.
const PEAK_RSS_LIMIT: u64 = 300 << 20;

fn assert_refused(what: &str, r: std::io::Result<Reply>, want: u16) {
    let r = r.unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
    assert_eq!(r.status, want, "{what}: {}", r.text());
}

#[test]
fn huge_bodies_are_refused_before_they_are_read() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("limits");
    let batch = "/alice/limits.git/info/lfs/objects/batch";
    let lfs_json = ("Content-Type", "application/vnd.git-lfs+json");
    let auth = format!("Bearer {}", store.token);

    // Anonymous: refused on the missing token, before any body byte is read.
    for chunked in [false, true] {
        let r = stream_zeros(server.addr, "POST", batch, &[lfs_json], HUGE, chunked);
        assert_refused(&format!("anonymous batch (chunked: {chunked})"), r, 401);
    }
    let bad_token = [("Authorization", "Bearer not-a-token"), lfs_json];
    let r = stream_zeros(server.addr, "POST", batch, &bad_token, HUGE, false);
    assert_refused("batch with a bad token", r, 401);
    let commit = "/api/models/alice/limits/commit/main";
    let r = stream_zeros(server.addr, "POST", commit, &[], HUGE, true);
    assert_refused("anonymous commit", r, 401);

    // validate-yaml takes no token: its bound refuses the body, announced or not.
    for chunked in [false, true] {
        let r = stream_zeros(
            server.addr,
            "POST",
            "/api/validate-yaml",
            &[],
            HUGE,
            chunked,
        );
        assert_refused(&format!("validate-yaml (chunked: {chunked})"), r, 413);
    }

    // Authenticated callers get each route's bound, too.
    let with_auth = [("Authorization", auth.as_str()), lfs_json];
    let r = stream_zeros(server.addr, "POST", batch, &with_auth, HUGE, true);
    assert_refused("authenticated batch", r, 413);
    // A commit payload of one endless line: refused once the line outgrows any inline file.
    let r = stream_zeros(server.addr, "POST", commit, &with_auth, HUGE, true);
    assert_refused("one endless commit line", r, 413);

    // The hub still works, and never held the bodies.
    let r = client
        .call("GET", "/api/models/alice/limits", "application/json", b"")
        .expect("repo info");
    assert_eq!(r.status, 200, "repo info after the attacks: {}", r.text());
    let peak = server.peak_rss_mb() << 20;
    assert!(
        peak < PEAK_RSS_LIMIT,
        "peak RSS {} MiB under huge bodies (limit {} MiB)",
        peak >> 20,
        PEAK_RSS_LIMIT >> 20
    );
}
