//! The Xet storage protocol on the hub side: CAS access tokens, xorb and shard uploads (validated
//! by `commonhold-xet` before anything is recorded), the sha256 → Xet file mapping that commits
//! resolve, reconstruction plans with signed fetch URLs, and plain reads rebuilt from xorbs.
//!
//! Xet uploads are stored as xorbs only (`BlobKey::Xorb`), so identical chunks across files,
//! revisions and repos are stored once. A file is recorded per repo: a commit may name a sha256
//! only if a shard asserting it was uploaded with a write token for that same repo, and only
//! after the server rebuilt the file from its xorbs and found that its bytes hash to it.

use std::ops::Range;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use commonhold_blob::{BlobKey, BlobStream};
use commonhold_meta::{Repo, XetFileRow};
use commonhold_types::Sha256;
use commonhold_xet::{
    ByteRange, FileRecord, Reconstruction, XetError, XetHash, XorbIndex, XorbIndexes,
};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};

use crate::signing::SignedAction;
use crate::{Hub, HubError, Principal};

/// Where the CAS service lives under our own URL (`casUrl`); a prefix keeps it clear of
/// `/{ns}/{name}/resolve/...` for a namespace called `v1`.
pub const XET_CAS_PREFIX: &str = "/xet-cas";
/// Token lifetime unless the configuration or the `xet_token_ttl_secs` setting says otherwise.
/// hf_xet refreshes when fewer than 30 s remain, so an hour means few refreshes.
const DEFAULT_TOKEN_TTL_SECS: i64 = 3600;
/// How long a fetch URL is valid. Rounded to the hour so that asking for the same range twice
/// gives the same answer.
const FETCH_URL_TTL_SECS: i64 = 3600;

/// A CAS access token as the token routes hand it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XetToken {
    pub access_token: String,
    /// Unix seconds.
    pub exp: i64,
    pub cas_url: String,
}

/// What a valid CAS token allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CasGrant {
    pub repo_id: i64,
    pub write: bool,
    /// Whether the token's caller may read the repo's files now (`Hub::require_read_bytes`):
    /// reconstructions and dedup answers about the repo's own files need it.
    pub read_bytes: bool,
}

/// A reconstruction answer, or why the range cannot be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XetPlan {
    Plan(Reconstruction),
    /// The range starts at or past the end of a file of this size (416).
    Unsatisfiable {
        size: u64,
    },
}

impl From<XetError> for HubError {
    fn from(e: XetError) -> HubError {
        match e {
            XetError::Corrupt(m) => HubError::Internal(format!("xet metadata: {m}")),
            other => HubError::BadRequest(other.to_string()),
        }
    }
}

/// What a CAS token is signed over; `bound` is the hex SHA-256 of the access token it was
/// issued for, or [`ANONYMOUS`].
fn token_action(write: bool, repo_id: i64, bound: &str, expires: i64) -> SignedAction {
    SignedAction {
        action: if write { "xet-write" } else { "xet-read" }.into(),
        repo_id,
        oid: bound.into(),
        size: 0,
        upload: String::new(),
        part: 0,
        expires,
    }
}

fn fetch_action(xorb: &XetHash, range: ByteRange, expires: i64) -> SignedAction {
    SignedAction {
        action: "xet-fetch".into(),
        repo_id: 0,
        oid: xorb.to_string(),
        size: range.start,
        upload: range.end.to_string(),
        part: 0,
        expires,
    }
}

/// The binding of a CAS token issued to an anonymous caller (public repos only).
const ANONYMOUS: &str = "anon";

fn now_secs() -> i64 {
    crate::now_ms() / 1000
}

impl Hub {
    /// `casUrl`: the CAS service's base, without a trailing slash.
    pub fn xet_cas_url(&self) -> String {
        self.url(XET_CAS_PREFIX)
    }

    /// Issues a CAS token for `repo` (the caller's access was checked by the route).
    ///
    /// The token is bound to the access token `who` called with: every CAS request checks that
    /// this token is still valid and can still see the repo ([`Hub::xet_grant`]), so revoking
    /// it, or making the repo private, ends the CAS token too, while its lifetime stays what
    /// `hf_xet` expects (it refreshes only near expiry).
    pub async fn xet_token(
        &self,
        repo: &Repo,
        write: bool,
        who: Option<&Principal>,
    ) -> Result<XetToken, HubError> {
        let ttl = match self.config.xet_token_ttl_secs {
            Some(configured) => configured,
            None => self
                .meta
                .set_setting_if_absent("xet_token_ttl_secs", &DEFAULT_TOKEN_TTL_SECS.to_string())
                .await?
                .trim()
                .parse::<i64>()
                .unwrap_or(DEFAULT_TOKEN_TTL_SECS),
        }
        .max(1);
        self.metrics.xet_tokens_issued.inc();
        let exp = now_secs() + ttl;
        let bound = match who.and_then(|p| p.token).map(|t| t.hash) {
            Some(hash) => hex::encode(hash),
            None if write => {
                return Err(HubError::Forbidden(
                    "Xet write tokens are issued for access tokens only".into(),
                ));
            }
            None => ANONYMOUS.to_string(),
        };
        let sig = self.signer.sign(&token_action(write, repo.id, &bound, exp));
        let kind = if write { "w" } else { "r" };
        Ok(XetToken {
            access_token: format!("{kind}.{}.{exp}.{bound}.{sig}", repo.id),
            exp,
            cas_url: self.xet_cas_url(),
        })
    }

    /// What a CAS bearer token allows now: None if it is malformed, forged or expired, if the
    /// access token it was issued for has been revoked, or if that token can no longer read
    /// the repo's files (a read token: visibility and gating) or contribute to it (a write
    /// token). Checked on every CAS request through
    /// the short-lived caches, so a revocation or a visibility change takes effect within
    /// [`crate::hot::TTL`].
    pub async fn xet_grant(&self, token: &str) -> Result<Option<CasGrant>, HubError> {
        let Some((write, repo_id, bound)) = self.xet_verify_signature(token) else {
            return Ok(None);
        };
        let who = match bound {
            None => None,
            Some(hash) => match self.principal_by_token_hash(hash).await? {
                Some(p) => Some(p),
                None => return Ok(None),
            },
        };
        let Some(repo) = self.repo_by_id_for_cas(repo_id).await? else {
            return Ok(None);
        };
        let read_bytes = match self.require_read_bytes(who.as_ref(), &repo).await {
            Ok(()) => true,
            Err(HubError::Gated(_) | HubError::RepoNotFound) => false,
            Err(e) => return Err(e),
        };
        let allowed = match (crate::access::visibility(who.as_ref(), &repo), &who) {
            (crate::Visibility::Hidden, _) => false,
            // A read token is worth only what its caller may read: a gated repo's files
            // need a grant, and a grant revoked since stops the token within the TTL.
            (_, _) if !write => read_bytes,
            (crate::Visibility::Write, _) => true,
            // A contributor's write token: uploads to open a pull request with.
            (_, Some(p)) => p.role == commonhold_types::Role::Write,
            (_, None) => false,
        };
        Ok(allowed.then_some(CasGrant {
            repo_id,
            write,
            read_bytes,
        }))
    }

    /// The signed parts of a CAS token: (write, repo id, the access token's hash if bound).
    fn xet_verify_signature(&self, token: &str) -> Option<(bool, i64, Option<[u8; 32]>)> {
        let mut parts = token.splitn(5, '.');
        let write = match parts.next()? {
            "w" => true,
            "r" => false,
            _ => return None,
        };
        let repo_id = parts.next()?.parse().ok()?;
        let exp = parts.next()?.parse().ok()?;
        let bound = parts.next()?;
        let sig = parts.next()?;
        self.signer
            .verify(&token_action(write, repo_id, bound, exp), sig, now_secs())
            .ok()?;
        let hash = if bound == ANONYMOUS {
            None
        } else {
            Some(hex::decode(bound).ok()?.try_into().ok()?)
        };
        Some((write, repo_id, hash))
    }

    /// Validates and stores an uploaded xorb. Whether the store already held it is not told:
    /// xorbs are shared by every repo, so that would say whether another (maybe private) repo
    /// holds this content.
    pub async fn xet_put_xorb(
        &self,
        grant: CasGrant,
        hash: &str,
        body: Bytes,
    ) -> Result<(), HubError> {
        require_write(grant)?;
        let hash = XetHash::parse(hash)?;
        let data = body.clone();
        let index = tokio::task::spawn_blocking(move || commonhold_xet::validate_xorb(hash, &data))
            .await
            .map_err(|e| HubError::internal(format!("xorb validation task: {e}")))??;
        self.blobs
            .put_verified(&BlobKey::Xorb(hash.0), body.clone())
            .await?;
        self.meta
            .record_xorb(&hash.0, body.len() as u64, &index.encode())
            .await?;
        self.metrics.xet_xorbs_received.inc();
        self.metrics.xet_xorb_bytes_received.add(body.len() as u64);
        Ok(())
    }

    /// Validates an uploaded shard against the stored xorbs and records each file it describes
    /// for the token's repo. Nothing is recorded unless every file checks out, including the
    /// sha256 each one claims: the server rebuilds the file's bytes from the xorbs and hashes
    /// them, since a commit names the file by that sha256 and downloads serve it under it.
    pub async fn xet_put_shard(&self, grant: CasGrant, body: &[u8]) -> Result<(), HubError> {
        require_write(grant)?;
        let shard = commonhold_xet::parse_shard(body)?;
        let indexes = self.xorb_indexes(&shard.referenced_xorbs()).await?;
        let mut files = Vec::new();
        for file in &shard.files {
            let record = commonhold_xet::verify_file(file, &indexes)?;
            // A file without a sha256 cannot be named by a commit, so there is nothing to map.
            let Some(hex) = &file.sha256_hex else {
                continue;
            };
            let claimed = Sha256::from_hex(hex).map_err(|e| {
                HubError::BadRequest(format!("the shard's sha256 is malformed: {e}"))
            })?;
            files.push((file.file_hash, claimed, record));
        }
        let mut hashed = std::collections::HashMap::new();
        for (file_hash, claimed, record) in &files {
            let actual = match hashed.get(file_hash) {
                Some(sha) => *sha,
                None => self.xet_file_sha256(*file_hash, record).await?,
            };
            if actual != *claimed {
                return Err(HubError::BadRequest(format!(
                    "the bytes of Xet file {file_hash} do not hash to the sha256 {claimed} the \
                     shard gives for it; nothing from this shard was recorded"
                )));
            }
            hashed.insert(*file_hash, actual);
        }
        for (file_hash, sha, record) in files {
            let row = XetFileRow {
                file_hash: file_hash.0,
                size: record.size,
                terms: record.encode_terms(),
                sha256: Some(sha),
            };
            self.meta.record_xet_file(grant.repo_id, &row).await?;
        }
        self.hot.xet_files.clear();
        self.xet_dedup_index(body, &shard).await?;
        self.metrics.xet_shards_received.inc();
        Ok(())
    }

    /// The sha256 of a Xet file's bytes: recorded if the hub hashed this file before (a file
    /// hash fixes the bytes), else computed by rebuilding it from its xorbs.
    async fn xet_file_sha256(
        &self,
        file_hash: XetHash,
        record: &FileRecord,
    ) -> Result<Sha256, HubError> {
        match self
            .meta
            .xet_file(&file_hash.0)
            .await?
            .and_then(|f| f.sha256)
        {
            Some(sha) => Ok(sha),
            None => self.hash_xet_content(record).await,
        }
    }

    /// Rebuilds a file from its xorbs a bounded piece at a time and hashes it. The pieces are
    /// decoded here and hashed on a blocking thread, so decoding the next overlaps hashing one.
    pub(crate) async fn hash_xet_content(&self, record: &FileRecord) -> Result<Sha256, HubError> {
        use sha2::Digest;
        let mut pieces = self.record_stream(record, 0..record.size).await?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(4);
        let hasher = tokio::task::spawn_blocking(move || {
            let mut h = sha2::Sha256::new();
            while let Some(piece) = rx.blocking_recv() {
                h.update(&piece);
            }
            Sha256(h.finalize().into())
        });
        while let Some(piece) = pieces.next().await {
            let piece =
                piece.map_err(|e| HubError::internal(format!("rebuilding a Xet file: {e}")))?;
            if tx.send(piece).await.is_err() {
                break;
            }
        }
        drop(tx);
        hasher
            .await
            .map_err(|e| HubError::internal(format!("hashing task: {e}")))
    }

    /// Hashes every file recorded before the hub hashed files (their mappings are not served
    /// until then) and records the result; a file that cannot be rebuilt is left for fsck.
    /// Returns how many were hashed. Idempotent, so several servers may run it at once.
    pub async fn hash_unhashed_xet_files(&self) -> Result<u64, HubError> {
        let mut done = 0;
        let mut after = None;
        loop {
            let page = self.meta.unhashed_xet_files(after, 100).await?;
            let Some(last) = page.last().map(|f| f.file_hash) else {
                return Ok(done);
            };
            for row in page {
                let hash = XetHash(row.file_hash);
                let sha = match FileRecord::decode(row.size, &row.terms) {
                    Ok(record) => self.hash_xet_content(&record).await,
                    Err(e) => Err(e.into()),
                };
                match sha {
                    Ok(sha) => {
                        self.meta.set_xet_file_sha256(&row.file_hash, &sha).await?;
                        done += 1;
                    }
                    Err(e) => {
                        tracing::warn!(file = %hash, error = %e, "cannot hash a Xet file; run commonhold fsck");
                    }
                }
            }
            after = Some(last);
            self.hot.xet_files.clear();
        }
    }

    /// Runs [`Hub::hash_unhashed_xet_files`] once in the background (at start).
    pub fn spawn_xet_file_hasher(&self) -> tokio::task::JoinHandle<()> {
        let hub = self.clone();
        tokio::spawn(async move {
            match hub.hash_unhashed_xet_files().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, "hashed Xet files recorded before hashing"),
                Err(e) => tracing::error!(error = %e, "hashing older Xet files stopped"),
            }
        })
    }

    /// The Xet hash of the file `repo_id` serves for sha256 `oid`, if it is Xet-stored.
    pub async fn xet_hash_for(
        &self,
        repo_id: i64,
        oid: &Sha256,
    ) -> Result<Option<XetHash>, HubError> {
        Ok(self.xet_file(repo_id, oid).await?.map(|f| f.hash))
    }

    /// The Xet file `repo_id` serves for sha256 `oid`, if it is Xet-stored: one indexed query,
    /// kept for a second (downloads and listings only; a shard uploaded through this process
    /// clears it at once). A stale "no" cannot lose a file: a commit names a sha256 only once
    /// its mapping or its LFS blob exists, and a mapping is never removed.
    pub async fn xet_file(
        &self,
        repo_id: i64,
        oid: &Sha256,
    ) -> Result<Option<Arc<XetFile>>, HubError> {
        let key = (repo_id, *oid);
        if let Some(hit) = self.hot.xet_files.get(&key) {
            return Ok(hit);
        }
        let file = match self.meta.xet_file_for(repo_id, oid).await? {
            Some(row) => Some(Arc::new(XetFile {
                hash: XetHash(row.file_hash),
                record: FileRecord::decode(row.size, &row.terms)?,
            })),
            None => None,
        };
        self.hot.xet_files.put(key, file.clone());
        Ok(file)
    }

    /// The v1 reconstruction of bytes `start..=end_inclusive` of `file_hash`, which the token's
    /// repo must hold; unknown files are `EntryNotFound`.
    pub async fn xet_reconstruction(
        &self,
        grant: CasGrant,
        file_hash: &str,
        start: u64,
        end_inclusive: u64,
    ) -> Result<XetPlan, HubError> {
        let missing = || HubError::EntryNotFound(format!("no Xet file {file_hash} here"));
        if !grant.read_bytes {
            // A contributor's write token for a gated repo it has no grant for.
            return Err(HubError::Forbidden(
                "this repo is gated: reading its files needs an accepted access request".into(),
            ));
        }
        let hash = XetHash::parse(file_hash).map_err(|_| missing())?;
        if !self.meta.repo_has_xet_file(grant.repo_id, &hash.0).await? {
            return Err(missing());
        }
        let row = self.meta.xet_file(&hash.0).await?.ok_or_else(missing)?;
        let record = FileRecord::decode(row.size, &row.terms)?;
        if start >= record.size {
            return Ok(XetPlan::Unsatisfiable { size: record.size });
        }
        let indexes = self.file_indexes(&record).await?;
        let exp = (now_secs() / FETCH_URL_TTL_SECS + 2) * FETCH_URL_TTL_SECS;
        let plan = commonhold_xet::plan(&record, start, end_inclusive, &indexes, |x, r| {
            let sig = self.signer.sign(&fetch_action(x, r, exp));
            self.url(&format!(
                "{XET_CAS_PREFIX}/fetch/{x}?start={}&end={}&exp={exp}&sig={sig}",
                r.start, r.end
            ))
        })?;
        self.metrics.xet_reconstructions.inc();
        Ok(XetPlan::Plan(plan))
    }

    /// Bytes `start..=end` of a stored xorb, if the fetch URL's signature and expiry hold.
    pub async fn xet_fetch(
        &self,
        xorb: &str,
        start: u64,
        end: u64,
        exp: i64,
        sig: &str,
    ) -> Result<BlobStream, HubError> {
        let hash = XetHash::parse(xorb)?;
        self.signer
            .verify(
                &fetch_action(&hash, ByteRange { start, end }, exp),
                sig,
                now_secs(),
            )
            .map_err(|e| HubError::Forbidden(format!("fetch URL refused: {e}")))?;
        let end = end
            .checked_add(1)
            .ok_or_else(|| HubError::BadRequest("bad range".into()))?;
        self.metrics.xet_fetches.inc();
        self.metrics.xet_fetch_bytes.add(end.saturating_sub(start));
        Ok(self
            .blobs
            .read(&BlobKey::Xorb(hash.0), Some(start..end))
            .await?)
    }

    /// Bytes `range` of a Xet file, rebuilt from its xorbs (for clients that download with
    /// plain HTTP). The xorbs' indexes are read once; then each term's bytes are read as one
    /// stream from the blob store and decoded one chunk at a time as they arrive (pieces of at
    /// most [`READ_PIECE_BYTES`]), so a download holds about one chunk in and one out beside
    /// the store's read-ahead, whatever the file and term sizes.
    pub async fn xet_file_stream(
        &self,
        file: &XetFile,
        range: Range<u64>,
    ) -> Result<BlobStream, HubError> {
        self.metrics.xet_plain_reads.inc();
        self.record_stream(&file.record, range).await
    }

    /// Like [`Hub::xet_file_stream`], for the hub's own reads (the assessor's header reads): not
    /// counted as a client's plain download in `/metrics`.
    pub(crate) async fn xet_file_stream_internal(
        &self,
        file: &XetFile,
        range: Range<u64>,
    ) -> Result<BlobStream, HubError> {
        self.record_stream(&file.record, range).await
    }

    /// Bytes `range` of the file `record` describes, as [`Hub::xet_file_stream`] reads them.
    async fn record_stream(
        &self,
        record: &FileRecord,
        range: Range<u64>,
    ) -> Result<BlobStream, HubError> {
        if range.start >= range.end || range.end > record.size {
            return Ok(futures::stream::empty().boxed());
        }
        let indexes = Arc::new(self.file_indexes(record).await?);
        let plan = commonhold_xet::plan(record, range.start, range.end - 1, &indexes, |_, _| {
            String::new()
        })?;
        let hub = self.clone();
        let decoded = futures::stream::iter(plan.terms)
            .filter(|t| futures::future::ready(t.range.start < t.range.end))
            .flat_map(move |t| {
                TermReader {
                    hub: hub.clone(),
                    indexes: indexes.clone(),
                    xorb: t.hash,
                    next: t.range.start,
                    end: t.range.end,
                    reads: None,
                    buf: BytesMut::new(),
                }
                .into_stream()
            });
        // Drop what precedes the range in the first chunk, and stop at its end.
        let window = (plan.offset_into_first_range, range.end - range.start);
        let stream = decoded.scan(window, |(skip, left), piece| {
            let out = match piece {
                Err(e) => Some(Err(std::io::Error::other(e))),
                Ok(_) if *left == 0 => None,
                Ok(data) => {
                    let from = usize::try_from(*skip).unwrap_or(usize::MAX).min(data.len());
                    let take = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(data.len() - from);
                    *skip -= from as u64;
                    *left -= take as u64;
                    Some(Ok(data.slice(from..from + take)))
                }
            };
            futures::future::ready(out)
        });
        // Chunks wholly before the range leave empty pieces: not worth a frame.
        let stream = stream.filter(|p| {
            futures::future::ready(p.as_ref().is_ok_and(|b| !b.is_empty()) || p.is_err())
        });
        Ok(stream.boxed())
    }

    async fn file_indexes(&self, record: &FileRecord) -> Result<XorbIndexes, HubError> {
        let mut hashes: Vec<XetHash> = record.terms.iter().map(|t| t.xorb).collect();
        hashes.sort();
        hashes.dedup();
        self.xorb_indexes(&hashes).await
    }

    /// The stored indexes of those of `hashes` that were uploaded (absent ones are left out, so
    /// that the checks name them).
    async fn xorb_indexes(&self, hashes: &[XetHash]) -> Result<XorbIndexes, HubError> {
        let mut out = XorbIndexes::new();
        for hash in hashes {
            if let Some((_, bytes)) = self.meta.xorb_index(&hash.0).await? {
                out.insert(*hash, XorbIndex::decode(&bytes)?);
            }
        }
        Ok(out)
    }
}

fn require_write(grant: CasGrant) -> Result<(), HubError> {
    if grant.write {
        Ok(())
    } else {
        Err(HubError::Forbidden(
            "this is a read token; uploads need a token from the xet-write-token route".into(),
        ))
    }
}

/// A Xet file as a repo serves it: its hash, and its terms for rebuilding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XetFile {
    pub hash: XetHash,
    record: FileRecord,
}

impl XetFile {
    pub fn size(&self) -> u64 {
        self.record.size
    }
}

/// The largest piece of a plain download: one chunk's content (a chunk unpacks to at most
/// 128 KiB).
pub const READ_PIECE_BYTES: u32 = commonhold_xet::MAX_CHUNK_BYTES;

/// Chunks `next..end` of one stored xorb (a term of a file), read as one stream and decoded a
/// chunk at a time.
struct TermReader {
    hub: Hub,
    indexes: Arc<XorbIndexes>,
    xorb: XetHash,
    next: u32,
    end: u32,
    /// The serialized chunks, opened at the first chunk asked for.
    reads: Option<BlobStream>,
    /// Serialized bytes read but not yet decoded: less than a chunk, plus one read's worth.
    buf: BytesMut,
}

impl TermReader {
    fn into_stream(self) -> BoxStream<'static, Result<Bytes, HubError>> {
        futures::stream::try_unfold(self, |mut t| async move {
            Ok(t.next_chunk().await?.map(|chunk| (chunk, t)))
        })
        .boxed()
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, HubError> {
        if self.next >= self.end {
            return Ok(None);
        }
        let (xorb, next, end) = (self.xorb, self.next, self.end);
        let corrupt = || HubError::internal(format!("xorb {xorb} chunk range {next}..{end}"));
        let index = self.indexes.get(&xorb).ok_or_else(corrupt)?;
        let offset = |i: u32| index.start_offset(i as usize).ok_or_else(corrupt);
        let (from, to) = (offset(next)?, offset(next + 1)?);
        if self.reads.is_none() {
            let range = u64::from(from)..u64::from(offset(end)?);
            self.reads = Some(
                self.hub
                    .blobs
                    .read(&BlobKey::Xorb(xorb.0), Some(range))
                    .await?,
            );
        }
        let need = to.saturating_sub(from) as usize;
        while self.buf.len() < need {
            let part = match self.reads.as_mut() {
                Some(reads) => reads
                    .try_next()
                    .await
                    .map_err(|e| HubError::internal(format!("reading xorb {xorb}: {e}")))?,
                None => None,
            };
            self.buf.extend_from_slice(&part.ok_or_else(corrupt)?);
        }
        let serialized = self.buf.split_to(need);
        let mut out =
            Vec::with_capacity(index.unpacked_len(next, next + 1).ok_or_else(corrupt)? as usize);
        commonhold_xet::decode_chunks(index, &serialized, next, next + 1, &mut out)?;
        self.next += 1;
        Ok(Some(Bytes::from(out)))
    }
}
