//! Reports people would rather look at than read: for one organisation (radar of the latest assessment over
//! the first, a line per dimension over time, its goals and the support it received) and for the network
//! over a period (organisations supported, assessments done, mean change per dimension, training attendance,
//! cohort completion, active mentoring matches, sessions by the four actions). Each as JSON, CSV and SVG.

use std::collections::BTreeMap;

use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;
use shared::accounts::{signed_in, Credentials};
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{json, parse_id, raw_query};
use time::Date;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use crate::access::{require_organisation, require_staff_or_editor};
use crate::casework::CaseworkCount;
use crate::distance::{DimensionChange, Period};
use crate::plans::Goal;
use crate::programmes::NetworkAction;
use crate::{one_of, with_pool, Route};

/// A dimension's score at one assessment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScorePoint {
    #[schema(value_type = String, format = Date)]
    pub assessed_on: Date,
    pub score: f64,
}

/// One dimension of an organisation over time.
#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionTrack {
    pub dimension: String,
    pub name: String,
    pub first: f64,
    pub latest: f64,
    pub change: f64,
    pub series: Vec<ScorePoint>,
}

/// A programme an organisation (or one of its people) took part in.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportEnrolment {
    pub programme: String,
    pub cohort: String,
    /// `organisation` or `person`.
    pub kind: String,
    pub status: String,
}

/// The support an organisation received.
#[derive(Debug, Serialize, ToSchema)]
pub struct Support {
    pub enrolments: Vec<SupportEnrolment>,
    /// Sessions its people attended.
    pub sessions_attended: i64,
    /// Mentoring matches (active or ended) of its people as mentees.
    pub mentoring_matches: i64,
    pub casework: Vec<CaseworkCount>,
}

/// Everything the organisation report shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationReport {
    pub organisation_id: Uuid,
    pub name: String,
    /// Final assessments counted.
    pub assessments: i64,
    pub dimensions: Vec<DimensionTrack>,
    pub goals: Vec<Goal>,
    pub support: Support,
}

/// Attendance at sessions held in the period.
#[derive(Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct TrainingAttendance {
    pub sessions: i64,
    pub registered: i64,
    pub attended: i64,
    pub cancelled: i64,
}

/// Completion of cohorts that ended in the period.
#[derive(Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct CohortCompletion {
    pub cohorts: i64,
    pub enrolments: i64,
    pub completed: i64,
    /// Completed ÷ enrolments (0 when there are none).
    pub completion_rate: f64,
}

/// Sessions held in the period tagged with one of the four actions.
#[derive(Debug, PartialEq, Serialize, ToSchema)]
pub struct ActionCount {
    pub action: NetworkAction,
    pub sessions: i64,
}

/// Everything the network report shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkReport {
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// Organisations assessed, enrolled, or whose people attended a session or were mentored in the period.
    pub organisations_supported: i64,
    /// Final assessments dated in the period.
    pub assessments_done: i64,
    pub mean_change: Vec<DimensionChange>,
    pub training: TrainingAttendance,
    pub cohorts: CohortCompletion,
    /// Matches active at some time in the period.
    pub active_matches: i64,
    pub actions: Vec<ActionCount>,
    /// Casework cases counted in quarters starting in the period.
    pub casework_cases: i64,
}

#[derive(OpenApi)]
#[openapi(
    paths(
        organisation_report,
        organisation_report_csv,
        organisation_radar,
        organisation_lines,
        network_report,
        network_report_csv,
        network_change_chart
    ),
    components(schemas(
        ScorePoint,
        DimensionTrack,
        SupportEnrolment,
        Support,
        OrganisationReport,
        TrainingAttendance,
        CohortCompletion,
        ActionCount,
        NetworkReport
    ))
)]
pub struct ReportsApi;

pub fn routes(pool: Pool) -> Route {
    let credentials = shared::accounts::credentials;
    one_of(vec![
        warp::path!("api" / "v1" / "capacity" / "organisations" / String / "report")
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(organisation_report)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "organisations" / String / "report.csv")
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(organisation_report_csv)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "organisations" / String / "report" / "radar.svg")
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(organisation_radar)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "organisations" / String / "report" / "lines.svg")
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(organisation_lines)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "network-report")
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(network_report)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "network-report.csv")
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(network_report_csv)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "network-report" / "change.svg")
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool))
            .and(credentials())
            .then(network_change_chart)
            .map(respond)
            .boxed(),
    ])
}

/// Builds an organisation's report.
pub async fn organisation(
    client: &impl GenericClient,
    organisation: Uuid,
) -> Result<OrganisationReport, ApiError> {
    let name: String = client
        .query_one(
            "SELECT name FROM directory.organisations WHERE id = $1",
            &[&organisation],
        )
        .await?
        .get(0);
    let names = crate::framework::dimension_names(client).await?;
    let mut tracks: BTreeMap<String, Vec<ScorePoint>> = BTreeMap::new();
    for row in client
        .query(
            "SELECT dimension_key, assessed_on, score FROM capacity.assessment_scores
             WHERE organisation_id = $1 AND final ORDER BY assessed_on, assessment_id",
            &[&organisation],
        )
        .await?
    {
        tracks.entry(row.get(0)).or_default().push(ScorePoint {
            assessed_on: row.get(1),
            score: row.get(2),
        });
    }
    let current = crate::framework::load(client, None).await?;
    let mut dimensions: Vec<DimensionTrack> = tracks
        .into_iter()
        .filter_map(|(key, series)| {
            let (first, latest) = (series.first()?.score, series.last()?.score);
            Some(DimensionTrack {
                name: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                dimension: key,
                first,
                latest,
                change: latest - first,
                series,
            })
        })
        .collect();
    let position = |key: &str| {
        current
            .dimensions
            .iter()
            .position(|d| d.key == key)
            .unwrap_or(usize::MAX)
    };
    dimensions.sort_by_key(|d| position(&d.dimension));
    let assessments: i64 = client
        .query_one(
            "SELECT count(DISTINCT assessment_id) FROM capacity.assessment_scores WHERE organisation_id = $1 AND final",
            &[&organisation],
        )
        .await?
        .get(0);
    let enrolments = client
        .query(
            "SELECT p.name, c.name, e.kind, e.status FROM capacity.enrolments e
             JOIN capacity.cohorts c ON c.id = e.cohort_id JOIN capacity.programmes p ON p.id = c.programme_id
             WHERE e.organisation_id = $1 ORDER BY c.starts_on, e.id",
            &[&organisation],
        )
        .await?
        .iter()
        .map(|r| SupportEnrolment {
            programme: r.get(0),
            cohort: r.get(1),
            kind: r.get(2),
            status: r.get(3),
        })
        .collect();
    let counts = client
        .query_one(
            "SELECT (SELECT count(*) FROM capacity.attendance WHERE organisation_id = $1 AND status = 'attended'),
                    (SELECT count(*) FROM capacity.matches m JOIN capacity.mentoring_profiles mp ON mp.id = m.mentee_id
                     JOIN capacity.people p ON p.id = mp.person_id
                     WHERE p.organisation_id = $1 AND m.status IN ('active', 'ended'))",
            &[&organisation],
        )
        .await?;
    Ok(OrganisationReport {
        organisation_id: organisation,
        name,
        assessments,
        dimensions,
        goals: crate::plans::goals_of(client, organisation).await?,
        support: Support {
            enrolments,
            sessions_attended: counts.get(0),
            mentoring_matches: counts.get(1),
            casework: crate::casework::counts_of(client, organisation).await?,
        },
    })
}

/// CSV in the long form `section,item,date,value`, which every spreadsheet can pivot.
fn csv_document(rows: impl IntoIterator<Item = [String; 4]>) -> Result<String, ApiError> {
    shared::spreadsheet::document(&["section", "item", "date", "value"], rows)
}

fn organisation_csv(report: &OrganisationReport) -> Result<String, ApiError> {
    let mut rows = Vec::new();
    for track in &report.dimensions {
        for point in &track.series {
            rows.push([
                "score".into(),
                track.dimension.clone(),
                point.assessed_on.to_string(),
                point.score.to_string(),
            ]);
        }
        rows.push([
            "change".into(),
            track.dimension.clone(),
            String::new(),
            track.change.to_string(),
        ]);
    }
    for goal in &report.goals {
        let due = goal.due_on.map(|d| d.to_string()).unwrap_or_default();
        let status = serde_json::to_value(goal.status)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        rows.push(["goal".into(), goal.title.clone(), due, status]);
    }
    for enrolment in &report.support.enrolments {
        rows.push([
            "enrolment".into(),
            format!("{} / {}", enrolment.programme, enrolment.cohort),
            String::new(),
            enrolment.status.clone(),
        ]);
    }
    rows.push([
        "support".into(),
        "sessions_attended".into(),
        String::new(),
        report.support.sessions_attended.to_string(),
    ]);
    rows.push([
        "support".into(),
        "mentoring_matches".into(),
        String::new(),
        report.support.mentoring_matches.to_string(),
    ]);
    for count in &report.support.casework {
        rows.push([
            format!("casework:{}", count.category),
            count.category.clone(),
            count.quarter.clone(),
            count.cases.to_string(),
        ]);
    }
    csv_document(rows)
}

/// A reply of `body` with its content type.
fn document(body: String, content_type: &'static str) -> Response {
    let mut response = Response::new(body.into());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

const CSV: &str = "text/csv; charset=utf-8";
const SVG: &str = "image/svg+xml";

#[derive(Debug, Clone, Copy)]
enum OrganisationFormat {
    Json,
    Csv,
    Radar,
    Lines,
}

async fn organisation_answer(
    id: String,
    pool: Pool,
    credentials: Credentials,
    format: OrganisationFormat,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let client = pool.get().await?;
    require_organisation(&client, id).await?;
    require_staff_or_editor(&client, &viewer, id).await?;
    let report = organisation(&client, id).await?;
    Ok(match format {
        OrganisationFormat::Json => json(&report, StatusCode::OK),
        OrganisationFormat::Csv => document(organisation_csv(&report)?, CSV),
        OrganisationFormat::Radar => {
            let names: Vec<String> = report.dimensions.iter().map(|d| d.name.clone()).collect();
            let first: Vec<f64> = report.dimensions.iter().map(|d| d.first).collect();
            let latest: Vec<f64> = report.dimensions.iter().map(|d| d.latest).collect();
            document(crate::charts::radar(&report.name, &names, &first, &latest)?, SVG)
        }
        OrganisationFormat::Lines => {
            let series: Vec<(String, Vec<(Date, f64)>)> = report
                .dimensions
                .iter()
                .map(|d| {
                    (
                        d.name.clone(),
                        d.series.iter().map(|p| (p.assessed_on, p.score)).collect(),
                    )
                })
                .collect();
            document(crate::charts::lines(&report.name, &series)?, SVG)
        }
    })
}

/// `GET /api/v1/capacity/organisations/{id}/report`: the organisation's report (staff and its editors).
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/report", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrganisationReport), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn organisation_report(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    organisation_answer(id, pool, credentials, OrganisationFormat::Json).await
}

/// `GET /api/v1/capacity/organisations/{id}/report.csv`: the organisation's report as CSV
/// (`section,item,date,value`).
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/report.csv", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn organisation_report_csv(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    organisation_answer(id, pool, credentials, OrganisationFormat::Csv).await
}

/// `GET /api/v1/capacity/organisations/{id}/report/radar.svg`: the latest assessment over the first.
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/report/radar.svg", tag = "capacity",
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn organisation_radar(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    organisation_answer(id, pool, credentials, OrganisationFormat::Radar).await
}

/// `GET /api/v1/capacity/organisations/{id}/report/lines.svg`: each dimension over time.
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/report/lines.svg", tag = "capacity",
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn organisation_lines(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    organisation_answer(id, pool, credentials, OrganisationFormat::Lines).await
}

/// Builds the network report for `period`.
pub async fn network(client: &impl GenericClient, period: Period) -> Result<NetworkReport, ApiError> {
    let (from, to) = (period.from(), period.to());
    let row = client
        .query_one(
            "SELECT
                (SELECT count(*) FROM (
                    SELECT organisation_id FROM capacity.assessment_scores
                    WHERE final AND assessed_on BETWEEN $1 AND $2
                    UNION SELECT e.organisation_id FROM capacity.enrolments e JOIN capacity.cohorts c ON c.id = e.cohort_id
                    WHERE e.organisation_id IS NOT NULL AND c.starts_on <= $2 AND c.ends_on >= $1
                    UNION SELECT a.organisation_id FROM capacity.attendance a JOIN capacity.sessions s ON s.id = a.session_id
                    WHERE a.organisation_id IS NOT NULL AND a.status = 'attended' AND s.held_on BETWEEN $1 AND $2
                    UNION SELECT p.organisation_id FROM capacity.matches m
                    JOIN capacity.mentoring_profiles mp ON mp.id = m.mentee_id JOIN capacity.people p ON p.id = mp.person_id
                    WHERE p.organisation_id IS NOT NULL AND m.status IN ('active', 'ended')
                      AND m.started_on <= $2 AND coalesce(m.ended_on, $2) >= $1) supported),
                (SELECT count(DISTINCT assessment_id) FROM capacity.assessment_scores
                 WHERE final AND assessed_on BETWEEN $1 AND $2),
                (SELECT count(*) FROM capacity.sessions WHERE held_on BETWEEN $1 AND $2),
                (SELECT count(*) FILTER (WHERE a.status = 'registered') FROM capacity.attendance a
                 JOIN capacity.sessions s ON s.id = a.session_id WHERE s.held_on BETWEEN $1 AND $2),
                (SELECT count(*) FILTER (WHERE a.status = 'attended') FROM capacity.attendance a
                 JOIN capacity.sessions s ON s.id = a.session_id WHERE s.held_on BETWEEN $1 AND $2),
                (SELECT count(*) FILTER (WHERE a.status = 'cancelled') FROM capacity.attendance a
                 JOIN capacity.sessions s ON s.id = a.session_id WHERE s.held_on BETWEEN $1 AND $2),
                (SELECT count(*) FROM capacity.cohorts WHERE ends_on BETWEEN $1 AND $2),
                (SELECT count(*) FROM capacity.enrolments e JOIN capacity.cohorts c ON c.id = e.cohort_id
                 WHERE c.ends_on BETWEEN $1 AND $2),
                (SELECT count(*) FROM capacity.enrolments e JOIN capacity.cohorts c ON c.id = e.cohort_id
                 WHERE c.ends_on BETWEEN $1 AND $2 AND e.status = 'completed'),
                (SELECT count(*) FROM capacity.matches WHERE status IN ('active', 'ended')
                 AND started_on <= $2 AND coalesce(ended_on, $2) >= $1),
                (SELECT coalesce(sum(cases), 0)::bigint FROM capacity.casework WHERE quarter BETWEEN $1 AND $2)",
            &[&from, &to],
        )
        .await?;
    let tagged: BTreeMap<String, i64> = client
        .query(
            "SELECT action, count(*) FROM capacity.sessions, unnest(actions) AS action
             WHERE held_on BETWEEN $1 AND $2 GROUP BY action",
            &[&from, &to],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let (enrolments, completed): (i64, i64) = (row.get(7), row.get(8));
    Ok(NetworkReport {
        from,
        to,
        organisations_supported: row.get(0),
        assessments_done: row.get(1),
        mean_change: crate::distance::changes(client, None, period).await?,
        training: TrainingAttendance {
            sessions: row.get(2),
            registered: row.get(3),
            attended: row.get(4),
            cancelled: row.get(5),
        },
        cohorts: CohortCompletion {
            cohorts: row.get(6),
            enrolments,
            completed,
            completion_rate: if enrolments == 0 {
                0.0
            } else {
                completed as f64 / enrolments as f64
            },
        },
        active_matches: row.get(9),
        actions: NetworkAction::ALL
            .into_iter()
            .map(|action| ActionCount {
                action,
                sessions: tagged.get(action.as_str()).copied().unwrap_or(0),
            })
            .collect(),
        casework_cases: row.get(10),
    })
}

fn network_csv(report: &NetworkReport) -> Result<String, ApiError> {
    let period = format!("{}/{}", report.from, report.to);
    let figure = |item: &str, value: String| ["network".to_string(), item.to_string(), period.clone(), value];
    let mut rows = vec![
        figure(
            "organisations_supported",
            report.organisations_supported.to_string(),
        ),
        figure("assessments_done", report.assessments_done.to_string()),
        figure("sessions", report.training.sessions.to_string()),
        figure("registered", report.training.registered.to_string()),
        figure("attended", report.training.attended.to_string()),
        figure("cancelled", report.training.cancelled.to_string()),
        figure("cohorts_ended", report.cohorts.cohorts.to_string()),
        figure("cohort_enrolments", report.cohorts.enrolments.to_string()),
        figure("cohort_completed", report.cohorts.completed.to_string()),
        figure(
            "cohort_completion_rate",
            report.cohorts.completion_rate.to_string(),
        ),
        figure("active_matches", report.active_matches.to_string()),
        figure("casework_cases", report.casework_cases.to_string()),
    ];
    for change in &report.mean_change {
        rows.push([
            "mean_change".into(),
            change.dimension.clone(),
            period.clone(),
            change.change.to_string(),
        ]);
    }
    for action in &report.actions {
        rows.push([
            "action".into(),
            action.action.as_str().into(),
            period.clone(),
            action.sessions.to_string(),
        ]);
    }
    csv_document(rows)
}

async fn network_for(query: &str, pool: &Pool, credentials: &Credentials) -> Result<NetworkReport, ApiError> {
    signed_in(pool, credentials).await?;
    let period = Period::parse(query)?;
    network(&pool.get().await?, period).await
}

/// `GET /api/v1/capacity/network-report`: the network's figures for a period (anyone signed in: no
/// organisation is named).
#[utoipa::path(get, path = "/api/v1/capacity/network-report", tag = "capacity", params(Period),
    responses((status = 200, body = NetworkReport), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn network_report(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    Ok(json(
        &network_for(&query, &pool, &credentials).await?,
        StatusCode::OK,
    ))
}

/// `GET /api/v1/capacity/network-report.csv`: the network report as CSV (`section,item,date,value`).
#[utoipa::path(get, path = "/api/v1/capacity/network-report.csv", tag = "capacity", params(Period),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem)))]
pub async fn network_report_csv(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let report = network_for(&query, &pool, &credentials).await?;
    Ok(document(network_csv(&report)?, CSV))
}

/// `GET /api/v1/capacity/network-report/change.svg`: the mean change per dimension as bars.
#[utoipa::path(get, path = "/api/v1/capacity/network-report/change.svg", tag = "capacity", params(Period),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 401, body = Problem)))]
pub async fn network_change_chart(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let report = network_for(&query, &pool, &credentials).await?;
    let labels: Vec<String> = report.mean_change.iter().map(|c| c.name.clone()).collect();
    let values: Vec<f64> = report.mean_change.iter().map(|c| c.change).collect();
    let title = format!("Mean change per dimension, {} to {}", report.from, report.to);
    Ok(document(crate::charts::bars(&title, &labels, &values)?, SVG))
}
