//! What the summit tests share: a summit to send requests under, and one built part by part.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::test_support::{TestApp, TestUser};

pub struct Summit<'a> {
    pub app: &'a TestApp,
    pub id: String,
}

impl Summit<'_> {
    pub async fn new<'a>(app: &'a TestApp, planner: &TestUser) -> Summit<'a> {
        let created: Value = app
            .http
            .post(app.url("/api/v1/summits"))
            .bearer_auth(&planner.token)
            .json(&json!({"name": "Solidarity Knows No Borders", "starts_on": "2026-09-12", "ends_on": "2026-09-13"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Summit {
            app,
            id: created["id"].as_str().unwrap().to_string(),
        }
    }

    /// Sends a request under this summit; returns the status and the JSON body (null when there is none).
    pub async fn send(
        &self,
        user: Option<&TestUser>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.app.http.request(
            method,
            self.app.url(&format!("/api/v1/summits/{}{path}", self.id)),
        );
        if let Some(user) = user {
            request = request.bearer_auth(&user.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// GETs a file under this summit: its status, content type and text.
    pub async fn file(&self, user: Option<&TestUser>, path: &str) -> (StatusCode, String, String) {
        let mut request = self
            .app
            .http
            .get(self.app.url(&format!("/api/v1/summits/{}{path}", self.id)));
        if let Some(user) = user {
            request = request.bearer_auth(&user.token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    pub async fn put(&self, user: &TestUser, path: &str, body: Value) -> Value {
        let (status, answer) = self.send(Some(user), Method::PUT, path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "PUT {path}: {answer}");
        answer
    }
}

/// Two days: Saturday's lunch is a meal slot; the only two-slot runs are Saturday afternoon and Sunday.
pub async fn build_summit(summit: &Summit<'_>, planner: &TestUser) {
    for (key, day, start, end, kind) in [
        ("sat-1", "2026-09-12", "10:00", "11:30", "session"),
        ("lunch", "2026-09-12", "11:30", "12:30", "meal"),
        ("sat-2", "2026-09-12", "12:30", "14:00", "session"),
        ("sat-3", "2026-09-12", "14:00", "15:30", "session"),
        ("sun-1", "2026-09-13", "10:00", "11:30", "session"),
        ("sun-2", "2026-09-13", "11:30", "13:00", "session"),
    ] {
        summit
            .put(
                planner,
                &format!("/slots/{key}"),
                json!({"day": day, "start": start, "end": end, "kind": kind}),
            )
            .await;
    }
    for (key, capacity, features) in [
        ("hall", 100, json!(["step_free", "hearing_loop", "projector"])),
        ("annex", 3, json!(["projector", "step_free"])),
        ("garden", 20, json!(["step_free"])),
    ] {
        summit
            .put(
                planner,
                &format!("/rooms/{key}"),
                json!({"capacity": capacity, "features": features}),
            )
            .await;
    }
    summit
        .put(
            planner,
            "/people/p1",
            json!({"name": "Amal", "unavailable": ["sat-2", "sat-3"]}),
        )
        .await;
    summit.put(planner, "/people/p2", json!({"name": "Rosa"})).await;
    for (key, body) in [
        (
            "opening",
            json!({"kind": "plenary", "title": "Opening", "facilitators": ["p2"]}),
        ),
        (
            "long",
            json!({"title": "Workplace rights", "theme": "work", "length": 2}),
        ),
        (
            "slides",
            json!({"title": "Climate justice", "theme": "climate", "facilitators": ["p1"], "requires": ["projector"]}),
        ),
        (
            "listening",
            json!({"title": "Embodied leadership", "theme": "leadership", "facilitators": ["p1"]}),
        ),
        (
            "popular",
            json!({"title": "Housing", "theme": "housing", "language": "en", "interpretation": ["ar"]}),
        ),
        (
            "talks",
            json!({"kind": "one_to_one", "title": "Organising conversations"}),
        ),
    ] {
        summit.put(planner, &format!("/sessions/{key}"), body).await;
    }
    summit
        .put(planner, "/pins/opening", json!({"slot": "sat-1", "room": "hall"}))
        .await;
}
