//! Whether the search index is in step with PostgreSQL: every outbox change applied, the same
//! organisations, each exactly as PostgreSQL holds it. For operators, and for the fault-injection script
//! that kills the server mid-write and checks that nothing was lost or half-applied.

use std::collections::BTreeMap;
use std::sync::Arc;

use deadpool_postgres::Pool;
use serde::Serialize;
use shared::accounts::{signed_in, Credentials, Role};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::json;
use utoipa::ToSchema;
use warp::http::StatusCode;

use crate::indexer::{document, SearchIndex};
use crate::store;

/// How the search index compares with PostgreSQL at one moment.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndexCheck {
    /// The index generation searches use.
    pub generation: String,
    /// The last outbox position the index applied.
    pub applied_position: i64,
    /// The last outbox position in PostgreSQL.
    pub outbox_position: i64,
    /// Organisations in the index, and live (not deleted) in PostgreSQL.
    pub indexed: usize,
    pub live: usize,
    /// Ids in PostgreSQL but not in the index, in the index but not in PostgreSQL, and in both but with
    /// different content.
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    pub differing: Vec<String>,
    /// For the first organisation that differs: each field that differs, as `path: PostgreSQL | index`.
    pub first_difference: Vec<String>,
    /// True when every change is applied and nothing is missing, extra or different.
    pub in_step: bool,
}

/// `GET /api/v1/search-index`: compares the search index with PostgreSQL (network staff).
#[utoipa::path(get, path = "/api/v1/search-index", tag = "directory",
    responses((status = 200, body = IndexCheck), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 503, body = Problem)))]
pub async fn check(index: Arc<SearchIndex>, pool: Pool, credentials: Credentials) -> ApiResult {
    signed_in(&pool, &credentials)
        .await?
        .require_role(&[Role::Admin])?;
    if !index.is_ready() {
        return Err(ApiError::Starting(crate::indexer::INDEX_STARTING));
    }
    let client = pool.get().await?;
    let outbox_position: i64 = client
        .query_one("SELECT coalesce(max(position), 0) FROM directory.outbox", &[])
        .await?
        .get(0);
    let mut in_postgres = BTreeMap::new();
    let mut after = None;
    loop {
        let page = store::list(&client, after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        in_postgres.extend(page.iter().map(|o| (o.id.to_string(), document(o))));
    }
    drop(client);
    let (generation, current) = index.current();
    let (applied_position, stored) = tokio::task::spawn_blocking(move || current.snapshot())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("search index: {e}")))?;
    let applied_position = applied_position.unwrap_or(0);
    let in_index: BTreeMap<String, search_index::Organisation> =
        stored.into_iter().map(|o| (o.id.clone(), o)).collect();
    let missing: Vec<String> = in_postgres
        .keys()
        .filter(|id| !in_index.contains_key(*id))
        .cloned()
        .collect();
    let extra: Vec<String> = in_index
        .keys()
        .filter(|id| !in_postgres.contains_key(*id))
        .cloned()
        .collect();
    let differing: Vec<String> = in_postgres
        .iter()
        .filter(|(id, organisation)| in_index.get(*id).is_some_and(|stored| stored != *organisation))
        .map(|(id, _)| id.clone())
        .collect();
    let first_difference = differing
        .first()
        .map(|id| {
            let mut found = Vec::new();
            let value = |o| serde_json::to_value(o).unwrap_or_default();
            differences("", &value(&in_postgres[id]), &value(&in_index[id]), &mut found);
            found
        })
        .unwrap_or_default();
    let in_step =
        applied_position >= outbox_position && missing.is_empty() && extra.is_empty() && differing.is_empty();
    Ok(json(
        &IndexCheck {
            generation,
            applied_position,
            outbox_position,
            indexed: in_index.len(),
            live: in_postgres.len(),
            missing,
            extra,
            differing,
            first_difference,
            in_step,
        },
        StatusCode::OK,
    ))
}

/// Appends the paths where `postgres` and `index` differ, with both values.
fn differences(path: &str, postgres: &serde_json::Value, index: &serde_json::Value, found: &mut Vec<String>) {
    use serde_json::Value;
    match (postgres, index) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}.{key}"), x, y, found);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{i}]"), x, y, found);
            }
        }
        (a, b) if a != b => found.push(format!("{path}: {a} | {b}")),
        _ => {}
    }
}
