//! Finding allies and the links between organisations: ranked by what they share, how near they are and
//! who they both work with, using only what the viewer may see.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};

fn organisation(name: &str, town: &str, themes: &[&str], communities: &[&str], languages: &[&str]) -> Value {
    let place = shared::places::find(town).unwrap();
    json!({
        "name": name, "themes": themes, "communities": communities, "languages": languages, "membership": "member",
        "locations": [{"town": town, "latitude": place.latitude, "longitude": place.longitude, "precision": "exact"}]
    })
}

async fn post(app: &TestApp, user: &TestUser, path: &str, body: Value) -> Value {
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{path}");
    response.json().await.unwrap()
}

async fn get(app: &TestApp, user: Option<&TestUser>, path: &str) -> (StatusCode, Value) {
    let mut request = app.http.get(app.url(path));
    if let Some(user) = user {
        request = request.bearer_auth(&user.token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

struct Network {
    app: TestApp,
    admin: TestUser,
    member: TestUser,
    editor: TestUser,
    anchor: String,
}

async fn network() -> Network {
    let app = TestApp::spawn(directory::service).await;
    let admin = app.user(Role::Admin).await;
    let member = app.user(Role::Member).await;
    let editor = app.user(Role::Member).await;
    let create = |body: Value| {
        let (app, admin) = (&app, &admin);
        async move {
            post(app, admin, "/api/v1/organisations", body).await["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let anchor = create(organisation(
        "Sheffield Eritrean Housing Action",
        "Sheffield",
        &["housing", "legal aid"],
        &["Eritrean"],
        &["ti", "en"],
    ))
    .await;
    let near = create(organisation(
        "Rotherham Eritrean Tenants",
        "Rotherham",
        &["housing"],
        &["Eritrean"],
        &["ti", "en"],
    ))
    .await;
    let far = create(organisation(
        "Coventry Housing Justice",
        "Coventry",
        &["housing"],
        &["Sudanese"],
        &["ar", "en"],
    ))
    .await;
    create(organisation(
        "Sheffield Polish Arts",
        "Sheffield",
        &["arts"],
        &["Polish"],
        &["pl", "en"],
    ))
    .await;
    let hub = create(organisation(
        "South Yorkshire Migrant Forum",
        "Doncaster",
        &["workplace rights"],
        &["Roma"],
        &["rom"],
    ))
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/organisations/{anchor}/editors"),
        json!({"email": editor.viewer.email}),
    )
    .await;
    // The anchor and Coventry both work with the forum: the anchor's link is open to the network, Coventry's
    // is private.
    post(
        &app,
        &admin,
        &format!("/api/v1/organisations/{anchor}/links"),
        json!({"to": hub, "kind": "coalition", "visibility": "network"}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/organisations/{far}/links"),
        json!({"to": hub, "kind": "partner"}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/organisations/{near}/links"),
        json!({"to": anchor, "kind": "mentoring"}),
    )
    .await;
    let started = Instant::now();
    while get(&app, None, "/api/v1/organisations/search").await.1["total"] != json!(5) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the index never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Network {
        app,
        admin,
        member,
        editor,
        anchor,
    }
}

fn names(allies: &Value) -> Vec<&str> {
    allies
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn allies_are_ranked_by_what_they_share_and_say_why() {
    let network = network().await;
    let path = format!("/api/v1/organisations/{}/allies", network.anchor);
    let (status, allies) = get(&network.app, Some(&network.member), &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        names(&allies),
        vec!["Rotherham Eritrean Tenants", "Coventry Housing Justice"],
        "{allies}"
    );
    let best = &allies[0];
    assert_eq!(best["shared_themes"], json!(["housing"]));
    assert_eq!(
        best["shared_languages"],
        json!(["ti"]),
        "English is shared by everyone and says nothing"
    );
    let why = best["why"].as_str().unwrap();
    assert!(
        why.starts_with("shares housing; works with Eritrean communities; speaks ti;"),
        "{why}"
    );
    assert!(why.contains(" km"), "{why}");

    let (_, near_only) = get(
        &network.app,
        Some(&network.member),
        &format!("{path}?radius_km=30"),
    )
    .await;
    assert_eq!(names(&near_only), vec!["Rotherham Eritrean Tenants"]);
}

#[tokio::test]
async fn closeness_in_the_network_uses_only_links_the_viewer_may_see() {
    let network = network().await;
    let path = format!("/api/v1/organisations/{}/allies", network.anchor);
    let coventry = |allies: &Value| {
        allies
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == json!("Coventry Housing Justice"))
            .cloned()
            .unwrap()
    };
    // Coventry's link to the forum is private: a member does not learn that they both work with it.
    let (_, as_member) = get(&network.app, Some(&network.member), &path).await;
    assert_eq!(coventry(&as_member)["common_partners"], json!([]));
    let (_, as_staff) = get(&network.app, Some(&network.admin), &path).await;
    assert_eq!(
        coventry(&as_staff)["common_partners"],
        json!(["South Yorkshire Migrant Forum"])
    );
    assert!(coventry(&as_staff)["why"]
        .as_str()
        .unwrap()
        .contains("both work with South Yorkshire Migrant Forum"));
    let (_, anonymous) = get(&network.app, None, &path).await;
    assert!(anonymous
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["common_partners"] == json!([])));
}

#[tokio::test]
async fn links_reach_only_those_allowed_to_see_them() {
    let network = network().await;
    let path = format!("/api/v1/organisations/{}/links", network.anchor);
    let (status, _) = get(&network.app, None, &path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let kinds = |links: &Value| {
        let mut kinds: Vec<String> = links
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["kind"].as_str().unwrap().to_string())
            .collect();
        kinds.sort();
        kinds
    };
    let (_, as_member) = get(&network.app, Some(&network.member), &path).await;
    assert_eq!(
        kinds(&as_member),
        vec!["coalition"],
        "the private mentoring link is hidden"
    );
    let (_, as_editor) = get(&network.app, Some(&network.editor), &path).await;
    assert_eq!(kinds(&as_editor), vec!["coalition", "mentoring"]);

    let refused = network
        .app
        .http
        .post(network.app.url(&path))
        .bearer_auth(&network.member.token)
        .json(&json!({"to": network.anchor, "kind": "partner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let to_itself = network
        .app
        .http
        .post(network.app.url(&path))
        .bearer_auth(&network.editor.token)
        .json(&json!({"to": network.anchor, "kind": "partner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(to_itself.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
