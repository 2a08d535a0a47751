//! The Xet storage protocol's data side for commonhold: validating uploaded xorbs and shards, and
//! planning reconstructions of files from xorbs.
//!
//! Xet clients (`hf_xet`, used by `huggingface_hub` 2.x for every large upload) cut files into
//! content-defined chunks, pack new chunks into *xorbs* (up to 64 MiB, addressed by a Merkle hash
//! of their chunks), and describe each file in a *shard* as a list of *terms* (chunk ranges of
//! xorbs). This crate is pure: it checks bytes and computes plans; storing them is the hub's job.
//! Formats and hashes come from `xet-core-structures` (Apache-2.0, by the protocol's authors),
//! so nothing here re-derives them by hand; what it adds is the bounds a server needs against
//! untrusted input (sizes, counts, bounded decompression) and no panics.
//!
//! - [`validate_xorb`]: decompress and hash every chunk, recompute the xorb hash, and return the
//!   [`XorbIndex`] (chunk hashes, offsets, lengths) to keep instead of a footer.
//! - [`parse_shard`] and [`verify_file`]: read an upload shard and check each file against the
//!   stored xorbs (they exist, ranges in bounds, sizes add up, range hashes and file hash
//!   recompute), giving the [`FileRecord`] to store with the sha256 the client asserted.
//! - [`plan`]: the v1 reconstruction answer for a byte range.
//! - [`dedup`]: which chunks are eligible for global dedup, and the keyed shard that answers.

pub mod dedup;
mod error;
pub mod fixtures;
mod hash;
mod reconstruct;
mod shard;
mod xorb;

pub use error::XetError;
pub use hash::XetHash;
pub use reconstruct::{
    ByteRange, ChunkRange, FetchEntry, FileRecord, PlannedTerm, Reconstruction, Term, plan,
};
pub use shard::{MAX_SHARD_BYTES, ShardFile, UploadShard, parse_shard, verify_file};
pub use xorb::{
    ChunkInfo, MAX_CHUNK_BYTES, MAX_XORB_BYTES, XorbIndex, XorbIndexes, decode_chunks,
    validate_xorb,
};
