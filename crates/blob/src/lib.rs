//! The content-addressed blob store: where the bytes of large files (Git LFS objects) live.
//!
//! Blobs are named by [`BlobKey`]s, typed keys derived from content (`BlobKey::Lfs(sha256)`),
//! never by free-form paths: only the backends turn keys into locations. Every write is
//! verified: the content is hashed while it streams in, and a blob becomes visible under its key
//! only after its sha256 and size match what the client declared. Identical content is stored
//! once. The [`BlobStore`] trait is what callers use; [`LocalBlobStore`] implements it on a
//! local filesystem, [`S3BlobStore`] on an S3-compatible object store (for several server
//! processes sharing one store), with the same guarantees.
//!
//! **Durability (local backend).** A write goes to a temp file under `<root>/tmp/` (same
//! filesystem as the blobs, so the final rename is atomic), is fsynced, renamed to
//! `<root>/lfs/ab/cd/<sha256>`, and the directory is fsynced. A dropped, aborted or mismatched
//! write removes its temp file; a process killed mid-write leaves only a temp file, which no
//! read can see and which [`LocalBlobStore::open`] removes once it is an hour old (younger ones
//! may belong to another live process sharing the directory).
//!
//! **Speed.** Incoming chunks are coalesced into 1 MiB buffers, each handed at once to a
//! hashing thread and a file-writing thread (sha2 uses the CPU's SHA extensions when present),
//! while the next buffer fills, so ingest costs about the slower of hashing and writing rather
//! than their sum (measured on 2 cores: faster than `tee file | openssl dgst -sha256; sync`).
//! Threads come from tokio's blocking pool per buffer, so an idle upload holds none. Reads
//! stream 1 MiB chunks with read-ahead on a blocking thread.
//!
//! **Multipart.** Parts are stored as `<root>/parts/<upload id>/<n>.<etag>`, one file per
//! accepted attempt with a random etag, so parallel and retried parts never clobber each other.
//! Completion takes the parts in ascending order by the etags the client quotes, streams them
//! through the same verified write, and removes the upload. Idle uploads are removed by `open`
//! after a day.
//!
//! **S3 backend.** Objects under `<prefix>/lfs/ab/cd/<sha256>` like the local layout. A write is
//! hashed while it streams; under 8 MiB it stays in memory and is PUT to its final name only
//! after it verifies; larger, it is a multipart upload to `<prefix>/tmp/<random>` (8 MiB parts,
//! two in flight, so about 24 MiB of memory per write whatever the size), completed only after
//! it verifies, copied into place server-side and deleted. Reads stream the HTTP body. Parts are
//! objects `<prefix>/parts/<upload id>/<n>.<etag>`. `put_verified` uses a conditional PUT
//! (`If-None-Match: *`) when the server honours it, probed at open, else check-then-put. Two
//! limits: AWS S3 itself copies at most 5 GiB in one request, so there larger blobs fail to
//! publish (a multipart copy would lift that); and a process killed mid-upload leaves an
//! incomplete multipart upload, which the bucket's `AbortIncompleteMultipartUpload` lifecycle
//! rule removes.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use commonhold_blob::{BlobKey, BlobStore, LocalBlobStore, read_to_vec, sha256_of};
//! let dir = tempfile::tempdir().unwrap();
//! let store = LocalBlobStore::open(dir.path()).await.unwrap();
//! let mut writer = store.writer().await.unwrap();
//! writer.write(b"hello ").await.unwrap();
//! writer.write(b"world").await.unwrap();
//! writer.commit(sha256_of(b"hello world"), 11).await.unwrap();
//! let key = BlobKey::Lfs(sha256_of(b"hello world"));
//! assert_eq!(store.stat(&key).await.unwrap(), Some(11));
//! assert_eq!(read_to_vec(&store, &key, 1024).await.unwrap(), b"hello world");
//! # });
//! ```

mod error;
mod key;
mod local;
mod pipeline;
mod s3;
mod store;

pub use error::BlobError;
pub use key::{BlobKey, ListedKind, PartReceipt, UploadId};
pub use local::{LocalBlobStore, MAX_PART_NUMBER, MAX_PART_SIZE, TEMP_MAX_AGE, UPLOAD_MAX_AGE};
pub use s3::{S3BlobStore, S3Config};
pub use store::{BlobStore, BlobStream, BlobWriter, put_bytes, read_to_vec};

/// The SHA-256 of `bytes`, as the store's key type.
pub fn sha256_of(bytes: &[u8]) -> commonhold_types::Sha256 {
    use sha2::Digest;
    commonhold_types::Sha256(sha2::Sha256::digest(bytes).into())
}
