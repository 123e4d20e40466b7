//! The product as one process: its OpenAPI document covers every route, accounts and sessions behave,
//! and operators get health, readiness and metrics.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::TestApp;

async fn app() -> TestApp {
    TestApp::spawn(commonground::services).await
}

async fn openapi_document(app: &TestApp) -> Value {
    let response = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

/// Every `warp::path!(...)` in the workspace's source, as a path with `{}` for parameters.
fn routes_in_source() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    let mut folders = vec![root.join("shared/src"), root.join("services")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("tests") {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut routes = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (start, _) in source.match_indices("warp::path!(") {
            let rest = &source[start + "warp::path!(".len()..];
            let inside = &rest[..rest.find(')').unwrap()];
            let path: String = inside
                .split('/')
                .map(|segment| {
                    let segment = segment.trim();
                    match segment.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                        Some(literal) => format!("/{literal}"),
                        None => "/{}".to_string(),
                    }
                })
                .collect();
            routes.insert(path);
        }
    }
    routes
}

fn generic(path: &str) -> String {
    let mut out = String::new();
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                out.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if !in_parameter => out.push(c),
            _ => {}
        }
    }
    out
}

/// Fields the server fills (ids, keys from the path, counts) are in the schemas of the answers that carry
/// them, marked read-only: these schemas refuse unknown properties, so a client checking answers against
/// them would otherwise reject every one (`scripts/api-fuzz` found it).
#[tokio::test]
async fn fields_the_server_fills_are_documented_read_only() {
    let app = app().await;
    let document = openapi_document(&app).await;
    let filled = [
        ("Room", &["key"][..]),
        ("Slot", &["key"]),
        ("SummitSession", &["key"]),
        ("Facilitator", &["key"]),
        ("Pin", &["session"]),
        ("Registration", &["key", "user_id"]),
        ("TrainingSession", &["id", "registered", "attended", "cancelled"]),
        ("MentoringMeeting", &["id"]),
    ];
    for (schema, fields) in filled {
        let properties = &document["components"]["schemas"][schema]["properties"];
        for field in fields {
            assert_eq!(
                properties[field]["readOnly"],
                json!(true),
                "{schema}.{field} is not documented read-only: {properties}"
            );
        }
    }
}

/// The longest text the document allows for each field is accepted and one character more is refused,
/// counted in characters (Ethiopic letters take three bytes each), so a client that checks its requests
/// against the document is never refused for length.
#[tokio::test]
async fn documented_text_limits_are_the_ones_enforced() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let document = openapi_document(&app).await;
    let cases = [
        (
            "OrganisationInput",
            "name",
            "/api/v1/organisations",
            json!({"membership": "member"}),
        ),
        (
            "NewSummit",
            "name",
            "/api/v1/summits",
            json!({"starts_on": "2026-09-12", "ends_on": "2026-09-13"}),
        ),
        (
            "NewProgramme",
            "name",
            "/api/v1/capacity/programmes",
            json!({"kind": "academy"}),
        ),
        ("NewApiToken", "name", "/api/v1/tokens", json!({})),
        (
            "NewUser",
            "display_name",
            "/api/v1/users",
            json!({"password": "a long password", "role": "member"}),
        ),
    ];
    for (n, (schema, field, path, base)) in cases.into_iter().enumerate() {
        let limit = document["components"]["schemas"][schema]["properties"][field]["maxLength"]
            .as_u64()
            .unwrap_or_else(|| panic!("{schema}.{field} documents no maxLength"));
        for (length, accepted) in [(limit, true), (limit + 1, false)] {
            let mut body = base.clone();
            body[field] = json!("ሰ".repeat(length as usize));
            if schema == "NewUser" {
                body["email"] = json!(format!("limit-{n}-{length}@example.org"));
            }
            let response = app
                .http
                .post(app.url(path))
                .bearer_auth(&admin.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let answer: Value = response.json().await.unwrap();
            if accepted {
                assert!(
                    status.is_success(),
                    "{schema}.{field} of {length} characters: {status} {answer}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{schema}.{field} of {length}: {answer}"
                );
                assert_eq!(answer["errors"][0]["field"], json!(field), "{answer}");
            }
        }
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_only_real_ones() {
    let app = app().await;
    let document = openapi_document(&app).await;
    assert_eq!(document["openapi"], json!("3.1.0"));
    let paths = document["paths"].as_object().unwrap();
    let documented: BTreeSet<String> = paths.keys().map(|p| generic(p)).collect();
    let in_source = routes_in_source();
    assert!(in_source.len() >= 12, "found routes: {in_source:?}");
    let undocumented: Vec<&String> = in_source.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );

    // Each documented path answers its documented methods, and 405 to every other one.
    let admin = app.user(Role::Admin).await;
    let some_id = "0196f7a0-0000-7000-8000-000000000000";
    for (path, operations) in paths {
        let concrete = generic(path).replace("{}", some_id);
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let documented = operations.get(method.as_str().to_lowercase()).is_some();
            let response = app
                .http
                .request(method.clone(), app.url(&concrete))
                .bearer_auth(&admin.token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            if documented {
                assert!(
                    status != StatusCode::METHOD_NOT_ALLOWED && !body.contains("no such route"),
                    "{method} {path} is documented but not served: {status} {body}"
                );
                // 503 is a fair answer while the search index is still being built just after start.
                assert!(
                    !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
                    "{method} {path}: {status} {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served but not documented"
                );
            }
        }
    }
}

#[tokio::test]
async fn signing_in_gives_a_safe_session_cookie_that_signing_out_ends() {
    let app = app().await;
    let member = app.user(Role::Member).await;
    let signed_in = app
        .http
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": member.viewer.email.to_uppercase(), "password": member.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap().to_string();

    let me = app
        .http
        .get(app.url("/api/v1/me"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        me.json::<Value>().await.unwrap()["email"],
        json!(member.viewer.email)
    );

    let out = app
        .http
        .delete(app.url("/api/v1/session"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = app
        .http
        .get(app.url("/api/v1/me"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let anonymous = app.http.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_passwords_is_throttled() {
    let app = app().await;
    let member = app.user(Role::Member).await;
    let attempt = |password: &str| {
        app.http
            .post(app.url("/api/v1/session"))
            .json(&json!({"email": member.viewer.email, "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("wrong password").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let throttled = attempt(&member.password).await.unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn personal_tokens_are_listed_without_secrets_and_stop_working_when_revoked_or_expired() {
    let app = app().await;
    let member = app.user(Role::Member).await;
    let created: Value = app
        .http
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&member.token)
        .json(&json!({"name": "sync script", "expires_in_days": 30}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("cg_"));

    let listed = app
        .http
        .get(app.url("/api/v1/tokens"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let listed = listed.text().await.unwrap();
    assert!(listed.contains("sync script") && !listed.contains(&secret));
    let stored: i64 = app
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT count(*) FROM accounts.api_tokens WHERE token_hash = convert_to($1, 'UTF8')",
            &[&secret],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 0, "only a hash of the secret is stored");

    let id = created["id"].as_str().unwrap();
    let revoked = app
        .http
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&member.token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let after = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);

    app.pool
        .get()
        .await
        .unwrap()
        .execute(
            "UPDATE accounts.api_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
            &[&member.viewer.id],
        )
        .await
        .unwrap();
    let expired = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&member.token)
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn operators_get_health_readiness_and_metrics() {
    let app = app().await;
    assert_eq!(
        app.http.get(app.url("/healthz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        app.http.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    app.http.get(app.url("/api/v1/summits")).send().await.unwrap();
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("commonground_http_requests_total{method=\"GET\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("commonground_http_request_duration_seconds_bucket"));

    for path in ["/api/v1/summits", "/api/v1/capacity/programmes"] {
        let listed: Value = app
            .http
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed, json!({"items": [], "next_cursor": null}), "{path}");
    }
}

#[tokio::test]
async fn the_database_going_away_is_a_503_not_a_500() {
    let app = app().await;
    let name = app.database.name.clone();
    // Refuse new connections to this test's database and end the open ones.
    let mut admin_config = app.database.config.clone();
    admin_config.dbname("postgres");
    let (admin, connection) = admin_config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(&format!("ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"))
        .await
        .unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap();
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let listed = app
        .http
        .get(app.url("/api/v1/organisations"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(listed.headers()["content-type"], "application/problem+json");

    admin
        .batch_execute(&format!("ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let recovered = app
        .http
        .get(app.url("/api/v1/organisations"))
        .send()
        .await
        .unwrap();
    assert_eq!(recovered.status(), StatusCode::OK, "recovers by itself");
}
