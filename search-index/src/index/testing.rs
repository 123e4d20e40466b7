//! Helpers for the index's tests.

use std::path::PathBuf;

use crate::document::Organisation;
use crate::generate::{read_towns, Generator};
use crate::index::DirectoryIndex;
use crate::outbox::{Change, OutboxEntry};

/// The UK towns file of the repository.
pub(crate) fn towns_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/gb_places.csv")
}

pub(crate) fn generator(seed: u64) -> Generator {
    Generator::new(read_towns(&towns_file()).expect("the towns file reads"), seed)
}

/// Upserts, at positions 1, 2, ...
pub(crate) fn upserts(organisations: impl IntoIterator<Item = Organisation>) -> Vec<OutboxEntry> {
    organisations
        .into_iter()
        .zip(1..)
        .map(|(organisation, position)| OutboxEntry {
            position,
            change: Change::Upsert(organisation),
        })
        .collect()
}

/// An index in memory holding `organisations`.
pub(crate) fn index_of(organisations: impl IntoIterator<Item = Organisation>) -> DirectoryIndex {
    let index = DirectoryIndex::in_memory().expect("an index in memory");
    index
        .apply(&upserts(organisations))
        .expect("the organisations apply");
    index
}
