//! The refs a repo holds, by kind: branches, tags and pull requests (`refs/pr/N`), the only
//! three the Hub knows. Stored and sent by their full git names.

use std::fmt;

/// The default branch's full name: what the catalogue, the assessor and the summaries follow.
pub const MAIN_REF: &str = "refs/heads/main";

const BRANCH: &str = "refs/heads/";
const TAG: &str = "refs/tags/";
const PULL_REQUEST: &str = "refs/pr/";

/// A ref's kind and short name. Displays as its full name (`refs/heads/main`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RefName {
    Branch(String),
    Tag(String),
    /// A pull request's commits, by the number it shares with its discussion.
    PullRequest(u64),
}

impl RefName {
    /// The ref a full name names; `None` for anything else (`refs/notes/x`, `refs/pr/x`, `main`).
    pub fn parse(full: &str) -> Option<RefName> {
        let short = |prefix: &str| full.strip_prefix(prefix).filter(|s| !s.is_empty());
        if let Some(b) = short(BRANCH) {
            Some(RefName::Branch(b.to_owned()))
        } else if let Some(t) = short(TAG) {
            Some(RefName::Tag(t.to_owned()))
        } else {
            short(PULL_REQUEST)?.parse().ok().map(RefName::PullRequest)
        }
    }

    /// Whether `full` is the branch named `short` (no allocation: the download path asks).
    pub fn names_branch(full: &str, short: &str) -> bool {
        full.strip_prefix(BRANCH) == Some(short)
    }

    /// Whether `full` is the tag named `short`.
    pub fn names_tag(full: &str, short: &str) -> bool {
        full.strip_prefix(TAG) == Some(short)
    }

    /// Whether `full` names a pull request's ref.
    pub fn is_pull_request(full: &str) -> bool {
        matches!(RefName::parse(full), Some(RefName::PullRequest(_)))
    }
}

impl fmt::Display for RefName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefName::Branch(b) => write!(f, "{BRANCH}{b}"),
            RefName::Tag(t) => write!(f, "{TAG}{t}"),
            RefName::PullRequest(n) => write!(f, "{PULL_REQUEST}{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_names_round_trip_and_others_are_none() {
        for full in [
            "refs/heads/main",
            "refs/heads/a/b",
            "refs/tags/v1",
            "refs/pr/12",
        ] {
            assert_eq!(RefName::parse(full).unwrap().to_string(), full);
        }
        assert_eq!(
            RefName::parse(MAIN_REF),
            Some(RefName::Branch("main".into()))
        );
        for other in [
            "main",
            "refs/heads/",
            "refs/pr/x",
            "refs/pr/",
            "refs/notes/a",
        ] {
            assert_eq!(RefName::parse(other), None, "{other}");
        }
        assert!(RefName::is_pull_request("refs/pr/3"));
        assert!(RefName::names_branch("refs/heads/main", "main"));
        assert!(!RefName::names_branch("refs/tags/main", "main"));
        assert!(RefName::names_tag("refs/tags/v1", "v1"));
        assert!(!RefName::is_pull_request("refs/heads/pr/3"));
    }
}
