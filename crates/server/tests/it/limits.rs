//! Bounds on what a request can make the server hold: bodies read only after the caller is
//! checked and never past the route's bound.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use common::TestHub;
use commonhold_types::Role;
use serde_json::json;

/// A body that records whether anyone read from it.
fn watched_body(len: usize) -> (Body, Arc<AtomicBool>) {
    let touched = Arc::new(AtomicBool::new(false));
    let flag = touched.clone();
    let chunks = futures::stream::iter((0..len / 65536 + 1).map(move |_| {
        flag.store(true, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 65536]))
    }));
    (Body::from_stream(chunks), touched)
}

#[tokio::test]
async fn refused_callers_never_have_their_body_read() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let reader = h.user("rita", Role::Read).await;
    assert_eq!(
        h.create_repo(&alice, "m", "model", false).await.status,
        StatusCode::OK
    );
    let cases: [(&str, &str, Option<&str>, StatusCode); 6] = [
        (
            "POST",
            "/alice/m.git/info/lfs/objects/batch",
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "POST",
            "/alice/m.git/info/lfs/objects/batch",
            Some("bogus"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "POST",
            "/alice/m.git/info/lfs/objects/batch",
            Some(&reader),
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/api/models/alice/m/commit/main",
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "POST",
            "/api/models/alice/m/preupload/main",
            None,
            StatusCode::UNAUTHORIZED,
        ),
        ("POST", "/api/repos/create", None, StatusCode::UNAUTHORIZED),
    ];
    for (method, uri, token, want) in cases {
        let (body, touched) = watched_body(8 << 20);
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let r = h.send(req.body(body).unwrap()).await;
        assert_eq!(r.status, want, "{method} {uri} as {token:?}");
        assert!(
            !touched.load(Ordering::SeqCst),
            "{method} {uri} as {token:?}: the body was read before the caller was refused"
        );
    }
    // An LFS upload URL with a bad signature is refused before its body is read, too.
    let (body, touched) = watched_body(8 << 20);
    let uri = format!(
        "/api/lfs/1/{}/complete?size=1&exp=99999999999&sig=00",
        "ab".repeat(32)
    );
    let r = h.call("POST", &uri, None, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!touched.load(Ordering::SeqCst));
}

#[tokio::test]
async fn bodies_over_the_route_bound_get_413_saying_so() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    for (uri, token) in [
        ("/api/validate-yaml", None),
        ("/alice/m.git/info/lfs/objects/batch", Some(alice.as_str())),
        ("/api/repos/create", Some(alice.as_str())),
        ("/api/models/alice/m/preupload/main", Some(alice.as_str())),
    ] {
        // Chunked (no Content-Length), so only counting can refuse it.
        let (body, _) = watched_body(16 << 20);
        let r = h.call("POST", uri, token, body).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
        let msg = r.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(msg.contains("larger than"), "{uri}: {msg}");
    }
    // (A `Content-Length` over the bound is refused before reading: `process_limits`.)
    // A small card still validates.
    let r = h
        .post_json(
            "/api/validate-yaml",
            None,
            json!({ "content": "---\nlicense: mit\n---\n# hi\n" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_commit_line_longer_than_any_inline_file_is_refused() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let (body, _) = watched_body(64 << 20);
    let r = h
        .call(
            "POST",
            "/api/models/alice/m/commit/main",
            Some(&alice),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("LFS"),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

/// Regular files above the configured limit are refused in new commits with a 413 that says to
/// use LFS, and preupload sends them to LFS in the first place; at the limit they still commit.
#[tokio::test]
async fn regular_files_over_the_limit_must_go_through_lfs() {
    let h = TestHub::with_config(commonhold_hub::HubConfig {
        public_url: common::PUBLIC.into(),
        max_regular_file_size: 1000,
        ..Default::default()
    })
    .await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let head = common::header_line("files");

    let over = vec![b'a'; 1001];
    let r = h
        .commit(
            &alice,
            "alice/m",
            &[head.clone(), common::file_line("big.txt", &over)],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let msg = r.json()["error"].as_str().unwrap_or_default().to_string();
    assert!(msg.contains("big.txt") && msg.contains("LFS"), "{msg}");
    let files = h.get("/api/models/alice/m/tree/main", Some(&alice)).await;
    let paths: Vec<_> = files
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].clone())
        .collect();
    assert!(
        !paths.contains(&json!("big.txt")),
        "nothing was committed: {paths:?}"
    );

    let at = vec![b'a'; 1000];
    let r = h
        .commit(&alice, "alice/m", &[head, common::file_line("ok.txt", &at)])
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );

    let sample = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"text");
    let r = h
        .post_json(
            "/api/models/alice/m/preupload/main",
            Some(&alice),
            json!({ "files": [
                { "path": "big.txt", "size": 1001, "sample": sample },
                { "path": "ok.txt", "size": 1000, "sample": sample },
            ] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let modes: Vec<_> = r.json()["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["uploadMode"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(modes, ["lfs", "regular"]);
}
