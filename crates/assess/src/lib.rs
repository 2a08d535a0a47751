//! Evidence-based openness assessment of a model or dataset release.
//!
//! The core does no IO of its own: it reads a release through the [`Release`] trait, which the
//! caller implements (the hub over its blob store, the CLI over a local directory with
//! [`DirRelease`]). Every read is bounded by the caller-visible `*_MAX` constants of [`inspect`].

pub mod inspect;
