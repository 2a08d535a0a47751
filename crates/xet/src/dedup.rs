//! Global deduplication: which chunks a client may ask the CAS about, and the shard that answers.
//!
//! A client asks `GET /v1/chunks/{prefix}/{chunk}` for the chunks that are *eligible*: the first
//! chunk of every file (flagged with bit 31 in the shard that uploaded its xorb) and every chunk
//! whose hash, read as the protocol's `w`, is a multiple of 1024. The answer is a shard in the
//! stored format (with lookup tables and footer) whose CAS section describes xorbs the client may
//! reuse. Its chunk hashes are replaced by `blake3_keyed(key, hash)`, with the key in the
//! footer, so the answer confirms only chunks the client already holds and reveals no others.

use std::io::Cursor;
use std::time::Duration;

use xet_core_structures::merklehash::MerkleHash;
use xet_core_structures::metadata_shard::shard_in_memory::MDBInMemoryShard;
use xet_core_structures::metadata_shard::streaming_shard::{
    process_shard_file_info_section, process_shard_xorb_info_section,
};
use xet_core_structures::metadata_shard::xorb_structs::{
    MDB_CHUNK_WITH_GLOBAL_DEDUP_FLAG, MDBXorbInfo, XorbChunkSequenceEntry, XorbChunkSequenceHeader,
};
use xet_core_structures::metadata_shard::{
    MDBShardFileHeader, MDBShardInfo, hash_is_global_dedup_eligible,
};

use crate::error::XetError;
use crate::hash::XetHash;
use crate::reconstruct::Term;
use crate::xorb::{XorbIndex, XorbIndexes};

/// Whether a chunk hash is eligible for global dedup by its value alone.
pub fn hash_eligible(chunk: &XetHash) -> bool {
    hash_is_global_dedup_eligible(&chunk.to_merkle())
}

/// The chunks of a xorb that are eligible by their hash, as (chunk, xorb) pairs.
pub fn eligible_by_hash(xorb: XetHash, index: &XorbIndex) -> Vec<(XetHash, XetHash)> {
    index
        .chunks
        .iter()
        .filter(|c| hash_eligible(&c.hash))
        .map(|c| (c.hash, xorb))
        .collect()
}

/// The first chunk of a file (given by its terms) as (chunk, xorb), if its first term lies
/// inside a known xorb.
pub fn first_chunk(terms: &[Term], xorbs: &XorbIndexes) -> Option<(XetHash, XetHash)> {
    let term = terms.first()?;
    let chunk = xorbs
        .get(&term.xorb)?
        .chunks
        .get(term.chunk_start as usize)?;
    Some((chunk.hash, term.xorb))
}

/// The chunks an upload shard's CAS section flags for global dedup, as (chunk, xorb) pairs.
/// The shard must already have been parsed and accepted (`parse_shard`).
pub fn flagged_chunks(shard: &[u8]) -> Result<Vec<(XetHash, XetHash)>, XetError> {
    let bad = |e: &dyn std::fmt::Display| XetError::MalformedShard(e.to_string());
    let mut reader = Cursor::new(shard);
    MDBShardFileHeader::deserialize(&mut reader).map_err(|e| bad(&e))?;
    // Skip the file section, then read the xorbs.
    let budget = process_shard_file_info_section(&mut reader, |_| Ok(()), Some(shard.len() as u64))
        .map_err(|e| bad(&e))?;
    let mut out = Vec::new();
    process_shard_xorb_info_section(
        &mut reader,
        |view| {
            let xorb = XetHash::from_merkle(&view.xorb_hash());
            for i in 0..view.num_entries() {
                let chunk = view.chunk(i);
                if chunk.flags & MDB_CHUNK_WITH_GLOBAL_DEDUP_FLAG != 0 {
                    out.push((XetHash::from_merkle(&chunk.chunk_hash), xorb));
                }
            }
            Ok(())
        },
        budget,
    )
    .map_err(|e| bad(&e))?;
    Ok(out)
}

/// One xorb to describe in a dedup answer: its hash, index and serialized size.
pub struct AnswerXorb<'a> {
    pub hash: XetHash,
    pub index: &'a XorbIndex,
    pub serialized_size: u64,
}

/// The dedup answer describing `xorbs`: a shard with an empty file section, the xorbs' chunks
/// keyed with `key`, the xorb and chunk lookup tables, and a footer whose key expires after
/// `valid_for` (the client drops the shard from its cache then).
pub fn answer_shard(
    xorbs: &[AnswerXorb<'_>],
    key: [u8; 32],
    valid_for: Duration,
) -> Result<Vec<u8>, XetError> {
    let corrupt = |e: &dyn std::fmt::Display| XetError::Corrupt(format!("dedup shard: {e}"));
    let mut shard = MDBInMemoryShard::default();
    for x in xorbs {
        let mut offset = 0u32;
        let entries: Vec<XorbChunkSequenceEntry> = x
            .index
            .chunks
            .iter()
            .map(|c| {
                let e = XorbChunkSequenceEntry::new(c.hash.to_merkle(), c.unpacked_len, offset);
                offset = offset.saturating_add(c.unpacked_len);
                e
            })
            .collect();
        let mut header = XorbChunkSequenceHeader::new(x.hash.to_merkle(), entries.len(), offset);
        header.num_bytes_on_disk = u32::try_from(x.serialized_size).unwrap_or(u32::MAX);
        shard
            .add_xorb_block(MDBXorbInfo {
                metadata: header,
                chunks: entries,
            })
            .map_err(|e| corrupt(&e))?;
    }
    let plain = shard.to_bytes().map_err(|e| corrupt(&e))?;
    let mut out = Vec::with_capacity(plain.len());
    MDBShardInfo::export_as_keyed_shard_streaming(
        &mut Cursor::new(plain),
        &mut out,
        MerkleHash::from_slice(&key).unwrap_or_default(),
        valid_for,
        false,
        true,
        true,
    )
    .map_err(|e| corrupt(&e))?;
    Ok(out)
}

/// Reads a dedup answer as a client does: the xorb and chunk range (end exclusive) that hold
/// `chunks` from the first on (as many in a row as match), or None if the first is not in it.
pub fn lookup_in_answer(
    answer: &[u8],
    chunks: &[XetHash],
) -> Result<Option<(XetHash, u32, u32)>, XetError> {
    let bad = |e: &dyn std::fmt::Display| XetError::MalformedShard(e.to_string());
    let mut reader = Cursor::new(answer);
    let info = MDBShardInfo::load_from_reader(&mut reader).map_err(|e| bad(&e))?;
    let hashes: Vec<MerkleHash> = chunks.iter().map(|c| c.to_merkle()).collect();
    Ok(info
        .chunk_hash_dedup_query(&mut reader, &hashes)
        .map_err(|e| bad(&e))?
        .map(|(_, e)| {
            (
                XetHash::from_merkle(&e.xorb_hash),
                e.chunk_index_start,
                e.chunk_index_end,
            )
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{CompressionScheme, file_fixture};
    use crate::{parse_shard, validate_xorb, verify_file};

    fn data(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| (i * 31 % 253) as u8 ^ (i >> 12) as u8)
            .collect()
    }

    #[test]
    fn an_answer_matches_only_chunks_the_client_holds() {
        let content = data(200_000);
        let f = file_fixture(
            &content,
            16 * 1024,
            4,
            CompressionScheme::None,
            &"ab".repeat(32),
        )
        .unwrap();
        let mut indexes = XorbIndexes::new();
        for (hash, body) in &f.xorbs {
            indexes.insert(*hash, validate_xorb(*hash, body).unwrap());
        }
        let described: Vec<AnswerXorb<'_>> = f
            .xorbs
            .iter()
            .map(|(hash, body)| AnswerXorb {
                hash: *hash,
                index: &indexes[hash],
                serialized_size: body.len() as u64,
            })
            .collect();
        let answer = answer_shard(&described, [7; 32], Duration::from_secs(3600)).unwrap();

        // Read it the way hf-xet does: the footer's key turns our chunk hash into the lookup key.
        let mut reader = Cursor::new(&answer);
        let info = MDBShardInfo::load_from_reader(&mut reader).unwrap();
        assert!(info.chunk_hashes_protected());
        assert_eq!(info.num_xorb_entries(), f.xorbs.len());
        assert!(info.metadata.shard_key_expiry > info.metadata.shard_creation_timestamp);
        let (second, _) = &f.xorbs[1];
        let chunks: Vec<MerkleHash> = indexes[second]
            .chunks
            .iter()
            .map(|c| c.hash.to_merkle())
            .collect();
        let held: Vec<XetHash> = indexes[second].chunks.iter().map(|c| c.hash).collect();
        assert_eq!(
            lookup_in_answer(&answer, &held).unwrap(),
            Some((*second, 0, 4))
        );
        // No chunk hash appears in clear, and an unknown chunk finds nothing.
        let raw = chunks[0].as_bytes().to_vec();
        assert!(!answer.windows(32).any(|w| w == raw.as_slice()));
        let unknown = MerkleHash::from_slice(&[3; 32]).unwrap();
        assert!(
            info.chunk_hash_dedup_query(&mut reader, &[unknown])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn eligible_chunks_are_first_chunks_flagged_ones_and_hash_multiples() {
        let content = data(100_000);
        let f = file_fixture(
            &content,
            10_000,
            3,
            CompressionScheme::LZ4,
            &"cd".repeat(32),
        )
        .unwrap();
        let mut indexes = XorbIndexes::new();
        for (hash, body) in &f.xorbs {
            indexes.insert(*hash, validate_xorb(*hash, body).unwrap());
        }
        let shard = parse_shard(&f.shard).unwrap();
        let record = verify_file(&shard.files[0], &indexes).unwrap();
        let (first_xorb, _) = &f.xorbs[0];
        assert_eq!(
            first_chunk(&record.terms, &indexes),
            Some((indexes[first_xorb].chunks[0].hash, *first_xorb))
        );
        // The fixture flags nothing; the hash rule holds for about 1 chunk in 1024.
        assert!(flagged_chunks(&f.shard).unwrap().is_empty());
        for (hash, index) in &indexes {
            for (chunk, xorb) in eligible_by_hash(*hash, index) {
                assert_eq!(xorb, *hash);
                assert!(hash_eligible(&chunk));
            }
        }
        let mut w = [0u8; 32];
        w[24] = 1;
        assert!(!hash_eligible(&XetHash(w)));
        assert!(hash_eligible(&XetHash([0; 32])));
        assert!(flagged_chunks(b"not a shard").is_err());
    }
}
