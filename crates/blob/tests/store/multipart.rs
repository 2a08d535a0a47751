//! Multipart uploads: parts in any order, retried, assembled with verification.

use bytes::Bytes;
use commonhold_blob::*;
use futures::StreamExt;

use crate::harness::{Fixture, body, both_backends, content};

both_backends!(
    multipart_out_of_order_with_a_retried_part,
    multipart_errors_store_nothing_and_keep_the_parts,
    abort_parts_and_part_numbers,
);

/// Uploads `bytes` as one part in one chunk.
async fn put(store: &dyn BlobStore, upload: &UploadId, part: u32, bytes: &[u8]) -> PartReceipt {
    store
        .put_part(upload, part, body(vec![bytes.to_vec()]))
        .await
        .unwrap()
}

async fn multipart_out_of_order_with_a_retried_part(fx: Fixture) {
    let store = fx.store.as_ref();
    // Part 1 is larger than the S3 backend's 8 MiB buffer, so it is itself a multipart upload.
    let data = content(9_000_000 + 1_000_000 + 600_000, 6);
    let (p1, rest) = data.split_at(9_000_000);
    let (p2, p3) = rest.split_at(1_000_000);
    let upload = UploadId::new_random();

    let r3 = put(store, &upload, 3, p3).await;
    let r1_first = put(store, &upload, 1, p1).await;
    let r2 = store
        .put_part(
            &upload,
            2,
            body(p2.chunks(7_000).map(<[u8]>::to_vec).collect()),
        )
        .await
        .unwrap();
    let r1 = store
        .put_part(
            &upload,
            1,
            body(p1.chunks(1_000_000).map(<[u8]>::to_vec).collect()),
        )
        .await
        .unwrap();
    assert_ne!(r1.etag, r1_first.etag);
    assert_eq!((r1.size, r2.size, r3.size), (9_000_000, 1_000_000, 600_000));

    let parts = [(1, r1.etag), (2, r2.etag), (3, r3.etag)];
    let digest = sha256_of(&data);
    store
        .complete_parts(&upload, &parts, digest, data.len() as u64)
        .await
        .unwrap();
    let key = BlobKey::Lfs(digest);
    assert_eq!(read_to_vec(store, &key, u64::MAX).await.unwrap(), data);
    assert!(
        fx.entries("parts").await.is_empty(),
        "parts are removed after completion"
    );
    assert!(fx.entries("tmp").await.is_empty());
    assert!(store.verify(&key).await.unwrap());
    fx.assert_no_open_uploads().await;
}

async fn multipart_errors_store_nothing_and_keep_the_parts(fx: Fixture) {
    let store = fx.store.as_ref();
    let data = content(300_000, 7);
    let (p1, p2) = data.split_at(100_000);
    let digest = sha256_of(&data);
    let size = data.len() as u64;
    let upload = UploadId::parse("upload-1").unwrap();
    let r1 = put(store, &upload, 1, p1).await;
    let r2 = put(store, &upload, 2, p2).await;

    let swapped = [(1, r2.etag.clone()), (2, r1.etag.clone())];
    let err = store
        .complete_parts(&upload, &swapped, digest, size)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BlobError::PartMissing { part: 1, .. }),
        "{err:?}"
    );
    let descending = [(2, r2.etag.clone()), (1, r1.etag.clone())];
    let err = store
        .complete_parts(&upload, &descending, digest, size)
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::PartOrder { part: 1 }), "{err:?}");
    let hostile = [(1, "../../lfs".to_string())];
    assert!(matches!(
        store.complete_parts(&upload, &hostile, digest, size).await,
        Err(BlobError::PartMissing { .. })
    ));
    let err = store
        .complete_parts(&upload, &[(1, r1.etag.clone())], digest, size)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            BlobError::SizeMismatch {
                expected: 300_000,
                actual: 100_000
            }
        ),
        "{err:?}"
    );

    // A bad part: same size, one byte different.
    let mut corrupt = p2.to_vec();
    corrupt[0] ^= 0xff;
    let bad = store
        .put_part(&upload, 2, body(vec![corrupt]))
        .await
        .unwrap();
    let err = store
        .complete_parts(
            &upload,
            &[(1, r1.etag.clone()), (2, bad.etag)],
            digest,
            size,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::DigestMismatch { .. }), "{err:?}");

    assert!(store.list().await.unwrap().is_empty());
    assert!(fx.entries("tmp").await.is_empty());

    // The good parts are still there: the corrected list completes.
    let parts = [(1, r1.etag.clone()), (2, r2.etag.clone())];
    store
        .complete_parts(&upload, &parts, digest, size)
        .await
        .unwrap();
    assert_eq!(
        store.list().await.unwrap(),
        vec![(BlobKey::Lfs(digest), size)]
    );
}

async fn abort_parts_and_part_numbers(fx: Fixture) {
    let store = fx.store.as_ref();
    let upload = UploadId::new_random();
    assert!(matches!(
        store.put_part(&upload, 0, body(vec![])).await,
        Err(BlobError::InvalidPartNumber(0))
    ));
    assert!(matches!(
        store
            .put_part(&upload, MAX_PART_NUMBER + 1, body(vec![]))
            .await,
        Err(BlobError::InvalidPartNumber(_))
    ));
    let r = store
        .put_part(&upload, 1, body(vec![b"abc".to_vec()]))
        .await
        .unwrap();
    assert!(!fx.entries("parts").await.is_empty());
    store.abort_parts(&upload).await.unwrap();
    store.abort_parts(&upload).await.unwrap();
    assert!(fx.entries("parts").await.is_empty());
    let err = store
        .complete_parts(&upload, &[(1, r.etag)], sha256_of(b"abc"), 3)
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::PartMissing { part: 1, .. }));

    let failing: BlobStream = futures::stream::iter(vec![
        Ok(Bytes::from_static(b"abc")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ])
    .boxed();
    assert!(matches!(
        store.put_part(&upload, 1, failing).await,
        Err(BlobError::Body(_))
    ));
    assert!(fx.entries("tmp").await.is_empty());
    assert!(fx.entries("parts").await.is_empty());
}
