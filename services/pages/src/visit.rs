//! One visit to a page: who is looking (from the session cookie), in which language, and the CSRF token
//! their forms carry; plus the errors a page can end in, each answered as a page of its own.

use std::future::Future;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};
use shared::accounts::{credentials, session_cookie, Credentials, Viewer, SESSION_COOKIE};
use shared::ApiError;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use crate::layout::{self, redirect, WithStatus};
use crate::messages::{Language, LANGUAGE_COOKIE};

/// The cookie that binds an anonymous visitor's forms (the sign-in form) until they have a session.
const FORM_COOKIE: &str = "cg_form";

/// Everything a page needs to know about the request it answers.
#[derive(Clone)]
pub struct Visit {
    pub language: Language,
    pub viewer: Option<Viewer>,
    pub credentials: Credentials,
    /// The session cookie's secret, when signed in (sign-out ends that session).
    pub session: Option<String>,
    /// The path and query of this page, to come back to after signing in.
    pub here: String,
    /// The secret the CSRF token is derived from: the session's, or the anonymous form cookie's.
    form_binding: String,
    /// Cookies to set with the answer.
    pub set_cookies: Vec<String>,
    /// The map tile URL template (`COMMONGROUND_MAP_TILES`), if any.
    pub map_tiles: Option<Arc<str>>,
}

/// Extracts the visit: the session's viewer (an expired session counts as signed out, and its cookie is
/// cleared), the language and the CSRF binding.
pub fn visit(
    pool: Pool,
    map_tiles: Option<Arc<str>>,
) -> impl Filter<Extract = (Visit,), Error = warp::Rejection> + Clone {
    let pool = warp::any().map(move || pool.clone());
    let map_tiles = warp::any().map(move || map_tiles.clone());
    pool.and(map_tiles)
        .and(credentials())
        .and(warp::cookie::optional::<String>(SESSION_COOKIE))
        .and(warp::cookie::optional::<String>(FORM_COOKIE))
        .and(warp::cookie::optional::<String>(LANGUAGE_COOKIE))
        .and(warp::header::optional::<String>("accept-language"))
        .and(warp::path::full())
        .and(shared::http::raw_query())
        .then(
            |pool: Pool,
             map_tiles: Option<Arc<str>>,
             credentials: Credentials,
             session: Option<String>,
             form_cookie: Option<String>,
             language_cookie: Option<String>,
             accept_language: Option<String>,
             path: warp::path::FullPath,
             query: String| async move {
                let mut set_cookies = Vec::new();
                let asked: Option<String> = serde_urlencoded::from_str::<Vec<(String, String)>>(&query)
                    .ok()
                    .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "lang").map(|(_, v)| v));
                let language = Language::choose(
                    asked.as_deref(),
                    language_cookie.as_deref(),
                    accept_language.as_deref(),
                );
                if asked.as_deref().and_then(Language::from_code).is_some() {
                    set_cookies.push(format!(
                        "{LANGUAGE_COOKIE}={}; Path=/; Secure; SameSite=Lax; Max-Age=31536000",
                        language.code()
                    ));
                }
                let (viewer, session) = match shared::accounts::viewer(&pool, &credentials).await {
                    Ok(viewer) => (viewer, session),
                    Err(error) => {
                        if matches!(error, ApiError::Unauthorized) {
                            set_cookies.push(session_cookie(None));
                        }
                        (None, None)
                    }
                };
                let form_binding = match (&viewer, &session, form_cookie) {
                    (Some(_), Some(secret), _) => secret.clone(),
                    (_, _, Some(cookie)) if cookie.len() >= 32 => cookie,
                    _ => {
                        let fresh = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
                        set_cookies.push(format!(
                            "{FORM_COOKIE}={fresh}; Path=/; HttpOnly; Secure; SameSite=Strict"
                        ));
                        fresh
                    }
                };
                let here = match query.as_str() {
                    "" => path.as_str().to_string(),
                    query => format!("{}?{query}", path.as_str()),
                };
                Visit {
                    language,
                    viewer,
                    credentials,
                    session,
                    here,
                    form_binding,
                    set_cookies,
                    map_tiles: map_tiles.clone(),
                }
            },
        )
}

impl Visit {
    /// The token every form of this visit carries; bound to the session (or, before signing in, to the
    /// anonymous form cookie), so another site cannot forge it.
    pub fn csrf_token(&self) -> String {
        let digest = Sha256::digest(format!("commonground-csrf\0{}", self.form_binding));
        URL_SAFE_NO_PAD.encode(digest)
    }

    /// The message `key` in the visit's language.
    pub fn text(&self, key: &str) -> &'static str {
        self.language.text(key)
    }

    /// The message `key` with its placeholders filled in.
    pub fn format(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.language.format(key, values)
    }

    /// The signed-in viewer, or the sign-in page.
    pub fn signed_in(&self) -> Result<&Viewer, PageError> {
        self.viewer.as_ref().ok_or(PageError::SignInNeeded)
    }
}

/// How a page can fail; each is answered with a page in the visitor's language.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in: go to the sign-in page and come back.
    SignInNeeded,
    /// A form without the visit's CSRF token.
    Csrf,
    NotFound,
    Forbidden,
    BadRequest(String),
    Unavailable,
    Internal(String),
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unauthorized => PageError::SignInNeeded,
            ApiError::Forbidden => PageError::Forbidden,
            ApiError::NotFound(_) => PageError::NotFound,
            ApiError::BadRequest(message) => PageError::BadRequest(message),
            ApiError::Unavailable | ApiError::Starting(_) => PageError::Unavailable,
            other => PageError::Internal(other.to_string()),
        }
    }
}

/// A page's result.
pub type PageResult = Result<Response, PageError>;

/// Answers a page, turning its error into an error page for `visit`.
pub async fn answer(visit: Visit, page: impl Future<Output = PageResult>) -> Response {
    let error = match page.await {
        Ok(response) => return response,
        Err(error) => error,
    };
    let (status, title, body) = match &error {
        PageError::SignInNeeded => {
            let target = format!(
                "/sign-in?{}",
                serde_urlencoded::to_string([("next", visit.here.as_str())]).unwrap_or_default()
            );
            return redirect(&visit, &target);
        }
        PageError::Csrf => (StatusCode::FORBIDDEN, "error.csrf.title", Some("error.csrf.body")),
        PageError::NotFound => (
            StatusCode::NOT_FOUND,
            "error.not_found.title",
            Some("error.not_found.body"),
        ),
        PageError::Forbidden => (
            StatusCode::FORBIDDEN,
            "error.forbidden.title",
            Some("error.forbidden.body"),
        ),
        PageError::BadRequest(_) => (StatusCode::BAD_REQUEST, "error.bad_request.title", None),
        PageError::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "error.unavailable.title",
            Some("error.unavailable.body"),
        ),
        PageError::Internal(cause) => {
            tracing::error!(%cause, "a page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "error.internal.title",
                Some("error.internal.body"),
            )
        }
    };
    let detail = match &error {
        PageError::BadRequest(message) => Some(message.clone()),
        _ => None,
    };
    let content = maud::html! {
        @if let Some(key) = body { p { (visit.text(key)) } }
        @if let Some(detail) = detail { p { (detail) } }
        p { a href="/" { (visit.text("error.back_home")) } }
    };
    layout::page(&visit, visit.text(title), layout::Scripts::Plain, content).with_status(status)
}
