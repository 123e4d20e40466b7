//! What operators and tools need: `/healthz`, `/readyz` (database reachable), Prometheus `/metrics`, and the
//! OpenAPI 3.1 document at `/api/v1/openapi.json`.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use serde::Serialize;
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::{OpenApi, ToSchema};
use warp::filters::BoxedFilter;
use warp::http::{header, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::error::{respond, ApiError, ApiResult};
use crate::http::json;
use crate::telemetry::Metrics;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The whole OpenAPI document: the account and operations routes plus each service's own `parts`.
pub fn document(parts: impl IntoIterator<Item = OpenApiDocument>) -> OpenApiDocument {
    let mut document = OperationsApi::openapi();
    document.merge(crate::accounts::AccountsApi::openapi());
    for part in parts {
        refuse_two_schemas_of_one_name(&document, &part);
        document.merge(part);
    }
    document.info.title = "Common Ground".into();
    document.info.version = env!("CARGO_PKG_VERSION").into();
    document.info.description = Some(
        "A directory of grassroots migrant and refugee organisations, summit scheduling and capacity building. \
         Errors are application/problem+json (RFC 7807)."
            .into(),
    );
    problems_as_problem_json(document)
}

/// Merging keeps the first of two schemas with one name, so a service's `Person` would silently describe
/// another's: two different schemas must not share a name (`#[schema(as = …)]` renames one).
fn refuse_two_schemas_of_one_name(document: &OpenApiDocument, part: &OpenApiDocument) {
    let (Some(ours), Some(theirs)) = (&document.components, &part.components) else {
        return;
    };
    for (name, schema) in &theirs.schemas {
        if let Some(existing) = ours.schemas.get(name) {
            assert!(
                serde_json::to_value(existing).ok() == serde_json::to_value(schema).ok(),
                "two different OpenAPI schemas are named {name}: rename one with #[schema(as = …)]"
            );
        }
    }
}

/// Responses whose body is a `Problem` are served as `application/problem+json`; utoipa writes every body
/// as `application/json`, so the document is corrected here, once, for every service.
fn problems_as_problem_json(mut document: OpenApiDocument) -> OpenApiDocument {
    use utoipa::openapi::RefOr;
    let is_problem = |content: &utoipa::openapi::Content| matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location == "#/components/schemas/Problem");
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for response in operation.responses.responses.values_mut() {
                let RefOr::T(response) = response else { continue };
                if response.content.get("application/json").is_some_and(is_problem) {
                    let body = response
                        .content
                        .shift_remove("application/json")
                        .expect("just seen");
                    response.content.insert("application/problem+json".into(), body);
                }
            }
        }
    }
    document
}

/// The operations routes.
pub fn routes(pool: Pool, metrics: Arc<Metrics>, openapi: OpenApiDocument) -> BoxedFilter<(Response,)> {
    let openapi = Arc::new(openapi);
    let healthz = warp::path!("healthz").and(warp::get()).then(handlers::healthz);
    let readyz = warp::path!("readyz")
        .and(warp::get())
        .and(warp::any().map(move || pool.clone()))
        .then(handlers::readyz);
    let metrics = warp::path!("metrics")
        .and(warp::get())
        .map(move || handlers::metrics(&metrics));
    let openapi = warp::path!("api" / "v1" / "openapi.json")
        .and(warp::get())
        .map(move || handlers::openapi(&openapi));
    healthz
        .or(readyz)
        .unify()
        .map(respond)
        .or(metrics)
        .unify()
        .or(openapi)
        .unify()
        .boxed()
}

#[derive(OpenApi)]
#[openapi(
    paths(handlers::healthz, handlers::readyz, handlers::metrics, handlers::openapi),
    components(schemas(Health))
)]
struct OperationsApi;

mod handlers {
    use super::*;

    /// `GET /healthz`: the process is up.
    #[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
    pub async fn healthz() -> ApiResult {
        Ok(json(&Health { status: "ok" }, StatusCode::OK))
    }

    /// `GET /metrics`: Prometheus metrics of the requests this process answered.
    #[utoipa::path(get, path = "/metrics", tag = "operations",
        responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text")))]
    pub fn metrics(metrics: &Metrics) -> Response {
        warp::reply::with_header(
            metrics.render(),
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )
        .into_response()
    }

    /// `GET /api/v1/openapi.json`: this document.
    #[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
        responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
    pub fn openapi(document: &OpenApiDocument) -> Response {
        warp::reply::json(document).into_response()
    }

    /// `GET /readyz`: the database answers within a second.
    #[utoipa::path(get, path = "/readyz", tag = "operations",
        responses((status = 200, body = Health), (status = 503, body = crate::error::Problem)))]
    pub async fn readyz(pool: Pool) -> ApiResult {
        let check = async {
            let client = pool.get().await?;
            client.simple_query("SELECT 1").await?;
            Ok::<_, ApiError>(())
        };
        match tokio::time::timeout(Duration::from_secs(1), check).await {
            Ok(Ok(())) => Ok(json(&Health { status: "ready" }, StatusCode::OK)),
            _ => Err(ApiError::Unavailable),
        }
    }
}
