//! What every capacity test starts from: the capacity service on a fresh database, two organisations in the
//! directory with an editor each, and people of every role.
#![allow(dead_code)] // Each test file uses its own part of this module.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};
use uuid::Uuid;

pub struct World {
    pub app: TestApp,
    pub admin: TestUser,
    pub planner: TestUser,
    pub member: TestUser,
    pub editor_a: TestUser,
    pub editor_b: TestUser,
    pub organisation_a: Uuid,
    pub organisation_b: Uuid,
}

/// An organisation in the directory, written straight to its tables (the directory service is not served).
pub async fn organisation(app: &TestApp, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    app.pool
        .get()
        .await
        .unwrap()
        .execute(
            "INSERT INTO directory.organisations (id, name, membership, profile_visibility, contact_visibility,
                 locations_visibility, membership_visibility)
             VALUES ($1, $2, 'member', 'public', 'network', 'public', 'network')",
            &[&id, &name],
        )
        .await
        .unwrap();
    id
}

pub async fn make_editor(app: &TestApp, organisation: Uuid, user: &TestUser) {
    app.pool
        .get()
        .await
        .unwrap()
        .execute(
            "INSERT INTO directory.editors (organisation_id, user_id) VALUES ($1, $2)",
            &[&organisation, &user.viewer.id],
        )
        .await
        .unwrap();
}

pub async fn world() -> World {
    let app = TestApp::spawn(capacity::service).await;
    let organisation_a = organisation(&app, "Coventry Refugee Voices").await;
    let organisation_b = organisation(&app, "Keighley Roma Network").await;
    let editor_a = app.user(Role::Member).await;
    let editor_b = app.user(Role::Member).await;
    make_editor(&app, organisation_a, &editor_a).await;
    make_editor(&app, organisation_b, &editor_b).await;
    World {
        admin: app.user(Role::Admin).await,
        planner: app.user(Role::Planner).await,
        member: app.user(Role::Member).await,
        editor_a,
        editor_b,
        organisation_a,
        organisation_b,
        app,
    }
}

/// One request; the status and the JSON body (`Null` when there is none).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    user: Option<&TestUser>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.http.request(method, app.url(path));
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

/// The default framework's eight dimension keys.
pub const DIMENSIONS: [&str; 8] = [
    "governance_leadership",
    "strategy_adaptability",
    "finance_sustainability",
    "people_volunteers_safeguarding",
    "service_advice_quality",
    "learning_evaluation_data_protection",
    "community_voice_partnerships_influence",
    "operations_systems",
];

/// An assessment body rating every dimension with `scores` (one per dimension) by one rater.
pub fn assessment(on: &str, method: &str, status: &str, scores: [i64; 8]) -> Value {
    let ratings: Vec<Value> = DIMENSIONS
        .iter()
        .zip(scores)
        .map(|(d, s)| json!({"dimension": d, "score": s, "rater": "chair", "evidence": "minutes"}))
        .collect();
    json!({"assessed_on": on, "method": method, "status": status, "ratings": ratings})
}

/// Records an assessment of `organisation` as `user`, expecting 201; its id.
pub async fn assess(app: &TestApp, user: &TestUser, organisation: Uuid, body: Value) -> String {
    let (status, created) = call(
        app,
        Method::POST,
        &format!("/api/v1/capacity/organisations/{organisation}/assessments"),
        Some(user),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_string()
}
