//! Who may touch what: every mutating endpoint of the whole product, tried by every kind of person, must
//! answer exactly the expected 2xx, 401 or 403. The list of endpoints is checked against the OpenAPI
//! document, so a new mutating endpoint cannot escape the matrix.

mod capacity;
mod summits;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Member,
    Planner,
    Admin,
    /// A member who edits organisation A (the one acted on).
    EditorOfA,
    /// A member who edits organisation B (another one).
    EditorOfB,
}

const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::Member,
    Who::Planner,
    Who::Admin,
    Who::EditorOfA,
    Who::EditorOfB,
];

struct People {
    member: TestUser,
    planner: TestUser,
    admin: TestUser,
    editor_of_a: TestUser,
    editor_of_b: TestUser,
}

impl People {
    fn get(&self, who: Who) -> Option<&TestUser> {
        match who {
            Who::Anonymous => None,
            Who::Member => Some(&self.member),
            Who::Planner => Some(&self.planner),
            Who::Admin => Some(&self.admin),
            Who::EditorOfA => Some(&self.editor_of_a),
            Who::EditorOfB => Some(&self.editor_of_b),
        }
    }
}

/// Fresh things to act on for one attempt.
struct Fixture {
    summits: summits::Fixture,
    capacity: capacity::Fixture,
    organisation_a: String,
    organisation_b: String,
    link_a_to_b: String,
    extra_editor_of_a: String,
    spare_token: String,
}

fn organisation(name: &str) -> Value {
    json!({"name": name, "membership": "member",
           "locations": [{"latitude": 52.40656, "longitude": -1.51217, "precision": "exact"}]})
}

/// POSTs `body` to `path` as `who`, asserts success and answers the created thing's `id` (empty when the
/// answer has none).
async fn create(app: &TestApp, who: &TestUser, path: &str, body: Value) -> String {
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(&who.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap_or_default().to_string()
}

async fn fixture(app: &TestApp, people: &People, who: Who) -> Fixture {
    let admin = &people.admin;
    let a = create(
        app,
        admin,
        "/api/v1/organisations",
        organisation("Coventry Refugee Voices"),
    )
    .await;
    let b = create(
        app,
        admin,
        "/api/v1/organisations",
        organisation("Keighley Roma Network"),
    )
    .await;
    let extra = app.user(Role::Member).await;
    for (organisation, editor) in [(&a, &people.editor_of_a), (&b, &people.editor_of_b), (&a, &extra)] {
        let editors = format!("/api/v1/organisations/{organisation}/editors");
        create(app, admin, &editors, json!({"email": editor.viewer.email})).await;
    }
    let links = format!("/api/v1/organisations/{a}/links");
    let link_a_to_b = create(app, admin, &links, json!({"to": b, "kind": "partner"})).await;
    // A second token of the person acting (or of the admin, for anonymous), to revoke.
    let owner = people.get(who).unwrap_or(admin);
    let spare_token = create(app, owner, "/api/v1/tokens", json!({"name": "spare"})).await;
    Fixture {
        summits: summits::fixture(app, people).await,
        capacity: capacity::fixture(app, people).await,
        link_a_to_b,
        organisation_b: b,
        organisation_a: a,
        extra_editor_of_a: extra.viewer.id.to_string(),
        spare_token,
    }
}

/// One mutating endpoint: its documented method and path, how to call it, and who may.
struct Endpoint {
    method: Method,
    documented_path: &'static str,
    request: fn(&Fixture, &People, Who) -> (String, Option<Value>),
    expect: fn(Who) -> StatusCode,
}

fn staff_only(who: Who) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        Who::Admin => StatusCode::CREATED,
        _ => StatusCode::FORBIDDEN,
    }
}

fn staff_and_editors(ok: StatusCode) -> impl Fn(Who) -> StatusCode {
    move |who| match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        Who::Admin | Who::EditorOfA => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

fn endpoints() -> Vec<Endpoint> {
    let mut endpoints = vec![
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/session",
            request: |_, people, who| {
                let body = match people.get(who) {
                    Some(user) => json!({"email": user.viewer.email, "password": user.password}),
                    None => json!({"email": "nobody@example.org", "password": "not a password"}),
                };
                ("/api/v1/session".into(), Some(body))
            },
            expect: |who| {
                if who == Who::Anonymous {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::OK
                }
            },
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/session",
            request: |_, _, _| ("/api/v1/session".into(), None),
            expect: |_| StatusCode::NO_CONTENT,
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/users",
            request: |_, _, _| {
                let email = format!("new-{}@example.org", uuid::Uuid::new_v4().simple());
                let body = json!({"email": email, "display_name": "New", "password": "a long password", "role": "member"});
                ("/api/v1/users".into(), Some(body))
            },
            expect: staff_only,
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/tokens",
            request: |_, _, _| ("/api/v1/tokens".into(), Some(json!({"name": "laptop"}))),
            expect: |who| {
                if who == Who::Anonymous {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::CREATED
                }
            },
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/tokens/{id}",
            request: |fixture, _, _| (format!("/api/v1/tokens/{}", fixture.spare_token), None),
            expect: |who| {
                if who == Who::Anonymous {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::NO_CONTENT
                }
            },
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/organisations",
            request: |_, _, _| {
                (
                    "/api/v1/organisations".into(),
                    Some(organisation("Luton Migrant Hub")),
                )
            },
            expect: staff_only,
        },
        Endpoint {
            method: Method::PATCH,
            documented_path: "/api/v1/organisations/{id}",
            request: |fixture, _, _| {
                (
                    format!("/api/v1/organisations/{}", fixture.organisation_a),
                    Some(json!({"description": "Changed"})),
                )
            },
            expect: |who| staff_and_editors(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/organisations/{id}",
            request: |fixture, _, _| (format!("/api/v1/organisations/{}", fixture.organisation_a), None),
            expect: |who| match staff_only(who) {
                StatusCode::CREATED => StatusCode::NO_CONTENT,
                other => other,
            },
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/organisations/{id}/editors",
            request: |fixture, people, _| {
                (
                    format!("/api/v1/organisations/{}/editors", fixture.organisation_a),
                    Some(json!({"email": people.member.viewer.email})),
                )
            },
            expect: |who| staff_and_editors(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/organisations/{id}/editors/{user_id}",
            request: |fixture, _, _| {
                (
                    format!(
                        "/api/v1/organisations/{}/editors/{}",
                        fixture.organisation_a, fixture.extra_editor_of_a
                    ),
                    None,
                )
            },
            expect: |who| staff_and_editors(StatusCode::NO_CONTENT)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/regions",
            request: |_, _, _| {
                let name = format!("Region {}", uuid::Uuid::new_v4().simple());
                let square = json!({"type": "Polygon", "coordinates": [[[-1.6, 52.3], [-1.4, 52.3], [-1.4, 52.5], [-1.6, 52.5], [-1.6, 52.3]]]});
                (
                    "/api/v1/regions".into(),
                    Some(json!({"name": name, "geometry": square})),
                )
            },
            expect: staff_only,
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/organisations/{id}/links",
            request: |fixture, _, _| {
                (
                    format!("/api/v1/organisations/{}/links", fixture.organisation_a),
                    Some(json!({"to": fixture.organisation_b, "kind": "coalition"})),
                )
            },
            expect: |who| staff_and_editors(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::DELETE,
            documented_path: "/api/v1/organisations/{id}/links/{link_id}",
            request: |fixture, _, _| {
                (
                    format!(
                        "/api/v1/organisations/{}/links/{}",
                        fixture.organisation_a, fixture.link_a_to_b
                    ),
                    None,
                )
            },
            // Either side's editors may remove a link between them.
            expect: |who| match who {
                Who::EditorOfB => StatusCode::NO_CONTENT,
                other => staff_and_editors(StatusCode::NO_CONTENT)(other),
            },
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/organisations/import",
            request: |_, _, _| ("/api/v1/organisations/import".into(), None),
            expect: staff_only,
        },
        Endpoint {
            // A read with a body (a polygon to search within): open to everyone.
            method: Method::POST,
            documented_path: "/api/v1/organisations/search",
            request: |_, _, _| {
                (
                    "/api/v1/organisations/search".into(),
                    Some(json!({"q": "refugee"})),
                )
            },
            expect: |_| StatusCode::OK,
        },
    ];
    endpoints.extend(summits::endpoints());
    endpoints.extend(capacity::endpoints());
    endpoints
}

/// One person's attempt at one endpoint, on a fresh fixture: the status it got.
async fn attempt(app: &TestApp, people: &People, endpoint: &Endpoint, who: Who) -> StatusCode {
    let fixture = fixture(app, people, who).await;
    let (path, body) = (endpoint.request)(&fixture, people, who);
    let mut request = app
        .http
        .request(endpoint.method.clone(), app.url(&path))
        .header("if-match", "\"1\"");
    if let Some(user) = people.get(who) {
        request = request.bearer_auth(&user.token);
    }
    request = match body {
        Some(body) => request.json(&body),
        // The one endpoint without a JSON body takes a CSV file.
        None if endpoint.documented_path.ends_with("/import") => request
            .header("content-type", "text/csv")
            .body("name,town\nWolverhampton Welcome,Wolverhampton\n"),
        None => request,
    };
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn every_mutating_endpoint_answers_each_role_as_expected() {
    let app = TestApp::spawn(commonground::services).await;
    let people = People {
        member: app.user(Role::Member).await,
        planner: app.user(Role::Planner).await,
        admin: app.user(Role::Admin).await,
        editor_of_a: app.user(Role::Member).await,
        editor_of_b: app.user(Role::Member).await,
    };
    // Each endpoint's six attempts run at once, each on its own fresh fixture.
    let mut failures = Vec::new();
    let mut tried = 0;
    for endpoint in endpoints() {
        let attempts = EVERYONE.map(|who| attempt(&app, &people, &endpoint, who));
        for (who, status) in EVERYONE
            .into_iter()
            .zip(futures_util::future::join_all(attempts).await)
        {
            let expected = (endpoint.expect)(who);
            tried += 1;
            if status != expected {
                failures.push(format!(
                    "{} {} as {who:?}: got {status}, expected {expected}",
                    endpoint.method, endpoint.documented_path
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(tried, endpoints().len() * EVERYONE.len());
}

#[tokio::test]
async fn the_matrix_covers_every_mutating_endpoint_in_the_openapi_document() {
    let app = TestApp::spawn(commonground::services).await;
    let document: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .unwrap()
                .keys()
                .filter(|method| !matches!(method.as_str(), "get" | "head" | "options" | "parameters"))
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let in_matrix: BTreeSet<String> = endpoints()
        .iter()
        .map(|e| format!("{} {}", e.method, e.documented_path))
        .collect();
    assert_eq!(in_matrix, documented);
}
