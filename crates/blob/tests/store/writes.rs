//! Verified writes: nothing is visible until the content matches what was declared.

use bytes::Bytes;
use commonhold_blob::*;
use commonhold_types::Sha256;

use crate::harness::{Fixture, blob_name, both_backends, content};

both_backends!(
    commit_makes_a_readable_blob_and_dedups,
    a_blob_larger_than_a_part_commits_and_verifies,
    empty_blob,
    mismatches_store_nothing,
    a_truncated_upload_stores_nothing,
    abort_and_drop_store_nothing,
    xorbs_are_stored_create_only,
);

pub async fn write_in_pieces(
    store: &dyn BlobStore,
    data: &[u8],
    piece: usize,
) -> Box<dyn BlobWriter> {
    let mut writer = store.writer().await.unwrap();
    for chunk in data.chunks(piece) {
        writer.write(chunk).await.unwrap();
    }
    assert_eq!(writer.written(), data.len() as u64);
    writer
}

async fn commit_and_read_back(fx: &Fixture, data: &[u8], piece: usize) {
    let store = fx.store.as_ref();
    let digest = sha256_of(data);
    let key = BlobKey::Lfs(digest);
    assert_eq!(store.stat(&key).await.unwrap(), None);
    write_in_pieces(store, data, piece)
        .await
        .commit(digest, data.len() as u64)
        .await
        .unwrap();
    assert_eq!(store.stat(&key).await.unwrap(), Some(data.len() as u64));
    assert_eq!(read_to_vec(store, &key, u64::MAX).await.unwrap(), data);
    assert_eq!(
        fx.get_raw(&blob_name(&key)).await,
        data,
        "stored where the layout says"
    );

    // The same content again: accepted, stored once, no temporary left.
    write_in_pieces(store, data, 1 << 20)
        .await
        .commit(digest, data.len() as u64)
        .await
        .unwrap();
    assert_eq!(store.list().await.unwrap(), vec![(key, data.len() as u64)]);
    assert!(fx.entries("tmp").await.is_empty());
    assert!(store.verify(&key).await.unwrap());
    fx.assert_no_open_uploads().await;
}

async fn commit_makes_a_readable_blob_and_dedups(fx: Fixture) {
    commit_and_read_back(&fx, &content(3 * 1024 * 1024 + 12_345, 1), 65_537).await;
}

/// Larger than the S3 backend's 8 MiB part: a multipart upload to a temporary object, copied
/// into place after verification.
async fn a_blob_larger_than_a_part_commits_and_verifies(fx: Fixture) {
    commit_and_read_back(&fx, &content(19 * 1024 * 1024 + 7, 11), 1_000_003).await;
}

async fn empty_blob(fx: Fixture) {
    let store = fx.store.as_ref();
    let digest = sha256_of(b"");
    store
        .writer()
        .await
        .unwrap()
        .commit(digest, 0)
        .await
        .unwrap();
    let key = BlobKey::Lfs(digest);
    assert_eq!(store.stat(&key).await.unwrap(), Some(0));
    assert_eq!(read_to_vec(store, &key, 10).await.unwrap(), b"");
    assert!(matches!(
        store.read(&key, Some(0..1)).await,
        Err(BlobError::InvalidRange { .. })
    ));
    assert!(store.verify(&key).await.unwrap());
}

async fn mismatches_store_nothing(fx: Fixture) {
    let store = fx.store.as_ref();
    // One blob that fits in memory, one that goes through a multipart upload on S3.
    for len in [2_000_000, 17 * 1024 * 1024] {
        let data = content(len, 2);
        let digest = sha256_of(&data);
        let wrong = Sha256([7; 32]);
        let err = write_in_pieces(store, &data, 400_000)
            .await
            .commit(wrong, data.len() as u64)
            .await
            .unwrap_err();
        match &err {
            BlobError::DigestMismatch { expected, actual } => {
                assert_eq!((*expected, *actual), (wrong, digest));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string().contains(&digest.to_hex()) && err.to_string().contains(&wrong.to_hex())
        );
        let err = write_in_pieces(store, &data, 400_000)
            .await
            .commit(digest, 5)
            .await
            .unwrap_err();
        assert!(
            matches!(err, BlobError::SizeMismatch { expected: 5, actual } if actual == len as u64),
            "{err:?}"
        );
        assert_eq!(store.stat(&BlobKey::Lfs(digest)).await.unwrap(), None);
        assert_eq!(store.stat(&BlobKey::Lfs(wrong)).await.unwrap(), None);
    }
    assert!(store.list().await.unwrap().is_empty());
    assert!(fx.entries("lfs").await.is_empty());
    assert!(fx.entries("tmp").await.is_empty());
    fx.assert_no_open_uploads().await;
}

/// A client that stops early (the connection drops mid-body) declares the full size and digest;
/// the short content must not appear under either.
async fn a_truncated_upload_stores_nothing(fx: Fixture) {
    let store = fx.store.as_ref();
    let data = content(12 * 1024 * 1024, 9);
    let digest = sha256_of(&data);
    let cut = &data[..9 * 1024 * 1024 + 3];
    let err = write_in_pieces(store, cut, 256 * 1024)
        .await
        .commit(digest, data.len() as u64)
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::SizeMismatch { .. }), "{err:?}");
    assert_eq!(store.stat(&BlobKey::Lfs(digest)).await.unwrap(), None);
    assert_eq!(
        store.stat(&BlobKey::Lfs(sha256_of(cut))).await.unwrap(),
        None
    );
    assert!(fx.entries("lfs").await.is_empty());
    assert!(fx.entries("tmp").await.is_empty());
    fx.assert_no_open_uploads().await;
}

async fn abort_and_drop_store_nothing(fx: Fixture) {
    let store = fx.store.as_ref();
    for len in [1_500_000, 10 * 1024 * 1024] {
        let data = content(len, 3);
        let writer = write_in_pieces(store, &data, 100_000).await;
        writer.abort().await;
        let writer = write_in_pieces(store, &data, 100_000).await;
        drop(writer);
        assert_eq!(
            store.stat(&BlobKey::Lfs(sha256_of(&data))).await.unwrap(),
            None
        );
    }
    assert!(fx.entries("tmp").await.is_empty());
    assert!(store.list().await.unwrap().is_empty());
    fx.assert_no_open_uploads().await;
}

async fn xorbs_are_stored_create_only(fx: Fixture) {
    let store = fx.store.as_ref();
    let key = BlobKey::Xorb([0xab; 32]);
    assert!(
        store
            .put_verified(&key, Bytes::from_static(b"first"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .put_verified(&key, Bytes::from_static(b"other"))
            .await
            .unwrap()
    );
    assert_eq!(read_to_vec(store, &key, 100).await.unwrap(), b"first");
    let name = format!("xorbs/ab/ab/{}", "ab".repeat(32));
    assert_eq!(fx.get_raw(&name).await, b"first");
    assert!(store.verify(&key).await.unwrap());
    // Xorbs are not LFS blobs: the LFS listing (fsck's) does not show them.
    assert!(store.list().await.unwrap().is_empty());
}
