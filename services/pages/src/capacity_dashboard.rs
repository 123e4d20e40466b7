//! An organisation's capacity dashboard (its staff and editors): the radar chart of its latest assessment
//! over its first, each dimension's history, its goals and the support it received, and the form to record
//! an assessment; and the network report — all through the capacity service's own functions and handlers.

use capacity::access::{is_staff, require_organisation, require_staff_or_editor};
use capacity::assessments::create_assessment;
use capacity::framework::{self, Framework};
use capacity::reports::{self, OrganisationReport};
use deadpool_postgres::Pool;
use maud::{html, Markup};
use shared::{ApiError, FieldError};
use uuid::Uuid;
use warp::http::StatusCode;

use crate::forms::{Field, FieldErrors, Form};
use crate::layout::{self, csrf_field, redirect, Scripts, WithStatus};
use crate::organisation_page::organisation_id;
use crate::visit::{PageResult, Visit};

/// The framework and the report, if the visitor is staff or edits the organisation.
async fn dashboard_data(
    visit: &Visit,
    pool: &Pool,
    id: Uuid,
) -> Result<(Framework, OrganisationReport), crate::visit::PageError> {
    let viewer = visit.signed_in()?;
    let client = pool.get().await.map_err(ApiError::from)?;
    require_organisation(&client, id).await?;
    require_staff_or_editor(&client, viewer, id).await?;
    Ok((
        framework::load(&client, None).await?,
        reports::organisation(&client, id).await?,
    ))
}

fn assessment_form(
    visit: &Visit,
    id: Uuid,
    framework: &Framework,
    form: Option<&Form>,
    errors: &FieldErrors,
) -> Markup {
    let value = |name: &str| form.map(|f| f.get(name).to_string()).unwrap_or_default();
    let staff = visit.viewer.as_ref().is_some_and(is_staff);
    let mut methods = vec![("self", visit.text("capacity.method_self"))];
    if staff {
        methods.push(("facilitated", visit.text("capacity.method_facilitated")));
        methods.push(("consensus", visit.text("capacity.method_consensus")));
    }
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let assessed_on = Some(value("assessed_on"))
        .filter(|v| !v.is_empty())
        .unwrap_or(today);
    html! {
        h2 id="record" { (visit.text("capacity.record")) }
        (errors.summary(visit, |field| field.split(['[', '.']).next().unwrap_or(field).to_string()))
        form method="post" action={ "/organisations/" (id) "/capacity" } class="assessment" {
            (csrf_field(visit))
            (Field::text("assessed_on", visit.text("capacity.assessed_on"), &assessed_on).kind("date").errors(errors.messages("assessed_on")).input())
            (Field::text("method", visit.text("capacity.method"), &value("method")).errors(errors.messages("method")).select(&methods))
            (Field::text("status", visit.text("capacity.status"), &value("status")).select(&[
                ("final", visit.text("capacity.status_final")),
                ("draft", visit.text("capacity.status_draft")),
            ]))
            (Field::text("rater", visit.text("capacity.rater"), &value("rater")).hint(visit.text("capacity.rater_hint")).errors(errors.messages("rater")).input())
            @for (i, dimension) in framework.dimensions.iter().enumerate() {
                @let id = format!("score_{}", dimension.key);
                @let levels: Vec<(String, String)> = dimension.levels.iter().enumerate()
                    .map(|(level, text)| ((level + 1).to_string(), format!("{} — {text}", level + 1))).collect();
                @let options: Vec<(&str, &str)> = std::iter::once(("", visit.text("capacity.not_rated")))
                    .chain(levels.iter().map(|(v, l)| (v.as_str(), l.as_str()))).collect();
                (Field::text(&id, &dimension.name, &value(&id)).hint(&dimension.description)
                    .errors(errors.messages(&format!("ratings[{i}]"))).select(&options))
            }
            button type="submit" { (visit.text("capacity.record_submit")) }
        }
    }
}

async fn page(visit: &Visit, pool: &Pool, id: Uuid, form: Option<&Form>, errors: FieldErrors) -> PageResult {
    let (framework, report) = dashboard_data(visit, pool, id).await?;
    let api = format!("/api/v1/capacity/organisations/{id}/report");
    let content = html! {
        p { a href={ "/organisations/" (id) } { (report.name) } }
        @if report.assessments == 0 {
            p { (visit.text("capacity.no_assessment")) }
        } @else {
            figure class="chart" {
                img src={ (api) "/radar.svg" } alt=(visit.text("capacity.radar_alt")) width="640" height="480";
                figcaption { (visit.text("capacity.radar_caption")) }
            }
            div class="table-scroll" {
                table class="scores" {
                    thead { tr {
                        th scope="col" { (visit.text("capacity.dimension")) }
                        th scope="col" { (visit.text("capacity.first")) }
                        th scope="col" { (visit.text("capacity.latest")) }
                        th scope="col" { (visit.text("capacity.change")) }
                        th scope="col" { (visit.text("capacity.history")) }
                    } }
                    tbody {
                        @for track in &report.dimensions {
                            tr {
                                th scope="row" { (track.name) }
                                td { (format!("{:.1}", track.first)) }
                                td { (format!("{:.1}", track.latest)) }
                                td { (format!("{:+.1}", track.change)) }
                                td { @for point in &track.series { (point.assessed_on.to_string()) ": " (format!("{:.1}", point.score)) br; } }
                            }
                        }
                    }
                }
            }
        }
        h2 { (visit.text("capacity.goals")) }
        @if report.goals.is_empty() { p { (visit.text("capacity.no_goals")) } } @else {
            ul { @for goal in &report.goals { li { (goal.title) " · " (goal.dimension) @if let Some(due) = goal.due_on { " · " (due.to_string()) } } } }
        }
        h2 { (visit.text("capacity.support")) }
        p { (visit.format("capacity.support_summary", &[
            ("programmes", &report.support.enrolments.len().to_string()),
            ("sessions", &report.support.sessions_attended.to_string()),
            ("mentoring", &report.support.mentoring_matches.to_string()),
        ])) }
        (assessment_form(visit, id, &framework, form, &errors))
    };
    let title = visit.format("capacity.title", &[("name", &report.name)]);
    let status = if errors.0.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(layout::page(visit, &title, Scripts::Plain, content).with_status(status))
}

/// `GET /organisations/{id}/capacity`: the dashboard.
pub async fn show(visit: Visit, id: String, pool: Pool) -> PageResult {
    let id = organisation_id(&id)?;
    page(&visit, &pool, id, None, FieldErrors::none()).await
}

/// `POST /organisations/{id}/capacity`: records an assessment through the API's own handler.
pub async fn record(visit: Visit, id: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let organisation = organisation_id(&id)?;
    let (framework, _) = dashboard_data(&visit, &pool, organisation).await?;
    let ratings: Vec<serde_json::Value> = framework
        .dimensions
        .iter()
        .filter_map(|d| {
            let score = form.get(&format!("score_{}", d.key)).parse::<i16>().ok()?;
            Some(serde_json::json!({"dimension": d.key, "score": score, "rater": form.get("rater").trim()}))
        })
        .collect();
    let mut errors = Vec::new();
    if time::Date::parse(
        form.get("assessed_on"),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .is_err()
    {
        errors.push(FieldError::new("assessed_on", visit.text("capacity.date_hint")));
    }
    if form.get("rater").trim().is_empty() {
        errors.push(FieldError::new("rater", visit.text("capacity.rater_hint")));
    }
    if errors.is_empty() {
        let input = serde_json::json!({
            "assessed_on": form.get("assessed_on"), "method": form.get("method"),
            "status": form.get("status"), "ratings": ratings,
        });
        let body = bytes::Bytes::from(input.to_string());
        match create_assessment(id, pool.clone(), visit.credentials.clone(), body).await {
            Ok(_) => {
                return Ok(redirect(
                    &visit,
                    &format!("/organisations/{organisation}/capacity"),
                ))
            }
            Err(ApiError::Validation(problems)) => errors = problems,
            Err(ApiError::BadRequest(_)) => {
                errors.push(FieldError::new("method", visit.text("edit.unknown_choice")))
            }
            Err(other) => return Err(other.into()),
        }
    }
    page(&visit, &pool, organisation, Some(&form), FieldErrors(errors)).await
}

/// `GET /capacity/network`: the network's figures (anyone signed in: no organisation is named).
pub async fn network(visit: Visit, pool: Pool) -> PageResult {
    visit.signed_in()?;
    let client = pool.get().await.map_err(ApiError::from)?;
    let report = reports::network(&client, capacity::distance::Period::default()).await?;
    let figures = [
        (
            "network.organisations_supported",
            report.organisations_supported.to_string(),
        ),
        ("network.assessments_done", report.assessments_done.to_string()),
        (
            "network.training",
            visit.format(
                "network.training_value",
                &[
                    ("attended", &report.training.attended.to_string()),
                    ("sessions", &report.training.sessions.to_string()),
                ],
            ),
        ),
        (
            "network.cohorts",
            format!("{:.0}%", report.cohorts.completion_rate * 100.0),
        ),
        ("network.active_matches", report.active_matches.to_string()),
        ("network.casework_cases", report.casework_cases.to_string()),
    ];
    let content = html! {
        dl class="facts" {
            @for (key, value) in &figures { dt { (visit.text(key)) } dd { (value) } }
        }
        @if !report.mean_change.is_empty() {
            figure class="chart" {
                img src="/api/v1/capacity/network-report/change.svg" alt=(visit.text("network.chart_alt")) width="640" height="480";
            }
            div class="table-scroll" {
                table class="scores" {
                    thead { tr {
                        th scope="col" { (visit.text("capacity.dimension")) }
                        th scope="col" { (visit.text("network.organisations")) }
                        th scope="col" { (visit.text("capacity.first")) }
                        th scope="col" { (visit.text("capacity.latest")) }
                        th scope="col" { (visit.text("capacity.change")) }
                    } }
                    tbody {
                        @for change in &report.mean_change {
                            tr {
                                th scope="row" { (change.name) }
                                td { (change.organisations) }
                                td { (format!("{:.1}", change.first)) }
                                td { (format!("{:.1}", change.latest)) }
                                td { (format!("{:+.1}", change.change)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(
        &visit,
        visit.text("network.title"),
        Scripts::Plain,
        content,
    ))
}
