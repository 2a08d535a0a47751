//! The streaming machinery behind writes: incoming chunks are coalesced into large buffers,
//! and each buffer goes to two threads at once, one hashing and one writing the file, so that
//! ingest costs about max(hash, write) rather than their sum.

use std::io::Write;

use bytes::{Bytes, BytesMut};
use commonhold_types::Sha256;
use sha2::Digest;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Size of the buffers handed to the hashing and writing threads. Large enough that channel
/// and syscall overhead vanish against the work done per buffer.
pub(crate) const CHUNK: usize = 1 << 20;

/// Buffers in flight per thread: enough to keep both threads busy while the producer waits
/// on the network, small enough to bound memory per upload (a few MiB).
const IN_FLIGHT: usize = 4;

/// Coalesces small incoming chunks into [`CHUNK`]-sized buffers.
pub(crate) struct ChunkBuffer {
    buf: BytesMut,
}

impl ChunkBuffer {
    pub(crate) fn new() -> ChunkBuffer {
        ChunkBuffer {
            buf: BytesMut::with_capacity(CHUNK),
        }
    }

    /// Moves as much of `data` into the buffer as fits and advances `data` past it; returns
    /// the buffer if that filled it. Callers loop until `data` is empty.
    pub(crate) fn fill(&mut self, data: &mut &[u8]) -> Option<Bytes> {
        let room = CHUNK - self.buf.len();
        let (now, later) = data.split_at(room.min(data.len()));
        self.buf.extend_from_slice(now);
        *data = later;
        (self.buf.len() == CHUNK).then(|| self.take())
    }

    /// Whatever is buffered, leaving the buffer empty.
    pub(crate) fn take(&mut self) -> Bytes {
        std::mem::replace(&mut self.buf, BytesMut::with_capacity(CHUNK)).freeze()
    }
}

/// A thread that writes every buffer it receives to `file` and hands the file back when the
/// channel closes (or the first error).
pub(crate) fn spawn_file_sink(
    mut file: std::fs::File,
) -> (
    mpsc::Sender<Bytes>,
    JoinHandle<std::io::Result<std::fs::File>>,
) {
    let (tx, mut rx) = mpsc::channel::<Bytes>(IN_FLIGHT);
    let task = tokio::task::spawn_blocking(move || {
        while let Some(buf) = rx.blocking_recv() {
            file.write_all(&buf)?;
        }
        Ok(file)
    });
    (tx, task)
}

/// A thread that hashes every buffer it receives and returns (sha256, length) at the end.
pub(crate) fn spawn_hash_sink() -> (mpsc::Sender<Bytes>, JoinHandle<(Sha256, u64)>) {
    let (tx, mut rx) = mpsc::channel::<Bytes>(IN_FLIGHT);
    let task = tokio::task::spawn_blocking(move || {
        let mut hasher = sha2::Sha256::new();
        let mut len = 0u64;
        while let Some(buf) = rx.blocking_recv() {
            hasher.update(&buf);
            len += buf.len() as u64;
        }
        (Sha256(hasher.finalize().into()), len)
    });
    (tx, task)
}
