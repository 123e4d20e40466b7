//! Programmes of support (the Community Leadership Academy, a training series) with cohorts, sessions
//! tagged with the network's four actions, enrolments of people and of organisations with completion, and
//! attendance (registered, attended, cancelled). Programmes and cohorts are public; who enrolled and who
//! attended are for staff.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::Credentials;
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_id, parse_json, parse_query, raw_query};
use shared::pagination::{Page, PageParams};
use time::Date;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

use crate::access::{require_organisation, staff};
use crate::input::{Checks, LONG_TEXT, SHORT_TEXT};
use crate::people::{require_consent, Purpose};
use crate::{one_of, with_pool, Route};

/// The four actions the network works by; sessions and activities are tagged with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NetworkAction {
    SpeakOut,
    Connect,
    GrowPower,
    BuildCommonGround,
}

impl NetworkAction {
    pub const ALL: [NetworkAction; 4] = [
        NetworkAction::SpeakOut,
        NetworkAction::Connect,
        NetworkAction::GrowPower,
        NetworkAction::BuildCommonGround,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NetworkAction::SpeakOut => "speak_out",
            NetworkAction::Connect => "connect",
            NetworkAction::GrowPower => "grow_power",
            NetworkAction::BuildCommonGround => "build_common_ground",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    Academy,
    TrainingSeries,
    CapacitySupport,
    Other,
}

impl ProgrammeKind {
    fn as_str(self) -> &'static str {
        match self {
            ProgrammeKind::Academy => "academy",
            ProgrammeKind::TrainingSeries => "training_series",
            ProgrammeKind::CapacitySupport => "capacity_support",
            ProgrammeKind::Other => "other",
        }
    }

    fn parse(raw: &str) -> ProgrammeKind {
        match raw {
            "academy" => ProgrammeKind::Academy,
            "training_series" => ProgrammeKind::TrainingSeries,
            "capacity_support" => ProgrammeKind::CapacitySupport,
            _ => ProgrammeKind::Other,
        }
    }
}

/// A programme of support, such as the Community Leadership Academy or a training series.
#[derive(Debug, Serialize, ToSchema)]
pub struct Programme {
    pub id: Uuid,
    pub name: String,
    pub kind: ProgrammeKind,
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgramme {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    pub kind: ProgrammeKind,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
}

/// A cohort of a programme, such as the Academy's autumn intake.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cohort {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
}

/// A cohort to add: its name and when it runs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCohort {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
}

/// A programme with its cohorts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeDetail {
    #[serde(flatten)]
    pub programme: Programme,
    pub cohorts: Vec<Cohort>,
}

/// A session of a cohort.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TrainingSession)]
pub struct Session {
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub id: Uuid,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    /// The member organisation that ran it, if one did.
    pub led_by_organisation_id: Option<Uuid>,
    #[serde(default)]
    pub actions: Vec<NetworkAction>,
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub registered: i64,
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub attended: i64,
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub cancelled: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Enrolled,
    Completed,
    Withdrawn,
}

impl EnrolmentStatus {
    fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::Completed => "completed",
            EnrolmentStatus::Withdrawn => "withdrawn",
        }
    }

    fn parse(raw: &str) -> EnrolmentStatus {
        match raw {
            "completed" => EnrolmentStatus::Completed,
            "withdrawn" => EnrolmentStatus::Withdrawn,
            _ => EnrolmentStatus::Enrolled,
        }
    }
}

/// A person or an organisation enrolled in a cohort.
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    pub id: Uuid,
    pub cohort_id: Uuid,
    /// Empty for an organisation's enrolment, or once the person was erased or purged.
    pub person_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub status: EnrolmentStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub completed_on: Option<Date>,
}

/// Who to enrol: a person, or an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    pub person_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
}

/// A change of an enrolment's status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentChange {
    pub status: EnrolmentStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub completed_on: Option<Date>,
}

/// A cohort with its sessions (and their attendance) and enrolments.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDetail {
    #[serde(flatten)]
    pub cohort: Cohort,
    pub sessions: Vec<Session>,
    pub enrolments: Vec<Enrolment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    Registered,
    Attended,
    Cancelled,
}

/// A person's attendance at a session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    pub person_id: Uuid,
    pub status: AttendanceStatus,
}

#[derive(OpenApi)]
#[openapi(
    paths(list_programmes, create_programme, get_programme, create_cohort, get_cohort, create_session,
          create_enrolment, update_enrolment, record_attendance),
    components(schemas(NetworkAction, ProgrammeKind, Programme, Page<Programme>, NewProgramme, Cohort, NewCohort,
                       ProgrammeDetail, Session, EnrolmentStatus, Enrolment, NewEnrolment, EnrolmentChange,
                       CohortDetail, AttendanceStatus, Attendance))
)]
pub struct ProgrammesApi;

pub fn routes(pool: Pool) -> Route {
    let credentials = shared::accounts::credentials;
    let programmes = || warp::path!("api" / "v1" / "capacity" / "programmes");
    let cohort = || warp::path!("api" / "v1" / "capacity" / "cohorts" / String);
    one_of(vec![
        programmes()
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .then(list_programmes)
            .map(respond)
            .boxed(),
        programmes()
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_programme)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "programmes" / String)
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .then(get_programme)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "programmes" / String / "cohorts")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_cohort)
            .map(respond)
            .boxed(),
        cohort()
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(get_cohort)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "cohorts" / String / "sessions")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_session)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "cohorts" / String / "enrolments")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_enrolment)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "enrolments" / String)
            .and(warp::patch())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(update_enrolment)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "sessions" / String / "attendance")
            .and(warp::put())
            .and(with_pool(pool))
            .and(credentials())
            .and(body_bytes())
            .then(record_attendance)
            .map(respond)
            .boxed(),
    ])
}

fn programme_from_row(r: &tokio_postgres::Row) -> Programme {
    Programme {
        id: r.get(0),
        name: r.get(1),
        kind: ProgrammeKind::parse(r.get(2)),
        description: r.get(3),
    }
}

/// `GET /api/v1/capacity/programmes`: programmes of support (open to everyone).
#[utoipa::path(get, path = "/api/v1/capacity/programmes", tag = "capacity", params(PageParams),
    responses((status = 200, body = Page<Programme>), (status = 400, body = Problem)))]
pub async fn list_programmes(query: String, pool: Pool) -> ApiResult {
    let page = parse_query::<PageParams>(&query)?.validate()?;
    let rows = pool
        .get()
        .await?
        .query(
            "SELECT id, name, kind, description FROM capacity.programmes
             WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
            &[&page.after::<Uuid>()?, &page.fetch()],
        )
        .await?;
    let programmes = rows.iter().map(programme_from_row).collect();
    Ok(json(
        &Page::from_rows(programmes, &page, |p: &Programme| p.id.to_string()),
        StatusCode::OK,
    ))
}

/// `POST /api/v1/capacity/programmes`: start a programme (staff).
#[utoipa::path(post, path = "/api/v1/capacity/programmes", tag = "capacity", request_body = NewProgramme,
    responses((status = 201, body = Programme), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_programme(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    staff(&pool, &credentials).await?;
    let new: NewProgramme = parse_json(&body)?;
    let mut checks = Checks::new();
    let programme = Programme {
        id: Uuid::now_v7(),
        name: checks.text("name", &new.name, SHORT_TEXT),
        kind: new.kind,
        description: checks.optional_text("description", &new.description, LONG_TEXT),
    };
    checks.finish()?;
    pool.get()
        .await?
        .execute(
            "INSERT INTO capacity.programmes (id, name, kind, description) VALUES ($1, $2, $3, $4)",
            &[
                &programme.id,
                &programme.name,
                &programme.kind.as_str(),
                &programme.description,
            ],
        )
        .await?;
    Ok(json(&programme, StatusCode::CREATED))
}

async fn programme(client: &impl GenericClient, id: Uuid) -> Result<Programme, ApiError> {
    client
        .query_opt(
            "SELECT id, name, kind, description FROM capacity.programmes WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| programme_from_row(&r))
        .ok_or_else(|| ApiError::NotFound("no programme has this id".into()))
}

fn cohort_from_row(r: &tokio_postgres::Row) -> Cohort {
    Cohort {
        id: r.get(0),
        programme_id: r.get(1),
        name: r.get(2),
        starts_on: r.get(3),
        ends_on: r.get(4),
    }
}

/// `GET /api/v1/capacity/programmes/{id}`: a programme and its cohorts (open to everyone).
#[utoipa::path(get, path = "/api/v1/capacity/programmes/{id}", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, body = ProgrammeDetail), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_programme(id: String, pool: Pool) -> ApiResult {
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    let programme = programme(&client, id).await?;
    let cohorts = client
        .query(
            "SELECT id, programme_id, name, starts_on, ends_on FROM capacity.cohorts
             WHERE programme_id = $1 ORDER BY starts_on, id",
            &[&id],
        )
        .await?
        .iter()
        .map(cohort_from_row)
        .collect();
    Ok(json(&ProgrammeDetail { programme, cohorts }, StatusCode::OK))
}

/// `POST /api/v1/capacity/programmes/{id}/cohorts`: add a cohort (staff).
#[utoipa::path(post, path = "/api/v1/capacity/programmes/{id}/cohorts", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = NewCohort,
    responses((status = 201, body = Cohort), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_cohort(
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    programme(&client, id).await?;
    let new: NewCohort = parse_json(&body)?;
    let mut checks = Checks::new();
    let name = checks.text("name", &new.name, SHORT_TEXT);
    checks.require(
        new.ends_on >= new.starts_on,
        "ends_on",
        "a cohort ends on or after the day it starts",
    );
    checks.finish()?;
    let cohort = Cohort {
        id: Uuid::now_v7(),
        programme_id: id,
        name,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
    };
    client
        .execute(
            "INSERT INTO capacity.cohorts (id, programme_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5)",
            &[&cohort.id, &id, &cohort.name, &cohort.starts_on, &cohort.ends_on],
        )
        .await?;
    Ok(json(&cohort, StatusCode::CREATED))
}

async fn cohort(client: &impl GenericClient, id: Uuid) -> Result<Cohort, ApiError> {
    client
        .query_opt(
            "SELECT id, programme_id, name, starts_on, ends_on FROM capacity.cohorts WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| cohort_from_row(&r))
        .ok_or_else(|| ApiError::NotFound("no cohort has this id".into()))
}

fn parse_action(raw: &str) -> Option<NetworkAction> {
    NetworkAction::ALL.into_iter().find(|a| a.as_str() == raw)
}

/// `GET /api/v1/capacity/cohorts/{id}`: a cohort's sessions with attendance counts, and its enrolments (staff).
#[utoipa::path(get, path = "/api/v1/capacity/cohorts/{id}", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, body = CohortDetail), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_cohort(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    let cohort = cohort(&client, id).await?;
    let sessions = client
        .query(
            "SELECT s.id, s.title, s.held_on, s.led_by_organisation_id, s.actions,
                    count(*) FILTER (WHERE a.status = 'registered'),
                    count(*) FILTER (WHERE a.status = 'attended'),
                    count(*) FILTER (WHERE a.status = 'cancelled')
             FROM capacity.sessions s LEFT JOIN capacity.attendance a ON a.session_id = s.id
             WHERE s.cohort_id = $1 GROUP BY s.id ORDER BY s.held_on, s.id",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| Session {
            id: r.get(0),
            title: r.get(1),
            held_on: r.get(2),
            led_by_organisation_id: r.get(3),
            actions: r
                .get::<_, Vec<String>>(4)
                .iter()
                .filter_map(|a| parse_action(a))
                .collect(),
            registered: r.get(5),
            attended: r.get(6),
            cancelled: r.get(7),
        })
        .collect();
    let enrolments = client
        .query(
            "SELECT id, person_id, organisation_id, status, completed_on, kind FROM capacity.enrolments
             WHERE cohort_id = $1 ORDER BY enrolled_at, id",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| Enrolment {
            id: r.get(0),
            cohort_id: id,
            person_id: r.get(1),
            organisation_id: r.get(2),
            status: EnrolmentStatus::parse(r.get(3)),
            completed_on: r.get(4),
        })
        .collect();
    Ok(json(
        &CohortDetail {
            cohort,
            sessions,
            enrolments,
        },
        StatusCode::OK,
    ))
}

/// `POST /api/v1/capacity/cohorts/{id}/sessions`: add a session, tagged with the actions it serves (staff).
#[utoipa::path(post, path = "/api/v1/capacity/cohorts/{id}/sessions", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = Session,
    responses((status = 201, body = Session), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_session(
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    cohort(&client, id).await?;
    let mut session: Session = parse_json(&body)?;
    let mut checks = Checks::new();
    session.title = checks.text("title", &session.title, SHORT_TEXT);
    checks.finish()?;
    if let Some(organisation) = session.led_by_organisation_id {
        require_organisation(&client, organisation)
            .await
            .map_err(|_| ApiError::invalid("led_by_organisation_id", "no organisation has this id"))?;
    }
    session.actions.sort_by_key(|a| a.as_str());
    session.actions.dedup();
    session.id = Uuid::now_v7();
    let actions: Vec<&str> = session.actions.iter().map(|a| a.as_str()).collect();
    client
        .execute(
            "INSERT INTO capacity.sessions (id, cohort_id, title, held_on, led_by_organisation_id, actions)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &session.id,
                &id,
                &session.title,
                &session.held_on,
                &session.led_by_organisation_id,
                &actions,
            ],
        )
        .await?;
    Ok(json(&session, StatusCode::CREATED))
}

/// `POST /api/v1/capacity/cohorts/{id}/enrolments`: enrol a person (who consented to programmes) or an
/// organisation (staff).
#[utoipa::path(post, path = "/api/v1/capacity/cohorts/{id}/enrolments", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = NewEnrolment,
    responses((status = 201, body = Enrolment), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_enrolment(
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    cohort(&client, id).await?;
    let new: NewEnrolment = parse_json(&body)?;
    let (kind, organisation) = match (new.person_id, new.organisation_id) {
        (Some(person), None) => {
            let record = crate::people::read(&client, person)
                .await
                .map_err(|_| ApiError::invalid("person_id", "no person has this id"))?;
            require_consent(&client, person, Purpose::Programmes).await?;
            ("person", record.organisation_id)
        }
        (None, Some(organisation)) => {
            require_organisation(&client, organisation)
                .await
                .map_err(|_| ApiError::invalid("organisation_id", "no organisation has this id"))?;
            ("organisation", Some(organisation))
        }
        _ => {
            return Err(ApiError::invalid(
                "person_id",
                "enrol either a person or an organisation",
            ))
        }
    };
    let enrolment = Enrolment {
        id: Uuid::now_v7(),
        cohort_id: id,
        person_id: new.person_id,
        organisation_id: organisation,
        status: EnrolmentStatus::Enrolled,
        completed_on: None,
    };
    client
        .execute(
            "INSERT INTO capacity.enrolments (id, cohort_id, kind, person_id, organisation_id, status)
             VALUES ($1, $2, $3, $4, $5, 'enrolled')",
            &[&enrolment.id, &id, &kind, &enrolment.person_id, &organisation],
        )
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict("already enrolled in this cohort".into()),
            other => other,
        })?;
    Ok(json(&enrolment, StatusCode::CREATED))
}

/// `PATCH /api/v1/capacity/enrolments/{id}`: mark an enrolment completed or withdrawn (staff).
#[utoipa::path(patch, path = "/api/v1/capacity/enrolments/{id}", tag = "capacity", params(("id" = Uuid, Path)),
    request_body = EnrolmentChange,
    responses((status = 200, body = Enrolment), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_enrolment(
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let change: EnrolmentChange = parse_json(&body)?;
    let completed_on = match change.status {
        EnrolmentStatus::Completed => Some(
            change
                .completed_on
                .unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
        ),
        _ if change.completed_on.is_some() => {
            return Err(ApiError::invalid(
                "completed_on",
                "only a completed enrolment has a completion day",
            ))
        }
        _ => None,
    };
    let row = pool
        .get()
        .await?
        .query_opt(
            "UPDATE capacity.enrolments SET status = $2, completed_on = $3 WHERE id = $1
             RETURNING id, cohort_id, person_id, organisation_id, status, completed_on",
            &[&id, &change.status.as_str(), &completed_on],
        )
        .await?
        .ok_or_else(|| ApiError::NotFound("no enrolment has this id".into()))?;
    Ok(json(
        &Enrolment {
            id: row.get(0),
            cohort_id: row.get(1),
            person_id: row.get(2),
            organisation_id: row.get(3),
            status: EnrolmentStatus::parse(row.get(4)),
            completed_on: row.get(5),
        },
        StatusCode::OK,
    ))
}

/// `PUT /api/v1/capacity/sessions/{id}/attendance`: set a person's attendance at a session (staff).
#[utoipa::path(put, path = "/api/v1/capacity/sessions/{id}/attendance", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = Attendance,
    responses((status = 200, body = Attendance), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_attendance(
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let attendance: Attendance = parse_json(&body)?;
    let client = pool.get().await?;
    client
        .query_opt("SELECT 1 FROM capacity.sessions WHERE id = $1", &[&id])
        .await?
        .ok_or_else(|| ApiError::NotFound("no session has this id".into()))?;
    let person = crate::people::read(&client, attendance.person_id)
        .await
        .map_err(|_| ApiError::invalid("person_id", "no person has this id"))?;
    let status = match attendance.status {
        AttendanceStatus::Registered => "registered",
        AttendanceStatus::Attended => "attended",
        AttendanceStatus::Cancelled => "cancelled",
    };
    client
        .execute(
            "INSERT INTO capacity.attendance (id, session_id, person_id, organisation_id, status)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (session_id, person_id) WHERE person_id IS NOT NULL
             DO UPDATE SET status = EXCLUDED.status, updated_at = now()",
            &[
                &Uuid::now_v7(),
                &id,
                &attendance.person_id,
                &person.organisation_id,
                &status,
            ],
        )
        .await?;
    Ok(json(&attendance, StatusCode::OK))
}
