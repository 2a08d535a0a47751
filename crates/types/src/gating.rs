//! The vocabularies of gated repositories: a repo's gating mode and an access request's status,
//! each with one spelling on the wire and in the database.

/// Whether a repo's files need a granted access request, and how requests are granted. Set only
/// through the repo's settings, never by its card.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Gating {
    /// Anyone who can see the repo can read its files.
    #[default]
    Open,
    /// A request is accepted as soon as it is made.
    Auto,
    /// A request waits for an owner to accept it.
    Manual,
}

impl Gating {
    /// The stored and wire spelling of a gated mode; `None` when not gated (`gated: false`).
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            Gating::Open => None,
            Gating::Auto => Some("auto"),
            Gating::Manual => Some("manual"),
        }
    }

    /// Reads a stored mode: `None` (or an empty text) is not gated; an unknown word is `None`.
    pub fn parse(stored: Option<&str>) -> Option<Gating> {
        match stored {
            None | Some("") => Some(Gating::Open),
            Some("auto") => Some(Gating::Auto),
            Some("manual") => Some(Gating::Manual),
            Some(_) => None,
        }
    }

    pub fn is_gated(self) -> bool {
        self != Gating::Open
    }
}

/// Where an access request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessStatus {
    Pending,
    Accepted,
    Rejected,
}

impl AccessStatus {
    pub const ALL: [AccessStatus; 3] = [
        AccessStatus::Pending,
        AccessStatus::Accepted,
        AccessStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessStatus::Pending => "pending",
            AccessStatus::Accepted => "accepted",
            AccessStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<AccessStatus> {
        AccessStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for AccessStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for g in [Gating::Open, Gating::Auto, Gating::Manual] {
            assert_eq!(Gating::parse(g.as_str()), Some(g));
        }
        assert_eq!(Gating::parse(Some("sometimes")), None);
        for s in AccessStatus::ALL {
            assert_eq!(AccessStatus::parse(s.as_str()), Some(s));
        }
    }
}
