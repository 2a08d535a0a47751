//! The LFS batch API's decisions and the uploads it authorises.
//!
//! Storage is shared but access is not. The batch answer says "already stored" only when *this*
//! repo may use the object; otherwise it asks for an upload even if another repo holds the same
//! bytes, so the answer never reveals what other repos contain. The upload is hashed as it
//! streams, which proves the client has the content, and only then is the object granted to the
//! repo (the bytes themselves are deduplicated by the blob store).
//!
//! Upload URLs carry no credentials, so each is signed for the access token that asked for it
//! and stops working once that token is revoked (checked on every use, through a cache as short
//! as the one for tokens themselves).

use futures::StreamExt;

use commonhold_blob::{BlobKey, BlobStream, UploadId};
use commonhold_meta::Repo;
use commonhold_types::Sha256;

use crate::{Hub, HubError, SignedAction};

/// Files at least this large go to LFS whatever their content (the Hub's 10 MB rule).
pub const LFS_THRESHOLD: u64 = 10 * 1024 * 1024;
/// Files at least this large are offered the multipart transfer.
pub const MULTIPART_THRESHOLD: u64 = 64 * 1024 * 1024;
/// Size of each part of a multipart upload of up to [`MAX_PARTS`] such parts.
pub const PART_SIZE: u64 = 32 * 1024 * 1024;
/// Most objects in one batch. Clients send at most 256 (`huggingface_hub`) or 100 (git-lfs).
pub const MAX_BATCH_OBJECTS: usize = 1000;
/// Most parts an object is cut into; larger objects get larger parts ([`part_size`]). Each part
/// is a signed URL of about 250 bytes in the batch answer, so with at most 1,000 objects a batch
/// this bounds the answer to about 26 MB, however large the objects claim to be (32 MiB parts
/// turned a batch of 1,000 objects of 50 GB into 1.5 million URLs, a 365 MB answer).
pub const MAX_PARTS: u64 = 100;

/// The part size of a multipart upload of a `size`-byte object: [`PART_SIZE`], or a whole
/// number of MiB large enough for [`MAX_PARTS`] parts, up to the blob store's largest part.
/// Derived from the signed size alone, so a part URL needs to sign nothing more.
pub fn part_size(size: u64) -> u64 {
    const MIB: u64 = 1 << 20;
    let even = size.div_ceil(MAX_PARTS).div_ceil(MIB).saturating_mul(MIB);
    even.clamp(PART_SIZE, commonhold_blob::MAX_PART_SIZE)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchObject {
    pub oid: String,
    pub size: u64,
}

/// Where and how to upload one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadTicket {
    pub href: String,
    pub verify_href: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartPlan {
    pub chunk_size: u64,
    pub part_hrefs: Vec<String>,
    pub complete_href: String,
    pub verify_href: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    /// This repo already has it: nothing to send.
    Present,
    Basic(UploadTicket),
    Multipart(MultipartPlan),
    Error {
        code: u16,
        message: String,
    },
}

impl Hub {
    fn signed_url(&self, a: &SignedAction, token_id: i64, path_tail: &str) -> String {
        let sig = self.signer.sign_for_token(a, token_id);
        let mut url = self.url(&format!(
            "api/lfs/{}/{}{path_tail}?size={}&exp={}&tok={token_id}&sig={sig}",
            a.repo_id, a.oid, a.size, a.expires
        ));
        if !a.upload.is_empty() {
            url.push_str(&format!("&upload={}", a.upload));
        }
        url
    }

    fn action(
        &self,
        action: &str,
        repo: &Repo,
        oid: &str,
        size: u64,
        upload: &str,
        part: u32,
    ) -> SignedAction {
        SignedAction {
            action: action.into(),
            repo_id: repo.id,
            oid: oid.into(),
            size,
            upload: upload.into(),
            part,
            expires: crate::now_ms() / 1000 + self.config.upload_url_ttl_secs,
        }
    }

    /// Answers an upload batch for the caller who presented access token `token_id`.
    /// `multipart` says whether the client offered that transfer.
    pub async fn lfs_batch_upload(
        &self,
        repo: &Repo,
        objects: &[BatchObject],
        multipart: bool,
        token_id: i64,
    ) -> Result<Vec<BatchOutcome>, HubError> {
        if objects.len() > MAX_BATCH_OBJECTS {
            return Err(HubError::TooLarge(format!(
                "this batch names {} objects and this hub takes at most {MAX_BATCH_OBJECTS} \
                 in one batch: send them in several batches",
                objects.len()
            )));
        }
        let mut out = Vec::with_capacity(objects.len());
        for obj in objects {
            out.push(self.batch_one(repo, obj, multipart, token_id).await?);
        }
        Ok(out)
    }

    async fn batch_one(
        &self,
        repo: &Repo,
        obj: &BatchObject,
        multipart: bool,
        token_id: i64,
    ) -> Result<BatchOutcome, HubError> {
        let Ok(sha) = Sha256::from_hex(&obj.oid) else {
            return Ok(BatchOutcome::Error {
                code: 422,
                message: format!("{:?} is not a sha256 oid", obj.oid),
            });
        };
        if obj.size > self.config.max_file_size {
            return Ok(BatchOutcome::Error {
                code: 422,
                message: format!(
                    "{} bytes is over this hub's per-file limit of {} bytes",
                    obj.size, self.config.max_file_size
                ),
            });
        }
        if self.meta.repo_has_lfs(repo.id, &sha).await?
            && self.meta.lfs_object_size(&sha).await? == Some(obj.size)
        {
            return Ok(BatchOutcome::Present);
        }
        let oid = sha.to_hex();
        let verify_href = self.signed_url(
            &self.action("verify", repo, &oid, obj.size, "", 0),
            token_id,
            "/verify",
        );
        if multipart && obj.size >= MULTIPART_THRESHOLD {
            let upload = UploadId::new_random();
            let chunk_size = part_size(obj.size);
            let parts = u32::try_from(obj.size.div_ceil(chunk_size)).unwrap_or(u32::MAX);
            let part_hrefs = (1..=parts)
                .map(|n| {
                    self.signed_url(
                        &self.action("part", repo, &oid, obj.size, upload.as_str(), n),
                        token_id,
                        &format!("/part/{n}"),
                    )
                })
                .collect();
            let complete_href = self.signed_url(
                &self.action("complete", repo, &oid, obj.size, upload.as_str(), 0),
                token_id,
                "/complete",
            );
            return Ok(BatchOutcome::Multipart(MultipartPlan {
                chunk_size,
                part_hrefs,
                complete_href,
                verify_href,
            }));
        }
        let href = self.signed_url(
            &self.action("put", repo, &oid, obj.size, "", 0),
            token_id,
            "",
        );
        Ok(BatchOutcome::Basic(UploadTicket { href, verify_href }))
    }

    /// Checks a signed URL's parameters, and that the access token it was issued for is still
    /// live; the HTTP layer turns failures into 403.
    pub async fn check_signed(
        &self,
        a: &SignedAction,
        token_id: i64,
        sig: &str,
    ) -> Result<(), HubError> {
        self.signer
            .verify_for_token(a, token_id, sig, crate::now_ms() / 1000)
            .map_err(|m| HubError::Forbidden(format!("upload URL refused: {m}")))?;
        if !self.token_is_live(token_id).await? {
            return Err(HubError::Forbidden(
                "upload URL refused: the token it was issued for has been revoked; \
                 ask the batch API for a new one with a valid token"
                    .into(),
            ));
        }
        Ok(())
    }

    async fn grant(&self, a: &SignedAction, sha: &Sha256) -> Result<(), HubError> {
        self.meta.record_lfs_object(sha, a.size).await?;
        self.meta.grant_lfs(a.repo_id, sha).await?;
        Ok(())
    }

    fn sha_of(a: &SignedAction) -> Result<Sha256, HubError> {
        Sha256::from_hex(&a.oid).map_err(|e| HubError::BadRequest(e.to_string()))
    }

    /// Receives a whole object (the `basic` transfer). Nothing is stored unless the body's
    /// sha256 and length match the signed oid and size.
    pub async fn lfs_put(&self, a: &SignedAction, mut body: BlobStream) -> Result<(), HubError> {
        let sha = Self::sha_of(a)?;
        let mut writer = self.blobs.writer().await?;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    writer.abort().await;
                    return Err(HubError::BadRequest(format!("upload interrupted: {e}")));
                }
            };
            if writer.written() + chunk.len() as u64 > a.size {
                writer.abort().await;
                return Err(HubError::BadRequest(format!(
                    "body is larger than the declared {} bytes",
                    a.size
                )));
            }
            writer.write(&chunk).await?;
        }
        writer
            .commit(sha, a.size)
            .await
            .map_err(|e| HubError::BadRequest(format!("upload refused: {e}")))?;
        self.grant(a, &sha).await
    }

    /// Receives one part of a multipart upload; returns its ETag.
    pub async fn lfs_put_part(
        &self,
        a: &SignedAction,
        body: BlobStream,
    ) -> Result<String, HubError> {
        let upload = UploadId::parse(&a.upload)
            .map_err(|_| HubError::BadRequest("malformed upload id".into()))?;
        let chunk_size = part_size(a.size);
        let parts = a.size.div_ceil(chunk_size);
        if a.part == 0 || u64::from(a.part) > parts {
            return Err(HubError::BadRequest(format!(
                "part {} is out of range 1..={parts}",
                a.part
            )));
        }
        let limit = chunk_size.min(a.size - (u64::from(a.part) - 1) * chunk_size);
        let mut seen = 0u64;
        let bounded = body
            .map(move |chunk| {
                let chunk = chunk?;
                seen += chunk.len() as u64;
                if seen > limit {
                    return Err(std::io::Error::other(format!(
                        "part is larger than {limit} bytes"
                    )));
                }
                Ok(chunk)
            })
            .boxed();
        let receipt = self
            .blobs
            .put_part(&upload, a.part, bounded)
            .await
            .map_err(|e| HubError::BadRequest(format!("part refused: {e}")))?;
        Ok(receipt.etag)
    }

    /// Assembles a multipart upload, verifying the whole object's digest and size.
    pub async fn lfs_complete(
        &self,
        a: &SignedAction,
        parts: &[(u32, String)],
    ) -> Result<(), HubError> {
        let sha = Self::sha_of(a)?;
        let upload = UploadId::parse(&a.upload)
            .map_err(|_| HubError::BadRequest("malformed upload id".into()))?;
        if let Err(e) = self.blobs.complete_parts(&upload, parts, sha, a.size).await {
            self.blobs.abort_parts(&upload).await.ok();
            return Err(HubError::BadRequest(format!(
                "multipart upload refused: {e}"
            )));
        }
        self.grant(a, &sha).await
    }

    /// The LFS verify step: the object is stored and usable by this repo.
    pub async fn lfs_verify(&self, a: &SignedAction) -> Result<(), HubError> {
        let sha = Self::sha_of(a)?;
        let ok = self.meta.repo_has_lfs(a.repo_id, &sha).await?
            && self.blobs.stat(&BlobKey::Lfs(sha)).await? == Some(a.size);
        if ok {
            Ok(())
        } else {
            Err(HubError::EntryNotFound(format!(
                "object {sha} was not uploaded"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_grow_so_no_object_has_more_than_max_parts() {
        const MIB: u64 = 1 << 20;
        assert_eq!(part_size(MULTIPART_THRESHOLD), PART_SIZE);
        assert_eq!(part_size(MAX_PARTS * PART_SIZE), PART_SIZE);
        assert_eq!(part_size(MAX_PARTS * PART_SIZE + 1), PART_SIZE + MIB);
        for size in [
            MAX_PARTS * PART_SIZE + 1,
            50_000_000_000,
            MAX_PARTS * commonhold_blob::MAX_PART_SIZE,
        ] {
            let p = part_size(size);
            assert_eq!(p % MIB, 0);
            assert!(size.div_ceil(p) <= MAX_PARTS, "{size}: {p}");
        }
        // Past what parts of the largest size can hold in MAX_PARTS, parts stay at that size.
        assert_eq!(part_size(u64::MAX), commonhold_blob::MAX_PART_SIZE);
    }
}
