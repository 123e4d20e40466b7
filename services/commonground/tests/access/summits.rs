//! The summits' mutating endpoints in the role matrix, and the summit each attempt acts on.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::test_support::TestApp;

use super::{Endpoint, People, Who};

/// A summit with a plan and one solved agenda.
pub struct Fixture {
    pub summit: String,
}

pub async fn fixture(app: &TestApp, people: &People) -> Fixture {
    let admin = &people.admin;
    let summit: Value = app
        .http
        .post(app.url("/api/v1/summits"))
        .bearer_auth(&admin.token)
        .json(&json!({"name": "Yorkshire Summit", "starts_on": "2026-09-12", "ends_on": "2026-09-12"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let summit = summit["id"].as_str().unwrap().to_string();
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
    Fixture { summit }
}

fn tiny_plan() -> Value {
    json!({"timezone": "Europe/London",
        "slots": [{"id": "sat-1", "day": "2026-09-12", "start": "10:00", "end": "11:30"},
                  {"id": "sat-2", "day": "2026-09-12", "start": "12:00", "end": "13:30"}],
        "rooms": [{"id": "hall", "capacity": 50, "features": ["step_free"]}],
        "sessions": [{"id": "w01", "title": "Workplace rights", "theme": "work", "length": 1, "plenary": false, "facilitators": [], "requires": []},
                     {"id": "w02", "title": "Climate justice", "theme": "climate", "length": 1, "plenary": false, "facilitators": [], "requires": []}],
        "attendees": [{"id": "a1", "wishes": ["w01", "w02"], "needs": ["step_free"], "unavailable": []}]})
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
            documented_path: "/api/v1/summits/{id}/agendas/{number}/publish",
            request: |fixture, _, _| {
                (
                    format!("/api/v1/summits/{}/agendas/1/publish", fixture.summits.summit),
                    None,
                )
            },
            expect: |who| planners(StatusCode::OK)(who),
        },
    ]
}
