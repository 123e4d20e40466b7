//! Capacity building of member organisations. This first slice lists programmes; the capacity tracker
//! issue fills in assessments, cohorts, mentoring, action plans and reports.

use deadpool_postgres::Pool;
use serde::Serialize;
use shared::error::{respond, ApiResult, Problem};
use shared::http::{json, parse_query, raw_query};
use shared::pagination::{Page, PageParams};
use shared::server::{Service, ServiceContext};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

/// A programme of support, such as the Community Leadership Academy or a training series.
#[derive(Debug, Serialize, ToSchema)]
pub struct Programme {
    pub id: Uuid,
    pub name: String,
}

/// The capacity routes and their part of the OpenAPI document.
pub fn service(context: ServiceContext) -> Service {
    let pool = context.pool;
    let routes = warp::path!("api" / "v1" / "capacity" / "programmes")
        .and(warp::get())
        .and(raw_query())
        .and(warp::any().map(move || pool.clone()))
        .then(list)
        .map(respond)
        .boxed();
    (routes, CapacityApi::openapi())
}

#[derive(OpenApi)]
#[openapi(paths(list), components(schemas(Programme, Page<Programme>)))]
struct CapacityApi;

/// `GET /api/v1/capacity/programmes`: programmes of support.
#[utoipa::path(get, path = "/api/v1/capacity/programmes", tag = "capacity", params(PageParams),
    responses((status = 200, body = Page<Programme>), (status = 400, body = Problem)))]
async fn list(query: String, pool: Pool) -> ApiResult {
    let page = parse_query::<PageParams>(&query)?.validate()?;
    let rows = pool
        .get()
        .await?
        .query(
            "SELECT id, name FROM capacity.programmes WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
            &[&page.after::<Uuid>()?, &page.fetch()],
        )
        .await?;
    let programmes = rows
        .iter()
        .map(|r| Programme {
            id: r.get(0),
            name: r.get(1),
        })
        .collect();
    Ok(json(
        &Page::from_rows(programmes, &page, |p: &Programme| p.id.to_string()),
        StatusCode::OK,
    ))
}
