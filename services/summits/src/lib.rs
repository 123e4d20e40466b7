//! Summits: gatherings of parallel workshops, plenaries and one-to-one conversations. Planners create a
//! summit, build its plan (rooms, slots, sessions, people, pins; attendees register themselves), solve it
//! into agendas with the scheduler (`summit-solver`) and publish one.

pub mod agendas;
pub mod exports;
pub mod parts;
pub mod people;
pub mod pins;
pub mod plan;
pub mod registrations;
pub mod rooms;
pub mod sessions;
pub mod slots;
pub mod solves;

use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use shared::accounts::{credentials, signed_in, Credentials, Role};
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_json, parse_query, raw_query};
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

/// A summit to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSummit {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    /// An IANA time zone such as `Europe/London` (the default).
    pub timezone: Option<String>,
}

/// The summit routes and their part of the OpenAPI document; each route is boxed to keep the tree's type
/// small.
/// The environment variable with the address people reach the web pages at (e.g.
/// `https://commonground.example`): schedule exports link each session to its place in the agenda there.
/// Unset, sessions are named by `urn:uuid:` instead.
pub const PUBLIC_URL_VARIABLE: &str = "COMMONGROUND_PUBLIC_URL";

pub fn service(context: ServiceContext) -> Service {
    let public_url: Option<std::sync::Arc<str>> = std::env::var(PUBLIC_URL_VARIABLE)
        .ok()
        .map(|url| url.trim().trim_end_matches('/').to_string())
        .filter(|url| !url.is_empty())
        .map(std::sync::Arc::from);
    let parts = parts::routes::<rooms::Room>(context.pool.clone())
        .or(parts::routes::<slots::Slot>(context.pool.clone()))
        .unify()
        .or(parts::routes::<sessions::Session>(context.pool.clone()))
        .unify()
        .or(parts::routes::<people::Person>(context.pool.clone()))
        .unify()
        .or(parts::routes::<pins::Pin>(context.pool.clone()))
        .unify()
        .boxed();
    let pool = context.pool;
    let pool = warp::any().map(move || pool.clone());
    let summits = || warp::path!("api" / "v1" / "summits");
    let plan = || warp::path!("api" / "v1" / "summits" / String / "plan");
    let list = summits()
        .and(warp::get())
        .and(raw_query())
        .and(pool.clone())
        .then(list)
        .map(respond)
        .boxed();
    let create = summits()
        .and(warp::post())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(create)
        .map(respond)
        .boxed();
    let put_plan = plan()
        .and(warp::put())
        .and(pool.clone())
        .and(credentials())
        .and(warp::header::optional::<String>("if-match"))
        .and(body_bytes())
        .then(plan::put_plan)
        .map(respond)
        .boxed();
    let get_plan = plan()
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(plan::get_plan)
        .map(respond)
        .boxed();
    let solve = warp::path!("api" / "v1" / "summits" / String / "agendas")
        .and(warp::post())
        .and(raw_query())
        .and(pool.clone())
        .and(credentials())
        .then(agendas::solve_as_asked)
        .map(respond)
        .boxed();
    let start_solve = warp::path!("api" / "v1" / "summits" / String / "solves")
        .and(warp::post())
        .and(raw_query())
        .and(pool.clone())
        .and(credentials())
        .then(solves::start)
        .map(respond)
        .boxed();
    let watch_solve = warp::path!("api" / "v1" / "summits" / String / "solves" / String)
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(solves::get)
        .map(respond)
        .boxed();
    let agenda = warp::path!("api" / "v1" / "summits" / String / "agendas" / String)
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(agendas::get_agenda)
        .map(respond)
        .boxed();
    let publish = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "publish")
        .and(warp::post())
        .and(pool.clone())
        .and(credentials())
        .then(agendas::publish)
        .map(respond)
        .boxed();
    let mine = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "mine")
        .and(warp::get())
        .and(raw_query())
        .and(pool.clone())
        .and(credentials())
        .then(agendas::get_mine)
        .map(respond)
        .boxed();
    let changes = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "changes")
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(agendas::get_changes)
        .map(respond)
        .boxed();
    let calendar = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "calendar.ics")
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(exports::calendar::summit_calendar)
        .map(respond)
        .boxed();
    let my_calendar = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "mine.ics")
        .and(warp::get())
        .and(raw_query())
        .and(pool.clone())
        .and(credentials())
        .then(exports::calendar::personal_calendar)
        .map(respond)
        .boxed();
    let schedule_json = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "schedule.json")
        .and(warp::get())
        .and(warp::any().map(move || public_url.clone()))
        .and(pool.clone())
        .and(credentials())
        .then(exports::conference_schedule::schedule_json)
        .map(respond)
        .boxed();
    let html_grid = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "grid.html")
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(exports::grid::html_grid)
        .map(respond)
        .boxed();
    let csv_grid = warp::path!("api" / "v1" / "summits" / String / "agendas" / String / "grid.csv")
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(exports::grid::csv_grid)
        .map(respond)
        .boxed();
    let exports = calendar
        .or(my_calendar)
        .unify()
        .or(schedule_json)
        .unify()
        .or(html_grid)
        .unify()
        .or(csv_grid)
        .unify()
        .boxed();
    let registrations = || warp::path!("api" / "v1" / "summits" / String / "registrations");
    let my_registration = || warp::path!("api" / "v1" / "summits" / String / "registrations" / "mine");
    let list_registrations = registrations()
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(registrations::list)
        .map(respond)
        .boxed();
    let register = my_registration()
        .and(warp::put())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(registrations::put_mine)
        .map(respond)
        .boxed();
    let withdraw = my_registration()
        .and(warp::delete())
        .and(pool)
        .and(credentials())
        .then(registrations::delete_mine)
        .map(respond)
        .boxed();
    let routes = list
        .or(create)
        .unify()
        .or(put_plan)
        .unify()
        .or(get_plan)
        .unify()
        .or(solve)
        .unify()
        .or(start_solve)
        .unify()
        .or(watch_solve)
        .unify()
        .or(agenda)
        .unify()
        .or(publish)
        .unify()
        .or(mine)
        .unify()
        .or(changes)
        .unify()
        .or(list_registrations)
        .unify()
        .or(register)
        .unify()
        .or(withdraw)
        .unify()
        .or(parts)
        .unify()
        .or(exports)
        .unify()
        .boxed();
    let mut openapi = SummitsApi::openapi();
    parts::document::<rooms::Room>(&mut openapi);
    parts::document::<slots::Slot>(&mut openapi);
    parts::document::<sessions::Session>(&mut openapi);
    parts::document::<people::Person>(&mut openapi);
    parts::document::<pins::Pin>(&mut openapi);
    (routes, openapi)
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, plan::put_plan, plan::get_plan, agendas::solve_as_asked, solves::start, solves::get, agendas::get_agenda, agendas::publish,
          agendas::get_mine, agendas::get_changes, registrations::list, registrations::put_mine,
          registrations::delete_mine, exports::calendar::summit_calendar, exports::calendar::personal_calendar,
          exports::conference_schedule::schedule_json, exports::grid::html_grid, exports::grid::csv_grid),
    components(schemas(Summit, NewSummit, Page<Summit>, agendas::Agenda, agendas::PersonalAgenda,
                       agendas::Changelog, registrations::Registration, solves::Solve))
)]
struct SummitsApi;

/// `GET /api/v1/summits`: summits, in the order they were created.
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

/// `POST /api/v1/summits`: create a summit (planners and staff).
#[utoipa::path(post, path = "/api/v1/summits", tag = "summits", request_body = NewSummit,
    responses((status = 201, body = Summit), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn create(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    signed_in(&pool, &credentials)
        .await?
        .require_role(&[Role::Planner, Role::Admin])?;
    let new: NewSummit = parse_json(&body)?;
    let mut errors = Vec::new();
    let name = new.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(shared::FieldError::new(
            "name",
            "enter a name of 1 to 200 characters",
        ));
    }
    if new.ends_on < new.starts_on {
        errors.push(shared::FieldError::new(
            "ends_on",
            "a summit ends on or after the day it starts",
        ));
    }
    let timezone = new.timezone.unwrap_or_else(|| "Europe/London".into());
    if !valid_timezone(&timezone) {
        errors.push(shared::FieldError::new(
            "timezone",
            "use an IANA time zone such as Europe/London",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let summit = Summit {
        id: Uuid::now_v7(),
        name,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        timezone,
    };
    pool.get()
        .await?
        .execute(
            "INSERT INTO summits.summits (id, name, starts_on, ends_on, timezone) VALUES ($1, $2, $3, $4, $5)",
            &[&summit.id, &summit.name, &summit.starts_on, &summit.ends_on, &summit.timezone],
        )
        .await?;
    Ok(json(&summit, StatusCode::CREATED))
}

/// Whether a time zone is one of the IANA database's, such as `Europe/London`.
pub fn valid_timezone(timezone: &str) -> bool {
    timezone.parse::<chrono_tz::Tz>().is_ok()
}
