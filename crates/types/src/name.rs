//! Repository types and `namespace/name` repository names.

use std::fmt;
use std::str::FromStr;

/// Namespaces that would collide with our own routes or the Hub's, refused for users,
/// organisations and repos alike.
pub const RESERVED_NAMESPACES: &[&str] = &[
    "api",
    "assets",
    "blog",
    "collections",
    "compare",
    "datasets",
    "docs",
    "funders",
    "join",
    "login",
    "logout",
    "metrics",
    "models",
    "new",
    "oauth",
    "organizations",
    "pricing",
    "providers",
    "search",
    "settings",
    "spaces",
    "static",
    "user",
    "users",
    "v1",
    "v2",
    "xet-cas",
];

const MAX_NAME_LEN: usize = 96;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RepoType {
    Model,
    Dataset,
}

impl RepoType {
    /// `model` / `dataset`, as the Hub spells it in JSON bodies (`"type": "dataset"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RepoType::Model => "model",
            RepoType::Dataset => "dataset",
        }
    }

    /// `models` / `datasets`, as used in `/api/{plural}/...` routes.
    pub fn plural(self) -> &'static str {
        match self {
            RepoType::Model => "models",
            RepoType::Dataset => "datasets",
        }
    }

    /// Prefix of the web and resolve URLs: empty for models, `datasets/` for datasets.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoType::Model => "",
            RepoType::Dataset => "datasets/",
        }
    }

    pub fn from_plural(s: &str) -> Option<RepoType> {
        match s {
            "models" => Some(RepoType::Model),
            "datasets" => Some(RepoType::Dataset),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Option<RepoType> {
        match s {
            "model" => Some(RepoType::Model),
            "dataset" => Some(RepoType::Dataset),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NameError {
    #[error("a repo id has the form namespace/name, got {0:?}")]
    Shape(String),
    #[error(
        "{0:?} is not a valid name: use 1 to 96 letters, digits, '-', '_' or '.', starting and \
         ending with a letter or digit, without '--' or '..'"
    )]
    Invalid(String),
    #[error("{0:?} may not end in .git")]
    GitSuffix(String),
    #[error("{0:?} is a reserved name; choose another namespace")]
    Reserved(String),
}

/// Validates a user, organisation or repo name component.
pub fn validate_account_name(s: &str) -> Result<(), NameError> {
    let bytes = s.as_bytes();
    let edge_ok = |b: u8| b.is_ascii_alphanumeric();
    let valid = !s.is_empty()
        && s.len() <= MAX_NAME_LEN
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && edge_ok(bytes[0])
        && edge_ok(bytes[bytes.len() - 1])
        && !s.contains("--")
        && !s.contains("..");
    if !valid {
        return Err(NameError::Invalid(s.chars().take(120).collect()));
    }
    if s.to_ascii_lowercase().ends_with(".git") {
        return Err(NameError::GitSuffix(s.to_string()));
    }
    Ok(())
}

fn validate_namespace(s: &str) -> Result<(), NameError> {
    validate_account_name(s)?;
    if RESERVED_NAMESPACES.contains(&s.to_ascii_lowercase().as_str()) {
        return Err(NameError::Reserved(s.to_string()));
    }
    Ok(())
}

/// A validated `namespace/name`. Case is preserved for display; uniqueness is decided on
/// [`RepoName::key`], the lower-cased form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoName {
    namespace: String,
    name: String,
}

impl RepoName {
    pub fn new(namespace: &str, name: &str) -> Result<RepoName, NameError> {
        validate_namespace(namespace)?;
        validate_account_name(name)?;
        Ok(RepoName {
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Case-folded `namespace/name`, the uniqueness key.
    pub fn key(&self) -> String {
        let mut key = String::with_capacity(self.namespace.len() + 1 + self.name.len());
        key.push_str(&self.namespace);
        key.push('/');
        key.push_str(&self.name);
        key.make_ascii_lowercase();
        key
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

impl fmt::Debug for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RepoName({self})")
    }
}

impl FromStr for RepoName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (ns, name) = s
            .split_once('/')
            .ok_or_else(|| NameError::Shape(s.to_string()))?;
        if name.contains('/') {
            return Err(NameError::Shape(s.to_string()));
        }
        RepoName::new(ns, name)
    }
}

impl serde::Serialize for RepoName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RepoName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hub_style_names() {
        for ok in ["acme/tiny-llm", "a/b", "Org_1/Model.v2", "someone/x-1.5B"] {
            assert!(ok.parse::<RepoName>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_bad_names() {
        for bad in [
            "noslash",
            "a/b/c",
            "/b",
            "a/",
            "a/-x",
            "a/x-",
            "a/x--y",
            "a/x..y",
            "a/.x",
            "a/x.git",
            "a/X.GIT",
            "api/x",
            "Datasets/x",
            "xet-cas/x",
            "a/x y",
            "a/é",
            "a/\0",
        ] {
            assert!(bad.parse::<RepoName>().is_err(), "{bad}");
        }
        assert!(RepoName::new("a", &"x".repeat(97)).is_err());
    }

    #[test]
    fn key_is_case_insensitive() {
        let a: RepoName = "Acme/Model".parse().unwrap();
        let b: RepoName = "acme/MODEL".parse().unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.to_string(), "Acme/Model");
    }
}
