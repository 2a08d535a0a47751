//! Signed upload URLs over a real socket: an expired, tampered or wrong-oid URL gets 403 and
//! stores nothing. (The router-level tests in `crates/server/tests` cover the same refusals
//! without a socket; this checks that the binary as shipped behaves the same.)

use crate::support;

use support::hub::{lfs_op, sha256_hex};
use support::server::Server;
use support::{Store, find_files_named};

/// The URL with query parameter `key` set to `value`: a client tampering with what it was given.
fn with_param(href: &str, key: &str, value: &str) -> String {
    let (base, query) = href.split_once('?').expect("signed URL has a query");
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k == key => format!("{k}={value}"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

#[test]
fn expired_tampered_and_wrong_oid_urls_get_403_and_store_nothing() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("urls");
    let data = &store.data;

    let body = b"the real content of the object".to_vec();
    let oid = sha256_hex(&body);
    let href = client
        .upload_href(&oid, body.len() as u64)
        .expect("upload URL");

    let mut forged_sig = href.clone();
    let last = forged_sig.pop().expect("non-empty");
    forged_sig.push(if last == '0' { '1' } else { '0' });
    let other = b"other content, other oid".to_vec();
    let other_oid = sha256_hex(&other);
    let cases = [
        ("tampered signature", forged_sig, body.clone()),
        (
            "tampered size",
            with_param(&href, "size", &(body.len() + 1).to_string()),
            body.clone(),
        ),
        (
            "tampered expiry",
            with_param(&href, "exp", "99999999999"),
            body.clone(),
        ),
        ("wrong oid", href.replace(&oid, &other_oid), other.clone()),
    ];
    for (what, url, data) in &cases {
        let r = client.put_signed(url, data);
        assert_eq!(r.status, 403, "{what}: {}", r.text());
    }

    // An expired URL, from a server on the same data whose URLs expire at once.
    let expiring = Server::start_with_env(data, &[("COMMONHOLD_UPLOAD_URL_TTL_SECS", "-1")]);
    let c2 = client.via(expiring.addr);
    let expired = c2.upload_href(&oid, body.len() as u64).expect("upload URL");
    let r = c2.put_signed(&expired, &body);
    assert_eq!(r.status, 403, "expired URL: {}", r.text());
    expiring.stop();

    for o in [&oid, &other_oid] {
        assert!(
            find_files_named(&data.join("blobs"), o).is_empty(),
            "a refused upload stored {o}"
        );
    }
    assert!(
        client.upload_href(&oid, body.len() as u64).is_some(),
        "nothing stored, so the upload is still wanted"
    );
    let r = client
        .commit("use it", &[lfs_op("x.bin", &oid, body.len() as u64)])
        .expect("commit");
    assert!(
        !r.is_success(),
        "a commit naming a refused upload must fail: {} {}",
        r.status,
        r.text()
    );

    // The genuine URL still works afterwards.
    let r = client.put_signed(&href, &body);
    assert!(r.is_success(), "genuine URL: {} {}", r.status, r.text());
    assert!(
        client.upload_href(&oid, body.len() as u64).is_none(),
        "after a real upload the object is present"
    );
    server.stop();
}

/// An LFS batch as a client sends it: `count` objects of `size` bytes each, multipart offered.
fn batch_body(count: usize, size: u64) -> Vec<u8> {
    let objects: Vec<serde_json::Value> = (0..count)
        .map(|i| serde_json::json!({ "oid": sha256_hex(&i.to_le_bytes()), "size": size }))
        .collect();
    serde_json::json!({
        "operation": "upload",
        "transfers": ["basic", "multipart"],
        "objects": objects,
        "hash_algo": "sha256",
    })
    .to_string()
    .into_bytes()
}

/// A 98 KB batch of 1,000 objects of 50 GB each used to answer 365 MB (1.5 million part URLs of
/// 32 MiB parts) and grow the server by 1.5 GB. Parts now grow with the object, so the answer and
/// the server stay small; more than 1,000 objects is a 413 that says so.
#[test]
fn a_batch_of_a_thousand_huge_objects_stays_small() {
    const LIMIT_MB: u64 = 300;
    let store = Store::new();
    let (server, client) = store.serve_new_repo("batch");
    let path = format!("/{}.git/info/lfs/objects/batch", client.repo);
    let lfs = "application/vnd.git-lfs+json";
    let size = 50_000_000_000u64;

    let body = batch_body(1000, size);
    assert!(body.len() < 120_000, "{} bytes", body.len());
    let r = client.call("POST", &path, lfs, &body).expect("batch");
    assert!(r.is_success(), "{} {}", r.status, r.text());
    assert!(r.body.len() < 32 << 20, "a {} byte answer", r.body.len());
    let answer = r.json();
    assert_eq!(answer["transfer"], "multipart");
    let objects = answer["objects"].as_array().expect("objects");
    assert_eq!(objects.len(), 1000);
    for o in objects {
        let header = o["actions"]["upload"]["header"]
            .as_object()
            .unwrap_or_else(|| panic!("a multipart plan: {o}"));
        let chunk: u64 = header["chunk_size"].as_str().unwrap().parse().unwrap();
        let parts = header.len() as u64 - 1;
        assert!(parts <= 100, "{parts} parts of {chunk} bytes");
        assert!(parts * chunk >= size && (parts - 1) * chunk < size);
    }
    let peak = server.peak_rss_mb();
    eprintln!("answer {} bytes, server peak RSS {peak} MB", r.body.len());
    assert!(peak < LIMIT_MB, "the server peaked at {peak} MB");

    let r = client
        .call("POST", &path, lfs, &batch_body(1001, 1))
        .expect("batch");
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("at most 1000"), "{}", r.text());
    server.stop();
}
