//! Common Ground in one process: every service's routes and the web pages behind one address, as the
//! `commonground` binary serves them.

pub mod demo;
pub mod schedule;
pub mod tools;

use shared::server::{Service, ServiceContext};
use warp::Filter;

/// The routes of every service and their OpenAPI parts, merged.
pub fn services(context: ServiceContext) -> Service {
    let index = directory::search_index(&context);
    let (directory, mut openapi) = directory::service_over(context.clone(), index.clone());
    let pages = pages::service(context.clone(), index);
    let (summits, summits_api) = summits::service(context.clone());
    let (capacity, capacity_api) = capacity::service(context);
    openapi.merge(summits_api);
    openapi.merge(capacity_api);
    let routes = directory
        .or(summits)
        .unify()
        .or(capacity)
        .unify()
        .or(pages)
        .unify()
        .boxed();
    (routes, openapi)
}
