//! Repo lifecycle, account endpoints, preupload and the openness assessment through the router.

use crate::common;

use axum::http::StatusCode;
use common::*;
use commonhold_types::Role;
use serde_json::json;

#[tokio::test]
async fn move_delete_settings_and_whoami() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let reader = h.user("alice", Role::Read).await;
    h.create_repo(&alice, "old", "model", false).await;
    h.commit(
        &alice,
        "alice/old",
        &[header_line("x"), file_line("a.txt", b"kept")],
    )
    .await;

    let who = h.get("/api/whoami-v2", Some(&alice)).await.json();
    assert_eq!(who["name"], "alice");
    assert_eq!(who["auth"]["accessToken"]["role"], "write");
    assert!(who["orgs"].is_array());
    assert_eq!(
        h.get("/api/whoami-v2", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A read token cannot write.
    let denied = h.create_repo(&reader, "nope", "model", false).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let moved = h
        .post_json(
            "/api/repos/move",
            Some(&alice),
            json!({ "fromRepo": "alice/old", "toRepo": "alice/new", "type": "model" }),
        )
        .await;
    assert_eq!(
        moved.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&moved.body)
    );
    assert_eq!(
        h.get("/alice/new/resolve/main/a.txt", None).await.body,
        b"kept"
    );
    assert_eq!(
        h.get("/api/models/alice/old", Some(&alice)).await.status,
        StatusCode::NOT_FOUND
    );

    let r = h
        .call(
            "PUT",
            "/api/models/alice/new/settings",
            Some(&alice),
            json!({ "private": true }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        h.get("/api/models/alice/new", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Names are unique case-insensitively.
    let dup = h.create_repo(&alice, "NEW", "model", false).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.json()["url"], format!("{PUBLIC}/alice/NEW"));

    let del = h
        .call(
            "DELETE",
            "/api/repos/delete",
            Some(&alice),
            json!({ "name": "new", "organization": "alice", "type": "model" }).to_string(),
        )
        .await;
    assert_eq!(del.status, StatusCode::OK);
    assert_eq!(
        h.get("/api/models/alice/new", Some(&alice)).await.status,
        StatusCode::NOT_FOUND
    );

    let reserved = h
        .post_json(
            "/api/repos/create",
            Some(&alice),
            json!({ "name": "x.git", "type": "model" }),
        )
        .await;
    assert_eq!(reserved.status, StatusCode::BAD_REQUEST);
}

/// A setting this hub cannot honour is refused with a 400 naming it, and changes nothing: a caller
/// who sets `gated: "sometimes"` and gets a 200 would believe the files are restricted while
/// anyone can fetch them.
#[tokio::test]
async fn settings_refuse_what_they_cannot_honour() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    h.commit(
        &alice,
        "alice/m",
        &[header_line("x"), file_line("a.txt", b"open")],
    )
    .await;
    let put = |body: serde_json::Value| {
        h.call(
            "PUT",
            "/api/models/alice/m/settings",
            Some(&alice),
            body.to_string(),
        )
    };
    for (body, named) in [
        (json!({ "gated": "sometimes" }), "gated"),
        (json!({ "gated": true, "private": true }), "gated"),
        (
            json!({ "gated": "auto", "default_access_days": 0 }),
            "default_access_days",
        ),
        (
            json!({ "gated": "auto", "default_access_days": "week" }),
            "default_access_days",
        ),
        (
            json!({ "gated": "auto", "visibility": "protected" }),
            "protected",
        ),
        (json!({ "visibility": "protected" }), "protected"),
        (
            json!({ "private": true, "visibility": "public" }),
            "disagree",
        ),
        (json!({ "xetEnabled": false }), "xetEnabled"),
        (
            json!({ "discussionsDisabled": true }),
            "discussionsDisabled",
        ),
    ] {
        let r = put(body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        let text = String::from_utf8_lossy(&r.body).to_string();
        assert!(text.contains(named), "{body}: {text}");
    }
    // Nothing changed: the repo is still public and its files still served to anyone.
    assert_eq!(
        h.get("/api/models/alice/m", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.get("/alice/m/resolve/main/a.txt", None).await.body,
        b"open"
    );

    // What it can honour still works, in both clients' spellings.
    for body in [
        json!({ "gated": false, "xetEnabled": true }),
        json!({ "visibility": "private" }),
    ] {
        assert_eq!(put(body.clone()).await.status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        h.get("/api/models/alice/m", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn preupload_and_validate_yaml() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    h.commit(
        &alice,
        "alice/m",
        &[header_line("x"), file_line("same.txt", b"hello")],
    )
    .await;
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let r = h
        .post_json(
            "/api/models/alice/m/preupload/main",
            Some(&alice),
            json!({ "files": [
                { "path": "same.txt", "sample": b64(b"hello"), "size": 5 },
                { "path": "w.safetensors", "sample": b64(b"text"), "size": 4 },
                { "path": "blob.dat", "sample": b64(&[0, 1, 2]), "size": 3 },
                { "path": "big.txt", "sample": b64(b"a"), "size": 20_000_000 },
                { "path": "empty.bin", "sample": "", "size": 0 },
            ] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let files = r.json()["files"].clone();
    let mode = |i: usize| files[i]["uploadMode"].as_str().unwrap().to_string();
    assert_eq!(
        [mode(0), mode(1), mode(2), mode(3), mode(4)],
        ["regular", "lfs", "lfs", "lfs", "regular"]
    );
    let hello =
        commonhold_gitmodel::hash_object(commonhold_gitmodel::ObjectKind::Blob, b"hello").to_hex();
    assert_eq!(files[0]["oid"], hello);
    assert!(files[1]["oid"].is_null());
    let bad = h
        .post_json(
            "/api/models/alice/m/preupload/main",
            Some(&alice),
            json!({ "files": [{ "path": "../x", "sample": "", "size": 1 }] }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let ok = h
        .post_json(
            "/api/validate-yaml",
            Some(&alice),
            json!({ "content": "---\nlicense: mit\n---\n", "repoType": "model" }),
        )
        .await;
    assert_eq!(
        (ok.status, ok.json()["errors"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    let broken = h
        .post_json(
            "/api/validate-yaml",
            Some(&alice),
            json!({ "content": "---\nlicense: [\n---\n", "repoType": "model" }),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(
        broken.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("YAML")
    );
}

#[tokio::test]
async fn every_commit_is_assessed_from_the_log_and_served() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "open", "model", false).await;
    let card = b"---\nlicense: apache-2.0\n---\n# Open\n\n## Training data\nNone.\n";
    let r = h
        .commit(
            &alice,
            "alice/open",
            &[
                header_line("card"),
                file_line("README.md", card),
                file_line("LICENSE", b"Apache License\nVersion 2.0, January 2004\n"),
            ],
        )
        .await;
    let commit = r.json()["commitOid"].as_str().unwrap().to_string();

    // Nothing assessed yet: pending, at the latest revision and at the commit.
    let pending = h.get("/api/models/alice/open/openness", None).await;
    assert_eq!(pending.status, StatusCode::ACCEPTED);
    assert_eq!(pending.json()["status"], "pending");
    assert_eq!(
        h.get(&format!("/api/models/alice/open/openness/{commit}"), None)
            .await
            .status,
        StatusCode::ACCEPTED
    );

    // One pass of the worker consumes the log (initial commit and this one) and stores both.
    let consumed = h.hub.assess_pending().await.unwrap();
    assert_eq!(consumed, 2);
    assert_eq!(
        h.hub.assess_pending().await.unwrap(),
        0,
        "the cursor was saved"
    );
    let done = h
        .get(&format!("/api/models/alice/open/openness/{commit}"), None)
        .await;
    assert_eq!(done.status, StatusCode::OK);
    let a = done.json();
    assert_eq!(a["root"], commit);
    assert!(a["tier"].is_string());
    let info = h.get("/api/models/alice/open", None).await.json();
    assert_eq!(info["openness"]["commit"], commit);
    assert_eq!(info["openness"]["tier"], a["tier"]);

    // A private repo's assessment is as invisible as the repo.
    h.create_repo(&alice, "hidden", "model", true).await;
    h.hub.assess_pending().await.unwrap();
    assert_eq!(
        h.get("/api/models/alice/hidden/openness", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn base_model_on_the_same_hub_is_inherited() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "base", "model", false).await;
    h.commit(
        &alice,
        "alice/base",
        &[
            header_line("b"),
            file_line("README.md", b"---\nlicense: llama3.1\n---\n# Base\n"),
        ],
    )
    .await;
    h.hub.assess_pending().await.unwrap();
    h.create_repo(&alice, "tuned", "model", false).await;
    let card = b"---\nlicense: apache-2.0\nbase_model: alice/base\n---\n# Tuned\n";
    let r = h
        .commit(
            &alice,
            "alice/tuned",
            &[header_line("t"), file_line("README.md", card)],
        )
        .await;
    let commit = r.json()["commitOid"].as_str().unwrap().to_string();
    h.hub.assess_pending().await.unwrap();
    let a = h
        .get(&format!("/api/models/alice/tuned/openness/{commit}"), None)
        .await
        .json();
    let ids: Vec<&str> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"OW006"),
        "restriction inherited from the base model: {ids:?}"
    );
    assert!(
        !ids.contains(&"OW014"),
        "the base model is on this hub, so it is assessed: {ids:?}"
    );
}

#[tokio::test]
async fn per_file_size_limit_is_enforced() {
    let h = TestHub::with_config(commonhold_hub::HubConfig {
        public_url: PUBLIC.into(),
        max_file_size: 1000,
        ..Default::default()
    })
    .await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let batch = h
        .post_json(
            "/alice/m.git/info/lfs/objects/batch",
            Some(&alice),
            json!({ "operation": "upload", "objects": [{ "oid": "a".repeat(64), "size": 1001 }] }),
        )
        .await;
    let err = &batch.json()["objects"][0]["error"];
    assert_eq!(err["code"], 422);
    assert!(err["message"].as_str().unwrap().contains("limit"));
    let pre = h
        .post_json(
            "/api/models/alice/m/preupload/main",
            Some(&alice),
            json!({ "files": [{ "path": "big.bin", "sample": "", "size": 1001 }] }),
        )
        .await;
    assert_eq!(pre.status, StatusCode::PAYLOAD_TOO_LARGE);
}
