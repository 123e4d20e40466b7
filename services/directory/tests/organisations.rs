//! The organisation endpoints over real HTTP against a real PostgreSQL: create, read as each audience,
//! change without losing anyone's update, history, editors, and clear answers to bad input.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};

async fn app() -> TestApp {
    TestApp::spawn(directory::service).await
}

fn sheffield_drop_in() -> Value {
    json!({
        "name": "Sheffield Refugee Women's Drop-in",
        "description": "A weekly safe space with legal aid and English classes.",
        "themes": ["women", "legal aid"],
        "communities": ["Eritrean", "Sudanese"],
        "languages": ["ti", "ar", "en"],
        "website": "https://drop-in.example.org",
        "contact": {"name": "Amina", "email": "hello@drop-in.example.org", "phone": "+44 114 000 0000"},
        "membership": "member",
        "visibility": {"profile": "public", "contact": "network", "locations": "public", "membership": "private"},
        "locations": [
            {"label": "drop-in", "address": "1 Safe Street", "postcode": "S1 1AA", "town": "Sheffield",
             "latitude": 53.38297, "longitude": -1.4659, "precision": "area"},
            {"label": "shelter", "town": "Sheffield", "latitude": 53.39, "longitude": -1.47, "precision": "hidden"}
        ]
    })
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    user: Option<&TestUser>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.http.request(method, app.url(path));
    if let Some(user) = user {
        request = request.bearer_auth(&user.token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("the server answers")
}

async fn create(app: &TestApp, admin: &TestUser, body: Value) -> Value {
    let response = send(
        app,
        Method::POST,
        "/api/v1/organisations",
        Some(admin),
        Some(body),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn make_editor(app: &TestApp, admin: &TestUser, organisation: &str, editor: &TestUser) {
    let response = send(
        app,
        Method::POST,
        &format!("/api/v1/organisations/{organisation}/editors"),
        Some(admin),
        Some(json!({"email": editor.viewer.email})),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

fn is_problem(response: &reqwest::Response) -> bool {
    response.headers()["content-type"] == "application/problem+json"
}

#[tokio::test]
async fn each_audience_sees_only_what_it_may() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let member = app.user(Role::Member).await;
    let created = create(&app, &admin, sheffield_drop_in()).await;
    let path = format!("/api/v1/organisations/{}", created["id"].as_str().unwrap());

    let public: Value = send(&app, Method::GET, &path, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public["hidden_fields"], json!(["contact", "membership"]));
    assert!(public.get("contact").is_none() && public.get("membership").is_none());
    let locations = public["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 1, "the hidden shelter is not shown");
    assert_eq!(locations[0]["approximate"], json!(true));
    assert!(locations[0].get("address").is_none() && locations[0].get("postcode").is_none());
    assert_ne!(locations[0]["latitude"], json!(53.38297));
    let text = public.to_string();
    assert!(!text.contains("Safe Street") && !text.contains("hello@drop-in"));

    let network: Value = send(&app, Method::GET, &path, Some(&member), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(network["contact"]["email"], json!("hello@drop-in.example.org"));
    assert_eq!(network["hidden_fields"], json!(["membership"]));

    let staff: Value = send(&app, Method::GET, &path, Some(&admin), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(staff["locations"].as_array().unwrap().len(), 2);
    assert_eq!(staff["locations"][0]["address"], json!("1 Safe Street"));
    assert_eq!(staff["membership"], json!("member"));

    let listed: Value = send(&app, Method::GET, "/api/v1/organisations", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"][0]["hidden_fields"],
        json!(["contact", "membership"])
    );
}

#[tokio::test]
async fn two_editors_never_silently_overwrite_each_other() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let editor = app.user(Role::Member).await;
    let created = create(&app, &admin, sheffield_drop_in()).await;
    let id = created["id"].as_str().unwrap();
    make_editor(&app, &admin, id, &editor).await;
    let path = format!("/api/v1/organisations/{id}");

    let read = send(&app, Method::GET, &path, Some(&editor), None).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, "\"1\"");

    let without = send(
        &app,
        Method::PATCH,
        &path,
        Some(&editor),
        Some(json!({"description": "x"})),
    )
    .await;
    assert_eq!(without.status(), StatusCode::PRECONDITION_REQUIRED);
    assert!(is_problem(&without));

    let first = app
        .http
        .patch(app.url(&path))
        .bearer_auth(&editor.token)
        .header("if-match", &etag)
        .json(&json!({"description": "Now also a food bank."}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["etag"], "\"2\"");

    let second = app
        .http
        .patch(app.url(&path))
        .bearer_auth(&admin.token)
        .header("if-match", &etag)
        .json(&json!({"name": "Stale name"}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(second.headers()["etag"], "\"2\"");
    let problem: Value = second.json().await.unwrap();
    assert_eq!(problem["current"]["description"], json!("Now also a food bank."));
    assert_eq!(problem["current"]["version"], json!(2));

    let now: Value = send(&app, Method::GET, &path, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        now["name"],
        json!("Sheffield Refugee Women's Drop-in"),
        "the stale write changed nothing"
    );
}

#[tokio::test]
async fn every_change_is_in_the_history_with_old_and_new_values() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let editor = app.user(Role::Member).await;
    let outsider = app.user(Role::Member).await;
    let created = create(&app, &admin, sheffield_drop_in()).await;
    let id = created["id"].as_str().unwrap();
    make_editor(&app, &admin, id, &editor).await;
    let patched = app
        .http
        .patch(app.url(&format!("/api/v1/organisations/{id}")))
        .bearer_auth(&editor.token)
        .header("if-match", "\"1\"")
        .json(&json!({"themes": ["women", "housing"], "website": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);

    let history_path = format!("/api/v1/organisations/{id}/history");
    let history: Value = send(&app, Method::GET, &history_path, Some(&editor), None)
        .await
        .json()
        .await
        .unwrap();
    let events = history["items"].as_array().unwrap();
    assert_eq!(events.len(), 3, "create, editor added, update: {history}");
    assert_eq!(events[0]["action"], json!("create"));
    assert_eq!(events[0]["actor_id"], json!(admin.viewer.id));
    let update = &events[2];
    assert_eq!(update["actor_id"], json!(editor.viewer.id));
    assert_eq!(
        update["changes"],
        json!([
            {"field": "themes", "old": ["women", "legal aid"], "new": ["women", "housing"]},
            {"field": "website", "old": "https://drop-in.example.org", "new": null}
        ])
    );
    let page: Value = send(
        &app,
        Method::GET,
        &format!("{history_path}?limit=2"),
        Some(&admin),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = send(
        &app,
        Method::GET,
        &format!("{history_path}?limit=2&cursor={cursor}"),
        Some(&admin),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rest["items"][0]["id"], events[2]["id"]);
    assert!(rest["next_cursor"].is_null());

    let refused = send(&app, Method::GET, &history_path, Some(&outsider), None).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let anonymous = send(&app, Method::GET, &history_path, None, None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let appended_only = app
        .pool
        .get()
        .await
        .unwrap()
        .execute("DELETE FROM audit.events", &[])
        .await;
    assert!(appended_only.is_err(), "the audit log refuses deletes");
}

#[tokio::test]
async fn bad_input_gets_a_clear_problem_and_changes_nothing() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;

    let mut out_of_range = sheffield_drop_in();
    out_of_range["locations"][0]["latitude"] = json!(123.0);
    out_of_range["languages"] = json!(["english"]);
    let response = send(
        &app,
        Method::POST,
        "/api/v1/organisations",
        Some(&admin),
        Some(out_of_range),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(is_problem(&response));
    let problem: Value = response.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["languages[0]", "locations[0].latitude"]);

    let mut unknown = sheffield_drop_in();
    unknown["colour"] = json!("red");
    let response = send(
        &app,
        Method::POST,
        "/api/v1/organisations",
        Some(&admin),
        Some(unknown),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("colour"),
        "{problem}"
    );

    let broken = app
        .http
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&admin.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert!(is_problem(&broken));

    let mut huge = sheffield_drop_in();
    huge["description"] = json!("x".repeat(100_000));
    let response = send(
        &app,
        Method::POST,
        "/api/v1/organisations",
        Some(&admin),
        Some(huge),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_problem(&response));

    for (path, status) in [
        ("/api/v1/organisations/not-an-id", StatusCode::BAD_REQUEST),
        (
            "/api/v1/organisations/0196f7a0-0000-7000-8000-000000000000",
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/organisations?limit=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/organisations?limit=lots", StatusCode::BAD_REQUEST),
        ("/api/v1/organisations?cursor=%21%21", StatusCode::BAD_REQUEST),
        ("/api/v1/no-such-thing", StatusCode::NOT_FOUND),
    ] {
        let response = send(&app, Method::GET, path, None, None).await;
        assert_eq!(response.status(), status, "{path}");
        assert!(is_problem(&response), "{path}");
    }

    let listed: Value = send(&app, Method::GET, "/api/v1/organisations", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"], json!([]), "no bad request stored anything");
}

#[tokio::test]
async fn the_list_pages_through_every_organisation_once() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let mut made = Vec::new();
    for n in 0..5 {
        let mut body = sheffield_drop_in();
        body["name"] = json!(format!("Group {n}"));
        made.push(create(&app, &admin, body).await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/organisations?limit=2".to_string();
    loop {
        let page: Value = send(&app, Method::GET, &path, None, None)
            .await
            .json()
            .await
            .unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().map(|o| o["id"].clone()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/organisations?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, made);
}

#[tokio::test]
async fn a_deleted_organisation_is_gone_but_its_history_stays() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let created = create(&app, &admin, sheffield_drop_in()).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/organisations/{id}");
    assert_eq!(
        send(&app, Method::DELETE, &path, Some(&admin), None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, Method::GET, &path, None, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&app, Method::DELETE, &path, Some(&admin), None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let events: i64 = app
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT count(*) FROM audit.events WHERE entity_id = $1::text::uuid",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(events, 2);
    let outbox: i64 = app
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT count(*) FROM directory.outbox WHERE organisation_id = $1::text::uuid",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        outbox, 2,
        "the search index hears of the creation and the deletion"
    );
}
