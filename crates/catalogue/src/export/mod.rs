//! Exports to open standards (DCAT-AP, Croissant, CycloneDX ML-BOM, SPDX 3), built as JSON
//! with serde (no crate covers CycloneDX 1.6 or Croissant 1.1). The shapes follow
//! `shared/reference/catalogue-standards.md`; the tests run its offline validators on documents
//! built from fixtures. The openness assessment (declared
//! versus concluded licence, tier, OSAID) travels in each.

mod croissant;
mod dcat;
mod licence;
mod mlbom;
mod spdx;

pub use croissant::{CroissantInput, croissant};
pub use dcat::{DcatPage, dcat_catalog};
pub use licence::{licence_iri, spdx_id};
pub use mlbom::{MlBomInput, mlbom};
pub use spdx::{SpdxInput, spdx3};

use sha2::Digest;

/// A file of the exported revision.
#[derive(Clone, Debug)]
pub struct ExportFile {
    pub path: String,
    pub size: u64,
    /// Content SHA-256, lower-case hex (the LFS oid, or computed for a regular file).
    pub sha256: String,
    pub lfs: bool,
}

/// SHA-256 of bytes, lower-case hex, for files stored in git rather than LFS.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// RFC 3339 (UTC, seconds) of unix milliseconds.
pub(crate) fn rfc3339(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The IRI of a tier in the published openness definition, e.g. `…/openness/definition/2026.1#open-model`.
pub(crate) fn tier_iri(base_url: &str, tier: &str) -> String {
    format!(
        "{base_url}/openness/definition/{}#{tier}",
        commonhold_assess::model::DEFINITION_VERSION
    )
}
