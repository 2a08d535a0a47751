//! What only the S3 backend has: start-up checks and clean-up of interrupted work.

use std::time::Duration;

use commonhold_blob::*;

use crate::harness::{Backend, body, s3_env, s3_fixture};

#[tokio::test]
async fn s3_stale_temporaries_and_idle_uploads_are_removed() {
    let fx = s3_fixture().await;
    let Backend::S3 { store, .. } = &fx.backend else {
        unreachable!()
    };
    let upload = UploadId::new_random();
    store
        .put_part(&upload, 1, body(vec![b"part".to_vec()]))
        .await
        .unwrap();
    fx.put_raw("tmp/leftover", b"half a blob").await;
    let kept = put_bytes(store, b"kept").await.unwrap();
    // Younger than the limits: kept (they may belong to a live process).
    let hour = Duration::from_secs(3600);
    assert_eq!(store.remove_stale(hour, hour).await.unwrap(), 0);
    assert_eq!(fx.entries("tmp").await.len(), 1);
    assert_eq!(
        store
            .remove_stale(Duration::ZERO, Duration::ZERO)
            .await
            .unwrap(),
        2
    );
    assert!(fx.entries("tmp").await.is_empty());
    assert!(fx.entries("parts").await.is_empty());
    assert_eq!(store.list().await.unwrap(), vec![(kept, 4)]);
}

#[tokio::test]
async fn s3_opening_checks_the_bucket_and_credentials() {
    let config = s3_env();
    let store = S3BlobStore::connect(&config).await.unwrap();
    // SeaweedFS honours If-None-Match on PUT; the probe must have found that.
    assert!(store.conditional_put());

    let wrong_secret = S3Config {
        secret_access_key: Some("not-the-secret".into()),
        ..config.clone()
    };
    let err = S3BlobStore::connect(&wrong_secret).await.unwrap_err();
    assert!(matches!(err, BlobError::Store { .. }), "{err:?}");
    let remote_http = S3Config {
        endpoint: Some("http://192.0.2.1:9000".into()),
        ..config
    };
    let err = S3BlobStore::connect(&remote_http).await.unwrap_err();
    assert!(err.to_string().contains("AWS_ALLOW_HTTP"), "{err}");
}

#[test]
fn urls_are_parsed_strictly() {
    let config = S3Config::from_url("s3://hub-blobs/a/b").unwrap();
    assert_eq!(
        (config.bucket.as_str(), config.prefix.as_str()),
        ("hub-blobs", "a/b")
    );
    let bare = S3Config::from_url("s3://hub-blobs").unwrap();
    assert_eq!(bare.prefix, "");
    for bad in [
        "hub-blobs",
        "s3://",
        "s3://UPPER",
        "s3://ok-bucket/../x",
        "file:///x",
    ] {
        assert!(S3Config::from_url(bad).is_err(), "{bad}");
    }
}
