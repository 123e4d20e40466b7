//! The changes the index follows: PostgreSQL's outbox rows, in order of position.

use crate::document::Organisation;

/// One row of the outbox: a change and its position (the outbox's `bigserial`), strictly increasing.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    pub position: i64,
    pub change: Change,
}

/// A change to the directory.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// The organisation as it now is: added, or replacing the one with the same id.
    Upsert(Organisation),
    /// The organisation with this id is gone (deleting an unknown id does nothing).
    Delete { organisation_id: String },
}
