//! Shards as uploaded: parsing, and checking each file they describe against stored xorbs.
//!
//! An upload shard has a header, a file section (per file: its hash, its terms, one range hash
//! per term and the metadata extension carrying the sha256) and a CAS section describing the
//! new xorbs. Parsing uses `xet-core-structures` with the body's length as the read budget, so a
//! lying count cannot make it allocate more than was sent.

use std::io::Cursor;

use xet_core_structures::merklehash::{MerkleHash, file_hash};
use xet_core_structures::metadata_shard::MDBShardFileHeader;
use xet_core_structures::metadata_shard::chunk_verification::range_hash_from_chunks;
use xet_core_structures::metadata_shard::file_structs::MDBFileInfoView;
use xet_core_structures::metadata_shard::streaming_shard::{
    process_shard_file_info_section, process_shard_xorb_info_section,
};

use crate::error::XetError;
use crate::hash::XetHash;
use crate::reconstruct::{FileRecord, Term};
use crate::xorb::{XorbIndexes, term_chunks};

/// Largest shard body accepted.
pub const MAX_SHARD_BYTES: usize = 64 * 1024 * 1024;

/// One file described by a shard, before it is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardFile {
    pub file_hash: XetHash,
    /// The sha256 the client asserts, as ordinary lowercase hex (None if the shard has none).
    pub sha256_hex: Option<String>,
    pub terms: Vec<Term>,
    /// One range hash per term, when the shard carries verification entries.
    pub range_hashes: Option<Vec<XetHash>>,
}

/// What an upload shard holds.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UploadShard {
    pub files: Vec<ShardFile>,
    /// Xorbs the CAS section describes (they must all have been uploaded).
    pub xorbs: Vec<XetHash>,
}

impl UploadShard {
    /// Every xorb the shard depends on, each once, in first-seen order.
    pub fn referenced_xorbs(&self) -> Vec<XetHash> {
        let mut seen = std::collections::BTreeSet::new();
        self.files
            .iter()
            .flat_map(|f| f.terms.iter().map(|t| t.xorb))
            .chain(self.xorbs.iter().copied())
            .filter(|h| seen.insert(*h))
            .collect()
    }
}

/// Parses an uploaded shard.
pub fn parse_shard(body: &[u8]) -> Result<UploadShard, XetError> {
    if body.len() > MAX_SHARD_BYTES {
        return Err(bad(format!(
            "{} bytes is over the limit of {MAX_SHARD_BYTES}",
            body.len()
        )));
    }
    let mut reader = Cursor::new(body);
    MDBShardFileHeader::deserialize(&mut reader).map_err(|e| bad(format!("header: {e}")))?;
    let budget = Some(body.len() as u64);
    let mut files = Vec::new();
    let budget = process_shard_file_info_section(
        &mut reader,
        |view| {
            files.push(view);
            Ok(())
        },
        budget,
    )
    .map_err(|e| bad(format!("file section: {e}")))?;
    let mut xorbs = Vec::new();
    process_shard_xorb_info_section(
        &mut reader,
        |view| {
            xorbs.push(XetHash::from_merkle(&view.xorb_hash()));
            Ok(())
        },
        budget,
    )
    .map_err(|e| bad(format!("CAS section: {e}")))?;
    Ok(UploadShard {
        files: files.iter().map(file_from_view).collect(),
        xorbs,
    })
}

fn file_from_view(view: &MDBFileInfoView) -> ShardFile {
    // The view checked at construction that its data holds every entry it announces.
    let terms = (0..view.num_entries())
        .map(|i| {
            let e = view.entry(i);
            Term {
                xorb: XetHash::from_merkle(&e.xorb_hash),
                chunk_start: e.chunk_index_start,
                chunk_end: e.chunk_index_end,
                unpacked_len: e.unpacked_segment_bytes,
            }
        })
        .collect();
    let range_hashes = view.contains_verification().then(|| {
        (0..view.num_entries())
            .map(|i| XetHash::from_merkle(&view.verification(i).range_hash))
            .collect()
    });
    ShardFile {
        file_hash: XetHash::from_merkle(&view.file_hash()),
        sha256_hex: view.metadata_ext().map(|ext| ext.sha256.hex()),
        terms,
        range_hashes,
    }
}

/// Checks one file against the stored xorbs (`xorbs` holds the index of every xorb it may use):
/// every xorb exists, every term's chunk range is inside its xorb and unpacks to the length the
/// term states, every range hash matches, and the file hash recomputes from the chunks. Returns
/// the record to store.
pub fn verify_file(file: &ShardFile, xorbs: &XorbIndexes) -> Result<FileRecord, XetError> {
    let invalid = |reason: String| XetError::InvalidFile {
        file: file.file_hash,
        reason,
    };
    let mut all_chunks: Vec<(MerkleHash, u64)> = Vec::new();
    let mut size = 0u64;
    for (i, term) in file.terms.iter().enumerate() {
        let chunks = term_chunks(xorbs, term)?.ok_or_else(|| {
            invalid(format!(
                "term {i} names chunks {}..{} of xorb {}, which are not all in it",
                term.chunk_start, term.chunk_end, term.xorb
            ))
        })?;
        let unpacked: u64 = chunks.iter().map(|c| u64::from(c.unpacked_len)).sum();
        if unpacked != u64::from(term.unpacked_len) {
            return Err(invalid(format!(
                "term {i} says {} bytes, but its chunks hold {unpacked}",
                term.unpacked_len
            )));
        }
        if let Some(expected) = file.range_hashes.as_ref().and_then(|r| r.get(i)) {
            let hashes: Vec<MerkleHash> = chunks.iter().map(|c| c.hash.to_merkle()).collect();
            if XetHash::from_merkle(&range_hash_from_chunks(&hashes)) != *expected {
                return Err(invalid(format!(
                    "the verification hash of term {i} does not match"
                )));
            }
        }
        size += unpacked;
        all_chunks.extend(
            chunks
                .iter()
                .map(|c| (c.hash.to_merkle(), u64::from(c.unpacked_len))),
        );
    }
    if let Some(r) = &file.range_hashes
        && r.len() != file.terms.len()
    {
        return Err(invalid(
            "it has a different number of range hashes than terms".into(),
        ));
    }
    let actual = XetHash::from_merkle(&file_hash(&all_chunks));
    if actual != file.file_hash {
        return Err(invalid(format!("its chunks hash to {actual}")));
    }
    Ok(FileRecord {
        size,
        terms: file.terms.clone(),
    })
}

fn bad(reason: String) -> XetError {
    XetError::MalformedShard(reason)
}
