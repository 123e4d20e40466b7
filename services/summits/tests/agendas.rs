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

/// A new summit on `days` with `plan` saved; its id.
async fn summit_with_plan(app: &TestApp, planner: &TestUser, days: (&str, &str), plan: Value) -> String {
    let summit: Value = send(
        app,
        Some(planner),
        reqwest::Method::POST,
        "/api/v1/summits",
        Some(json!({"name": "Festival", "starts_on": days.0, "ends_on": days.1})),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let id = summit["id"].as_str().unwrap().to_string();
    let saved = send(
        app,
        Some(planner),
        reqwest::Method::PUT,
        &format!("/api/v1/summits/{id}/plan"),
        Some(plan),
        None,
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    id
}

/// A plan no agenda can satisfy: its one session needs a hearing loop that no room has.
fn impossible_plan() -> Value {
    json!({"timezone": "Europe/London",
        "slots": [{"id": "sat-1", "day": "2026-06-20", "start": "10:00", "end": "11:30"}],
        "rooms": [{"id": "hall", "capacity": 150, "features": ["step_free"]}],
        "sessions": [{"id": "w01", "title": "Embodied leadership", "theme": "leadership", "length": 1, "plenary": false,
                      "facilitators": [], "requires": ["hearing_loop"]}]})
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
    let id = &summit_with_plan(&app, &planner, ("2026-06-20", "2026-06-21"), impossible_plan()).await;
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
    for (plan, says) in [
        (
            json!({"timezone": "Europe/London", "rooms": [], "sessions": [],
                   "slots": [{"id": "sun-1", "day": "2026-06-22", "start": "10:00", "end": "11:00"}]}),
            "outside the summit (2026-06-20 to 2026-06-21)",
        ),
        (
            json!({"timezone": "Europe/Lundun", "rooms": [], "sessions": [],
                   "slots": [{"id": "sat-1", "day": "2026-06-20", "start": "10:00", "end": "11:00"}]}),
            "IANA",
        ),
    ] {
        let refused = send(
            &app,
            Some(&planner),
            Method::PUT,
            &format!("/api/v1/summits/{id}/plan"),
            Some(plan),
            Some("\"1\""),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem = refused.text().await.unwrap();
        assert!(problem.contains(says), "{problem}");
    }
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

/// Follows a solve until it is no longer running; returns every answer seen on the way.
async fn watch(app: &TestApp, planner: &TestUser, location: &str) -> Vec<Value> {
    let started = std::time::Instant::now();
    let mut seen: Vec<Value> = Vec::new();
    loop {
        let answer = send(app, Some(planner), reqwest::Method::GET, location, None, None).await;
        assert_eq!(answer.status(), StatusCode::OK);
        seen.push(answer.json().await.unwrap());
        if seen.last().unwrap()["state"] != json!("running") {
            return seen;
        }
        assert!(
            started.elapsed().as_secs() < 120,
            "the solve never finished: {seen:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_solve_runs_in_the_background_and_tells_how_far_it_has_gone() {
    use reqwest::Method;
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let member = app.user(Role::Member).await;
    let instance: Value =
        serde_json::from_str(&generate_instance(&GeneratorConfig::summit(2)).to_json()).unwrap();
    let id = summit_with_plan(&app, &planner, ("2026-09-12", "2026-09-13"), instance).await;

    let solves = format!("/api/v1/summits/{id}/solves");
    for (who, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(&member), StatusCode::FORBIDDEN),
    ] {
        assert_eq!(
            send(&app, who, Method::POST, &solves, None, None).await.status(),
            status
        );
    }
    let started = send(&app, Some(&planner), Method::POST, &solves, None, None).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let location = started.headers()["location"].to_str().unwrap().to_string();
    let first: Value = started.json().await.unwrap();
    assert_eq!(location, format!("{solves}/{}", first["id"].as_str().unwrap()));
    assert_eq!(
        (&first["state"], &first["step"], &first["done"]),
        (&json!("running"), &json!("starting"), &json!(0.0))
    );
    for (who, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(&member), StatusCode::FORBIDDEN),
    ] {
        assert_eq!(
            send(&app, who, Method::GET, &location, None, None).await.status(),
            status
        );
    }

    let seen = watch(&app, &planner, &location).await;
    for pair in seen.windows(2) {
        let done = |answer: &Value| answer["done"].as_f64().unwrap();
        assert!(done(&pair[0]) <= done(&pair[1]), "{pair:?}");
        assert!((0.0..=1.0).contains(&done(&pair[1])), "{pair:?}");
    }
    let finished = seen.last().unwrap();
    assert_eq!(
        (&finished["state"], &finished["done"]),
        (&json!("done"), &json!(1.0)),
        "{finished}"
    );
    assert!(
        finished["finished_at"].is_string() && finished["problems"].is_null(),
        "{finished}"
    );
    let number = finished["agenda"].as_i64().unwrap();
    let agenda: Value = send(
        &app,
        Some(&planner),
        Method::GET,
        &format!("/api/v1/summits/{id}/agendas/{number}"),
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        agenda["solution"]["metrics"]["lost_wishes"],
        finished["lost_wishes"]
    );
    assert_eq!(agenda["report"]["feasible"], json!(true));
}

#[tokio::test]
async fn one_solve_of_a_summit_runs_at_a_time_and_a_silent_one_is_interrupted() {
    use reqwest::Method;
    let app = TestApp::spawn(summits::service).await;
    let planner = app.user(Role::Planner).await;
    let id: uuid::Uuid = summit_with_plan(&app, &planner, ("2026-06-20", "2026-06-21"), impossible_plan())
        .await
        .parse()
        .unwrap();

    // Another server is running a solve of this summit.
    let elsewhere = uuid::Uuid::now_v7();
    let client = app.pool.get().await.unwrap();
    client
        .execute(
            "INSERT INTO summits.solves (id, summit_id, step) VALUES ($1, $2, 'placing')",
            &[&elsewhere, &id],
        )
        .await
        .unwrap();
    let solves = format!("/api/v1/summits/{id}/solves");
    let refused = send(&app, Some(&planner), Method::POST, &solves, None, None).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains(&format!("{solves}/{elsewhere}")));

    // That server stops and is heard from no more.
    client
        .execute(
            "UPDATE summits.solves SET updated_at = now() - interval '1 minute' WHERE id = $1",
            &[&elsewhere],
        )
        .await
        .unwrap();
    let silent = format!("{solves}/{elsewhere}");
    let answer: Value = send(&app, Some(&planner), Method::GET, &silent, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["state"], json!("interrupted"));

    let started = send(&app, Some(&planner), Method::POST, &solves, None, None).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let location = started.headers()["location"].to_str().unwrap().to_string();
    let answer: Value = send(&app, Some(&planner), Method::GET, &silent, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["state"], json!("failed"));
    assert!(
        answer["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("interrupted"),
        "{answer}"
    );

    // The plan cannot hold: the solve fails and says why.
    let failed = watch(&app, &planner, &location).await.pop().unwrap();
    assert_eq!(failed["state"], json!("failed"), "{failed}");
    assert!(failed["agenda"].is_null());
    assert!(
        failed["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("hearing_loop"),
        "{failed}"
    );
    let unknown = format!("{solves}/{}", uuid::Uuid::now_v7());
    assert_eq!(
        send(&app, Some(&planner), Method::GET, &unknown, None, None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
