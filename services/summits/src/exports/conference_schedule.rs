//! The frab/c3voc schedule JSON that conference apps (Giggity, ConfClerk, EventFahrplan) read, as pretalx
//! and frab write it: the conference, its rooms, and each day's events per room. One `language` per event;
//! interpretation goes into the description, since events take no other fields.

use chrono::{NaiveDateTime, TimeZone};
use deadpool_postgres::Pool;
use serde_json::{json, Value};
use shared::accounts::Credentials;
use shared::error::{ApiResult, Problem};
use shared::http::json as json_reply;
use summit_solver::SessionKind;
use warp::http::StatusCode;

use super::{stable_id, timetable, Entry, Timetable};
use crate::sessions::kind_name;

/// Lowercase letters, digits and `separator` for everything else, without leading or trailing separators.
fn slug(text: &str, separator: char) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with(separator) {
            slug.push(separator);
        }
    }
    slug.trim_end_matches(separator).to_string()
}

/// `HH:MM` of a span of minutes.
fn hours_minutes(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn with_offset(timetable: &Timetable, local: NaiveDateTime) -> String {
    match timetable.summit.timezone.from_local_datetime(&local).earliest() {
        Some(at) => at.to_rfc3339(),
        None => local.and_utc().to_rfc3339(),
    }
}

/// The conference's short name: its name's letters and digits joined by `_` (the format allows no `-`
/// there), at least four characters.
fn acronym(timetable: &Timetable) -> String {
    let acronym = slug(&timetable.summit.name, '_');
    if acronym.len() >= 4 {
        acronym
    } else {
        format!("summit_{}", timetable.summit.id.simple())
    }
}

/// Where people read a session: its place in the agenda's page when the public address is known.
fn event_url(timetable: &Timetable, entry: &Entry, guid: uuid::Uuid, public_url: Option<&str>) -> String {
    match public_url {
        Some(base) => format!(
            "{base}/summits/{}/agendas/{}#session-{}",
            timetable.summit.id, timetable.number, entry.session
        ),
        None => format!("urn:uuid:{guid}"),
    }
}

fn event(timetable: &Timetable, entry: &Entry, id: usize, acronym: &str, public_url: Option<&str>) -> Value {
    let guid = stable_id(timetable.summit.id, "session", &entry.session);
    let kind = match entry.kind {
        SessionKind::OneToOne => "meeting",
        other => kind_name(other),
    };
    json!({
        "guid": guid,
        "id": id,
        "date": with_offset(timetable, entry.start),
        "start": entry.start.format("%H:%M").to_string(),
        "end": with_offset(timetable, entry.end),
        "duration": hours_minutes((entry.end - entry.start).num_minutes()),
        "room": entry.room,
        "slug": slug(&format!("{acronym} {id} {}", entry.session), '-'),
        "url": event_url(timetable, entry, guid, public_url),
        "title": entry.title,
        "subtitle": null,
        "track": entry.theme,
        "type": kind,
        "language": entry.language,
        "abstract": null,
        "description": Some(entry.description_with_interpretation()).filter(|d| !d.is_empty()),
        "do_not_record": true,
        "persons": entry.facilitators.iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
        "links": [],
    })
}

/// The agenda in the c3voc schedule format, linking sessions to the pages at `public_url` if known.
pub fn conference_schedule(timetable: &Timetable, public_url: Option<&str>) -> Value {
    let acronym = acronym(timetable);
    let days: Vec<Value> = timetable
        .days()
        .into_iter()
        .enumerate()
        .map(|(index, day)| {
            let slots: Vec<&summit_solver::Slot> = timetable.slots.iter().filter(|s| s.day == day).collect();
            let bound = |time: &str| {
                super::local(day, time)
                    .map(|local| with_offset(timetable, local))
                    .unwrap_or_default()
            };
            let mut rooms = serde_json::Map::new();
            for room in &timetable.rooms {
                let events: Vec<Value> = timetable
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.room == room.id && e.start.format("%Y-%m-%d").to_string() == day)
                    .map(|(i, e)| event(timetable, e, i + 1, &acronym, public_url))
                    .collect();
                rooms.insert(room.id.clone(), Value::Array(events));
            }
            json!({
                "index": index + 1,
                "date": day,
                "day_start": bound(&slots[0].start),
                "day_end": bound(&slots[slots.len() - 1].end),
                "rooms": rooms,
            })
        })
        .collect();
    let shortest = timetable
        .slots
        .iter()
        .filter_map(|s| Some((super::local(&s.day, &s.end)? - super::local(&s.day, &s.start)?).num_minutes()))
        .min()
        .unwrap_or(60);
    json!({
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "Common Ground", "version": env!("CARGO_PKG_VERSION")},
        "schedule": {
            "version": format!("agenda {}", timetable.number),
            "conference": {
                "acronym": acronym,
                "title": timetable.summit.name,
                "start": timetable.summit.starts_on.to_string(),
                "end": timetable.summit.ends_on.to_string(),
                "daysCount": days.len(),
                "timeslot_duration": hours_minutes(shortest),
                "time_zone_name": timetable.summit.timezone.name(),
                "rooms": timetable.rooms.iter().map(|room| json!({
                    "name": room.id,
                    "guid": stable_id(timetable.summit.id, "room", &room.id),
                    "capacity": room.capacity,
                })).collect::<Vec<_>>(),
                "days": days,
            },
        },
    })
}

/// `GET /api/v1/summits/{id}/agendas/{number}/schedule.json`: the agenda in the frab/c3voc schedule format
/// conference apps read.
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}/schedule.json", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, description = "c3voc schedule JSON (https://c3voc.de/schedule/schema.json)", body = Object),
              (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn schedule_json(
    id: String,
    number: String,
    public_url: Option<std::sync::Arc<str>>,
    pool: Pool,
    credentials: Credentials,
) -> ApiResult {
    let (timetable, _) = timetable(&id, &number, &pool, &credentials).await?;
    Ok(json_reply(
        &conference_schedule(&timetable, public_url.as_deref()),
        StatusCode::OK,
    ))
}
