//! `commonhold serve` with its blobs in an S3-compatible store (a real SeaweedFS, started by
//! `scripts/with-s3.sh`, which sets `COMMONHOLD_TEST_S3_*`): an LFS upload goes to the bucket,
//! not the data directory, and downloads intact, whole and by range, from this and a restarted
//! server; `fsck` over the same configuration finds it. Without the S3 environment this test
//! fails rather than passes.

use crate::support;

use std::process::{Command, Stdio};

use support::http::request;
use support::hub::{lfs_op, sha256_hex};
use support::server::{BIN, Server};
use support::{Store, find_files_named, pseudo_random};

/// The environment that points `commonhold` at a fresh prefix of the test bucket.
fn s3_env() -> Vec<(&'static str, String)> {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: run under scripts/with-s3.sh \
                 (e.g. `scripts/with-s3.sh cargo nextest run -p commonhold -E 'test(/^s3::/)'`)"
            )
        })
    };
    let prefix = format!("proc-{}-{}", std::process::id(), rand_suffix());
    vec![
        (
            "COMMONHOLD_BLOB_STORE",
            format!("s3://{}/{prefix}", var("COMMONHOLD_TEST_S3_BUCKET")),
        ),
        ("AWS_ENDPOINT_URL", var("COMMONHOLD_TEST_S3_ENDPOINT")),
        ("AWS_REGION", var("COMMONHOLD_TEST_S3_REGION")),
        ("AWS_ACCESS_KEY_ID", var("COMMONHOLD_TEST_S3_ACCESS_KEY_ID")),
        (
            "AWS_SECRET_ACCESS_KEY",
            var("COMMONHOLD_TEST_S3_SECRET_ACCESS_KEY"),
        ),
    ]
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

#[test]
fn serve_with_s3_blobs_uploads_and_downloads() {
    let env = s3_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let store = Store::new();
    let server = Server::start_with_env(&store.data, &env);
    let client = support::hub::Client::new(server.addr, &store.token, "alice/s3");
    client.create_repo();

    // Larger than one 8 MiB part, so the server's write is a multipart upload.
    let weights = pseudo_random(9 * 1024 * 1024 + 321, 42);
    let oid = client.upload_lfs(&weights);
    assert_eq!(oid, sha256_hex(&weights));
    client.commit_ok(
        "add weights",
        &[lfs_op("model.bin", &oid, weights.len() as u64)],
    );
    assert!(
        find_files_named(&store.data, &oid).is_empty(),
        "the blob must be in the bucket, not the data directory"
    );
    let got = client.resolve("model.bin");
    assert_eq!(got.status, 200, "{}", got.text());
    assert!(got.body == weights, "the download must be intact");

    let path = "/alice/s3/resolve/main/model.bin";
    let ranged = request(
        server.addr,
        "GET",
        path,
        &[("Range", "bytes=8388600-8388707")],
        b"",
    )
    .expect("ranged GET");
    assert_eq!(ranged.status, 206, "{}", ranged.text());
    assert!(ranged.body == weights[8_388_600..=8_388_707]);
    server.stop();

    // Another server process over the same bucket serves it too.
    let again = Server::start_with_env(&store.data, &env);
    let got = client.via(again.addr).resolve("model.bin");
    assert_eq!(got.status, 200, "{}", got.text());
    assert!(got.body == weights);
    again.stop();

    // fsck with the S3 configuration re-hashes the blob in the bucket and passes; without it,
    // the local store has no such blob and fsck says so.
    let (code, stdout) = fsck(&store.data, &env);
    assert_eq!(code, 0, "fsck over S3: {stdout}");
    let (code, stdout) = fsck(&store.data, &[]);
    assert_eq!(code, 1, "fsck without S3: {stdout}");
    assert!(stdout.contains(&oid), "{stdout}");
}

/// `commonhold fsck` with extra environment: exit code and stdout.
fn fsck(data: &std::path::Path, env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(["fsck", "--data"])
        .arg(data)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run fsck");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}
