//! Signing in and out with the accounts the API uses: the same password check, sessions and throttle.

use deadpool_postgres::Pool;
use maud::html;
use shared::accounts::{self, session_cookie, SignIn};
use shared::{ApiError, FieldError};
use warp::http::StatusCode;

use crate::forms::{Field, FieldErrors, Form};
use crate::layout::{self, csrf_field, redirect, Scripts, WithStatus};
use crate::visit::{PageResult, Visit};

/// Where to go after signing in: a path of this site only, never another site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

fn form_page(visit: &Visit, email: &str, next: &str, errors: FieldErrors) -> warp::reply::Response {
    let content = html! {
        (errors.summary(visit, |field| field.to_string()))
        form method="post" action="/sign-in" class="narrow" {
            (csrf_field(visit))
            input type="hidden" name="next" value=(next);
            (Field::text("email", visit.text("sign_in.email"), email)
                .kind("email").autocomplete("username").errors(errors.messages("email")).input())
            (Field::text("password", visit.text("sign_in.password"), "")
                .kind("password").autocomplete("current-password").errors(errors.messages("password")).input())
            button type="submit" { (visit.text("sign_in.submit")) }
        }
    };
    layout::page(visit, visit.text("sign_in.title"), Scripts::Plain, content)
}

/// `GET /sign-in`: the sign-in form.
pub async fn show(visit: Visit, query: String) -> PageResult {
    let next: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap_or_default();
    let next = next
        .iter()
        .find(|(key, _)| key == "next")
        .map(|(_, value)| value.as_str())
        .unwrap_or("/");
    Ok(form_page(&visit, "", safe_next(next), FieldErrors::none()))
}

/// `POST /sign-in`: checks the password (throttled per email) and opens a session.
pub async fn submit(mut visit: Visit, pool: Pool, body: bytes::Bytes) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let email = form.get("email").trim().to_string();
    let next = safe_next(form.get("next")).to_string();
    let failed = |visit: &Visit, status: StatusCode, key: &str| {
        let errors = FieldErrors(vec![FieldError::new("email", visit.text(key))]);
        Ok(form_page(visit, &email, &next, errors).with_status(status))
    };
    if email.is_empty() || form.get("password").is_empty() {
        return failed(&visit, StatusCode::UNPROCESSABLE_ENTITY, "sign_in.missing");
    }
    let attempt = SignIn {
        email: email.clone(),
        password: form.get("password").to_string(),
    };
    match accounts::sign_in(&pool, attempt).await {
        Ok((_, secret)) => {
            visit.set_cookies.push(session_cookie(Some(&secret)));
            Ok(redirect(&visit, &next))
        }
        Err(ApiError::Unauthorized) => failed(&visit, StatusCode::UNAUTHORIZED, "sign_in.wrong"),
        Err(ApiError::TooManyRequests) => failed(&visit, StatusCode::TOO_MANY_REQUESTS, "sign_in.throttled"),
        Err(other) => Err(other.into()),
    }
}

/// `POST /sign-out`: ends the session at once.
pub async fn sign_out(mut visit: Visit, pool: Pool, body: bytes::Bytes) -> PageResult {
    Form::checked(&visit, &body)?;
    if let Some(secret) = &visit.session {
        accounts::end_session(&pool, secret).await?;
    }
    visit.set_cookies.push(session_cookie(None));
    Ok(redirect(&visit, "/"))
}
