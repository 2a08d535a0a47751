//! Ranged reads, listing and verification (fsck's view of the store).

use bytes::Bytes;
use commonhold_blob::*;
use commonhold_types::Sha256;
use futures::StreamExt;

use crate::harness::{Fixture, blob_name, both_backends, content};

both_backends!(
    ranged_reads,
    reads_stream_in_chunks,
    verify_detects_a_flipped_byte_and_delete_is_idempotent,
    list_skips_stray_objects,
    read_to_vec_is_bounded,
);

async fn collect(stream: BlobStream) -> Vec<u8> {
    let chunks: Vec<Bytes> = stream.map(|c| c.unwrap()).collect().await;
    chunks.concat()
}

async fn ranged_reads(fx: Fixture) {
    let store = fx.store.as_ref();
    let data = content(10_500_000, 4);
    let key = put_bytes(store, &data).await.unwrap();
    let size = data.len() as u64;
    let read = |r: std::ops::Range<u64>| async move {
        collect(store.read(&key, Some(r)).await.unwrap()).await
    };
    assert_eq!(read(0..1).await, &data[..1]);
    assert_eq!(read(size - 1..size).await, &data[data.len() - 1..]);
    assert_eq!(
        read(1_000_000..1_300_007).await,
        &data[1_000_000..1_300_007]
    );
    assert_eq!(
        read(8_388_600..8_388_700).await,
        &data[8_388_600..8_388_700]
    );
    assert_eq!(read(0..size).await, data);
    #[allow(clippy::reversed_empty_ranges)] // Refusing them is the point.
    for bad in [5..5, 0..0, 6..5, 0..size + 1, size..size + 1] {
        let err = store.read(&key, Some(bad.clone())).await.err().unwrap();
        assert!(
            matches!(err, BlobError::InvalidRange { size: s, .. } if s == size),
            "{bad:?}: {err:?}"
        );
    }
    let missing = BlobKey::Lfs(Sha256([1; 32]));
    assert!(
        matches!(store.read(&missing, None).await.err().unwrap(), BlobError::NotFound(k) if k == missing)
    );
    assert_eq!(store.stat(&missing).await.unwrap(), None);
}

/// A read is a stream: the first chunk arrives, and is smaller than the blob, before the rest
/// is consumed, so a multi-GB download never sits in memory whole.
async fn reads_stream_in_chunks(fx: Fixture) {
    let store = fx.store.as_ref();
    let data = content(9_000_000, 12);
    let key = put_bytes(store, &data).await.unwrap();
    let mut stream = store.read(&key, None).await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(
        !first.is_empty() && first.len() <= 2 * 1024 * 1024,
        "first chunk {}",
        first.len()
    );
    let mut chunks = 1;
    let mut all = first.to_vec();
    while let Some(chunk) = stream.next().await {
        all.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert!(chunks >= 5, "{chunks} chunks");
    assert_eq!(all, data);
}

async fn verify_detects_a_flipped_byte_and_delete_is_idempotent(fx: Fixture) {
    let store = fx.store.as_ref();
    let data = content(10_000, 5);
    let key = put_bytes(store, &data).await.unwrap();
    let other = put_bytes(store, b"other").await.unwrap();
    assert!(store.verify(&key).await.unwrap());

    let mut bytes = fx.get_raw(&blob_name(&key)).await;
    bytes[4_321] ^= 0x01;
    fx.put_raw(&blob_name(&key), &bytes).await;
    assert!(!store.verify(&key).await.unwrap());
    assert!(store.verify(&other).await.unwrap());

    let mut listed = vec![(key, 10_000), (other, 5)];
    listed.sort();
    assert_eq!(store.list().await.unwrap(), listed);
    store.delete(&key).await.unwrap();
    store.delete(&key).await.unwrap();
    assert_eq!(store.list().await.unwrap(), vec![(other, 5)]);
    assert!(matches!(
        store.verify(&key).await,
        Err(BlobError::NotFound(_))
    ));
}

async fn list_skips_stray_objects(fx: Fixture) {
    let store = fx.store.as_ref();
    let key = put_bytes(store, b"x").await.unwrap();
    fx.put_raw("lfs/stray", b"").await;
    fx.put_raw(&format!("lfs/00/00/{}", sha256_of(b"y").to_hex()), b"y")
        .await;
    assert_eq!(store.list().await.unwrap(), vec![(key, 1)]);
}

async fn read_to_vec_is_bounded(fx: Fixture) {
    let store = fx.store.as_ref();
    let key = put_bytes(store, &content(5_000, 8)).await.unwrap();
    assert_eq!(read_to_vec(store, &key, 5_000).await.unwrap().len(), 5_000);
    assert!(matches!(
        read_to_vec(store, &key, 4_999).await,
        Err(BlobError::TooLarge {
            size: 5_000,
            limit: 4_999
        })
    ));
    let missing = BlobKey::Lfs(Sha256([2; 32]));
    assert!(matches!(
        read_to_vec(store, &missing, 10).await,
        Err(BlobError::NotFound(_))
    ));
}
