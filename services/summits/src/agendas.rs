//! The agendas solved from a summit's plan. Planners solve the current plan into a numbered agenda with its
//! quality report, every attendee's allocated sessions and the pairs of its one-to-one blocks, and publish
//! one. Re-solving after a published agenda moves as few sessions as possible, and each agenda lists what
//! moved since the last published one. The report and the pairs name attendees: only planners and staff
//! read them; anyone may read a published agenda's placements, and each attendee their own agenda.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, viewer, Credentials, Viewer};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{json, parse_id, parse_query};
use summit_solver::{
    allocate, check, pair_conversations, participants_for_session, solve_with_progress, Allocation,
    ConversationPlan, Instance, MissedWish, Options, Placement, Progress, Report, SessionKind, Solution,
    SolverError,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;

use crate::plan::{
    internal, is_planner, load_instance, plan_version, require_planner, summit_exists, unprocessable,
};

/// Conversation rounds per slot of a one-to-one block.
const ROUNDS_PER_SLOT: usize = 3;

/// The pairs of one one-to-one block.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Conversations {
    pub session: String,
    /// Each round's pairs of attendee keys, and who was left without a partner and why.
    #[schema(value_type = Object)]
    pub plan: ConversationPlan,
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
    /// The pairs of every one-to-one block (planners only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversations: Option<Vec<Conversations>>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<OffsetDateTime>,
}

/// An agenda as stored, with the plan it was solved from.
pub struct StoredAgenda {
    pub number: i32,
    pub plan_version: i64,
    pub instance: Instance,
    pub solution: Solution,
    pub report: serde_json::Value,
    pub allocation: Allocation,
    pub conversations: Vec<Conversations>,
    pub published_at: Option<OffsetDateTime>,
}

impl StoredAgenda {
    fn to_agenda(&self, planner: bool) -> Result<Agenda, ApiError> {
        Ok(Agenda {
            number: self.number,
            plan_version: self.plan_version,
            solution: to_json(&self.solution)?,
            report: planner.then(|| self.report.clone()),
            conversations: planner.then(|| self.conversations.clone()),
            published_at: self.published_at,
        })
    }

    /// Where a session sits in this agenda.
    pub fn placement(&self, session: &str) -> Option<&Placement> {
        self.solution.assignments.iter().find(|p| p.session == session)
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(internal)
}

pub fn parse_number(raw: &str) -> Result<i32, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::BadRequest(format!("`{raw}` is not an agenda number")))
}

const AGENDA_COLUMNS: &str =
    "number, plan_version, instance, solution, report, allocation, conversations, published_at";

fn stored(row: &tokio_postgres::Row) -> Result<StoredAgenda, ApiError> {
    let value = |i: usize| row.get::<_, Option<serde_json::Value>>(i).unwrap_or_default();
    let solution = serde_json::from_value(row.get(3)).map_err(internal)?;
    Ok(StoredAgenda {
        number: row.get(0),
        plan_version: row.get(1),
        instance: serde_json::from_value(value(2)).map_err(|_| {
            ApiError::Conflict("this agenda was solved before agendas kept their plan: solve it again".into())
        })?,
        solution,
        report: row.get(4),
        allocation: serde_json::from_value(value(5)).map_err(internal)?,
        conversations: serde_json::from_value(value(6)).map_err(internal)?,
        published_at: row.get(7),
    })
}

/// Agenda `number` of a summit: any agenda for planners, published ones for everyone else (404 otherwise).
pub async fn load_agenda(
    client: &impl GenericClient,
    summit: Uuid,
    number: i32,
    planner: bool,
) -> Result<StoredAgenda, ApiError> {
    let row = client
        .query_opt(
            &format!("SELECT {AGENDA_COLUMNS} FROM summits.agendas WHERE summit_id = $1 AND number = $2"),
            &[&summit, &number],
        )
        .await?
        .filter(|row| planner || row.get::<_, Option<OffsetDateTime>>(7).is_some())
        .ok_or_else(|| ApiError::NotFound(format!("no agenda {number} of summit {summit}")))?;
    stored(&row)
}

/// The published agenda before `number` (the latest one, for `None`).
async fn published_before(
    client: &impl GenericClient,
    summit: Uuid,
    number: Option<i32>,
) -> Result<Option<StoredAgenda>, ApiError> {
    client
        .query_opt(
            &format!(
                "SELECT {AGENDA_COLUMNS} FROM summits.agendas
                 WHERE summit_id = $1 AND published_at IS NOT NULL AND ($2::integer IS NULL OR number < $2)
                 ORDER BY number DESC LIMIT 1"
            ),
            &[&summit, &number],
        )
        .await?
        .as_ref()
        .map(stored)
        .transpose()
}

/// Pairs the attendees allocated to each one-to-one block, a few rounds per slot.
fn plan_conversations(instance: &Instance, allocation: &Allocation) -> Vec<Conversations> {
    instance
        .sessions
        .iter()
        .filter(|s| s.kind == Some(SessionKind::OneToOne))
        .map(|session| {
            let seated: Vec<_> = participants_for_session(instance, &session.id)
                .into_iter()
                .filter(|p| {
                    allocation
                        .agendas
                        .iter()
                        .any(|a| a.attendee == p.id && a.sessions.contains(&session.id))
                })
                .collect();
            Conversations {
                session: session.id.clone(),
                plan: pair_conversations(&seated, session.length as usize * ROUNDS_PER_SLOT, 2026),
            }
        })
        .collect()
}

/// How to solve a plan.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HowToSolve {
    /// After a published agenda, move as few sessions as possible (the default); `false` takes the published
    /// agenda only as a starting point and minds lost wishes alone.
    pub minimal_moves: Option<bool>,
}

/// `POST /api/v1/summits/{id}/agendas`: solve the current plan into a new agenda with its report, every
/// attendee's allocated sessions and the one-to-one pairs (planners). After a published agenda, sessions
/// move as little as possible unless `?minimal_moves=false`.
#[utoipa::path(post, path = "/api/v1/summits/{id}/agendas", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), HowToSolve),
    responses((status = 201, body = Agenda), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn solve_as_asked(id: String, query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    solve_plan_with(id, parse_query(&query)?, pool, credentials).await
}

/// Solves as `POST /api/v1/summits/{id}/agendas` does with no query: moving as few sessions as possible.
pub async fn solve_plan(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    solve_plan_with(id, HowToSolve::default(), pool, credentials).await
}

async fn solve_plan_with(id: String, how: HowToSolve, pool: Pool, credentials: Credentials) -> ApiResult {
    let ReadyToSolve { request, instance } = ready_to_solve(id, how, &pool, &credentials).await?;
    let options = request.options();
    let worked_out = tokio::task::spawn_blocking(move || work_out(instance, &options, &mut |_| {}))
        .await
        .map_err(internal)?
        .map_err(unprocessable)?;
    let agenda = store(&pool.get().await?, &request, worked_out).await?;
    Ok(json(&agenda.to_agenda(true)?, StatusCode::CREATED))
}

/// Who asked to solve which summit's plan, at which version, and how.
pub struct SolveRequest {
    pub summit: Uuid,
    pub requested_by: Uuid,
    pub plan_version: i64,
    pub how: HowToSolve,
}

impl SolveRequest {
    /// The solver's options for this request.
    pub fn options(&self) -> Options {
        Options {
            minimal_moves: self.how.minimal_moves.unwrap_or(true),
            ..Options::default()
        }
    }
}

/// A plan a planner may solve now, with the solver's instance built from it.
pub struct ReadyToSolve {
    pub request: SolveRequest,
    pub instance: Instance,
}

/// Checks that the viewer plans summits and that the summit has a plan, and reads it as an instance (with the
/// last published agenda, to move as little as possible from).
pub async fn ready_to_solve(
    id: String,
    how: HowToSolve,
    pool: &Pool,
    credentials: &Credentials,
) -> Result<ReadyToSolve, ApiError> {
    let summit = parse_id(&id)?;
    let viewer = signed_in(pool, credentials).await?;
    require_planner(&viewer)?;
    let client = pool.get().await?;
    summit_exists(&client, summit).await?;
    let plan_version = plan_version(&client, summit).await?;
    if plan_version == 0 {
        return Err(ApiError::invalid(
            "plan",
            "put a plan, or rooms, slots and sessions, first",
        ));
    }
    let mut instance = load_instance(&client, summit).await?;
    if let Some(published) = published_before(&client, summit, None).await? {
        instance.previous = Some(published.solution.assignments);
    }
    Ok(ReadyToSolve {
        request: SolveRequest {
            summit,
            requested_by: viewer.id,
            plan_version,
            how,
        },
        instance,
    })
}

/// Where a solve is, for whoever waits on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Placing sessions in rooms and slots: how far, and the best agenda's lost wishes so far.
    Placing(Progress),
    /// Allocating attendees to sessions and pairing one-to-one conversations.
    Allocating,
}

/// What a solve works out, off the async threads.
pub struct WorkedOut {
    instance: Instance,
    solution: Solution,
    report: Report,
    allocation: Allocation,
}

/// Solves, checks and allocates, telling `step` how far it has gone.
pub fn work_out(
    instance: Instance,
    options: &Options,
    step: &mut dyn FnMut(Step),
) -> Result<WorkedOut, SolverError> {
    let solution = solve_with_progress(&instance, options, &mut |progress| step(Step::Placing(progress)))?;
    step(Step::Allocating);
    let report = check(&instance, &solution)?;
    let allocation = allocate(&instance, &solution)?;
    Ok(WorkedOut {
        instance,
        solution,
        report,
        allocation,
    })
}

/// Stores a worked-out solve as the summit's next agenda.
pub async fn store(
    client: &impl GenericClient,
    request: &SolveRequest,
    worked_out: WorkedOut,
) -> Result<StoredAgenda, ApiError> {
    let WorkedOut {
        instance,
        solution,
        report,
        allocation,
    } = worked_out;
    let conversations = plan_conversations(&instance, &allocation);
    let mut agenda = StoredAgenda {
        number: 0,
        plan_version: request.plan_version,
        instance: Instance {
            previous: None,
            ..instance
        },
        solution,
        report: to_json(&report)?,
        allocation,
        conversations,
        published_at: None,
    };
    agenda.number = client
        .query_one(
            "INSERT INTO summits.agendas (id, summit_id, number, plan_version, instance, solution, report,
                 allocation, conversations, created_by)
             SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6, $7, $8, $9
             FROM summits.agendas WHERE summit_id = $2
             RETURNING number",
            &[
                &Uuid::now_v7(),
                &request.summit,
                &request.plan_version,
                &to_json(&agenda.instance)?,
                &to_json(&agenda.solution)?,
                &agenda.report,
                &to_json(&agenda.allocation)?,
                &to_json(&agenda.conversations)?,
                &request.requested_by,
            ],
        )
        .await?
        .get(0);
    Ok(agenda)
}

/// `GET /api/v1/summits/{id}/agendas/{number}`: an agenda. Planners see any, with its report and one-to-one
/// pairs; others see published agendas' placements only.
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, body = Agenda), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_agenda(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let number = parse_number(&number)?;
    let planner = viewer(&pool, &credentials).await?.is_some_and(|v| is_planner(&v));
    let agenda = load_agenda(&pool.get().await?, id, number, planner).await?;
    Ok(json(&agenda.to_agenda(planner)?, StatusCode::OK))
}

/// `POST /api/v1/summits/{id}/agendas/{number}/publish`: publish an agenda (planners).
#[utoipa::path(post, path = "/api/v1/summits/{id}/agendas/{number}/publish", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, body = Agenda), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn publish(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let number = parse_number(&number)?;
    require_planner(&signed_in(&pool, &credentials).await?)?;
    let client = pool.get().await?;
    let published = client
        .execute(
            "UPDATE summits.agendas SET published_at = coalesce(published_at, now())
             WHERE summit_id = $1 AND number = $2",
            &[&id, &number],
        )
        .await?;
    if published == 0 {
        return Err(ApiError::NotFound(format!("no agenda {number} of summit {id}")));
    }
    let agenda = load_agenda(&client, id, number, true).await?;
    Ok(json(&agenda.to_agenda(true)?, StatusCode::OK))
}

/// Whose agenda to read: planners may name any attendee.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WhoseAgenda {
    /// An attendee's key (planners only); your own agenda without it.
    pub attendee: Option<String>,
}

/// One session of an attendee's agenda, with where and when it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaEntry {
    pub session: String,
    pub title: String,
    pub room: String,
    /// The first slot.
    pub slot: String,
    pub day: String,
    pub start: String,
    pub end: String,
}

/// Someone to meet in a round of a one-to-one block.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OneToOneMeeting)]
pub struct Meeting {
    pub session: String,
    /// Counted from 1.
    pub round: usize,
    pub partner: String,
}

/// An attendee's own agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalAgenda {
    pub attendee: String,
    pub number: i32,
    /// In time order.
    pub sessions: Vec<AgendaEntry>,
    /// Wishes they did not get, and why.
    #[schema(value_type = Vec<Object>)]
    pub missed: Vec<MissedWish>,
    pub meetings: Vec<Meeting>,
}

impl StoredAgenda {
    /// Where and when a session of this agenda is: its room, first slot, and the span of its slots.
    pub fn entry(&self, session: &str) -> Option<AgendaEntry> {
        let placement = self.placement(session)?;
        let details = self.instance.sessions.iter().find(|s| s.id == session)?;
        let first = self.instance.slots.iter().position(|s| s.id == placement.slot)?;
        let last = (first + details.length.max(1) as usize - 1).min(self.instance.slots.len() - 1);
        let (start, end) = (&self.instance.slots[first], &self.instance.slots[last]);
        Some(AgendaEntry {
            session: session.to_string(),
            title: details.title.clone(),
            room: placement.room.clone(),
            slot: placement.slot.clone(),
            day: start.day.clone(),
            start: start.start.clone(),
            end: end.end.clone(),
        })
    }

    /// One attendee's agenda, or `None` if they were not registered when it was solved.
    pub fn personal(&self, attendee: &str) -> Option<PersonalAgenda> {
        let allocated = self.allocation.agendas.iter().find(|a| a.attendee == attendee)?;
        let meetings = self
            .conversations
            .iter()
            .flat_map(|block| {
                block
                    .plan
                    .rounds
                    .iter()
                    .enumerate()
                    .flat_map(move |(round, pairs)| {
                        pairs.iter().filter_map(move |[a, b]| {
                            let partner = if a == attendee {
                                b
                            } else if b == attendee {
                                a
                            } else {
                                return None;
                            };
                            Some(Meeting {
                                session: block.session.clone(),
                                round: round + 1,
                                partner: partner.clone(),
                            })
                        })
                    })
            })
            .collect();
        Some(PersonalAgenda {
            attendee: attendee.to_string(),
            number: self.number,
            sessions: allocated.sessions.iter().filter_map(|s| self.entry(s)).collect(),
            missed: self
                .allocation
                .missed
                .iter()
                .filter(|m| m.attendee == attendee)
                .cloned()
                .collect(),
            meetings,
        })
    }
}

/// The attendee whose agenda a viewer asks for: their own, or anyone's for planners.
pub fn whose(viewer: &Viewer, query: &str) -> Result<String, ApiError> {
    match parse_query::<WhoseAgenda>(query)?.attendee {
        Some(attendee) if is_planner(viewer) => Ok(attendee),
        Some(_) => Err(ApiError::Forbidden),
        None => Ok(viewer.id.to_string()),
    }
}

/// `GET /api/v1/summits/{id}/agendas/{number}/mine`: your own agenda — the sessions you were allocated
/// within room capacity, the wishes you missed and why, and whom you meet in one-to-one blocks. Planners
/// may ask for any attendee's with `?attendee=`.
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}/mine", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number"),
           WhoseAgenda),
    responses((status = 200, body = PersonalAgenda), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_mine(
    id: String,
    number: String,
    query: String,
    pool: Pool,
    credentials: Credentials,
) -> ApiResult {
    let id = parse_id(&id)?;
    let number = parse_number(&number)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let attendee = whose(&viewer, &query)?;
    let agenda = load_agenda(&pool.get().await?, id, number, is_planner(&viewer)).await?;
    let personal = agenda
        .personal(&attendee)
        .ok_or_else(|| ApiError::NotFound(format!("{attendee} was not registered for agenda {number}")))?;
    Ok(json(&personal, StatusCode::OK))
}

/// A session placed differently from one release to the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Move {
    pub session: String,
    /// Where it was (none for a new session).
    #[schema(value_type = Option<Object>)]
    pub from: Option<Placement>,
    /// Where it is now (none for a session taken out).
    #[schema(value_type = Option<Object>)]
    pub to: Option<Placement>,
}

/// What moved between the previous published agenda and this one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changelog {
    pub number: i32,
    /// The published agenda compared with (none for the first release).
    pub since: Option<i32>,
    pub moves: Vec<Move>,
}

/// The sessions placed differently in `to` than in `from`, added or taken out, in session order.
pub fn changes(from: &[Placement], to: &[Placement]) -> Vec<Move> {
    let mut sessions: Vec<&str> = from.iter().chain(to).map(|p| p.session.as_str()).collect();
    sessions.sort_unstable();
    sessions.dedup();
    sessions
        .into_iter()
        .filter_map(|session| {
            let before = from.iter().find(|p| p.session == session);
            let after = to.iter().find(|p| p.session == session);
            (before != after).then(|| Move {
                session: session.to_string(),
                from: before.cloned(),
                to: after.cloned(),
            })
        })
        .collect()
}

/// `GET /api/v1/summits/{id}/agendas/{number}/changes`: what moved since the published agenda before this
/// one (planners see any agenda's; others published ones').
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}/changes", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, body = Changelog), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_changes(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let number = parse_number(&number)?;
    let planner = viewer(&pool, &credentials).await?.is_some_and(|v| is_planner(&v));
    let client = pool.get().await?;
    let agenda = load_agenda(&client, id, number, planner).await?;
    let previous = published_before(&client, id, Some(number)).await?;
    let changelog = Changelog {
        number,
        since: previous.as_ref().map(|p| p.number),
        moves: changes(
            previous.as_ref().map_or(&[][..], |p| &p.solution.assignments),
            &agenda.solution.assignments,
        ),
    };
    Ok(json(&changelog, StatusCode::OK))
}
