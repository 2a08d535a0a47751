//! Inspectors: bounded, panic-free parsers of the untrusted files in a release.
//!
//! Every function here takes bytes (or text) the caller has already read, bounded by the
//! `*_MAX` constants exported next to it, and returns *facts* plus, where parsing failed, an
//! error string. Nothing here does IO, unpickles, evaluates YAML tags, or allocates from a
//! length field in the input without first checking it against the bytes actually present:
//! a hostile repository can make an inspector report an error, never crash or exhaust memory
//! the assessor.
//!
//! The judgments (which MOF component a fact supports, tiers, OSAID) live outside this module
//! and consume only these facts.

pub mod card;
pub mod code;
pub mod config;
pub mod data;
mod error;
pub mod lfs;
pub mod licence;
pub mod lineage;
mod paths;
pub mod weights;

pub(crate) use card::outside_code_blocks;
pub use card::{
    CARD_MAX, Card, CardMeta, Link, LinkKind, Section, SectionKind, claims_open_source,
    name_claims, parse_card, tag_claims,
};
pub use code::{CODE_PREFIX_MAX, CodeRole, classify_code};
pub use config::{CONFIG_MAX, ModelConfig, parse_config};
pub use data::{
    CROISSANT_MAX, CroissantFacts, is_data_file, is_eval_results_file, is_paper, parse_croissant,
};
pub use error::InspectError;
pub use lfs::{LFS_POINTER_MAX, LfsPointer, parse_lfs_pointer};
pub use licence::{
    IdSource, LICENCE_FILE_MAX, LicenceFacts, LicenceId, LicenceInfo, Restriction, RestrictionKind,
    identify_licence_text, is_licence_file, licence_info,
};
pub use lineage::{LINEAGE_FILE_MAX, adapter_base, merge_models};
pub use weights::{
    WEIGHTS_HEADER_MAX, WeightFacts, WeightFormat, inspect_weights, is_checkpoint_dir,
    weight_format,
};
