//! Global deduplication on the CAS: indexing eligible chunks when a shard is accepted, and
//! answering `GET /v1/chunks/{prefix}/{chunk}` with a keyed shard.
//!
//! A client with an empty cache (another machine, a fresh `HF_HOME`) asks about the eligible
//! chunks of what it uploads. When the chunk is known, the answer describes every xorb of a file
//! that holds it, so the client references them instead of uploading them again: a fine-tune
//! that changes a few percent of a model uploads only the xorbs of the changed chunks.
//!
//! **Scope:** an answer only describes files granted to the asking repo or to a public repo,
//! and only the chunks those files use (a xorb may hold other files' chunks too). Chunk hashes
//! in it are keyed, so it confirms only chunks the client already holds, and
//! referencing a xorb still needs every chunk hash of the terms (the shard upload recomputes the
//! file hash), so dedup gives no access to content the client does not have.

use std::collections::BTreeSet;
use std::time::Duration;

use commonhold_xet::dedup::{
    AnswerXorb, answer_shard, eligible_by_hash, first_chunk, flagged_chunks,
};
use commonhold_xet::{FileRecord, UploadShard, XetHash, XorbIndex, XorbIndexes};

use crate::{CasGrant, Hub, HubError};

/// Most xorbs one answer describes (about 48 bytes per chunk: a full answer is a few MiB).
const MAX_ANSWER_XORBS: usize = 64;
/// How long the client may use an answer's key (it then drops the shard from its cache).
const ANSWER_VALID_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

impl Hub {
    /// Indexes an accepted shard for global dedup: the eligible chunks of the xorbs its files
    /// use (by hash, first chunks of files, and chunks the shard flags), and which xorbs each
    /// file uses. Called after the shard's files were recorded for `repo_id`.
    pub(crate) async fn xet_dedup_index(
        &self,
        body: &[u8],
        shard: &UploadShard,
    ) -> Result<(), HubError> {
        let mut indexes = XorbIndexes::new();
        for file in &shard.files {
            for term in &file.terms {
                if indexes.contains_key(&term.xorb) {
                    continue;
                }
                if let Some((_, bytes)) = self.meta.xorb_index(&term.xorb.0).await? {
                    indexes.insert(term.xorb, XorbIndex::decode(&bytes)?);
                }
            }
        }
        let mut chunks = BTreeSet::new();
        let mut file_xorbs = BTreeSet::new();
        for (hash, index) in &indexes {
            chunks.extend(eligible_by_hash(*hash, index));
        }
        for file in shard.files.iter().filter(|f| f.sha256_hex.is_some()) {
            chunks.extend(first_chunk(&file.terms, &indexes));
            file_xorbs.extend(file.terms.iter().map(|t| (t.xorb.0, file.file_hash.0)));
        }
        chunks.extend(
            flagged_chunks(body)?
                .into_iter()
                .filter(|(_, xorb)| indexes.contains_key(xorb)),
        );
        let chunks: Vec<([u8; 32], [u8; 32])> = chunks.iter().map(|(c, x)| (c.0, x.0)).collect();
        let file_xorbs: Vec<_> = file_xorbs.into_iter().collect();
        self.meta.record_xet_dedup(&chunks, &file_xorbs).await?;
        Ok(())
    }

    /// The dedup answer for `chunk`, or None (404) if no file the token's repo may see holds
    /// it. Only write tokens may ask: dedup is part of uploading.
    pub async fn xet_dedup_query(
        &self,
        grant: CasGrant,
        chunk: &str,
    ) -> Result<Option<Vec<u8>>, HubError> {
        if !grant.write {
            return Err(HubError::Forbidden(
                "dedup queries need a token from the xet-write-token route".into(),
            ));
        }
        self.metrics.xet_dedup_queries.inc();
        let Ok(chunk) = XetHash::parse(chunk) else {
            return Ok(None);
        };
        let mut found = None;
        for (xorb, file) in self
            .meta
            .xet_dedup_lookup(&chunk.0, grant.repo_id, grant.read_bytes)
            .await?
        {
            if let Some(record) = self.file_using_chunk(chunk, XetHash(xorb), &file).await? {
                found = Some((xorb, record));
                break;
            }
        }
        let Some((xorb, record)) = found else {
            return Ok(None);
        };
        // The xorb holding the chunk first, then the file's others in order.
        let mut order = vec![XetHash(xorb)];
        for term in &record.terms {
            if order.len() == MAX_ANSWER_XORBS {
                break;
            }
            if !order.contains(&term.xorb) {
                order.push(term.xorb);
            }
        }
        let mut described = Vec::new();
        for hash in order {
            if let Some((size, bytes)) = self.meta.xorb_index(&hash.0).await? {
                let index = mask_unused_chunks(XorbIndex::decode(&bytes)?, hash, &record);
                described.push((hash, size, index));
            }
        }
        let key: [u8; 32] = rand::random();
        let answer = tokio::task::spawn_blocking(move || {
            let xorbs: Vec<AnswerXorb<'_>> = described
                .iter()
                .map(|(hash, size, index)| AnswerXorb {
                    hash: *hash,
                    index,
                    serialized_size: *size,
                })
                .collect();
            answer_shard(&xorbs, key, ANSWER_VALID_FOR)
        })
        .await
        .map_err(|e| HubError::internal(format!("dedup answer task: {e}")))??;
        Ok(Some(answer))
    }
}

impl Hub {
    /// The record of `file` if its terms use `chunk` where `xorb` holds it. A file may use only
    /// part of a xorb, so holding the xorb is not enough: answering for a chunk the file does
    /// not use would confirm content of whoever packed it there.
    async fn file_using_chunk(
        &self,
        chunk: XetHash,
        xorb: XetHash,
        file: &[u8; 32],
    ) -> Result<Option<FileRecord>, HubError> {
        let (Some(row), Some((_, index))) = (
            self.meta.xet_file(file).await?,
            self.meta.xorb_index(&xorb.0).await?,
        ) else {
            return Ok(None);
        };
        let record = FileRecord::decode(row.size, &row.terms)?;
        let index = XorbIndex::decode(&index)?;
        let used = index.chunks.iter().enumerate().any(|(i, c)| {
            c.hash == chunk
                && record
                    .terms
                    .iter()
                    .any(|t| t.xorb == xorb && (t.chunk_start..t.chunk_end).contains(&(i as u32)))
        });
        Ok(used.then_some(record))
    }
}

/// `index` with the hash of every chunk that `file` does not use replaced by a random one.
///
/// A xorb may also hold chunks of other files packed in the same upload, perhaps of a private
/// repo; a client must not be able to confirm those through this file's answer. Positions and
/// lengths stay, so the chunk indexes the client references are still right.
fn mask_unused_chunks(mut index: XorbIndex, hash: XetHash, file: &FileRecord) -> XorbIndex {
    let ranges: Vec<_> = file
        .terms
        .iter()
        .filter(|t| t.xorb == hash)
        .map(|t| t.chunk_start as usize..t.chunk_end as usize)
        .collect();
    for (i, chunk) in index.chunks.iter_mut().enumerate() {
        if !ranges.iter().any(|r| r.contains(&i)) {
            chunk.hash = XetHash(rand::random());
        }
    }
    index
}
