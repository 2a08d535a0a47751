//! Where things live under the store's root. The only code that turns keys into paths.
//!
//! ```text
//! <root>/lfs/ab/cd/abcd…(64 hex)     committed blobs, fanned out by the first two bytes
//! <root>/xorbs/ab/cd/abcd…(64 hex)   Xet xorbs by their raw hash bytes, fanned out the same way
//! <root>/git-blobs/ab/cd/abcd…(40 hex) copies of large git blobs by their git id, the same way
//! <root>/tmp/<random>                writes in progress (same filesystem, so rename is atomic)
//! <root>/parts/<upload id>/<n>.<etag> multipart parts, one file per accepted attempt
//! ```

use std::path::{Path, PathBuf};

use crate::key::{BlobKey, ListedKind, UploadId};

#[derive(Debug)]
pub(crate) struct Layout {
    root: PathBuf,
}

impl Layout {
    pub(crate) fn new(root: PathBuf) -> Layout {
        Layout { root }
    }

    pub(crate) fn lfs_dir(&self) -> PathBuf {
        self.root.join("lfs")
    }

    /// Where keys of `kind` are filed.
    pub(crate) fn kind_dir(&self, kind: ListedKind) -> PathBuf {
        self.root.join(kind.dir())
    }

    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub(crate) fn parts_dir(&self) -> PathBuf {
        self.root.join("parts")
    }

    pub(crate) fn blob_path(&self, key: &BlobKey) -> PathBuf {
        let (dir, hex) = key.dir_and_hex();
        let (a, b) = (
            hex.get(0..2).unwrap_or_default(),
            hex.get(2..4).unwrap_or_default(),
        );
        self.root.join(dir).join(a).join(b).join(&hex)
    }

    /// A fresh, unique temp file name.
    pub(crate) fn temp_path(&self) -> PathBuf {
        self.tmp_dir().join(hex::encode(rand::random::<[u8; 16]>()))
    }

    pub(crate) fn upload_dir(&self, upload: &UploadId) -> PathBuf {
        self.parts_dir().join(upload.as_str())
    }

    /// `etag` must have passed [`crate::key::check_part_list`] (it comes from the client).
    pub(crate) fn part_path(&self, upload: &UploadId, part: u32, etag: &str) -> PathBuf {
        self.upload_dir(upload).join(format!("{part}.{etag}"))
    }
}

/// A temp file that is removed when dropped unless [`TempFile::disarm`]ed: the reason a
/// dropped or failed write leaves nothing behind.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: Option<PathBuf>,
}

impl TempFile {
    pub(crate) fn new(path: PathBuf) -> TempFile {
        TempFile { path: Some(path) }
    }

    pub(crate) fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }

    /// The file has been renamed into place; stop owning it.
    pub(crate) fn disarm(mut self) {
        self.path = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // Best effort: a leftover is removed by the next `open`'s cleanup.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Makes a directory's entries durable (a rename is only durable once its directory is synced).
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}
