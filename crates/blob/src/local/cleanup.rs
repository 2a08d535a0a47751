//! Removing what interrupted work left behind, at `open`.
//!
//! A process killed mid-write leaves a file in `tmp/` (never a visible blob: blobs appear only
//! by rename after verification). Temp files older than [`TEMP_MAX_AGE`] are removed; younger
//! ones may belong to another live process sharing the directory, so they are left alone.
//! Multipart uploads untouched for [`UPLOAD_MAX_AGE`] are removed likewise.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// No single write stays open this long.
pub const TEMP_MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// An upload whose directory has not changed for a day is abandoned.
pub const UPLOAD_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Removes stale entries of `dir`, returning how many went. Best effort: an entry that cannot be
/// inspected or removed is skipped (and retried at the next open).
pub(crate) fn remove_stale(dir: &Path, max_age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if age < max_age {
            continue;
        }
        let path = entry.path();
        let result = if meta.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match result {
            Ok(()) => removed += 1,
            Err(err) => {
                tracing::warn!(path = %path.display(), %err, "could not remove stale blob-store entry")
            }
        }
    }
    removed
}
