//! The framework assessments are made against: dimensions, each with a described 1–5 scale. Admins change it
//! by adding a whole new version; an assessment keeps the version it was made with.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::Credentials;
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_json, parse_query, raw_query};
use utoipa::{IntoParams, OpenApi, ToSchema};
use warp::http::StatusCode;
use warp::Filter;

use crate::input::{Checks, LONG_TEXT, SHORT_TEXT};
use crate::{one_of, with_pool, Route};

/// One dimension of capacity and what each level from 1 to 5 means for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dimension {
    pub key: String,
    pub name: String,
    pub description: String,
    /// Five descriptions, for levels 1 (not in place) to 5 (embedded and leading).
    pub levels: Vec<String>,
}

/// A version of the framework.
#[derive(Debug, Serialize, ToSchema)]
pub struct Framework {
    pub version: i32,
    pub note: String,
    pub dimensions: Vec<Dimension>,
}

impl Framework {
    pub fn dimension(&self, key: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.key == key)
    }
}

/// A new version of the framework: the whole list of dimensions, in order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFramework {
    #[serde(default)]
    pub note: String,
    pub dimensions: Vec<NewDimension>,
}

/// A dimension of a new framework version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDimension {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub levels: Vec<String>,
}

/// Which version to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A framework version; the newest when absent.
    pub version: Option<i32>,
}

#[derive(OpenApi)]
#[openapi(
    paths(get_framework, create_framework),
    components(schemas(Dimension, Framework, NewFramework, NewDimension))
)]
pub struct FrameworkApi;

pub fn routes(pool: Pool) -> Route {
    let path = || warp::path!("api" / "v1" / "capacity" / "framework");
    one_of(vec![
        path()
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool.clone()))
            .then(get_framework)
            .map(respond)
            .boxed(),
        path()
            .and(warp::post())
            .and(with_pool(pool))
            .and(shared::accounts::credentials())
            .and(body_bytes())
            .then(create_framework)
            .map(respond)
            .boxed(),
    ])
}

/// Reads a framework version (the newest when `version` is `None`); 404 if there is no such version.
pub async fn load(client: &impl GenericClient, version: Option<i32>) -> Result<Framework, ApiError> {
    let header = client
        .query_opt(
            "SELECT version, note FROM capacity.frameworks
             WHERE $1::integer IS NULL OR version = $1 ORDER BY version DESC LIMIT 1",
            &[&version],
        )
        .await?
        .ok_or_else(|| ApiError::NotFound("no framework has this version".into()))?;
    let version: i32 = header.get(0);
    let dimensions = client
        .query(
            "SELECT key, name, description, levels FROM capacity.dimensions
             WHERE framework_version = $1 ORDER BY position",
            &[&version],
        )
        .await?
        .iter()
        .map(|r| Dimension {
            key: r.get(0),
            name: r.get(1),
            description: r.get(2),
            levels: r.get(3),
        })
        .collect();
    Ok(Framework {
        version,
        note: header.get(1),
        dimensions,
    })
}

/// The name of every dimension key ever used, from the newest framework that has it.
pub async fn dimension_names(
    client: &impl GenericClient,
) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
    Ok(client
        .query(
            "SELECT DISTINCT ON (key) key, name FROM capacity.dimensions ORDER BY key, framework_version DESC",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// `GET /api/v1/capacity/framework`: the newest framework, or the version asked for (open to everyone).
#[utoipa::path(get, path = "/api/v1/capacity/framework", tag = "capacity", params(VersionQuery),
    responses((status = 200, body = Framework), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_framework(query: String, pool: Pool) -> ApiResult {
    let query: VersionQuery = parse_query(&query)?;
    let framework = load(&pool.get().await?, query.version).await?;
    Ok(json(&framework, StatusCode::OK))
}

/// `POST /api/v1/capacity/framework`: add a new version of the framework (staff).
#[utoipa::path(post, path = "/api/v1/capacity/framework", tag = "capacity", request_body = NewFramework,
    responses((status = 201, body = Framework), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_framework(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let viewer = crate::access::staff(&pool, &credentials).await?;
    let new: NewFramework = parse_json(&body)?;
    let mut checks = Checks::new();
    let note = checks.optional_text("note", &new.note, LONG_TEXT);
    checks.require(
        (1..=30).contains(&new.dimensions.len()),
        "dimensions",
        "a framework has 1 to 30 dimensions",
    );
    let mut dimensions = Vec::new();
    for (i, d) in new.dimensions.iter().enumerate() {
        let field = |name: &str| format!("dimensions[{i}].{name}");
        checks.key(&field("key"), &d.key);
        checks.require(
            !new.dimensions[..i].iter().any(|earlier| earlier.key == d.key),
            field("key"),
            "each dimension has its own key",
        );
        let name = checks.text(&field("name"), &d.name, SHORT_TEXT);
        let description = checks.optional_text(&field("description"), &d.description, LONG_TEXT);
        checks.require(
            d.levels.len() == 5,
            field("levels"),
            "describe exactly five levels, from 1 (not in place) to 5 (embedded and leading)",
        );
        let levels = d
            .levels
            .iter()
            .map(|level| checks.text(&field("levels"), level, LONG_TEXT))
            .collect();
        dimensions.push(Dimension {
            key: d.key.clone(),
            name,
            description,
            levels,
        });
    }
    checks.finish()?;
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    // One writer at a time picks the next version number.
    transaction
        .execute("LOCK TABLE capacity.frameworks IN EXCLUSIVE MODE", &[])
        .await?;
    let version: i32 = transaction
        .query_one(
            "INSERT INTO capacity.frameworks (version, note, created_by)
             SELECT coalesce(max(version), 0) + 1, $1, $2 FROM capacity.frameworks RETURNING version",
            &[&note, &viewer.id],
        )
        .await?
        .get(0);
    for (position, d) in dimensions.iter().enumerate() {
        transaction
            .execute(
                "INSERT INTO capacity.dimensions (framework_version, key, position, name, description, levels)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&version, &d.key, &(position as i32 + 1), &d.name, &d.description, &d.levels],
            )
            .await?;
    }
    transaction.commit().await?;
    Ok(json(
        &Framework {
            version,
            note,
            dimensions,
        },
        StatusCode::CREATED,
    ))
}
