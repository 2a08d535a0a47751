//! The streaming machinery behind writes: incoming chunks are coalesced into large buffers,
//! and each full buffer is hashed and written to the file at the same time, on two blocking
//! threads, while the caller fills the next buffer. Ingest so costs about the slower of
//! hashing and writing rather than their sum.
//!
//! Threads are borrowed from tokio's blocking pool per buffer, not held for the life of a
//! write, so a slow or idle upload ties up no thread between buffers.

use std::io::Write;

use bytes::{Bytes, BytesMut};
use commonhold_types::Sha256;
use sha2::Digest;
use tokio::task::JoinHandle;

/// Size of the buffers handed to the hashing and writing threads. Large enough that task and
/// syscall overhead vanish against the work done per buffer.
pub(crate) const CHUNK: usize = 1 << 20;

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

/// Writes buffers to a file and, optionally, hashes them, one buffer in flight at a time.
pub(crate) struct Sink {
    file: Option<std::fs::File>,
    hasher: Option<sha2::Sha256>,
    hashing: bool,
    len: u64,
    in_flight: Option<InFlight>,
}

/// The work on one buffer: the file write and the hash, each returning its state.
struct InFlight {
    write: JoinHandle<std::io::Result<std::fs::File>>,
    hash: Option<JoinHandle<sha2::Sha256>>,
}

impl Sink {
    /// A sink that writes to `file` and, if `hashing`, computes the sha256 of what it wrote.
    pub(crate) fn new(file: std::fs::File, hashing: bool) -> Sink {
        let hasher = hashing.then(sha2::Sha256::new);
        Sink {
            file: Some(file),
            hasher,
            hashing,
            len: 0,
            in_flight: None,
        }
    }

    /// Waits for the previous buffer, then starts writing and hashing `buf`.
    pub(crate) async fn push(&mut self, buf: Bytes) -> std::io::Result<()> {
        self.settle().await?;
        let mut file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("file already failed"))?;
        self.len += buf.len() as u64;
        let hash = self.hasher.take().map(|mut hasher| {
            let buf = buf.clone();
            tokio::task::spawn_blocking(move || {
                hasher.update(&buf);
                hasher
            })
        });
        let write = tokio::task::spawn_blocking(move || file.write_all(&buf).map(|()| file));
        self.in_flight = Some(InFlight { write, hash });
        Ok(())
    }

    /// Waits for the buffer in flight, if any, and takes back the file and hasher.
    async fn settle(&mut self) -> std::io::Result<()> {
        let Some(InFlight { write, hash }) = self.in_flight.take() else {
            return Ok(());
        };
        if let Some(hash) = hash {
            self.hasher = Some(hash.await.map_err(std::io::Error::other)?);
        }
        self.file = Some(write.await.map_err(std::io::Error::other)??);
        Ok(())
    }

    /// Bytes pushed so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Waits for all work; returns the file and, for a hashing sink, the sha256 of its content.
    pub(crate) async fn finish(mut self) -> std::io::Result<(std::fs::File, Option<Sha256>)> {
        self.settle().await?;
        let file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("file already failed"))?;
        let digest = match (self.hashing, self.hasher.take()) {
            (true, Some(hasher)) => Some(Sha256(hasher.finalize().into())),
            _ => None,
        };
        Ok((file, digest))
    }
}
