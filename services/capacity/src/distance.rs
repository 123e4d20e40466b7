//! "Distance travelled": per dimension, an organisation's first and latest final scores in a period, and
//! across the network the mean of those among organisations assessed at least twice in it.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, Credentials};
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{json, parse_id, parse_query, raw_query};
use time::macros::date;
use time::Date;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

use crate::access::{require_organisation, require_staff_or_editor};
use crate::{one_of, with_pool, Route};

/// A period, both days included; open ends reach as far as the records go.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Period {
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
}

impl Period {
    pub fn from(&self) -> Date {
        self.from.unwrap_or(date!(1900 - 01 - 01))
    }

    pub fn to(&self) -> Date {
        self.to.unwrap_or(date!(9999 - 12 - 31))
    }

    /// Reads `?from=&to=`; 422 if the period ends before it starts.
    pub fn parse(query: &str) -> Result<Period, ApiError> {
        let period: Period = parse_query(query)?;
        if period.to() < period.from() {
            return Err(ApiError::invalid(
                "to",
                "the period ends on or after the day it starts",
            ));
        }
        Ok(period)
    }
}

/// How far one dimension moved between the first and the latest assessment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DimensionChange {
    pub dimension: String,
    pub name: String,
    /// Organisations counted (for one organisation: 1).
    pub organisations: i64,
    pub first: f64,
    pub latest: f64,
    pub change: f64,
}

#[derive(OpenApi)]
#[openapi(
    paths(organisation_distance, network_distance),
    components(schemas(DimensionChange))
)]
pub struct DistanceApi;

pub fn routes(pool: Pool) -> Route {
    one_of(vec![
        warp::path!("api" / "v1" / "capacity" / "organisations" / String / "distance")
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .and(shared::accounts::credentials())
            .then(organisation_distance)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "distance")
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool))
            .and(shared::accounts::credentials())
            .then(network_distance)
            .map(respond)
            .boxed(),
    ])
}

/// First and latest final score per dimension in `period`: for one organisation (even if assessed once), or
/// the means over every organisation assessed at least twice.
pub async fn changes(
    client: &impl GenericClient,
    organisation: Option<Uuid>,
    period: Period,
) -> Result<Vec<DimensionChange>, ApiError> {
    let rows = client
        .query(
            "WITH travelled AS (
                 SELECT d.key, f.score AS first, l.score AS latest, f.assessment_id <> l.assessment_id AS twice
                 FROM (SELECT DISTINCT organisation_id FROM capacity.assessments
                       WHERE $3::uuid IS NULL OR organisation_id = $3) o
                 CROSS JOIN (SELECT DISTINCT key FROM capacity.dimensions) d
                 CROSS JOIN LATERAL (
                     SELECT s.score, s.assessment_id FROM capacity.assessment_scores s
                     WHERE s.final AND s.organisation_id = o.organisation_id AND s.dimension_key = d.key
                       AND s.assessed_on BETWEEN $1 AND $2
                     ORDER BY s.assessed_on, s.assessment_id LIMIT 1) f
                 CROSS JOIN LATERAL (
                     SELECT s.score, s.assessment_id FROM capacity.assessment_scores s
                     WHERE s.final AND s.organisation_id = o.organisation_id AND s.dimension_key = d.key
                       AND s.assessed_on BETWEEN $1 AND $2
                     ORDER BY s.assessed_on DESC, s.assessment_id DESC LIMIT 1) l
             )
             SELECT key, count(*), avg(first), avg(latest), avg(latest - first)
             FROM travelled WHERE twice OR $3::uuid IS NOT NULL GROUP BY key",
            &[&period.from(), &period.to(), &organisation],
        )
        .await?;
    let names = crate::framework::dimension_names(client).await?;
    let current = crate::framework::load(client, None).await?;
    let mut changes: Vec<DimensionChange> = rows
        .iter()
        .map(|r| {
            let key: String = r.get(0);
            DimensionChange {
                name: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                dimension: key,
                organisations: r.get(1),
                first: r.get(2),
                latest: r.get(3),
                change: r.get(4),
            }
        })
        .collect();
    // The current framework's order first, then retired dimensions by key.
    let position = |key: &str| {
        current
            .dimensions
            .iter()
            .position(|d| d.key == key)
            .unwrap_or(usize::MAX)
    };
    changes
        .sort_by(|a, b| (position(&a.dimension), &a.dimension).cmp(&(position(&b.dimension), &b.dimension)));
    Ok(changes)
}

/// `GET /api/v1/capacity/organisations/{id}/distance`: the organisation's first and latest final scores per
/// dimension (staff and the organisation's editors).
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/distance", tag = "capacity",
    params(("id" = Uuid, Path), Period),
    responses((status = 200, body = Vec<DimensionChange>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn organisation_distance(
    organisation: String,
    query: String,
    pool: Pool,
    credentials: Credentials,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let organisation = parse_id(&organisation)?;
    let period = Period::parse(&query)?;
    let client = pool.get().await?;
    require_organisation(&client, organisation).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    Ok(json(
        &changes(&client, Some(organisation), period).await?,
        StatusCode::OK,
    ))
}

/// `GET /api/v1/capacity/distance`: across the network, the mean first, latest and change per dimension
/// over organisations assessed at least twice in the period (anyone signed in: no organisation is named).
#[utoipa::path(get, path = "/api/v1/capacity/distance", tag = "capacity", params(Period),
    responses((status = 200, body = Vec<DimensionChange>), (status = 401, body = Problem)))]
pub async fn network_distance(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    signed_in(&pool, &credentials).await?;
    let period = Period::parse(&query)?;
    Ok(json(
        &changes(&pool.get().await?, None, period).await?,
        StatusCode::OK,
    ))
}
