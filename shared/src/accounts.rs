//! Accounts and roles: email + password sign-in (argon2) giving an HttpOnly session cookie, personal API
//! tokens (bearer, stored hashed, listed and revoked by their owner), and the viewer every handler checks.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::filters::BoxedFilter;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use crate::error::{respond, ApiError, ApiResult, FieldError};
use crate::http::{body_bytes, json, no_content, parse_id, parse_json};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "cg_session";
/// How long a session lasts.
const SESSION_DAYS: i64 = 14;
/// Failed sign-ins for one email within `THROTTLE_MINUTES` before further attempts get 429.
const THROTTLE_FAILURES: i64 = 5;
const THROTTLE_MINUTES: i64 = 15;
/// The shortest password accepted.
const MIN_PASSWORD_CHARS: usize = 10;

/// A person's role across the network. Being an editor of an organisation is a relation the directory
/// keeps, not a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Network staff: may do everything.
    Admin,
    /// Builds summit agendas.
    Planner,
    /// Any signed-in person of the network.
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Member => "member",
        }
    }

    fn parse(raw: &str) -> Role {
        match raw {
            "admin" => Role::Admin,
            "planner" => Role::Planner,
            _ => Role::Member,
        }
    }
}

/// The signed-in person making a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Viewer {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Fails with 403 unless the viewer holds one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// What a request presented to prove who it is; resolving it needs the database, so handlers do that.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    session: Option<String>,
    bearer: Option<String>,
}

/// Extracts the session cookie and bearer token without touching the database.
pub fn credentials() -> impl Filter<Extract = (Credentials,), Error = std::convert::Infallible> + Clone {
    warp::cookie::optional::<String>(SESSION_COOKIE)
        .and(
            warp::header::optional::<String>("authorization")
                .or(warp::any().map(|| None))
                .unify(),
        )
        .map(
            |session: Option<String>, authorization: Option<String>| Credentials {
                session,
                bearer: authorization.and_then(|value| {
                    value
                        .strip_prefix("Bearer ")
                        .or_else(|| value.strip_prefix("bearer "))
                        .map(|token| token.trim().to_string())
                }),
            },
        )
}

/// The signed-in viewer, or `None` for an anonymous visitor. Presenting an invalid, expired or revoked
/// secret is a 401, not a silent downgrade to anonymous.
pub async fn viewer(pool: &Pool, credentials: &Credentials) -> Result<Option<Viewer>, ApiError> {
    if let Some(token) = &credentials.bearer {
        let client = pool.get().await?;
        let hash = hash_secret(token);
        let row = client
            .query_opt(
                "SELECT u.id, u.email, u.display_name, u.role,
                        t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute' AS stale
                 FROM accounts.api_tokens t JOIN accounts.users u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL
                   AND (t.expires_at IS NULL OR t.expires_at > now())",
                &[&hash],
            )
            .await?
            .ok_or(ApiError::Unauthorized)?;
        // "Last used" is kept to the minute: a write on every request would cost more than the request.
        if row.get::<_, bool>("stale") {
            client
                .execute(
                    "UPDATE accounts.api_tokens SET last_used_at = now() WHERE token_hash = $1",
                    &[&hash],
                )
                .await?;
        }
        return Ok(Some(viewer_from_row(&row)));
    }
    if let Some(session) = &credentials.session {
        let row = pool
            .get()
            .await?
            .query_opt(
                "SELECT u.id, u.email, u.display_name, u.role
                 FROM accounts.sessions s JOIN accounts.users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()",
                &[&hash_secret(session)],
            )
            .await?;
        return row
            .map(|r| Some(viewer_from_row(&r)))
            .ok_or(ApiError::Unauthorized);
    }
    Ok(None)
}

/// The signed-in viewer, or 401.
pub async fn signed_in(pool: &Pool, credentials: &Credentials) -> Result<Viewer, ApiError> {
    viewer(pool, credentials).await?.ok_or(ApiError::Unauthorized)
}

fn viewer_from_row(row: &tokio_postgres::Row) -> Viewer {
    Viewer {
        id: row.get("id"),
        email: row.get("email"),
        display_name: row.get("display_name"),
        role: Role::parse(row.get("role")),
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(min_length = 3, max_length = 254, pattern = "@")]
    pub email: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub display_name: String,
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    pub role: Role,
}

/// Creates an account; the password is hashed with argon2 off the async threads.
pub async fn create_user(pool: &Pool, new_user: NewUser) -> Result<Viewer, ApiError> {
    let mut errors = Vec::new();
    let email = new_user.email.trim().to_string();
    if !(3..=254).contains(&email.len()) || !email.contains('@') {
        errors.push(FieldError::new(
            "email",
            "enter an email address such as name@example.org",
        ));
    }
    if new_user.display_name.trim().is_empty() || new_user.display_name.chars().count() > 200 {
        errors.push(FieldError::new(
            "display_name",
            "enter a name of 1 to 200 characters",
        ));
    }
    if !(MIN_PASSWORD_CHARS..=1024).contains(&new_user.password.chars().count()) {
        errors.push(FieldError::new(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let password_hash = hash_password(new_user.password).await?;
    let id = Uuid::now_v7();
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO accounts.users (id, email, display_name, role, password_hash)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &id,
                &email,
                &new_user.display_name.trim(),
                &new_user.role.as_str(),
                &password_hash,
            ],
        )
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict(format!("an account for {email} already exists")),
            other => other,
        })?;
    Ok(Viewer {
        id,
        email,
        display_name: new_user.display_name.trim().to_string(),
        role: new_user.role,
    })
}

async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .map(|hash| hash.to_string())
            .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

async fn password_matches(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A strong random password for a new account (printed once by the command that makes it).
pub fn generate_password() -> String {
    new_secret("")[..20].to_string()
}

/// A fresh random secret (256 bits), URL-safe.
fn new_secret(prefix: &str) -> String {
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()))
}

fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// Checks a password, throttled per email, and opens a session; returns the viewer and the cookie secret.
pub async fn sign_in(pool: &Pool, attempt: SignIn) -> Result<(Viewer, String), ApiError> {
    let client = pool.get().await?;
    let recent_failures: i64 = client
        .query_one(
            "SELECT count(*) FROM accounts.failed_sign_ins
             WHERE lower(email) = lower($1) AND attempted_at > now() - make_interval(mins => $2)",
            &[&attempt.email, &(THROTTLE_MINUTES as i32)],
        )
        .await?
        .get(0);
    if recent_failures >= THROTTLE_FAILURES {
        return Err(ApiError::TooManyRequests);
    }
    let row = client
        .query_opt(
            "SELECT id, email, display_name, role, password_hash FROM accounts.users WHERE lower(email) = lower($1)",
            &[&attempt.email],
        )
        .await?;
    let matched = match &row {
        Some(row) => password_matches(attempt.password, row.get("password_hash")).await,
        None => {
            // Spend the same time as a real check, so timing does not reveal which emails have accounts.
            let _ = hash_password(attempt.password).await;
            false
        }
    };
    let row = match (row, matched) {
        (Some(row), true) => row,
        _ => {
            client
                .execute(
                    "INSERT INTO accounts.failed_sign_ins (email) VALUES ($1)",
                    &[&attempt.email],
                )
                .await?;
            return Err(ApiError::Unauthorized);
        }
    };
    let viewer = viewer_from_row(&row);
    let secret = new_secret("");
    client
        .execute(
            "INSERT INTO accounts.sessions (token_hash, user_id, expires_at)
             VALUES ($1, $2, now() + make_interval(days => $3))",
            &[&hash_secret(&secret), &viewer.id, &(SESSION_DAYS as i32)],
        )
        .await?;
    Ok((viewer, secret))
}

/// The `Set-Cookie` value for a session secret (or, with `None`, one that clears it).
pub fn session_cookie(secret: Option<&str>) -> String {
    match secret {
        Some(secret) => format!(
            "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
            SESSION_DAYS * 24 * 3600
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
    }
}

/// A personal API token as its owner sees it in a list (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`. Shown once.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Days until the token stops working; none means until revoked.
    #[schema(minimum = 1)]
    pub expires_in_days: Option<u16>,
}

/// Creates a personal API token for `viewer`.
pub async fn create_token(
    pool: &Pool,
    viewer: &Viewer,
    new: NewApiToken,
) -> Result<CreatedApiToken, ApiError> {
    if new.name.trim().is_empty() || new.name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "name the token (1 to 100 characters)"));
    }
    if new.expires_in_days == Some(0) {
        return Err(ApiError::invalid(
            "expires_in_days",
            "use at least 1 day, or leave it out",
        ));
    }
    let secret = new_secret("cg_");
    let row = pool
        .get()
        .await?
        .query_one(
            "INSERT INTO accounts.api_tokens (id, user_id, name, token_hash, expires_at)
             VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))
             RETURNING id, name, created_at, expires_at, last_used_at",
            &[
                &Uuid::now_v7(),
                &viewer.id,
                &new.name.trim(),
                &hash_secret(&secret),
                &new.expires_in_days.map(i32::from),
            ],
        )
        .await?;
    Ok(CreatedApiToken {
        token: token_from_row(&row),
        secret,
    })
}

/// Ends the session whose cookie holds `secret`: it stops working at once.
pub async fn end_session(pool: &Pool, secret: &str) -> Result<(), ApiError> {
    pool.get()
        .await?
        .execute(
            "UPDATE accounts.sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
            &[&hash_secret(secret)],
        )
        .await?;
    Ok(())
}

/// The live personal API tokens of `viewer`, oldest first.
pub async fn tokens(pool: &Pool, viewer: &Viewer) -> Result<Vec<ApiToken>, ApiError> {
    let rows = pool
        .get()
        .await?
        .query(
            "SELECT id, name, created_at, expires_at, last_used_at FROM accounts.api_tokens
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at",
            &[&viewer.id],
        )
        .await?;
    Ok(rows.iter().map(token_from_row).collect())
}

/// Revokes one of `viewer`'s tokens; someone else's or an unknown one is a 404.
pub async fn revoke_token(pool: &Pool, viewer: &Viewer, id: Uuid) -> Result<(), ApiError> {
    let revoked = pool
        .get()
        .await?
        .execute(
            "UPDATE accounts.api_tokens SET revoked_at = now()
             WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            &[&id, &viewer.id],
        )
        .await?;
    if revoked == 0 {
        return Err(ApiError::NotFound("no such token of yours".into()));
    }
    Ok(())
}

fn token_from_row(row: &tokio_postgres::Row) -> ApiToken {
    ApiToken {
        id: row.get("id"),
        name: row.get("name"),
        created_at: row.get("created_at"),
        expires_at: row.get("expires_at"),
        last_used_at: row.get("last_used_at"),
    }
}

/// The account routes: sign in and out, who am I, accounts (admins), personal API tokens.
pub fn routes(pool: Pool) -> BoxedFilter<(Response,)> {
    let with_pool = warp::any().map(move || pool.clone());
    let session = warp::path!("api" / "v1" / "session").and(
        warp::post()
            .and(with_pool.clone())
            .and(body_bytes())
            .then(handlers::sign_in)
            .or(warp::delete()
                .and(with_pool.clone())
                .and(credentials())
                .then(handlers::sign_out))
            .unify(),
    );
    let me = warp::path!("api" / "v1" / "me")
        .and(warp::get())
        .and(with_pool.clone())
        .and(credentials())
        .then(handlers::me);
    let users = warp::path!("api" / "v1" / "users").and(
        warp::post()
            .and(with_pool.clone())
            .and(credentials())
            .and(body_bytes())
            .then(handlers::create_user)
            .or(warp::get()
                .and(with_pool.clone())
                .and(credentials())
                .then(handlers::list_users))
            .unify(),
    );
    let tokens = warp::path!("api" / "v1" / "tokens").and(
        warp::post()
            .and(with_pool.clone())
            .and(credentials())
            .and(body_bytes())
            .then(handlers::create_token)
            .or(warp::get()
                .and(with_pool.clone())
                .and(credentials())
                .then(handlers::list_tokens))
            .unify(),
    );
    let token = warp::path!("api" / "v1" / "tokens" / String)
        .and(warp::delete())
        .and(with_pool)
        .and(credentials())
        .then(handlers::revoke_token);
    session
        .or(me)
        .unify()
        .or(users)
        .unify()
        .or(tokens)
        .unify()
        .or(token)
        .unify()
        .map(respond)
        .boxed()
}

/// The OpenAPI description of the account routes.
#[derive(OpenApi)]
#[openapi(
    paths(
        handlers::sign_in,
        handlers::sign_out,
        handlers::me,
        handlers::create_user,
        handlers::list_users,
        handlers::create_token,
        handlers::list_tokens,
        handlers::revoke_token
    ),
    components(schemas(
        Role,
        Viewer,
        NewUser,
        SignIn,
        ApiToken,
        CreatedApiToken,
        NewApiToken,
        crate::error::Problem
    ))
)]
pub struct AccountsApi;

mod handlers {
    use super::*;

    /// `POST /api/v1/session`: sign in with email and password; sets the session cookie.
    #[utoipa::path(post, path = "/api/v1/session", request_body = SignIn, tag = "accounts",
        responses((status = 200, body = Viewer), (status = 401, body = crate::error::Problem),
                  (status = 429, body = crate::error::Problem)))]
    pub async fn sign_in(pool: Pool, body: bytes::Bytes) -> ApiResult {
        let (viewer, secret) = super::sign_in(&pool, parse_json(&body)?).await?;
        let mut response = json(&viewer, StatusCode::OK);
        let cookie = HeaderValue::from_str(&session_cookie(Some(&secret)))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        response.headers_mut().insert(header::SET_COOKIE, cookie);
        Ok(response)
    }

    /// `DELETE /api/v1/session`: sign out; the session stops working at once.
    #[utoipa::path(delete, path = "/api/v1/session", tag = "accounts", responses((status = 204)))]
    pub async fn sign_out(pool: Pool, credentials: Credentials) -> ApiResult {
        if let Some(secret) = &credentials.session {
            end_session(&pool, secret).await?;
        }
        let mut response = no_content();
        response.headers_mut().insert(
            header::SET_COOKIE,
            HeaderValue::from_str(&session_cookie(None)).map_err(|e| ApiError::Internal(e.to_string()))?,
        );
        Ok(response)
    }

    /// `GET /api/v1/me`: the signed-in person.
    #[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
        responses((status = 200, body = Viewer), (status = 401, body = crate::error::Problem)))]
    pub async fn me(pool: Pool, credentials: Credentials) -> ApiResult {
        Ok(json(&signed_in(&pool, &credentials).await?, StatusCode::OK))
    }

    /// `POST /api/v1/users`: create an account (admins).
    #[utoipa::path(post, path = "/api/v1/users", request_body = NewUser, tag = "accounts",
        responses((status = 201, body = Viewer), (status = 403, body = crate::error::Problem),
                  (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
    pub async fn create_user(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
        signed_in(&pool, &credentials)
            .await?
            .require_role(&[Role::Admin])?;
        let user = super::create_user(&pool, parse_json(&body)?).await?;
        Ok(json(&user, StatusCode::CREATED))
    }

    /// `GET /api/v1/users`: every account (admins).
    #[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
        responses((status = 200, body = Vec<Viewer>), (status = 403, body = crate::error::Problem)))]
    pub async fn list_users(pool: Pool, credentials: Credentials) -> ApiResult {
        signed_in(&pool, &credentials)
            .await?
            .require_role(&[Role::Admin])?;
        let rows = pool
            .get()
            .await?
            .query(
                "SELECT id, email, display_name, role FROM accounts.users ORDER BY lower(email)",
                &[],
            )
            .await?;
        let users: Vec<Viewer> = rows.iter().map(viewer_from_row).collect();
        Ok(json(&users, StatusCode::OK))
    }

    /// `POST /api/v1/tokens`: create a personal API token; its secret is shown once.
    #[utoipa::path(post, path = "/api/v1/tokens", request_body = NewApiToken, tag = "accounts",
        responses((status = 201, body = CreatedApiToken), (status = 401, body = crate::error::Problem)))]
    pub async fn create_token(pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
        let viewer = signed_in(&pool, &credentials).await?;
        let token = super::create_token(&pool, &viewer, parse_json(&body)?).await?;
        Ok(json(&token, StatusCode::CREATED))
    }

    /// `GET /api/v1/tokens`: the signed-in person's live tokens.
    #[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
        responses((status = 200, body = Vec<ApiToken>), (status = 401, body = crate::error::Problem)))]
    pub async fn list_tokens(pool: Pool, credentials: Credentials) -> ApiResult {
        let viewer = signed_in(&pool, &credentials).await?;
        Ok(json(&tokens(&pool, &viewer).await?, StatusCode::OK))
    }

    /// `DELETE /api/v1/tokens/{id}`: revoke one of your tokens.
    #[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
        params(("id" = Uuid, Path, description = "token id")),
        responses((status = 204), (status = 404, body = crate::error::Problem)))]
    pub async fn revoke_token(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
        let id = parse_id(&id)?;
        let viewer = signed_in(&pool, &credentials).await?;
        super::revoke_token(&pool, &viewer, id).await?;
        Ok(no_content())
    }
}
