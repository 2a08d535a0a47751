//! Signed upload URLs over a real socket: an expired, tampered or wrong-oid URL gets 403 and
//! stores nothing. (The router-level tests in `crates/server/tests` cover the same refusals
//! without a socket; this checks that the binary as shipped behaves the same.)

mod support;

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
