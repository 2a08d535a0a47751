//! The assessor's integration tests, one binary (one link step). Fixture releases are built by
//! the tests themselves (`common`); the release corpus is read from `tests/corpus/`
//! (`corpus_support`).

mod common;
mod corpus_support;

mod corpus_agreement;
mod data_information;
mod explain;
mod fixtures;
mod inspect_fuzz_regressions;
mod inspect_licences;
mod licence_precedence;
mod licences;
mod lineage;
mod mot_conformance;
mod schema;
