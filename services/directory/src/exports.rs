//! Exports of the directory, each honouring visibility and location precision for the viewer: Open
//! Referral HSDS 3.0 JSON, a GeoJSON FeatureCollection of locations, and CSV of any search. Also the CSV
//! import endpoint, the way in.

use std::collections::HashSet;
use std::sync::Arc;

use deadpool_postgres::Pool;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::accounts::{signed_in, viewer, Credentials, Viewer};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{json, parse_query};
use shared::spreadsheet;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Reply;

use crate::audience::{audience_of, view};
use crate::indexer::SearchIndex;
use crate::organisation::OrganisationView;
use crate::search::SearchParams;
use crate::store;

/// Organisations read per query while exporting.
const PAGE: i64 = 1_000;

/// Every live organisation as `viewer` may see it, in the order they joined.
async fn everything_seen_by(pool: &Pool, viewer: Option<&Viewer>) -> Result<Vec<OrganisationView>, ApiError> {
    let client = pool.get().await?;
    let edited: HashSet<Uuid> = match viewer {
        Some(v) => store::edited_by(&client, v.id).await?,
        None => HashSet::new(),
    };
    let mut views = Vec::new();
    let mut after = None;
    loop {
        let page = store::list(&client, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        views.extend(
            page.iter()
                .map(|o| view(o, audience_of(viewer, edited.contains(&o.id)))),
        );
    }
    Ok(views)
}

fn with_type(body: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let mut response = warp::reply::with_status(body, StatusCode::OK).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

/// A stable id for a part of an organisation that has none of its own (HSDS wants UUIDs everywhere).
fn part_id(organisation: Uuid, part: &str) -> Uuid {
    Uuid::new_v5(&organisation, part.as_bytes())
}

/// One organisation in Open Referral HSDS 3.0: its locations (with addresses where the viewer may see
/// them), one service per theme with its languages, and its phone.
pub fn hsds(organisation: &OrganisationView) -> Value {
    let id = organisation.id;
    let languages: Vec<Value> = organisation
        .languages
        .iter()
        .flatten()
        .map(|code| json!({"id": part_id(id, &format!("language:{code}")), "code": code}))
        .collect();
    let locations: Vec<Value> = organisation
        .locations
        .iter()
        .flatten()
        .map(|location| {
            let mut value = json!({
                "id": location.id,
                "location_type": "physical",
                "organization_id": id,
                "name": if location.label.is_empty() { location.town.clone().unwrap_or_default() } else { location.label.clone() },
                "latitude": location.latitude,
                "longitude": location.longitude,
            });
            if let (Some(address), Some(postcode), Some(town)) = (&location.address, &location.postcode, &location.town) {
                let nation = shared::places::nearest(location.latitude, location.longitude).nation.clone();
                value["addresses"] = json!([{
                    "id": part_id(location.id, "address"), "location_id": location.id, "address_1": address,
                    "city": town, "state_province": nation, "postal_code": postcode, "country": "GB",
                    "address_type": "physical"
                }]);
            }
            value
        })
        .collect();
    let services: Vec<Value> = organisation
        .themes
        .iter()
        .flatten()
        .map(|theme| {
            json!({"id": part_id(id, &format!("service:{theme}")), "organization_id": id, "name": theme,
                   "status": "active", "languages": languages})
        })
        .collect();
    let mut value = json!({
        "id": id,
        "name": organisation.name,
        "description": organisation.description.clone().unwrap_or_default(),
        "locations": locations,
        "services": services,
    });
    if let Some(website) = &organisation.website {
        value["website"] = json!(website);
    }
    if let Some(contact) = &organisation.contact {
        if let Some(email) = &contact.email {
            value["email"] = json!(email);
        }
        if let Some(phone) = &contact.phone {
            value["phones"] = json!([{"id": part_id(id, "phone"), "organization_id": id, "number": phone,
                                      "languages": languages}]);
        }
    }
    value
}

/// `GET /api/v1/exports/organisations.hsds.json`: every organisation in Open Referral HSDS 3.0.
#[utoipa::path(get, path = "/api/v1/exports/organisations.hsds.json", tag = "directory",
    responses((status = 200, description = "An array of HSDS 3.0 organization objects", content_type = "application/json")))]
pub async fn hsds_export(pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = viewer(&pool, &credentials).await?;
    let organisations: Vec<Value> = everything_seen_by(&pool, viewer.as_ref())
        .await?
        .iter()
        .map(hsds)
        .collect();
    let body = serde_json::to_vec(&organisations).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(with_type(body, "application/json", "organisations.hsds.json"))
}

/// `GET /api/v1/exports/organisations.geojson`: every location the viewer may see, as GeoJSON points.
#[utoipa::path(get, path = "/api/v1/exports/organisations.geojson", tag = "directory",
    responses((status = 200, description = "A GeoJSON FeatureCollection", content_type = "application/geo+json")))]
pub async fn geojson_export(pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = viewer(&pool, &credentials).await?;
    let features: Vec<geojson::Feature> = everything_seen_by(&pool, viewer.as_ref())
        .await?
        .iter()
        .flat_map(|organisation| {
            organisation.locations.iter().flatten().map(move |location| {
                let mut properties = serde_json::Map::new();
                properties.insert("organisation_id".into(), json!(organisation.id));
                properties.insert("name".into(), json!(organisation.name));
                properties.insert("town".into(), json!(location.town));
                properties.insert("approximate".into(), json!(location.approximate));
                properties.insert("themes".into(), json!(organisation.themes));
                geojson::Feature {
                    id: Some(geojson::feature::Id::String(location.id.to_string())),
                    geometry: Some(geojson::Geometry::new_point([
                        location.longitude,
                        location.latitude,
                    ])),
                    properties: Some(properties),
                    ..Default::default()
                }
            })
        })
        .collect();
    let collection = geojson::FeatureCollection {
        features,
        bbox: None,
        foreign_members: None,
    };
    let body = serde_json::to_vec(&collection).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(with_type(body, "application/geo+json", "organisations.geojson"))
}

/// `GET /api/v1/exports/search.csv`: the hits of a search (same parameters as the search) as CSV.
#[utoipa::path(get, path = "/api/v1/exports/search.csv", tag = "directory", params(SearchParams),
    responses((status = 200, description = "CSV, one row per organisation", content_type = "text/csv"),
              (status = 422, body = Problem)))]
pub async fn search_csv(
    query: String,
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
) -> ApiResult {
    let params: SearchParams = parse_query(&query)?;
    let answer = crate::search::run(index, pool, credentials, params).await?;
    let rows = answer.items.iter().map(|hit| {
        let location = hit.matched_location.as_ref();
        [
            hit.id.clone(),
            hit.name.clone(),
            location.map(|l| l.town.clone()).unwrap_or_default(),
            location.map(|l| l.latitude.to_string()).unwrap_or_default(),
            location.map(|l| l.longitude.to_string()).unwrap_or_default(),
            location.map(|l| l.approximate.to_string()).unwrap_or_default(),
            location
                .and_then(|l| l.distance_km)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            hit.url.clone(),
        ]
    });
    let header = [
        "id",
        "name",
        "town",
        "latitude",
        "longitude",
        "approximate",
        "distance_km",
        "url",
    ];
    let body = spreadsheet::document(&header, rows)?;
    Ok(with_type(
        body.into_bytes(),
        "text/csv; charset=utf-8",
        "search.csv",
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Import the valid rows and report the others (default: nothing unless every row is valid).
    pub partial: Option<bool>,
}

/// The outcome of an import.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    /// Rows left out (only with `partial=true`), each problem named `rows[N].field`.
    pub errors: Vec<shared::FieldError>,
}

/// The largest CSV file the import endpoint accepts (larger files: `commonground import`).
pub const IMPORT_LIMIT_BYTES: u64 = 10 * 1024 * 1024;

/// `POST /api/v1/organisations/import`: add organisations from a CSV file (network staff). All or
/// nothing unless `partial=true`.
#[utoipa::path(post, path = "/api/v1/organisations/import", tag = "directory", params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "a header row, then one organisation per row; see the import module for the columns"),
    responses((status = 201, body = ImportReport), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    query: String,
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let params: ImportParams = parse_query(&query)?;
    let viewer = signed_in(&pool, &credentials).await?;
    if !viewer.is_admin() {
        return Err(ApiError::Forbidden);
    }
    let parsed = tokio::task::spawn_blocking(move || crate::import::parse(&body[..], |_| {}))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !parsed.errors.is_empty() && !params.partial.unwrap_or(false) {
        return Err(ApiError::Validation(parsed.errors));
    }
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    for batch in parsed.organisations.chunks(5_000) {
        store::create_many(&transaction, viewer.id, batch).await?;
    }
    transaction.commit().await?;
    index.nudge();
    let report = ImportReport {
        rows: parsed.rows,
        imported: parsed.organisations.len(),
        errors: parsed.errors,
    };
    Ok(json(&report, StatusCode::CREATED))
}
