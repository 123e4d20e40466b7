//! Planners build a summit part by part (rooms, slots, sessions, people, pins) and attendees register
//! themselves; the agenda solved from those parts keeps every hard constraint, each attendee reads their own
//! agenda, one-to-one blocks pair people, and a re-solve after a change moves only what must move.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::TestApp;
use support::{build_summit, Summit};

#[allow(dead_code)] // Each test file uses part of it.
mod support;

/// Where each session went: session → (slot, room).
fn placements(agenda: &Value) -> HashMap<String, (String, String)> {
    agenda["solution"]["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let text = |f: &str| p[f].as_str().unwrap().to_string();
            (text("session"), (text("slot"), text("room")))
        })
        .collect()
}

#[tokio::test]
async fn an_agenda_solved_from_the_parts_keeps_every_hard_constraint() {
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let summit = Summit::new(&app, &planner).await;
    build_summit(&summit, &planner).await;
    let mut members = Vec::new();
    for (n, wishes, needs) in [
        (0, json!(["listening", "popular"]), json!(["hearing_loop"])),
        (1, json!(["popular", "slides", "long"]), json!([])),
        (2, json!(["popular", "opening"]), json!([])),
        (3, json!(["popular", "talks"]), json!([])),
        (4, json!(["popular", "talks"]), json!([])),
    ] {
        let member = app.user(Role::Member).await;
        let saved = summit
            .put(
                &member,
                "/registrations/mine",
                json!({"wishes": wishes, "needs": needs, "languages": ["en"], "lunch": n % 2 == 0}),
            )
            .await;
        assert_eq!(saved["key"], json!(member.viewer.id.to_string()));
        members.push(member);
    }

    let (status, plan) = summit.send(Some(&planner), Method::GET, "/plan", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        plan["slots"][1],
        json!({"id": "lunch", "day": "2026-09-12", "start": "11:30", "end": "12:30", "break": true})
    );
    assert_eq!(plan["attendees"].as_array().unwrap().len(), 5);
    assert_eq!(
        plan["pinned"],
        json!([{"session": "opening", "slot": "sat-1", "room": "hall"}])
    );

    let (status, agenda) = summit.send(Some(&planner), Method::POST, "/agendas", None).await;
    assert_eq!(status, StatusCode::CREATED, "{agenda}");
    assert_eq!(agenda["report"]["feasible"], json!(true), "{agenda}");
    let placed = placements(&agenda);
    assert_eq!(placed.len(), 6, "every session placed exactly once");
    // Pins are kept, and a plenary runs alone in its slots.
    assert_eq!(placed["opening"], ("sat-1".into(), "hall".into()));
    assert!(placed
        .iter()
        .all(|(s, (slot, _))| s == "opening" || slot != "sat-1"));
    // No session in the meal slot; a two-slot session takes two consecutive slots of one day.
    assert!(placed.values().all(|(slot, _)| slot != "lunch"));
    assert!(
        ["sat-2", "sun-1"].contains(&placed["long"].0.as_str()),
        "{:?}",
        placed["long"]
    );
    // A facilitator is never placed when away, nor in two places at once.
    assert!(placed["slides"].0.starts_with("sun") && placed["listening"].0.starts_with("sun"));
    assert_ne!(placed["slides"].0, placed["listening"].0);
    // Required features, attendees' access needs and capacity (all five wish for `popular`).
    assert!(["hall", "annex"].contains(&placed["slides"].1.as_str()));
    assert_eq!(
        placed["listening"].1, "hall",
        "hearing_loop needed by an attendee"
    );
    assert_ne!(placed["popular"].1, "annex", "five people do not fit three seats");
    // A room holds one session per slot (the two-slot one holds its room for both).
    let mut taken = std::collections::HashSet::new();
    let order = ["sat-1", "lunch", "sat-2", "sat-3", "sun-1", "sun-2"];
    for (session, (slot, room)) in &placed {
        let first = order.iter().position(|s| s == slot).unwrap();
        let length = if session == "long" { 2 } else { 1 };
        for slot in &order[first..first + length] {
            assert!(
                taken.insert((slot.to_string(), room.clone())),
                "{room} at {slot} twice"
            );
        }
    }

    // Each attendee reads their own agenda once published; planners read anyone's; nobody else's is
    // readable.
    let agenda_path = "/agendas/1/mine";
    assert_eq!(
        summit
            .send(Some(&members[0]), Method::GET, agenda_path, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        summit
            .send(Some(&planner), Method::POST, "/agendas/1/publish", None)
            .await
            .0,
        StatusCode::OK
    );
    let (status, mine) = summit
        .send(Some(&members[0]), Method::GET, agenda_path, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let sessions: Vec<&str> = mine["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session"].as_str().unwrap())
        .collect();
    assert!(sessions.contains(&"listening"), "{mine}");
    let listening = mine["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session"] == "listening")
        .unwrap();
    assert_eq!(
        (&listening["day"], &listening["room"]),
        (&json!("2026-09-13"), &json!("hall"))
    );
    let someone = format!("{agenda_path}?attendee={}", members[1].viewer.id);
    assert_eq!(
        summit
            .send(Some(&members[0]), Method::GET, &someone, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, theirs) = summit.send(Some(&planner), Method::GET, &someone, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs["attendee"], json!(members[1].viewer.id.to_string()));
    assert_eq!(
        summit.send(None, Method::GET, agenda_path, None).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Registrations: planners see all, an attendee only their own.
    let (_, all) = summit
        .send(Some(&planner), Method::GET, "/registrations", None)
        .await;
    assert_eq!(all.as_array().unwrap().len(), 5);
    let (_, own) = summit
        .send(Some(&members[2]), Method::GET, "/registrations", None)
        .await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["wishes"], json!(["popular", "opening"]));
    assert_eq!(own[0]["lunch"], json!(true));
}

#[tokio::test]
async fn one_to_one_blocks_pair_people_across_organisations_and_never_twice() {
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let summit = Summit::new(&app, &planner).await;
    build_summit(&summit, &planner).await;
    let organisations = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()];
    let mut members = Vec::new();
    for n in 0..6 {
        let member = app.user(Role::Member).await;
        summit
            .put(
                &member,
                "/registrations/mine",
                json!({"wishes": ["talks"], "languages": ["en"], "themes": ["housing"],
                       "organisation": organisations[n % 2].to_string()}),
            )
            .await;
        members.push(member);
    }
    let (status, agenda) = summit.send(Some(&planner), Method::POST, "/agendas", None).await;
    assert_eq!(status, StatusCode::CREATED);
    let rounds = agenda["conversations"][0]["plan"]["rounds"].as_array().unwrap();
    assert_eq!(agenda["conversations"][0]["session"], json!("talks"));
    assert_eq!(rounds.len(), 3, "three rounds in a one-slot block");
    assert_eq!(
        summit
            .send(Some(&planner), Method::POST, "/agendas/1/publish", None)
            .await
            .0,
        StatusCode::OK
    );
    let mut met = std::collections::HashSet::new();
    for (n, member) in members.iter().enumerate() {
        let (status, mine) = summit
            .send(Some(member), Method::GET, "/agendas/1/mine", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let meetings = mine["meetings"].as_array().unwrap();
        assert_eq!(meetings.len(), 3, "someone to meet in every round: {mine}");
        for meeting in meetings {
            let partner = meeting["partner"].as_str().unwrap();
            let index = members
                .iter()
                .position(|m| m.viewer.id.to_string() == partner)
                .unwrap();
            assert_ne!(index % 2, n % 2, "partners are from different organisations");
            assert!(met.insert((n, index)), "{n} meets {index} twice");
        }
    }
    let (_, public) = summit.send(None, Method::GET, "/agendas/1", None).await;
    assert!(
        public.get("conversations").is_none(),
        "pairs name attendees: planners only"
    );
}

#[tokio::test]
async fn a_re_solve_moves_only_what_must_and_the_changelog_says_what_moved() {
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let summit = Summit::new(&app, &planner).await;
    build_summit(&summit, &planner).await;
    let (_, first) = summit.send(Some(&planner), Method::POST, "/agendas", None).await;
    assert_eq!(
        summit
            .send(Some(&planner), Method::POST, "/agendas/1/publish", None)
            .await
            .0,
        StatusCode::OK
    );
    let before = placements(&first);
    // Rosa can no longer come to `long`'s first slot: only `long` has to move.
    let away = before["long"].0.clone();
    summit
        .put(
            &planner,
            "/people/p2",
            json!({"name": "Rosa", "unavailable": [away]}),
        )
        .await;
    summit
        .put(
            &planner,
            "/sessions/long",
            json!({"title": "Workplace rights", "theme": "work", "length": 2, "facilitators": ["p2"]}),
        )
        .await;
    let (status, second) = summit.send(Some(&planner), Method::POST, "/agendas", None).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["solution"]["metrics"]["moved"], json!(1), "{second}");
    assert_eq!(second["report"]["moved_sessions"], json!(["long"]));

    let (status, _) = summit
        .send(Some(&planner), Method::POST, "/agendas?minimal_moves=maybe", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, free) = summit
        .send(Some(&planner), Method::POST, "/agendas?minimal_moves=false", None)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(free["report"]["feasible"], json!(true));
    assert_eq!(free["number"], json!(3));

    let (status, changes) = summit
        .send(Some(&planner), Method::GET, "/agendas/2/changes", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changes["since"], json!(1));
    let moves = changes["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 1, "{changes}");
    assert_eq!(moves[0]["session"], json!("long"));
    assert_eq!(moves[0]["from"]["slot"], json!(away));
    assert_ne!(moves[0]["to"]["slot"], json!(away));
    assert_eq!(
        summit.send(None, Method::GET, "/agendas/2/changes", None).await.0,
        StatusCode::NOT_FOUND,
        "not published yet"
    );
}

#[tokio::test]
async fn parts_that_would_break_the_plan_are_refused_with_reasons() {
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let member = app.user(Role::Member).await;
    let summit = Summit::new(&app, &planner).await;
    build_summit(&summit, &planner).await;

    let refused = |status: StatusCode, answer: &Value, needle: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(
            answer.to_string().contains(needle),
            "{needle:?} missing from {answer}"
        );
    };
    let (status, answer) = summit
        .send(
            Some(&planner),
            Method::PUT,
            "/slots/sun-3",
            Some(json!({"day": "2026-09-13", "start": "15:00", "end": "14:00"})),
        )
        .await;
    refused(status, &answer, "ends after it starts");
    let (status, answer) = summit
        .send(
            Some(&planner),
            Method::PUT,
            "/sessions/w9",
            Some(json!({"title": "Walk", "kind": "walk", "facilitators": ["nobody"]})),
        )
        .await;
    refused(status, &answer, "facilitator nobody is unknown");
    let (status, answer) = summit
        .send(
            Some(&planner),
            Method::PUT,
            "/pins/long",
            Some(json!({"slot": "sat-2", "room": "cellar"})),
        )
        .await;
    refused(status, &answer, "unknown room cellar");
    let (status, answer) = summit
        .send(
            Some(&member),
            Method::PUT,
            "/registrations/mine",
            Some(json!({"wishes": ["nothing-like-this"]})),
        )
        .await;
    refused(status, &answer, "wish nothing-like-this is unknown");
    let (status, answer) = summit
        .send(
            Some(&planner),
            Method::PUT,
            "/slots/sun-3",
            Some(json!({"day": "2026-02-30", "start": "10:00", "end": "11:00"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = summit
        .send(
            Some(&planner),
            Method::PUT,
            "/rooms/hall",
            Some(json!({"capacity": 10, "colour": "red"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields are refused");
    let (status, _) = summit
        .send(
            Some(&planner),
            Method::PUT,
            "/rooms/a%20b",
            Some(json!({"capacity": 10})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "keys are plain");
    let (status, _) = summit
        .send(Some(&planner), Method::DELETE, "/rooms/cellar", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Deleting a session takes it out of wishes and pins instead of leaving them dangling.
    summit
        .put(
            &member,
            "/registrations/mine",
            json!({"wishes": ["opening", "popular"]}),
        )
        .await;
    let (status, _) = summit
        .send(Some(&planner), Method::DELETE, "/sessions/opening", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, own) = summit
        .send(Some(&member), Method::GET, "/registrations", None)
        .await;
    assert_eq!(own[0]["wishes"], json!(["popular"]));
    let (_, pins) = summit.send(Some(&planner), Method::GET, "/pins", None).await;
    assert_eq!(pins, json!([]));

    // Who reads what: sessions are public, people (with their unavailability) are for planners.
    assert_eq!(
        summit.send(None, Method::GET, "/sessions", None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        summit.send(None, Method::GET, "/people", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        summit.send(Some(&member), Method::GET, "/people", None).await.0,
        StatusCode::FORBIDDEN
    );
    let (_, sessions) = summit.send(None, Method::GET, "/sessions", None).await;
    let popular = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "popular")
        .unwrap();
    assert_eq!(popular["interpretation"], json!(["ar"]));
    assert_eq!(popular["kind"], json!("workshop"));
}
