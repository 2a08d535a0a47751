//! Files as terms over xorbs, and the v1 reconstruction answer for a byte range.
//!
//! A file is a list of [`Term`]s, each a chunk range of one xorb. To serve bytes `a..=b` the
//! server picks the terms that cover them, trims the first and last to the chunks that matter,
//! and tells the client which byte ranges of which xorbs to fetch (the algorithm of xet-core's
//! `compute_reconstruction_ranges`). The same plan drives plain HTTP downloads, which the server
//! rebuilds itself.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::error::XetError;
use crate::hash::XetHash;
use crate::xorb::{XorbIndexes, term_chunks};

/// Bytes one term takes in an encoded [`FileRecord`].
const TERM_BYTES: usize = 44;

/// A run of chunks `chunk_start..chunk_end` of one xorb, unpacking to `unpacked_len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub xorb: XetHash,
    pub chunk_start: u32,
    pub chunk_end: u32,
    pub unpacked_len: u32,
}

/// A verified file: its size and its terms in order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileRecord {
    pub size: u64,
    pub terms: Vec<Term>,
}

impl FileRecord {
    /// Compact binary form for the database: 44 bytes per term.
    pub fn encode_terms(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.terms.len() * TERM_BYTES);
        for t in &self.terms {
            out.extend_from_slice(&t.xorb.0);
            for n in [t.chunk_start, t.chunk_end, t.unpacked_len] {
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        out
    }

    /// Reads [`FileRecord::encode_terms`]'s form back and checks that the sizes add up.
    pub fn decode(size: u64, bytes: &[u8]) -> Result<FileRecord, XetError> {
        if !bytes.len().is_multiple_of(TERM_BYTES) {
            return Err(XetError::Corrupt(format!(
                "file terms of {} bytes",
                bytes.len()
            )));
        }
        let word = |b: &[u8], at: usize| {
            b.get(at..at + 4)
                .and_then(|w| w.try_into().ok())
                .map(u32::from_le_bytes)
                .unwrap_or_default()
        };
        let terms: Vec<Term> = bytes
            .chunks_exact(TERM_BYTES)
            .map(|t| Term {
                xorb: XetHash(
                    t.get(..32)
                        .and_then(|h| h.try_into().ok())
                        .unwrap_or_default(),
                ),
                chunk_start: word(t, 32),
                chunk_end: word(t, 36),
                unpacked_len: word(t, 40),
            })
            .collect();
        let sum: u64 = terms.iter().map(|t| u64::from(t.unpacked_len)).sum();
        if sum != size {
            return Err(XetError::Corrupt(format!(
                "file terms hold {sum} bytes, not {size}"
            )));
        }
        Ok(FileRecord { size, terms })
    }
}

/// A chunk range, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ChunkRange {
    pub start: u32,
    pub end: u32,
}

/// A byte range of a serialized xorb, end inclusive (as the protocol's `url_range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

/// One term of a reconstruction answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedTerm {
    pub hash: XetHash,
    pub unpacked_length: u64,
    pub range: ChunkRange,
}

/// One fetch of a reconstruction answer; `url` is filled by the server (signed, expiring).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FetchEntry {
    pub range: ChunkRange,
    pub url: String,
    pub url_range: ByteRange,
}

/// The v1 reconstruction answer, serialised as the protocol's JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reconstruction {
    pub offset_into_first_range: u64,
    pub terms: Vec<PlannedTerm>,
    pub fetch_info: BTreeMap<String, Vec<FetchEntry>>,
}

/// Plans bytes `start..=end_inclusive` of `file` (the end is clamped to the file's size).
/// `xorbs` holds the index of each xorb the file uses; `url` makes the fetch URL for a
/// xorb and byte range. Starting at or past the end is [`XetError::RangeNotSatisfiable`].
pub fn plan(
    file: &FileRecord,
    start: u64,
    end_inclusive: u64,
    xorbs: &XorbIndexes,
    url: impl Fn(&XetHash, ByteRange) -> String,
) -> Result<Reconstruction, XetError> {
    if start >= file.size {
        return Err(XetError::RangeNotSatisfiable {
            start,
            size: file.size,
        });
    }
    let end = end_inclusive.saturating_add(1).min(file.size);
    let mut terms = Vec::new();
    let mut offset_into_first_range = 0;
    let mut term_start = 0u64;
    for term in &file.terms {
        let term_end = term_start + u64::from(term.unpacked_len);
        if term_end <= start {
            term_start = term_end;
            continue;
        }
        if term_start >= end {
            break;
        }
        let chunks = term_chunks(xorbs, term)?
            .ok_or_else(|| XetError::Corrupt(format!("a term outside xorb {}", term.xorb)))?;
        let (mut first, mut last) = (term.chunk_start, term.chunk_start);
        let mut kept_start = None;
        let mut pos = term_start;
        for (i, c) in (term.chunk_start..).zip(chunks) {
            let c_end = pos + u64::from(c.unpacked_len);
            if c_end > start && pos < end {
                if kept_start.is_none() {
                    kept_start = Some(pos);
                    first = i;
                }
                last = i + 1;
            }
            pos = c_end;
        }
        let Some(kept_start) = kept_start else {
            term_start = term_end;
            continue;
        };
        if terms.is_empty() {
            offset_into_first_range = start.saturating_sub(kept_start);
        }
        let unpacked_length = chunks
            .get((first - term.chunk_start) as usize..(last - term.chunk_start) as usize)
            .map(|kept| kept.iter().map(|c| u64::from(c.unpacked_len)).sum())
            .unwrap_or_default();
        terms.push(PlannedTerm {
            hash: term.xorb,
            unpacked_length,
            range: ChunkRange {
                start: first,
                end: last,
            },
        });
        term_start = term_end;
    }
    let fetch_info = fetches(&terms, xorbs, &url)?;
    Ok(Reconstruction {
        offset_into_first_range,
        terms,
        fetch_info,
    })
}

/// Merges the chunk ranges each xorb needs into as few fetches as possible; every term lies
/// inside one fetch of its xorb.
fn fetches(
    terms: &[PlannedTerm],
    xorbs: &XorbIndexes,
    url: &impl Fn(&XetHash, ByteRange) -> String,
) -> Result<BTreeMap<String, Vec<FetchEntry>>, XetError> {
    let mut by_xorb: BTreeMap<XetHash, Vec<ChunkRange>> = BTreeMap::new();
    for t in terms {
        by_xorb.entry(t.hash).or_default().push(t.range);
    }
    let mut out = BTreeMap::new();
    for (hash, mut ranges) in by_xorb {
        let index = xorbs.get(&hash).ok_or(XetError::MissingXorb(hash))?;
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<ChunkRange> = Vec::new();
        for r in ranges {
            match merged.last_mut() {
                Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let entries = merged
            .into_iter()
            .map(|range| {
                let from = index.start_offset(range.start as usize);
                let to = index.start_offset(range.end as usize);
                match (from, to) {
                    (Some(from), Some(to)) if to > from => {
                        let url_range = ByteRange {
                            start: u64::from(from),
                            end: u64::from(to) - 1,
                        };
                        Ok(FetchEntry {
                            range,
                            url: url(&hash, url_range),
                            url_range,
                        })
                    }
                    _ => Err(XetError::Corrupt(format!("a range outside xorb {hash}"))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(hash.to_string(), entries);
    }
    Ok(out)
}
