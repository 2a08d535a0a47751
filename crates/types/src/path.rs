//! Paths of files inside a repository, validated against hostile input.

use std::fmt;

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
    #[error("path {0:?} contains a '.git' component, which is reserved")]
    GitComponent(String),
}

/// A validated, normalised repository path: `/`-separated, relative, no `.`/`..`/empty
/// components, no `.git` component, no control characters, at most 1024 bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoPath(String);

impl RepoPath {
    pub fn new(s: &str) -> Result<RepoPath, PathError> {
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
        if s.contains('\\') {
            return Err(PathError::Backslash(shown()));
        }
        if s.chars().any(char::is_control) {
            return Err(PathError::Control(shown()));
        }
        for component in s.split('/') {
            if component.is_empty() || component == "." || component == ".." {
                return Err(PathError::DotComponent(shown()));
            }
            if component.eq_ignore_ascii_case(".git") {
                return Err(PathError::GitComponent(shown()));
            }
        }
        Ok(RepoPath(s.to_string()))
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
    }
}
