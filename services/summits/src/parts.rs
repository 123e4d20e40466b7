//! The parts of a summit's plan that planners edit one at a time — rooms, slots, sessions, people and
//! pins — each a collection under `/api/v1/summits/{id}/<collection>/{key}` with the same three
//! endpoints: list, put (create or replace) and delete. A change is kept only if the whole plan it leaves
//! is one the solver accepts; see [`crate::plan::PlanChange`].

use deadpool_postgres::Pool;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::accounts::{credentials, signed_in, Credentials};
use shared::error::{respond, ApiError, ApiResult};
use shared::http::{body_bytes, json, json_with_etag, no_content, parse_id, parse_json};
use shared::FieldError;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use crate::plan::{require_planner, summit_exists, PlanChange};

/// The longest key a planner may give a part.
const MAX_KEY_CHARS: usize = 64;

/// One kind of part of a plan, stored in its own table keyed by `(summit_id, KEY_COLUMN)`.
pub trait PlanPart: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The URL segment and the table in schema `summits`.
    const COLLECTION: &'static str;
    /// The column holding the part's key.
    const KEY_COLUMN: &'static str = "key";
    /// Whether anyone may list this part (sessions, rooms, slots) or only planners (people, pins).
    const PUBLIC: bool;
    /// `SELECT` of every row of summit `$1`, in the plan's order, in the column order `from_row` reads.
    const SELECT: &'static str;
    /// Inserts or replaces the part: `$1` summit, `$2` key, then [`PlanPart::values`] in order.
    const UPSERT: &'static str;
    /// Statements that drop references to a deleted part elsewhere (`$1` summit, `$2` key), so that
    /// deleting a session takes it out of wishes and pins instead of refusing.
    const ON_DELETE: &'static [&'static str] = &[];

    fn from_row(row: &Row) -> Self;
    fn set_key(&mut self, key: String);
    /// Field-by-field problems with the part on its own (the whole plan is checked after).
    fn problems(&self) -> Vec<FieldError>;
    fn values(&self) -> Vec<Box<dyn ToSql + Sync + Send + '_>>;
}

/// Every part of kind `P` of a summit.
pub async fn load<P: PlanPart>(
    client: &impl deadpool_postgres::GenericClient,
    summit: uuid::Uuid,
) -> Result<Vec<P>, ApiError> {
    Ok(client
        .query(P::SELECT, &[&summit])
        .await?
        .iter()
        .map(P::from_row)
        .collect())
}

/// Stores a part under `key` (create or replace) within a change.
pub async fn store<P: PlanPart>(change: &PlanChange<'_>, key: &str, part: &P) -> Result<(), ApiError> {
    let values = part.values();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&change.summit, &key];
    params.extend(values.iter().map(|v| &**v as &(dyn ToSql + Sync)));
    change.transaction.execute(P::UPSERT, &params).await?;
    Ok(())
}

/// A key from the path: 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn parse_key(raw: &str) -> Result<String, ApiError> {
    let ok = !raw.is_empty()
        && raw.chars().count() <= MAX_KEY_CHARS
        && raw.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(ApiError::BadRequest(format!(
            "`{raw}` is not a valid key: use 1 to {MAX_KEY_CHARS} letters, digits, '-', '_' or '.'"
        )))
    }
}

/// The list, put and delete routes of part `P`.
pub fn routes<P: PlanPart>(pool: Pool) -> BoxedFilter<(Response,)> {
    let pool = warp::any().map(move || pool.clone());
    let collection = || {
        warp::path("api")
            .and(warp::path("v1"))
            .and(warp::path("summits"))
            .and(warp::path::param::<String>())
            .and(warp::path(P::COLLECTION))
    };
    let item = || {
        collection()
            .and(warp::path::param::<String>())
            .and(warp::path::end())
    };
    let list = collection()
        .and(warp::path::end())
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(list::<P>)
        .map(respond)
        .boxed();
    let put = item()
        .and(warp::put())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(put::<P>)
        .map(respond)
        .boxed();
    let delete = item()
        .and(warp::delete())
        .and(pool)
        .and(credentials())
        .then(delete::<P>)
        .map(respond)
        .boxed();
    list.or(put).unify().or(delete).unify().boxed()
}

async fn list<P: PlanPart>(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    if !P::PUBLIC {
        require_planner(&signed_in(&pool, &credentials).await?)?;
    }
    let client = pool.get().await?;
    summit_exists(&client, id).await?;
    Ok(json(&load::<P>(&client, id).await?, StatusCode::OK))
}

/// Creates or replaces part `key` of a summit (planners), if the plan it leaves is one the solver accepts.
pub async fn put<P: PlanPart>(
    id: String,
    key: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let id = parse_id(&id)?;
    let key = parse_key(&key)?;
    require_planner(&signed_in(&pool, &credentials).await?)?;
    let mut part: P = parse_json(&body)?;
    part.set_key(key.clone());
    let problems = part.problems();
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let mut client = pool.get().await?;
    let change = PlanChange::begin(&mut client, id).await?;
    store(&change, &key, &part).await?;
    let version = change.commit().await?;
    Ok(json_with_etag(
        &part,
        StatusCode::OK,
        &shared::http::etag_for(version),
    ))
}

/// Deletes part `key` of a summit (planners), dropping references to it elsewhere in the plan.
pub async fn delete<P: PlanPart>(id: String, key: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let key = parse_key(&key)?;
    require_planner(&signed_in(&pool, &credentials).await?)?;
    let mut client = pool.get().await?;
    let change = PlanChange::begin(&mut client, id).await?;
    let deleted = change
        .transaction
        .execute(
            &format!(
                "DELETE FROM summits.{} WHERE summit_id = $1 AND {} = $2",
                P::COLLECTION,
                P::KEY_COLUMN
            ),
            &[&id, &key],
        )
        .await?;
    if deleted == 0 {
        return Err(ApiError::NotFound(format!(
            "no {} `{key}` in summit {id}",
            P::COLLECTION
        )));
    }
    for statement in P::ON_DELETE {
        change.transaction.execute(*statement, &[&id, &key]).await?;
    }
    change.commit().await?;
    Ok(no_content())
}

/// Problems with a list of labels (features, needs, languages, themes, keys): each 1 to 64 characters, at
/// most 32 of them.
pub fn label_problems(field: &str, labels: &[String], problems: &mut Vec<FieldError>) {
    if labels.len() > 32 {
        problems.push(FieldError::new(field, "at most 32 entries"));
    }
    if labels
        .iter()
        .any(|label| label.trim().is_empty() || label.chars().count() > MAX_KEY_CHARS)
    {
        problems.push(FieldError::new(
            field,
            format!("each entry has 1 to {MAX_KEY_CHARS} characters"),
        ));
    }
}

/// Adds part `P`'s list, put and delete endpoints and its schema to the service's OpenAPI document.
pub fn document<P: PlanPart + utoipa::ToSchema>(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::schema::{Array, Object, Type};
    use utoipa::openapi::{Content, Ref, Required, ResponseBuilder};

    let name = P::name();
    let part = || Ref::from_schema_name(name.clone());
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build()
    };
    let path_parameter = |name: &str, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(Object::with_type(Type::String)))
            .build()
    };
    let operation = |verb: &str, summary: String| {
        OperationBuilder::new()
            .tag("summits")
            .operation_id(Some(format!("{verb}_{}", P::COLLECTION)))
            .summary(Some(summary))
            .parameter(path_parameter("id", "summit id"))
    };
    let who = if P::PUBLIC { "anyone" } else { "planners" };
    let list = operation("list", format!("The summit's {} ({who}).", P::COLLECTION))
        .response(
            "200",
            ResponseBuilder::new()
                .description(format!("the {}", P::COLLECTION))
                .content("application/json", Content::new(Some(Array::new(part())))),
        )
        .response("401", problem("not signed in"))
        .response("403", problem("not a planner"))
        .response("404", problem("no such summit"));
    let key = format!("{{{}}}", P::KEY_COLUMN);
    let put = operation(
        "put",
        format!(
            "Create or replace one of the summit's {} (planners).",
            P::COLLECTION
        ),
    )
    .parameter(path_parameter(P::KEY_COLUMN, "the planner's key"))
    .request_body(Some(
        RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content("application/json", Content::new(Some(part())))
            .build(),
    ))
    .response(
        "200",
        ResponseBuilder::new()
            .description("saved; the ETag is the plan's new version")
            .content("application/json", Content::new(Some(part()))),
    )
    .response("400", problem("malformed body or key"))
    .response("401", problem("not signed in"))
    .response("403", problem("not a planner"))
    .response("404", problem("no such summit"))
    .response(
        "422",
        problem("the part, or the plan it would leave, is not valid"),
    );
    let delete = operation(
        "delete",
        format!("Delete one of the summit's {} (planners).", P::COLLECTION),
    )
    .parameter(path_parameter(P::KEY_COLUMN, "the planner's key"))
    .response("204", ResponseBuilder::new().description("deleted"))
    .response("401", problem("not signed in"))
    .response("403", problem("not a planner"))
    .response("404", problem("no such summit or part"));
    let collection = format!("/api/v1/summits/{{id}}/{}", P::COLLECTION);
    let paths = &mut openapi.paths;
    paths.add_path_operation(&collection, vec![HttpMethod::Get], list);
    paths.add_path_operation(format!("{collection}/{key}"), vec![HttpMethod::Put], put);
    paths.add_path_operation(format!("{collection}/{key}"), vec![HttpMethod::Delete], delete);
    let mut schemas = vec![(name.to_string(), P::schema())];
    P::schemas(&mut schemas);
    openapi
        .components
        .get_or_insert_with(Default::default)
        .schemas
        .extend(schemas);
}
