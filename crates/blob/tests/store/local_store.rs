//! What only the local filesystem backend has: its temp files, its read chunk size, and the
//! clean-up at `open`. Everything else runs on both backends in `tests/store/`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use commonhold_blob::*;
use futures::StreamExt;

/// Files currently in `root/sub` (a flat directory).
fn entries(root: &Path, sub: &str) -> Vec<PathBuf> {
    let dir = std::fs::read_dir(root.join(sub)).unwrap();
    dir.map(|entry| entry.unwrap().path()).collect()
}

#[tokio::test]
async fn a_write_in_progress_is_one_temp_file_and_reads_come_in_large_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path()).await.unwrap();
    let data: Vec<u8> = (0..3_500_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut writer = store.writer().await.unwrap();
    writer.write(&data).await.unwrap();
    assert_eq!(entries(dir.path(), "tmp").len(), 1);
    writer.abort().await;
    assert!(entries(dir.path(), "tmp").is_empty());

    let key = put_bytes(&store, &data).await.unwrap();
    let chunks: Vec<Bytes> = store
        .read(&key, None)
        .await
        .unwrap()
        .map(|c| c.unwrap())
        .collect()
        .await;
    let largest = chunks.iter().map(Bytes::len).max().unwrap_or(0);
    // Large enough that a download is a few thousand reads per GB, small enough that 200
    // concurrent downloads hold little (process_download_memory).
    assert!(
        (128 * 1024..=1024 * 1024).contains(&largest),
        "chunk of {largest} bytes"
    );
    assert_eq!(chunks.concat(), data);
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
