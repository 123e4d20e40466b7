//! The visitor's personal API tokens: listed, created (the secret shown once) and revoked, through the
//! accounts code behind `/api/v1/tokens`.

use deadpool_postgres::Pool;
use maud::{html, Markup};
use shared::accounts::{self, NewApiToken};
use shared::ApiError;
use time::OffsetDateTime;
use warp::http::StatusCode;

use crate::forms::{Field, FieldErrors, Form};
use crate::layout::{self, csrf_field, redirect, Scripts, WithStatus};
use crate::visit::{PageError, PageResult, Visit};

fn date(visit: &Visit, at: Option<OffsetDateTime>) -> String {
    at.map(|at| at.date().to_string())
        .unwrap_or_else(|| visit.text("tokens.never").to_string())
}

async fn page(
    visit: &Visit,
    pool: &Pool,
    form: (&str, &str),
    errors: FieldErrors,
    new_secret: Option<String>,
) -> PageResult {
    let viewer = visit.signed_in()?;
    let tokens = accounts::tokens(pool, viewer).await?;
    let secret: Markup = html! {
        @if let Some(secret) = &new_secret {
            div class="notice" role="status" {
                p { (visit.text("tokens.created_secret")) }
                p { code class="secret" { (secret) } }
            }
        }
    };
    let content = html! {
        (secret)
        p { (visit.text("tokens.intro")) }
        @if tokens.is_empty() {
            p { (visit.text("tokens.none")) }
        } @else {
            div class="table-scroll" {
                table {
                    thead { tr {
                        th scope="col" { (visit.text("tokens.name")) }
                        th scope="col" { (visit.text("tokens.created")) }
                        th scope="col" { (visit.text("tokens.expires")) }
                        th scope="col" { (visit.text("tokens.last_used")) }
                        td {}
                    } }
                    tbody {
                        @for token in &tokens {
                            tr {
                                th scope="row" { (token.name) }
                                td { (date(visit, Some(token.created_at))) }
                                td { (date(visit, token.expires_at)) }
                                td { (date(visit, token.last_used_at)) }
                                td {
                                    form method="post" action={ "/account/tokens/" (token.id) "/revoke" } {
                                        (csrf_field(visit))
                                        button type="submit" class="secondary" { (visit.format("tokens.revoke", &[("name", &token.name)])) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (visit.text("tokens.new")) }
        (errors.summary(visit, |field| field.to_string()))
        form method="post" action="/account/tokens" {
            (csrf_field(visit))
            (Field::text("name", visit.text("tokens.new_name"), form.0).errors(errors.messages("name")).input())
            (Field::text("expires_in_days", visit.text("tokens.new_days"), form.1)
                .kind("number").hint(visit.text("tokens.new_days_hint")).errors(errors.messages("expires_in_days")).input())
            button type="submit" { (visit.text("tokens.create")) }
        }
    };
    Ok(layout::page(
        visit,
        visit.text("tokens.title"),
        Scripts::Plain,
        content,
    ))
}

/// `GET /account/tokens`.
pub async fn show(visit: Visit, pool: Pool) -> PageResult {
    page(&visit, &pool, ("", ""), FieldErrors::none(), None).await
}

/// `POST /account/tokens`: creates a token and shows its secret once.
pub async fn create(visit: Visit, pool: Pool, body: bytes::Bytes) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let viewer = visit.signed_in()?;
    let (name, days) = (form.get("name"), form.get("expires_in_days").trim());
    let expires_in_days = match days {
        "" => Ok(None),
        raw => raw
            .parse::<u16>()
            .map(Some)
            .map_err(|_| ApiError::invalid("expires_in_days", visit.text("tokens.days_not_number"))),
    };
    let created = match expires_in_days {
        Ok(expires_in_days) => {
            let new = NewApiToken {
                name: name.to_string(),
                expires_in_days,
            };
            accounts::create_token(&pool, viewer, new).await
        }
        Err(error) => Err(error),
    };
    match created {
        Ok(token) => page(&visit, &pool, ("", ""), FieldErrors::none(), Some(token.secret)).await,
        Err(ApiError::Validation(errors)) => Ok(page(&visit, &pool, (name, days), FieldErrors(errors), None)
            .await?
            .with_status(StatusCode::UNPROCESSABLE_ENTITY)),
        Err(other) => Err(other.into()),
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke(visit: Visit, id: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    Form::checked(&visit, &body)?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| PageError::NotFound)?;
    accounts::revoke_token(&pool, visit.signed_in()?, id).await?;
    Ok(redirect(&visit, "/account/tokens"))
}
