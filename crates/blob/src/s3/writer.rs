//! The S3 store's verified write.
//!
//! Content is hashed while it streams (see [`super::sink`]). A blob smaller than one part stays
//! in memory and, once its sha256 and size match, is PUT straight to its final name. A larger
//! one is sent as a multipart upload to a temporary name; only after it verifies is the upload
//! completed, copied to its final name server-side, and the temporary object deleted. A blob
//! that does not verify is never completed (the upload is aborted), so nothing of it is ever
//! visible. S3 writes are atomic, and identical content has one name, so concurrent writers of
//! the same blob at worst store the same bytes twice.

use std::sync::Arc;

use async_trait::async_trait;
use commonhold_types::Sha256;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use super::layout::Layout;
use super::sink::{Finished, ObjectSink};
use super::{delete_quietly, exists, store_err};
use crate::error::BlobError;
use crate::key::BlobKey;
use crate::store::BlobWriter;

pub(crate) struct S3Writer {
    store: Arc<dyn ObjectStore>,
    layout: Arc<Layout>,
    sink: ObjectSink,
}

impl S3Writer {
    pub(crate) fn new(store: Arc<dyn ObjectStore>, layout: Arc<Layout>) -> S3Writer {
        let sink = ObjectSink::new(store.clone(), layout.temp(), true);
        S3Writer {
            store,
            layout,
            sink,
        }
    }
}

#[async_trait]
impl BlobWriter for S3Writer {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        self.sink.write(chunk).await
    }

    fn written(&self) -> u64 {
        self.sink.len()
    }

    async fn commit(self: Box<Self>, expected: Sha256, size: u64) -> Result<(), BlobError> {
        let S3Writer {
            store,
            layout,
            sink,
        } = *self;
        let (len, digest, finished) = sink.finish().await?;
        // Dropping `finished` on any early return aborts a multipart upload: nothing is stored.
        if len != size {
            return Err(BlobError::SizeMismatch {
                expected: size,
                actual: len,
            });
        }
        let actual = digest.ok_or_else(|| BlobError::Task("the write was not hashed".into()))?;
        if actual != expected {
            return Err(BlobError::DigestMismatch { expected, actual });
        }
        let dest = layout.blob(&BlobKey::Lfs(expected));
        if exists(store.as_ref(), &dest).await? {
            return Ok(()); // Dedup: identical content is already stored.
        }
        match finished {
            Finished::Small(bytes) => store
                .put(&dest, PutPayload::from(bytes))
                .await
                .map(drop)
                .map_err(store_err("store", &dest)),
            Finished::Large(pending) => {
                let temp = pending.path().clone();
                pending.complete().await?;
                // A server-side copy: the bytes do not pass through this process again.
                let copied = store
                    .copy(&temp, &dest)
                    .await
                    .map_err(store_err("copy into place", &dest));
                delete_quietly(store.as_ref(), &temp).await;
                copied
            }
        }
    }

    async fn abort(self: Box<Self>) {
        // Dropping the sink aborts its multipart upload, if it started one.
        drop(self);
    }
}
