//! The local store's verified write: temp file, hash while writing, fsync, rename, fsync dir.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use commonhold_types::Sha256;

use super::layout::{Layout, TempFile, sync_dir};
use crate::error::BlobError;
use crate::key::BlobKey;
use crate::pipeline::{ChunkBuffer, Sink};
use crate::store::BlobWriter;

pub(crate) struct LocalWriter {
    layout: Arc<Layout>,
    temp: TempFile,
    buffer: ChunkBuffer,
    sink: Sink,
    written: u64,
}

impl LocalWriter {
    /// Creates the temp file (create-new, so two writers never share one).
    pub(crate) async fn create(layout: Arc<Layout>) -> Result<LocalWriter, BlobError> {
        let path = layout.temp_path();
        let temp = TempFile::new(path.clone());
        let file = tokio::task::spawn_blocking(move || std::fs::File::create_new(&path))
            .await?
            .map_err(BlobError::io("create temp file", temp.path()))?;
        let sink = Sink::new(file, true);
        Ok(LocalWriter {
            layout,
            temp,
            buffer: ChunkBuffer::new(),
            sink,
            written: 0,
        })
    }

    async fn send(&mut self, buf: Bytes) -> Result<(), BlobError> {
        self.sink
            .push(buf)
            .await
            .map_err(BlobError::io("write", self.temp.path()))
    }
}

#[async_trait]
impl BlobWriter for LocalWriter {
    async fn write(&mut self, mut chunk: &[u8]) -> Result<(), BlobError> {
        self.written += chunk.len() as u64;
        while !chunk.is_empty() {
            if let Some(full) = self.buffer.fill(&mut chunk) {
                self.send(full).await?;
            }
        }
        Ok(())
    }

    fn written(&self) -> u64 {
        self.written
    }

    async fn commit(mut self: Box<Self>, expected: Sha256, size: u64) -> Result<(), BlobError> {
        let rest = self.buffer.take();
        if !rest.is_empty() {
            self.send(rest).await?;
        }
        let LocalWriter {
            layout, temp, sink, ..
        } = *self;
        let len = sink.len();
        if len != size {
            return Err(BlobError::SizeMismatch {
                expected: size,
                actual: len,
            });
        }
        let (file, digest) = sink
            .finish()
            .await
            .map_err(BlobError::io("write", temp.path()))?;
        let actual = digest.ok_or_else(|| BlobError::Task("the write was not hashed".into()))?;
        if actual != expected {
            return Err(BlobError::DigestMismatch { expected, actual });
        }
        let key = BlobKey::Lfs(expected);
        tokio::task::spawn_blocking(move || publish(&layout, temp, file, &key)).await?
    }

    async fn abort(self: Box<Self>) {
        // Dropping the temp file guard removes the file; work in flight finishes on its own.
        drop(self);
    }
}
/// Makes a verified temp file visible under `key`, durably, unless the blob already exists.
fn publish(
    layout: &Layout,
    temp: TempFile,
    file: std::fs::File,
    key: &BlobKey,
) -> Result<(), BlobError> {
    let dest = layout.blob_path(key);
    if dest.exists() {
        return Ok(()); // Dedup: identical content is already stored; `temp` is removed on drop.
    }
    file.sync_all()
        .map_err(BlobError::io("fsync", temp.path()))?;
    drop(file);
    let lfs = layout.lfs_dir();
    let Some(dir) = dest.parent() else {
        return Err(BlobError::Task(format!(
            "blob path {} has no parent",
            dest.display()
        )));
    };
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(BlobError::io("create directory", dir))?;
    std::fs::rename(temp.path(), &dest).map_err(BlobError::io("rename temp file to", &dest))?;
    temp.disarm();
    sync_dir(dir).map_err(BlobError::io("fsync directory", dir))?;
    if created {
        // New fan-out directories must themselves be durable entries of their parents.
        for ancestor in dir.ancestors().skip(1).take_while(|a| a.starts_with(&lfs)) {
            sync_dir(ancestor).map_err(BlobError::io("fsync directory", ancestor))?;
        }
    }
    Ok(())
}
