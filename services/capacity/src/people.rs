//! People the network supports (mentors, mentees, learners) and what they consented to, when. A person's
//! data can be exported and erased (anonymised: figures stay, the person goes), and a retention purge
//! removes registrations and mentoring data past the retention period.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::Credentials;
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_id, parse_json};
use time::{Date, Duration, OffsetDateTime};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

use crate::access::{require_organisation, staff};
use crate::input::{Checks, SHORT_TEXT};
use crate::{one_of, with_pool, Route};

/// How long registrations and mentoring data are kept after they end, unless a purge says otherwise.
pub const RETENTION_DAYS: i64 = 2 * 365;

/// What a person consented to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Being contacted by the network.
    Contact,
    Mentoring,
    Programmes,
    /// Counting in reports.
    Reporting,
    /// Their story told (with their words).
    Stories,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Contact => "contact",
            Purpose::Mentoring => "mentoring",
            Purpose::Programmes => "programmes",
            Purpose::Reporting => "reporting",
            Purpose::Stories => "stories",
        }
    }
}

/// One consent: given when, for what, and when withdrawn.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    pub id: Uuid,
    pub purpose: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub given_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub withdrawn_at: Option<OffsetDateTime>,
}

/// A person's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub erased: bool,
    pub consents: Vec<Consent>,
}

/// A person to record, with the consents they gave.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(min_length = 3, max_length = 254, pattern = "@")]
    pub email: Option<String>,
    #[schema(min_length = 1, max_length = 40, pattern = r"\S")]
    pub phone: Option<String>,
    pub organisation_id: Option<Uuid>,
    #[serde(default)]
    pub consents: Vec<Purpose>,
}

/// Consent given (or withdrawn, with `given: false`) for a purpose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentChange {
    pub purpose: Purpose,
    pub given: bool,
}

/// When to purge before (the retention period before today when absent).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurgeRequest {
    #[schema(value_type = Option<String>, format = Date)]
    pub before: Option<Date>,
}

/// What a purge removed.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct PurgeReport {
    #[schema(value_type = String, format = Date)]
    pub before: Option<Date>,
    /// Registrations (enrolments and attendance) no longer linked to a person.
    pub registrations_unlinked: u64,
    /// Meeting notes wiped.
    pub meeting_notes_wiped: u64,
    /// Mentoring profiles deleted (their matches stay, as figures).
    pub mentoring_profiles_deleted: u64,
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create_person,
        get_person,
        change_consent,
        export_person,
        erase_person,
        purge_endpoint
    ),
    components(schemas(Purpose, Consent, Person, NewPerson, ConsentChange, PurgeRequest, PurgeReport))
)]
pub struct PeopleApi;

pub fn routes(pool: Pool) -> Route {
    let credentials = shared::accounts::credentials;
    one_of(vec![
        warp::path!("api" / "v1" / "capacity" / "people")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_person)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "people" / String)
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(get_person)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "people" / String / "consents")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(change_consent)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "people" / String / "export")
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(export_person)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "people" / String / "erase")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(erase_person)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "retention" / "purge")
            .and(warp::post())
            .and(with_pool(pool))
            .and(credentials())
            .and(body_bytes())
            .then(purge_endpoint)
            .map(respond)
            .boxed(),
    ])
}

/// A person's record; 404 if there is none.
pub async fn read(client: &impl GenericClient, id: Uuid) -> Result<Person, ApiError> {
    let row = client
        .query_opt(
            "SELECT name, email, phone, organisation_id, erased_at IS NOT NULL FROM capacity.people WHERE id = $1",
            &[&id],
        )
        .await?
        .ok_or_else(|| ApiError::NotFound("no person has this id".into()))?;
    let consents = client
        .query(
            "SELECT id, purpose, given_at, withdrawn_at FROM capacity.consents WHERE person_id = $1 ORDER BY given_at, id",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| Consent {
            id: r.get(0),
            purpose: r.get(1),
            given_at: r.get(2),
            withdrawn_at: r.get(3),
        })
        .collect();
    Ok(Person {
        id,
        name: row.get(0),
        email: row.get(1),
        phone: row.get(2),
        organisation_id: row.get(3),
        erased: row.get(4),
        consents,
    })
}

/// 422 unless `person` has live consent for `purpose`.
pub async fn require_consent(
    client: &impl GenericClient,
    person: Uuid,
    purpose: Purpose,
) -> Result<(), ApiError> {
    let consented = client
        .query_opt(
            "SELECT 1 FROM capacity.consents WHERE person_id = $1 AND purpose = $2 AND withdrawn_at IS NULL",
            &[&person, &purpose.as_str()],
        )
        .await?
        .is_some();
    if consented {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "person_id",
            format!("this person has not consented to {}", purpose.as_str()),
        ))
    }
}

/// `POST /api/v1/capacity/people`: record a person and their consents (staff).
#[utoipa::path(post, path = "/api/v1/capacity/people", tag = "capacity", request_body = NewPerson,
    responses((status = 201, body = Person), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_person(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let viewer = staff(&pool, &credentials).await?;
    let new: NewPerson = parse_json(&body)?;
    let mut checks = Checks::new();
    let name = checks.text("name", &new.name, SHORT_TEXT);
    let email = new.email.as_deref().map(|e| checks.text("email", e, 254));
    checks.require(
        email.as_deref().is_none_or(|e| e.contains('@')),
        "email",
        "enter an email address such as name@example.org",
    );
    let phone = new.phone.as_deref().map(|p| checks.text("phone", p, 40));
    checks.finish()?;
    let mut client = pool.get().await?;
    if let Some(organisation) = new.organisation_id {
        require_organisation(&client, organisation)
            .await
            .map_err(|_| ApiError::invalid("organisation_id", "no organisation has this id"))?;
    }
    let id = Uuid::now_v7();
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "INSERT INTO capacity.people (id, name, email, phone, organisation_id) VALUES ($1, $2, $3, $4, $5)",
            &[&id, &name, &email, &phone, &new.organisation_id],
        )
        .await?;
    for purpose in &new.consents {
        give_consent(&transaction, id, *purpose, viewer.id).await?;
    }
    let person = read(&transaction, id).await?;
    transaction.commit().await?;
    Ok(json(&person, StatusCode::CREATED))
}

async fn give_consent(
    client: &impl GenericClient,
    person: Uuid,
    purpose: Purpose,
    actor: Uuid,
) -> Result<(), ApiError> {
    client
        .execute(
            "INSERT INTO capacity.consents (id, person_id, purpose, given_at, recorded_by)
             SELECT $1, $2, $3, now(), $4 WHERE NOT EXISTS (
                 SELECT 1 FROM capacity.consents WHERE person_id = $2 AND purpose = $3 AND withdrawn_at IS NULL)",
            &[&Uuid::now_v7(), &person, &purpose.as_str(), &actor],
        )
        .await?;
    Ok(())
}

/// `GET /api/v1/capacity/people/{id}`: a person and their consents (staff).
#[utoipa::path(get, path = "/api/v1/capacity/people/{id}", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, body = Person), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_person(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    Ok(json(&read(&pool.get().await?, id).await?, StatusCode::OK))
}

/// `POST /api/v1/capacity/people/{id}/consents`: record consent given, or withdrawn (staff).
#[utoipa::path(post, path = "/api/v1/capacity/people/{id}/consents", tag = "capacity", params(("id" = Uuid, Path)),
    request_body = ConsentChange,
    responses((status = 201, body = Person), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn change_consent(
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let viewer = staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let change: ConsentChange = parse_json(&body)?;
    let client = pool.get().await?;
    read(&client, id).await?;
    if change.given {
        give_consent(&client, id, change.purpose, viewer.id).await?;
    } else {
        client
            .execute(
                "UPDATE capacity.consents SET withdrawn_at = now()
                 WHERE person_id = $1 AND purpose = $2 AND withdrawn_at IS NULL",
                &[&id, &change.purpose.as_str()],
            )
            .await?;
    }
    Ok(json(&read(&client, id).await?, StatusCode::CREATED))
}

/// Rows of `sql` (which takes the person as `$1`) as JSON objects.
async fn rows_as_json(
    client: &impl GenericClient,
    sql: &str,
    person: Uuid,
) -> Result<serde_json::Value, ApiError> {
    let row = client
        .query_one(
            &format!("SELECT coalesce(jsonb_agg(t), '[]') FROM ({sql}) t"),
            &[&person],
        )
        .await?;
    Ok(row.get(0))
}

/// `GET /api/v1/capacity/people/{id}/export`: everything held about a person, as JSON (staff; for a
/// subject access request).
#[utoipa::path(get, path = "/api/v1/capacity/people/{id}/export", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn export_person(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    let person = read(&client, id).await?;
    let mut export = serde_json::json!({ "person": person });
    for (name, sql) in [
        (
            "mentoring_profiles",
            "SELECT * FROM capacity.mentoring_profiles WHERE person_id = $1",
        ),
        (
            "matches",
            "SELECT m.* FROM capacity.matches m JOIN capacity.mentoring_profiles p
                 ON p.id IN (m.mentor_id, m.mentee_id) WHERE p.person_id = $1",
        ),
        (
            "meetings",
            "SELECT mt.* FROM capacity.meetings mt JOIN capacity.matches m ON m.id = mt.match_id
             JOIN capacity.mentoring_profiles p ON p.id IN (m.mentor_id, m.mentee_id) WHERE p.person_id = $1",
        ),
        (
            "enrolments",
            "SELECT * FROM capacity.enrolments WHERE person_id = $1",
        ),
        (
            "attendance",
            "SELECT * FROM capacity.attendance WHERE person_id = $1",
        ),
    ] {
        export[name] = rows_as_json(&client, sql, id).await?;
    }
    Ok(json(&export, StatusCode::OK))
}

/// Anonymises a person: their record keeps only "erased", their consents and mentoring profiles go, their
/// meeting notes are wiped; enrolments, attendance and matches stay as figures with no one named.
pub async fn erase(client: &impl GenericClient, person: Uuid) -> Result<(), ApiError> {
    client
        .execute(
            "UPDATE capacity.meetings SET notes = '' WHERE match_id IN (
                 SELECT m.id FROM capacity.matches m JOIN capacity.mentoring_profiles p
                 ON p.id IN (m.mentor_id, m.mentee_id) WHERE p.person_id = $1)",
            &[&person],
        )
        .await?;
    for sql in [
        "UPDATE capacity.matches m SET status = CASE m.status WHEN 'active' THEN 'ended' ELSE 'rejected' END,
             ended_on = CASE m.status WHEN 'active' THEN current_date END, decided_at = now(),
             reason = 'a person in this match was erased'
         FROM capacity.mentoring_profiles p
         WHERE p.id IN (m.mentor_id, m.mentee_id) AND p.person_id = $1 AND m.status IN ('proposed', 'active')",
        "DELETE FROM capacity.mentoring_profiles WHERE person_id = $1",
        "DELETE FROM capacity.consents WHERE person_id = $1",
        "UPDATE capacity.enrolments SET person_id = NULL WHERE person_id = $1",
        "UPDATE capacity.attendance SET person_id = NULL WHERE person_id = $1",
        "UPDATE capacity.people SET name = 'erased', email = NULL, phone = NULL, erased_at = now() WHERE id = $1",
    ] {
        client.execute(sql, &[&person]).await?;
    }
    Ok(())
}

/// `POST /api/v1/capacity/people/{id}/erase`: erase (anonymise) a person on request (staff).
#[utoipa::path(post, path = "/api/v1/capacity/people/{id}/erase", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, body = Person), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn erase_person(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    read(&transaction, id).await?;
    erase(&transaction, id).await?;
    let person = read(&transaction, id).await?;
    transaction.commit().await?;
    Ok(json(&person, StatusCode::OK))
}

/// The retention job: unlinks people from registrations of cohorts that ended before `before`, wipes notes
/// of meetings in matches that ended before it, and deletes mentoring profiles with no live match that were
/// last changed before it. Figures stay. Meant to run daily, from a scheduler or a command.
pub async fn purge(client: &impl GenericClient, before: Date) -> Result<PurgeReport, ApiError> {
    let enrolments = client
        .execute(
            "UPDATE capacity.enrolments e SET person_id = NULL FROM capacity.cohorts c
             WHERE c.id = e.cohort_id AND c.ends_on < $1 AND e.person_id IS NOT NULL",
            &[&before],
        )
        .await?;
    let attendance = client
        .execute(
            "UPDATE capacity.attendance a SET person_id = NULL FROM capacity.sessions s
             WHERE s.id = a.session_id AND s.held_on < $1 AND a.person_id IS NOT NULL",
            &[&before],
        )
        .await?;
    let meeting_notes_wiped = client
        .execute(
            "UPDATE capacity.meetings mt SET notes = '' FROM capacity.matches m
             WHERE m.id = mt.match_id AND m.status IN ('ended', 'rejected')
               AND coalesce(m.ended_on, m.decided_at::date) < $1 AND mt.notes <> ''",
            &[&before],
        )
        .await?;
    let mentoring_profiles_deleted = client
        .execute(
            "DELETE FROM capacity.mentoring_profiles p WHERE p.updated_at::date < $1 AND NOT EXISTS (
                 SELECT 1 FROM capacity.matches m WHERE p.id IN (m.mentor_id, m.mentee_id)
                 AND (m.status IN ('proposed', 'active') OR coalesce(m.ended_on, m.decided_at::date) >= $1))",
            &[&before],
        )
        .await?;
    Ok(PurgeReport {
        before: Some(before),
        registrations_unlinked: enrolments + attendance,
        meeting_notes_wiped,
        mentoring_profiles_deleted,
    })
}

/// `POST /api/v1/capacity/retention/purge`: run the retention purge now (staff); `before` defaults to the
/// retention period before today.
#[utoipa::path(post, path = "/api/v1/capacity/retention/purge", tag = "capacity", request_body = PurgeRequest,
    responses((status = 200, body = PurgeReport), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn purge_endpoint(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    staff(&pool, &credentials).await?;
    let request: PurgeRequest = if body.is_empty() {
        PurgeRequest::default()
    } else {
        parse_json(&body)?
    };
    let before = request
        .before
        .unwrap_or_else(|| OffsetDateTime::now_utc().date() - Duration::days(RETENTION_DAYS));
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    let report = purge(&transaction, before).await?;
    transaction.commit().await?;
    Ok(json(&report, StatusCode::OK))
}
