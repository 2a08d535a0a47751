//! Streaming one object into the store with bounded memory.
//!
//! Bytes collect in a [`PART_SIZE`] buffer. Content that never fills it stays in memory and is
//! stored with one PUT by the caller (after verification, so a small blob goes straight to its
//! final name). Larger content becomes an S3 multipart upload: each full buffer is sent as a
//! part while the next one fills, with at most [`PARTS_IN_FLIGHT`] parts on the wire, and, for a
//! hashing sink, hashed on a blocking thread at the same time. Memory per sink is so bounded by
//! `(1 + PARTS_IN_FLIGHT) * PART_SIZE`, whatever the object's size. A multipart upload that is
//! never completed is aborted when the sink (or the [`Pending`] upload) is dropped, so the store
//! keeps no orphaned parts.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use commonhold_types::Sha256;
use object_store::path::Path;
use object_store::{MultipartUpload, ObjectStore, ObjectStoreExt, PutPayload};
use sha2::Digest;
use tokio::task::JoinHandle;

use super::store_err;
use crate::error::BlobError;

/// Size of each multipart part (S3 needs at least 5 MiB for all but the last).
pub(crate) const PART_SIZE: usize = 8 << 20;
/// Parts uploading at once per sink.
const PARTS_IN_FLIGHT: usize = 2;

type PartTask = JoinHandle<object_store::Result<()>>;

pub(crate) struct ObjectSink {
    store: Arc<dyn ObjectStore>,
    path: Path,
    buf: BytesMut,
    len: u64,
    upload: Option<Box<dyn MultipartUpload>>,
    in_flight: VecDeque<PartTask>,
    hashing: Option<Hashing>,
}

/// The hash state: either idle, or moved into the blocking task hashing the latest buffer.
enum Hashing {
    Idle(sha2::Sha256),
    Busy(JoinHandle<sha2::Sha256>),
}

/// How a finished sink's content is to be stored.
pub(crate) enum Finished {
    /// Everything is still in memory (less than one part): the caller stores it with one PUT.
    Small(Bytes),
    /// Every part is uploaded; [`Pending::complete`] creates the object, dropping it aborts.
    Large(Pending),
}

pub(crate) struct Pending {
    upload: Option<Box<dyn MultipartUpload>>,
    path: Path,
}

impl ObjectSink {
    /// A sink for the object `path`; with `hashing`, [`ObjectSink::finish`] also returns the
    /// content's sha256.
    pub(crate) fn new(store: Arc<dyn ObjectStore>, path: Path, hashing: bool) -> ObjectSink {
        ObjectSink {
            store,
            path,
            buf: BytesMut::new(),
            len: 0,
            upload: None,
            in_flight: VecDeque::new(),
            hashing: hashing.then(|| Hashing::Idle(sha2::Sha256::new())),
        }
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    pub(crate) async fn write(&mut self, mut data: &[u8]) -> Result<(), BlobError> {
        self.len += data.len() as u64;
        while !data.is_empty() {
            if self.buf.capacity() == 0 {
                self.buf.reserve(PART_SIZE.min(data.len().max(64 << 10)));
            }
            let room = PART_SIZE - self.buf.len();
            let (now, later) = data.split_at(room.min(data.len()));
            self.buf.extend_from_slice(now);
            data = later;
            if self.buf.len() == PART_SIZE {
                let full = std::mem::take(&mut self.buf).freeze();
                self.send_part(full).await?;
            }
        }
        Ok(())
    }

    /// Hashes `part` and uploads it as the next part, first waiting for room on the wire.
    async fn send_part(&mut self, part: Bytes) -> Result<(), BlobError> {
        self.hash(part.clone()).await?;
        if self.upload.is_none() {
            let upload = self
                .store
                .put_multipart(&self.path)
                .await
                .map_err(store_err("start a multipart upload of", &self.path))?;
            self.upload = Some(upload);
        }
        while self.in_flight.len() >= PARTS_IN_FLIGHT {
            self.settle_oldest().await?;
        }
        if let Some(upload) = self.upload.as_mut() {
            let task = upload.put_part(PutPayload::from(part));
            self.in_flight.push_back(tokio::spawn(task));
        }
        Ok(())
    }

    async fn settle_oldest(&mut self) -> Result<(), BlobError> {
        if let Some(task) = self.in_flight.pop_front() {
            task.await?
                .map_err(store_err("upload a part of", &self.path))?;
        }
        Ok(())
    }

    /// Waits for the previous buffer's hashing, then starts hashing `data`.
    async fn hash(&mut self, data: Bytes) -> Result<(), BlobError> {
        let Some(state) = self.hashing.take() else {
            return Ok(());
        };
        let mut hasher = match state {
            Hashing::Idle(hasher) => hasher,
            Hashing::Busy(task) => task.await?,
        };
        self.hashing = Some(Hashing::Busy(tokio::task::spawn_blocking(move || {
            hasher.update(&data);
            hasher
        })));
        Ok(())
    }

    /// Sends what is buffered (unless it all fits in memory), waits for every part and for the
    /// hash. Returns the content's length, its sha256 for a hashing sink, and how to store it.
    pub(crate) async fn finish(mut self) -> Result<(u64, Option<Sha256>, Finished), BlobError> {
        let rest = std::mem::take(&mut self.buf).freeze();
        let finished = if self.upload.is_none() {
            self.hash(rest.clone()).await?;
            Finished::Small(rest)
        } else {
            if !rest.is_empty() {
                self.send_part(rest).await?;
            }
            while !self.in_flight.is_empty() {
                self.settle_oldest().await?;
            }
            Finished::Large(Pending {
                upload: self.upload.take(),
                path: self.path.clone(),
            })
        };
        let digest = match self.hashing.take() {
            Some(Hashing::Idle(hasher)) => Some(Sha256(hasher.finalize().into())),
            Some(Hashing::Busy(task)) => Some(Sha256(task.await?.finalize().into())),
            None => None,
        };
        Ok((self.len, digest, finished))
    }
}

impl Pending {
    /// The object the upload creates.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the object from the uploaded parts.
    pub(crate) async fn complete(mut self) -> Result<(), BlobError> {
        let Some(mut upload) = self.upload.take() else {
            return Err(BlobError::Task("the upload was already completed".into()));
        };
        match upload.complete().await {
            Ok(_) => Ok(()),
            Err(err) => {
                abort_later(upload);
                Err(store_err("complete the multipart upload of", &self.path)(
                    err,
                ))
            }
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(upload) = self.upload.take() {
            abort_later(upload);
        }
    }
}

impl Drop for ObjectSink {
    fn drop(&mut self) {
        let Some(upload) = self.upload.take() else {
            return;
        };
        // Parts still on the wire finish (or fail) first, so the abort removes them all.
        let in_flight = std::mem::take(&mut self.in_flight);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            for task in in_flight {
                let _ = task.await;
            }
            abort(upload).await;
        });
    }
}

fn abort_later(upload: Box<dyn MultipartUpload>) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(abort(upload));
    }
}

/// Best effort: an upload that cannot be aborted is left to the bucket's lifecycle rule
/// (`AbortIncompleteMultipartUpload`), which the README recommends.
async fn abort(mut upload: Box<dyn MultipartUpload>) {
    if let Err(err) = upload.abort().await {
        tracing::warn!(%err, "could not abort an unfinished multipart upload");
    }
}
