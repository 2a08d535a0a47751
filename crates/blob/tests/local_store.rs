//! Behaviour of the local blob store through the public `BlobStore` interface.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use commonhold_blob::*;
use commonhold_types::Sha256;
use futures::StreamExt;

/// Deterministic, incompressible-looking test content.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u8
        })
        .collect()
}

async fn open() -> (tempfile::TempDir, LocalBlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path()).await.unwrap();
    (dir, store)
}

/// Files currently under `root/sub` (temp files, parts).
fn entries(root: &Path, sub: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(sub)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            }
            out.push(entry.path());
        }
    }
    out
}

async fn write_in_pieces(store: &LocalBlobStore, data: &[u8], piece: usize) -> Box<dyn BlobWriter> {
    let mut writer = store.writer().await.unwrap();
    for chunk in data.chunks(piece) {
        writer.write(chunk).await.unwrap();
    }
    assert_eq!(writer.written(), data.len() as u64);
    writer
}

async fn collect(stream: BlobStream) -> (Vec<u8>, usize) {
    let chunks: Vec<Bytes> = stream.map(|c| c.unwrap()).collect().await;
    let largest = chunks.iter().map(Bytes::len).max().unwrap_or(0);
    (chunks.concat(), largest)
}

/// Uploads `bytes` as one part in one chunk.
async fn put(store: &LocalBlobStore, upload: &UploadId, part: u32, bytes: &[u8]) -> PartReceipt {
    store
        .put_part(upload, part, body(vec![bytes.to_vec()]))
        .await
        .unwrap()
}

fn body(parts: Vec<Vec<u8>>) -> BlobStream {
    futures::stream::iter(parts.into_iter().map(|p| Ok(Bytes::from(p)))).boxed()
}

#[tokio::test]
async fn commit_makes_a_readable_blob_and_dedups() {
    let (dir, store) = open().await;
    let data = content(3 * 1024 * 1024 + 12_345, 1);
    let digest = sha256_of(&data);
    let key = BlobKey::Lfs(digest);
    assert_eq!(store.stat(&key).await.unwrap(), None);

    write_in_pieces(&store, &data, 65_537)
        .await
        .commit(digest, data.len() as u64)
        .await
        .unwrap();
    assert_eq!(store.stat(&key).await.unwrap(), Some(data.len() as u64));
    let (read, largest) = collect(store.read(&key, None).await.unwrap()).await;
    assert_eq!(read, data);
    assert!(
        (256 * 1024..=1024 * 1024).contains(&largest),
        "chunk of {largest} bytes"
    );
    let hex = digest.to_hex();
    assert!(
        dir.path()
            .join("lfs")
            .join(&hex[..2])
            .join(&hex[2..4])
            .join(&hex)
            .is_file()
    );

    // The same content again: accepted, stored once, no temp file left.
    write_in_pieces(&store, &data, 1 << 20)
        .await
        .commit(digest, data.len() as u64)
        .await
        .unwrap();
    assert_eq!(store.list().await.unwrap(), vec![(key, data.len() as u64)]);
    assert!(entries(dir.path(), "tmp").is_empty());
    assert!(store.verify(&key).await.unwrap());
}

#[tokio::test]
async fn empty_blob() {
    let (_dir, store) = open().await;
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
    assert_eq!(collect(store.read(&key, None).await.unwrap()).await.0, b"");
    assert!(matches!(
        store.read(&key, Some(0..1)).await,
        Err(BlobError::InvalidRange { .. })
    ));
}

#[tokio::test]
async fn mismatches_store_nothing() {
    let (dir, store) = open().await;
    let data = content(2_000_000, 2);
    let digest = sha256_of(&data);

    let wrong = Sha256([7; 32]);
    let err = write_in_pieces(&store, &data, 4096)
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

    let err = write_in_pieces(&store, &data, 4096)
        .await
        .commit(digest, 5)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            BlobError::SizeMismatch {
                expected: 5,
                actual: 2_000_000
            }
        ),
        "{err:?}"
    );

    assert!(store.list().await.unwrap().is_empty());
    assert_eq!(store.stat(&BlobKey::Lfs(digest)).await.unwrap(), None);
    assert_eq!(store.stat(&BlobKey::Lfs(wrong)).await.unwrap(), None);
    assert!(entries(dir.path(), "tmp").is_empty());
}

#[tokio::test]
async fn abort_and_drop_store_nothing() {
    let (dir, store) = open().await;
    let data = content(1_500_000, 3);
    let writer = write_in_pieces(&store, &data, 100_000).await;
    assert_eq!(entries(dir.path(), "tmp").len(), 1);
    writer.abort().await;
    assert!(entries(dir.path(), "tmp").is_empty());

    let writer = write_in_pieces(&store, &data, 100_000).await;
    drop(writer);
    assert!(entries(dir.path(), "tmp").is_empty());
    assert!(store.list().await.unwrap().is_empty());
    assert_eq!(
        store.stat(&BlobKey::Lfs(sha256_of(&data))).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn ranged_reads() {
    let (_dir, store) = open().await;
    let data = content(2_500_000, 4);
    let key = put_bytes(&store, &data).await.unwrap();
    let size = data.len() as u64;
    let read = |r: std::ops::Range<u64>| {
        let store = store.clone();
        async move { collect(store.read(&key, Some(r)).await.unwrap()).await.0 }
    };
    assert_eq!(read(0..1).await, &data[..1]);
    assert_eq!(read(size - 1..size).await, &data[data.len() - 1..]);
    assert_eq!(
        read(1_000_000..1_300_007).await,
        &data[1_000_000..1_300_007]
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
}

#[tokio::test]
async fn verify_detects_a_flipped_byte_and_delete_is_idempotent() {
    let (dir, store) = open().await;
    let data = content(10_000, 5);
    let key = put_bytes(&store, &data).await.unwrap();
    let other = put_bytes(&store, b"other").await.unwrap();
    assert!(store.verify(&key).await.unwrap());

    let hex = key.sha256().to_hex();
    let path = dir
        .path()
        .join("lfs")
        .join(&hex[..2])
        .join(&hex[2..4])
        .join(&hex);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[4_321] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
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

#[tokio::test]
async fn list_skips_stray_files() {
    let (dir, store) = open().await;
    let key = put_bytes(&store, b"x").await.unwrap();
    std::fs::write(dir.path().join("lfs/stray"), b"").unwrap();
    let misfiled = sha256_of(b"y").to_hex();
    std::fs::create_dir_all(dir.path().join("lfs/00/00")).unwrap();
    std::fs::write(dir.path().join("lfs/00/00").join(misfiled), b"y").unwrap();
    assert_eq!(store.list().await.unwrap(), vec![(key, 1)]);
}

#[tokio::test]
async fn multipart_out_of_order_with_a_retried_part() {
    let (dir, store) = open().await;
    let data = content(2_600_000, 6);
    let (p1, rest) = data.split_at(1_000_000);
    let (p2, p3) = rest.split_at(1_000_000);
    let upload = UploadId::new_random();

    let r3 = put(&store, &upload, 3, p3).await;
    let r1_first = put(&store, &upload, 1, p1).await;
    let r2 = store
        .put_part(
            &upload,
            2,
            body(p2.chunks(7_000).map(<[u8]>::to_vec).collect()),
        )
        .await
        .unwrap();
    let r1 = store
        .put_part(&upload, 1, body(vec![p1[..10].to_vec(), p1[10..].to_vec()]))
        .await
        .unwrap();
    assert_ne!(r1.etag, r1_first.etag);
    assert_eq!((r1.size, r2.size, r3.size), (1_000_000, 1_000_000, 600_000));

    let parts = [(1, r1.etag), (2, r2.etag), (3, r3.etag)];
    let digest = sha256_of(&data);
    store
        .complete_parts(&upload, &parts, digest, data.len() as u64)
        .await
        .unwrap();
    let key = BlobKey::Lfs(digest);
    assert_eq!(collect(store.read(&key, None).await.unwrap()).await.0, data);
    assert!(
        entries(dir.path(), "parts").is_empty(),
        "parts are removed after completion"
    );
    assert!(entries(dir.path(), "tmp").is_empty());
}

#[tokio::test]
async fn multipart_errors_store_nothing_and_keep_the_parts() {
    let (dir, store) = open().await;
    let data = content(300_000, 7);
    let (p1, p2) = data.split_at(100_000);
    let digest = sha256_of(&data);
    let size = data.len() as u64;
    let upload = UploadId::parse("upload-1").unwrap();
    let r1 = put(&store, &upload, 1, p1).await;
    let r2 = put(&store, &upload, 2, p2).await;

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
    assert!(entries(dir.path(), "tmp").is_empty());

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

#[tokio::test]
async fn abort_parts_and_part_numbers() {
    let (dir, store) = open().await;
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
    assert!(!entries(dir.path(), "parts").is_empty());
    store.abort_parts(&upload).await.unwrap();
    store.abort_parts(&upload).await.unwrap();
    assert!(entries(dir.path(), "parts").is_empty());
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
    assert!(entries(dir.path(), "tmp").is_empty());
}

#[tokio::test]
async fn open_removes_stale_temp_files_only() {
    let dir = tempfile::tempdir().unwrap();
    drop(LocalBlobStore::open(dir.path()).await.unwrap());
    let stale = dir.path().join("tmp/stale");
    let fresh = dir.path().join("tmp/fresh");
    let old_upload = dir.path().join("parts/old");
    std::fs::write(&stale, b"half a blob").unwrap();
    std::fs::write(&fresh, b"in progress elsewhere").unwrap();
    std::fs::create_dir_all(&old_upload).unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    std::fs::File::open(&old_upload)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();

    let store = LocalBlobStore::open(dir.path()).await.unwrap();
    assert!(!stale.exists());
    assert!(!old_upload.exists());
    assert!(fresh.exists());
    assert!(store.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn read_to_vec_is_bounded() {
    let (_dir, store) = open().await;
    let key = put_bytes(&store, &content(5_000, 8)).await.unwrap();
    assert_eq!(read_to_vec(&store, &key, 5_000).await.unwrap().len(), 5_000);
    assert!(matches!(
        read_to_vec(&store, &key, 4_999).await,
        Err(BlobError::TooLarge {
            size: 5_000,
            limit: 4_999
        })
    ));
    let missing = BlobKey::Lfs(Sha256([2; 32]));
    assert!(matches!(
        read_to_vec(&store, &missing, 10).await,
        Err(BlobError::NotFound(_))
    ));
}
