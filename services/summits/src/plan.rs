//! A summit's plan: its rooms, slots, sessions, people, registrations and pins, read together as the
//! scheduler's instance. Planners may also put or get the whole plan as one document (the format of
//! `commonground schedule`), which replaces every part at once (members' own registrations stay). Every
//! change is kept only if the plan it leaves is one the solver accepts; planners' changes, one part or the
//! whole plan, bump the plan's version (its ETag).

use deadpool_postgres::{GenericClient, Pool, Transaction};
use shared::accounts::{signed_in, Credentials, Role, Viewer};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{etag_for, json_with_etag, parse_id, version_from_if_match};
use summit_solver::{Instance, SolverError};
use uuid::Uuid;
use warp::http::StatusCode;

use crate::parts::{load, store, PlanPart};
use crate::people::Person;
use crate::pins::Pin;
use crate::registrations::Registration;
use crate::rooms::Room;
use crate::sessions::Session;
use crate::slots::Slot;

/// Fails with 403 unless the viewer plans summits (planners and staff).
pub fn require_planner(viewer: &Viewer) -> Result<(), ApiError> {
    viewer.require_role(&[Role::Planner, Role::Admin])
}

/// Whether the viewer plans summits.
pub fn is_planner(viewer: &Viewer) -> bool {
    require_planner(viewer).is_ok()
}

pub async fn summit_exists(client: &impl GenericClient, id: Uuid) -> Result<(), ApiError> {
    client
        .query_opt("SELECT 1 FROM summits.summits WHERE id = $1", &[&id])
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::NotFound(format!("no summit {id}")))
}

pub fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(error.to_string())
}

/// The solver's complaints as a field-by-field 422.
pub fn unprocessable(error: SolverError) -> ApiError {
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

/// The plan of a summit as the scheduler's instance, derived from its parts.
pub async fn load_instance(client: &impl GenericClient, summit: Uuid) -> Result<Instance, ApiError> {
    let timezone: String = client
        .query_opt("SELECT timezone FROM summits.summits WHERE id = $1", &[&summit])
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no summit {summit}")))?
        .get(0);
    Ok(Instance {
        timezone,
        slots: load::<Slot>(client, summit)
            .await?
            .into_iter()
            .map(Slot::into_instance)
            .collect(),
        rooms: load::<Room>(client, summit)
            .await?
            .into_iter()
            .map(Room::into_instance)
            .collect(),
        sessions: load::<Session>(client, summit)
            .await?
            .into_iter()
            .map(Session::into_instance)
            .collect(),
        people: load::<Person>(client, summit)
            .await?
            .into_iter()
            .map(Person::into_instance)
            .collect(),
        attendees: load::<Registration>(client, summit)
            .await?
            .into_iter()
            .map(Registration::into_instance)
            .collect(),
        pinned: load::<Pin>(client, summit)
            .await?
            .into_iter()
            .map(Pin::into_instance)
            .collect(),
        previous: None,
    })
}

/// The current version of a summit's plan (0 before its first change).
pub async fn plan_version(client: &impl GenericClient, summit: Uuid) -> Result<i64, ApiError> {
    Ok(client
        .query_opt(
            "SELECT version FROM summits.plans WHERE summit_id = $1",
            &[&summit],
        )
        .await?
        .map_or(0, |row| row.get(0)))
}

/// One change to a summit's plan, in a transaction that holds the plan's lock: begin it, change the parts,
/// then commit, which checks the whole plan and bumps its version.
pub struct PlanChange<'a> {
    pub summit: Uuid,
    pub transaction: Transaction<'a>,
    /// The version before this change (0 when the summit had no plan yet).
    pub version: i64,
}

impl<'a> PlanChange<'a> {
    pub async fn begin(
        client: &'a mut deadpool_postgres::Client,
        summit: Uuid,
    ) -> Result<PlanChange<'a>, ApiError> {
        let transaction = client.transaction().await?;
        summit_exists(&transaction, summit).await?;
        transaction
            .execute(
                "INSERT INTO summits.plans (summit_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING",
                &[&summit],
            )
            .await?;
        let version: i64 = transaction
            .query_one(
                "SELECT version FROM summits.plans WHERE summit_id = $1 FOR UPDATE",
                &[&summit],
            )
            .await?
            .get(0);
        Ok(PlanChange {
            summit,
            transaction,
            version,
        })
    }

    /// Checks the plan as changed; keeps the change and returns the new version if the solver accepts
    /// the plan, or refuses it with every problem (422).
    pub async fn commit(self) -> Result<i64, ApiError> {
        self.finish(true).await
    }

    /// Like [`PlanChange::commit`], for an attendee's own registration: that is theirs, not part of what
    /// planners edit, so the plan's version (which guards planners against overwriting each other) stays.
    pub async fn commit_registration(self) -> Result<i64, ApiError> {
        self.finish(false).await
    }

    async fn finish(self, new_version: bool) -> Result<i64, ApiError> {
        let instance = load_instance(&self.transaction, self.summit).await?;
        let mut problems = match instance.validate() {
            Ok(()) => Vec::new(),
            Err(SolverError::InvalidInstance { problems }) => problems,
            Err(other) => return Err(unprocessable(other)),
        };
        problems.extend(days_outside(&self.transaction, self.summit, &instance).await?);
        if !problems.is_empty() {
            return Err(unprocessable(SolverError::InvalidInstance { problems }));
        }
        if new_version {
            self.transaction
                .execute(
                    "UPDATE summits.plans SET version = version + 1, updated_at = now() WHERE summit_id = $1",
                    &[&self.summit],
                )
                .await?;
        }
        self.transaction.commit().await?;
        Ok(self.version + i64::from(new_version))
    }
}

/// The problems of slots on days outside the summit's dates.
async fn days_outside(
    client: &impl GenericClient,
    summit: Uuid,
    instance: &Instance,
) -> Result<Vec<String>, ApiError> {
    let row = client
        .query_one(
            "SELECT starts_on::text, ends_on::text FROM summits.summits WHERE id = $1",
            &[&summit],
        )
        .await?;
    let (starts, ends): (String, String) = (row.get(0), row.get(1));
    // Days are checked as YYYY-MM-DD by the instance, so their text sorts as the days do.
    Ok(instance
        .slots
        .iter()
        .filter(|slot| slot.day < starts || slot.day > ends)
        .map(|slot| {
            format!(
                "slot {} is on {}, outside the summit ({starts} to {ends})",
                slot.id, slot.day
            )
        })
        .collect())
}

/// Replaces every part of the plan with the instance's.
async fn replace_parts(change: &PlanChange<'_>, instance: &Instance) -> Result<(), ApiError> {
    for table in ["rooms", "slots", "sessions", "people", "pins"] {
        change
            .transaction
            .execute(
                &format!("DELETE FROM summits.{table} WHERE summit_id = $1"),
                &[&change.summit],
            )
            .await?;
    }
    // Members' own registrations stay; attendees of the document replace those without an account.
    change
        .transaction
        .execute(
            "DELETE FROM summits.registrations WHERE summit_id = $1 AND user_id IS NULL",
            &[&change.summit],
        )
        .await?;
    change
        .transaction
        .execute(
            "UPDATE summits.summits SET timezone = $2 WHERE id = $1",
            &[&change.summit, &instance.timezone],
        )
        .await?;
    async fn each<P: PlanPart>(change: &PlanChange<'_>, parts: Vec<(String, P)>) -> Result<(), ApiError> {
        for (key, part) in parts {
            store(change, &key, &part).await?;
        }
        Ok(())
    }
    each(
        change,
        instance
            .slots
            .iter()
            .map(Slot::from_instance)
            .collect::<Result<_, _>>()?,
    )
    .await?;
    each(change, instance.rooms.iter().map(Room::from_instance).collect()).await?;
    each(
        change,
        instance.sessions.iter().map(Session::from_instance).collect(),
    )
    .await?;
    each(
        change,
        instance.people.iter().map(Person::from_instance).collect(),
    )
    .await?;
    each(
        change,
        instance
            .attendees
            .iter()
            .map(Registration::from_instance)
            .collect(),
    )
    .await?;
    each(change, instance.pinned.iter().map(Pin::from_instance).collect()).await?;
    change
        .transaction
        .execute(
            "UPDATE summits.registrations r SET
                 wishes = ARRAY(SELECT u.w FROM unnest(r.wishes) WITH ORDINALITY AS u(w, n)
                                WHERE u.w IN (SELECT key FROM summits.sessions WHERE summit_id = $1) ORDER BY u.n),
                 unavailable = ARRAY(SELECT x FROM unnest(r.unavailable) x
                                     WHERE x IN (SELECT key FROM summits.slots WHERE summit_id = $1))
             WHERE r.summit_id = $1 AND r.user_id IS NOT NULL",
            &[&change.summit],
        )
        .await?;
    Ok(())
}

/// `PUT /api/v1/summits/{id}/plan`: replace the whole plan (planners). Needs `If-Match` once a plan exists.
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
    let instance: Instance = shared::http::parse_json(&body)?;
    instance.validate().map_err(unprocessable)?;
    if !crate::valid_timezone(&instance.timezone) {
        return Err(ApiError::invalid(
            "timezone",
            "use an IANA time zone such as Europe/London",
        ));
    }
    let mut client = pool.get().await?;
    let change = PlanChange::begin(&mut client, id).await?;
    if change.version > 0 && version_from_if_match(if_match.as_deref())? != Some(change.version) {
        let current = load_instance(&change.transaction, id).await?;
        return Err(ApiError::PreconditionFailed {
            current: serde_json::to_value(&current).map_err(internal)?,
            etag: etag_for(change.version),
        });
    }
    replace_parts(&change, &instance).await?;
    let version = change.commit().await?;
    let saved = load_instance(&client, id).await?;
    Ok(json_with_etag(&saved, StatusCode::OK, &etag_for(version)))
}

/// `GET /api/v1/summits/{id}/plan`: the whole plan with its ETag (planners; it holds attendees' wishes and
/// needs).
#[utoipa::path(get, path = "/api/v1/summits/{id}/plan", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id")),
    responses((status = 200, description = "the plan", headers(("ETag" = String))), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_plan(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    require_planner(&signed_in(&pool, &credentials).await?)?;
    let client = pool.get().await?;
    let version = plan_version(&client, id).await?;
    let instance = load_instance(&client, id).await?;
    if version == 0 {
        return Err(ApiError::NotFound(format!("summit {id} has no plan yet")));
    }
    Ok(json_with_etag(&instance, StatusCode::OK, &etag_for(version)))
}
