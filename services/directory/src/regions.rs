//! Named regions (a GeoJSON Polygon or MultiPolygon) that searches can be limited to, such as "West
//! Midlands" or a constituency. Network staff store them; anyone may list and use them.

use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, Credentials};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{json, parse_json};
use utoipa::ToSchema;
use uuid::Uuid;
use warp::http::StatusCode;

/// A stored region.
#[derive(Debug, Serialize, ToSchema)]
pub struct Region {
    pub id: Uuid,
    pub name: String,
    /// GeoJSON Polygon or MultiPolygon (WGS 84).
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
}

/// A region to store.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegion {
    pub name: String,
    /// GeoJSON Polygon or MultiPolygon, bare or as a Feature.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
}

/// The stored GeoJSON of a region.
pub async fn geometry(pool: &Pool, id: Uuid) -> Result<Option<serde_json::Value>, ApiError> {
    Ok(pool
        .get()
        .await?
        .query_opt("SELECT geometry FROM directory.regions WHERE id = $1", &[&id])
        .await?
        .map(|row| row.get(0)))
}

/// `POST /api/v1/regions`: store a named region (network staff).
#[utoipa::path(post, path = "/api/v1/regions", tag = "directory", request_body = NewRegion,
    responses((status = 201, body = Region), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    if !signed_in(&pool, &credentials).await?.is_admin() {
        return Err(ApiError::Forbidden);
    }
    let new: NewRegion = parse_json(&body)?;
    let name = new.name.trim().to_string();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(shared::FieldError::new(
            "name",
            "enter a name of 1 to 200 characters",
        ));
    }
    if let Err(error) = crate::geometry::area_from_geojson("geometry", &new.geometry) {
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let region = Region {
        id: Uuid::now_v7(),
        name,
        geometry: new.geometry,
    };
    pool.get()
        .await?
        .execute(
            "INSERT INTO directory.regions (id, name, geometry) VALUES ($1, $2, $3)",
            &[&region.id, &region.name, &region.geometry],
        )
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict(format!("a region called {} exists", region.name)),
            other => other,
        })?;
    Ok(json(&region, StatusCode::CREATED))
}

/// `GET /api/v1/regions`: every stored region, by name.
#[utoipa::path(get, path = "/api/v1/regions", tag = "directory", responses((status = 200, body = Vec<Region>)))]
pub async fn list(pool: Pool) -> ApiResult {
    let rows = pool
        .get()
        .await?
        .query(
            "SELECT id, name, geometry FROM directory.regions ORDER BY lower(name)",
            &[],
        )
        .await?;
    let regions: Vec<Region> = rows
        .iter()
        .map(|row| Region {
            id: row.get(0),
            name: row.get(1),
            geometry: row.get(2),
        })
        .collect();
    Ok(json(&regions, StatusCode::OK))
}
