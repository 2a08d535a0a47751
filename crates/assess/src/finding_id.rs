//! The finding ids (`OW001` ...), each with its slug, default severity and the rule of
//! `docs/openness/definition.md` it is raised under: one table, so that an id cannot have a
//! slug without a rule. Ids are never reused; their spelling is what assessments store and send.

use crate::model::Severity;

macro_rules! finding_ids {
    ($($variant:ident = $id:literal, $slug:literal, $severity:ident, $rule:literal;)*) => {
        /// An open-washing or safety finding's stable id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(into = "&'static str", try_from = "String")]
        pub enum FindingId {
            $(#[doc = $slug] $variant,)*
        }

        impl FindingId {
            pub const ALL: &[FindingId] = &[$(FindingId::$variant,)*];

            /// `OW001` ...: the spelling on the wire and in stored assessments.
            pub fn as_str(self) -> &'static str {
                match self { $(FindingId::$variant => $id,)* }
            }

            /// Stable kebab-case name, e.g. `open-source-claim-non-osi`.
            pub fn slug(self) -> &'static str {
                match self { $(FindingId::$variant => $slug,)* }
            }

            /// The severity it is raised with unless the judgment says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(FindingId::$variant => Severity::$severity,)* }
            }

            /// The rule of the definition it is raised under (the findings table's column).
            pub fn rule(self) -> &'static str {
                match self { $(FindingId::$variant => $rule,)* }
            }
        }
    };
}

finding_ids! {
    OpenSourceClaimNonOsi = "OW001", "open-source-claim-non-osi", High, "C4";
    CardLicenceMismatch = "OW002", "card-licence-mismatch", Medium, "L7";
    NoLicenceFile = "OW003", "no-licence-file", Medium, "L1";
    SplitLicenceRestrictedWeights = "OW004", "split-licence-restricted-weights", High, "L9";
    UndisclosedTrainingData = "OW005", "undisclosed-training-data", Medium, "D7";
    BaseModelRestricted = "OW006", "base-model-restricted", Medium, "G3";
    BaseModelUndisclosedData = "OW007", "base-model-undisclosed-data", Medium, "G5";
    WeightsMissing = "OW008", "weights-missing", High, "T1";
    WeightsTruncated = "OW009", "weights-truncated", High, "T1";
    WeightsUnreadable = "OW010", "weights-unreadable", Medium, "T1";
    UnsafeSerialization = "OW011", "unsafe-serialization", Critical, "T1";
    RestrictiveLicenceTerms = "OW012", "restrictive-licence-terms", Medium, "T2";
    ManifestClaimUnverified = "OW013", "manifest-claim-unverified", Low, "M3";
    BaseModelUnassessed = "OW014", "base-model-unassessed", Info, "G2";
    CardMetadataInvalid = "OW015", "card-metadata-invalid", Low, "A1";
    DatasetLicenceNotOpenData = "OW016", "dataset-licence-not-open-data", Medium, "M2";
    DataCardIncomplete = "OW017", "data-card-incomplete", Low, "D1";
    OpenSourceClaimFailsOsaid = "OW018", "open-source-claim-fails-osaid", High, "C5";
    WeightsNotScanned = "OW019", "weights-not-scanned", Info, "P3";
}

impl FindingId {
    pub fn parse(s: &str) -> Option<FindingId> {
        FindingId::ALL.iter().copied().find(|id| id.as_str() == s)
    }
}

impl std::fmt::Display for FindingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<FindingId> for &'static str {
    fn from(id: FindingId) -> &'static str {
        id.as_str()
    }
}

impl TryFrom<String> for FindingId {
    type Error = String;

    fn try_from(s: String) -> Result<FindingId, String> {
        FindingId::parse(&s).ok_or_else(|| format!("unknown finding id {s:?}"))
    }
}

/// A stored or sent id compares with its spelling (`f.id == "OW001"`).
impl PartialEq<&str> for FindingId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_spelled_once_and_round_trip() {
        for (n, id) in FindingId::ALL.iter().enumerate() {
            assert_eq!(id.as_str(), format!("OW{:03}", n + 1));
            assert_eq!(FindingId::parse(id.as_str()), Some(*id));
            let json = serde_json::to_string(id).unwrap();
            assert_eq!(json, format!("\"{id}\""));
            assert_eq!(serde_json::from_str::<FindingId>(&json).unwrap(), *id);
        }
        assert!(serde_json::from_str::<FindingId>("\"OW999\"").is_err());
    }
}
