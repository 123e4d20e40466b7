//! The one error type of the search index.

/// What can go wrong while opening, changing or searching the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchIndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index: reading or writing the index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index: opening the index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index: stored organisation is not valid JSON: {0}")]
    StoredOrganisation(#[from] serde_json::Error),
    #[error("search index: a document has no stored organisation")]
    MissingStoredOrganisation,
    #[error("search index: commit payload {0:?} is not an outbox position")]
    CommitPayload(String),
    #[error("search index: outbox entries must be in increasing order of position ({previous} then {next})")]
    OutOfOrder { previous: i64, next: i64 },
    #[error("search index: {0}")]
    InvalidRequest(String),
    #[error("search index: reading the places file: {0}")]
    Places(#[from] csv::Error),
}

pub type Result<T> = std::result::Result<T, SearchIndexError>;
