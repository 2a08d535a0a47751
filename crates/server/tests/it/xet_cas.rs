//! The Xet protocol through the router: token routes, CAS uploads with validation, commits that
//! name Xet files, reconstructions with signed fetch URLs, and plain downloads rebuilt from
//! xorbs. Fixtures are built by `commonhold_xet::fixtures` with the protocol authors' serializers.

use crate::common;

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

/// Neither the first xorb of `f` (refused) nor its file left a trace: no blob, no record, no
/// grant.
async fn assert_nothing_recorded(t: &TestHub, f: &FileFixture) {
    let (hash, _) = &f.xorbs[0];
    assert_eq!(t.meta.xorb_index(&hash.0).await.unwrap(), None);
    assert_eq!(
        t.blobs
            .stat(&commonhold_blob::BlobKey::Xorb(hash.0))
            .await
            .unwrap(),
        None
    );
    assert_eq!(t.meta.xet_file(&f.file_hash.0).await.unwrap(), None);
    assert!(t.meta.list_xet_grants().await.unwrap().is_empty());
}

/// A hub with the user `alice` and her public repo `alice/m`: (hub, her token, a CAS write
/// token for the repo).
async fn hub_with_repo() -> (TestHub, String, String) {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    assert_eq!(
        t.create_repo(&alice, "alice/m", "model", false)
            .await
            .status,
        StatusCode::OK
    );
    let (cas, _) = token(&t, &alice, "alice/m", "write").await;
    (t, alice, cas)
}

#[tokio::test]
async fn upload_commit_and_download_through_xet() {
    let (t, alice, cas) = hub_with_repo().await;
    let data = content(300_000);
    let f = fixture(&data);
    assert_eq!(f.xorbs.len(), 3);

    // The probes that make hf_xet fall back answer 404, with or without a token.
    for (method, uri) in [
        (
            "POST",
            format!("/xet-cas/v1/xorb-grants/default/{}", f.xorbs[0].0),
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
    assert_nothing_recorded(&t, &f).await;
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
    assert_nothing_recorded(&t, &f).await;
    // Every xorb uploaded but one: the shard is still refused, and records no file.
    for (hash, body) in &f.xorbs[1..] {
        let uri = format!("/xet-cas/v1/xorbs/default/{hash}");
        let r = t.call("POST", &uri, Some(&cas), body.clone()).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = t
        .call("POST", "/xet-cas/v1/shards", Some(&cas), f.shard.clone())
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(t.meta.list_xet_grants().await.unwrap().is_empty());
    assert_eq!(t.meta.xet_file(&f.file_hash.0).await.unwrap(), None);
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
    assert_eq!(again.json()["was_inserted"], true);

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
    t.meta
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

/// The hashes of the chunks the fixture cut `data` into (its chunk size is 64 KiB).
fn chunk_hashes(f: &FileFixture) -> Vec<commonhold_xet::XetHash> {
    f.xorbs
        .iter()
        .flat_map(|(hash, body)| {
            commonhold_xet::validate_xorb(*hash, body)
                .unwrap()
                .chunks
                .into_iter()
                .map(|c| c.hash)
        })
        .collect()
}

async fn dedup(t: &TestHub, token: Option<&str>, chunk: &commonhold_xet::XetHash) -> Reply {
    t.call(
        "GET",
        &format!("/xet-cas/v1/chunks/default/{chunk}"),
        token,
        Body::empty(),
    )
    .await
}

/// A hub with the users alice and bob and `repos` (name, private), each owned by the user its
/// name starts with: (hub, alice's token, bob's token).
async fn alice_and_bob(repos: &[(&str, bool)]) -> (TestHub, String, String) {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    let bob = t.user("bob", Role::Write).await;
    for (repo, private) in repos {
        let owner = if repo.starts_with("alice/") {
            &alice
        } else {
            &bob
        };
        let r = t.create_repo(owner, repo, "model", *private).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    (t, alice, bob)
}

#[tokio::test]
async fn global_dedup_answers_with_a_keyed_shard_for_visible_files_only() {
    let (t, alice, bob) = alice_and_bob(&[
        ("alice/base", false),
        ("alice/tune", true),
        ("bob/secret", true),
    ])
    .await;
    let (base, _) = token(&t, &alice, "alice/base", "write").await;
    let (tune, _) = token(&t, &alice, "alice/tune", "write").await;
    let (secret, _) = token(&t, &bob, "bob/secret", "write").await;

    let data = content(300_000);
    let f = fixture(&data);
    let chunks = chunk_hashes(&f);
    let first = chunks[0];
    // Unknown chunks: 404 (the client's "no dedup"); no token: 401; a read token: 403.
    assert_eq!(
        dedup(&t, Some(&tune), &first).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        dedup(&t, None, &first).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (read, _) = token(&t, &alice, "alice/base", "read").await;
    assert_eq!(
        dedup(&t, Some(&read), &first).await.status,
        StatusCode::FORBIDDEN
    );
    upload(&t, &base, &f).await;

    // The first chunk of a file is eligible: from another repo, the answer describes every
    // xorb of the public file holding it, with the chunk hashes keyed.
    let r = dedup(&t, Some(&tune), &first).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    for (i, (xorb, _)) in f.xorbs.iter().enumerate() {
        let held = &chunks[2 * i..(2 * i + 2).min(chunks.len())];
        let found = commonhold_xet::dedup::lookup_in_answer(&r.body, held).unwrap();
        assert_eq!(found, Some((*xorb, 0, held.len() as u32)), "xorb {i}");
        // (A one-chunk xorb's hash is its chunk's hash, so only larger ones can show this.)
        if held.len() > 1 {
            assert!(!r.body.windows(32).any(|w| w == held[0].0));
        }
    }
    let stranger = commonhold_xet::XetHash([5; 32]);
    assert_eq!(
        commonhold_xet::dedup::lookup_in_answer(&r.body, &[stranger]).unwrap(),
        None
    );
    // Not an eligible chunk: the second one (unless its hash happens to qualify).
    if !commonhold_xet::dedup::hash_eligible(&chunks[1]) {
        assert_eq!(
            dedup(&t, Some(&tune), &chunks[1]).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // A malformed hash is simply unknown.
    let r = t
        .call(
            "GET",
            "/xet-cas/v1/chunks/default/xyz",
            Some(&tune),
            Body::empty(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A file held only by bob's private repo is found from that repo, never from alice's.
    let other = content(200_000)
        .iter()
        .map(|b| b.wrapping_add(1))
        .collect::<Vec<u8>>();
    let g = fixture(&other);
    upload(&t, &secret, &g).await;
    let hidden = chunk_hashes(&g)[0];
    assert_eq!(
        dedup(&t, Some(&secret), &hidden).await.status,
        StatusCode::OK
    );
    assert_eq!(
        dedup(&t, Some(&tune), &hidden).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        dedup(&t, Some(&base), &hidden).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn dedup_answers_confirm_only_chunks_the_visible_file_uses() {
    let (t, alice, bob) = alice_and_bob(&[
        ("bob/secret", true),
        ("alice/part", false),
        ("alice/probe", false),
    ])
    .await;
    // Bob's private file: three xorbs of two 64 KiB chunks.
    let (secret, _) = token(&t, &bob, "bob/secret", "write").await;
    let data = content(300_000);
    let f = fixture(&data);
    upload(&t, &secret, &f).await;
    let (x0, body) = &f.xorbs[0];
    let index = commonhold_xet::validate_xorb(*x0, body).unwrap();
    // A public file made of the second chunk only, referencing bob's xorb (as a client holding
    // those bytes may after dedup).
    let (part, _) = token(&t, &alice, "alice/part", "write").await;
    let (_, shard) = commonhold_xet::fixtures::file_shard_over(
        &[(*x0, &index, 1, 2)],
        &sha256_hex(&data[65_536..131_072]),
    )
    .unwrap();
    let r = t
        .call("POST", "/xet-cas/v1/shards", Some(&part), shard)
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );

    let (probe, _) = token(&t, &alice, "alice/probe", "write").await;
    let [c0, c1] = [index.chunks[0].hash, index.chunks[1].hash];
    // Bob's first chunk is indexed (first of his file) and its xorb is used by a public file,
    // but not that chunk: nothing confirms it.
    assert_eq!(
        dedup(&t, Some(&probe), &c0).await.status,
        StatusCode::NOT_FOUND
    );
    // The public file's own chunk is answered; the answer lists the xorb's other chunks in
    // place (so indexes stay right) but without their hashes.
    let r = dedup(&t, Some(&probe), &c1).await;
    assert_eq!(r.status, StatusCode::OK);
    let look = |chunks: &[commonhold_xet::XetHash]| {
        commonhold_xet::dedup::lookup_in_answer(&r.body, chunks).unwrap()
    };
    assert_eq!(look(&[c1]), Some((*x0, 1, 2)));
    assert_eq!(look(&[c0]), None);
    // From bob's own repo, his chunk is answered.
    assert_eq!(dedup(&t, Some(&secret), &c0).await.status, StatusCode::OK);
}

/// Runs fsck on the test hub and returns its problems as the CLI prints them.
async fn fsck(t: &TestHub) -> Vec<String> {
    let report = t.hub.fsck(&|_| {}).await.unwrap();
    report.problems.iter().map(|p| p.to_string()).collect()
}

fn assert_named(problems: &[String], needles: &[&str]) {
    for needle in needles {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "fsck should name {needle:?}: {problems:#?}"
        );
    }
}

#[tokio::test]
async fn fsck_rebuilds_every_recorded_xet_file_from_its_terms() {
    let (t, alice, cas) = hub_with_repo().await;
    let data = content(300_000);
    let f = fixture(&data);
    upload(&t, &cas, &f).await;
    let sha = sha256_hex(&data);
    let r = commit_file(&t, &alice, "alice/m", "add", &sha, data.len() as u64).await;
    assert_eq!(r.status, StatusCode::OK);
    let report = t.hub.fsck(&|_| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!((report.xorbs, report.xet_files), (3, 1));

    // Recorded files whose terms do not rebuild them: a chunk range past the end of its xorb,
    // and sizes that add up but a file hash that does not recompute. (Damaged xorbs, dangling
    // mappings and unserved pointers: crates/commonhold/tests/it/fsck_xet.rs.)
    let mut record = commonhold_xet::FileRecord {
        size: 7,
        terms: vec![commonhold_xet::Term {
            xorb: f.xorbs[0].0,
            chunk_start: 1,
            chunk_end: 5,
            unpacked_len: 7,
        }],
    };
    let repo = t
        .meta
        .repo_by_name(
            commonhold_types::RepoType::Model,
            &"alice/m".parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let bad = |hash: u8, record: &commonhold_xet::FileRecord| commonhold_meta::XetFileRow {
        file_hash: [hash; 32],
        size: record.size,
        terms: record.encode_terms(),
        sha256: Some(commonhold_types::Sha256([hash; 32])),
    };
    let out_of_bounds = bad(1, &record);
    t.meta
        .record_xet_file(repo.id, &out_of_bounds)
        .await
        .unwrap();
    record.terms[0].chunk_end = 2;
    record.terms[0].unpacked_len = 65_536;
    record.size = 65_536;
    let wrong_hash = bad(2, &record);
    t.meta.record_xet_file(repo.id, &wrong_hash).await.unwrap();
    let problems = fsck(&t).await;
    assert_named(
        &problems,
        &[
            &commonhold_xet::XetHash([1; 32]).to_string(),
            "not all in it",
            &commonhold_xet::XetHash([2; 32]).to_string(),
            "its chunks hash to",
        ],
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

/// The substitution attack: bob, who may only contribute to alice's public repo, uploads xorbs
/// of his own bytes (as long as her LFS file) and a shard claiming that those bytes are her
/// file's sha256. The server hashes what the shard describes and refuses it; her file keeps
/// downloading as she committed it, and nothing of the shard was recorded.
#[tokio::test]
async fn a_shard_claiming_another_files_sha256_is_refused() {
    let (t, alice, bob) = alice_and_bob(&[("alice/m", false)]).await;
    let victim = content(300_000);
    let oid = t.lfs_upload(&alice, "alice/m", &victim).await;
    let r = commit_file(&t, &alice, "alice/m", "weights", &oid, victim.len() as u64).await;
    assert_eq!(r.status, StatusCode::OK);

    let (cas, _) = token(&t, &bob, "alice/m", "write").await;
    let evil: Vec<u8> = victim.iter().map(|b| b ^ 0x5a).collect();
    let forged = file_fixture(&evil, 64 * 1024, 2, CompressionScheme::LZ4, &oid).unwrap();
    for (hash, body) in &forged.xorbs {
        let uri = format!("/xet-cas/v1/xorbs/default/{hash}");
        let r = t.call("POST", &uri, Some(&cas), body.clone()).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let attempt = |shard: Vec<u8>| t.call("POST", "/xet-cas/v1/shards", Some(&cas), shard);
    let r = attempt(forged.shard.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = String::from_utf8_lossy(&r.body);
    assert!(
        message.contains(&forged.file_hash.to_string()) && message.contains(&oid),
        "{message}"
    );
    assert!(t.meta.list_xet_grants().await.unwrap().is_empty());
    assert_eq!(t.meta.xet_file(&forged.file_hash.0).await.unwrap(), None);

    // Once the same file is recorded honestly (bob may upload for a pull request), the forged
    // claim is refused from its recorded sha256, without hashing again.
    let honest = file_fixture(
        &evil,
        64 * 1024,
        2,
        CompressionScheme::LZ4,
        &sha256_hex(&evil),
    )
    .unwrap();
    assert_eq!(honest.file_hash, forged.file_hash);
    upload(&t, &cas, &honest).await;
    assert_eq!(
        attempt(forged.shard.clone()).await.status,
        StatusCode::BAD_REQUEST
    );
    let grants = t.meta.list_xet_grants().await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].1.to_hex(), sha256_hex(&evil));

    // Alice's file is served from her LFS blob, to everyone, and not advertised as Xet.
    let r = t.get("/alice/m/resolve/main/w.bin", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body == victim, "the victim's bytes were replaced");
    assert_eq!(r.header("etag"), Some(format!("\"{oid}\"").as_str()));
    assert_eq!(r.header("x-xet-hash"), None);
    assert!(fsck(&t).await.is_empty());
}

/// A mapping is create-only: uploading the same content again under the same sha256 (here cut
/// into other chunks, so another Xet file) keeps the first file, which serves the same bytes.
#[tokio::test]
async fn a_verified_mapping_is_never_replaced() {
    let (t, alice, cas) = hub_with_repo().await;
    let data = content(200_000);
    let sha = sha256_hex(&data);
    let first = fixture(&data);
    upload(&t, &cas, &first).await;
    let second = file_fixture(&data, 32 * 1024, 4, CompressionScheme::None, &sha).unwrap();
    assert_ne!(second.file_hash, first.file_hash);
    upload(&t, &cas, &second).await;
    let grants = t.meta.list_xet_grants().await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].2, first.file_hash.0);
    let r = commit_file(&t, &alice, "alice/m", "add", &sha, data.len() as u64).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t.get("/alice/m/resolve/main/w.bin", None).await;
    assert_eq!(
        r.header("x-xet-hash"),
        Some(first.file_hash.to_string().as_str())
    );
    assert!(r.body == data);
}

/// Xorbs are stored once for every repo, so the answer to an upload (and the counters on
/// `/metrics`, which anyone may read) must not tell whether the store already held it: that
/// would confirm content of another user's private repo.
#[tokio::test]
async fn a_xorb_upload_does_not_tell_whether_another_repo_holds_it() {
    let (t, alice, bob) = alice_and_bob(&[("bob/secret", true), ("alice/probe", false)]).await;
    let (secret, _) = token(&t, &bob, "bob/secret", "write").await;
    let (probe, _) = token(&t, &alice, "alice/probe", "write").await;
    let plain = |data: &[u8]| {
        file_fixture(
            data,
            64 * 1024,
            1,
            CompressionScheme::None,
            &sha256_hex(data),
        )
        .unwrap()
    };
    let held = plain(&content(50_000));
    upload(&t, &secret, &held).await;
    let fresh = plain(&content(50_000).iter().map(|b| !b).collect::<Vec<u8>>());
    let counters = |r: Reply| -> Vec<(String, f64)> {
        String::from_utf8_lossy(&r.body)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
            .map(|(name, v)| (name.to_string(), v.trim().parse().unwrap_or_default()))
            .collect()
    };
    let mut answers = Vec::new();
    for f in [&fresh, &held] {
        let before = counters(t.get("/metrics", None).await);
        let (hash, body) = &f.xorbs[0];
        let uri = format!("/xet-cas/v1/xorbs/default/{hash}");
        let r = t.call("POST", &uri, Some(&probe), body.clone()).await;
        assert_eq!(r.status, StatusCode::OK);
        let after = counters(t.get("/metrics", None).await);
        let delta: Vec<_> = after
            .iter()
            .zip(&before)
            .map(|((name, a), (_, b))| (name.clone(), a - b))
            .collect();
        answers.push((r.json(), delta));
    }
    assert_eq!(answers[0], answers[1]);
}

/// A CAS token lives as long as the access token it was issued for and that token's access to
/// the repo: making the repo private ends the tokens of those who can no longer read it, and
/// revoking an access token ends its CAS tokens, while the token's `exp` stays as issued.
#[tokio::test]
async fn cas_tokens_end_with_their_access_token_and_with_access() {
    let (t, alice, alice_write) = hub_with_repo().await;
    let bob = t.user("bob", Role::Write).await;
    let f = fixture(&content(100_000));
    upload(&t, &alice_write, &f).await;
    let recon = format!("/xet-cas/v1/reconstructions/{}", f.file_hash);
    let reads = |tok: &str| {
        let (t, recon, tok) = (&t, recon.clone(), tok.to_string());
        async move { t.get(&recon, Some(&tok)).await.status }
    };
    let writes = |tok: &str| {
        let (t, uri, body, tok) = (
            &t,
            format!("/xet-cas/v1/xorbs/default/{}", f.xorbs[0].0),
            f.xorbs[0].1.clone(),
            tok.to_string(),
        );
        async move { t.call("POST", &uri, Some(&tok), body).await.status }
    };
    assert_eq!(
        commit_file(
            &t,
            &alice,
            "alice/m",
            "w",
            &sha256_hex(&content(100_000)),
            100_000
        )
        .await
        .status,
        StatusCode::OK
    );
    let (alice_read, _) = token(&t, &alice, "alice/m", "read").await;
    let anon_read = t.get("/api/models/alice/m/xet-read-token/main", None).await;
    assert_eq!(anon_read.status, StatusCode::OK);
    let anon_read = anon_read.json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    // Bob contributes to alice's public repo (pull requests): a write token of his own.
    let (bob_write, _) = token(&t, &bob, "alice/m", "write").await;
    for tok in [&alice_read, &anon_read] {
        assert_eq!(reads(tok).await, StatusCode::OK);
    }
    for tok in [&alice_write, &bob_write] {
        assert_eq!(writes(tok).await, StatusCode::OK);
    }

    // The repo turns private: who can no longer read it loses the CAS tokens issued before.
    let r = t
        .call(
            "PUT",
            "/api/models/alice/m/settings",
            Some(&alice),
            serde_json::json!({ "private": true }).to_string(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(reads(&anon_read).await, StatusCode::UNAUTHORIZED);
    assert_eq!(writes(&bob_write).await, StatusCode::UNAUTHORIZED);
    assert_eq!(reads(&alice_read).await, StatusCode::OK);
    assert_eq!(writes(&alice_write).await, StatusCode::OK);

    // Alice's access token is revoked (by `commonhold token revoke`, another process): her CAS
    // tokens end too, on a process that has not cached her token, as on this one once its
    // short cache expires.
    let id = t.meta.account_by_name("alice").await.unwrap().unwrap().id;
    assert_eq!(t.meta.revoke_token(id, "test").await.unwrap(), 1);
    let other = t.second_process().await;
    let other_recon = other.get(&recon, Some(&alice_read)).await;
    assert_eq!(other_recon.status, StatusCode::UNAUTHORIZED);
    t.hub.invalidate_hot();
    assert_eq!(reads(&alice_read).await, StatusCode::UNAUTHORIZED);
    assert_eq!(writes(&alice_write).await, StatusCode::UNAUTHORIZED);
    // A token whose binding was altered fails its signature.
    let rebind = |tok: &str, bound: &str| {
        let mut parts: Vec<&str> = tok.split('.').collect();
        parts[3] = bound;
        parts.join(".")
    };
    assert_eq!(
        reads(&rebind(&alice_read, "anon")).await,
        StatusCode::UNAUTHORIZED
    );
    let other_token = hex::encode(commonhold_hub::hash_token(&bob));
    assert_eq!(
        reads(&rebind(&anon_read, &other_token)).await,
        StatusCode::UNAUTHORIZED
    );
}
