//! `GET|POST /api/v1/organisations/search`: words, facets and geography in one query, answered by the
//! search index for the viewer's audience, so nothing they may not see shapes what they get back.

use std::sync::Arc;

use bytes::Bytes;
use deadpool_postgres::Pool;
use search_index::{
    Audience, Coordinates, Facet, FacetCount, FacetFilter, Order, SearchArea, SearchRequest, SearchResults,
};
use serde::{Deserialize, Deserializer, Serialize};
use shared::accounts::{viewer, Credentials};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::json_bytes;
use shared::pagination::{cursor, PageParams};
use shared::FieldError;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;

use crate::audience::searching_audience;
use crate::indexer::SearchIndex;

/// The most hits one page may hold.
const MAX_LIMIT: usize = 100;
/// The widest radius a search may use.
const MAX_RADIUS_KM: f64 = 1_000.0;

/// A search, as query parameters (`GET`) or as a JSON object with the same names (`POST`, which may also
/// carry a GeoJSON `within` area). Lists are comma-separated.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find in names, descriptions, themes, communities and towns (typos forgiven).
    #[serde(default, deserialize_with = "text")]
    pub q: Option<String>,
    /// Themes, any of, e.g. `housing,legal aid`.
    #[serde(default, deserialize_with = "text")]
    pub theme: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub community: Option<String>,
    /// ISO 639 codes, any of.
    #[serde(default, deserialize_with = "text")]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub membership: Option<String>,
    /// England, Scotland, Wales or Northern Ireland.
    #[serde(default, deserialize_with = "text")]
    pub nation: Option<String>,
    /// `latitude,longitude`: the centre for `radius_km` and `sort=distance`.
    #[serde(default, deserialize_with = "text")]
    pub near: Option<String>,
    /// A UK town as the centre instead of `near`, e.g. `Coventry`.
    #[serde(default, deserialize_with = "text")]
    pub town: Option<String>,
    /// Only organisations with a location within this many km of the centre.
    #[serde(default, deserialize_with = "text")]
    pub radius_km: Option<String>,
    /// `south,west,north,east` in degrees.
    #[serde(default, deserialize_with = "text")]
    pub bbox: Option<String>,
    /// The id of a stored region (`GET /api/v1/regions`).
    #[serde(default, deserialize_with = "text")]
    pub region: Option<String>,
    /// `relevance` (default) or `distance` (nearest first; needs `near` or `town`).
    #[serde(default, deserialize_with = "text")]
    pub sort: Option<String>,
    /// Hits per page, 1 to 100 (default 20).
    #[serde(default, deserialize_with = "text")]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    #[serde(default, deserialize_with = "text")]
    pub cursor: Option<String>,
    /// (`POST` only) a GeoJSON Polygon or MultiPolygon to search within.
    #[param(value_type = Option<Object>)]
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    pub within: Option<serde_json::Value>,
}

/// Accepts a string or a number (JSON bodies), kept as text to be parsed with a clear message.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        String(String),
        Number(f64),
    }
    Ok(
        Option::<Text>::deserialize(deserializer)?.map(|value| match value {
            Text::String(text) => text,
            Text::Number(number) => number.to_string(),
        }),
    )
}

/// One organisation found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    pub id: String,
    pub name: String,
    /// Where to read the organisation.
    pub url: String,
    /// Text relevance (0 without words).
    pub score: f32,
    /// The location that matched the area or is nearest, as the viewer may see it.
    pub matched_location: Option<MatchedLocation>,
    /// Highlighted fragments (HTML with matches in `<b>`) of fields the viewer may see.
    pub snippets: Snippets,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchedLocation {
    pub location_id: String,
    pub town: String,
    pub latitude: f64,
    pub longitude: f64,
    /// From the centre of the search, in km.
    pub distance_km: Option<f64>,
    /// True when the point is the centre of a ~2 km area, not the real place.
    pub approximate: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Snippets {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// The answer to a search.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchAnswer {
    /// How many organisations match, over all pages.
    pub total: u64,
    pub items: Vec<SearchHit>,
    /// Per facet (`theme`, `community`, `language`, `membership`, `nation`), its values among all matches.
    #[schema(value_type = Object)]
    pub facets: std::collections::BTreeMap<&'static str, Vec<FacetValue>>,
    pub next_cursor: Option<String>,
}

/// Checks every parameter and builds the index's request; all problems are reported together.
async fn request(params: SearchParams, audience: Audience, pool: &Pool) -> Result<SearchRequest, ApiError> {
    let mut errors = Vec::new();
    let mut request = SearchRequest::new(audience);
    request.count_facets = true;
    request.text = params.q.map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
    if request.text.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.push(FieldError::new("q", "use at most 200 characters"));
    }
    for (facet, values) in [
        (Facet::Theme, params.theme),
        (Facet::Community, params.community),
        (Facet::Language, params.language),
        (Facet::Membership, params.membership),
        (Facet::Nation, params.nation),
    ] {
        let any_of: Vec<String> = values
            .iter()
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if any_of.len() > 20 {
            errors.push(FieldError::new(facet.name(), "at most 20 values"));
        } else if !any_of.is_empty() {
            request.filters.push(FacetFilter { facet, any_of });
        }
    }
    let centre = match (params.near, params.town) {
        (Some(_), Some(_)) => {
            errors.push(FieldError::new("town", "give `near` or `town`, not both"));
            None
        }
        (Some(near), None) => match numbers::<2>(&near) {
            Some([latitude, longitude]) if valid_point(latitude, longitude) => {
                Some(Coordinates::new(latitude, longitude))
            }
            _ => {
                errors.push(FieldError::new(
                    "near",
                    "use `latitude,longitude`, e.g. 52.40656,-1.51217",
                ));
                None
            }
        },
        (None, Some(town)) => match shared::places::find(&town) {
            Some(place) => Some(Coordinates::new(place.latitude, place.longitude)),
            None => {
                errors.push(FieldError::new(
                    "town",
                    format!("no UK town called `{town}` is known"),
                ));
                None
            }
        },
        (None, None) => None,
    };
    let mut areas = Vec::new();
    if let Some(radius) = params.radius_km {
        match (radius.trim().parse::<f64>(), centre) {
            (Ok(radius_km), Some(centre)) if radius_km > 0.0 && radius_km <= MAX_RADIUS_KM => {
                areas.push(SearchArea::Near { centre, radius_km })
            }
            (Ok(_), Some(_)) | (Err(_), _) => errors.push(FieldError::new(
                "radius_km",
                format!("use a number of km above 0 and at most {MAX_RADIUS_KM}"),
            )),
            (Ok(_), None) => errors.push(FieldError::new(
                "radius_km",
                "give `near` or `town` as the centre",
            )),
        }
    }
    if let Some(bbox) = params.bbox {
        match numbers::<4>(&bbox) {
            Some([south, west, north, east])
                if valid_point(south, west) && valid_point(north, east) && south < north && west < east =>
            {
                areas.push(SearchArea::BoundingBox {
                    south,
                    west,
                    north,
                    east,
                })
            }
            _ => errors.push(FieldError::new(
                "bbox",
                "use `south,west,north,east` with south < north and west < east",
            )),
        }
    }
    if let Some(region) = params.region {
        match region_area(&region, pool).await {
            Ok(area) => areas.push(SearchArea::Region(area)),
            Err(error) => errors.push(error),
        }
    }
    if let Some(within) = &params.within {
        match crate::geometry::area_from_geojson("within", within) {
            Ok(area) => areas.push(SearchArea::Region(area)),
            Err(error) => errors.push(error),
        }
    }
    if areas.len() > 1 {
        errors.push(FieldError::new(
            "radius_km",
            "use one of radius_km, bbox, region or within",
        ));
    }
    request.area = areas.pop();
    request.order = match params.sort.as_deref().map(str::trim) {
        None | Some("relevance") => Order::Relevance,
        Some("distance") => match centre {
            Some(centre) => Order::DistanceFrom(centre),
            None => {
                errors.push(FieldError::new(
                    "sort",
                    "sorting by distance needs `near` or `town`",
                ));
                Order::Relevance
            }
        },
        Some(_) => {
            errors.push(FieldError::new("sort", "use `relevance` or `distance`"));
            Order::Relevance
        }
    };
    request.limit = match params.limit.as_deref().map(|l| l.trim().parse::<usize>()) {
        None => 20,
        Some(Ok(limit)) if (1..=MAX_LIMIT).contains(&limit) => limit,
        Some(_) => {
            errors.push(FieldError::new(
                "limit",
                format!("use a limit from 1 to {MAX_LIMIT}"),
            ));
            20
        }
    };
    let page = PageParams {
        limit: None,
        cursor: params.cursor,
    }
    .validate()?;
    request.offset = page.after::<usize>()?.unwrap_or(0);
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn numbers<const N: usize>(raw: &str) -> Option<[f64; N]> {
    let parsed: Vec<f64> = raw
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    parsed.try_into().ok()
}

fn valid_point(latitude: f64, longitude: f64) -> bool {
    (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)
}

async fn region_area(raw: &str, pool: &Pool) -> Result<geo::MultiPolygon<f64>, FieldError> {
    let id = Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new("region", "not a region id"))?;
    let geometry = crate::regions::geometry(pool, id)
        .await
        .map_err(|_| FieldError::new("region", "the region could not be read"))?
        .ok_or_else(|| FieldError::new("region", "no region has this id"))?;
    crate::geometry::area_from_geojson("region", &geometry)
}

fn answer(results: SearchResults) -> SearchAnswer {
    SearchAnswer {
        total: results.total,
        items: results
            .hits
            .into_iter()
            .map(|hit| SearchHit {
                url: format!("/api/v1/organisations/{}", hit.organisation_id),
                id: hit.organisation_id,
                name: hit.name,
                score: hit.score,
                matched_location: hit.matched_location.map(|location| {
                    let coordinates = location.coordinates;
                    let centre =
                        search_index::area::coarse_point(coordinates.latitude, coordinates.longitude);
                    MatchedLocation {
                        location_id: location.location_id,
                        town: location.town,
                        latitude: coordinates.latitude,
                        longitude: coordinates.longitude,
                        distance_km: location.distance_km.map(|d| (d * 100.0).round() / 100.0),
                        approximate: centre == (coordinates.latitude, coordinates.longitude),
                    }
                }),
                snippets: Snippets {
                    name: hit.snippets.name,
                    description: hit.snippets.description,
                },
            })
            .collect(),
        facets: results
            .facet_counts
            .into_iter()
            .map(|(facet, counts)| {
                let values = counts
                    .into_iter()
                    .map(|FacetCount { value, count }| FacetValue { value, count })
                    .collect();
                (facet.name(), values)
            })
            .collect(),
        next_cursor: results.next_offset.map(|offset| cursor(&offset.to_string())),
    }
}

/// The search `params` ask for, as the viewer's audience.
async fn request_for(
    pool: &Pool,
    credentials: &Credentials,
    params: SearchParams,
) -> Result<SearchRequest, ApiError> {
    let viewer = viewer(pool, credentials).await?;
    request(params, searching_audience(viewer.as_ref()), pool).await
}

/// Runs a search for the viewer.
pub async fn run(
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
    params: SearchParams,
) -> Result<SearchAnswer, ApiError> {
    let request = request_for(&pool, &credentials, params).await?;
    Ok(answer(index.search(request).await?))
}

/// The JSON answer to a search for the viewer (one kept from the same search before, if the index has not
/// changed since).
async fn reply(
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
    params: SearchParams,
) -> ApiResult {
    let request = request_for(&pool, &credentials, params).await?;
    let body = index
        .answer(request, |results| {
            serde_json::to_vec(&answer(results))
                .map(Bytes::from)
                .map_err(|e| ApiError::Internal(format!("writing a search answer: {e}")))
        })
        .await?;
    Ok(json_bytes(body, StatusCode::OK))
}

/// `GET /api/v1/organisations/search`: organisations by words, facets and place.
#[utoipa::path(get, path = "/api/v1/organisations/search", tag = "directory", params(SearchParams),
    responses((status = 200, body = SearchAnswer), (status = 400, body = Problem), (status = 422, body = Problem),
              (status = 503, body = Problem)))]
pub async fn search(
    query: String,
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
) -> ApiResult {
    let params = shared::http::parse_query::<SearchParams>(&query)?;
    if params.within.is_some() {
        return Err(ApiError::invalid("within", "post an area to search within"));
    }
    reply(index, pool, credentials, params).await
}

/// `POST /api/v1/organisations/search`: the same search as a JSON body, which may carry a GeoJSON area.
#[utoipa::path(post, path = "/api/v1/organisations/search", tag = "directory", request_body = SearchParams,
    responses((status = 200, body = SearchAnswer), (status = 400, body = Problem), (status = 422, body = Problem),
              (status = 503, body = Problem)))]
pub async fn search_within(
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
    body: Bytes,
) -> ApiResult {
    let params = shared::http::parse_json::<SearchParams>(&body)?;
    reply(index, pool, credentials, params).await
}
