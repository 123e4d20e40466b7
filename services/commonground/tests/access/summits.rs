//! The summits' mutating endpoints in the role matrix, and the summit each attempt acts on.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::test_support::TestApp;

use super::{create, Endpoint, People, Who};

/// A summit with a plan (a facilitator, a pin, everyone registered themselves) and one solved agenda.
pub struct Fixture {
    pub summit: String,
}

pub async fn fixture(app: &TestApp, people: &People) -> Fixture {
    let admin = &people.admin;
    let summit = json!({"name": "Yorkshire Summit", "starts_on": "2026-09-12", "ends_on": "2026-09-12"});
    let summit = create(app, admin, "/api/v1/summits", summit).await;
    for (method, path, body) in [
        (
            Method::PUT,
            format!("/api/v1/summits/{summit}/plan"),
            Some(tiny_plan()),
        ),
        (Method::POST, format!("/api/v1/summits/{summit}/agendas"), None),
    ] {
        let mut request = app.http.request(method, app.url(&path)).bearer_auth(&admin.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert!(request.send().await.unwrap().status().is_success(), "{path}");
    }
    for person in [
        &people.member,
        &people.planner,
        &people.admin,
        &people.editor_of_a,
        &people.editor_of_b,
    ] {
        let registered = app
            .http
            .put(app.url(&format!("/api/v1/summits/{summit}/registrations/mine")))
            .bearer_auth(&person.token)
            .json(&json!({"wishes": ["w02"], "needs": ["step_free"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(registered.status(), StatusCode::OK);
    }
    Fixture { summit }
}

fn tiny_plan() -> Value {
    json!({"timezone": "Europe/London",
        "slots": [{"id": "sat-1", "day": "2026-09-12", "start": "10:00", "end": "11:30"},
                  {"id": "sat-2", "day": "2026-09-12", "start": "12:00", "end": "13:30"}],
        "rooms": [{"id": "hall", "capacity": 50, "features": ["step_free"]}],
        "sessions": [{"id": "w01", "title": "Workplace rights", "theme": "work", "length": 1, "plenary": false, "facilitators": ["p1"], "requires": []},
                     {"id": "w02", "title": "Climate justice", "theme": "climate", "length": 1, "plenary": false, "facilitators": [], "requires": []}],
        "people": [{"id": "p1", "unavailable": []}],
        "attendees": [{"id": "a1", "wishes": ["w01", "w02"], "needs": ["step_free"], "unavailable": []}],
        "pinned": [{"session": "w02", "slot": "sat-2", "room": "hall"}]})
}

/// One of the summit's parts under `collection/key`.
fn part(
    fixture: &super::Fixture,
    collection: &str,
    key: &str,
    body: Option<Value>,
) -> (String, Option<Value>) {
    (
        format!("/api/v1/summits/{}/{collection}/{key}", fixture.summits.summit),
        body,
    )
}

fn signed_in(ok: StatusCode) -> impl Fn(Who) -> StatusCode {
    move |who| match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        _ => ok,
    }
}

fn planners(ok: StatusCode) -> impl Fn(Who) -> StatusCode {
    move |who| match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        Who::Admin | Who::Planner => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/summits",
            request: |_, _, _| {
                (
                    "/api/v1/summits".into(),
                    Some(json!({"name": "Festival", "starts_on": "2026-06-20", "ends_on": "2026-06-21"})),
                )
            },
            expect: |who| planners(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/summits/{id}/plan",
            request: |fixture, _, _| {
                (
                    format!("/api/v1/summits/{}/plan", fixture.summits.summit),
                    Some(tiny_plan()),
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/summits/{id}/agendas",
            request: |fixture, _, _| {
                (
                    format!("/api/v1/summits/{}/agendas", fixture.summits.summit),
                    None,
                )
            },
            expect: |who| planners(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/summits/{id}/solves",
            request: |fixture, _, _| (format!("/api/v1/summits/{}/solves", fixture.summits.summit), None),
            expect: |who| planners(StatusCode::ACCEPTED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/summits/{id}/agendas/{number}/publish",
            request: |fixture, _, _| {
                (
                    format!("/api/v1/summits/{}/agendas/1/publish", fixture.summits.summit),
                    None,
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/summits/{id}/rooms/{key}",
            request: |fixture, _, _| {
                part(
                    fixture,
                    "rooms",
                    "annex",
                    Some(json!({"capacity": 30, "features": ["projector"]})),
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/summits/{id}/rooms/{key}",
            request: |fixture, _, _| part(fixture, "rooms", "hall", None),
            expect: |who| planners(StatusCode::NO_CONTENT)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/summits/{id}/slots/{key}",
            request: |fixture, _, _| {
                part(
                    fixture,
                    "slots",
                    "sat-3",
                    Some(json!({"day": "2026-09-12", "start": "14:00", "end": "15:30"})),
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/summits/{id}/slots/{key}",
            request: |fixture, _, _| part(fixture, "slots", "sat-1", None),
            expect: |who| planners(StatusCode::NO_CONTENT)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/summits/{id}/sessions/{key}",
            request: |fixture, _, _| {
                part(
                    fixture,
                    "sessions",
                    "w03",
                    Some(json!({"title": "Embodied leadership", "theme": "leadership"})),
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/summits/{id}/sessions/{key}",
            request: |fixture, _, _| part(fixture, "sessions", "w01", None),
            expect: |who| planners(StatusCode::NO_CONTENT)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/summits/{id}/people/{key}",
            request: |fixture, _, _| {
                part(
                    fixture,
                    "people",
                    "p2",
                    Some(json!({"name": "Rosa", "unavailable": ["sat-1"]})),
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/summits/{id}/people/{key}",
            request: |fixture, _, _| part(fixture, "people", "p1", None),
            expect: |who| planners(StatusCode::NO_CONTENT)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/summits/{id}/pins/{session}",
            request: |fixture, _, _| {
                part(
                    fixture,
                    "pins",
                    "w01",
                    Some(json!({"slot": "sat-1", "room": "hall"})),
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/summits/{id}/pins/{session}",
            request: |fixture, _, _| part(fixture, "pins", "w02", None),
            expect: |who| planners(StatusCode::NO_CONTENT)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/summits/{id}/registrations/mine",
            request: |fixture, _, _| {
                part(
                    fixture,
                    "registrations",
                    "mine",
                    Some(json!({"wishes": ["w01", "w02"], "lunch": true})),
                )
            },
            expect: |who| signed_in(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/summits/{id}/registrations/mine",
            request: |fixture, _, _| part(fixture, "registrations", "mine", None),
            expect: |who| signed_in(StatusCode::NO_CONTENT)(who),
        },
    ]
}
