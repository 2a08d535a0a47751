//! Xorbs: validating an upload and reading chunks back out of a stored one.
//!
//! A xorb as hf-xet uploads it is a run of chunks, each an 8-byte header (version, compressed
//! length, scheme, uncompressed length) and its compressed bytes, with no footer. Validation
//! decompresses and hashes every chunk and recomputes the xorb hash, so a stored xorb is known to
//! hold exactly the chunks its name promises. The facts needed later (chunk hashes, where each
//! chunk ends in the serialized xorb, and its unpacked length) are returned as a [`XorbIndex`],
//! which the hub keeps in its database instead of HF's footer.

use std::io::Read;

use lz4_flex::frame::FrameDecoder;
use xet_core_structures::merklehash::{compute_data_hash, xorb_hash};
use xet_core_structures::xorb_object::byte_grouping::bg4::bg4_regroup;
use xet_core_structures::xorb_object::{
    CompressionScheme, XORB_CHUNK_HEADER_LENGTH, parse_chunk_header,
};

use crate::error::XetError;
use crate::hash::XetHash;

/// Largest serialized xorb accepted: 64 MiB of chunk data plus one header per chunk, and room
/// for a footer some clients may append.
pub const MAX_XORB_BYTES: usize =
    64 * 1024 * 1024 + MAX_XORB_CHUNKS * XORB_CHUNK_HEADER_LENGTH + 1024 * 1024;
/// Most chunks a xorb may hold.
pub const MAX_XORB_CHUNKS: usize = 8192;
/// Largest unpacked chunk.
pub const MAX_CHUNK_BYTES: u32 = 128 * 1024;
/// Most unpacked bytes a xorb may hold.
pub const MAX_XORB_UNPACKED: u64 = 64 * 1024 * 1024;

/// The start of HF's xorb footer; chunk parsing stops there.
const FOOTER_IDENT: &[u8; 7] = b"XETBLOB";
/// Bytes one chunk takes in an encoded [`XorbIndex`].
const INDEX_ENTRY: usize = 40;

/// The indexes of the xorbs a file or a plan needs, by hash.
pub type XorbIndexes = std::collections::HashMap<XetHash, XorbIndex>;

/// The chunks a term names: its xorb must be in `xorbs` ([`XetError::MissingXorb`]
/// otherwise); None if the chunk range is empty or outside the xorb.
pub(crate) fn term_chunks<'a>(
    xorbs: &'a XorbIndexes,
    term: &crate::reconstruct::Term,
) -> Result<Option<&'a [ChunkInfo]>, XetError> {
    let index = xorbs
        .get(&term.xorb)
        .ok_or(XetError::MissingXorb(term.xorb))?;
    Ok(index
        .chunks
        .get(term.chunk_start as usize..term.chunk_end as usize)
        .filter(|c| !c.is_empty()))
}

/// One chunk of a stored xorb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkInfo {
    pub hash: XetHash,
    /// Offset just past this chunk in the serialized xorb (its header included).
    pub end_offset: u32,
    pub unpacked_len: u32,
}

/// What a validated xorb holds, in order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct XorbIndex {
    pub chunks: Vec<ChunkInfo>,
}

impl XorbIndex {
    /// Offset in the serialized xorb where chunk `i` starts (its header).
    pub fn start_offset(&self, i: usize) -> Option<u32> {
        match i {
            0 => Some(0),
            _ => self.chunks.get(i - 1).map(|c| c.end_offset),
        }
    }

    /// Unpacked bytes of chunks `start..end`, or None if the range is not inside the xorb.
    pub fn unpacked_len(&self, start: u32, end: u32) -> Option<u64> {
        let chunks = self.chunks.get(start as usize..end as usize)?;
        Some(chunks.iter().map(|c| u64::from(c.unpacked_len)).sum())
    }

    /// Compact binary form for the database: 40 bytes per chunk.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.chunks.len() * INDEX_ENTRY);
        for c in &self.chunks {
            out.extend_from_slice(&c.hash.0);
            out.extend_from_slice(&c.end_offset.to_le_bytes());
            out.extend_from_slice(&c.unpacked_len.to_le_bytes());
        }
        out
    }

    /// Reads [`XorbIndex::encode`]'s form back; anything else is damage.
    pub fn decode(bytes: &[u8]) -> Result<XorbIndex, XetError> {
        if !bytes.len().is_multiple_of(INDEX_ENTRY) {
            return Err(XetError::Corrupt(format!(
                "a xorb index of {} bytes",
                bytes.len()
            )));
        }
        let chunks = bytes
            .chunks_exact(INDEX_ENTRY)
            .map(|e| {
                let (hash, rest) = e.split_at(32);
                let (end, len) = rest.split_at(4);
                ChunkInfo {
                    hash: XetHash(hash.try_into().unwrap_or_default()),
                    end_offset: u32::from_le_bytes(end.try_into().unwrap_or_default()),
                    unpacked_len: u32::from_le_bytes(len.try_into().unwrap_or_default()),
                }
            })
            .collect();
        Ok(XorbIndex { chunks })
    }
}

/// Checks an uploaded xorb against the hash in its URL: every chunk header is sound, every chunk
/// decompresses to its declared length, the limits hold, and the xorb hash recomputes.
pub fn validate_xorb(expected: XetHash, body: &[u8]) -> Result<XorbIndex, XetError> {
    if body.len() > MAX_XORB_BYTES {
        return Err(malformed(format!(
            "{} bytes is larger than the limit of {MAX_XORB_BYTES}",
            body.len()
        )));
    }
    let mut chunks = Vec::new();
    let mut pairs = Vec::new();
    let mut unpacked_total = 0u64;
    let mut offset = 0usize;
    let mut buf = Vec::with_capacity(MAX_CHUNK_BYTES as usize);
    while offset < body.len() {
        if body
            .get(offset..)
            .is_some_and(|rest| rest.starts_with(FOOTER_IDENT))
        {
            break;
        }
        if chunks.len() == MAX_XORB_CHUNKS {
            return Err(malformed(format!("more than {MAX_XORB_CHUNKS} chunks")));
        }
        let end = decode_chunk_at(body, offset, &mut buf)?;
        let hash = XetHash::from_merkle(&compute_data_hash(&buf));
        let unpacked_len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        unpacked_total += u64::from(unpacked_len);
        if unpacked_total > MAX_XORB_UNPACKED {
            return Err(malformed(format!(
                "more than {MAX_XORB_UNPACKED} unpacked bytes"
            )));
        }
        chunks.push(ChunkInfo {
            hash,
            end_offset: u32::try_from(end).map_err(|_| malformed("too large".into()))?,
            unpacked_len,
        });
        pairs.push((hash.to_merkle(), u64::from(unpacked_len)));
        offset = end;
    }
    if chunks.is_empty() {
        return Err(malformed("it holds no chunks".into()));
    }
    let actual = XetHash::from_merkle(&xorb_hash(&pairs));
    if actual != expected {
        return Err(XetError::XorbHashMismatch { expected, actual });
    }
    Ok(XorbIndex { chunks })
}

/// Decompresses chunks `start..end` of a stored xorb (`bytes` is the serialized xorb from the
/// start of chunk `start`), appending their content to `out`.
pub fn decode_chunks(
    index: &XorbIndex,
    bytes: &[u8],
    start: u32,
    end: u32,
    out: &mut Vec<u8>,
) -> Result<(), XetError> {
    let base = index
        .start_offset(start as usize)
        .ok_or_else(|| XetError::Corrupt(format!("chunk {start} is not in the xorb")))?;
    let mut buf = Vec::with_capacity(MAX_CHUNK_BYTES as usize);
    for i in start..end {
        let chunk = index
            .chunks
            .get(i as usize)
            .ok_or_else(|| XetError::Corrupt(format!("chunk {i} is not in the xorb")))?;
        let from = index
            .start_offset(i as usize)
            .unwrap_or_default()
            .saturating_sub(base);
        decode_chunk_at(bytes, from as usize, &mut buf)
            .map_err(|e| XetError::Corrupt(e.to_string()))?;
        if buf.len() != chunk.unpacked_len as usize {
            return Err(XetError::Corrupt(format!(
                "chunk {i} unpacks to the wrong length"
            )));
        }
        out.extend_from_slice(&buf);
    }
    Ok(())
}

/// Decodes the chunk whose header starts at `offset` into `buf` (replacing its content) and
/// returns the offset just past the chunk. Output is bounded by the header's declared length
/// (see [`decompress_bounded`]), so a lying compressed stream cannot make it grow.
fn decode_chunk_at(body: &[u8], offset: usize, buf: &mut Vec<u8>) -> Result<usize, XetError> {
    let header_end = offset + XORB_CHUNK_HEADER_LENGTH;
    let header: [u8; XORB_CHUNK_HEADER_LENGTH] = body
        .get(offset..header_end)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| malformed(format!("a chunk header at byte {offset} is cut short")))?;
    let header = parse_chunk_header(header)
        .map_err(|e| malformed(format!("chunk at byte {offset}: {e}")))?;
    let declared = header.get_uncompressed_length();
    if declared > MAX_CHUNK_BYTES {
        return Err(malformed(format!(
            "a chunk of {declared} bytes at byte {offset}"
        )));
    }
    let end = header_end + header.get_compressed_length() as usize;
    let data = body
        .get(header_end..end)
        .ok_or_else(|| malformed(format!("the chunk at byte {offset} is cut short")))?;
    let scheme = header
        .get_compression_scheme()
        .map_err(|e| malformed(format!("chunk at byte {offset}: {e}")))?;
    buf.clear();
    decompress_bounded(scheme, data, declared as usize, buf)
        .map_err(|e| malformed(format!("chunk at byte {offset} does not decompress: {e}")))?;
    if buf.len() != declared as usize {
        return Err(malformed(format!(
            "chunk at byte {offset} unpacks to {} bytes, not the {declared} its header says",
            buf.len()
        )));
    }
    Ok(end)
}

/// Decompresses `data` into `out`, never producing (or buffering) more than `declared` bytes
/// plus one, which is how a chunk that unpacks to more than its header says is caught. The
/// library's own BG4 path inflates the whole stream into a buffer first, so a small chunk
/// declaring 128 KiB could grow by megabytes before any check: the LZ4 frame is read here
/// through a bound instead, and only then regrouped.
fn decompress_bounded(
    scheme: CompressionScheme,
    data: &[u8],
    declared: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let bound = declared as u64 + 1;
    let inflate = |into: &mut Vec<u8>| {
        FrameDecoder::new(data)
            .take(bound)
            .read_to_end(into)
            .map_err(|e| e.to_string())
    };
    match scheme {
        CompressionScheme::None => out.extend_from_slice(&data[..data.len().min(declared + 1)]),
        CompressionScheme::LZ4 => {
            inflate(out)?;
        }
        CompressionScheme::ByteGrouping4LZ4 => {
            let mut grouped = Vec::with_capacity(declared);
            inflate(&mut grouped)?;
            if grouped.len() > declared {
                return Err("it unpacks to more than its declared length".into());
            }
            out.extend_from_slice(&bg4_regroup(&grouped));
        }
        CompressionScheme::Auto => return Err("no compression scheme is named".into()),
    }
    if out.len() > declared {
        return Err("it unpacks to more than its declared length".into());
    }
    Ok(())
}

fn malformed(reason: String) -> XetError {
    XetError::MalformedXorb(reason)
}
