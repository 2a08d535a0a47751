//! Reading blobs and parts as streams of bounded pieces, with read-ahead on a blocking thread.

use std::io::{Read, Seek, SeekFrom};

use bytes::Bytes;
use futures::StreamExt;
use sha2::Digest;
use tokio::sync::mpsc;

use crate::pipeline::CHUNK;
use crate::store::BlobStream;

/// Pieces read ahead of the consumer: keeps the disk busy while the network drains.
const READ_AHEAD: usize = 2;

/// The piece size of a download stream. A stream holds about four pieces (read ahead, being
/// read, being written), so this bounds a download's memory: 128 KiB pieces keep 200
/// concurrent downloads, even stalled ones, near 100 MB (1 MiB pieces held 4 MB each), while
/// still reading the disk in large requests.
const STREAM_PIECE: usize = 128 << 10;

/// Streams `len` bytes of `file` from `start`, in [`STREAM_PIECE`]-sized pieces. The reading
/// thread stops as soon as the stream is dropped.
pub(crate) fn stream_file(mut file: std::fs::File, start: u64, len: u64) -> BlobStream {
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        if let Err(err) = file.seek(SeekFrom::Start(start)) {
            let _ = tx.blocking_send(Err(err));
            return;
        }
        let mut remaining = len;
        while remaining > 0 {
            let n = usize::try_from(remaining.min(STREAM_PIECE as u64)).unwrap_or(STREAM_PIECE);
            let mut buf = vec![0u8; n];
            let item = file.read_exact(&mut buf).map(|()| Bytes::from(buf));
            let failed = item.is_err();
            if tx.blocking_send(item).is_err() || failed {
                return;
            }
            remaining -= n as u64;
        }
    });
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .boxed()
}

/// SHA-256 of a whole file, read in large chunks (run on a blocking thread).
pub(crate) fn sha256_file(mut file: std::fs::File) -> std::io::Result<commonhold_types::Sha256> {
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(commonhold_types::Sha256(hasher.finalize().into()))
}
