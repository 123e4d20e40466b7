//! The directory search index: tantivy full text and geography for grassroots organisations. A plain
//! synchronous library (no HTTP, no database) that the directory service calls.

pub mod area;
