//! Multipart uploads on S3: each accepted part attempt is an object of its own under
//! `parts/<upload id>/<n>.<etag>`; completion streams the listed parts, in order, through the
//! ordinary verified write, so the assembled blob is hashed like any other.

use std::sync::Arc;

use commonhold_types::Sha256;
use futures::{StreamExt, TryStreamExt};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use super::layout::Layout;
use super::sink::{Finished, ObjectSink};
use super::store_err;
use super::writer::S3Writer;
use crate::error::BlobError;
use crate::key::{PartReceipt, UploadId, check_part_list, new_etag};
use crate::store::{BlobStream, BlobWriter};
use crate::{MAX_PART_NUMBER, MAX_PART_SIZE};

/// Streams `body` to a fresh part object. The object is written under its final name at once:
/// it becomes visible only when complete (S3 writes are atomic), and its etag is new, so no
/// other attempt shares the name.
pub(crate) async fn put_part(
    store: &Arc<dyn ObjectStore>,
    layout: &Layout,
    upload: &UploadId,
    part: u32,
    mut body: BlobStream,
) -> Result<PartReceipt, BlobError> {
    if !(1..=MAX_PART_NUMBER).contains(&part) {
        return Err(BlobError::InvalidPartNumber(part));
    }
    let etag = new_etag();
    let path = layout.part(upload, part, &etag);
    let mut sink = ObjectSink::new(store.clone(), path.clone(), false);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(BlobError::Body)?;
        if sink.len() + chunk.len() as u64 > MAX_PART_SIZE {
            return Err(BlobError::PartTooLarge {
                part,
                limit: MAX_PART_SIZE,
            });
        }
        sink.write(&chunk).await?;
    }
    let (size, _, finished) = sink.finish().await?;
    match finished {
        Finished::Small(bytes) => {
            store
                .put(&path, PutPayload::from(bytes))
                .await
                .map_err(store_err("store", &path))?;
        }
        Finished::Large(pending) => pending.complete().await?,
    }
    Ok(PartReceipt { etag, size })
}

/// Checks the part list and that every part exists, then feeds the parts in order through a
/// verified write, and removes the upload once the blob is stored.
pub(crate) async fn complete_parts(
    store: &Arc<dyn ObjectStore>,
    layout: &Arc<Layout>,
    upload: &UploadId,
    parts: &[(u32, String)],
    expected: Sha256,
    size: u64,
) -> Result<(), BlobError> {
    check_part_list(parts)?;
    let paths: Vec<_> = parts
        .iter()
        .map(|(part, etag)| (*part, etag, layout.part(upload, *part, etag)))
        .collect();
    let mut total = 0u64;
    for (part, etag, path) in &paths {
        match store.head(path).await {
            Ok(meta) => total += meta.size,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(BlobError::PartMissing {
                    part: *part,
                    etag: (*etag).clone(),
                });
            }
            Err(err) => return Err(store_err("look up part", path)(err)),
        }
    }
    if total != size {
        return Err(BlobError::SizeMismatch {
            expected: size,
            actual: total,
        });
    }
    let mut writer = Box::new(S3Writer::new(store.clone(), layout.clone()));
    for (part, etag, path) in &paths {
        let mut stream = match store.get(path).await {
            Ok(got) => got.into_stream(),
            Err(object_store::Error::NotFound { .. }) => {
                // Aborted while we were assembling.
                return Err(BlobError::PartMissing {
                    part: *part,
                    etag: (*etag).clone(),
                });
            }
            Err(err) => return Err(store_err("read part", path)(err)),
        };
        while let Some(chunk) = stream.next().await {
            writer
                .write(&chunk.map_err(store_err("read part", path))?)
                .await?;
        }
    }
    writer.commit(expected, size).await?;
    abort_parts(store, layout, upload).await
}

/// Deletes every part object of an upload; an unknown upload is already aborted.
pub(crate) async fn abort_parts(
    store: &Arc<dyn ObjectStore>,
    layout: &Layout,
    upload: &UploadId,
) -> Result<(), BlobError> {
    let dir = layout.upload_dir(upload);
    let locations = store.list(Some(&dir)).map_ok(|meta| meta.location).boxed();
    store
        .delete_stream(locations)
        .try_collect::<Vec<_>>()
        .await
        .map_err(store_err("delete the parts under", &dir))?;
    Ok(())
}
