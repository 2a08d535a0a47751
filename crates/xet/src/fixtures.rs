//! Builders of valid xorbs and shards, for tests of this crate and of the server (which must
//! build their fixtures themselves, offline). They use `xet-core-structures`' own serializers, so
//! what they produce is what hf-xet sends.

use xet_core_structures::merklehash::{MerkleHash, compute_data_hash, file_hash, xorb_hash};
use xet_core_structures::metadata_shard::chunk_verification::range_hash_from_chunks;
use xet_core_structures::metadata_shard::file_structs::{
    FileDataSequenceEntry, FileDataSequenceHeader, FileMetadataExt, FileVerificationEntry,
    MDBFileInfo,
};
use xet_core_structures::metadata_shard::shard_in_memory::MDBInMemoryShard;
use xet_core_structures::metadata_shard::xorb_structs::{
    MDBXorbInfo, XorbChunkSequenceEntry, XorbChunkSequenceHeader,
};
pub use xet_core_structures::xorb_object::CompressionScheme;
use xet_core_structures::xorb_object::serialize_chunk;

use crate::hash::XetHash;

/// A file as a client would upload it: its xorbs and the shard that describes it.
#[derive(Clone, Debug)]
pub struct FileFixture {
    pub file_hash: XetHash,
    pub xorbs: Vec<(XetHash, Vec<u8>)>,
    pub shard: Vec<u8>,
}

/// Cuts `data` into chunks of `chunk_size` bytes, packs `chunks_per_xorb` chunks per xorb with
/// `scheme`, and describes the file (with verification entries and the sha256 extension,
/// `sha256_hex` being the content's ordinary hex sha256) in a shard listing every xorb.
pub fn file_fixture(
    data: &[u8],
    chunk_size: usize,
    chunks_per_xorb: usize,
    scheme: CompressionScheme,
    sha256_hex: &str,
) -> Result<FileFixture, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let chunks: Vec<&[u8]> = data.chunks(chunk_size.max(1)).collect();
    let mut shard = MDBInMemoryShard::default();
    let mut xorbs = Vec::new();
    let mut segments = Vec::new();
    let mut verification = Vec::new();
    let mut all = Vec::new();
    for group in chunks.chunks(chunks_per_xorb.max(1)) {
        let mut body = Vec::new();
        let mut pairs = Vec::new();
        let mut entries = Vec::new();
        let mut unpacked = 0u64;
        for chunk in group {
            let hash = compute_data_hash(chunk);
            entries.push(XorbChunkSequenceEntry::new(
                hash,
                chunk.len() as u32,
                unpacked as u32,
            ));
            serialize_chunk(chunk, &mut body, scheme).map_err(|e| err(&e))?;
            pairs.push((hash, chunk.len() as u64));
            unpacked += chunk.len() as u64;
        }
        let hash = xorb_hash(&pairs);
        let mut header = XorbChunkSequenceHeader::new(hash, entries.len() as u32, unpacked as u32);
        header.num_bytes_on_disk = body.len() as u32;
        shard
            .add_xorb_block(MDBXorbInfo {
                metadata: header,
                chunks: entries,
            })
            .map_err(|e| err(&e))?;
        segments.push(FileDataSequenceEntry::new(
            hash,
            unpacked as u32,
            0,
            group.len() as u32,
        ));
        let hashes: Vec<MerkleHash> = pairs.iter().map(|p| p.0).collect();
        verification.push(FileVerificationEntry::new(range_hash_from_chunks(&hashes)));
        all.extend(pairs);
        xorbs.push((XetHash::from_merkle(&hash), body));
    }
    let fhash = add_file(&mut shard, &all, segments, verification, sha256_hex)?;
    Ok(FileFixture {
        file_hash: XetHash::from_merkle(&fhash),
        xorbs,
        shard: shard.to_bytes().map_err(|e| err(&e))?,
    })
}

/// A shard describing one file made of chunk ranges of xorbs already uploaded (each given with
/// its index, as `validate_xorb` returns it), as a client that deduplicated against them sends
/// it: no CAS section. Returns the file hash and the shard.
pub fn file_shard_over(
    terms: &[(XetHash, &crate::XorbIndex, u32, u32)],
    sha256_hex: &str,
) -> Result<(XetHash, Vec<u8>), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let mut segments = Vec::new();
    let mut verification = Vec::new();
    let mut all = Vec::new();
    for (xorb, index, start, end) in terms {
        let chunks = index
            .chunks
            .get(*start as usize..*end as usize)
            .ok_or_else(|| format!("chunks {start}..{end} are not in xorb {xorb}"))?;
        let pairs: Vec<(MerkleHash, u64)> = chunks
            .iter()
            .map(|c| (c.hash.to_merkle(), u64::from(c.unpacked_len)))
            .collect();
        let unpacked: u64 = pairs.iter().map(|p| p.1).sum();
        segments.push(FileDataSequenceEntry::new(
            xorb.to_merkle(),
            unpacked as u32,
            *start,
            *end,
        ));
        let hashes: Vec<MerkleHash> = pairs.iter().map(|p| p.0).collect();
        verification.push(FileVerificationEntry::new(range_hash_from_chunks(&hashes)));
        all.extend(pairs);
    }
    let mut shard = MDBInMemoryShard::default();
    let fhash = add_file(&mut shard, &all, segments, verification, sha256_hex)?;
    Ok((
        XetHash::from_merkle(&fhash),
        shard.to_bytes().map_err(|e| err(&e))?,
    ))
}

/// Adds the file made of `chunks` (hash, length), described by `segments`, to `shard`, with
/// verification entries and the sha256 extension; returns the file hash.
fn add_file(
    shard: &mut MDBInMemoryShard,
    chunks: &[(MerkleHash, u64)],
    segments: Vec<FileDataSequenceEntry>,
    verification: Vec<FileVerificationEntry>,
    sha256_hex: &str,
) -> Result<MerkleHash, String> {
    let fhash = file_hash(chunks);
    let sha = MerkleHash::from_hex(sha256_hex).map_err(|e| e.to_string())?;
    shard
        .add_file_reconstruction_info(MDBFileInfo {
            metadata: FileDataSequenceHeader::new(fhash, segments.len(), true, true),
            segments,
            verification,
            metadata_ext: Some(FileMetadataExt::new(sha)),
        })
        .map_err(|e| e.to_string())?;
    Ok(fhash)
}
