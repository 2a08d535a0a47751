//! The vocabularies of discussions and pull requests, as the Hub spells them on the wire and as
//! they are stored: a status and the kinds of events in a discussion's history.

/// Where a discussion or pull request stands. A pull request opened empty is a `draft` until its
/// first commit; a merged one never changes again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiscussionStatus {
    Draft,
    Open,
    Closed,
    Merged,
}

impl DiscussionStatus {
    pub const ALL: [DiscussionStatus; 4] = [
        DiscussionStatus::Draft,
        DiscussionStatus::Open,
        DiscussionStatus::Closed,
        DiscussionStatus::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiscussionStatus::Draft => "draft",
            DiscussionStatus::Open => "open",
            DiscussionStatus::Closed => "closed",
            DiscussionStatus::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<DiscussionStatus> {
        DiscussionStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Open or draft: it takes comments and commits, and a pull request may merge.
    pub fn is_open(self) -> bool {
        matches!(self, DiscussionStatus::Draft | DiscussionStatus::Open)
    }
}

impl std::fmt::Display for DiscussionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an event in a discussion's history records; its data's shape depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscussionEventKind {
    /// `{"raw": text}`.
    Comment,
    /// `{"status": new status}`.
    StatusChange,
    /// `{"from": old title, "to": new title}`.
    TitleChange,
    /// `{"subject": summary, "oid": commit id}`: a commit pushed to a pull request.
    Commit,
}

impl DiscussionEventKind {
    pub const ALL: [DiscussionEventKind; 4] = [
        DiscussionEventKind::Comment,
        DiscussionEventKind::StatusChange,
        DiscussionEventKind::TitleChange,
        DiscussionEventKind::Commit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiscussionEventKind::Comment => "comment",
            DiscussionEventKind::StatusChange => "status-change",
            DiscussionEventKind::TitleChange => "title-change",
            DiscussionEventKind::Commit => "commit",
        }
    }

    pub fn parse(s: &str) -> Option<DiscussionEventKind> {
        DiscussionEventKind::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_and_stored_spellings_are_one() {
        for s in DiscussionStatus::ALL {
            assert_eq!(DiscussionStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in DiscussionEventKind::ALL {
            assert_eq!(DiscussionEventKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(DiscussionStatus::parse("Open"), None);
        assert!(DiscussionStatus::Draft.is_open() && !DiscussionStatus::Merged.is_open());
    }
}
