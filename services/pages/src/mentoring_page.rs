//! The mentoring proposals (staff): ask the matcher for proposals, accept one or reject it with a reason,
//! set a match by hand with a reason, and see the active matches — through the capacity service's own
//! handlers. Only the list of matches with people's names is read here, with one query.

use capacity::access::staff;
use capacity::mentoring::{decide, override_match, propose};
use deadpool_postgres::Pool;
use maud::{html, Markup};
use shared::{ApiError, FieldError};
use uuid::Uuid;
use warp::http::StatusCode;

use crate::forms::{Field, FieldErrors, Form};
use crate::layout::{self, csrf_field, redirect, Scripts, WithStatus};
use crate::visit::{PageError, PageResult, Visit};

const PAGE: &str = "/capacity/mentoring";

fn borrowed(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(v, l)| (v.as_str(), l.as_str())).collect()
}

/// A match as the page lists it: who with whom, how good, and where it stands.
struct Listed {
    id: Uuid,
    status: String,
    mentor: String,
    mentee: String,
    score: f64,
}

/// Proposed and active matches, and every mentor and mentee (for setting a match by hand).
async fn listing(pool: &Pool) -> Result<(Vec<Listed>, Vec<(Uuid, String, String)>), PageError> {
    let client = pool.get().await.map_err(ApiError::from)?;
    let matches = client
        .query(
            "SELECT m.id, m.status, coalesce(a.name, ''), coalesce(b.name, ''), coalesce(m.score, 0)
             FROM capacity.matches m
             LEFT JOIN capacity.mentoring_profiles pa ON pa.id = m.mentor_id
             LEFT JOIN capacity.people a ON a.id = pa.person_id
             LEFT JOIN capacity.mentoring_profiles pb ON pb.id = m.mentee_id
             LEFT JOIN capacity.people b ON b.id = pb.person_id
             WHERE m.status IN ('proposed', 'active') ORDER BY m.status DESC, m.score DESC NULLS LAST, m.id",
            &[],
        )
        .await
        .map_err(ApiError::from)?
        .iter()
        .map(|r| Listed {
            id: r.get(0),
            status: r.get(1),
            mentor: r.get(2),
            mentee: r.get(3),
            score: r.get(4),
        })
        .collect();
    let profiles = client
        .query(
            "SELECT p.id, p.role, people.name FROM capacity.mentoring_profiles p
             JOIN capacity.people people ON people.id = p.person_id ORDER BY people.name, p.id",
            &[],
        )
        .await
        .map_err(ApiError::from)?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    Ok((matches, profiles))
}

fn proposal_row(visit: &Visit, listed: &Listed, errors: &FieldErrors) -> Markup {
    let action = format!("{PAGE}/matches/{}", listed.id);
    let reason_id = format!("reason-{}", listed.id);
    html! {
        tr {
            td { (listed.mentor) }
            td { (listed.mentee) }
            td { (format!("{:.2}", listed.score)) }
            td {
                form method="post" action=(action) class="inline" {
                    (csrf_field(visit))
                    input type="hidden" name="status" value="active";
                    button type="submit" { (visit.text("mentoring.accept")) }
                }
                form method="post" action=(action) class="reject" {
                    (csrf_field(visit))
                    input type="hidden" name="status" value="rejected";
                    (Field::text(&reason_id, visit.text("mentoring.reason"), "")
                        .errors(errors.messages(&reason_id)).input())
                    button type="submit" { (visit.text("mentoring.reject")) }
                }
            }
        }
    }
}

async fn page(visit: &Visit, pool: &Pool, form: Option<&Form>, errors: FieldErrors) -> PageResult {
    staff(pool, &visit.credentials).await?;
    let (matches, profiles) = listing(pool).await?;
    let value = |name: &str| form.map(|f| f.get(name).to_string()).unwrap_or_default();
    let choices = |role: &str| -> Vec<(String, String)> {
        profiles
            .iter()
            .filter(|(_, r, _)| r == role)
            .map(|(id, _, name)| (id.to_string(), name.clone()))
            .collect()
    };
    let (mentors, mentees) = (choices("mentor"), choices("mentee"));
    let proposed: Vec<&Listed> = matches.iter().filter(|m| m.status == "proposed").collect();
    let active: Vec<&Listed> = matches.iter().filter(|m| m.status == "active").collect();
    let content = html! {
        (errors.summary(visit, |field| field.to_string()))
        p { (visit.text("mentoring.intro")) }
        form method="post" action={ (PAGE) "/proposals" } {
            (csrf_field(visit))
            button type="submit" { (visit.text("mentoring.propose")) }
        }
        h2 { (visit.text("mentoring.proposals")) }
        @if proposed.is_empty() {
            p { (visit.text("mentoring.no_proposals")) }
        } @else {
            div class="table-scroll" {
                table class="proposals" {
                    thead { tr {
                        th scope="col" { (visit.text("mentoring.mentor")) }
                        th scope="col" { (visit.text("mentoring.mentee")) }
                        th scope="col" { (visit.text("mentoring.score")) }
                        th scope="col" { (visit.text("mentoring.decision")) }
                    } }
                    tbody { @for listed in &proposed { (proposal_row(visit, listed, &errors)) } }
                }
            }
        }
        h2 id="by-hand" { (visit.text("mentoring.by_hand")) }
        form method="post" action={ (PAGE) "/matches" } class="by-hand" {
            (csrf_field(visit))
            (Field::text("mentor_id", visit.text("mentoring.mentor"), &value("mentor_id"))
                .errors(errors.messages("mentor_id")).select(&borrowed(&mentors)))
            (Field::text("mentee_id", visit.text("mentoring.mentee"), &value("mentee_id"))
                .errors(errors.messages("mentee_id")).select(&borrowed(&mentees)))
            (Field::text("reason", visit.text("mentoring.reason"), &value("reason"))
                .errors(errors.messages("reason")).input())
            button type="submit" { (visit.text("mentoring.set")) }
        }
        h2 { (visit.text("mentoring.active")) }
        @if active.is_empty() {
            p { (visit.text("mentoring.no_active")) }
        } @else {
            ul class="active-matches" {
                @for listed in &active { li { (listed.mentor) " · " (listed.mentee) } }
            }
        }
    };
    let status = if errors.0.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(layout::page(visit, visit.text("mentoring.title"), Scripts::Plain, content).with_status(status))
}

/// `GET /capacity/mentoring`: proposals to decide, setting a match by hand, active matches (staff).
pub async fn show(visit: Visit, pool: Pool) -> PageResult {
    page(&visit, &pool, None, FieldErrors::none()).await
}

/// `POST /capacity/mentoring/proposals`: ask the matcher for proposals (staff).
pub async fn propose_matches(visit: Visit, pool: Pool, body: bytes::Bytes) -> PageResult {
    Form::checked(&visit, &body)?;
    propose(pool, visit.credentials.clone()).await?;
    Ok(redirect(&visit, PAGE))
}

/// `POST /capacity/mentoring/matches/{id}`: accept a proposal, or reject it with a reason (staff).
pub async fn decide_match(visit: Visit, id: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let reason_field = format!("reason-{id}");
    let decision = serde_json::json!({"status": form.get("status"), "reason": form.get(&reason_field)});
    let body = bytes::Bytes::from(decision.to_string());
    match decide(id, pool.clone(), visit.credentials.clone(), body).await {
        Ok(_) => Ok(redirect(&visit, PAGE)),
        Err(ApiError::Validation(problems)) => {
            let errors = problems
                .into_iter()
                .map(|p| FieldError::new(reason_field.clone(), p.message))
                .collect();
            page(&visit, &pool, None, FieldErrors(errors)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /capacity/mentoring/matches`: set a match by hand, with a reason (staff).
pub async fn set_match(visit: Visit, pool: Pool, body: bytes::Bytes) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let request = serde_json::json!({
        "mentor_id": form.get("mentor_id"), "mentee_id": form.get("mentee_id"), "reason": form.get("reason"),
    });
    let body = bytes::Bytes::from(request.to_string());
    let errors = match override_match(pool.clone(), visit.credentials.clone(), body).await {
        Ok(_) => return Ok(redirect(&visit, PAGE)),
        Err(ApiError::Validation(problems)) => problems,
        Err(ApiError::BadRequest(_)) => vec![FieldError::new("mentor_id", visit.text("edit.unknown_choice"))],
        Err(ApiError::NotFound(message)) => vec![FieldError::new("mentor_id", message)],
        Err(ApiError::Conflict(message)) => vec![FieldError::new("mentee_id", message)],
        Err(other) => return Err(other.into()),
    };
    page(&visit, &pool, Some(&form), FieldErrors(errors)).await
}
