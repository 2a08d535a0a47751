//! The local store's verified write: temp file, hash while writing, fsync, rename, fsync dir.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use commonhold_types::Sha256;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::layout::{Layout, TempFile, sync_dir};
use crate::error::BlobError;
use crate::key::BlobKey;
use crate::pipeline::{ChunkBuffer, spawn_file_sink, spawn_hash_sink};
use crate::store::BlobWriter;

pub(crate) struct LocalWriter {
    layout: Arc<Layout>,
    temp: TempFile,
    buffer: ChunkBuffer,
    sinks: Sinks,
    written: u64,
}

/// The two threads a write feeds, and the channels to them.
struct Sinks {
    hash_tx: mpsc::Sender<Bytes>,
    file_tx: mpsc::Sender<Bytes>,
    hash_task: JoinHandle<(Sha256, u64)>,
    file_task: Option<JoinHandle<std::io::Result<std::fs::File>>>,
}

impl LocalWriter {
    /// Creates the temp file (create-new, so two writers never share one) and starts the threads.
    pub(crate) async fn create(layout: Arc<Layout>) -> Result<LocalWriter, BlobError> {
        let path = layout.temp_path();
        let temp = TempFile::new(path.clone());
        let file = tokio::task::spawn_blocking(move || {
            std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(&path)
        })
        .await?
        .map_err(BlobError::io("create temp file", temp.path()))?;
        let (hash_tx, hash_task) = spawn_hash_sink();
        let (file_tx, file_task) = spawn_file_sink(file);
        let sinks = Sinks {
            hash_tx,
            file_tx,
            hash_task,
            file_task: Some(file_task),
        };
        Ok(LocalWriter {
            layout,
            temp,
            buffer: ChunkBuffer::new(),
            sinks,
            written: 0,
        })
    }

    async fn send(&mut self, buf: Bytes) -> Result<(), BlobError> {
        let hashed = self.sinks.hash_tx.send(buf.clone()).await.is_ok();
        let stored = self.sinks.file_tx.send(buf).await.is_ok();
        if hashed && stored {
            return Ok(());
        }
        // A sink stopped early: the file thread hit an IO error (e.g. disk full). Report it.
        let error = match self.sinks.file_task.take() {
            Some(task) => match task.await? {
                Err(source) => BlobError::Io {
                    action: "write",
                    path: self.temp.path().into(),
                    source,
                },
                Ok(_) => BlobError::Task("the hashing thread stopped".into()),
            },
            None => BlobError::Task("the file writer already failed".into()),
        };
        Err(error)
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
            layout,
            temp,
            sinks,
            ..
        } = *self;
        let Sinks {
            hash_tx,
            file_tx,
            hash_task,
            file_task,
        } = sinks;
        drop((hash_tx, file_tx));
        let (actual, len) = hash_task.await?;
        if len != size {
            return Err(BlobError::SizeMismatch {
                expected: size,
                actual: len,
            });
        }
        if actual != expected {
            return Err(BlobError::DigestMismatch { expected, actual });
        }
        let file_task =
            file_task.ok_or_else(|| BlobError::Task("the file writer already failed".into()))?;
        let file = file_task
            .await?
            .map_err(BlobError::io("write", temp.path()))?;
        let key = BlobKey::Lfs(expected);
        tokio::task::spawn_blocking(move || publish(&layout, temp, file, &key)).await?
    }

    async fn abort(self: Box<Self>) {
        // Dropping the temp file guard removes the file; the threads end when their channels close.
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
