//! A published agenda exported for people and programs: iCalendar (RFC 5545, with the summit's time zone)
//! for the summit and per attendee, the c3voc schedule JSON validated against its published schema, and the
//! printable grid as HTML and CSV.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::TestApp;
use support::{build_summit, Summit};

#[allow(dead_code)] // Each test file uses part of it.
mod support;

/// A summit built part by part with two registered members, solved and published.
async fn published(app: &TestApp) -> (Summit<'_>, Vec<shared::test_support::TestUser>) {
    let planner = app.user(Role::Planner).await;
    let summit = Summit::new(app, &planner).await;
    build_summit(&summit, &planner).await;
    summit
        .put(
            &planner,
            "/sessions/popular",
            json!({"title": "Housing <script>alert(1)</script> & rent", "theme": "housing", "language": "en",
                   "interpretation": ["ar"], "description": "Tenants' unions, one street at a time."}),
        )
        .await;
    let mut members = Vec::new();
    for wishes in [json!(["popular", "long"]), json!(["slides"])] {
        let member = app.user(Role::Member).await;
        summit
            .put(&member, "/registrations/mine", json!({"wishes": wishes}))
            .await;
        members.push(member);
    }
    let (status, _) = summit.send(Some(&planner), Method::POST, "/agendas", None).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = summit
        .send(Some(&planner), Method::POST, "/agendas/1/publish", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    (summit, members)
}

/// Unfolds RFC 5545 content lines.
fn unfold(text: &str) -> String {
    text.replace("\r\n ", "").replace("\r\n\t", "")
}

#[tokio::test]
async fn calendars_are_rfc_5545_with_the_summits_time_zone() {
    let app = TestApp::spawn(summits::service).await;
    let (summit, members) = published(&app).await;
    let (status, content_type, text) = summit.file(None, "/agendas/1/calendar.ics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    assert!(
        text.split("\r\n").all(|line| line.len() <= 75),
        "lines are folded at 75 octets"
    );
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    let text = unfold(&text);
    let calendar = icalendar::parser::read_calendar(&text).expect("a calendar a parser reads");
    let kinds: Vec<String> = calendar.components.iter().map(|c| c.name.to_string()).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "VTIMEZONE").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "VEVENT").count(), 6, "{kinds:?}");
    assert!(
        text.contains("TZID:Europe/London\r\nBEGIN:DAYLIGHT\r\n"),
        "{text}"
    );
    assert!(text.contains("TZOFFSETTO:+0100\r\nTZNAME:BST"), "{text}");
    assert!(
        text.contains("DTSTART;TZID=Europe/London:20260912T100000"),
        "the pinned opening: {text}"
    );
    assert!(text.contains("SUMMARY:Opening"));
    assert!(text.contains("Interpretation into: ar."));

    // One attendee's calendar holds only their sessions; it needs signing in.
    let (status, _, _) = summit.file(None, "/agendas/1/mine.ics").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, mine) = summit.file(Some(&members[1]), "/agendas/1/mine.ics").await;
    assert_eq!(status, StatusCode::OK);
    let mine = unfold(&mine);
    assert_eq!(mine.matches("BEGIN:VEVENT").count(), 1);
    assert!(mine.contains("SUMMARY:Climate justice") && mine.contains("BEGIN:VTIMEZONE"));
}

#[tokio::test]
async fn the_conference_schedule_validates_against_the_c3voc_schema() {
    let app = TestApp::spawn(summits::service).await;
    let (summit, _) = published(&app).await;
    let (status, schedule) = summit
        .send(None, Method::GET, "/agendas/1/schedule.json", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let schema: Value = serde_json::from_str(include_str!("fixtures/c3voc-schedule.schema.json"))
        .expect("the schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&schedule)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{schedule:#}");
    let conference = &schedule["schedule"]["conference"];
    assert_eq!(conference["acronym"], json!("solidarity_knows_no_borders"));
    assert_eq!(conference["daysCount"], json!(2));
    assert_eq!(conference["time_zone_name"], json!("Europe/London"));
    let opening = &conference["days"][0]["rooms"]["hall"][0];
    assert_eq!(opening["title"], json!("Opening"));
    assert_eq!(opening["date"], json!("2026-09-12T10:00:00+01:00"));
    assert_eq!(opening["duration"], json!("01:30"));
    let long: Vec<&Value> = conference["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["rooms"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|r| r.as_array().unwrap())
        })
        .filter(|e| e["title"] == "Workplace rights")
        .collect();
    assert_eq!(long[0]["duration"], json!("03:00"), "two slots");

    // The check is real: a schedule that breaks the format fails it.
    let mut broken = schedule.clone();
    broken["schedule"]["conference"]["days"][0]["rooms"]["hall"][0]["room_colour"] = json!("red");
    assert!(!validator.is_valid(&broken));
}

#[tokio::test]
async fn the_printable_grid_escapes_titles_and_spans_long_sessions() {
    let app = TestApp::spawn(summits::service).await;
    let (summit, _) = published(&app).await;
    let (status, content_type, page) = summit.file(None, "/agendas/1/grid.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    assert!(
        page.contains("Housing &lt;script&gt;alert(1)&lt;/script&gt; &amp; rent"),
        "{page}"
    );
    assert!(!page.contains("<script>"));
    assert_eq!(page.matches("<section>").count(), 2, "one table per day");
    assert!(
        page.contains("rowspan=\"2\""),
        "the two-slot session spans two rows"
    );
    assert!(
        page.contains("colspan=\"3\">Break<"),
        "lunch runs across the rooms"
    );

    let (status, content_type, text) = summit.file(None, "/agendas/1/grid.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
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
            "interpretation"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    let opening = rows.iter().find(|r| &r[4] == "opening").unwrap();
    assert_eq!(
        (&opening[0], &opening[1], &opening[3], &opening[8]),
        ("2026-09-12", "10:00", "hall", "Rosa")
    );

    // Nobody but planners exports an agenda before it is published.
    let planner = app.user(Role::Planner).await;
    let member = app.user(Role::Member).await;
    let (status, _) = summit.send(Some(&planner), Method::POST, "/agendas", None).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        summit.file(Some(&member), "/agendas/2/grid.csv").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        summit.file(Some(&planner), "/agendas/2/grid.csv").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn schedule_exports_link_each_session_to_its_place_in_the_agenda_page() {
    // Each test runs in its own process under nextest; the variable is read when the service is built.
    std::env::set_var(summits::PUBLIC_URL_VARIABLE, "https://commonground.example/");
    let app = TestApp::spawn(summits::service).await;
    let (summit, _) = published(&app).await;
    let (status, schedule) = summit
        .send(None, Method::GET, "/agendas/1/schedule.json", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let opening = &schedule["schedule"]["conference"]["days"][0]["rooms"]["hall"][0];
    assert_eq!(
        opening["url"],
        json!(format!(
            "https://commonground.example/summits/{}/agendas/1#session-opening",
            summit.id
        )),
        "{opening:#}"
    );
}
