//! Solves that run in the background while the planner watches: `POST /api/v1/summits/{id}/solves` starts
//! one and answers 202 at once; `GET …/solves/{solve}` tells its step, how far it has gone and the best
//! agenda's lost wishes so far, then the agenda it made or why none could be made. Progress lives in
//! PostgreSQL, so any replica can answer, and a solve whose server died shows as interrupted instead of
//! running for ever. One solve of a summit runs at a time.

use std::time::Duration;

use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;
use shared::accounts::{signed_in, Credentials};
use shared::error::{ApiError, ApiResult, FieldError, Problem};
use shared::http::{parse_id, parse_query};
use summit_solver::Instance;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Reply;

use crate::agendas::{
    ready_to_solve, store, work_out, HowToSolve, ReadyToSolve, SolveRequest, Step, WorkedOut,
};
use crate::plan::{internal, require_planner, unprocessable};

/// How often a running solve writes its progress (and so shows it is alive).
const HEARTBEAT: Duration = Duration::from_millis(250);
/// A running solve not heard from for this long has lost its server.
const SILENT_SECONDS: f64 = 30.0;

/// A solve and how far it has gone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Solve {
    pub id: Uuid,
    pub summit: Uuid,
    /// `running`, `done`, `failed`, or `interrupted` (its server stopped before it finished).
    pub state: String,
    /// `starting`, `placing` (sessions in rooms and slots), `allocating` (attendees to sessions) or `saving`.
    pub step: String,
    /// Share of the placing done, from 0 to 1.
    pub done: f64,
    /// Lost wishes of the best agenda found so far, once placing has begun.
    pub lost_wishes: Option<i32>,
    /// The number of the agenda it made, when done.
    pub agenda: Option<i32>,
    /// Why no agenda could be made, when failed.
    pub problems: Option<Vec<FieldError>>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
}

/// `POST /api/v1/summits/{id}/solves`: start solving the current plan into a new agenda (planners), as
/// `POST …/agendas` does but without waiting; follow `Location` to watch it.
#[utoipa::path(post, path = "/api/v1/summits/{id}/solves", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), HowToSolve),
    responses((status = 202, body = Solve, headers(("location" = String, description = "the solve to watch"))),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "a solve of this summit is already running"),
              (status = 422, body = Problem)))]
pub async fn start(id: String, query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let solve = begin(id, parse_query(&query)?, &pool, &credentials).await?;
    let location = format!("/api/v1/summits/{}/solves/{}", solve.summit, solve.id);
    Ok(warp::reply::with_header(
        warp::reply::with_status(warp::reply::json(&solve), StatusCode::ACCEPTED),
        "location",
        location,
    )
    .into_response())
}

/// Starts solving a summit's plan in the background (planners); 409 while another solve of it runs.
pub async fn begin(
    id: String,
    how: HowToSolve,
    pool: &Pool,
    credentials: &Credentials,
) -> Result<Solve, ApiError> {
    let ReadyToSolve { request, instance } = ready_to_solve(id, how, pool, credentials).await?;
    let summit = request.summit;
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE summits.solves SET state = 'failed', finished_at = now(),
                 problems = jsonb_build_array(jsonb_build_object('field', 'solve',
                     'message', 'interrupted: the server running it stopped before it finished'))
             WHERE summit_id = $1 AND state = 'running' AND updated_at < now() - make_interval(secs => $2)",
            &[&summit, &SILENT_SECONDS],
        )
        .await?;
    let solve = Uuid::now_v7();
    let inserted = client
        .execute(
            "INSERT INTO summits.solves (id, summit_id, requested_by) VALUES ($1, $2, $3)
             ON CONFLICT (summit_id) WHERE state = 'running' DO NOTHING",
            &[&solve, &summit, &request.requested_by],
        )
        .await?;
    if inserted == 0 {
        let running = running(&client, summit)
            .await?
            .map(|s| s.to_string())
            .unwrap_or_default();
        return Err(ApiError::Conflict(format!(
            "a solve of this summit is already running: /api/v1/summits/{summit}/solves/{running}"
        )));
    }
    let answer = load(&client, summit, solve).await?;
    tokio::spawn(run(pool.clone(), solve, request, instance));
    Ok(answer)
}

/// `GET /api/v1/summits/{id}/solves/{solve}`: how far a solve has gone, and its agenda or problems (planners).
#[utoipa::path(get, path = "/api/v1/summits/{id}/solves/{solve}", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("solve" = Uuid, Path, description = "solve id")),
    responses((status = 200, body = Solve), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(id: String, solve: String, pool: Pool, credentials: Credentials) -> ApiResult {
    Ok(shared::http::json(
        &watch(&id, &solve, &pool, &credentials).await?,
        StatusCode::OK,
    ))
}

/// A solve, for planners.
pub async fn watch(id: &str, solve: &str, pool: &Pool, credentials: &Credentials) -> Result<Solve, ApiError> {
    let (summit, solve) = (parse_id(id)?, parse_id(solve)?);
    require_planner(&signed_in(pool, credentials).await?)?;
    load(&pool.get().await?, summit, solve).await
}

/// The summit's running solve, if any.
pub async fn running(client: &impl GenericClient, summit: Uuid) -> Result<Option<Uuid>, ApiError> {
    Ok(client
        .query_opt(
            "SELECT id FROM summits.solves WHERE summit_id = $1 AND state = 'running'",
            &[&summit],
        )
        .await?
        .map(|row| row.get(0)))
}

/// Reads a solve, telling a running one that has gone silent as interrupted.
pub async fn load(client: &impl GenericClient, summit: Uuid, solve: Uuid) -> Result<Solve, ApiError> {
    let row = client
        .query_opt(
            "SELECT id, summit_id,
                    CASE WHEN state = 'running' AND updated_at < now() - make_interval(secs => $3)
                         THEN 'interrupted' ELSE state END,
                    step, done, lost_wishes, agenda_number, problems, started_at, finished_at
             FROM summits.solves WHERE id = $1 AND summit_id = $2",
            &[&solve, &summit, &SILENT_SECONDS],
        )
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no solve {solve} of summit {summit}")))?;
    let problems: Option<serde_json::Value> = row.get(7);
    Ok(Solve {
        id: row.get(0),
        summit: row.get(1),
        state: row.get(2),
        step: row.get(3),
        done: row.get(4),
        lost_wishes: row.get(5),
        agenda: row.get(6),
        problems: problems
            .map(serde_json::from_value)
            .transpose()
            .map_err(internal)?,
        started_at: row.get(8),
        finished_at: row.get(9),
    })
}

/// Works the solve out off the async threads, writing its progress at every heartbeat, then stores the
/// agenda or the reasons there is none.
async fn run(pool: Pool, solve: Uuid, request: SolveRequest, instance: Instance) {
    let (tell, mut told) = tokio::sync::watch::channel(None::<Step>);
    let options = request.options();
    let mut work = tokio::task::spawn_blocking(move || {
        work_out(instance, &options, &mut |step| {
            tell.send_replace(Some(step));
        })
    });
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let worked_out = loop {
        tokio::select! {
            finished = &mut work => break finished,
            _ = heartbeat.tick() => {
                let step = *told.borrow_and_update();
                if let Err(error) = record(&pool, solve, step).await {
                    tracing::warn!(%solve, %error, "could not record a solve's progress");
                }
            }
        }
    };
    let outcome = match worked_out {
        Ok(Ok(worked_out)) => finish(&pool, solve, &request, worked_out).await,
        Ok(Err(error)) => Err(unprocessable(error)),
        Err(error) => Err(internal(error)),
    };
    if let Err(error) = outcome {
        if let Err(error) = fail(&pool, solve, error).await {
            tracing::error!(%solve, %error, "could not record why a solve failed");
        }
    }
}

/// Writes a running solve's step and progress, and that it is alive.
async fn record(pool: &Pool, solve: Uuid, step: Option<Step>) -> Result<(), ApiError> {
    let (name, done, lost) = match step {
        None => ("starting", 0.0, None),
        Some(Step::Placing(progress)) => ("placing", progress.done, Some(progress.lost_wishes as i32)),
        Some(Step::Allocating) => ("allocating", 1.0, None),
    };
    pool.get()
        .await?
        .execute(
            "UPDATE summits.solves SET step = $2, done = $3, lost_wishes = coalesce($4, lost_wishes),
                 updated_at = now()
             WHERE id = $1 AND state = 'running'",
            &[&solve, &name, &done.clamp(0.0, 1.0), &lost],
        )
        .await?;
    Ok(())
}

/// Stores the agenda and marks the solve done, together.
async fn finish(
    pool: &Pool,
    solve: Uuid,
    request: &SolveRequest,
    worked_out: WorkedOut,
) -> Result<(), ApiError> {
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    let agenda = store(&transaction, request, worked_out).await?;
    transaction
        .execute(
            "UPDATE summits.solves SET state = 'done', step = 'saving', done = 1, lost_wishes = $2,
                 agenda_number = $3, updated_at = now(), finished_at = now()
             WHERE id = $1",
            &[
                &solve,
                &(agenda.solution.metrics.lost_wishes as i32),
                &agenda.number,
            ],
        )
        .await?;
    transaction.commit().await?;
    Ok(())
}

/// Marks the solve failed, with the plan's problems or, for anything else, a message that hides internals.
async fn fail(pool: &Pool, solve: Uuid, error: ApiError) -> Result<(), ApiError> {
    let problems = match error {
        ApiError::Validation(problems) => problems,
        other => {
            tracing::error!(%solve, error = %other, "a solve failed");
            vec![FieldError::new(
                "solve",
                "the solve stopped on an error of the server; try again",
            )]
        }
    };
    pool.get()
        .await?
        .execute(
            "UPDATE summits.solves SET state = 'failed', problems = $2, updated_at = now(), finished_at = now()
             WHERE id = $1",
            &[&solve, &serde_json::to_value(&problems).map_err(internal)?],
        )
        .await?;
    Ok(())
}
