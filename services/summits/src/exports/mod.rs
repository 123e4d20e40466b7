//! Exports of an agenda for the people and programs that read agendas: an iCalendar file for the whole
//! summit and one per attendee, the frab/c3voc schedule JSON that conference apps read, and a printable
//! grid of rooms by slots as HTML and CSV. Everyone may export a published agenda; planners any agenda.
//! Placements come from the agenda; titles, descriptions and facilitators' names from the plan as it is now.

pub mod calendar;
pub mod conference_schedule;
pub mod grid;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use deadpool_postgres::{GenericClient, Pool};
use shared::accounts::{viewer, Credentials, Viewer};
use shared::error::ApiError;
use summit_solver::SessionKind;
use time::OffsetDateTime;
use uuid::Uuid;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

use crate::agendas::{load_agenda, parse_number, StoredAgenda};
use crate::parts::load;
use crate::people::Person;
use crate::plan::is_planner;
use crate::sessions::Session;

/// The summit an agenda belongs to.
pub struct SummitHeader {
    pub id: Uuid,
    pub name: String,
    pub timezone: Tz,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// One placed session, with everything an export shows.
pub struct Entry {
    pub session: String,
    pub title: String,
    pub description: String,
    pub kind: SessionKind,
    pub theme: Option<String>,
    pub language: Option<String>,
    pub interpretation: Vec<String>,
    /// Facilitators' names (their keys when they have no name).
    pub facilitators: Vec<String>,
    pub room: String,
    /// Indices of its first and last slot in [`Timetable::slots`].
    pub first_slot: usize,
    pub last_slot: usize,
    /// Local times in the summit's time zone.
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl Entry {
    /// The description with the interpretation offered, which the formats have no field for.
    pub fn description_with_interpretation(&self) -> String {
        if self.interpretation.is_empty() {
            self.description.clone()
        } else {
            let note = format!("Interpretation into: {}.", self.interpretation.join(", "));
            [self.description.as_str(), note.as_str()]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n\n")
        }
    }
}

/// An agenda laid out in time: its slots, rooms and placed sessions in time order.
pub struct Timetable {
    pub summit: SummitHeader,
    pub number: i32,
    pub published_at: Option<OffsetDateTime>,
    pub slots: Vec<summit_solver::Slot>,
    pub rooms: Vec<summit_solver::Room>,
    pub entries: Vec<Entry>,
    /// Each attendee's allocated sessions.
    pub allocated: Vec<summit_solver::Agenda>,
}

fn local(day: &str, time: &str) -> Option<NaiveDateTime> {
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(day.and_time(NaiveTime::parse_from_str(time, "%H:%M").ok()?))
}

impl Timetable {
    async fn build(
        client: &impl GenericClient,
        summit: Uuid,
        agenda: StoredAgenda,
    ) -> Result<Timetable, ApiError> {
        let row = client
            .query_opt(
                "SELECT name, timezone, to_char(starts_on, 'YYYY-MM-DD'), to_char(ends_on, 'YYYY-MM-DD')
                 FROM summits.summits WHERE id = $1",
                &[&summit],
            )
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no summit {summit}")))?;
        let timezone: String = row.get(1);
        let timezone: Tz = timezone.parse().map_err(|_| {
            ApiError::invalid(
                "timezone",
                format!("{timezone} is not a time zone of the IANA database"),
            )
        })?;
        let day = |i: usize| NaiveDate::parse_from_str(row.get(i), "%Y-%m-%d").map_err(crate::plan::internal);
        let header = SummitHeader {
            id: summit,
            name: row.get(0),
            timezone,
            starts_on: day(2)?,
            ends_on: day(3)?,
        };
        let sessions = load::<Session>(client, summit).await?;
        let people = load::<Person>(client, summit).await?;
        let instance = &agenda.instance;
        let mut entries = Vec::new();
        for placement in &agenda.solution.assignments {
            let Some(planned) = instance.sessions.iter().find(|s| s.id == placement.session) else {
                continue;
            };
            let current = sessions.iter().find(|s| s.key == placement.session);
            let Some(first_slot) = instance.slots.iter().position(|s| s.id == placement.slot) else {
                continue;
            };
            let last_slot = (first_slot + planned.length.max(1) as usize - 1).min(instance.slots.len() - 1);
            let (first, last) = (&instance.slots[first_slot], &instance.slots[last_slot]);
            let (Some(start), Some(end)) = (local(&first.day, &first.start), local(&last.day, &last.end))
            else {
                continue;
            };
            let name = |key: &String| {
                people
                    .iter()
                    .find(|p| &p.key == key && !p.name.is_empty())
                    .map_or_else(|| key.clone(), |p| p.name.clone())
            };
            entries.push(Entry {
                session: placement.session.clone(),
                title: current.map_or_else(|| planned.title.clone(), |s| s.title.clone()),
                description: current.map(|s| s.description.clone()).unwrap_or_default(),
                kind: planned.kind.unwrap_or(if planned.plenary {
                    SessionKind::Plenary
                } else {
                    SessionKind::Workshop
                }),
                theme: planned.theme.clone(),
                language: planned.language.clone(),
                interpretation: current.map(|s| s.interpretation.clone()).unwrap_or_default(),
                facilitators: planned.facilitators.iter().map(name).collect(),
                room: placement.room.clone(),
                first_slot,
                last_slot,
                start,
                end,
            });
        }
        entries.sort_by(|a, b| (a.start, &a.room).cmp(&(b.start, &b.room)));
        Ok(Timetable {
            summit: header,
            number: agenda.number,
            published_at: agenda.published_at,
            slots: agenda.instance.slots,
            rooms: agenda.instance.rooms,
            entries,
            allocated: agenda.allocation.agendas,
        })
    }

    /// The days of the summit that have slots, in order.
    pub fn days(&self) -> Vec<&str> {
        let mut days: Vec<&str> = self.slots.iter().map(|s| s.day.as_str()).collect();
        days.dedup();
        days
    }
}

/// Reads the agenda to export and lays it out; also returns who asks, if anyone is signed in.
pub async fn timetable(
    id: &str,
    number: &str,
    pool: &Pool,
    credentials: &Credentials,
) -> Result<(Timetable, Option<Viewer>), ApiError> {
    let id = shared::http::parse_id(id)?;
    let number = parse_number(number)?;
    let viewer = viewer(pool, credentials).await?;
    let planner = viewer.as_ref().is_some_and(is_planner);
    let client = pool.get().await?;
    let agenda = load_agenda(&client, id, number, planner).await?;
    Ok((Timetable::build(&client, id, agenda).await?, viewer))
}

/// A file to download: its type, a name to save it as, and the text.
pub fn file(content_type: &'static str, filename: &str, body: String) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A stable id for something of a summit (a session, a room, a person) across releases.
pub fn stable_id(summit: Uuid, what: &str, key: &str) -> Uuid {
    Uuid::new_v5(&summit, format!("{what}:{key}").as_bytes())
}
