//! The blob store's behaviour through the public `BlobStore` interface, each test run against
//! the local filesystem and a real S3-compatible server (see `harness`); `local_store` holds
//! what only the local backend has. One binary for the crate (one link step).

mod harness;

mod concurrency;
mod local_store;
mod multipart;
mod reads;
mod s3_only;
mod writes;
