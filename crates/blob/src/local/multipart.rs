//! Multipart uploads on the local filesystem: parts as files under `parts/<upload id>/`,
//! assembled at completion through the ordinary verified write.

use std::path::PathBuf;
use std::sync::Arc;

use commonhold_types::Sha256;
use futures::StreamExt;

use super::layout::{Layout, TempFile};
use super::read::stream_file;
use super::writer::LocalWriter;
use crate::error::BlobError;
use crate::key::{PartReceipt, UploadId, check_part_list, new_etag};
use crate::pipeline::{ChunkBuffer, Sink};
use crate::store::{BlobStream, BlobWriter};

/// S3's limits, which LFS multipart clients already respect.
pub const MAX_PART_NUMBER: u32 = 10_000;
pub const MAX_PART_SIZE: u64 = 5 << 30;

/// Streams `body` into a temp file, then renames it to `parts/<upload>/<part>.<etag>` with a
/// fresh etag. Every attempt gets its own file, so parallel retries of one part cannot clobber
/// each other; the client completes with whichever etag it last received.
pub(crate) async fn put_part(
    layout: &Layout,
    upload: &UploadId,
    part: u32,
    mut body: BlobStream,
) -> Result<PartReceipt, BlobError> {
    if !(1..=MAX_PART_NUMBER).contains(&part) {
        return Err(BlobError::InvalidPartNumber(part));
    }
    let temp = TempFile::new(layout.temp_path());
    let path = temp.path().to_path_buf();
    let file = tokio::task::spawn_blocking(move || std::fs::File::create_new(&path))
        .await?
        .map_err(BlobError::io("create temp file", temp.path()))?;
    let mut sink = Sink::new(file, false);
    let mut buffer = ChunkBuffer::new();
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(BlobError::Body)?;
        size += chunk.len() as u64;
        if size > MAX_PART_SIZE {
            return Err(BlobError::PartTooLarge {
                part,
                limit: MAX_PART_SIZE,
            });
        }
        let mut data = chunk.as_ref();
        while !data.is_empty() {
            if let Some(full) = buffer.fill(&mut data) {
                sink.push(full)
                    .await
                    .map_err(BlobError::io("write", temp.path()))?;
            }
        }
    }
    let rest = buffer.take();
    if !rest.is_empty() {
        sink.push(rest)
            .await
            .map_err(BlobError::io("write", temp.path()))?;
    }
    sink.finish()
        .await
        .map_err(BlobError::io("write", temp.path()))?;
    let etag = new_etag();
    let dir = layout.upload_dir(upload);
    let dest = layout.part_path(upload, part, &etag);
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir).map_err(BlobError::io("create directory", &dir))?;
        std::fs::rename(temp.path(), &dest).map_err(BlobError::io("rename part to", &dest))?;
        temp.disarm();
        Ok::<_, BlobError>(())
    })
    .await??;
    Ok(PartReceipt { etag, size })
}

/// Checks the part list, then feeds the parts in order through a verified write.
pub(crate) async fn complete_parts(
    layout: Arc<Layout>,
    upload: &UploadId,
    parts: &[(u32, String)],
    expected: Sha256,
    size: u64,
) -> Result<(), BlobError> {
    check_part_list(parts)?;
    let paths = parts
        .iter()
        .map(|(part, etag)| (*part, etag.clone(), layout.part_path(upload, *part, etag)))
        .collect();
    let opened = tokio::task::spawn_blocking(move || open_parts(paths)).await??;
    let total: u64 = opened.iter().map(|(_, len)| len).sum();
    if total != size {
        return Err(BlobError::SizeMismatch {
            expected: size,
            actual: total,
        });
    }
    let mut writer = Box::new(LocalWriter::create(layout.clone()).await?);
    for (file, len) in opened {
        let mut stream = stream_file(file, 0, len);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|source| BlobError::Io {
                action: "read part of",
                path: layout.upload_dir(upload),
                source,
            })?;
            writer.write(&chunk).await?;
        }
    }
    writer.commit(expected, size).await?;
    abort_parts(&layout, upload).await
}

/// Opens every listed part, so a missing one is reported before any work is done.
fn open_parts(paths: Vec<(u32, String, PathBuf)>) -> Result<Vec<(std::fs::File, u64)>, BlobError> {
    let mut opened = Vec::with_capacity(paths.len());
    for (part, etag, path) in paths {
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::PartMissing { part, etag });
            }
            Err(err) => return Err(BlobError::io("open part", &path)(err)),
        };
        let len = file
            .metadata()
            .map_err(BlobError::io("stat part", &path))?
            .len();
        opened.push((file, len));
    }
    Ok(opened)
}

/// Removes an upload's directory; an unknown upload is already aborted.
pub(crate) async fn abort_parts(layout: &Layout, upload: &UploadId) -> Result<(), BlobError> {
    let dir = layout.upload_dir(upload);
    tokio::task::spawn_blocking(move || match std::fs::remove_dir_all(&dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(BlobError::io("remove upload directory", &dir)(err))
        }
        _ => Ok(()),
    })
    .await?
}
