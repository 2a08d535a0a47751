//! The Xet protocol through the router: token routes, CAS uploads with validation, commits that
//! name Xet files, reconstructions with signed fetch URLs, and plain downloads rebuilt from
//! xorbs. Fixtures are built by `commonhold_xet::fixtures` with the protocol authors' serializers.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use commonhold_types::Role;
use commonhold_xet::fixtures::{CompressionScheme, FileFixture, file_fixture};

fn content(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| ((i * 7919) % 251) as u8 ^ (i / 1000) as u8)
        .collect()
}

fn fixture(data: &[u8]) -> FileFixture {
    file_fixture(
        data,
        64 * 1024,
        2,
        CompressionScheme::LZ4,
        &sha256_hex(data),
    )
    .unwrap()
}

async fn token(t: &TestHub, user: &str, repo: &str, kind: &str) -> (String, serde_json::Value) {
    let r = t
        .get(
            &format!("/api/models/{repo}/xet-{kind}-token/main"),
            Some(user),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    assert!(v["exp"].is_i64(), "exp must be an integer: {v}");
    assert_eq!(v["casUrl"], format!("{PUBLIC}/xet-cas"));
    let tok = v["accessToken"].as_str().unwrap().to_string();
    assert_eq!(r.header("x-xet-access-token"), Some(tok.as_str()));
    assert_eq!(
        r.header("x-xet-cas-url"),
        Some(format!("{PUBLIC}/xet-cas").as_str())
    );
    assert_eq!(
        r.header("x-xet-token-expiration"),
        Some(v["exp"].to_string().as_str())
    );
    (tok, v)
}

/// Commits `w.bin` as the LFS file `sha` of `size` bytes to `main` of `repo`.
async fn commit_file(
    t: &TestHub,
    user: &str,
    repo: &str,
    msg: &str,
    sha: &str,
    size: u64,
) -> Reply {
    t.commit(
        user,
        repo,
        &[header_line(msg), lfs_line("w.bin", sha, size)],
    )
    .await
}

/// A GET with a Range header (and a bearer token, if any).
async fn ranged(t: &TestHub, uri: &str, token: Option<&str>, range: &str) -> Reply {
    let mut req = Request::builder().uri(uri).header("range", range);
    if let Some(tok) = token {
        req = req.header("authorization", format!("Bearer {tok}"));
    }
    t.send(req.body(Body::empty()).unwrap()).await
}

async fn upload(t: &TestHub, cas: &str, f: &FileFixture) {
    for (hash, body) in &f.xorbs {
        let r = t
            .call(
                "POST",
                &format!("/xet-cas/v1/xorbs/default/{hash}"),
                Some(cas),
                body.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let r = t
        .call("POST", "/xet-cas/v1/shards", Some(cas), f.shard.clone())
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["result"], 1);
}

#[tokio::test]
async fn upload_commit_and_download_through_xet() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    assert_eq!(
        t.create_repo(&alice, "alice/m", "model", false)
            .await
            .status,
        StatusCode::OK
    );
    let (cas, _) = token(&t, &alice, "alice/m", "write").await;
    let data = content(300_000);
    let f = fixture(&data);
    assert_eq!(f.xorbs.len(), 3);

    // The probes that make hf_xet fall back answer 404, with or without a token.
    for (method, uri) in [
        (
            "POST",
            format!("/xet-cas/v1/xorb-grants/default/{}", f.xorbs[0].0),
        ),
        (
            "GET",
            format!("/xet-cas/v1/chunks/default/{}", f.xorbs[0].0),
        ),
        (
            "GET",
            format!("/xet-cas/v1/chunks/default-merkledb/{}", f.xorbs[0].0),
        ),
        ("POST", "/xet-cas/v2/shards".to_string()),
        (
            "GET",
            format!("/xet-cas/v2/reconstructions/{}", f.file_hash),
        ),
        ("GET", "/xet-cas/v1/no-such-route".to_string()),
    ] {
        assert_eq!(
            t.call(method, &uri, None, Body::empty()).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    assert_eq!(
        t.call("POST", "/xet-cas/v1/telemetry", None, "{}")
            .await
            .status,
        StatusCode::OK
    );

    // A shard naming xorbs that are not there is refused, and nothing is recorded.
    let r = t
        .call("POST", "/xet-cas/v1/shards", Some(&cas), f.shard.clone())
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&r.body).contains("has not been uploaded"));
    let sha = sha256_hex(&data);
    let r = commit_file(&t, &alice, "alice/m", "early", &sha, data.len() as u64).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Tampered xorbs, missing and read tokens are refused.
    let (hash, body) = &f.xorbs[0];
    let mut tampered = body.clone();
    let n = tampered.len();
    tampered[n - 1] ^= 0x55;
    let uri = format!("/xet-cas/v1/xorbs/default/{hash}");
    assert_eq!(
        t.call("POST", &uri, Some(&cas), tampered).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        t.call("POST", &uri, None, body.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.call("POST", &uri, Some("w.1.2.3"), body.clone())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let (read, _) = token(&t, &alice, "alice/m", "read").await;
    assert_eq!(
        t.call("POST", &uri, Some(&read), body.clone()).await.status,
        StatusCode::FORBIDDEN
    );

    upload(&t, &cas, &f).await;
    let again = t.call("POST", &uri, Some(&cas), body.clone()).await;
    assert_eq!(again.json()["was_inserted"], false);

    // The commit names the sha256; a wrong size is refused.
    let r = commit_file(&t, &alice, "alice/m", "bad", &sha, 5).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = commit_file(&t, &alice, "alice/m", "add", &sha, data.len() as u64).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );

    // Plain downloads are rebuilt from the xorbs, ranges included.
    let r = t.get("/alice/m/resolve/main/w.bin", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body == data, "whole file differs");
    for (a, b) in [
        (0usize, 0usize),
        (1000, 200_000),
        (131_071, 131_072),
        (299_990, 299_999),
    ] {
        let r = ranged(
            &t,
            "/alice/m/resolve/main/w.bin",
            None,
            &format!("bytes={a}-{b}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
        assert!(r.body == data[a..=b], "range {a}-{b} differs");
    }

    // Reconstructions: ranged, with signed fetch URLs that give exactly the xorb bytes.
    let recon = format!("/xet-cas/v1/reconstructions/{}", f.file_hash);
    let r = ranged(&t, &recon, Some(&read), "bytes=70000-140000").await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let plan = r.json();
    assert_eq!(plan["offset_into_first_range"], 70_000 - 65_536);
    let terms = plan["terms"].as_array().unwrap();
    assert_eq!(terms.len(), 2, "{plan}");
    let mut fetched = 0;
    for (xorb, entries) in plan["fetch_info"].as_object().unwrap() {
        let (_, body) = f
            .xorbs
            .iter()
            .find(|(h, _)| h.to_string() == *xorb)
            .unwrap();
        for e in entries.as_array().unwrap() {
            let (s, end) = (
                e["url_range"]["start"].as_u64().unwrap(),
                e["url_range"]["end"].as_u64().unwrap(),
            );
            let url = local(e["url"].as_str().unwrap());
            let r = t.get(&url, None).await;
            assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
            assert!(r.body == body[s as usize..=end as usize]);
            let forged = url.replace("sig=", "sig=00");
            assert_eq!(t.get(&forged, None).await.status, StatusCode::FORBIDDEN);
            fetched += 1;
        }
    }
    assert_eq!(fetched, 2);
    let r = ranged(&t, &recon, Some(&read), "bytes=300000-300010").await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);

    // Another repo cannot commit or reconstruct the file without uploading it there.
    assert_eq!(
        t.create_repo(&alice, "alice/other", "model", false)
            .await
            .status,
        StatusCode::OK
    );
    let r = commit_file(&t, &alice, "alice/other", "x", &sha, data.len() as u64).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let (other_read, _) = token(&t, &alice, "alice/other", "read").await;
    let r = t
        .get(
            &format!("/xet-cas/v1/reconstructions/{}", f.file_hash),
            Some(&other_read),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Uploading it there again stores no new xorb (dedup) and allows the commit.
    let (other_cas, _) = token(&t, &alice, "alice/other", "write").await;
    upload(&t, &other_cas, &f).await;
    let r = commit_file(&t, &alice, "alice/other", "x", &sha, data.len() as u64).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn tokens_need_access_and_expire() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    let bob = t.user("bob", Role::Write).await;
    t.hub
        .meta
        .set_setting_if_absent("xet_token_ttl_secs", "1")
        .await
        .unwrap();
    assert_eq!(
        t.create_repo(&alice, "alice/p", "model", true).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.get("/api/models/alice/p/xet-write-token/main", Some(&bob))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/api/models/alice/p/xet-read-token/main", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // create_pr sends the literal revision None.
    let r = t
        .get(
            "/api/models/alice/p/xet-write-token/None?create_pr=1",
            Some(&alice),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // A short configured lifetime (set before any token): refused once past its exp.
    let (_, v) = token(&t, &alice, "alice/p", "write").await;
    let tok = v["accessToken"].as_str().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(v["exp"].as_i64().unwrap() <= now + 1);
    let f = fixture(&content(1000));
    let uri = format!("/xet-cas/v1/xorbs/default/{}", f.xorbs[0].0);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        t.call("POST", &uri, Some(tok), f.xorbs[0].1.clone())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
