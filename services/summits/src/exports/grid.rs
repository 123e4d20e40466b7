//! The printable agenda grid: for each day, a table of slots (rows) by rooms (columns), breaks and meals
//! across the whole row, a multi-slot session spanning its rows; as HTML to print and as CSV (one row per
//! session) for spreadsheets.

use deadpool_postgres::Pool;
use maud::{html, Markup, DOCTYPE};
use shared::accounts::Credentials;
use shared::error::{ApiError, ApiResult, Problem};

use super::{file, timetable, Entry, Timetable};
use crate::sessions::kind_name;

fn cell(entry: &Entry) -> Markup {
    html! {
        strong { (entry.title) }
        @if !entry.facilitators.is_empty() { br; "with " (entry.facilitators.join(", ")) }
        @if let Some(theme) = &entry.theme { br; small { (theme) } }
        @if let Some(language) = &entry.language {
            br; small { (language) @if !entry.interpretation.is_empty() { " → " (entry.interpretation.join(", ")) } }
        }
    }
}

/// The grid as an HTML page.
pub fn grid_html(timetable: &Timetable) -> String {
    let title = format!("{} — agenda {}", timetable.summit.name, timetable.number);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { "table{border-collapse:collapse;width:100%;margin-bottom:2em}th,td{border:1px solid #444;padding:.4em;vertical-align:top}td.pause{text-align:center;font-style:italic;background:#eee}@media print{section{break-after:page}}" }
            }
            body {
                h1 { (title) }
                @for day in timetable.days() {
                    section {
                        h2 { (day) }
                        table {
                            thead { tr { th { "Time" } @for room in &timetable.rooms { th { (room.id) } } } }
                            tbody {
                                @for (index, slot) in timetable.slots.iter().enumerate().filter(|(_, s)| s.day == day) {
                                    tr {
                                        th { (slot.start) "–" (slot.end) }
                                        @if slot.is_break {
                                            td.pause colspan=(timetable.rooms.len()) { "Break" }
                                        } @else {
                                            @for room in &timetable.rooms {
                                                @let here = timetable.entries.iter().find(|e| e.room == room.id && (e.first_slot..=e.last_slot).contains(&index));
                                                @match here {
                                                    Some(entry) if entry.first_slot == index => {
                                                        td rowspan=(entry.last_slot - entry.first_slot + 1) { (cell(entry)) }
                                                    }
                                                    Some(_) => {}
                                                    None => { td {} }
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
    };
    page.into_string()
}

/// The grid as CSV: one row per session, in time order.
pub fn grid_csv(timetable: &Timetable) -> Result<String, ApiError> {
    let header = [
        "day",
        "start",
        "end",
        "room",
        "session",
        "title",
        "kind",
        "theme",
        "facilitators",
        "language",
        "interpretation",
    ];
    let rows = timetable.entries.iter().map(|entry| {
        [
            entry.start.format("%Y-%m-%d").to_string(),
            entry.start.format("%H:%M").to_string(),
            entry.end.format("%H:%M").to_string(),
            entry.room.clone(),
            entry.session.clone(),
            entry.title.clone(),
            kind_name(entry.kind).to_string(),
            entry.theme.clone().unwrap_or_default(),
            entry.facilitators.join("; "),
            entry.language.clone().unwrap_or_default(),
            entry.interpretation.join("; "),
        ]
    });
    shared::spreadsheet::document(&header, rows)
}

/// `GET /api/v1/summits/{id}/agendas/{number}/grid.html`: the printable agenda grid.
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}/grid.html", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, description = "an HTML page: rooms by slots for each day", content_type = "text/html", body = String),
              (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn html_grid(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let (timetable, _) = timetable(&id, &number, &pool, &credentials).await?;
    Ok(file(
        "text/html; charset=utf-8",
        &format!("agenda-{}.html", timetable.number),
        grid_html(&timetable),
    ))
}

/// `GET /api/v1/summits/{id}/agendas/{number}/grid.csv`: the agenda as CSV, one row per session.
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}/grid.csv", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
              (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn csv_grid(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let (timetable, _) = timetable(&id, &number, &pool, &credentials).await?;
    let text = grid_csv(&timetable)?;
    Ok(file(
        "text/csv; charset=utf-8",
        &format!("agenda-{}.csv", timetable.number),
        text,
    ))
}
