//! Mentoring: mentors' and mentees' profiles, proposals from the optimal matcher, staff decisions (accept,
//! reject or override, each with a reason), the lifecycle proposed → active → ended, and a meeting log.
//! Staff only: these are people's details.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::Credentials;
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_id, parse_json, parse_query, raw_query};
use shared::pagination::{Page, PageParams, PageRequest};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

use crate::access::staff;
use crate::input::{Checks, LONG_TEXT};
use crate::matching::{self, Profile};
use crate::people::{require_consent, Purpose};
use crate::{one_of, with_pool, Route};

/// The days and parts of a day people can be available in, as `mon_evening`.
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const PARTS: [&str; 3] = ["morning", "afternoon", "evening"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MentoringRole {
    Mentor,
    Mentee,
}

impl MentoringRole {
    fn as_str(self) -> &'static str {
        match self {
            MentoringRole::Mentor => "mentor",
            MentoringRole::Mentee => "mentee",
        }
    }
}

/// A mentor's or a mentee's profile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMentoringProfile {
    pub person_id: Uuid,
    pub role: MentoringRole,
    /// 1 to 50, each of 1 to 64 characters.
    #[schema(min_items = 1, max_items = 50)]
    pub languages: Vec<String>,
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: f64,
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: f64,
    /// What a mentor offers, or what a mentee wants to learn (up to 50, each of 1 to 64 characters).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub skills: Vec<String>,
    /// Up to 50, each of 1 to 64 characters.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub lived_experience: Vec<String>,
    /// Slots such as `mon_evening` or `sat_morning` (`mon`–`sun`, `morning`, `afternoon` or `evening`).
    #[schema(min_items = 1, max_items = 50)]
    pub availability: Vec<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub safeguarding_checked_on: Option<Date>,
    /// Mentees a mentor can take at once (1 for a mentee).
    #[schema(minimum = 1, maximum = 20)]
    pub capacity: Option<i32>,
}

/// A profile as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentoringProfile {
    pub id: Uuid,
    pub person_id: Uuid,
    pub role: MentoringRole,
    pub languages: Vec<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub skills: Vec<String>,
    pub lived_experience: Vec<String>,
    pub availability: Vec<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub safeguarding_checked_on: Option<Date>,
    pub capacity: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Proposed,
    Active,
    Rejected,
    Ended,
}

impl MatchStatus {
    fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Proposed => "proposed",
            MatchStatus::Active => "active",
            MatchStatus::Rejected => "rejected",
            MatchStatus::Ended => "ended",
        }
    }

    fn parse(raw: &str) -> MatchStatus {
        match raw {
            "active" => MatchStatus::Active,
            "rejected" => MatchStatus::Rejected,
            "ended" => MatchStatus::Ended,
            _ => MatchStatus::Proposed,
        }
    }
}

/// A mentor and a mentee, proposed by the matcher or set by staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentoringMatch {
    pub id: Uuid,
    /// Empty once a profile has been purged or erased.
    pub mentor_id: Option<Uuid>,
    pub mentee_id: Option<Uuid>,
    pub status: MatchStatus,
    /// `matcher` or `override`.
    pub origin: String,
    pub score: Option<f64>,
    pub reason: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub started_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<Date>,
}

/// Staff set a match by hand, overriding the matcher, with a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchOverride {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub reason: String,
}

/// A step in a match's life: accept (`active`) or reject a proposal, or end an active match.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchDecision {
    pub status: MatchStatus,
    #[serde(default)]
    pub reason: String,
    /// The day it starts or ends (today when absent).
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<Date>,
}

/// A mentoring meeting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MentoringMeeting)]
pub struct Meeting {
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub id: Uuid,
    #[schema(value_type = String, format = Date)]
    pub met_on: Date,
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i32,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: String,
}

/// Which matches or profiles to list, a page at a time.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MentoringFilter {
    pub status: Option<MatchStatus>,
    pub role: Option<MentoringRole>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

impl MentoringFilter {
    fn page(&self) -> Result<PageRequest, ApiError> {
        PageParams {
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
        .validate()
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create_profile,
        list_profiles,
        propose,
        list_matches,
        override_match,
        decide,
        add_meeting,
        list_meetings
    ),
    components(schemas(
        MentoringRole,
        NewMentoringProfile,
        MentoringProfile,
        Page<MentoringProfile>,
        MatchStatus,
        MentoringMatch,
        Page<MentoringMatch>,
        MatchOverride,
        MatchDecision,
        Meeting
    ))
)]
pub struct MentoringApi;

pub fn routes(pool: Pool) -> Route {
    let credentials = shared::accounts::credentials;
    let profiles = || warp::path!("api" / "v1" / "capacity" / "mentoring" / "profiles");
    let matches = || warp::path!("api" / "v1" / "capacity" / "mentoring" / "matches");
    let meetings = || warp::path!("api" / "v1" / "capacity" / "mentoring" / "matches" / String / "meetings");
    one_of(vec![
        profiles()
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_profile)
            .map(respond)
            .boxed(),
        profiles()
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(list_profiles)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "mentoring" / "proposals")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(propose)
            .map(respond)
            .boxed(),
        matches()
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(list_matches)
            .map(respond)
            .boxed(),
        matches()
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(override_match)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "mentoring" / "matches" / String / "status")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(decide)
            .map(respond)
            .boxed(),
        meetings()
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(add_meeting)
            .map(respond)
            .boxed(),
        meetings()
            .and(warp::get())
            .and(with_pool(pool))
            .and(credentials())
            .then(list_meetings)
            .map(respond)
            .boxed(),
    ])
}

const PROFILE_COLUMNS: &str =
    "id, person_id, role, languages, latitude, longitude, skills, lived_experience, \
                               availability, safeguarding_checked_on, capacity";

fn profile_from_row(r: &tokio_postgres::Row) -> MentoringProfile {
    MentoringProfile {
        id: r.get(0),
        person_id: r.get(1),
        role: if r.get::<_, &str>(2) == "mentor" {
            MentoringRole::Mentor
        } else {
            MentoringRole::Mentee
        },
        languages: r.get(3),
        latitude: r.get(4),
        longitude: r.get(5),
        skills: r.get(6),
        lived_experience: r.get(7),
        availability: r.get(8),
        safeguarding_checked_on: r.get(9),
        capacity: r.get(10),
    }
}

impl MentoringProfile {
    fn for_matcher(&self, capacity: usize) -> Profile {
        Profile {
            languages: self.languages.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            skills: self.skills.clone(),
            lived_experience: self.lived_experience.clone(),
            availability: self.availability.clone(),
            safeguarding_done: self.safeguarding_checked_on.is_some(),
            capacity,
        }
    }
}

async fn profile(
    client: &impl GenericClient,
    id: Uuid,
    role: MentoringRole,
) -> Result<MentoringProfile, ApiError> {
    client
        .query_opt(
            &format!("SELECT {PROFILE_COLUMNS} FROM capacity.mentoring_profiles WHERE id = $1 AND role = $2"),
            &[&id, &role.as_str()],
        )
        .await?
        .map(|r| profile_from_row(&r))
        .ok_or_else(|| {
            ApiError::invalid(
                format!("{}_id", role.as_str()),
                format!("no {} has this id", role.as_str()),
            )
        })
}

/// `POST /api/v1/capacity/mentoring/profiles`: add a mentor or a mentee (staff); the person must have
/// consented to mentoring.
#[utoipa::path(post, path = "/api/v1/capacity/mentoring/profiles", tag = "capacity", request_body = NewMentoringProfile,
    responses((status = 201, body = MentoringProfile), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_profile(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    staff(&pool, &credentials).await?;
    let new: NewMentoringProfile = parse_json(&body)?;
    let mut checks = Checks::new();
    let languages = checks.labels("languages", &new.languages);
    checks.require(!languages.is_empty(), "languages", "name at least one language");
    let skills = checks.labels("skills", &new.skills);
    let lived_experience = checks.labels("lived_experience", &new.lived_experience);
    let availability = checks.labels("availability", &new.availability);
    checks.require(
        !availability.is_empty()
            && availability.iter().all(|slot| {
                slot.split_once('_')
                    .is_some_and(|(day, part)| DAYS.contains(&day) && PARTS.contains(&part))
            }),
        "availability",
        "give slots such as mon_evening or sat_morning (mon–sun, morning/afternoon/evening)",
    );
    checks.require(
        (-90.0..=90.0).contains(&new.latitude) && (-180.0..=180.0).contains(&new.longitude),
        "latitude",
        "give a latitude from -90 to 90 and a longitude from -180 to 180",
    );
    let capacity = new.capacity.unwrap_or(1);
    checks.require(
        (1..=20).contains(&capacity) && (new.role == MentoringRole::Mentor || capacity == 1),
        "capacity",
        "a mentor takes 1 to 20 mentees; a mentee has one mentor",
    );
    checks.finish()?;
    let client = pool.get().await?;
    crate::people::read(&client, new.person_id)
        .await
        .map_err(|_| ApiError::invalid("person_id", "no person has this id"))?;
    require_consent(&client, new.person_id, Purpose::Mentoring).await?;
    let row = client
        .query_one(
            &format!(
                "INSERT INTO capacity.mentoring_profiles (id, person_id, role, languages, latitude, longitude, skills,
                     lived_experience, availability, safeguarding_checked_on, capacity)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {PROFILE_COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &new.person_id,
                &new.role.as_str(),
                &languages,
                &new.latitude,
                &new.longitude,
                &skills,
                &lived_experience,
                &availability,
                &new.safeguarding_checked_on,
                &capacity,
            ],
        )
        .await?;
    Ok(json(&profile_from_row(&row), StatusCode::CREATED))
}

/// `GET /api/v1/capacity/mentoring/profiles`: mentors and mentees, `?role=` to choose, a page at a time
/// (staff).
#[utoipa::path(get, path = "/api/v1/capacity/mentoring/profiles", tag = "capacity", params(MentoringFilter),
    responses((status = 200, body = Page<MentoringProfile>), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_profiles(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    staff(&pool, &credentials).await?;
    let filter: MentoringFilter = parse_query(&query)?;
    let page = filter.page()?;
    let role = filter.role.map(MentoringRole::as_str);
    let rows = pool
        .get()
        .await?
        .query(
            &format!(
                "SELECT {PROFILE_COLUMNS} FROM capacity.mentoring_profiles
                 WHERE ($1::text IS NULL OR role = $1) AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3"
            ),
            &[&role, &page.after::<Uuid>()?, &page.fetch()],
        )
        .await?;
    let profiles = rows.iter().map(profile_from_row).collect();
    Ok(json(
        &Page::from_rows(profiles, &page, |p: &MentoringProfile| p.id.to_string()),
        StatusCode::OK,
    ))
}

const MATCH_COLUMNS: &str = "id, mentor_id, mentee_id, status, origin, score, reason, started_on, ended_on";

fn match_from_row(r: &tokio_postgres::Row) -> MentoringMatch {
    MentoringMatch {
        id: r.get(0),
        mentor_id: r.get(1),
        mentee_id: r.get(2),
        status: MatchStatus::parse(r.get(3)),
        origin: r.get(4),
        score: r.get(5),
        reason: r.get(6),
        started_on: r.get(7),
        ended_on: r.get(8),
    }
}

/// `POST /api/v1/capacity/mentoring/proposals`: run the matcher over every mentee without a live match and
/// every mentor with room, replacing the undecided proposals (staff).
#[utoipa::path(post, path = "/api/v1/capacity/mentoring/proposals", tag = "capacity",
    responses((status = 201, body = Vec<MentoringMatch>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn propose(pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = staff(&pool, &credentials).await?;
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    transaction
        .execute("LOCK TABLE capacity.matches IN EXCLUSIVE MODE", &[])
        .await?;
    transaction
        .execute(
            "DELETE FROM capacity.matches WHERE status = 'proposed' AND origin = 'matcher'",
            &[],
        )
        .await?;
    let mentors: Vec<(MentoringProfile, i64)> = transaction
        .query(
            &format!(
                "SELECT {PROFILE_COLUMNS}, capacity - (SELECT count(*) FROM capacity.matches m
                     WHERE m.mentor_id = p.id AND m.status IN ('proposed', 'active'))
                 FROM capacity.mentoring_profiles p WHERE role = 'mentor' ORDER BY id"
            ),
            &[],
        )
        .await?
        .iter()
        .map(|r| (profile_from_row(r), r.get::<_, i64>(11)))
        .filter(|(_, room)| *room > 0)
        .collect();
    let mentees: Vec<MentoringProfile> = transaction
        .query(
            &format!(
                "SELECT {PROFILE_COLUMNS} FROM capacity.mentoring_profiles p WHERE role = 'mentee' AND NOT EXISTS (
                     SELECT 1 FROM capacity.matches m WHERE m.mentee_id = p.id AND m.status IN ('proposed', 'active'))
                 ORDER BY id"
            ),
            &[],
        )
        .await?
        .iter()
        .map(profile_from_row)
        .collect();
    let mentor_profiles: Vec<Profile> = mentors
        .iter()
        .map(|(p, room)| p.for_matcher(*room as usize))
        .collect();
    let mentee_profiles: Vec<Profile> = mentees.iter().map(|p| p.for_matcher(1)).collect();
    let proposals =
        tokio::task::spawn_blocking(move || matching::propose(&mentor_profiles, &mentee_profiles))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut created = Vec::with_capacity(proposals.len());
    for proposal in proposals {
        let row = transaction
            .query_one(
                &format!(
                    "INSERT INTO capacity.matches (id, mentor_id, mentee_id, status, origin, score, decided_by)
                     VALUES ($1, $2, $3, 'proposed', 'matcher', $4, $5) RETURNING {MATCH_COLUMNS}"
                ),
                &[
                    &Uuid::now_v7(),
                    &mentors[proposal.mentor].0.id,
                    &mentees[proposal.mentee].id,
                    &proposal.score,
                    &viewer.id,
                ],
            )
            .await?;
        created.push(match_from_row(&row));
    }
    transaction.commit().await?;
    Ok(json(&created, StatusCode::CREATED))
}

/// `GET /api/v1/capacity/mentoring/matches`: matches, `?status=` to choose, a page at a time (staff).
#[utoipa::path(get, path = "/api/v1/capacity/mentoring/matches", tag = "capacity", params(MentoringFilter),
    responses((status = 200, body = Page<MentoringMatch>), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_matches(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    staff(&pool, &credentials).await?;
    let filter: MentoringFilter = parse_query(&query)?;
    let page = filter.page()?;
    let status = filter.status.map(MatchStatus::as_str);
    let rows = pool
        .get()
        .await?
        .query(
            &format!(
                "SELECT {MATCH_COLUMNS} FROM capacity.matches
                 WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3"
            ),
            &[&status, &page.after::<Uuid>()?, &page.fetch()],
        )
        .await?;
    let matches = rows.iter().map(match_from_row).collect();
    Ok(json(
        &Page::from_rows(matches, &page, |m: &MentoringMatch| m.id.to_string()),
        StatusCode::OK,
    ))
}

/// `POST /api/v1/capacity/mentoring/matches`: staff set a match by hand, with a reason. It starts active and
/// replaces the mentee's undecided proposal; both safeguarding checks are still required.
#[utoipa::path(post, path = "/api/v1/capacity/mentoring/matches", tag = "capacity", request_body = MatchOverride,
    responses((status = 201, body = MentoringMatch), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn override_match(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let viewer = staff(&pool, &credentials).await?;
    let request: MatchOverride = parse_json(&body)?;
    let mut checks = Checks::new();
    let reason = checks.text("reason", &request.reason, LONG_TEXT);
    checks.finish()?;
    let mut client = pool.get().await?;
    let mentor = profile(&client, request.mentor_id, MentoringRole::Mentor).await?;
    let mentee = profile(&client, request.mentee_id, MentoringRole::Mentee).await?;
    for (field, who, profile) in [("mentor_id", "mentor", &mentor), ("mentee_id", "mentee", &mentee)] {
        if profile.safeguarding_checked_on.is_none() {
            return Err(ApiError::invalid(
                field,
                format!("this {who}'s safeguarding check is not done; no one can override that"),
            ));
        }
    }
    let score = matching::pair_score(&mentor.for_matcher(1), &mentee.for_matcher(1));
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "UPDATE capacity.matches SET status = 'rejected', reason = 'replaced by a match staff set by hand',
                 decided_by = $2, decided_at = now()
             WHERE mentee_id = $1 AND status = 'proposed'",
            &[&mentee.id, &viewer.id],
        )
        .await?;
    let row = transaction
        .query_one(
            &format!(
                "INSERT INTO capacity.matches (id, mentor_id, mentee_id, status, origin, score, reason, decided_by,
                     decided_at, started_on)
                 VALUES ($1, $2, $3, 'active', 'override', $4, $5, $6, now(), current_date) RETURNING {MATCH_COLUMNS}"
            ),
            &[&Uuid::now_v7(), &mentor.id, &mentee.id, &score, &reason, &viewer.id],
        )
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict("this mentee already has an active match".into()),
            other => other,
        })?;
    transaction.commit().await?;
    Ok(json(&match_from_row(&row), StatusCode::CREATED))
}

/// `POST /api/v1/capacity/mentoring/matches/{id}/status`: accept (`active`) or reject a proposal, or end an
/// active match (staff). Rejecting needs a reason; any other step is a 409.
#[utoipa::path(post, path = "/api/v1/capacity/mentoring/matches/{id}/status", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = MatchDecision,
    responses((status = 200, body = MentoringMatch), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(id: String, pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let viewer = staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let decision: MatchDecision = parse_json(&body)?;
    let mut checks = Checks::new();
    let reason = checks.optional_text("reason", &decision.reason, LONG_TEXT);
    checks.require(
        decision.status != MatchStatus::Rejected || !reason.is_empty(),
        "reason",
        "say why the proposal is rejected",
    );
    checks.finish()?;
    let on = decision.on.unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let client = pool.get().await?;
    let current = client
        .query_opt("SELECT status FROM capacity.matches WHERE id = $1", &[&id])
        .await?
        .map(|r| MatchStatus::parse(r.get(0)))
        .ok_or_else(|| ApiError::NotFound("no match has this id".into()))?;
    let allowed = matches!(
        (current, decision.status),
        (MatchStatus::Proposed, MatchStatus::Active)
            | (MatchStatus::Proposed, MatchStatus::Rejected)
            | (MatchStatus::Active, MatchStatus::Ended)
    );
    if !allowed {
        return Err(ApiError::Conflict(format!(
            "a {} match cannot become {}",
            current.as_str(),
            decision.status.as_str()
        )));
    }
    let row = client
        .query_opt(
            &format!(
                "UPDATE capacity.matches SET status = $2, reason = CASE WHEN $3 = '' THEN reason ELSE $3 END,
                     decided_by = $4, decided_at = now(),
                     started_on = CASE WHEN $2 = 'active' THEN $5 ELSE started_on END,
                     ended_on = CASE WHEN $2 = 'ended' THEN $5 ELSE ended_on END
                 WHERE id = $1 AND status = $6 RETURNING {MATCH_COLUMNS}"
            ),
            &[
                &id,
                &decision.status.as_str(),
                &reason,
                &viewer.id,
                &on,
                &current.as_str(),
            ],
        )
        .await?
        .ok_or_else(|| ApiError::Conflict("someone else decided this match at the same time".into()))?;
    Ok(json(&match_from_row(&row), StatusCode::OK))
}

async fn match_status(client: &impl GenericClient, id: Uuid) -> Result<MatchStatus, ApiError> {
    client
        .query_opt("SELECT status FROM capacity.matches WHERE id = $1", &[&id])
        .await?
        .map(|r| MatchStatus::parse(r.get(0)))
        .ok_or_else(|| ApiError::NotFound("no match has this id".into()))
}

/// `POST /api/v1/capacity/mentoring/matches/{id}/meetings`: log a meeting of an active or ended match (staff).
#[utoipa::path(post, path = "/api/v1/capacity/mentoring/matches/{id}/meetings", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = Meeting,
    responses((status = 201, body = Meeting), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_meeting(id: String, pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let viewer = staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let mut meeting: Meeting = parse_json(&body)?;
    let mut checks = Checks::new();
    checks.require(
        (1..=1440).contains(&meeting.minutes),
        "minutes",
        "a meeting lasts 1 to 1440 minutes",
    );
    meeting.notes = checks.optional_text("notes", &meeting.notes, LONG_TEXT);
    checks.finish()?;
    let client = pool.get().await?;
    if !matches!(
        match_status(&client, id).await?,
        MatchStatus::Active | MatchStatus::Ended
    ) {
        return Err(ApiError::Conflict(
            "meetings are logged for active or ended matches".into(),
        ));
    }
    meeting.id = Uuid::now_v7();
    client
        .execute(
            "INSERT INTO capacity.meetings (id, match_id, met_on, minutes, notes, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&meeting.id, &id, &meeting.met_on, &meeting.minutes, &meeting.notes, &viewer.id],
        )
        .await?;
    Ok(json(&meeting, StatusCode::CREATED))
}

/// `GET /api/v1/capacity/mentoring/matches/{id}/meetings`: a match's meeting log, oldest first (staff).
#[utoipa::path(get, path = "/api/v1/capacity/mentoring/matches/{id}/meetings", tag = "capacity",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Meeting>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn list_meetings(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    staff(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    match_status(&client, id).await?;
    let meetings: Vec<Meeting> = client
        .query(
            "SELECT id, met_on, minutes, notes FROM capacity.meetings WHERE match_id = $1 ORDER BY met_on, id",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| Meeting {
            id: r.get(0),
            met_on: r.get(1),
            minutes: r.get(2),
            notes: r.get(3),
        })
        .collect();
    Ok(json(&meetings, StatusCode::OK))
}
