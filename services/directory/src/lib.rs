//! The directory of grassroots organisations: profiles with their locations, who may see and edit them,
//! their history, and search by words and geography. `service` builds it.

pub mod allies;
pub mod api;
pub mod audience;
pub mod demo;
pub mod exports;
pub mod geometry;
pub mod import;
pub mod index_check;
pub mod indexer;
pub mod links;
pub mod organisation;
mod recent_answers;
pub mod regions;
pub mod search;
pub mod store;

use shared::server::{Service, ServiceContext};
use utoipa::OpenApi;

/// The folder of the search index inside a service's data folder.
pub fn index_root(data_dir: &std::path::Path) -> std::path::PathBuf {
    data_dir.join("search-index")
}

/// The directory's routes and its part of the OpenAPI document; starts following the outbox into this
/// process's search index.
pub fn service(context: ServiceContext) -> Service {
    let index = search_index(&context);
    service_over(context, index)
}

/// Opens this process's search index and starts following the outbox into it (once per process; the
/// web pages search the same index).
pub fn search_index(context: &ServiceContext) -> std::sync::Arc<indexer::SearchIndex> {
    let index = indexer::SearchIndex::open(&index_root(&context.data_dir))
        .unwrap_or_else(|error| panic!("cannot open the search index: {error}"));
    tokio::spawn(index.clone().follow(context.pool.clone()));
    index
}

/// The directory's routes over an index already open.
pub fn service_over(context: ServiceContext, index: std::sync::Arc<indexer::SearchIndex>) -> Service {
    (api::routes(context.pool, index), api::DirectoryApi::openapi())
}
