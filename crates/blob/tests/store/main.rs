//! The blob store's behaviour through the public `BlobStore` interface, each test run against
//! the local filesystem and a real S3-compatible server (see `harness`).

mod harness;

mod concurrency;
mod multipart;
mod reads;
mod s3_only;
mod writes;
