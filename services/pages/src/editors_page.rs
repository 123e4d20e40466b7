//! Who may edit an organisation: its editors listed, added by the email of their account, and removed —
//! through the same code as `/api/v1/organisations/{id}/editors`.

use deadpool_postgres::Pool;
use directory::api::{add_editor_as, editors_for, remove_editor_as, NewEditor};
use directory::store;
use maud::html;
use shared::{ApiError, FieldError};
use warp::http::StatusCode;

use crate::forms::{Field, FieldErrors, Form};
use crate::layout::{self, csrf_field, redirect, Scripts, WithStatus};
use crate::organisation_page::organisation_id;
use crate::visit::{PageError, PageResult, Visit};

async fn page(visit: &Visit, pool: &Pool, id: uuid::Uuid, email: &str, errors: FieldErrors) -> PageResult {
    let viewer = visit.signed_in()?;
    let editors = editors_for(pool, viewer, id).await?;
    let client = pool.get().await.map_err(ApiError::from)?;
    let organisation = store::find(&client, id, false).await?;
    let content = html! {
        p { (visit.text("editors.intro")) }
        @if editors.is_empty() {
            p { (visit.text("editors.none")) }
        } @else {
            div class="table-scroll" {
                table {
                    thead { tr {
                        th scope="col" { (visit.text("editors.name")) }
                        th scope="col" { (visit.text("editors.email")) }
                        th scope="col" { (visit.text("editors.added")) }
                        td {}
                    } }
                    tbody {
                        @for editor in &editors {
                            tr {
                                th scope="row" { (editor.display_name) }
                                td { (editor.email) }
                                td { (editor.added_at.date().to_string()) }
                                td {
                                    form method="post" action={ "/organisations/" (id) "/editors/" (editor.user_id) "/remove" } {
                                        (csrf_field(visit))
                                        button type="submit" class="secondary" { (visit.format("editors.remove", &[("name", &editor.display_name)])) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (visit.text("editors.add")) }
        (errors.summary(visit, |_| "email".into()))
        form method="post" action={ "/organisations/" (id) "/editors" } {
            (csrf_field(visit))
            (Field::text("email", visit.text("editors.add_email"), email).kind("email").errors(errors.messages("email")).input())
            button type="submit" { (visit.text("editors.add_submit")) }
        }
    };
    let title = visit.format("editors.title", &[("name", &organisation.input.name)]);
    Ok(layout::page(visit, &title, Scripts::Plain, content))
}

/// `GET /organisations/{id}/editors`.
pub async fn show(visit: Visit, id: String, pool: Pool) -> PageResult {
    let id = organisation_id(&id)?;
    page(&visit, &pool, id, "", FieldErrors::none()).await
}

/// `POST /organisations/{id}/editors`: adds the account with this email.
pub async fn add(visit: Visit, id: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let id = organisation_id(&id)?;
    let viewer = visit.signed_in()?;
    let email = form.get("email").trim().to_string();
    let errors = match add_editor_as(&pool, viewer, id, Ok(NewEditor { email: email.clone() })).await {
        Ok(_) => return Ok(redirect(&visit, &format!("/organisations/{id}/editors"))),
        Err(ApiError::Validation(errors)) => FieldErrors(
            errors
                .into_iter()
                .map(|e| FieldError::new("email", e.message))
                .collect(),
        ),
        Err(other) => return Err(other.into()),
    };
    Ok(page(&visit, &pool, id, &email, errors)
        .await?
        .with_status(StatusCode::UNPROCESSABLE_ENTITY))
}

/// `POST /organisations/{id}/editors/{user_id}/remove`.
pub async fn remove(visit: Visit, id: String, user_id: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    Form::checked(&visit, &body)?;
    let id = organisation_id(&id)?;
    let user_id = uuid::Uuid::parse_str(&user_id).map_err(|_| PageError::NotFound)?;
    remove_editor_as(&pool, visit.signed_in()?, id, user_id).await?;
    Ok(redirect(&visit, &format!("/organisations/{id}/editors")))
}
