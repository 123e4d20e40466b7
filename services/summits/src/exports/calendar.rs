//! iCalendar (RFC 5545) files of an agenda: the whole summit, or one attendee's own sessions. Times are
//! local to the summit's time zone (`TZID`), which the file defines in a `VTIMEZONE` built from the IANA
//! database for the summit's days, daylight-saving changes included.

use chrono::{Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use deadpool_postgres::Pool;
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};
use shared::accounts::Credentials;
use shared::error::{ApiError, ApiResult, Problem};

use super::{file, stable_id, timetable, Entry, Timetable};
use crate::agendas::whose;

/// `+HHMM` or `-HHMM`.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The `VTIMEZONE` of `zone` over the days from `first` to `last`: the offset in force when they begin, and
/// every change of offset up to the day after `last`.
pub fn timezone_definition(zone: Tz, first: NaiveDateTime, last: NaiveDateTime) -> String {
    let at = |utc: NaiveDateTime| zone.offset_from_utc_datetime(&utc);
    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", zone.name())];
    let mut utc = first - Duration::days(1);
    let mut previous = at(utc);
    let mut component = |onset_utc: NaiveDateTime, from: i32, offset: &chrono_tz::TzOffset| {
        let to = offset.fix().local_minus_utc();
        let kind = if offset.dst_offset().is_zero() {
            "STANDARD"
        } else {
            "DAYLIGHT"
        };
        let onset = onset_utc + Duration::seconds(i64::from(from));
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", onset.format("%Y%m%dT%H%M%S")));
        lines.push(format!("TZOFFSETFROM:{}", utc_offset(from)));
        lines.push(format!("TZOFFSETTO:{}", utc_offset(to)));
        if let Some(name) = offset.abbreviation() {
            lines.push(format!("TZNAME:{name}"));
        }
        lines.push(format!("END:{kind}"));
    };
    let initial = previous.fix().local_minus_utc();
    component(utc, initial, &previous);
    while utc <= last + Duration::days(1) {
        utc += Duration::minutes(15);
        let offset = at(utc);
        if offset.fix() != previous.fix() {
            component(utc, previous.fix().local_minus_utc(), &offset);
            previous = offset;
        }
    }
    lines.push("END:VTIMEZONE".to_string());
    lines.join("\r\n") + "\r\n"
}

fn event(timetable: &Timetable, entry: &Entry) -> Event {
    let zone = timetable.summit.timezone.name().to_string();
    let at = |date_time: NaiveDateTime| CalendarDateTime::WithTimezone {
        date_time,
        tzid: zone.clone(),
    };
    let stamp = timetable
        .published_at
        .and_then(|t| Utc.timestamp_opt(t.unix_timestamp(), 0).single())
        .unwrap_or_else(Utc::now);
    let mut event = Event::new();
    event
        .uid(&format!(
            "{}@commonground",
            stable_id(timetable.summit.id, "session", &entry.session)
        ))
        .timestamp(stamp)
        .summary(&entry.title)
        .starts(at(entry.start))
        .ends(at(entry.end))
        .location(&entry.room);
    let mut description = entry.description_with_interpretation();
    if !entry.facilitators.is_empty() {
        description = format!("With {}.\n\n{description}", entry.facilitators.join(", "));
    }
    if !description.trim().is_empty() {
        event.description(description.trim());
    }
    if let Some(theme) = &entry.theme {
        event.add_property("CATEGORIES", theme);
    }
    event.done()
}

/// The calendar of some of the agenda's entries.
pub fn calendar<'a>(
    timetable: &'a Timetable,
    name: &str,
    entries: impl Iterator<Item = &'a Entry>,
) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name).timezone(timetable.summit.timezone.name());
    for entry in entries {
        calendar.push(event(timetable, entry));
    }
    let text = calendar.done().to_string();
    let first = timetable
        .summit
        .starts_on
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let last = timetable
        .summit
        .ends_on
        .and_hms_opt(23, 59, 0)
        .unwrap_or_default();
    let zone = timezone_definition(timetable.summit.timezone, first, last);
    // icalendar writes no VTIMEZONE: put the definition before the first component.
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{zone}{}", &text[..at], &text[at..]),
        None => text.replacen("END:VCALENDAR", &format!("{zone}END:VCALENDAR"), 1),
    }
}

/// `GET /api/v1/summits/{id}/agendas/{number}/calendar.ics`: the whole agenda as iCalendar.
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}/calendar.ics", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number")),
    responses((status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String),
              (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn summit_calendar(id: String, number: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let (timetable, _) = timetable(&id, &number, &pool, &credentials).await?;
    let name = format!("{} (agenda {})", timetable.summit.name, timetable.number);
    let text = calendar(&timetable, &name, timetable.entries.iter());
    Ok(file(
        "text/calendar; charset=utf-8",
        &format!("agenda-{}.ics", timetable.number),
        text,
    ))
}

/// `GET /api/v1/summits/{id}/agendas/{number}/mine.ics`: your own agenda as iCalendar (planners may ask for
/// any attendee's with `?attendee=`).
#[utoipa::path(get, path = "/api/v1/summits/{id}/agendas/{number}/mine.ics", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id"), ("number" = i32, Path, description = "agenda number"),
           crate::agendas::WhoseAgenda),
    responses((status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn personal_calendar(
    id: String,
    number: String,
    query: String,
    pool: Pool,
    credentials: Credentials,
) -> ApiResult {
    let (timetable, viewer) = timetable(&id, &number, &pool, &credentials).await?;
    let attendee = whose(&viewer.ok_or(ApiError::Unauthorized)?, &query)?;
    let allocated = timetable
        .allocated
        .iter()
        .find(|a| a.attendee == attendee)
        .ok_or_else(|| ApiError::NotFound(format!("{attendee} was not registered for this agenda")))?;
    let name = format!("{}: my agenda", timetable.summit.name);
    let text = calendar(
        &timetable,
        &name,
        timetable
            .entries
            .iter()
            .filter(|e| allocated.sessions.contains(&e.session)),
    );
    Ok(file("text/calendar; charset=utf-8", "my-agenda.ics", text))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn midnight(year: i32, month: u32, day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(year, month, day)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_summit_across_the_clock_change_gets_both_offsets() {
        let zone: Tz = "Europe/London".parse().unwrap();
        let definition = timezone_definition(zone, midnight(2026, 10, 24), midnight(2026, 10, 25));
        assert_eq!(
            definition,
            "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n\
             BEGIN:DAYLIGHT\r\nDTSTART:20261023T010000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nEND:DAYLIGHT\r\n\
             BEGIN:STANDARD\r\nDTSTART:20261025T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD\r\n\
             END:VTIMEZONE\r\n"
        );
    }

    #[test]
    fn offsets_are_signed_hours_and_minutes() {
        assert_eq!(utc_offset(-(3 * 3600 + 30 * 60)), "-0330");
        assert_eq!(utc_offset(5 * 3600 + 45 * 60), "+0545");
    }
}
