//! A summit's plan and the agendas solved from it. Planners put the plan (rooms, slots, sessions,
//! facilitators' unavailability, attendees' ranked wishes and access needs, pins — the scheduler's instance
//! format), solve it into a numbered agenda with its quality report, and publish one. Re-solving after a
//! published agenda moves as few sessions as possible. The plan and the reports hold people's data: only
//! planners and staff read them; anyone may read a published agenda's placements.

use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;
use shared::accounts::{signed_in, viewer, Credentials, Role, Viewer};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{etag_for, json, json_with_etag, parse_id, version_from_if_match};
use summit_solver::{check, solve, Instance, Options, Placement, SolverError};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;
use warp::http::StatusCode;

fn require_planner(viewer: &Viewer) -> Result<(), ApiError> {
    viewer.require_role(&[Role::Planner, Role::Admin])
}

async fn summit_exists(client: &impl GenericClient, id: Uuid) -> Result<(), ApiError> {
    client
        .query_opt("SELECT 1 FROM summits.summits WHERE id = $1", &[&id])
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::NotFound(format!("no summit {id}")))
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(error.to_string())
}

/// The solver's complaints as a field-by-field 422.
fn unprocessable(error: SolverError) -> ApiError {
    let (field, lines) = match error {
        SolverError::Json(e) => {
            return ApiError::BadRequest(format!("the plan is not valid JSON of the expected shape: {e}"))
        }
        SolverError::InvalidInstance { problems } => ("plan", problems),
        SolverError::InvalidSolution { problems } => ("agenda", problems),
        SolverError::Infeasible { reasons } => ("plan", reasons),
        SolverError::TooLargeForExactSearch(message) => ("plan", vec![message]),
    };
    ApiError::Validation(
        lines
            .into_iter()
            .map(|line| shared::FieldError::new(field, line))
            .collect(),
    )
}

/// `PUT /api/v1/summits/{id}/plan`: replace the plan (planners). Needs `If-Match` once a plan exists.
#[utoipa::path(put, path = "/api/v1/summits/{id}/plan", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"),
           ("If-Match" = Option<String>, Header, description = "the plan's ETag, once there is a plan")),
    request_body(content = Object, description = "the scheduler's instance: timezone, slots, rooms, sessions, people, attendees, pinned"),
    responses((status = 200, description = "saved; the body is the plan", headers(("ETag" = String))),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn put_plan(
    id: String,
    pool: Pool,
    credentials: Credentials,
    if_match: Option<String>,
    body: bytes::Bytes,
) -> ApiResult {
    let id = parse_id(&id)?;
    require_planner(&signed_in(&pool, &credentials).await?)?;
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    summit_exists(&transaction, id).await?;
    let instance: Instance = shared::http::parse_json(&body)?;
    instance.validate().map_err(unprocessable)?;
    let current = transaction
        .query_opt(
            "SELECT version, instance FROM summits.plans WHERE summit_id = $1 FOR UPDATE",
            &[&id],
        )
        .await?;
    let version: i64 = match current {
        None => {
            transaction
                .execute(
                    "INSERT INTO summits.plans (summit_id, instance) VALUES ($1, $2)",
                    &[&id, &serde_json::to_value(&instance).map_err(internal)?],
                )
                .await?;
            1
        }
        Some(row) => {
            let version: i64 = row.get(0);
            if version_from_if_match(if_match.as_deref())? != Some(version) {
                return Err(ApiError::PreconditionFailed {
                    current: row.get(1),
                    etag: etag_for(version),
                });
            }
            transaction
                .execute(
                    "UPDATE summits.plans SET instance = $2, version = version + 1, updated_at = now() WHERE summit_id = $1",
                    &[&id, &serde_json::to_value(&instance).map_err(internal)?],
                )
                .await?;
            version + 1
        }
    };
    transaction.commit().await?;
    Ok(json_with_etag(&instance, StatusCode::OK, &etag_for(version)))
}

/// `GET /api/v1/summits/{id}/plan`: the plan with its ETag (planners; it holds attendees' wishes and needs).
#[utoipa::path(get, path = "/api/v1/summits/{id}/plan", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id")),
    responses((status = 200, description = "the plan", headers(("ETag" = String))), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_plan(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    require_planner(&signed_in(&pool, &credentials).await?)?;
    let row = pool
        .get()
        .await?
        .query_opt(
            "SELECT version, instance FROM summits.plans WHERE summit_id = $1",
            &[&id],
        )
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("summit {id} has no plan yet")))?;
    Ok(json_with_etag(
        &row.get::<_, serde_json::Value>(1),
        StatusCode::OK,
        &etag_for(row.get(0)),
    ))
}

/// One solved agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct Agenda {
    pub number: i32,
    pub plan_version: i64,
    /// Where each session goes; the slot of a multi-slot session is its first.
    #[schema(value_type = Object)]
    pub solution: serde_json::Value,
    /// Each hard constraint checked, lost wishes (total, per attendee, the worst-off), theme clashes, moved
    /// sessions (planners only).
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<OffsetDateTime>,
}

/// `POST /api/v1/summits/{id}/agendas`: solve the current plan into a new agenda with its report (planners).
/// After a published agenda, sessions move as little as possible.
#[utoipa::path(post, path = "/api/v1/summits/{id}/agendas", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id")),
    responses((status = 201, body = Agenda), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn solve_plan(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    require_planner(&viewer)?;
    let client = pool.get().await?;
    summit_exists(&client, id).await?;
    let plan = client
        .query_opt(
            "SELECT version, instance FROM summits.plans WHERE summit_id = $1",
            &[&id],
        )
        .await?
        .ok_or_else(|| ApiError::invalid("plan", "put a plan first"))?;
    let plan_version: i64 = plan.get(0);
    let mut instance: Instance = serde_json::from_value(plan.get(1)).map_err(internal)?;
    let published = client
        .query_opt(
            "SELECT solution FROM summits.agendas WHERE summit_id = $1 AND published_at IS NOT NULL
             ORDER BY number DESC LIMIT 1",
            &[&id],
        )
        .await?;
    if let Some(row) = published {
        let solution: summit_solver::Solution = serde_json::from_value(row.get(0)).map_err(internal)?;
        instance.previous = Some(solution.assignments.into_iter().collect::<Vec<Placement>>());
    }
    let (solution, report) = tokio::task::spawn_blocking(move || {
        let solution = solve(&instance, &Options::default())?;
        let report = check(&instance, &solution)?;
        Ok::<_, SolverError>((solution, report))
    })
    .await
    .map_err(internal)?
    .map_err(unprocessable)?;
    let agenda = Agenda {
        number: 0,
        plan_version,
        solution: serde_json::to_value(&solution).map_err(internal)?,
        report: Some(serde_json::to_value(&report).map_err(internal)?),
        published_at: None,
    };
    let number: i32 = client
        .query_one(
            "INSERT INTO summits.agendas (id, summit_id, number, plan_version, solution, report, created_by)
             SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6 FROM summits.agendas WHERE summit_id = $2
             RETURNING number",
            &[&Uuid::now_v7(), &id, &plan_version, &agenda.solution, &agenda.report, &viewer.id],
        )
        .await?
        .get(0);
    Ok(json(&Agenda { number, ..agenda }, StatusCode::CREATED))
}

/// `GET /api/v1/summits/{id}/agendas/{number}`: an agenda. Planners see any, with its report; others see
/// published agendas' placements only.
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, body = Agenda), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_agenda(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let number: i32 = number
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("`{number}` is not an agenda number")))?;
    let planner = viewer(&pool, &credentials)
        .await?
        .is_some_and(|v| require_planner(&v).is_ok());
    let row = pool
        .get()
        .await?
        .query_opt(
            "SELECT plan_version, solution, report, published_at FROM summits.agendas WHERE summit_id = $1 AND number = $2",
            &[&id, &number],
        )
        .await?
        .filter(|row| planner || row.get::<_, Option<OffsetDateTime>>(3).is_some())
        .ok_or_else(|| ApiError::NotFound(format!("no agenda {number} of summit {id}")))?;
    let agenda = Agenda {
        number,
        plan_version: row.get(0),
        solution: row.get(1),
        report: planner.then(|| row.get(2)),
        published_at: row.get(3),
    };
    Ok(json(&agenda, StatusCode::OK))
}

/// `POST /api/v1/summits/{id}/agendas/{number}/publish`: publish an agenda (planners).
#[utoipa::path(post, path = "/api/v1/summits/{id}/agendas/{number}/publish", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, body = Agenda), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn publish(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let number: i32 = number
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("`{number}` is not an agenda number")))?;
    require_planner(&signed_in(&pool, &credentials).await?)?;
    let row = pool
        .get()
        .await?
        .query_opt(
            "UPDATE summits.agendas SET published_at = coalesce(published_at, now())
             WHERE summit_id = $1 AND number = $2 RETURNING plan_version, solution, report, published_at",
            &[&id, &number],
        )
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no agenda {number} of summit {id}")))?;
    let agenda = Agenda {
        number,
        plan_version: row.get(0),
        solution: row.get(1),
        report: Some(row.get(2)),
        published_at: row.get(3),
    };
    Ok(json(&agenda, StatusCode::OK))
}
