//! Common Ground in one process: every service's routes behind one address, as the `commonground` binary
//! serves them.

pub mod demo;

use deadpool_postgres::Pool;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

/// The routes of every service and their OpenAPI parts, merged.
pub fn services(pool: Pool) -> (BoxedFilter<(Response,)>, utoipa::openapi::OpenApi) {
    let (directory, mut openapi) = directory::service(pool.clone());
    let (summits, summits_api) = summits::service(pool.clone());
    let (capacity, capacity_api) = capacity::service(pool);
    openapi.merge(summits_api);
    openapi.merge(capacity_api);
    let routes = directory.or(summits).unify().or(capacity).unify().boxed();
    (routes, openapi)
}
