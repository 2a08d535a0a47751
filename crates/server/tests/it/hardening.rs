//! Hostile input at the edges: paging numbers, ranges, security headers, paths, rate limits.

use crate::common;

use axum::http::StatusCode;
use common::*;
use commonhold_types::Role;

/// A public model `alice/m` with one commit and one discussion; alice's write token.
async fn hub_with_a_repo() -> (TestHub, String) {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    assert_eq!(
        h.create_repo(&alice, "m", "model", false).await.status,
        StatusCode::OK
    );
    let r = h
        .commit(
            &alice,
            "alice/m",
            &[header_line("add"), file_line("config.json", b"{}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = h
        .post_json(
            "/api/models/alice/m/discussions",
            Some(&alice),
            serde_json::json!({ "title": "hello", "description": "" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    (h, alice)
}

#[tokio::test]
async fn listings_refuse_page_numbers_they_cannot_serve_with_a_400_naming_them() {
    let (h, _) = hub_with_a_repo().await;
    let huge = [
        "200000000000000000",
        "9223372036854775807",
        "18446744073709551615",
        "18446744073709551616",
        "-1",
        "abc",
    ];
    for n in huge {
        for (uri, key) in [
            (format!("/api/models/alice/m/discussions?p={n}"), "p"),
            (
                format!("/api/models/alice/m/commits/main?cursor={n}"),
                "cursor",
            ),
            (
                format!("/api/models/alice/m/tree/main?cursor={n}"),
                "cursor",
            ),
            (format!("/api/models?cursor={n}"), "cursor"),
            (format!("/api/models?limit={n}&cursor=0"), "limit"),
            (format!("/api/models/alice/m/tree/main?limit={n}"), "limit"),
        ] {
            if key == "limit" && n.parse::<u64>().is_ok() {
                // A whole limit is clamped to the page size: that page is served.
                assert_eq!(h.get(&uri, None).await.status, StatusCode::OK, "{uri}");
                continue;
            }
            let r = h.get(&uri, None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
            let message = r.json()["error"].as_str().unwrap().to_string();
            assert!(message.starts_with(&format!("{key}=")), "{uri}: {message}");
        }
    }
    // The last page a listing can reach is empty, not an error.
    let last = (1u64 << 53) - 1;
    for uri in [
        format!("/api/models/alice/m/commits/main?cursor={last}"),
        format!("/api/models/alice/m/tree/main?cursor={last}"),
        format!("/api/models?cursor={last}"),
        format!("/api/models/alice/m/discussions?p={}", last / 50),
    ] {
        let r = h.get(&uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        let v = r.json();
        let items = v.get("discussions").unwrap_or(&v);
        assert_eq!(items.as_array().map(Vec::len), Some(0), "{uri}: {v}");
    }
    // The web search: a deep page is empty, a malformed offset a 400 page.
    assert_eq!(
        h.get("/search?offset=18446744073709551615", None)
            .await
            .status,
        StatusCode::OK
    );
    let bad = h.get("/search?offset=-1", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&bad.body).contains("offset="));
}

/// Reproducible bytes.
fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[tokio::test]
async fn ranges_never_wrap_on_regular_lfs_and_xet_files() {
    use commonhold_xet::fixtures::{CompressionScheme, file_fixture};
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    ok(&h.create_repo(&alice, "r", "model", false).await);
    let regular = bytes(1000, 1);
    let lfs = bytes(20_000, 2);
    let xet = bytes(70_000, 3);
    let lfs_oid = h.lfs_upload(&alice, "alice/r", &lfs).await;
    let f = file_fixture(
        &xet,
        16 * 1024,
        2,
        CompressionScheme::LZ4,
        &sha256_hex(&xet),
    )
    .unwrap();
    xet_upload(&h, &alice, "models", "alice/r", &f).await;
    ok(&h
        .commit(
            &alice,
            "alice/r",
            &[
                header_line("three kinds"),
                file_line("regular.txt", &regular),
                lfs_line("lfs.bin", &lfs_oid, lfs.len() as u64),
                lfs_line("xet.bin", &sha256_hex(&xet), xet.len() as u64),
            ],
        )
        .await);
    let max = u64::MAX;
    for (path, data) in [
        ("regular.txt", &regular),
        ("lfs.bin", &lfs),
        ("xet.bin", &xet),
    ] {
        let uri = format!("/alice/r/resolve/main/{path}");
        let size = data.len();
        let whole = format!("bytes 0-{}/{size}", size - 1);
        for range in [
            format!("bytes=0-{max}"),
            format!("bytes=0-{max}0"),
            format!("bytes=-{max}"),
        ] {
            let r = ranged(&h, &uri, &range).await;
            assert_eq!(r.status, StatusCode::PARTIAL_CONTENT, "{path} {range}");
            assert_eq!(r.header("content-range"), Some(whole.as_str()), "{path}");
            assert_eq!(r.header("content-length"), Some(size.to_string().as_str()));
            assert!(r.body == *data, "{path} {range}: the body differs");
        }
        let r = ranged(&h, &uri, &format!("bytes={}-{max}", size - 2)).await;
        assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
        assert!(r.body == data[size - 2..], "{path}: the tail differs");
        for range in [
            format!("bytes={max}-"),
            format!("bytes={size}-{max}"),
            "bytes=-0".into(),
        ] {
            let r = ranged(&h, &uri, &range).await;
            assert_eq!(
                r.status,
                StatusCode::RANGE_NOT_SATISFIABLE,
                "{path} {range}"
            );
            let unsatisfied = format!("bytes */{size}");
            assert_eq!(r.header("content-range"), Some(unsatisfied.as_str()));
        }
        // Invalid or several ranges: the whole file, 200.
        for range in ["bytes=5-2", "bytes=0-1,5-6", "bytes=1-x"] {
            let r = ranged(&h, &uri, range).await;
            assert_eq!(r.status, StatusCode::OK, "{path} {range}");
            assert!(r.body == *data);
        }
        // A range under an If-Range naming another version: the whole file.
        let req = axum::http::Request::builder()
            .uri(&uri)
            .header("range", "bytes=0-0")
            .header("if-range", "\"0000\"")
            .body(axum::body::Body::empty())
            .unwrap();
        let r = h.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.body == *data);
    }

    // The Xet reconstruction clamps a huge last position to the file's end.
    let r = h
        .get("/api/models/alice/r/xet-read-token/main", Some(&alice))
        .await;
    let read = r.json()["accessToken"].as_str().unwrap().to_string();
    let recon = format!("/xet-cas/v1/reconstructions/{}", f.file_hash);
    let req = axum::http::Request::builder()
        .uri(&recon)
        .header("authorization", format!("Bearer {read}"))
        .header("range", format!("bytes=0-{max}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let r = h.send(req).await;
    ok(&r);
    let terms = r.json()["terms"].as_array().unwrap().clone();
    let total: u64 = terms
        .iter()
        .map(|t| t["unpacked_length"].as_u64().unwrap())
        .sum();
    assert_eq!(total, xet.len() as u64);
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_markup_downloads_as_attachment() {
    let (h, alice) = hub_with_a_repo().await;
    ok(&h
        .commit(
            &alice,
            "alice/m",
            &[
                header_line("markup"),
                file_line("docs/index.html", b"<script>alert(1)</script>"),
                file_line("logo.SVG", b"<svg onload=\"alert(1)\"/>"),
            ],
        )
        .await);
    let page_csp = "default-src 'self'; script-src 'none'; object-src 'none'; \
                    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    let data_csp = "default-src 'none'; sandbox; frame-ancestors 'none'";
    for (uri, csp) in [
        ("/", page_csp),
        ("/search?q=m", page_csp),
        ("/alice/m", page_csp),
        ("/alice/nope", page_csp),
        ("/alice/m/discussions", page_csp),
        ("/api/models", data_csp),
        ("/api/models/alice/m", data_csp),
        ("/api/models/alice/nope", data_csp),
        ("/api/nothing/here/at/all", data_csp),
        ("/alice/m/resolve/main/config.json", data_csp),
        ("/alice/m/resolve/main/docs/index.html", data_csp),
        ("/metrics", data_csp),
    ] {
        let r = h.get(uri, None).await;
        assert_eq!(r.header("content-security-policy"), Some(csp), "{uri}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{uri}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{uri}");
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{uri}");
    }
    for (path, disposition) in [
        (
            "docs/index.html",
            Some("attachment; filename=\"index.html\"; filename*=UTF-8''index%2Ehtml"),
        ),
        (
            "logo.SVG",
            Some("attachment; filename=\"logo.SVG\"; filename*=UTF-8''logo%2ESVG"),
        ),
        ("config.json", None),
    ] {
        for method in ["GET", "HEAD"] {
            let uri = format!("/alice/m/resolve/main/{path}");
            let r = h.call(method, &uri, None, axum::body::Body::empty()).await;
            assert_eq!(r.status, StatusCode::OK, "{method} {path}");
            assert_eq!(
                r.header("content-disposition"),
                disposition,
                "{method} {path}"
            );
            assert_eq!(r.header("content-type"), Some("application/octet-stream"));
        }
    }
}

#[tokio::test]
async fn a_commit_cannot_add_a_name_equal_to_another_in_nfc() {
    let (h, alice) = hub_with_a_repo().await;
    let decomposed = "models/cafe\u{301}/config.json";
    ok(&h
        .commit(
            &alice,
            "alice/m",
            &[header_line("nfd"), file_line(decomposed, b"1")],
        )
        .await);
    let r = h
        .commit(
            &alice,
            "alice/m",
            &[
                header_line("nfc"),
                file_line("models/caf\u{e9}/weights.bin", b"2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = r.json()["error"].as_str().unwrap().to_string();
    assert!(
        // Names are quoted with escapes, so the difference shows.
        message.contains("equal in NFC") && message.contains(r#""models/cafe\u{301}""#),
        "{message}"
    );
    // Case is not folded (the Hub is case-sensitive), and the existing spelling still works.
    for path in ["models/CAFE\u{301}/x", "models/cafe\u{301}/tokenizer.json"] {
        ok(&h
            .commit(
                &alice,
                "alice/m",
                &[header_line("ok"), file_line(path, b"3")],
            )
            .await);
    }
}

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after() {
    let h = TestHub::with_config(commonhold_hub::HubConfig {
        public_url: PUBLIC.into(),
        rate_limit_per_token: 5,
        rate_limit_per_address: 3,
        ..Default::default()
    })
    .await;
    let alice = h.user("alice", Role::Read).await;
    let bob = h.user("bob", Role::Read).await;
    for _ in 0..5 {
        ok(&h.get("/api/whoami-v2", Some(&alice)).await);
    }
    let r = h.get("/api/whoami-v2", Some(&alice)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        r.header("ratelimit"),
        Some(format!("\"token\";r=0;t={wait}").as_str())
    );
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("5 requests a minute")
    );
    // Another token has its own bucket, and so do requests without one.
    ok(&h.get("/api/whoami-v2", Some(&bob)).await);
    for _ in 0..3 {
        ok(&h.get("/api/models", None).await);
    }
    let r = h.get("/api/models", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
    // An invalid token counts against the address, not a bucket of its own.
    let r = h.get("/api/models", Some("hf_not_a_token")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_default_limits_let_a_thousand_file_snapshot_through() {
    let (h, alice) = hub_with_a_repo().await;
    let files = 1000;
    let mut lines = vec![header_line("a thousand files")];
    lines.extend((0..files).map(|i| file_line(&format!("shard-{i:04}.json"), b"{}")));
    ok(&h.commit(&alice, "alice/m", &lines).await);
    // As snapshot_download: the repo's file list, then HEAD and GET of every file; twice more
    // per file for what Xet downloads add (a read token, a reconstruction).
    let info = h.get("/api/models/alice/m/revision/main", None).await;
    ok(&info);
    // With .gitattributes and config.json.
    assert_eq!(info.json()["siblings"].as_array().unwrap().len(), files + 2);
    for i in 0..files {
        let uri = format!("/alice/m/resolve/main/shard-{i:04}.json");
        for method in ["HEAD", "GET", "HEAD", "GET"] {
            let r = h.call(method, &uri, None, axum::body::Body::empty()).await;
            assert_eq!(r.status, StatusCode::OK, "{method} {uri}");
        }
    }
}

/// The upload, part and verify hrefs of one batch answer (hub-local paths), in object order.
fn upload_hrefs(batch: &Reply) -> Vec<Vec<String>> {
    let href = |v: &serde_json::Value| local(v.as_str().unwrap());
    batch.json()["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let actions = &o["actions"];
            let mut hrefs = vec![href(&actions["upload"]["href"])];
            if let Some(parts) = actions["upload"]["header"].as_object() {
                hrefs.extend(
                    parts
                        .iter()
                        .filter(|(k, _)| *k != "chunk_size")
                        .map(|(_, v)| href(v)),
                );
            }
            hrefs.push(href(&actions["verify"]["href"]));
            hrefs
        })
        .collect()
}

#[tokio::test]
async fn upload_urls_stop_working_once_their_token_is_revoked() {
    let (h, alice) = hub_with_a_repo().await;
    let (first, second) = (bytes(1000, 7), bytes(1000, 8));
    let big = 100u64 << 20;
    let batch = h
        .post_json(
            "/alice/m.git/info/lfs/objects/batch",
            Some(&alice),
            serde_json::json!({ "operation": "upload", "transfers": ["basic", "multipart"], "objects": [
                { "oid": sha256_hex(&first), "size": first.len() },
                { "oid": sha256_hex(&second), "size": second.len() },
                { "oid": "ab".repeat(32), "size": big },
            ] }),
        )
        .await;
    ok(&batch);
    let hrefs = upload_hrefs(&batch);
    assert_eq!(hrefs[2].len(), 6, "complete, four parts and verify");
    // While the token is live, its URLs work.
    ok(&h.call("PUT", &hrefs[0][0], None, first.clone()).await);
    let stored = h.blobs.list().await.unwrap();
    assert_eq!(stored.len(), 1);

    // The token is revoked (as `commonhold token revoke` does, from another process); this
    // process and another one on the same database refuse every URL it was given.
    let account = h.meta.account_by_name("alice").await.unwrap().unwrap();
    assert_eq!(h.meta.revoke_token(account.id, "test").await.unwrap(), 1);
    let other = h.second_process().await;
    for (method, href, body) in [
        ("PUT", &hrefs[1][0], second.clone()),
        ("PUT", &hrefs[2][1], vec![0u8; 1000]),
        ("POST", &hrefs[2][0], br#"{"parts":[]}"#.to_vec()),
        ("POST", &hrefs[0][1], br#"{}"#.to_vec()),
    ] {
        let r = other.call(method, href, None, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {href}");
        let text = String::from_utf8_lossy(&r.body);
        assert!(text.contains("revoked"), "{text}");
    }
    assert_eq!(
        h.blobs.list().await.unwrap(),
        stored,
        "nothing more is stored"
    );

    // Naming another, live token in the URL breaks its signature.
    let bob = h.user("bob", Role::Write).await;
    assert!(other.hub.authenticate(&bob).await.unwrap().is_some());
    let bob_id = other
        .hub
        .authenticate(&bob)
        .await
        .unwrap()
        .unwrap()
        .token
        .unwrap()
        .id;
    let (base, query) = hrefs[1][0].split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some(("tok", _)) => format!("tok={bob_id}"),
            _ => kv.to_string(),
        })
        .collect();
    let forged = format!("{base}?{}", query.join("&"));
    assert_ne!(forged, hrefs[1][0]);
    let r = other.call("PUT", &forged, None, second.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(h.blobs.list().await.unwrap(), stored);
}

/// Every route of `/api/{kind}/{ns}/{name}/...` reaches its repo through the one access check
/// (`RepoIn`): a private repo answers a stranger (anonymous, or signed in with a write token)
/// exactly as a missing one, whatever the route, before any body is read.
#[tokio::test]
async fn every_repo_route_answers_a_hidden_repo_as_a_missing_one() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let bob = h.user("bob", Role::Write).await;
    h.create_repo(&alice, "secret", "model", true).await;
    let routes = [
        ("GET", ""),
        ("GET", "/revision/main"),
        ("GET", "/tree/main"),
        ("GET", "/tree/main/a/b"),
        ("POST", "/paths-info/main"),
        ("GET", "/refs"),
        ("GET", "/commits/main"),
        ("POST", "/branch/b"),
        ("DELETE", "/branch/b"),
        ("POST", "/tag/t"),
        ("DELETE", "/tag/t"),
        ("GET", "/openness"),
        ("GET", "/openness/main"),
        ("GET", "/disputes"),
        ("POST", "/disputes"),
        ("POST", "/preupload/main"),
        ("POST", "/commit/main"),
        ("GET", "/xet-write-token/main"),
        ("GET", "/xet-read-token/main"),
        ("GET", "/discussions"),
        ("POST", "/discussions"),
        ("GET", "/discussions/1"),
        ("POST", "/discussions/1/comment"),
        ("POST", "/discussions/1/title"),
        ("POST", "/discussions/1/status"),
        ("POST", "/discussions/1/merge"),
    ];
    for (method, tail) in routes {
        for token in [None, Some(bob.as_str())] {
            let hidden = h
                .call(
                    method,
                    &format!("/api/models/alice/secret{tail}"),
                    token,
                    "{}",
                )
                .await;
            let missing = h
                .call(
                    method,
                    &format!("/api/models/alice/nothing{tail}"),
                    token,
                    "{}",
                )
                .await;
            let who = if token.is_some() { "bob" } else { "anonymous" };
            assert_eq!(
                (hidden.status, hidden.header("x-error-code"), &hidden.body),
                (
                    missing.status,
                    missing.header("x-error-code"),
                    &missing.body
                ),
                "{method} {tail} as {who}"
            );
            assert!(
                hidden.status == StatusCode::UNAUTHORIZED || hidden.status == StatusCode::NOT_FOUND,
                "{method} {tail} as {who}: {}",
                hidden.status
            );
        }
    }
}
