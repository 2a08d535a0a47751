//! Gated repositories through the router: the settings, every path to a gated repo's bytes
//! (each test here fails if its path stops asking `Hub::require_read_bytes`), what stays public,
//! and the access-request routes as huggingface_hub calls them.

use crate::common;

use axum::http::StatusCode;
use common::*;
use commonhold_types::Role;
use commonhold_xet::fixtures::{CompressionScheme, file_fixture};
use serde_json::{Value, json};

/// alice's public model `alice/g` with a regular README, config.json and an LFS file, gated
/// `manual` through the settings; bob (write token) and an anonymous caller have no grant.
struct Gated {
    t: TestHub,
    alice: String,
    bob: String,
}

const CARD: &str = "---\nlicense: mit\nextra_gated_fields:\n  Affiliation: text\n  Country: country\n  I agree: checkbox\n---\n# G\n";

async fn gated() -> Gated {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    let bob = t.user("bob", Role::Write).await;
    ok(&t.create_repo(&alice, "alice/g", "model", false).await);
    let oid = t.lfs_upload(&alice, "alice/g", b"secret weights").await;
    ok(&t
        .commit(
            &alice,
            "alice/g",
            &[
                header_line("init"),
                file_line("README.md", CARD.as_bytes()),
                file_line("config.json", br#"{"model_type": "secret"}"#),
                lfs_line("w.bin", &oid, 14),
            ],
        )
        .await);
    let r = settings(&t, &alice, "models/alice/g", json!({ "gated": "manual" })).await;
    ok(&r);
    assert_eq!(r.json()["gated"], "manual");
    Gated { t, alice, bob }
}

async fn settings(t: &TestHub, token: &str, repo: &str, body: Value) -> Reply {
    t.call(
        "PUT",
        &format!("/api/{repo}/settings"),
        Some(token),
        body.to_string(),
    )
    .await
}

/// The answer a caller without a grant gets: 401 anonymous, 403 signed in, `GatedRepo`.
fn assert_gated(r: &Reply, signed_in: bool) {
    let status = if signed_in {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNAUTHORIZED
    };
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("x-error-code"), Some("GatedRepo"));
}

#[tokio::test]
async fn resolve_get_head_and_ranges_need_a_grant() {
    let Gated { t, alice, bob } = gated().await;
    for path in ["w.bin", "README.md", "config.json"] {
        let uri = format!("/alice/g/resolve/main/{path}");
        assert_gated(&t.get(&uri, None).await, false);
        assert_gated(&t.get(&uri, Some(&bob)).await, true);
        assert_gated(&t.call("HEAD", &uri, Some(&bob), "").await, true);
        ok(&t.get(&uri, Some(&alice)).await);
    }
    assert_gated(
        &ranged(&t, "/alice/g/resolve/main/w.bin", "bytes=0-3").await,
        false,
    );
    let msg = t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await;
    let text = String::from_utf8_lossy(&msg.body).to_string();
    assert!(
        text.contains("is restricted and you are not in the authorized list"),
        "{text}"
    );
    // A site administrator reads without a grant.
    let admin = t.meta.create_user("root", true).await.unwrap();
    let root = commonhold_hub::generate_token();
    t.meta
        .create_token(
            admin.id,
            "t",
            Role::Read,
            &commonhold_hub::hash_token(&root),
        )
        .await
        .unwrap();
    ok(&t.get("/alice/g/resolve/main/w.bin", Some(&root)).await);
}

#[tokio::test]
async fn metadata_card_and_file_list_stay_public_but_config_does_not() {
    let Gated { t, alice, bob } = gated().await;
    let info = t.get("/api/models/alice/g", None).await;
    ok(&info);
    let v = info.json();
    assert_eq!(v["gated"], "manual");
    assert_eq!(v["cardData"]["license"], "mit");
    let siblings: Vec<&str> = v["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap())
        .collect();
    for name in ["README.md", "config.json", "w.bin"] {
        assert!(siblings.contains(&name), "{siblings:?}");
    }
    // `config` is the content of config.json: gated like the file.
    assert!(v.get("config").is_none(), "{v}");
    assert!(
        t.get("/api/models/alice/g", Some(&bob))
            .await
            .json()
            .get("config")
            .is_none()
    );
    assert_eq!(
        t.get("/api/models/alice/g", Some(&alice)).await.json()["config"]["model_type"],
        "secret"
    );
    ok(&t.get("/api/models/alice/g/tree/main", None).await);
    ok(&t
        .post_json(
            "/api/models/alice/g/paths-info/main",
            None,
            json!({ "paths": ["w.bin"] }),
        )
        .await);
    // Listings carry `gated` and filter on it, in both clients' spellings.
    ok(&t.create_repo(&alice, "alice/open", "model", false).await);
    for (q, want) in [
        ("gated=true", vec!["alice/g"]),
        ("gated=True", vec!["alice/g"]),
        ("gated=false", vec!["alice/open"]),
    ] {
        let list = t.get(&format!("/api/models?{q}"), None).await.json();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(names, want, "{q}");
    }
    assert_eq!(
        t.get("/api/models?gated=maybe", None).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_private_gated_repo_stays_not_found() {
    let Gated { t, alice, bob } = gated().await;
    ok(&settings(&t, &alice, "models/alice/g", json!({ "private": true })).await);
    for uri in [
        "/alice/g/resolve/main/w.bin",
        "/api/models/alice/g/auth-check",
        "/api/models/alice/g/xet-read-token/main",
    ] {
        let r = t.get(uri, Some(&bob)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.header("x-error-code"), Some("RepoNotFound"), "{uri}");
        let r = t.get(uri, None).await;
        assert_eq!(r.header("x-error-code"), Some("RepoNotFound"), "{uri}");
    }
}

#[tokio::test]
async fn auth_check_answers_like_resolve() {
    let Gated { t, alice, bob } = gated().await;
    let uri = "/api/models/alice/g/auth-check";
    assert_gated(&t.get(uri, None).await, false);
    assert_gated(&t.get(uri, Some(&bob)).await, true);
    ok(&t.get(uri, Some(&alice)).await);
    ok(&t
        .get("/api/models/alice/g/auth-check/write", Some(&alice))
        .await);
    assert_eq!(
        t.get("/api/models/alice/g/auth-check/write", Some(&bob))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_web_file_view_needs_a_grant() {
    let Gated { t, alice, bob } = gated().await;
    let uri = "/alice/g/blob/main/config.json";
    assert_eq!(t.get(uri, None).await.status, StatusCode::UNAUTHORIZED);
    let r = t.get(uri, Some(&bob)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!String::from_utf8_lossy(&r.body).contains("secret"));
    let r = t.get(uri, Some(&alice)).await;
    ok(&r);
    assert!(String::from_utf8_lossy(&r.body).contains("secret"));
    // The repo page (card, file list) stays public.
    ok(&t.get("/alice/g", None).await);
}

/// A gated repo with a Xet file `x.bin` (content `data`): (hub, alice, bob, file hash).
async fn gated_with_xet(data: &[u8]) -> (TestHub, String, String, String) {
    let Gated { t, alice, bob } = gated().await;
    let f = file_fixture(
        data,
        64 * 1024,
        2,
        CompressionScheme::LZ4,
        &sha256_hex(data),
    )
    .unwrap();
    xet_upload(&t, &alice, "models", "alice/g", &f).await;
    ok(&t
        .commit(
            &alice,
            "alice/g",
            &[
                header_line("xet"),
                lfs_line("x.bin", &sha256_hex(data), data.len() as u64),
            ],
        )
        .await);
    (t, alice, bob, f.file_hash.to_string())
}

fn content(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 7919) % 251) as u8).collect()
}

#[tokio::test]
async fn xet_read_tokens_and_reconstructions_need_a_grant_that_is_still_in_force() {
    let (t, alice, bob, file) = gated_with_xet(&content(150_000)).await;
    let token_uri = "/api/models/alice/g/xet-read-token/main";
    assert_gated(&t.get(token_uri, None).await, false);
    assert_gated(&t.get(token_uri, Some(&bob)).await, true);
    // The plain download of the Xet file is gated like any other.
    assert_gated(
        &t.get("/alice/g/resolve/main/x.bin", Some(&bob)).await,
        true,
    );

    // A write token of a contributor (bob may open pull requests) reads nothing.
    let bob_write = t
        .get("/api/models/alice/g/xet-write-token/main", Some(&bob))
        .await
        .json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let recon = format!("/xet-cas/v1/reconstructions/{file}");
    assert_eq!(
        t.get(&recon, Some(&bob_write)).await.status,
        StatusCode::FORBIDDEN
    );

    // Granted, bob gets a read token that works...
    ok(&t
        .post_json(
            "/api/models/alice/g/user-access-request/grant",
            Some(&alice),
            json!({ "user": "bob" }),
        )
        .await);
    let r = t.get(token_uri, Some(&bob)).await;
    ok(&r);
    let bob_read = r.json()["accessToken"].as_str().unwrap().to_string();
    ok(&t.get(&recon, Some(&bob_read)).await);
    ok(&t.get(&recon, Some(&bob_write)).await);
    ok(&t.get("/alice/g/resolve/main/x.bin", Some(&bob)).await);

    // ...until the grant is cancelled: at once on this process, and on another one that has
    // not cached the grant (within the one-second cache everywhere else).
    let other = t.second_process().await;
    ok(&other.get(&recon, Some(&bob_read)).await);
    ok(&t
        .post_json(
            "/api/models/alice/g/user-access-request/handle",
            Some(&alice),
            json!({ "user": "bob", "status": "pending" }),
        )
        .await);
    assert_eq!(
        t.get(&recon, Some(&bob_read)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let third = t.second_process().await;
    assert_eq!(
        third.get(&recon, Some(&bob_read)).await.status,
        StatusCode::UNAUTHORIZED
    );
    other.hub.invalidate_hot();
    assert_eq!(
        other.get(&recon, Some(&bob_read)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn dedup_answers_do_not_describe_gated_files() {
    let data = content(150_000);
    let (t, alice, bob, _) = gated_with_xet(&data).await;
    let f = file_fixture(
        &data,
        64 * 1024,
        2,
        CompressionScheme::LZ4,
        &sha256_hex(&data),
    )
    .unwrap();
    let chunk = commonhold_xet::validate_xorb(f.xorbs[0].0, &f.xorbs[0].1)
        .unwrap()
        .chunks[0]
        .hash;
    let dedup = |tok: String| {
        let (t, uri) = (&t, format!("/xet-cas/v1/chunks/default/{chunk}"));
        async move { t.get(&uri, Some(&tok)).await.status }
    };
    let write_token = |user: String, repo: &'static str| {
        let t = &t;
        async move {
            t.get(
                &format!("/api/models/{repo}/xet-write-token/main"),
                Some(&user),
            )
            .await
            .json()["accessToken"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    // The owner's own upload finds it.
    assert_eq!(
        dedup(write_token(alice.clone(), "alice/g").await).await,
        StatusCode::OK
    );
    // bob, in his own public repo or contributing to the gated one, does not.
    ok(&t.create_repo(&bob, "bob/b", "model", false).await);
    assert_eq!(
        dedup(write_token(bob.clone(), "bob/b").await).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        dedup(write_token(bob.clone(), "alice/g").await).await,
        StatusCode::NOT_FOUND
    );
    // Ungated, the public file is found from anywhere again.
    ok(&settings(&t, &alice, "models/alice/g", json!({ "gated": false })).await);
    assert_eq!(
        dedup(write_token(bob.clone(), "bob/b").await).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_cards_gated_front_matter_never_changes_gating() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    ok(&t.create_repo(&alice, "alice/c", "model", false).await);
    ok(&t
        .commit(
            &alice,
            "alice/c",
            &[
                header_line("card"),
                file_line("README.md", b"---\ngated: true\n---\n"),
                file_line("a.txt", b"open"),
            ],
        )
        .await);
    assert_eq!(
        t.get("/api/models/alice/c", None).await.json()["gated"],
        false
    );
    assert_eq!(
        t.get("/alice/c/resolve/main/a.txt", None).await.body,
        b"open"
    );
    // And a gated repo whose card says `gated: false` stays gated.
    ok(&settings(&t, &alice, "models/alice/c", json!({ "gated": "auto" })).await);
    ok(&t
        .commit(
            &alice,
            "alice/c",
            &[
                header_line("card"),
                file_line("README.md", b"---\ngated: false\n---\n"),
            ],
        )
        .await);
    assert_eq!(
        t.get("/api/models/alice/c", None).await.json()["gated"],
        "auto"
    );
    assert_gated(&t.get("/alice/c/resolve/main/a.txt", None).await, false);
}

async fn list(t: &TestHub, token: &str, status: &str) -> Vec<Value> {
    let r = t
        .get(
            &format!("/api/models/alice/g/user-access-request/{status}"),
            Some(token),
        )
        .await;
    ok(&r);
    r.json().as_array().unwrap().clone()
}

async fn handle(t: &TestHub, token: &str, body: Value) -> Reply {
    t.post_json(
        "/api/models/alice/g/user-access-request/handle",
        Some(token),
        body,
    )
    .await
}

#[tokio::test]
async fn requests_are_asked_listed_accepted_rejected_and_cancelled() {
    let Gated { t, alice, bob } = gated().await;
    let ask = |body: Value| t.post_json("/api/models/alice/g/ask-access", Some(&bob), body);
    // The card's form: every field, each of its type, nothing else.
    for (body, named) in [
        (json!({}), "Affiliation"),
        (
            json!({ "Affiliation": "Uni", "Country": "Germany", "I agree": true }),
            "Country",
        ),
        (
            json!({ "Affiliation": "Uni", "Country": "DE", "I agree": false }),
            "I agree",
        ),
        (
            json!({ "Affiliation": "Uni", "Country": "DE", "I agree": true, "Age": 3 }),
            "Age",
        ),
    ] {
        let r = ask(body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(String::from_utf8_lossy(&r.body).contains(named), "{body}");
    }
    let answers = json!({ "Affiliation": "Uni", "Country": "DE", "I agree": true });
    let r = ask(answers.clone()).await;
    ok(&r);
    assert_eq!(r.json()["status"], "pending");
    // Pending: still gated, with the Hub's words for it.
    let r = t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await;
    assert_gated(&r, true);
    assert!(String::from_utf8_lossy(&r.body).contains("awaiting a review"));

    let pending = list(&t, &alice, "pending").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["user"]["user"], "bob");
    assert_eq!(pending[0]["fields"], answers);
    assert!(pending[0]["requestId"].is_string());
    assert!(pending[0]["timestamp"].as_str().unwrap().ends_with('Z'));
    // Only writers see or decide requests; a read token of the owner is not enough.
    assert_eq!(
        t.get(
            "/api/models/alice/g/user-access-request/pending",
            Some(&bob)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let alice_read = t.user("alice", Role::Read).await;
    assert_eq!(
        handle(
            &t,
            &alice_read,
            json!({ "user": "bob", "status": "accepted" })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    ok(&handle(&t, &alice, json!({ "user": "bob", "status": "accepted" })).await);
    ok(&t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await);
    assert_eq!(list(&t, &alice, "accepted").await.len(), 1);
    // Already accepted; no such user; no request from this user: the Hub's 404s.
    for body in [
        json!({ "user": "bob", "status": "accepted" }),
        json!({ "user": "nobody", "status": "accepted" }),
        json!({ "user": "alice", "status": "accepted" }),
        json!({ "requestId": "999", "status": "accepted" }),
    ] {
        assert_eq!(
            handle(&t, &alice, body.clone()).await.status,
            StatusCode::NOT_FOUND,
            "{body}"
        );
    }
    let long = "x".repeat(201);
    assert_eq!(
        handle(
            &t,
            &alice,
            json!({ "user": "bob", "status": "rejected", "rejectionReason": long })
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    ok(&handle(
        &t,
        &alice,
        json!({ "user": "bob", "status": "rejected", "rejectionReason": "not a researcher" }),
    )
    .await);
    assert_gated(
        &t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await,
        true,
    );
    let rejected = list(&t, &alice, "rejected").await;
    assert_eq!(rejected[0]["rejectionReason"], "not a researcher");
    // A rejected user cannot ask again.
    assert_eq!(ask(answers.clone()).await.status, StatusCode::BAD_REQUEST);
    // By request id, back to pending (cancel), then through the cancel route.
    let id = rejected[0]["requestId"].as_str().unwrap().to_string();
    ok(&handle(&t, &alice, json!({ "requestId": id, "status": "accepted" })).await);
    ok(&t
        .post_json(
            "/api/models/alice/g/user-access-request/cancel",
            Some(&alice),
            json!({ "user": "bob" }),
        )
        .await);
    assert_eq!(list(&t, &alice, "pending").await.len(), 1);
    assert_gated(
        &t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await,
        true,
    );

    // Grants: to a user who has access already is a 400, to an unknown user a 404.
    ok(&t
        .post_json(
            "/api/models/alice/g/user-access-request/grant",
            Some(&alice),
            json!({ "user": "bob" }),
        )
        .await);
    for (user, status) in [
        ("bob", StatusCode::BAD_REQUEST),
        ("nobody", StatusCode::NOT_FOUND),
    ] {
        let r = t
            .post_json(
                "/api/models/alice/g/user-access-request/grant",
                Some(&alice),
                json!({ "user": user }),
            )
            .await;
        assert_eq!(r.status, status, "{user}");
    }

    // Every change is in the audit trail, with who made it.
    let events = t
        .meta
        .audit_events(0, None, Some("model/alice/g"), 100)
        .await
        .unwrap();
    let actions: Vec<(&str, Option<&str>)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            ("repo.gating", Some("alice")),
            ("access.requested", Some("bob")),
            ("access.accepted", Some("alice")),
            ("access.rejected", Some("alice")),
            ("access.accepted", Some("alice")),
            ("access.cancelled", Some("alice")),
            ("access.granted", Some("alice")),
        ]
    );
    assert_eq!(t.meta.verify_audit(None).await.unwrap().broken, None);

    // Not gated any more: the request routes say so.
    ok(&settings(&t, &alice, "models/alice/g", json!({ "gated": false })).await);
    assert_eq!(
        t.get(
            "/api/models/alice/g/user-access-request/pending",
            Some(&alice)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn auto_gating_accepts_at_once_and_grants_expire() {
    let Gated { t, alice, bob } = gated().await;
    let r = settings(
        &t,
        &alice,
        "models/alice/g",
        json!({ "gated": "auto", "default_access_days": 30 }),
    )
    .await;
    ok(&r);
    assert_eq!(r.json()["default_access_days"], 30);
    let r = t
        .post_json(
            "/api/models/alice/g/ask-access",
            Some(&bob),
            json!({ "Affiliation": "Uni", "Country": "DE", "I agree": true }),
        )
        .await;
    ok(&r);
    assert_eq!(r.json()["status"], "accepted");
    ok(&t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await);
    let accepted = list(&t, &alice, "accepted").await;
    assert_eq!(accepted[0]["expired"], false);
    assert!(accepted[0]["expiresAt"].is_string());

    // Thirty days later (moved in the store, as an administrator's revocation at a time would).
    let repo = t
        .meta
        .repo_by_name(
            commonhold_types::RepoType::Model,
            &"alice/g".parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let bob_id = t.meta.account_by_name("bob").await.unwrap().unwrap().id;
    t.meta
        .set_access_expiry(
            repo.id,
            bob_id,
            Some(1),
            &commonhold_meta::NewAuditEvent {
                actor: None,
                action: commonhold_meta::AuditAction::AccessExpiryChanged,
                repo: Some("model/alice/g".into()),
                detail: json!({}),
            },
        )
        .await
        .unwrap();
    t.hub.invalidate_hot();
    let r = t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await;
    assert_gated(&r, true);
    assert!(String::from_utf8_lossy(&r.body).contains("expired"));
    assert_eq!(list(&t, &alice, "accepted").await[0]["expired"], true);
    // An expired grant may be asked for again (auto: accepted at once).
    ok(&t
        .post_json(
            "/api/models/alice/g/ask-access",
            Some(&bob),
            json!({ "Affiliation": "Uni", "Country": "DE", "I agree": true }),
        )
        .await);
    ok(&t.get("/alice/g/resolve/main/w.bin", Some(&bob)).await);
}
