//! Where things live in the bucket, under the configured prefix. The only code that turns keys
//! into object names.
//!
//! ```text
//! <prefix>/lfs/ab/cd/abcd…(64 hex)       committed blobs, fanned out like the local layout
//! <prefix>/xorbs/ab/cd/abcd…(64 hex)     Xet xorbs by their raw hash bytes
//! <prefix>/git-blobs/ab/cd/abcd…(40 hex) copies of large git blobs by their git id
//! <prefix>/tmp/<random>                  large writes between upload and the copy into place
//! <prefix>/parts/<upload id>/<n>.<etag>  multipart parts, one object per accepted attempt
//! ```

use object_store::path::Path;

use crate::error::BlobError;
use crate::key::{BlobKey, ListedKind, UploadId};

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The prefix with its components joined by `/`, empty for the bucket's root.
    prefix: String,
}

impl Layout {
    /// `prefix` is a `/`-separated list of components of letters, digits, `.`, `_` and `-`
    /// (neither `.` nor `..`), or empty. Leading and trailing slashes are ignored.
    pub(crate) fn new(prefix: &str) -> Result<Layout, BlobError> {
        let parts: Vec<&str> = prefix.split('/').filter(|p| !p.is_empty()).collect();
        for part in &parts {
            let valid = *part != "."
                && *part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            if !valid {
                return Err(BlobError::Config(format!(
                    "the prefix {prefix:?} has a component {part:?}; use letters, digits, '.', '_' and '-' only"
                )));
            }
        }
        Ok(Layout {
            prefix: parts.join("/"),
        })
    }

    fn path(&self, rest: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(rest)
        } else {
            Path::from(format!("{}/{rest}", self.prefix))
        }
    }

    pub(crate) fn blob(&self, key: &BlobKey) -> Path {
        let (dir, hex) = key.dir_and_hex();
        let (a, b) = (
            hex.get(0..2).unwrap_or_default(),
            hex.get(2..4).unwrap_or_default(),
        );
        self.path(&format!("{dir}/{a}/{b}/{hex}"))
    }

    pub(crate) fn tmp_dir(&self) -> Path {
        self.path("tmp")
    }

    pub(crate) fn parts_dir(&self) -> Path {
        self.path("parts")
    }

    /// A fresh, unique temporary object name.
    pub(crate) fn temp(&self) -> Path {
        self.path(&format!("tmp/{}", hex::encode(rand::random::<[u8; 16]>())))
    }

    pub(crate) fn upload_dir(&self, upload: &UploadId) -> Path {
        self.path(&format!("parts/{upload}"))
    }

    /// `etag` must have passed [`crate::key::check_part_list`] (it comes from the client).
    pub(crate) fn part(&self, upload: &UploadId, part: u32, etag: &str) -> Path {
        self.path(&format!("parts/{upload}/{part}.{etag}"))
    }

    /// The LFS key an object name under `lfs/` stands for, if it is filed exactly where
    /// [`Layout::blob`] puts that key; anything else (a stray object) is not a blob.
    pub(crate) fn key_at(&self, kind: ListedKind, location: &Path) -> Option<BlobKey> {
        let key = kind.key(location.filename()?)?;
        (self.blob(&key) == *location).then_some(key)
    }

    /// Where keys of `kind` are filed.
    pub(crate) fn kind_dir(&self, kind: ListedKind) -> Path {
        self.path(kind.dir())
    }

    /// The upload id of an object under `parts/`.
    pub(crate) fn upload_of(&self, location: &Path) -> Option<UploadId> {
        let parts_dir = self.parts_dir();
        let mut rest = location.prefix_match(&parts_dir)?;
        UploadId::parse(rest.next()?.as_ref()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_prefixes() {
        let digest = crate::sha256_of(b"x");
        let hex = digest.to_hex();
        let key = BlobKey::Lfs(digest);
        let root = Layout::new("").unwrap();
        assert_eq!(
            root.blob(&key).as_ref(),
            format!("lfs/{}/{}/{hex}", &hex[..2], &hex[2..4])
        );
        let nested = Layout::new("/hub/blobs-1/").unwrap();
        let path = nested.blob(&key);
        assert_eq!(
            path.as_ref(),
            format!("hub/blobs-1/lfs/{}/{}/{hex}", &hex[..2], &hex[2..4])
        );
        assert_eq!(nested.key_at(ListedKind::Lfs, &path), Some(key));
        assert_eq!(
            nested.blob(&BlobKey::Xorb([0xab; 32])).as_ref(),
            format!("hub/blobs-1/xorbs/ab/ab/{}", "ab".repeat(32))
        );
        let misfiled = Path::from(format!("hub/blobs-1/lfs/00/00/{hex}"));
        assert_eq!(nested.key_at(ListedKind::Lfs, &misfiled), None);
        assert_eq!(
            nested.key_at(ListedKind::Lfs, &Path::from("hub/blobs-1/lfs/stray")),
            None
        );
        let upload = UploadId::parse("up-1").unwrap();
        let part = nested.part(&upload, 3, "ab");
        assert_eq!(part.as_ref(), "hub/blobs-1/parts/up-1/3.ab");
        assert_eq!(nested.upload_of(&part), Some(upload));
        for bad in ["a/../b", "a/./b", "a b", "é", "a%2f"] {
            assert!(Layout::new(bad).is_err(), "{bad:?}");
        }
    }
}
