//! The directory search index: tantivy full text and geography for grassroots organisations, kept in step
//! with PostgreSQL and safe for the people it lists. A plain synchronous library (no HTTP, no database);
//! the directory service calls it on its request threads for a page of hits, through `spawn_blocking` for
//! longer work.
//!
//! How the service uses it:
//! - At start: `DirectoryIndex::open_or_create(dir)` (share it as `Arc<DirectoryIndex>`), read
//!   `last_applied_position()`, then follow the outbox: fetch rows after that position in order, turn each
//!   into an [`OutboxEntry`] and call [`DirectoryIndex::apply`] with the batch. The changes and the position
//!   are committed together, so after a crash the loop resumes exactly where the index stopped; a batch
//!   applied twice changes nothing. Every replica keeps its own index directory and follows the same outbox.
//! - Searching: build a [`SearchRequest`] for the viewer's [`Audience`] and call [`DirectoryIndex::search`];
//!   a change is searchable as soon as `apply` returns.
//! - Reindexing without stopping searches: in one `REPEATABLE READ` transaction read the outbox's last
//!   position and every organisation; [`DirectoryIndex::rebuild`] them into a fresh directory; `apply` the
//!   outbox after that position to it; then swap the `Arc` the handlers use (for instance an
//!   `RwLock<Arc<DirectoryIndex>>`) and record the new directory as current before deleting the old one.

pub mod area;
pub mod audience;
mod cards;
mod cells;
mod circle;
mod collect;
pub mod document;
pub mod error;
mod facet_counts;
mod found_docs;
pub mod generate;
pub mod geography;
pub mod index;
mod lazy_union;
mod map;
mod nearest;
pub mod outbox;
mod query;
pub mod request;
mod schema;
mod snippets;
mod tokenize;
mod values;
mod within;

pub use audience::{Audience, Visibility};
pub use document::{Coordinates, FieldVisibility, Location, Organisation, OrganisationView, Precision};
pub use error::{Result, SearchIndexError};
pub use geography::SearchArea;
pub use index::DirectoryIndex;
pub use outbox::{Change, OutboxEntry};
pub use request::{
    Facet, FacetCount, FacetFilter, MatchedLocation, Order, OrganisationHit, SearchRequest, SearchResults,
    Snippets,
};
