//! Casework counted per organisation per quarter: numbers and categories only, never a client's details.
//! Staff and the organisation's editors record a quarter's counts; a quarter is written whole.

use std::collections::BTreeMap;

use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, Credentials};
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_id, parse_json};
use time::{Date, Month};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

use crate::access::{require_organisation, require_staff_or_editor};
use crate::input::Checks;
use crate::{one_of, with_pool, Route};

/// One quarter's counts by category, such as `{"immigration": 12, "housing": 4}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuarterCounts {
    pub counts: BTreeMap<String, i32>,
}

/// A count of cases in one category in one quarter.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseworkCount {
    /// Such as `2026-Q1`.
    pub quarter: String,
    pub category: String,
    pub cases: i32,
}

#[derive(OpenApi)]
#[openapi(
    paths(put_quarter, list_casework),
    components(schemas(QuarterCounts, CaseworkCount))
)]
pub struct CaseworkApi;

pub fn routes(pool: Pool) -> Route {
    let credentials = shared::accounts::credentials;
    one_of(vec![
        warp::path!("api" / "v1" / "capacity" / "organisations" / String / "casework" / String)
            .and(warp::put())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(put_quarter)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "organisations" / String / "casework")
            .and(warp::get())
            .and(with_pool(pool))
            .and(credentials())
            .then(list_casework)
            .map(respond)
            .boxed(),
    ])
}

/// `2026-Q1` → 1 January 2026; `None` for anything else.
pub fn parse_quarter(raw: &str) -> Option<Date> {
    let (year, quarter) = raw.split_once("-Q")?;
    let year: i32 = year.parse().ok()?;
    let month = match quarter {
        "1" => Month::January,
        "2" => Month::April,
        "3" => Month::July,
        "4" => Month::October,
        _ => return None,
    };
    (1900..=9999)
        .contains(&year)
        .then(|| Date::from_calendar_date(year, month, 1).ok())
        .flatten()
}

/// 1 April 2026 → `2026-Q2`.
pub fn quarter_name(first_day: Date) -> String {
    format!(
        "{}-Q{}",
        first_day.year(),
        (u8::from(first_day.month()) - 1) / 3 + 1
    )
}

/// `PUT /api/v1/capacity/organisations/{id}/casework/{quarter}`: set a quarter's counts, replacing what was
/// there (staff and the organisation's editors).
#[utoipa::path(put, path = "/api/v1/capacity/organisations/{id}/casework/{quarter}", tag = "capacity",
    params(("id" = Uuid, Path), ("quarter" = String, Path, description = "such as 2026-Q1")),
    request_body = QuarterCounts,
    responses((status = 200, body = Vec<CaseworkCount>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_quarter(
    organisation: String,
    quarter: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let organisation = parse_id(&organisation)?;
    let mut client = pool.get().await?;
    require_organisation(&client, organisation).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    let first_day = parse_quarter(&quarter)
        .ok_or_else(|| ApiError::invalid("quarter", "name a quarter such as 2026-Q1"))?;
    let counts: QuarterCounts = parse_json(&body)?;
    let mut checks = Checks::new();
    checks.require(counts.counts.len() <= 50, "counts", "use at most 50 categories");
    for (category, cases) in &counts.counts {
        checks.key(&format!("counts.{category}"), category);
        checks.require(
            (0..=1_000_000).contains(cases),
            format!("counts.{category}"),
            "count from 0 to 1,000,000 cases",
        );
    }
    checks.finish()?;
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "DELETE FROM capacity.casework WHERE organisation_id = $1 AND quarter = $2",
            &[&organisation, &first_day],
        )
        .await?;
    for (category, cases) in &counts.counts {
        transaction
            .execute(
                "INSERT INTO capacity.casework (organisation_id, quarter, category, cases, updated_by)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&organisation, &first_day, category, cases, &viewer.id],
            )
            .await?;
    }
    transaction.commit().await?;
    let saved: Vec<CaseworkCount> = counts
        .counts
        .into_iter()
        .map(|(category, cases)| CaseworkCount {
            quarter: quarter_name(first_day),
            category,
            cases,
        })
        .collect();
    Ok(json(&saved, StatusCode::OK))
}

/// Every quarter's counts of an organisation, oldest first.
pub async fn counts_of(
    client: &impl deadpool_postgres::GenericClient,
    organisation: Uuid,
) -> Result<Vec<CaseworkCount>, ApiError> {
    Ok(client
        .query(
            "SELECT quarter, category, cases FROM capacity.casework WHERE organisation_id = $1
             ORDER BY quarter, category",
            &[&organisation],
        )
        .await?
        .iter()
        .map(|r| CaseworkCount {
            quarter: quarter_name(r.get(0)),
            category: r.get(1),
            cases: r.get(2),
        })
        .collect())
}

/// `GET /api/v1/capacity/organisations/{id}/casework`: the organisation's casework counts (staff and its
/// editors).
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/casework", tag = "capacity",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<CaseworkCount>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn list_casework(organisation: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let organisation = parse_id(&organisation)?;
    let client = pool.get().await?;
    require_organisation(&client, organisation).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    Ok(json(&counts_of(&client, organisation).await?, StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_round_trip_and_nonsense_is_refused() {
        let first = parse_quarter("2026-Q2").unwrap();
        assert_eq!(first, time::macros::date!(2026 - 04 - 01));
        assert_eq!(quarter_name(first), "2026-Q2");
        for bad in ["2026-Q5", "2026-Q0", "2026", "Q1-2026", "abcd-Q1", "99999-Q1"] {
            assert_eq!(parse_quarter(bad), None, "{bad}");
        }
    }
}
