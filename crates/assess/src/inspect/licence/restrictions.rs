//! Restrictive clauses in licence texts, quoted with their line.
//!
//! These are the clauses that make a licence fail the Open Source Definition for AI: use
//! policies, field-of-use bans, user caps, naming duties, bans on improving other models,
//! revocation, and non-commercial or research-only grants. Phrases are matched on normalised
//! words (see `normalize`), so a re-wrapped text yields the same clauses.

use std::collections::BTreeSet;

use serde::Serialize;

use super::normalize::Words;
use crate::inspect::card::quote;

/// The kind of a restrictive clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RestrictionKind {
    /// Use is bound to an acceptable-use policy or a list of use-based restrictions.
    AcceptableUsePolicy,
    /// Certain fields or purposes of use are banned.
    FieldOfUse,
    /// Large users need another licence (e.g. Llama's 700 million monthly active users).
    UserCap,
    /// Derivatives must carry a name or notice ("Built with Llama").
    NamingObligation,
    /// Outputs may not be used to improve other models.
    NoImprovingOtherModels,
    /// The licensor may terminate or restrict use at will.
    Revocation,
    /// Commercial use is not granted.
    NonCommercial,
    /// Only research use is granted.
    ResearchOnly,
}

/// A restrictive clause found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restriction {
    /// The kind of restriction.
    pub kind: RestrictionKind,
    /// The 1-based line where the clause starts.
    pub line: usize,
    /// That line, trimmed and shortened.
    pub quote: String,
}

/// The most restrictions reported for one text.
const RESTRICTIONS_MAX: usize = 200;

/// Phrases per kind (normalised when matched).
const PHRASES: &[(RestrictionKind, &[&str])] = &[
    (
        RestrictionKind::AcceptableUsePolicy,
        &[
            "acceptable use policy",
            "use based restrictions",
            "prohibited use policy",
        ],
    ),
    (
        RestrictionKind::FieldOfUse,
        &[
            "you agree not to use the model",
            "you agree you will not use or allow others to use",
            "cannot use the model and the derivatives of the model for the specified restricted uses",
            "military",
        ],
    ),
    (RestrictionKind::UserCap, &["monthly active users"]),
    (
        RestrictionKind::NamingObligation,
        &[
            "built with",
            "at the beginning of any such ai model name",
            "powered by",
        ],
    ),
    (
        RestrictionKind::NoImprovingOtherModels,
        &[
            "to improve any other large language model",
            "improve any other",
            "to train any other",
        ],
    ),
    (
        RestrictionKind::Revocation,
        &[
            "may terminate this agreement",
            "reserves the right to restrict",
            "remotely or otherwise",
        ],
    ),
    (
        RestrictionKind::NonCommercial,
        &[
            "non commercial",
            "noncommercial",
            "not for commercial",
            "commercial use is not permitted",
            "commercial use is prohibited",
        ],
    ),
    (
        RestrictionKind::ResearchOnly,
        &[
            "research purposes only",
            "research or evaluation purposes only",
            "for research only",
            "research license agreement",
        ],
    ),
];

/// Every restrictive clause in `text`, one per kind and line, in line order.
pub(super) fn find(text: &str, words: &Words) -> Vec<Restriction> {
    let mut found = BTreeSet::new();
    for (kind, phrases) in PHRASES {
        for phrase in *phrases {
            for line in words.find_all(phrase) {
                if found.len() >= RESTRICTIONS_MAX {
                    break;
                }
                found.insert((line, *kind));
            }
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    found
        .into_iter()
        .map(|(line, kind)| Restriction {
            kind,
            line,
            quote: lines
                .get(line.saturating_sub(1))
                .map(|l| quote(l))
                .unwrap_or_default(),
        })
        .collect()
}
