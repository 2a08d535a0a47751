//! Where a re-assessment run stands.

/// A run is `queued` until a server claims it, `running` while one works it (a claim that
/// grows stale is taken over), and `done` for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReassessStatus {
    Queued,
    Running,
    Done,
}

impl ReassessStatus {
    pub const ALL: [ReassessStatus; 3] = [
        ReassessStatus::Queued,
        ReassessStatus::Running,
        ReassessStatus::Done,
    ];

    /// The spelling stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ReassessStatus::Queued => "queued",
            ReassessStatus::Running => "running",
            ReassessStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<ReassessStatus> {
        ReassessStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for ReassessStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_storage_spell_it_alike() {
        for s in ReassessStatus::ALL {
            assert_eq!(ReassessStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(ReassessStatus::parse("Done"), None);
    }
}
