//! The catalogue's error type. Rendering and exporting are pure, so the only failures are
//! input the caller should not have passed (e.g. a page size of zero) and serialisation.

/// What went wrong while building a page, an index or an export.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The request cannot be answered as asked; the message says what to change.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A stored document (an assessment) could not be read back.
    #[error("could not read stored {what}: {source}")]
    Stored {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}
