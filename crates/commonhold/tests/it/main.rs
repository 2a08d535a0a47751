//! The process-level tests, one binary (one link step): each runs the real `commonhold` binary
//! (see `support`). nextest runs every test in its own process, so a test's servers and
//! temp directories are its own. Filter e.g. `cargo nextest run -p commonhold -E 'test(/^crash::/)'`.

mod support;

mod assess_hub;
mod catalogue;
mod crash;
mod download_memory;
mod fsck;
mod fsck_xet;
mod limits;
mod parallel;
mod s3;
mod timeouts;
mod upload_url;
