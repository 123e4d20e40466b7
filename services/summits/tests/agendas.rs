//! Planners build an agenda through the API: a summit, its plan (with no lost update), an agenda solved
//! with its report, published for everyone; re-solving a published agenda moves nothing that need not move.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};
use summit_solver::{generate_instance, GeneratorConfig};

async fn send(
    app: &TestApp,
    user: Option<&TestUser>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> reqwest::Response {
    let mut request = app.http.request(method, app.url(path));
    if let Some(user) = user {
        request = request.bearer_auth(&user.token);
    }
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_planner_solves_and_publishes_an_agenda_that_others_can_read() {
    use reqwest::Method;
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let member = app.user(Role::Member).await;
    let summit: Value = send(&app, Some(&planner), Method::POST, "/api/v1/summits",
        Some(json!({"name": "Solidarity Knows No Borders", "starts_on": "2026-09-12", "ends_on": "2026-09-13"})), None)
        .await.json().await.unwrap();
    let id = summit["id"].as_str().unwrap();
    assert_eq!(summit["starts_on"], json!("2026-09-12"));
    let plan_path = format!("/api/v1/summits/{id}/plan");
    let instance: Value =
        serde_json::from_str(&generate_instance(&GeneratorConfig::summit(3)).to_json()).unwrap();

    let saved = send(
        &app,
        Some(&planner),
        Method::PUT,
        &plan_path,
        Some(instance.clone()),
        None,
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(saved.headers()["etag"], "\"1\"");
    let without = send(
        &app,
        Some(&planner),
        Method::PUT,
        &plan_path,
        Some(instance.clone()),
        None,
    )
    .await;
    assert_eq!(without.status(), StatusCode::PRECONDITION_REQUIRED);
    let again = send(
        &app,
        Some(&planner),
        Method::PUT,
        &plan_path,
        Some(instance.clone()),
        Some("\"1\""),
    )
    .await;
    assert_eq!(again.headers()["etag"], "\"2\"");
    let stale = send(
        &app,
        Some(&planner),
        Method::PUT,
        &plan_path,
        Some(instance.clone()),
        Some("\"1\""),
    )
    .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        send(&app, Some(&member), Method::GET, &plan_path, None, None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let solved = send(
        &app,
        Some(&planner),
        Method::POST,
        &format!("/api/v1/summits/{id}/agendas"),
        None,
        None,
    )
    .await;
    assert_eq!(solved.status(), StatusCode::CREATED);
    let agenda: Value = solved.json().await.unwrap();
    assert_eq!(agenda["number"], json!(1));
    assert_eq!(agenda["report"]["feasible"], json!(true));
    assert_eq!(agenda["solution"]["assignments"].as_array().unwrap().len(), 40);
    let wishes = agenda["solution"]["metrics"]["wishes"].as_u64().unwrap();
    assert!(agenda["solution"]["metrics"]["lost_wishes"].as_u64().unwrap() < wishes / 10);

    let agenda_path = format!("/api/v1/summits/{id}/agendas/1");
    assert_eq!(
        send(&app, None, Method::GET, &agenda_path, None, None)
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "not yet published"
    );
    let published = send(
        &app,
        Some(&planner),
        Method::POST,
        &format!("{agenda_path}/publish"),
        None,
        None,
    )
    .await;
    assert_eq!(published.status(), StatusCode::OK);
    let public: Value = send(&app, None, Method::GET, &agenda_path, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(public["published_at"].is_string());
    assert!(
        public.get("report").is_none(),
        "the report names attendees: planners only"
    );

    let resolved: Value = send(
        &app,
        Some(&planner),
        Method::POST,
        &format!("/api/v1/summits/{id}/agendas"),
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(resolved["number"], json!(2));
    assert_eq!(
        resolved["solution"]["metrics"]["moved"],
        json!(0),
        "nothing changed, so nothing moves"
    );
}

#[tokio::test]
async fn a_plan_that_cannot_hold_is_explained() {
    use reqwest::Method;
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let summit: Value = send(
        &app,
        Some(&planner),
        Method::POST,
        "/api/v1/summits",
        Some(json!({"name": "Festival", "starts_on": "2026-06-20", "ends_on": "2026-06-21"})),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let id = summit["id"].as_str().unwrap();
    let impossible = json!({"timezone": "Europe/London",
        "slots": [{"id": "sat-1", "day": "2026-06-20", "start": "10:00", "end": "11:30"}],
        "rooms": [{"id": "hall", "capacity": 150, "features": ["step_free"]}],
        "sessions": [{"id": "w01", "title": "Embodied leadership", "theme": "leadership", "length": 1, "plenary": false,
                      "facilitators": [], "requires": ["hearing_loop"]}]});
    let saved = send(
        &app,
        Some(&planner),
        Method::PUT,
        &format!("/api/v1/summits/{id}/plan"),
        Some(impossible),
        None,
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let refused = send(
        &app,
        Some(&planner),
        Method::POST,
        &format!("/api/v1/summits/{id}/agendas"),
        None,
        None,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("hearing_loop"),
        "{problem}"
    );

    let malformed = json!({"timezone": "Europe/London", "slots": [], "rooms": [],
        "sessions": [{"id": "w01", "title": "x", "theme": "x", "length": 1, "plenary": false, "facilitators": ["nobody"], "requires": []}]});
    let bad = send(
        &app,
        Some(&planner),
        Method::PUT,
        &format!("/api/v1/summits/{id}/plan"),
        Some(malformed),
        Some("\"1\""),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let backwards = send(
        &app,
        Some(&planner),
        Method::POST,
        "/api/v1/summits",
        Some(json!({"name": "Backwards", "starts_on": "2026-06-21", "ends_on": "2026-06-20"})),
        None,
    )
    .await;
    assert_eq!(backwards.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
