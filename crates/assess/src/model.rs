//! The `Assessment`: what the assessor concludes about one release, with evidence.
//!
//! This is a versioned, stored format (the hub keeps one per commit): bump
//! [`SCHEMA_VERSION`] on any incompatible change and keep
//! `docs/openness/assessment.schema.json` in step.

use crate::finding_id::FindingId;
use commonhold_types::RepoType;
use serde::{Deserialize, Serialize};

pub use crate::knowledge::KnowledgeStamp;
use crate::mof::{Component, MofResult};

/// Version of the `Assessment` JSON format.
pub const SCHEMA_VERSION: u32 = 1;

/// Version of the openness definition (tiers, findings) in `docs/openness/definition.md`.
pub const DEFINITION_VERSION: &str = "2026.2";

/// Where a judgment comes from: a line of a file in the release, or a URL found in one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A file of the release; `root` is the commit id or directory assessed.
    File {
        root: String,
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
    },
    /// A link, with the file and line it was found on when known.
    Url {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
    },
    /// A branch or tag of the same repository (definition R1), as the caller listed it.
    Revision { name: String },
    /// Declared in the MOF manifest given to the assessor, not found in the release.
    Manifest {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        component_path: Option<String>,
    },
    /// A family of the knowledge file of base models (definition K3): which family, the
    /// licence and data grade it records, where they were read and when.
    Knowledge {
        family: String,
        /// The family's name, for people.
        name: String,
        /// The knowledge file's version.
        version: String,
        licence: String,
        flows_down: bool,
        data: DataGrade,
        source: String,
        checked: String,
    },
}

/// How a component is evidenced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    /// A file in the release.
    Present,
    /// Only a URL in the card or metadata: counted toward MOF as MOT counts a declaration, but
    /// not verified.
    Linked,
    /// Only the MOF manifest says so; not counted.
    DeclaredUnverified,
    Absent,
}

impl ComponentState {
    /// True when MOF counts the component (present or linked).
    pub fn counts(self) -> bool {
        matches!(self, ComponentState::Present | ComponentState::Linked)
    }
}

/// One of MOF's 17 components as found in the release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentAssessment {
    pub component: Component,
    /// MOF's name for it, e.g. "Model parameters (Final)".
    pub name: String,
    pub state: ComponentState,
    /// The licence that applies to it (its own file, else the release's licence).
    pub licence: Option<String>,
    pub evidence: Vec<Evidence>,
    /// The rule of the definition that decided its state (e.g. `A4`, `R1`).
    #[serde(default)]
    pub rule: Option<String>,
}

/// A licence found in the release, with its flags and the restrictive clauses it contains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicenceFinding {
    /// SPDX id, or a Hub id such as `llama3.1`.
    pub id: String,
    pub name: String,
    /// What it governs: `distribution`, `code`, `weights`, `use-policy` or `card`.
    pub scope: String,
    pub osi_approved: bool,
    pub fsf_libre: bool,
    pub open_data: bool,
    /// Restricts use, users or field of use.
    pub restrictive: bool,
    pub restrictions: Vec<RestrictionFinding>,
    pub evidence: Evidence,
    /// The file only refers to terms published elsewhere (definition N1): it identifies the
    /// licence but is not a licence text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notice: bool,
    /// The base model whose licence this is, when it governs the weights by flowing down to
    /// this derivative (definition G3); `evidence` is where the base was resolved (its page on
    /// the hub, or the knowledge file's family).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<String>,
}

/// A restrictive clause, quoted with its line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictionFinding {
    /// e.g. `user-cap`, `acceptable-use-policy`.
    pub kind: String,
    pub quote: String,
    pub evidence: Evidence,
}

/// A weight file as read from its header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightFile {
    pub path: String,
    pub format: String,
    pub size: u64,
    pub tensors: Option<u64>,
    pub parameters: Option<u64>,
    pub dtypes: Vec<String>,
    pub truncated: bool,
    pub intermediate: bool,
    pub error: Option<String>,
    pub unsafe_imports: Vec<String>,
    /// Set when the file is a Git LFS pointer (P2): the blob's oid and declared size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs_pointer: Option<crate::inspect::LfsPointer>,
    /// False when the header and pickle scans were not performed (an LFS pointer, P3).
    #[serde(default = "scanned_by_default")]
    pub scanned: bool,
}

/// Assessments stored before definition 2026.2 scanned every weight file they list.
fn scanned_by_default() -> bool {
    true
}

/// Our tiers, best first (`docs/openness/definition.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tier {
    #[serde(rename = "open-science")]
    OpenScience,
    #[serde(rename = "open-tooling")]
    OpenTooling,
    #[serde(rename = "open-model")]
    OpenModel,
    #[serde(rename = "open-weights")]
    OpenWeights,
    #[serde(rename = "restricted-weights")]
    RestrictedWeights,
    #[serde(rename = "closed")]
    Closed,
    /// Datasets: the model tiers do not apply.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Tier {
    /// Model tiers from worst to best.
    pub const LADDER: [Tier; 6] = [
        Tier::Closed,
        Tier::RestrictedWeights,
        Tier::OpenWeights,
        Tier::OpenModel,
        Tier::OpenTooling,
        Tier::OpenScience,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::OpenScience => "open-science",
            Tier::OpenTooling => "open-tooling",
            Tier::OpenModel => "open-model",
            Tier::OpenWeights => "open-weights",
            Tier::RestrictedWeights => "restricted-weights",
            Tier::Closed => "closed",
            Tier::NotApplicable => "n/a",
        }
    }

    /// Parses a tier name as written in `--require-tier`.
    pub fn parse(s: &str) -> Option<Tier> {
        Tier::LADDER
            .into_iter()
            .chain([Tier::NotApplicable])
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Position on the ladder (0 = closed); `None` for `n/a`.
    pub fn rank(self) -> Option<usize> {
        Tier::LADDER.iter().position(|t| *t == self)
    }

    /// The next better tier, if any.
    pub fn next(self) -> Option<Tier> {
        self.rank().and_then(|r| Tier::LADDER.get(r + 1).copied())
    }

    /// True when `self` is at least as open as `required`. `n/a` meets only `n/a`.
    pub fn meets(self, required: Tier) -> bool {
        match (self.rank(), required.rank()) {
            (Some(have), Some(want)) => have >= want,
            _ => self == required,
        }
    }
}

/// How well training data is disclosed (`docs/openness/definition.md`, data information grade).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataGrade {
    /// Every source named (dataset id, link or Croissant) with sizes, and collection and
    /// filtering described.
    Open,
    /// Some sources or sizes named.
    Partial,
    /// Only generic statements.
    Closed,
}

impl DataGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            DataGrade::Open => "open",
            DataGrade::Partial => "partial",
            DataGrade::Closed => "closed",
        }
    }
}

/// A statement about the training data, quoted with where it is (definition D8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataStatement {
    /// The rule the statement answers: `D2` named source, `D3` size, `D4` collection, `D5`
    /// generic statement.
    pub rule: String,
    pub quote: String,
    pub evidence: Evidence,
}

impl DataStatement {
    /// What the statement is, for people: `named source`, `size`, `collection` or `generic
    /// statement`.
    pub fn kind(&self) -> &'static str {
        match self.rule.as_str() {
            "D2" => "named source",
            "D3" => "size",
            "D4" => "collection",
            "D5" => "generic statement",
            _ => "",
        }
    }
}

/// The data information grade and what it rests on (definition D1-D8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataInformation {
    /// After lineage (G5): the lower of the release's own grade and its bases'.
    pub grade: DataGrade,
    /// From the release's own files alone.
    pub own_grade: DataGrade,
    /// The rule that decided (`D6`, or `G5` when a base lowered the grade).
    pub rule: String,
    /// Named sources (D2).
    pub sources: Vec<DataStatement>,
    /// Sizes and counts (D3).
    pub sizes: Vec<DataStatement>,
    /// How the data was collected, filtered or labelled (D4).
    pub collection: Vec<DataStatement>,
    /// Generic statements that hide sources (D5).
    pub generic: Vec<DataStatement>,
}

impl DataInformation {
    /// Every statement the grade rests on: sources, sizes, collection, then generic ones.
    pub fn statements(&self) -> impl Iterator<Item = &DataStatement> {
        self.sources
            .iter()
            .chain(&self.sizes)
            .chain(&self.collection)
            .chain(&self.generic)
    }
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// An open-washing or safety finding, with a stable id (`OW001` ...) explained in
/// `docs/openness/definition.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: FindingId,
    /// Stable kebab-case name, e.g. `open-source-claim-non-osi`.
    pub slug: String,
    pub severity: Severity,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// The rule of the definition it is raised under (e.g. `C4`, `G3`).
    #[serde(default)]
    pub rule: Option<String>,
}

/// The OSI Open Source AI Definition 1.0 verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsaidVerdict {
    pub pass: bool,
    /// What is missing or not under OSI-approved terms; empty when `pass`.
    pub missing: Vec<String>,
}

/// What it takes to reach the next tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextTier {
    pub tier: Tier,
    pub steps: Vec<String>,
}

/// Data card sections a dataset repository should have.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCardCompleteness {
    pub composition: bool,
    pub collection: bool,
    pub provenance: bool,
    pub known_biases: bool,
}

/// Croissant metadata found in a dataset repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CroissantSummary {
    pub path: String,
    pub licence: Option<String>,
    pub record_sets: usize,
    pub has_rai: bool,
    pub rai_fields: Vec<String>,
    pub error: Option<String>,
}

/// The assessment of a dataset repository (its tier is `n/a`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetAssessment {
    pub licence: Option<String>,
    /// The licence is an open-data (or OSI-approved) licence.
    pub open_data: bool,
    pub card: DataCardCompleteness,
    pub croissant: Option<CroissantSummary>,
    pub data_files: usize,
}

/// The whole assessment of one release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub schema_version: u32,
    pub definition_version: String,
    /// Commit id or directory the evidence is relative to.
    pub root: String,
    pub repo_type: RepoType,
    /// When the caller says it was assessed (RFC 3339); the core reads no clock.
    pub assessed_at: Option<String>,
    pub files: usize,
    pub total_bytes: u64,
    pub licences: Vec<LicenceFinding>,
    pub components: Vec<ComponentAssessment>,
    pub weights: Vec<WeightFile>,
    /// MOF class computed from the release's own files (present and linked components).
    pub mof: MofResult,
    /// MOF class of the manifest as MOT would compute it, when a manifest was given.
    pub mof_declared: Option<MofResult>,
    pub osaid: OsaidVerdict,
    pub tier: Tier,
    /// The rule that decided the tier (`T1` ... `T6`, or `G3` when a base's terms flow down).
    #[serde(default)]
    pub tier_rule: Option<String>,
    pub next_tier: Option<NextTier>,
    pub findings: Vec<Finding>,
    pub dataset: Option<DatasetAssessment>,
    /// The data information grade (null in assessments made before definition 2026.2).
    #[serde(default)]
    pub data_information: Option<DataInformation>,
    /// The knowledge file of base-model families in force (absent in assessments made before
    /// definition 2026.2).
    #[serde(default)]
    pub knowledge: Option<KnowledgeStamp>,
}

impl Assessment {
    /// The component's assessment (always present: every one of the 17 is listed).
    pub fn component(&self, c: Component) -> Option<&ComponentAssessment> {
        self.components.iter().find(|a| a.component == c)
    }

    /// True when a finding with this id was raised.
    pub fn has_finding(&self, id: FindingId) -> bool {
        self.findings.iter().any(|f| f.id == id)
    }
}
