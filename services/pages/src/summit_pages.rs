//! Summit pages: the summits, registering with ranked wishes and access needs, the planners' agenda grid
//! (rooms × slots, by day, with each session's demand and warnings inline, and moving or pinning a session),
//! solving (with its progress) and the quality report, publishing, and each attendee's own agenda with its `.ics`. They call the summits service's own
//! functions and handlers; only the lists of summits and of a summit's agendas, which the service keeps
//! inside its handlers, are read here with one query each.

use std::collections::BTreeSet;

use deadpool_postgres::Pool;
use maud::{html, Markup};
use shared::{ApiError, FieldError};
use summits::agendas::{self, HowToSolve, StoredAgenda};
use summits::exports::{self, Entry, Timetable};
use summits::parts::{self, load};
use summits::pins::Pin;
use summits::plan::is_planner;
use summits::registrations::{self, Registration};
use summits::rooms::Room;
use summits::sessions::Session;
use summits::solves;
use time::OffsetDateTime;
use uuid::Uuid;
use warp::http::StatusCode;

use crate::forms::{list, Field, FieldErrors, Form};
use crate::layout::{self, csrf_field, redirect, Scripts, WithStatus};
use crate::visit::{PageError, PageResult, Visit};

/// How many ranked wishes the form offers.
const WISHES_OFFERED: usize = 5;

fn summit_id(raw: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| PageError::NotFound)
}

/// A summit's name and days.
struct SummitSummary {
    id: Uuid,
    name: String,
    days: String,
}

async fn summaries(pool: &Pool, only: Option<Uuid>) -> Result<Vec<SummitSummary>, PageError> {
    let rows = pool
        .get()
        .await
        .map_err(ApiError::from)?
        .query(
            "SELECT id, name, to_char(starts_on, 'YYYY-MM-DD'), to_char(ends_on, 'YYYY-MM-DD')
             FROM summits.summits WHERE $1::uuid IS NULL OR id = $1 ORDER BY starts_on DESC, id",
            &[&only],
        )
        .await
        .map_err(ApiError::from)?;
    Ok(rows
        .iter()
        .map(|row| {
            let (first, last): (String, String) = (row.get(2), row.get(3));
            SummitSummary {
                id: row.get(0),
                name: row.get(1),
                days: if first == last {
                    first
                } else {
                    format!("{first} – {last}")
                },
            }
        })
        .collect())
}

/// The agendas of a summit the visitor may read, newest first: every one for planners, published ones
/// for everyone else.
async fn agenda_numbers(pool: &Pool, summit: Uuid, planner: bool) -> Result<Vec<(i32, bool)>, PageError> {
    let rows = pool
        .get()
        .await
        .map_err(ApiError::from)?
        .query(
            "SELECT number, published_at FROM summits.agendas
             WHERE summit_id = $1 AND ($2 OR published_at IS NOT NULL) ORDER BY number DESC",
            &[&summit, &planner],
        )
        .await
        .map_err(ApiError::from)?;
    Ok(rows
        .iter()
        .map(|row| (row.get(0), row.get::<_, Option<OffsetDateTime>>(1).is_some()))
        .collect())
}

fn planner(visit: &Visit) -> bool {
    visit.viewer.as_ref().is_some_and(is_planner)
}

/// `GET /summits`.
pub async fn list_summits(visit: Visit, pool: Pool) -> PageResult {
    let summits = summaries(&pool, None).await?;
    let content = html! {
        @if summits.is_empty() {
            p { (visit.text("summits.none")) }
        } @else {
            ul class="summits" {
                @for summit in &summits {
                    li { a href={ "/summits/" (summit.id) } { (summit.name) } " · " (summit.days) }
                }
            }
        }
    };
    Ok(layout::page(
        &visit,
        visit.text("summits.title"),
        Scripts::Plain,
        content,
    ))
}

/// What the registration form shows: the sessions to wish for and the access needs rooms can meet.
struct RegistrationChoices {
    sessions: Vec<Session>,
    needs: BTreeSet<String>,
}

async fn choices(pool: &Pool, summit: Uuid) -> Result<RegistrationChoices, PageError> {
    let client = pool.get().await.map_err(ApiError::from)?;
    let sessions = load::<Session>(&client, summit).await?;
    let needs = load::<Room>(&client, summit)
        .await?
        .into_iter()
        .flat_map(|room| room.features)
        .collect();
    Ok(RegistrationChoices { sessions, needs })
}

fn registration_form(
    visit: &Visit,
    summit: Uuid,
    choices: &RegistrationChoices,
    current: Option<&Registration>,
    errors: &FieldErrors,
) -> Markup {
    let mut options: Vec<(&str, &str)> = vec![("", visit.text("summits.no_wish"))];
    options.extend(
        choices
            .sessions
            .iter()
            .map(|s| (s.key.as_str(), s.title.as_str())),
    );
    let wished = |rank: usize| {
        current
            .and_then(|r| r.wishes.get(rank))
            .map(String::as_str)
            .unwrap_or("")
    };
    let needs: Vec<&String> = current.map(|r| r.needs.iter().collect()).unwrap_or_default();
    html! {
        h2 id="register" { (visit.text("summits.register")) }
        @if current.is_some() { p class="notice" role="status" { (visit.text("summits.registered")) } }
        (errors.summary(visit, |field| field.split('[').next().unwrap_or(field).to_string()))
        form method="post" action={ "/summits/" (summit) "/registration" } class="registration" {
            (csrf_field(visit))
            fieldset {
                legend { (visit.text("summits.wishes")) }
                @for rank in 0..WISHES_OFFERED {
                    @let id = format!("wish_{}", rank + 1);
                    @let label = visit.format("summits.wish", &[("rank", &(rank + 1).to_string())]);
                    (Field::text(&id, &label, wished(rank)).errors(if rank == 0 { errors.messages("wishes") } else { Vec::new() }).select(&options))
                }
            }
            @if !choices.needs.is_empty() {
                fieldset {
                    legend { (visit.text("summits.needs")) }
                    @for (i, need) in choices.needs.iter().enumerate() {
                        div class="checkbox" {
                            input type="checkbox" id={ "need_" (i) } name="needs" value=(need) checked[needs.contains(&need)];
                            label for={ "need_" (i) } { (need.replace('_', " ")) }
                        }
                    }
                }
            }
            (Field::text("languages", visit.text("summits.languages"), &current.map(|r| r.languages.join(", ")).unwrap_or_default())
                .hint(visit.text("edit.languages_hint")).errors(errors.messages("languages")).input())
            button type="submit" { (visit.text("summits.register_submit")) }
        }
    }
}

async fn summit_page(visit: &Visit, pool: &Pool, summit: Uuid, errors: FieldErrors) -> PageResult {
    let summary = summaries(pool, Some(summit))
        .await?
        .pop()
        .ok_or(PageError::NotFound)?;
    let planner = planner(visit);
    let numbers = agenda_numbers(pool, summit, planner).await?;
    let registration_part = match &visit.viewer {
        Some(viewer) => {
            let choices = choices(pool, summit).await?;
            let client = pool.get().await.map_err(ApiError::from)?;
            let mine: Option<Registration> = load::<Registration>(&client, summit)
                .await?
                .into_iter()
                .find(|r| r.user_id == Some(viewer.id));
            registration_form(visit, summit, &choices, mine.as_ref(), &errors)
        }
        None => {
            html! { p { a href={ "/sign-in?next=/summits/" (summit) } { (visit.text("summits.sign_in_to_register")) } } }
        }
    };
    let content = html! {
        p { (summary.days) }
        h2 { (visit.text("summits.agendas")) }
        @if numbers.is_empty() {
            p { (visit.text("summits.no_agenda")) }
        } @else {
            ul {
                @for (number, published) in &numbers {
                    li {
                        a href={ "/summits/" (summit) "/agendas/" (number) } {
                            (visit.format("summits.agenda", &[("number", &number.to_string())]))
                        }
                        @if *published { " · " (visit.text("summits.published")) }
                    }
                }
            }
        }
        @if planner {
            form method="post" action={ "/summits/" (summit) "/agendas" } {
                (csrf_field(visit))
                p class="hint" { (visit.text("summits.solve_hint")) }
                button type="submit" { (visit.text("summits.solve")) }
            }
        }
        (registration_part)
    };
    let status = if errors.0.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(layout::page(visit, &summary.name, Scripts::Plain, content).with_status(status))
}

/// `GET /summits/{id}`: the summit, its agendas, solving (planners) and registering.
pub async fn show(visit: Visit, id: String, pool: Pool) -> PageResult {
    summit_page(&visit, &pool, summit_id(&id)?, FieldErrors::none()).await
}

/// `POST /summits/{id}/registration`: register, or change a registration, through the API's own handler.
pub async fn register(visit: Visit, id: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let summit = summit_id(&id)?;
    visit.signed_in()?;
    let wishes: Vec<String> = (1..=WISHES_OFFERED)
        .filter_map(|rank| form.optional(&format!("wish_{rank}")))
        .fold(Vec::new(), |mut wishes, wish| {
            if !wishes.contains(&wish) {
                wishes.push(wish);
            }
            wishes
        });
    let needs: Vec<String> = form.all("needs").into_iter().map(str::to_string).collect();
    let registration = serde_json::json!({
        "wishes": wishes, "needs": needs, "languages": list(form.get("languages")),
    });
    let body = bytes::Bytes::from(registration.to_string());
    match registrations::put_mine(id, pool.clone(), visit.credentials.clone(), body).await {
        Ok(_) => Ok(redirect(&visit, &format!("/summits/{summit}#register"))),
        Err(ApiError::Validation(errors)) => summit_page(&visit, &pool, summit, FieldErrors(errors)).await,
        Err(other) => Err(other.into()),
    }
}

/// `POST /summits/{id}/agendas`: start solving the plan into a new agenda (planners) and watch it; while
/// a solve of the summit runs, watch that one.
pub async fn solve(visit: Visit, id: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    Form::checked(&visit, &body)?;
    let summit = summit_id(&id)?;
    let solve = match solves::begin(id, HowToSolve::default(), &pool, &visit.credentials).await {
        Ok(solve) => solve.id,
        Err(ApiError::Conflict(_)) => {
            let client = pool.get().await.map_err(ApiError::from)?;
            match solves::running(&client, summit).await? {
                Some(running) => running,
                None => return newest_agenda(&visit, &pool, summit).await,
            }
        }
        Err(ApiError::Validation(errors)) => return plan_problems(&visit, &pool, summit, errors).await,
        Err(other) => return Err(other.into()),
    };
    Ok(redirect(&visit, &format!("/summits/{summit}/solves/{solve}")))
}

/// `GET /summits/{id}/solves/{solve}` (planners): how far a solve has gone, refreshed by the script (or by
/// the visitor without it); a finished one goes to its agenda, a failed one says why.
pub async fn solve_progress(visit: Visit, id: String, solve: String, pool: Pool) -> PageResult {
    let solve = solves::watch(&id, &solve, &pool, &visit.credentials).await?;
    let summit = solve.summit;
    if let Some(number) = solve.agenda {
        return Ok(redirect(&visit, &format!("/summits/{summit}/agendas/{number}")));
    }
    let back = html! { p { a href={ "/summits/" (summit) } { (visit.text("solve.back")) } } };
    let content = match solve.state.as_str() {
        "running" => {
            let percent = format!("{:.0}", solve.done * 100.0);
            let step = visit.text(match solve.step.as_str() {
                "placing" => "solve.step_placing",
                "allocating" => "solve.step_allocating",
                "saving" => "solve.step_saving",
                _ => "solve.step_starting",
            });
            html! {
                section class="solve" data-solve-running {
                    p id="solve-step" role="status" {
                        (step)
                        @if let Some(lost) = solve.lost_wishes {
                            " · " (visit.format("solve.best_so_far", &[("count", &lost.to_string())]))
                        }
                    }
                    label for="solve-progress" { (visit.text("solve.progress")) }
                    progress id="solve-progress" max="100" value=(percent) { (percent) "%" }
                    p class="no-script" { a href="" { (visit.text("solve.refresh")) } }
                }
                (back)
            }
        }
        state => {
            let reason = if state == "interrupted" {
                "solve.interrupted"
            } else {
                "solve.failed"
            };
            html! {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (visit.text(reason)) }
                    ul { @for problem in solve.problems.iter().flatten() { li { (problem.message) } } }
                }
                (back)
            }
        }
    };
    Ok(layout::page(
        &visit,
        visit.text("solve.title"),
        Scripts::Plain,
        content,
    ))
}

/// Goes to the summit's newest agenda.
async fn newest_agenda(visit: &Visit, pool: &Pool, summit: Uuid) -> PageResult {
    let newest = agenda_numbers(pool, summit, true).await?.first().map(|(n, _)| *n);
    Ok(redirect(
        visit,
        &format!("/summits/{summit}/agendas/{}", newest.unwrap_or(1)),
    ))
}

/// The summit's page with the plan's problems at the top.
async fn plan_problems(visit: &Visit, pool: &Pool, summit: Uuid, errors: Vec<FieldError>) -> PageResult {
    let errors = errors
        .into_iter()
        .map(|e| FieldError::new("plan", e.message))
        .collect();
    summit_page(visit, pool, summit, FieldErrors(errors)).await
}

/// `POST /summits/{id}/agendas/{number}/move` (planners): pins a session to the slot and room chosen in the
/// grid and solves again; the new agenda keeps the other sessions where they were as far as it can.
pub async fn move_session(
    visit: Visit,
    id: String,
    _number: String,
    pool: Pool,
    body: bytes::Bytes,
) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let summit = summit_id(&id)?;
    let session = form.get("session").to_string();
    let client = pool.get().await.map_err(ApiError::from)?;
    let before = load::<Pin>(&client, summit)
        .await?
        .into_iter()
        .find(|pin| pin.session == session);
    drop(client);
    let pin_at = |slot: &str, room: &str| {
        let pin = serde_json::json!({"slot": slot, "room": room});
        parts::put::<Pin>(
            id.clone(),
            session.clone(),
            pool.clone(),
            visit.credentials.clone(),
            bytes::Bytes::from(pin.to_string()),
        )
    };
    let problems = match pin_at(form.get("slot"), form.get("room")).await {
        Ok(_) => match agendas::solve_plan(id.clone(), pool.clone(), visit.credentials.clone()).await {
            Ok(_) => return newest_agenda(&visit, &pool, summit).await,
            Err(ApiError::Validation(problems)) => {
                // The move cannot hold: the pin goes back to what it was.
                match &before {
                    Some(pin) => pin_at(&pin.slot, &pin.room).await,
                    None => {
                        let credentials = visit.credentials.clone();
                        parts::delete::<Pin>(id.clone(), session.clone(), pool.clone(), credentials).await
                    }
                }?;
                problems
            }
            Err(other) => return Err(other.into()),
        },
        Err(ApiError::Validation(problems)) => problems,
        Err(other) => return Err(other.into()),
    };
    plan_problems(&visit, &pool, summit, problems).await
}

/// `POST /summits/{id}/agendas/{number}/publish` (planners).
pub async fn publish(visit: Visit, id: String, number: String, pool: Pool, body: bytes::Bytes) -> PageResult {
    Form::checked(&visit, &body)?;
    let summit = summit_id(&id)?;
    agendas::publish(id, number.clone(), pool, visit.credentials.clone()).await?;
    Ok(redirect(&visit, &format!("/summits/{summit}/agendas/{number}")))
}

/// The grid of one day: rooms across, that day's slots down, each session where it starts with how many
/// wished for it, how many it seats, and what is wrong with it.
fn day_grid(visit: &Visit, timetable: &Timetable, stored: Option<&StoredAgenda>, day: &str) -> Markup {
    let report: Option<summit_solver::Report> =
        stored.and_then(|s| serde_json::from_value(s.report.clone()).ok());
    let demand = |session: &str| {
        stored.map(|s| {
            s.instance
                .attendees
                .iter()
                .filter(|a| a.wishes.iter().any(|w| w == session))
                .count()
        })
    };
    let seated = |session: &str| {
        timetable
            .allocated
            .iter()
            .filter(|a| a.sessions.iter().any(|s| s == session))
            .count()
    };
    let warnings = |session: &str, capacity: u32| -> Vec<String> {
        let mut warnings = Vec::new();
        if let Some(wanted) = demand(session) {
            if wanted > capacity as usize {
                warnings.push(visit.format(
                    "grid.over_capacity",
                    &[
                        ("wanted", &wanted.to_string()),
                        ("capacity", &capacity.to_string()),
                    ],
                ));
            }
        }
        if let Some(report) = &report {
            for clash in report
                .theme_clashes
                .iter()
                .filter(|c| c.sessions.iter().any(|s| s == session))
            {
                warnings.push(visit.format("grid.theme_clash", &[("theme", &clash.theme)]));
            }
            for violation in report
                .violations
                .iter()
                .filter(|v| v.sessions.iter().any(|s| s == session))
            {
                warnings.push(violation.message.clone());
            }
        }
        warnings
    };
    let slots: Vec<(usize, &summit_solver::Slot)> = timetable
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.day == day)
        .collect();
    html! {
        h2 { (day) }
        div class="table-scroll" {
            table class="agenda-grid" {
                thead { tr {
                    th scope="col" { (visit.text("grid.time")) }
                    @for room in &timetable.rooms { th scope="col" { (room.id) " " span class="count" { "(" (room.capacity) ")" } } }
                } }
                tbody {
                    @for (index, slot) in &slots {
                        tr {
                            th scope="row" { (slot.start) "–" (slot.end) }
                            @for room in &timetable.rooms {
                                td data-slot=(slot.id) data-room=(room.id) {
                                    @for entry in timetable.entries.iter().filter(|e| e.room == room.id && e.first_slot <= *index && *index <= e.last_slot) {
                                        @if entry.first_slot == *index {
                                            div class="session" id={ "session-" (entry.session) }
                                                data-move=[stored.is_some().then(|| format!("move-{}", entry.session))] {
                                                strong { (entry.title) }
                                                @if let Some(theme) = &entry.theme { " · " (theme) }
                                                br;
                                                span class="demand" {
                                                    @if let Some(wanted) = demand(&entry.session) {
                                                        (visit.format("grid.demand", &[("wanted", &wanted.to_string()), ("seated", &seated(&entry.session).to_string())]))
                                                    }
                                                }
                                                @for warning in warnings(&entry.session, room.capacity) {
                                                    p class="warning" { (warning) }
                                                }
                                                @if stored.is_some() { (move_form(visit, timetable, entry)) }
                                            }
                                        } @else {
                                            span class="continued" { (entry.title) " " (visit.text("grid.continued")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A planner's form under a session in the grid: pin it to another slot and room, and solve again.
fn move_form(visit: &Visit, timetable: &Timetable, entry: &Entry) -> Markup {
    let id = format!("move-{}", entry.session);
    let current_slot = timetable.slots.get(entry.first_slot).map(|s| s.id.as_str());
    html! {
        details class="move" {
            summary { (visit.text("grid.move")) }
            form id=(id) method="post"
                action={ "/summits/" (timetable.summit.id) "/agendas/" (timetable.number) "/move" } {
                (csrf_field(visit))
                input type="hidden" name="session" value=(entry.session);
                label for={ (id) "-slot" } { (visit.text("grid.move_slot")) }
                select id={ (id) "-slot" } name="slot" {
                    @for slot in timetable.slots.iter().filter(|s| !s.is_break) {
                        option value=(slot.id) selected[Some(slot.id.as_str()) == current_slot] {
                            (slot.day) " " (slot.start) "–" (slot.end)
                        }
                    }
                }
                label for={ (id) "-room" } { (visit.text("grid.move_room")) }
                select id={ (id) "-room" } name="room" {
                    @for room in &timetable.rooms {
                        option value=(room.id) selected[room.id == entry.room] { (room.id) }
                    }
                }
                button type="submit" { (visit.text("grid.move_submit")) }
            }
        }
    }
}

fn quality_report(visit: &Visit, stored: &StoredAgenda) -> Markup {
    let Ok(report) = serde_json::from_value::<summit_solver::Report>(stored.report.clone()) else {
        return html! {};
    };
    let percent = |share: f64| format!("{:.0}%", share * 100.0);
    html! {
        section class="report" aria-labelledby="report-heading" {
            h2 id="report-heading" { (visit.text("report.title")) }
            dl class="facts" {
                dt { (visit.text("report.feasible")) }
                dd { @if report.feasible { (visit.text("report.yes")) } @else { (visit.text("report.no")) } }
                dt { (visit.text("report.first_wish")) }
                dd { (percent(report.wishes.first_wish_share)) }
                dt { (visit.text("report.top_three")) }
                dd { (percent(report.wishes.top_three_share)) }
                dt { (visit.text("report.losing")) }
                dd { (report.wishes.losing.len()) }
                dt { (visit.text("report.theme_clashes")) }
                dd { (report.theme_clashes.len()) }
                @if !report.moved_sessions.is_empty() {
                    dt { (visit.text("report.moved")) }
                    dd { (report.moved_sessions.join(", ")) }
                }
            }
            @if !report.violations.is_empty() {
                h3 { (visit.text("report.violations")) }
                ul { @for v in &report.violations { li { (v.message) } } }
            }
        }
    }
}

/// `GET /summits/{id}/agendas/{number}`: the agenda grid (any agenda for planners, with the report and
/// publishing; a published one for everyone), and the visitor's own agenda with its `.ics`.
pub async fn agenda(visit: Visit, id: String, number: String, pool: Pool) -> PageResult {
    let summit = summit_id(&id)?;
    let (timetable, _) = exports::timetable(&id, &number, &pool, &visit.credentials).await?;
    let planner = planner(&visit);
    let client = pool.get().await.map_err(ApiError::from)?;
    let stored = agendas::load_agenda(&client, summit, timetable.number, planner).await?;
    let personal = visit
        .viewer
        .as_ref()
        .and_then(|v| stored.personal(&v.id.to_string()));
    let api = format!("/api/v1/summits/{summit}/agendas/{}", timetable.number);
    let content = html! {
        p { a href={ "/summits/" (summit) } { (timetable.summit.name) } }
        @if timetable.published_at.is_some() {
            p class="notice" role="status" { (visit.text("summits.published")) }
        } @else if planner {
            form method="post" action={ "/summits/" (summit) "/agendas/" (timetable.number) "/publish" } {
                (csrf_field(&visit))
                button type="submit" { (visit.text("summits.publish")) }
            }
        }
        @if let Some(personal) = &personal {
            section class="personal" aria-labelledby="mine-heading" {
                h2 id="mine-heading" { (visit.text("mine_agenda.title")) }
                @if personal.sessions.is_empty() {
                    p { (visit.text("mine_agenda.none")) }
                } @else {
                    ol class="personal-agenda" {
                        @for entry in &personal.sessions {
                            li { (entry.day) " " (entry.start) "–" (entry.end) " · " strong { (entry.title) } " · " (entry.room) }
                        }
                    }
                }
                @if !personal.missed.is_empty() {
                    p { (visit.format("mine_agenda.missed", &[("count", &personal.missed.len().to_string())])) }
                }
                p { a href={ (api) "/mine.ics" } download="agenda.ics" { (visit.text("mine_agenda.ics")) } }
            }
        }
        p { a href={ (api) "/grid.html" } { (visit.text("summits.printable")) } }
        @if planner { (quality_report(&visit, &stored)) }
        @for day in timetable.days() { (day_grid(&visit, &timetable, planner.then_some(&stored), day)) }
    };
    let title = visit.format("summits.agenda", &[("number", &timetable.number.to_string())]);
    Ok(layout::page(&visit, &title, Scripts::Plain, content))
}
