//! Hostile input at the edges: paging numbers.

mod common;

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
