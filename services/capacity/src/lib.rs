//! The capacity tracker: where each member organisation started, what support it got and how far it
//! travelled. Assessments against a versioned framework, action plans, mentoring with an optimal matcher,
//! programmes with cohorts and attendance, casework counts, reports as JSON, CSV and SVG, and people records
//! with consent, export, erasure and retention.
//!
//! Staff are admins. Planners build summit agendas and are not capacity staff. An organisation's editors (in
//! the directory) see their own organisation's assessments, edit its self-assessment drafts and its action
//! plan, and see nothing of any other organisation's assessments.

pub mod access;
pub mod assessments;
pub mod casework;
pub mod charts;
pub mod distance;
pub mod framework;
pub mod input;
pub mod matching;
pub mod mentoring;
pub mod people;
pub mod plans;
pub mod programmes;
pub mod reports;

use deadpool_postgres::Pool;
use shared::server::{Service, ServiceContext};
use utoipa::OpenApi;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

/// One boxed route.
pub type Route = BoxedFilter<(Response,)>;

/// The pool as a filter, for handlers that need the database.
pub fn with_pool(pool: Pool) -> impl Filter<Extract = (Pool,), Error = std::convert::Infallible> + Clone {
    warp::any().map(move || pool.clone())
}

/// Routes tried in order, boxed at every step so the tree's type stays small.
pub fn one_of(routes: Vec<Route>) -> Route {
    let mut routes = routes.into_iter();
    let first = routes.next().expect("a service has at least one route");
    routes.fold(first, |all, next| all.or(next).unify().boxed())
}

/// The capacity routes and their part of the OpenAPI document.
pub fn service(context: ServiceContext) -> Service {
    let pool = context.pool;
    let routes = one_of(vec![
        framework::routes(pool.clone()),
        assessments::routes(pool.clone()),
        distance::routes(pool.clone()),
        plans::routes(pool.clone()),
        people::routes(pool.clone()),
        mentoring::routes(pool.clone()),
        programmes::routes(pool.clone()),
        casework::routes(pool.clone()),
        reports::routes(pool),
    ]);
    let mut openapi = framework::FrameworkApi::openapi();
    for part in [
        assessments::AssessmentsApi::openapi(),
        distance::DistanceApi::openapi(),
        plans::PlansApi::openapi(),
        people::PeopleApi::openapi(),
        mentoring::MentoringApi::openapi(),
        programmes::ProgrammesApi::openapi(),
        casework::CaseworkApi::openapi(),
        reports::ReportsApi::openapi(),
    ] {
        openapi.merge(part);
    }
    (routes, openapi)
}
