//! Assessments of an organisation against the framework: on a date, by a method, with one or more raters.
//! Nothing is overwritten: every change is a new version and the history is kept (the tables refuse UPDATE
//! and DELETE). Where raters differ by two levels or more on a dimension, the assessment says so.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, Credentials, Viewer};
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_id, parse_json, parse_query, raw_query};
use time::{Date, OffsetDateTime};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

use crate::access::{is_staff, require_organisation, require_staff_or_editor};
use crate::framework::{Framework, VersionQuery};
use crate::input::{Checks, LONG_TEXT};
use crate::{one_of, with_pool, Route};

/// Raters this many levels apart on one dimension disagree.
pub const DISAGREEMENT_SPREAD: i16 = 2;

/// How an assessment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The organisation assessed itself.
    #[serde(rename = "self")]
    SelfAssessment,
    /// A facilitator from the network led it.
    Facilitated,
    /// Raters agreed one score together.
    Consensus,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::SelfAssessment => "self",
            Method::Facilitated => "facilitated",
            Method::Consensus => "consensus",
        }
    }

    fn parse(raw: &str) -> Method {
        match raw {
            "self" => Method::SelfAssessment,
            "facilitated" => Method::Facilitated,
            _ => Method::Consensus,
        }
    }
}

/// A draft can still change; a final assessment counts in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Final,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Final => "final",
        }
    }
}

/// One rater's score on one dimension, with the evidence for it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub dimension: String,
    /// 1 not in place, 2 emerging, 3 developing, 4 established, 5 embedded and leading.
    #[schema(minimum = 1, maximum = 5)]
    pub score: i16,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub evidence: String,
    /// A role or initials ("chair", "facilitator"), not a person's record.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub rater: String,
}

/// An assessment to record, or a new version of one (which replaces all its ratings).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    #[schema(value_type = String, format = Date)]
    pub assessed_on: Date,
    pub method: Method,
    pub status: Status,
    #[schema(min_items = 1, max_items = 500)]
    pub ratings: Vec<Rating>,
    /// Why this version was made; required to correct a final assessment.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub reason: String,
}

/// What the raters said about one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DimensionSummary {
    pub dimension: String,
    pub name: String,
    pub raters: usize,
    pub mean: f64,
    pub lowest: i16,
    pub highest: i16,
    /// True when raters are two levels or more apart.
    pub disagreement: bool,
}

/// One version in an assessment's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    pub version: i32,
    pub status: Status,
    pub reason: String,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// An assessment at one version, with what the raters agreed on and its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Assessment {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub framework_version: i32,
    pub version: i32,
    #[schema(value_type = String, format = Date)]
    pub assessed_on: Date,
    pub method: Method,
    pub status: Status,
    pub reason: String,
    pub ratings: Vec<Rating>,
    pub dimensions: Vec<DimensionSummary>,
    /// Every version, oldest first.
    pub versions: Vec<VersionSummary>,
}

/// An assessment in a list: its current version, without ratings.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentListing {
    pub id: Uuid,
    pub version: i32,
    #[schema(value_type = String, format = Date)]
    pub assessed_on: Date,
    pub method: Method,
    pub status: Status,
}

#[derive(OpenApi)]
#[openapi(
    paths(create_assessment, list_assessments, get_assessment, add_version),
    components(schemas(
        Method,
        Status,
        Rating,
        AssessmentInput,
        DimensionSummary,
        VersionSummary,
        Assessment,
        AssessmentListing
    ))
)]
pub struct AssessmentsApi;

pub fn routes(pool: Pool) -> Route {
    let of_organisation =
        || warp::path!("api" / "v1" / "capacity" / "organisations" / String / "assessments");
    one_of(vec![
        of_organisation()
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(shared::accounts::credentials())
            .and(body_bytes())
            .then(create_assessment)
            .map(respond)
            .boxed(),
        of_organisation()
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(shared::accounts::credentials())
            .then(list_assessments)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "assessments" / String)
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .and(shared::accounts::credentials())
            .then(get_assessment)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "assessments" / String / "versions")
            .and(warp::post())
            .and(with_pool(pool))
            .and(shared::accounts::credentials())
            .and(body_bytes())
            .then(add_version)
            .map(respond)
            .boxed(),
    ])
}

/// Per dimension of `framework` that has ratings: how many raters, the mean, and whether they disagree.
pub fn summarise(framework: &Framework, ratings: &[Rating]) -> Vec<DimensionSummary> {
    framework
        .dimensions
        .iter()
        .filter_map(|dimension| {
            let scores: Vec<i16> = ratings
                .iter()
                .filter(|r| r.dimension == dimension.key)
                .map(|r| r.score)
                .collect();
            let lowest = *scores.iter().min()?;
            let highest = *scores.iter().max()?;
            Some(DimensionSummary {
                dimension: dimension.key.clone(),
                name: dimension.name.clone(),
                raters: scores.len(),
                mean: scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64,
                lowest,
                highest,
                disagreement: highest - lowest >= DISAGREEMENT_SPREAD,
            })
        })
        .collect()
}

/// Checks an assessment against its framework; a final one rates every dimension.
fn check(framework: &Framework, input: &AssessmentInput) -> Result<Vec<Rating>, ApiError> {
    let mut checks = Checks::new();
    checks.require(
        (1..=500).contains(&input.ratings.len()),
        "ratings",
        "give 1 to 500 ratings",
    );
    checks.optional_text("reason", &input.reason, LONG_TEXT);
    let mut ratings = Vec::with_capacity(input.ratings.len());
    for (i, rating) in input.ratings.iter().enumerate() {
        let field = |name: &str| format!("ratings[{i}].{name}");
        checks.require(
            framework.dimension(&rating.dimension).is_some(),
            field("dimension"),
            format!("framework version {} has no such dimension", framework.version),
        );
        checks.require(
            (1..=5).contains(&rating.score),
            field("score"),
            "score from 1 (not in place) to 5 (embedded and leading)",
        );
        let rater = checks.text(&field("rater"), &rating.rater, 100);
        let evidence = checks.optional_text(&field("evidence"), &rating.evidence, LONG_TEXT);
        checks.require(
            !ratings
                .iter()
                .any(|r: &Rating| r.dimension == rating.dimension && r.rater == rater),
            field("rater"),
            "a rater rates each dimension once",
        );
        ratings.push(Rating {
            dimension: rating.dimension.clone(),
            score: rating.score,
            evidence,
            rater,
        });
    }
    if input.status == Status::Final {
        let missing: Vec<&str> = framework
            .dimensions
            .iter()
            .filter(|d| !ratings.iter().any(|r| r.dimension == d.key))
            .map(|d| d.key.as_str())
            .collect();
        checks.require(
            missing.is_empty(),
            "ratings",
            format!(
                "a final assessment rates every dimension; missing: {}",
                missing.join(", ")
            ),
        );
    }
    checks.finish()?;
    Ok(ratings)
}

/// Who may record what: staff anything; an organisation's editors only self-assessments of their own.
async fn require_may_record(
    client: &impl GenericClient,
    viewer: &Viewer,
    organisation: Uuid,
    method: Method,
) -> Result<(), ApiError> {
    require_staff_or_editor(client, viewer, organisation).await?;
    if !is_staff(viewer) && method != Method::SelfAssessment {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

/// Appends version `version` with its ratings, and rebuilds the report projection from it.
async fn append_version(
    client: &impl GenericClient,
    assessment: Uuid,
    organisation: Uuid,
    version: i32,
    input: &AssessmentInput,
    ratings: &[Rating],
    actor: Uuid,
) -> Result<(), ApiError> {
    client
        .execute(
            "INSERT INTO capacity.assessment_versions
                 (assessment_id, version, assessed_on, method, status, reason, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &assessment,
                &version,
                &input.assessed_on,
                &input.method.as_str(),
                &input.status.as_str(),
                &input.reason.trim(),
                &actor,
            ],
        )
        .await?;
    let dimensions: Vec<&str> = ratings.iter().map(|r| r.dimension.as_str()).collect();
    let raters: Vec<&str> = ratings.iter().map(|r| r.rater.as_str()).collect();
    let scores: Vec<i16> = ratings.iter().map(|r| r.score).collect();
    let evidence: Vec<&str> = ratings.iter().map(|r| r.evidence.as_str()).collect();
    client
        .execute(
            "INSERT INTO capacity.ratings (assessment_id, version, dimension_key, rater, score, evidence)
             SELECT $1::uuid, $2::integer, * FROM unnest($3::text[], $4::text[], $5::smallint[], $6::text[])",
            &[&assessment, &version, &dimensions, &raters, &scores, &evidence],
        )
        .await?;
    client
        .execute(
            "DELETE FROM capacity.assessment_scores WHERE assessment_id = $1",
            &[&assessment],
        )
        .await?;
    client
        .execute(
            "INSERT INTO capacity.assessment_scores
                 (assessment_id, dimension_key, organisation_id, assessed_on, final, score)
             SELECT $1::uuid, dimension_key, $3::uuid, $4::date, $5::boolean, avg(score)::double precision
             FROM capacity.ratings WHERE assessment_id = $1 AND version = $2::integer GROUP BY dimension_key",
            &[
                &assessment,
                &version,
                &organisation,
                &input.assessed_on,
                &(input.status == Status::Final),
            ],
        )
        .await?;
    Ok(())
}

/// `POST /api/v1/capacity/organisations/{id}/assessments`: record an assessment (staff, any method; the
/// organisation's editors, a self-assessment).
#[utoipa::path(post, path = "/api/v1/capacity/organisations/{id}/assessments", tag = "capacity",
    params(("id" = Uuid, Path, description = "the organisation (directory id)")), request_body = AssessmentInput,
    responses((status = 201, body = Assessment), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_assessment(
    organisation: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let organisation = parse_id(&organisation)?;
    let mut client = pool.get().await?;
    require_organisation(&client, organisation).await?;
    let input: AssessmentInput = parse_json(&body)?;
    require_may_record(&client, &viewer, organisation, input.method).await?;
    let framework = crate::framework::load(&client, None).await?;
    let ratings = check(&framework, &input)?;
    let id = Uuid::now_v7();
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "INSERT INTO capacity.assessments (id, organisation_id, framework_version, created_by)
             VALUES ($1, $2, $3, $4)",
            &[&id, &organisation, &framework.version, &viewer.id],
        )
        .await?;
    append_version(&transaction, id, organisation, 1, &input, &ratings, viewer.id).await?;
    let assessment = read(&transaction, id, None).await?;
    transaction.commit().await?;
    Ok(json(&assessment, StatusCode::CREATED))
}

/// `POST /api/v1/capacity/assessments/{id}/versions`: record a new version, replacing every rating. Staff
/// may correct any assessment (with a reason once it is final); editors only their own self-assessment
/// drafts.
#[utoipa::path(post, path = "/api/v1/capacity/assessments/{id}/versions", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = AssessmentInput,
    responses((status = 201, body = Assessment), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_version(id: String, pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let mut client = pool.get().await?;
    let current = read(&client, id, None).await?;
    require_may_record(&client, &viewer, current.organisation_id, current.method).await?;
    let input: AssessmentInput = parse_json(&body)?;
    if !is_staff(&viewer) && (current.status == Status::Final || input.method != Method::SelfAssessment) {
        return Err(ApiError::Forbidden);
    }
    if current.status == Status::Final && input.reason.trim().is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "say why a final assessment is being corrected",
        ));
    }
    let framework = crate::framework::load(&client, Some(current.framework_version)).await?;
    let ratings = check(&framework, &input)?;
    let transaction = client.transaction().await?;
    // Two corrections at once: the second fails on the version's primary key (409), not silently.
    append_version(
        &transaction,
        id,
        current.organisation_id,
        current.version + 1,
        &input,
        &ratings,
        viewer.id,
    )
    .await?;
    let assessment = read(&transaction, id, None).await?;
    transaction.commit().await?;
    Ok(json(&assessment, StatusCode::CREATED))
}

/// `GET /api/v1/capacity/assessments/{id}`: an assessment at its newest version (or `?version=`), with
/// disagreement per dimension and its history (staff and the organisation's editors).
#[utoipa::path(get, path = "/api/v1/capacity/assessments/{id}", tag = "capacity",
    params(("id" = Uuid, Path), VersionQuery),
    responses((status = 200, body = Assessment), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_assessment(id: String, query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let query: VersionQuery = parse_query(&query)?;
    let client = pool.get().await?;
    let organisation = client
        .query_opt(
            "SELECT organisation_id FROM capacity.assessments WHERE id = $1",
            &[&id],
        )
        .await?
        .ok_or_else(not_found)?
        .get(0);
    require_staff_or_editor(&client, &viewer, organisation).await?;
    Ok(json(&read(&client, id, query.version).await?, StatusCode::OK))
}

/// `GET /api/v1/capacity/organisations/{id}/assessments`: the organisation's assessments at their newest
/// versions, drafts included, newest first (staff and the organisation's editors).
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/assessments", tag = "capacity",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<AssessmentListing>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_assessments(organisation: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let organisation = parse_id(&organisation)?;
    let client = pool.get().await?;
    require_organisation(&client, organisation).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    let rows = client
        .query(
            "SELECT DISTINCT ON (a.id) a.id, v.version, v.assessed_on, v.method, v.status
             FROM capacity.assessments a JOIN capacity.assessment_versions v ON v.assessment_id = a.id
             WHERE a.organisation_id = $1 ORDER BY a.id, v.version DESC",
            &[&organisation],
        )
        .await?;
    let mut listings: Vec<AssessmentListing> = rows
        .iter()
        .map(|r| AssessmentListing {
            id: r.get(0),
            version: r.get(1),
            assessed_on: r.get(2),
            method: Method::parse(r.get(3)),
            status: parse_status(r.get(4)),
        })
        .collect();
    listings.sort_by_key(|l| std::cmp::Reverse((l.assessed_on, l.id)));
    Ok(json(&listings, StatusCode::OK))
}

fn not_found() -> ApiError {
    ApiError::NotFound("no assessment has this id".into())
}

fn parse_status(raw: &str) -> Status {
    if raw == "final" {
        Status::Final
    } else {
        Status::Draft
    }
}

/// An assessment at `version` (the newest when `None`), with its summary and history.
pub async fn read(
    client: &impl GenericClient,
    id: Uuid,
    version: Option<i32>,
) -> Result<Assessment, ApiError> {
    let identity = client
        .query_opt(
            "SELECT organisation_id, framework_version FROM capacity.assessments WHERE id = $1",
            &[&id],
        )
        .await?
        .ok_or_else(not_found)?;
    let versions: Vec<(VersionSummary, Date, Method)> = client
        .query(
            "SELECT version, status, reason, created_by, created_at, assessed_on, method
             FROM capacity.assessment_versions WHERE assessment_id = $1 ORDER BY version",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| {
            (
                VersionSummary {
                    version: r.get(0),
                    status: parse_status(r.get(1)),
                    reason: r.get(2),
                    created_by: r.get(3),
                    created_at: r.get(4),
                },
                r.get(5),
                Method::parse(r.get(6)),
            )
        })
        .collect();
    let (chosen, assessed_on, method) = versions
        .iter()
        .rev()
        .find(|(v, _, _)| version.is_none_or(|wanted| v.version == wanted))
        .map(|(v, on, method)| (v.version, *on, *method))
        .ok_or_else(|| ApiError::NotFound("this assessment has no such version".into()))?;
    let ratings: Vec<Rating> = client
        .query(
            "SELECT dimension_key, score, evidence, rater FROM capacity.ratings
             WHERE assessment_id = $1 AND version = $2 ORDER BY dimension_key, rater",
            &[&id, &chosen],
        )
        .await?
        .iter()
        .map(|r| Rating {
            dimension: r.get(0),
            score: r.get(1),
            evidence: r.get(2),
            rater: r.get(3),
        })
        .collect();
    let framework = crate::framework::load(client, Some(identity.get(1))).await?;
    let summary = versions
        .iter()
        .find(|(v, _, _)| v.version == chosen)
        .map(|(v, _, _)| (v.status, v.reason.clone()))
        .unwrap_or((Status::Draft, String::new()));
    Ok(Assessment {
        id,
        organisation_id: identity.get(0),
        framework_version: framework.version,
        version: chosen,
        assessed_on,
        method,
        status: summary.0,
        reason: summary.1,
        dimensions: summarise(&framework, &ratings),
        ratings,
        versions: versions.into_iter().map(|(v, _, _)| v).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Dimension;

    fn framework() -> Framework {
        let dimension = |key: &str| Dimension {
            key: key.into(),
            name: key.into(),
            description: String::new(),
            levels: vec!["1".into(); 5],
        };
        Framework {
            version: 1,
            note: String::new(),
            dimensions: vec![dimension("governance"), dimension("finance"), dimension("voice")],
        }
    }

    fn rating(dimension: &str, score: i16, rater: &str) -> Rating {
        Rating {
            dimension: dimension.into(),
            score,
            evidence: String::new(),
            rater: rater.into(),
        }
    }

    #[test]
    fn raters_two_levels_apart_disagree_and_unrated_dimensions_are_left_out() {
        let ratings = [
            rating("governance", 2, "chair"),
            rating("governance", 4, "facilitator"),
            rating("finance", 3, "chair"),
            rating("finance", 4, "facilitator"),
        ];
        let summary = summarise(&framework(), &ratings);
        assert_eq!(summary.len(), 2);
        assert_eq!((summary[0].mean, summary[0].disagreement), (3.0, true));
        assert_eq!((summary[1].mean, summary[1].disagreement), (3.5, false));
        assert_eq!((summary[1].lowest, summary[1].highest), (3, 4));
    }

    #[test]
    fn a_final_assessment_rates_every_dimension_and_scores_stay_in_range() {
        let input = |status, ratings| AssessmentInput {
            assessed_on: time::macros::date!(2026 - 01 - 10),
            method: Method::SelfAssessment,
            status,
            ratings,
            reason: String::new(),
        };
        assert!(check(
            &framework(),
            &input(Status::Draft, vec![rating("finance", 3, "chair")])
        )
        .is_ok());
        assert!(check(
            &framework(),
            &input(Status::Final, vec![rating("finance", 3, "chair")])
        )
        .is_err());
        assert!(check(
            &framework(),
            &input(Status::Draft, vec![rating("finance", 6, "chair")])
        )
        .is_err());
        assert!(check(
            &framework(),
            &input(Status::Draft, vec![rating("unknown", 3, "chair")])
        )
        .is_err());
        let twice = vec![rating("finance", 3, "chair"), rating("finance", 4, "chair")];
        assert!(check(&framework(), &input(Status::Draft, twice)).is_err());
    }
}
