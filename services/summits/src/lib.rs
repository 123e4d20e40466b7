//! Summits: agendas of parallel workshops, plenaries and one-to-one conversations. This first slice lists
//! summits; the scheduler issue fills in rooms, slots, sessions, registrations and the solver.

use deadpool_postgres::Pool;
use serde::Serialize;
use shared::error::{respond, ApiResult, Problem};
use shared::http::{json, parse_query, raw_query};
use shared::pagination::{Page, PageParams};
use shared::server::{Service, ServiceContext};
use time::Date;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

/// A summit: a gathering over one or more days.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summit {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    pub timezone: String,
}

/// The summit routes and their part of the OpenAPI document.
pub fn service(context: ServiceContext) -> Service {
    let pool = context.pool;
    let routes = warp::path!("api" / "v1" / "summits")
        .and(warp::get())
        .and(raw_query())
        .and(warp::any().map(move || pool.clone()))
        .then(list)
        .map(respond)
        .boxed();
    (routes, SummitsApi::openapi())
}

#[derive(OpenApi)]
#[openapi(paths(list), components(schemas(Summit, Page<Summit>)))]
struct SummitsApi;

/// `GET /api/v1/summits`: summits, soonest first.
#[utoipa::path(get, path = "/api/v1/summits", tag = "summits", params(PageParams),
    responses((status = 200, body = Page<Summit>), (status = 400, body = Problem)))]
async fn list(query: String, pool: Pool) -> ApiResult {
    let page = parse_query::<PageParams>(&query)?.validate()?;
    let rows = pool
        .get()
        .await?
        .query(
            "SELECT id, name, starts_on, ends_on, timezone FROM summits.summits
             WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
            &[&page.after::<Uuid>()?, &page.fetch()],
        )
        .await?;
    let summits = rows
        .iter()
        .map(|r| Summit {
            id: r.get(0),
            name: r.get(1),
            starts_on: r.get(2),
            ends_on: r.get(3),
            timezone: r.get(4),
        })
        .collect();
    Ok(json(
        &Page::from_rows(summits, &page, |s: &Summit| s.id.to_string()),
        StatusCode::OK,
    ))
}
