//! Errors as `application/problem+json` (RFC 7807): one enum for every service, and the final `recover` that
//! turns warp's own rejections into the same body, so no request ever gets a bare 500 or an HTML page.

use std::convert::Infallible;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Reply;

/// One field that failed validation, with a message a person can act on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `locations[0].latitude`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The RFC 7807 body every error answer carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-by-field validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For 412: the current version of the resource, so the client can merge.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in first: this needs a session cookie or a bearer token")]
    Unauthorized,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("send If-Match with the ETag you last read, so no one's changes are overwritten")]
    PreconditionRequired,
    #[error("someone else saved a newer version; the current one is in `current`")]
    PreconditionFailed {
        current: serde_json::Value,
        etag: String,
    },
    #[error("some fields are not valid")]
    Validation(Vec<FieldError>),
    #[error("too many attempts; try again in a few minutes")]
    TooManyRequests,
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    /// A part of the service that is still starting (the first build of the search index), with what it is.
    #[error("{0}")]
    Starting(&'static str),
    #[error("internal error")]
    Internal(String),
}

impl warp::reject::Reject for ApiError {}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::Starting(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A single-field validation failure.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let mut problem = problem(status, Some(self.to_string()));
        let mut etag = None;
        match self {
            ApiError::Validation(errors) => problem.errors = errors,
            ApiError::PreconditionFailed { current, etag: tag } => {
                problem.current = Some(current);
                etag = Some(tag);
            }
            _ => {}
        }
        let mut response = problem_response(&problem);
        if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
            response.headers_mut().insert(header::ETAG, tag);
        }
        response
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(error: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        match error.code() {
            Some(code) if *code == SqlState::UNIQUE_VIOLATION => {
                let what = error
                    .as_db_error()
                    .and_then(|db| db.constraint())
                    .unwrap_or("a unique value");
                ApiError::Conflict(format!("this would duplicate {what}"))
            }
            Some(code) if *code == SqlState::FOREIGN_KEY_VIOLATION => {
                ApiError::Conflict("this refers to something that does not exist".into())
            }
            Some(code) if *code == SqlState::QUERY_CANCELED => ApiError::Unavailable,
            // PostgreSQL text cannot hold U+0000; a body that sends it is refused, not a server error.
            Some(code)
                if *code == SqlState::CHARACTER_NOT_IN_REPERTOIRE
                    || *code == SqlState::UNTRANSLATABLE_CHARACTER =>
            {
                ApiError::BadRequest("text may not contain the NUL character (\\u0000)".into())
            }
            None if error.is_closed() || error.to_string().contains("connect") => ApiError::Unavailable,
            _ => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        tracing::warn!(%error, "no database connection");
        ApiError::Unavailable
    }
}

/// The type of every handler's answer: a reply or a problem.
pub type ApiResult = Result<Response, ApiError>;

/// Turns a handler's result into the response, errors included (use with `.then(handler).map(respond)`).
pub fn respond(result: ApiResult) -> Response {
    result.unwrap_or_else(ApiError::into_response)
}

fn problem(status: StatusCode, detail: Option<String>) -> Problem {
    Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
        current: None,
    }
}

fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = warp::reply::with_status(warp::reply::json(problem), status).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// The last `recover` of every route tree: warp's own rejections become problem+json too.
pub async fn recover(rejection: warp::Rejection) -> Result<Response, Infallible> {
    use warp::reject::{
        InvalidHeader, InvalidQuery, LengthRequired, MethodNotAllowed, MissingHeader, PayloadTooLarge,
        UnsupportedMediaType,
    };
    if let Some(error) = rejection.find::<ApiError>() {
        let error = match error {
            ApiError::BadRequest(m) => ApiError::BadRequest(m.clone()),
            other => ApiError::BadRequest(other.to_string()),
        };
        return Ok(error.into_response());
    }
    let (status, detail) = if rejection.find::<PayloadTooLarge>().is_some() {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than {} bytes",
                crate::http::BODY_LIMIT_BYTES
            ),
        )
    } else if rejection.find::<LengthRequired>().is_some() {
        (
            StatusCode::LENGTH_REQUIRED,
            "send a Content-Length header with the body".to_string(),
        )
    } else if rejection.find::<UnsupportedMediaType>().is_some() {
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as application/json".to_string(),
        )
    } else if let Some(e) = rejection.find::<InvalidHeader>() {
        (
            StatusCode::BAD_REQUEST,
            format!("header {} is not valid", e.name()),
        )
    } else if let Some(e) = rejection.find::<MissingHeader>() {
        (StatusCode::BAD_REQUEST, format!("header {} is missing", e.name()))
    } else if rejection.find::<InvalidQuery>().is_some() {
        (
            StatusCode::BAD_REQUEST,
            "the query string is not valid".to_string(),
        )
    } else if rejection.find::<MethodNotAllowed>().is_some() {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "this method is not allowed here".to_string(),
        )
    } else if rejection.is_not_found() {
        (StatusCode::NOT_FOUND, "no such route".to_string())
    } else {
        tracing::warn!(?rejection, "unhandled rejection");
        (
            StatusCode::BAD_REQUEST,
            "the request could not be understood".to_string(),
        )
    };
    Ok(problem_response(&problem(status, Some(detail))))
}
