//! The directory of grassroots organisations: profiles with their locations, who may see and edit them,
//! and their history. `routes` serves it; `openapi` describes it.

pub mod api;
pub mod audience;
pub mod demo;
pub mod organisation;
pub mod store;

use deadpool_postgres::Pool;
use utoipa::OpenApi;
use warp::filters::BoxedFilter;
use warp::reply::Response;

/// The directory's routes and its part of the OpenAPI document.
pub fn service(pool: Pool) -> (BoxedFilter<(Response,)>, utoipa::openapi::OpenApi) {
    (api::routes(pool), api::DirectoryApi::openapi())
}
