//! The Hub API through the router: downloads, privacy, uploads, commits, listings.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use commonhold_gitmodel::{ObjectKind, hash_object};
use commonhold_types::Role;
use serde_json::json;

#[tokio::test]
async fn regular_file_round_trip_with_git_ids_and_ranges() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    assert_eq!(
        h.create_repo(&alice, "tiny", "model", false).await.status,
        StatusCode::OK
    );
    let content = b"{\"model_type\": \"bert\"}\n";
    let r = h
        .commit(
            &alice,
            "alice/tiny",
            &[header_line("add config"), file_line("config.json", content)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let commit = r.json()["commitOid"].as_str().unwrap().to_string();
    assert_eq!(
        r.json()["commitUrl"],
        format!("{PUBLIC}/alice/tiny/commit/{commit}")
    );

    let head = h
        .call(
            "HEAD",
            "/alice/tiny/resolve/main/config.json",
            None,
            Body::empty(),
        )
        .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header("x-repo-commit"), Some(commit.as_str()));
    let blob = hash_object(ObjectKind::Blob, content).to_hex();
    assert_eq!(head.header("etag"), Some(format!("\"{blob}\"").as_str()));
    assert_eq!(
        head.header("content-length"),
        Some(content.len().to_string().as_str())
    );
    assert!(head.body.is_empty());

    let get = h.get("/alice/tiny/resolve/main/config.json", None).await;
    assert_eq!(get.body, content);
    let by_commit = h
        .get(&format!("/alice/tiny/resolve/{commit}/config.json"), None)
        .await;
    assert_eq!(by_commit.body, content);

    let req = Request::get("/alice/tiny/resolve/main/config.json")
        .header("range", "bytes=2-5")
        .body(Body::empty())
        .unwrap();
    let part = h.send(req).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, &content[2..6]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 2-5/{}", content.len()).as_str())
    );

    let missing = h.get("/alice/tiny/resolve/main/nope.json", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("x-error-code"), Some("EntryNotFound"));
    assert_eq!(missing.header("x-repo-commit"), Some(commit.as_str()));
    assert!(missing.header("x-request-id").is_some());
}

#[tokio::test]
async fn private_repos_are_invisible_to_others() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let bob = h.user("bob", Role::Write).await;
    h.create_repo(&alice, "secret", "model", true).await;
    h.commit(
        &alice,
        "alice/secret",
        &[header_line("x"), file_line("a.txt", b"hidden")],
    )
    .await;

    let anon = h.get("/api/models/alice/secret", None).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anon.header("x-error-code"), Some("RepoNotFound"));
    let other = h.get("/api/models/alice/secret", Some(&bob)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.header("x-error-code"), Some("RepoNotFound"));
    // Indistinguishable from a repo that does not exist.
    let none = h.get("/api/models/alice/nothing-here", Some(&bob)).await;
    assert_eq!(
        (none.status, none.header("x-error-code")),
        (other.status, other.header("x-error-code"))
    );
    assert_eq!(
        h.get("/alice/secret/resolve/main/a.txt", Some(&bob))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/alice/secret/resolve/main/a.txt", Some(&alice))
            .await
            .body,
        b"hidden"
    );
    let listed = h.get("/api/models?author=alice", Some(&bob)).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 0);
    let own = h.get("/api/models?author=alice", Some(&alice)).await.json();
    assert_eq!(own.as_array().unwrap().len(), 1);

    let bad = h
        .get("/api/models/alice/secret", Some("hf_not_a_real_token"))
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bad.header("x-error-message"),
        Some("Invalid credentials in Authorization header")
    );
}

#[tokio::test]
async fn lfs_upload_commit_and_download() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "weights", "model", false).await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let oid = h.lfs_upload(&alice, "alice/weights", &data).await;
    let r = h
        .commit(
            &alice,
            "alice/weights",
            &[
                header_line("w"),
                lfs_line("model.safetensors", &oid, data.len() as u64),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let head = h
        .call(
            "HEAD",
            "/alice/weights/resolve/main/model.safetensors",
            None,
            Body::empty(),
        )
        .await;
    assert_eq!(head.header("etag"), Some(format!("\"{oid}\"").as_str()));
    assert_eq!(
        head.header("content-length"),
        Some(data.len().to_string().as_str())
    );
    assert_eq!(
        h.get("/alice/weights/resolve/main/model.safetensors", None)
            .await
            .body,
        data
    );

    // A second batch for the same object in the same repo: nothing to upload.
    let again = h
        .post_json(
            "/alice/weights.git/info/lfs/objects/batch",
            Some(&alice),
            json!({ "operation": "upload", "objects": [{ "oid": oid, "size": data.len() }] }),
        )
        .await;
    assert!(again.json()["objects"][0].get("actions").is_none());

    let info = h
        .get("/api/models/alice/weights?blobs=true", None)
        .await
        .json();
    let sib = info["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rfilename"] == "model.safetensors")
        .unwrap()
        .clone();
    assert_eq!(sib["lfs"]["sha256"], oid);
    assert_eq!(sib["size"], data.len());
}

#[tokio::test]
async fn another_user_cannot_claim_a_private_object_by_its_oid() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let bob = h.user("bob", Role::Write).await;
    h.create_repo(&alice, "private", "model", true).await;
    let secret = b"the private weights of alice".repeat(100);
    let oid = h.lfs_upload(&alice, "alice/private", &secret).await;
    h.commit(
        &alice,
        "alice/private",
        &[
            header_line("s"),
            lfs_line("w.bin", &oid, secret.len() as u64),
        ],
    )
    .await;

    h.create_repo(&bob, "thief", "model", false).await;
    // The batch answer must not reveal that the object exists elsewhere: it asks for an upload.
    let batch = h
        .post_json(
            "/bob/thief.git/info/lfs/objects/batch",
            Some(&bob),
            json!({ "operation": "upload", "objects": [{ "oid": oid, "size": secret.len() }] }),
        )
        .await;
    assert!(batch.json()["objects"][0]["actions"]["upload"]["href"].is_string());
    // Committing a pointer to it without uploading is refused.
    let r = h
        .commit(
            &bob,
            "bob/thief",
            &[
                header_line("steal"),
                lfs_line("stolen.bin", &oid, secret.len() as u64),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&r.body).contains("has not been uploaded"));
    assert_eq!(
        h.get("/bob/thief/resolve/main/stolen.bin", Some(&bob))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Nor can alice's commit id be used through bob's repo.
    let alice_head = h
        .meta
        .list_refs(
            h.meta
                .repo_by_name(
                    commonhold_types::RepoType::Model,
                    &"alice/private".parse().unwrap(),
                )
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()[0]
        .1;
    let through_bob = h
        .get(
            &format!("/bob/thief/resolve/{alice_head}/w.bin"),
            Some(&bob),
        )
        .await;
    assert_eq!(through_bob.status, StatusCode::NOT_FOUND);
    assert_eq!(through_bob.header("x-error-code"), Some("RevisionNotFound"));
}

/// An `lfsFile` line without `size` (a copy) takes the size this repo holds the object at. For
/// an object the repo does not hold, the answer is the same whether another repo holds it (a
/// private one here) or nobody does, and reveals no size.
#[tokio::test]
async fn lfs_copies_reveal_nothing_about_other_repos_objects() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let bob = h.user("bob", Role::Write).await;
    h.create_repo(&alice, "private", "model", true).await;
    let secret = b"the private weights of alice".repeat(100);
    let theirs = h.lfs_upload(&alice, "alice/private", &secret).await;
    h.create_repo(&bob, "m", "model", false).await;
    let mine = b"bob's own weights".repeat(50);
    let own = h.lfs_upload(&bob, "bob/m", &mine).await;
    let copy = |path: &str, oid: &str| json!({ "key": "lfsFile", "value": { "path": path, "algo": "sha256", "oid": oid } });

    let unknown = "ab".repeat(32);
    let mut answers = Vec::new();
    for (oid, size) in [
        (&theirs, None),
        (&unknown, None),
        (&theirs, Some(1)),
        (&unknown, Some(1)),
    ] {
        let line = match size {
            None => copy("w.bin", oid),
            Some(s) => lfs_line("w.bin", oid, s),
        };
        let r = h.commit(&bob, "bob/m", &[header_line("copy"), line]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let body = String::from_utf8_lossy(&r.body).replace(oid.as_str(), "OID");
        assert!(
            !body.contains(&secret.len().to_string()),
            "no size of another's object: {body}"
        );
        answers.push(body);
    }
    assert_eq!(
        answers[0], answers[1],
        "held elsewhere or nowhere: one answer"
    );
    assert_eq!(
        answers[2], answers[3],
        "held elsewhere or nowhere: one answer"
    );
    assert!(
        answers[0].contains("has not been uploaded to this repo"),
        "{}",
        answers[0]
    );

    // A copy of the repo's own object commits with the stored size.
    let r = h
        .commit(
            &bob,
            "bob/m",
            &[header_line("copy"), copy("copy.bin", &own)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(h.get("/bob/m/resolve/main/copy.bin", None).await.body, mine);
}

#[tokio::test]
async fn bad_uploads_store_nothing() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let data = b"real content".to_vec();
    let oid = sha256_hex(&data);
    let batch = h
        .post_json(
            "/alice/m.git/info/lfs/objects/batch",
            Some(&alice),
            json!({ "operation": "upload", "objects": [{ "oid": oid, "size": data.len() }] }),
        )
        .await;
    let href = local(
        batch.json()["objects"][0]["actions"]["upload"]["href"]
            .as_str()
            .unwrap(),
    );
    // Wrong content for the oid.
    assert_eq!(
        h.call("PUT", &href, None, b"fake content".to_vec())
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // Truncated body.
    assert_eq!(
        h.call("PUT", &href, None, data[..5].to_vec()).await.status,
        StatusCode::BAD_REQUEST
    );
    // Tampered signature and tampered size.
    let tampered = href.replace("sig=", "sig=00");
    assert_eq!(
        h.call("PUT", &tampered, None, data.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let resized = href.replace(&format!("size={}", data.len()), "size=5");
    assert_eq!(
        h.call("PUT", &resized, None, data[..5].to_vec())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        h.blobs.list().await.unwrap().is_empty(),
        "nothing may be stored"
    );
    let r = h
        .commit(
            &alice,
            "alice/m",
            &[header_line("x"), lfs_line("a.bin", &oid, data.len() as u64)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn expired_upload_urls_are_refused() {
    let h = TestHub::with_config(commonhold_hub::HubConfig {
        public_url: PUBLIC.into(),
        upload_url_ttl_secs: -10,
        ..Default::default()
    })
    .await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let data = b"content".to_vec();
    let batch = h
        .post_json("/alice/m.git/info/lfs/objects/batch", Some(&alice), json!({ "operation": "upload", "objects": [{ "oid": sha256_hex(&data), "size": data.len() }] }))
        .await;
    let href = local(
        batch.json()["objects"][0]["actions"]["upload"]["href"]
            .as_str()
            .unwrap(),
    );
    let r = h.call("PUT", &href, None, data).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(String::from_utf8_lossy(&r.body).contains("expired"));
    assert!(h.blobs.list().await.unwrap().is_empty());
}

/// git-lfs prints an error body's `message` (its batch API's error schema); Hub clients read
/// `error`. Every error of the LFS endpoints carries both, whoever made it: the batch handler,
/// the token extractor, a signed URL's check.
#[tokio::test]
async fn lfs_errors_carry_the_message_git_lfs_prints() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let rita = h.user("rita", Role::Read).await;
    h.create_repo(&alice, "m", "model", false).await;
    let batch = "/alice/m.git/info/lfs/objects/batch";
    let upload = json!({ "operation": "upload", "objects": [] });
    let unsigned = format!("/api/lfs/1/{}", "ab".repeat(32));
    let cases = [
        (
            "anonymous",
            h.post_json(batch, None, upload.clone()).await,
            401,
        ),
        (
            "a bad token",
            h.post_json(batch, Some("hf_bogus"), upload.clone()).await,
            401,
        ),
        (
            "a read token",
            h.post_json(batch, Some(&rita), upload.clone()).await,
            403,
        ),
        (
            "a download batch",
            h.post_json(
                batch,
                Some(&alice),
                json!({ "operation": "download", "objects": [] }),
            )
            .await,
            501,
        ),
        (
            "a malformed batch",
            h.post_json(batch, Some(&alice), json!({ "objects": 1 }))
                .await,
            400,
        ),
        (
            "an unsigned upload URL",
            h.call("PUT", &unsigned, None, "x").await,
            403,
        ),
    ];
    for (what, r, status) in cases {
        assert_eq!(r.status.as_u16(), status, "{what}");
        assert_eq!(
            r.header("content-type"),
            Some("application/vnd.git-lfs+json"),
            "{what}"
        );
        let body = r.json();
        let message = body["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: {body}");
        assert_eq!(body["error"], body["message"], "{what}");
        assert_eq!(r.header("x-error-message"), Some(message), "{what}");
    }
    // The rest of the API keeps the Hub's envelope.
    let r = h.get("/api/models/alice/nothing", Some(&alice)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.json().get("message").is_none());
}

#[tokio::test]
async fn stale_parent_is_refused_and_changes_nothing() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let first = h
        .commit(
            &alice,
            "alice/m",
            &[header_line("1"), file_line("a.txt", b"1")],
        )
        .await
        .json();
    let first = first["commitOid"].as_str().unwrap().to_string();
    h.commit(
        &alice,
        "alice/m",
        &[header_line("2"), file_line("a.txt", b"2")],
    )
    .await;
    let head_before = h.get("/api/models/alice/m", None).await.json()["sha"].clone();
    let stale = json!({ "key": "header", "value": { "summary": "3", "parentCommit": first } });
    let r = h
        .commit(&alice, "alice/m", &[stale, file_line("a.txt", b"3")])
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert!(String::from_utf8_lossy(&r.body).contains("A commit has happened"));
    assert_eq!(
        h.get("/api/models/alice/m", None).await.json()["sha"],
        head_before
    );
    assert_eq!(h.get("/alice/m/resolve/main/a.txt", None).await.body, b"2");
    let fresh =
        json!({ "key": "header", "value": { "summary": "3", "parentCommit": head_before } });
    assert_eq!(
        h.commit(&alice, "alice/m", &[fresh, file_line("a.txt", b"3")])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn hostile_paths_are_refused() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let long = "a".repeat(1025);
    for bad in [
        "../x",
        "/etc/passwd",
        "a\\b",
        "a\u{0}b",
        "a\nb",
        ".git/config",
        "x/.git/y",
        long.as_str(),
        "a//b",
        ".git.",
        ".git /config",
        "GIT~1/config",
        "x/.Git::$INDEX_ALLOCATION/y",
        "invoice\u{202E}fdp.exe",
        "a\u{2066}b",
        "zero\u{200B}width.txt",
        "\u{FEFF}README.md",
    ] {
        let r = h
            .commit(
                &alice,
                "alice/m",
                &[header_line("bad"), file_line(bad, b"x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert!(
            r.header("x-error-message").unwrap().contains("path"),
            "{bad:?}"
        );
    }
    let head = h.get("/api/models/alice/m/commits/main", None).await.json();
    assert_eq!(head.as_array().unwrap().len(), 1, "only the initial commit");
}

#[tokio::test]
async fn tree_refs_commits_branches_tags_and_prs() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let mut lines = vec![header_line("many")];
    for i in 0..1205 {
        lines.push(file_line(
            &format!("dir/f{i:04}.txt"),
            format!("{i}").as_bytes(),
        ));
    }
    lines.push(file_line(
        "README.md",
        b"---\nlicense: mit\ntags: [tiny]\n---\n# M\n",
    ));
    assert_eq!(
        h.commit(&alice, "alice/m", &lines).await.status,
        StatusCode::OK
    );

    let page1 = h
        .get("/api/models/alice/m/tree/main?recursive=true", None)
        .await;
    let next = page1
        .header("link")
        .expect("a Link header for the next page")
        .to_string();
    assert!(
        next.starts_with(&format!("<{PUBLIC}/api/models/alice/m/tree/main?"))
            && next.ends_with("rel=\"next\""),
        "{next}"
    );
    let url = next.trim_start_matches('<').split('>').next().unwrap();
    let page2 = h.get(&local(url), None).await;
    assert!(page2.header("link").is_none());
    let total = page1.json().as_array().unwrap().len() + page2.json().as_array().unwrap().len();
    assert_eq!(
        total,
        1205 + 3,
        "files, README, .gitattributes and the directory"
    );

    let info = h.get("/api/models/alice/m", None).await.json();
    assert_eq!(info["cardData"]["license"], "mit");
    assert!(
        info["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "license:mit")
    );

    assert_eq!(
        h.post_json("/api/models/alice/m/branch/dev", Some(&alice), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.post_json("/api/models/alice/m/branch/dev", Some(&alice), json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        h.post_json(
            "/api/models/alice/m/tag/main",
            Some(&alice),
            json!({ "tag": "v1" })
        )
        .await
        .status,
        StatusCode::OK
    );
    let pr = h
        .commit_to(
            &alice,
            "/api/models/alice/m/commit/main?create_pr=1",
            &[header_line("pr"), file_line("pr.txt", b"p")],
        )
        .await
        .json();
    assert_eq!(
        pr["pullRequestUrl"],
        format!("{PUBLIC}/alice/m/discussions/1")
    );
    let refs = h
        .get("/api/models/alice/m/refs?include_prs=1", None)
        .await
        .json();
    assert_eq!(refs["branches"].as_array().unwrap().len(), 2);
    assert_eq!(refs["tags"][0]["name"], "v1");
    assert_eq!(refs["pullRequests"][0]["ref"], "refs/pr/1");
    assert!(refs["converts"].is_array());
    assert_eq!(
        h.get("/alice/m/resolve/refs%2Fpr%2F1/pr.txt", None)
            .await
            .body,
        b"p"
    );
    assert_eq!(
        h.get("/alice/m/resolve/main/pr.txt", None).await.status,
        StatusCode::NOT_FOUND
    );
    let commits = h.get("/api/models/alice/m/commits/main", None).await.json();
    assert_eq!(commits.as_array().unwrap().len(), 2);
    assert_eq!(commits[0]["title"], "many");
    assert_eq!(
        h.call(
            "DELETE",
            "/api/models/alice/m/branch/dev",
            Some(&alice),
            Body::empty()
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        h.get("/api/models/alice/m/refs", None).await.json()["branches"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn concurrent_commits_lose_nothing() {
    let h = std::sync::Arc::new(TestHub::new().await);
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (h, alice) = (h.clone(), alice.clone());
        tasks.push(tokio::spawn(async move {
            h.commit(
                &alice,
                "alice/m",
                &[
                    header_line(&format!("c{i}")),
                    file_line(&format!("f{i}.txt"), b"x"),
                ],
            )
            .await
            .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let commits = h.get("/api/models/alice/m/commits/main", None).await.json();
    assert_eq!(commits.as_array().unwrap().len(), 21);
    let tree = h.get("/api/models/alice/m/tree/main", None).await.json();
    assert_eq!(
        tree.as_array().unwrap().len(),
        21,
        "20 files and .gitattributes"
    );
}

#[tokio::test]
async fn metrics_are_prometheus_text_without_a_token() {
    let t = TestHub::new().await;
    let r = t.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type")
            .is_some_and(|v| v.starts_with("text/plain; version=0.0.4"))
    );
    let text = String::from_utf8(r.body.to_vec()).unwrap();
    assert!(text.contains("# TYPE commonhold_xet_xorbs_received_total counter\n"));
    assert!(text.contains("\ncommonhold_xet_reconstructions_total 0\n"));
}

/// Downloads resolve revisions from refs read at most a second ago (no ref query per file):
/// a ref moved through this process shows on the very next download, one moved through
/// another process within that second, and a repo made private is refused at once.
#[tokio::test]
async fn downloads_see_ref_moves_at_once_and_other_processes_soon() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    h.create_repo(&alice, "m", "model", false).await;
    let put = |n: &'static str| {
        let h = &h;
        let alice = &alice;
        async move {
            let r = h
                .commit(
                    alice,
                    "alice/m",
                    &[header_line(n), file_line("a.txt", n.as_bytes())],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{}",
                String::from_utf8_lossy(&r.body)
            );
        }
    };
    let file = |rev: &str| format!("/alice/m/resolve/{rev}/a.txt");
    put("1").await;
    assert_eq!(h.get(&file("main"), None).await.body, b"1");
    put("2").await;
    assert_eq!(h.get(&file("main"), None).await.body, b"2");

    // A branch made and deleted through this process.
    let dev = "/api/models/alice/m/branch/dev";
    assert_eq!(
        h.get(&file("dev"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.post_json(dev, Some(&alice), json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(h.get(&file("dev"), None).await.body, b"2");
    let deleted = h.call("DELETE", dev, Some(&alice), Body::empty()).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(
        h.get(&file("dev"), None).await.status,
        StatusCode::NOT_FOUND
    );

    // A commit through another process on the same database shows here within the second.
    let other = h.second_process().await;
    assert_eq!(other.get(&file("main"), None).await.body, b"2");
    put("3").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while other.get(&file("main"), None).await.body != b"3" {
        assert!(
            std::time::Instant::now() < deadline,
            "the other process never saw the commit"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Made private: anonymous downloads are refused on the next request.
    let r = h
        .call(
            "PUT",
            "/api/models/alice/m/settings",
            Some(&alice),
            json!({ "private": true }).to_string(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        h.get(&file("main"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.get(&file("main"), Some(&alice)).await.body, b"3");
}

/// Pages, downloads and LFS batches are registered once for both kinds: each URL finds the
/// repo of its own kind only (a model's URL never reaches a dataset of the same name).
#[tokio::test]
async fn hub_urls_name_their_kind() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    ok(&h.create_repo(&alice, "d", "dataset", false).await);
    ok(&h.create_repo(&alice, "m", "model", false).await);
    let lines = [header_line("add"), file_line("a.txt", b"a\n")];
    ok(&h
        .commit_to(&alice, "/api/datasets/alice/d/commit/main", &lines)
        .await);
    ok(&h.commit(&alice, "alice/m", &lines).await);
    for (url, status) in [
        ("/datasets/alice/d", StatusCode::OK),
        ("/datasets/alice/d/discussions", StatusCode::OK),
        ("/datasets/alice/d/blob/main/a.txt", StatusCode::OK),
        ("/datasets/alice/d/resolve/main/a.txt", StatusCode::OK),
        ("/alice/m", StatusCode::OK),
        ("/alice/m/resolve/main/a.txt", StatusCode::OK),
        ("/alice/d", StatusCode::NOT_FOUND),
        ("/alice/d/resolve/main/a.txt", StatusCode::NOT_FOUND),
        ("/datasets/alice/m/discussions", StatusCode::NOT_FOUND),
        (
            "/datasets/alice/m/resolve/main/a.txt",
            StatusCode::NOT_FOUND,
        ),
    ] {
        assert_eq!(h.get(url, Some(&alice)).await.status, status, "{url}");
    }
    let batch = json!({ "operation": "upload", "objects": [{ "oid": "a".repeat(64), "size": 1 }] });
    for (url, status) in [
        (
            "/datasets/alice/d.git/info/lfs/objects/batch",
            StatusCode::OK,
        ),
        ("/alice/m.git/info/lfs/objects/batch", StatusCode::OK),
        ("/alice/d.git/info/lfs/objects/batch", StatusCode::NOT_FOUND),
    ] {
        let r = h.post_json(url, Some(&alice), batch.clone()).await;
        assert_eq!(
            r.status,
            status,
            "{url}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}
