//! Request helpers every service uses: bounded JSON bodies, query strings and ids parsed into clear 4xx
//! answers, JSON replies with status and ETag.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::error::ApiError;

/// The largest request body any endpoint accepts.
pub const BODY_LIMIT_BYTES: u64 = 64 * 1024;

/// For a field the server fills (an id, a key from the path, counts): whatever a request body holds for
/// it is ignored, and it keeps its default until the server sets it. Use it as
/// `#[serde(default, deserialize_with = "shared::http::ignore_input")]` with `#[schema(read_only)]`: unlike
/// `skip_deserializing`, which utoipa reads as "not in the schema", the field stays documented, so the
/// answers that carry it match their schema.
pub fn ignore_input<'de, D: Deserializer<'de>, T: Default>(deserializer: D) -> Result<T, D::Error> {
    IgnoredAny::deserialize(deserializer)?;
    Ok(T::default())
}

/// The raw body, bounded: a larger body is refused with 413 before it is read.
pub fn body_bytes() -> impl Filter<Extract = (bytes::Bytes,), Error = Rejection> + Clone {
    warp::body::content_length_limit(BODY_LIMIT_BYTES).and(warp::body::bytes())
}

/// Parses a JSON body into `T`; types deny unknown fields, so a typo is a 400, never silently ignored.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("the JSON body is not valid: {e}")))
}

/// The raw query string ("" when there is none).
pub fn raw_query() -> impl Filter<Extract = (String,), Error = std::convert::Infallible> + Clone {
    warp::query::raw().or(warp::any().map(String::new)).unify()
}

/// Parses a query string into `T` with a message that names the parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str(query)
        .map_err(|e| ApiError::BadRequest(format!("the query string is not valid: {e}")))
}

/// Parses an id from the path: a malformed id is a 400, not a 404.
pub fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::BadRequest(format!("`{raw}` is not a valid id")))
}

/// A JSON reply with a status.
pub fn json<T: Serialize>(value: &T, status: StatusCode) -> Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// A reply of JSON already written out, with a status.
pub fn json_bytes(body: bytes::Bytes, status: StatusCode) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A JSON reply that carries an ETag.
pub fn json_with_etag<T: Serialize>(value: &T, status: StatusCode, etag: &str) -> Response {
    let mut response = json(value, status);
    if let Ok(tag) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

/// An empty 204 reply.
pub fn no_content() -> Response {
    warp::reply::with_status(warp::reply(), StatusCode::NO_CONTENT).into_response()
}

/// The strong ETag of a resource at a version.
pub fn etag_for(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names: 428 when missing, 412-worthy `None` when it names no version.
pub fn version_from_if_match(if_match: Option<&str>) -> Result<Option<i64>, ApiError> {
    let raw = if_match.ok_or(ApiError::PreconditionRequired)?.trim();
    Ok(raw.trim_start_matches("W/").trim_matches('"').parse::<i64>().ok())
}
