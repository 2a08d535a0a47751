//! Paths of files inside a repository, validated against hostile input.
//!
//! New paths follow git's own rules (`verify_path` with `core.protectNTFS` and
//! `core.protectHFS`, which git turns on when it checks out on those file systems), so that no
//! checkout of a repo held here can write into a `.git` directory: a component that NTFS or
//! HFS+ would open as `.git` is refused, whatever its case, trailing dots or spaces
//! (`.git.`, `.git `), 8.3 short name (`GIT~1`) or NTFS stream suffix (`.git::$INDEX_ALLOCATION`).
//! HFS+ ignores some invisible code points when it compares names (`.g\u{200c}it` is `.git`
//! there); those, the bidirectional controls and the zero-width characters are refused
//! anywhere, since they make two names that look the same differ (or one name look like
//! another). Paths equal after Unicode normalisation are refused at the commit, which sees the
//! whole tree (`commonhold_hub`).

use std::borrow::Borrow;
use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::is_nfc;

/// Longest path accepted, in bytes (the Hub's own limit).
pub const MAX_PATH_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error("path is empty")]
    Empty,
    #[error("path is {0} bytes long; the limit is 1024")]
    TooLong(usize),
    #[error("path {0:?} must be relative (no leading '/')")]
    Absolute(String),
    #[error("path {0:?} contains a backslash; use '/' to separate directories")]
    Backslash(String),
    #[error("path {0:?} contains a NUL or control character")]
    Control(String),
    #[error("path {0:?} contains an empty, '.' or '..' component")]
    DotComponent(String),
    #[error(
        "path {0:?} has a component that git would read as '.git' (such as .git, .git., \
         .git followed by spaces, or GIT~1), which is reserved"
    )]
    GitComponent(String),
    #[error(
        "path {0:?} contains the invisible or direction-changing character U+{1:04X}; \
         rename the file without it"
    )]
    Invisible(String, u32),
}

/// Whether `c` is invisible or changes the direction of the text around it: the bidirectional
/// controls (embeddings, overrides, isolates, marks), the zero-width characters and the word
/// joiner family, and the deprecated format characters HFS+ also ignores in names.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// Whether NTFS would open a file named `component` as `.git`: `.git` or its 8.3 short name
/// `git~N`, in any case, followed only by dots and spaces (which NTFS drops), up to the end or
/// an alternate-data-stream suffix (`:stream`). Invisible characters (which HFS+ drops) are
/// refused before this is asked, so this also covers HFS+.
fn is_dotgit(component: &str) -> bool {
    let name = component.split(':').next().unwrap_or(component);
    let name = name.trim_end_matches(['.', ' ']);
    if name.eq_ignore_ascii_case(".git") {
        return true;
    }
    // Git checks `git~1` (`.git` is the first entry of a fresh clone); a checkout into a
    // directory that already has other `git*` names may give `.git` a later number.
    name.get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("git~"))
        && name[4..].starts_with(|c: char| ('1'..='9').contains(&c))
        && name[4..].bytes().all(|b| b.is_ascii_digit())
}

/// A validated, normalised repository path: `/`-separated, relative, no `.`/`..`/empty
/// components, no component git reads as `.git`, no control, invisible or bidirectional-control
/// characters, at most 1024 bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoPath(String);

impl RepoPath {
    /// A path a client names: every rule applies.
    pub fn new(s: &str) -> Result<RepoPath, PathError> {
        let shown = || s.chars().take(120).collect::<String>();
        Self::check_shape(s)?;
        if s.contains('\\') {
            return Err(PathError::Backslash(shown()));
        }
        if s.chars().any(char::is_control) {
            return Err(PathError::Control(shown()));
        }
        if let Some(c) = s.chars().find(|c| is_invisible(*c)) {
            return Err(PathError::Invisible(shown(), u32::from(c)));
        }
        if s.split('/').any(is_dotgit) {
            return Err(PathError::GitComponent(shown()));
        }
        Ok(RepoPath(s.to_string()))
    }

    /// A path read back from a stored tree. It was checked when it was committed, under the
    /// rules of the day, and history is kept as it is (a repo must stay committable even if
    /// the rules have grown since): only the shape trees need is checked.
    pub fn stored(s: &str) -> Result<RepoPath, PathError> {
        Self::check_shape(s)?;
        Ok(RepoPath(s.to_string()))
    }

    fn check_shape(s: &str) -> Result<(), PathError> {
        let shown = || s.chars().take(120).collect::<String>();
        if s.is_empty() {
            return Err(PathError::Empty);
        }
        if s.len() > MAX_PATH_BYTES {
            return Err(PathError::TooLong(s.len()));
        }
        if s.starts_with('/') {
            return Err(PathError::Absolute(shown()));
        }
        if s.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return Err(PathError::DotComponent(shown()));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last component.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// Whether the path is in Unicode NFC already (every ASCII path is; checking is fast).
    pub fn is_nfc(&self) -> bool {
        is_nfc(&self.0)
    }
}

/// `s` in Unicode Normalization Form C: the key under which two spellings of one name (`é` as
/// one code point, or `e` and a combining accent) are the same.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Paths order and compare as their text, so maps keyed by paths can be searched by `&str`.
impl Borrow<str> for RepoPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RepoPath({:?})", self.0)
    }
}

impl AsRef<str> for RepoPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_paths() {
        for ok in [
            "README.md",
            "a/b/c.safetensors",
            "données/é.txt",
            ".gitattributes",
            "a.git.x/y",
            ".github/workflows/ci.yml",
            ".git-blame-ignore-revs",
            "git~1.txt/x",
            "git~0",
            "git~",
            "x.git",
            "日本語/ファイル.txt",
            "cafe\u{301}.txt",
            "👍.md",
        ] {
            assert_eq!(RepoPath::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_hostile_paths() {
        let long = "a".repeat(1025);
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a/./b",
            "a//b",
            "a/",
            "a\\b",
            "a\0b",
            "a\nb",
            "a\u{7f}b",
            ".git/config",
            "x/.GIT/y",
            long.as_str(),
        ] {
            assert!(RepoPath::new(bad).is_err(), "{bad:?}");
        }
        assert!(RepoPath::new(&"a".repeat(1024)).is_ok());
        for git in [
            ".git",
            ".git.",
            ".git ",
            ".git. . ",
            ".GiT..",
            "a/.git./hooks/post-checkout",
            "GIT~1",
            "git~1/config",
            "Git~2. ",
            ".git::$INDEX_ALLOCATION/x",
            ".git:stream",
            "git~1:x",
        ] {
            assert!(
                matches!(RepoPath::new(git), Err(PathError::GitComponent(_))),
                "{git:?}: {:?}",
                RepoPath::new(git)
            );
        }
        for (bad, c) in [
            ("a\u{202E}txt.exe", 0x202E),
            ("\u{2066}x\u{2069}", 0x2066),
            ("a\u{200B}b", 0x200B),
            ("a\u{200C}b", 0x200C),
            ("a\u{200D}b", 0x200D),
            ("\u{FEFF}README.md", 0xFEFF),
            ("a\u{2060}b", 0x2060),
            ("a\u{200E}b", 0x200E),
            // HFS+ drops these when it compares names: this is `.git` on a Mac.
            (".g\u{200C}it/config", 0x200C),
            (".git\u{206A}/config", 0x206A),
        ] {
            assert_eq!(
                RepoPath::new(bad),
                Err(PathError::Invisible(bad.to_string(), c)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn stored_paths_keep_history_but_not_broken_shapes() {
        assert!(RepoPath::stored("old/\u{200B}.txt").is_ok());
        assert!(RepoPath::stored(".git ").is_ok());
        for bad in ["", "/a", "a//b", "a/../b", "a/"] {
            assert!(RepoPath::stored(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn normalisation() {
        let decomposed = RepoPath::new("cafe\u{301}/x").unwrap();
        assert!(!decomposed.is_nfc());
        assert_eq!(nfc(decomposed.as_str()), "caf\u{e9}/x");
        assert!(RepoPath::new("caf\u{e9}/x").unwrap().is_nfc());
        assert!(RepoPath::new("plain/ascii.txt").unwrap().is_nfc());
    }
}
