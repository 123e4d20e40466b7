//! Directory search through the API: words, facets and geography together, for each audience, kept in
//! step with PostgreSQL through the outbox.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};

async fn app() -> TestApp {
    TestApp::spawn(directory::service).await
}

fn organisation(name: &str, town: &str, description: &str, themes: &[&str], precision: &str) -> Value {
    let place = shared::places::find(town).unwrap();
    json!({
        "name": name, "description": description, "themes": themes, "communities": ["Eritrean"],
        "languages": ["ti", "en"], "membership": "member",
        "locations": [{"town": town, "latitude": place.latitude, "longitude": place.longitude, "precision": precision}]
    })
}

async fn create(app: &TestApp, admin: &TestUser, body: Value) -> String {
    let response = app
        .http
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&admin.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn search(app: &TestApp, user: Option<&TestUser>, query: &str) -> Value {
    let mut request = app
        .http
        .get(app.url(&format!("/api/v1/organisations/search?{query}")));
    if let Some(user) = user {
        request = request.bearer_auth(&user.token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

/// Waits until a search finds `expected` organisations (the index follows the outbox).
async fn settled(app: &TestApp, user: Option<&TestUser>, query: &str, expected: u64) -> Value {
    let started = Instant::now();
    loop {
        let response = app
            .http
            .get(app.url(&format!("/api/v1/organisations/search?{query}")));
        let response = match user {
            Some(user) => response.bearer_auth(&user.token),
            None => response,
        }
        .send()
        .await
        .unwrap();
        if response.status() == StatusCode::OK {
            let answer: Value = response.json().await.unwrap();
            if answer["total"] == json!(expected) {
                return answer;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "`{query}` never found {expected}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn names(answer: &Value) -> Vec<&str> {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["name"].as_str().unwrap())
        .collect()
}

async fn network(app: &TestApp, admin: &TestUser) {
    for (name, town, description, themes, precision) in [
        (
            "Sheffield Eritrean Housing Action",
            "Sheffield",
            "Tenants organising for safe homes",
            &["housing"][..],
            "exact",
        ),
        (
            "Rotherham Legal Aid Circle",
            "Rotherham",
            "Free immigration advice and legal aid",
            &["legal aid"][..],
            "exact",
        ),
        (
            "Coventry Refugee Voices",
            "Coventry",
            "A women's group for housing rights",
            &["housing", "women"][..],
            "area",
        ),
        (
            "Peterborough Safe House",
            "Peterborough",
            "A shelter for women",
            &["housing"][..],
            "hidden",
        ),
    ] {
        create(
            app,
            admin,
            organisation(name, town, description, themes, precision),
        )
        .await;
    }
}

#[tokio::test]
async fn words_facets_and_distance_combine() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    network(&app, &admin).await;
    let everything = settled(&app, None, "", 4).await;
    assert_eq!(
        everything["facets"]["theme"][0],
        json!({"value": "housing", "count": 3})
    );

    let housing = search(&app, None, "q=housing").await;
    assert_eq!(housing["total"], json!(3));
    let near_sheffield = search(&app, None, "q=housing&town=Sheffield&radius_km=30").await;
    assert_eq!(names(&near_sheffield), vec!["Sheffield Eritrean Housing Action"]);
    let legal_nearby = search(&app, None, "theme=legal%20aid&near=53.38297,-1.4659&radius_km=30").await;
    assert_eq!(names(&legal_nearby), vec!["Rotherham Legal Aid Circle"]);
    let hit = &legal_nearby["items"][0]["matched_location"];
    assert_eq!(hit["town"], json!("Rotherham"));
    let km = hit["distance_km"].as_f64().unwrap();
    assert!((5.0..15.0).contains(&km), "{km}");

    let typo = search(&app, None, "q=shefield%20tennants").await;
    assert_eq!(names(&typo), vec!["Sheffield Eritrean Housing Action"]);
    let nearest = search(&app, None, "town=Coventry&sort=distance&limit=2").await;
    assert_eq!(names(&nearest)[0], "Coventry Refugee Voices");
    let snippet = search(&app, None, "q=immigration").await;
    assert!(snippet["items"][0]["snippets"]["description"]
        .as_str()
        .unwrap()
        .contains("<b>immigration</b>"));
}

#[tokio::test]
async fn places_that_must_stay_private_never_show_in_geography() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let member = app.user(Role::Member).await;
    network(&app, &admin).await;
    settled(&app, None, "", 4).await;

    let peterborough = "town=Peterborough&radius_km=5";
    assert_eq!(
        search(&app, None, peterborough).await["total"],
        json!(0),
        "hidden from the public"
    );
    assert_eq!(
        search(&app, Some(&member), peterborough).await["total"],
        json!(0),
        "and from members"
    );
    assert_eq!(
        search(&app, Some(&admin), peterborough).await["total"],
        json!(1),
        "staff see it"
    );

    let coventry = search(&app, None, "town=Coventry&radius_km=10").await;
    let location = &coventry["items"][0]["matched_location"];
    assert_eq!(location["approximate"], json!(true));
    let real = shared::places::find("Coventry").unwrap();
    assert_ne!(
        (
            location["latitude"].as_f64().unwrap(),
            location["longitude"].as_f64().unwrap()
        ),
        (real.latitude, real.longitude)
    );
    let staff = search(&app, Some(&admin), "town=Coventry&radius_km=10").await;
    assert_eq!(
        staff["items"][0]["matched_location"]["latitude"]
            .as_f64()
            .unwrap(),
        real.latitude
    );
}

#[tokio::test]
async fn a_profile_only_for_the_network_is_not_searchable_by_the_public() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let member = app.user(Role::Member).await;
    let mut closed = organisation(
        "Luton Solidarity Kitchen",
        "Luton",
        "Zanzibari cooking and casework",
        &["destitution"],
        "exact",
    );
    closed["visibility"] =
        json!({"profile": "network", "contact": "private", "locations": "public", "membership": "private"});
    create(&app, &admin, closed).await;
    settled(&app, None, "", 1).await;
    assert_eq!(search(&app, None, "q=zanzibari").await["total"], json!(0));
    assert_eq!(search(&app, None, "theme=destitution").await["total"], json!(0));
    assert_eq!(search(&app, None, "").await["facets"]["theme"], json!([]));
    assert_eq!(
        search(&app, None, "q=luton").await["total"],
        json!(1),
        "the name is public"
    );
    assert_eq!(
        search(&app, Some(&member), "q=zanzibari").await["total"],
        json!(1)
    );
}

#[tokio::test]
/// The outbox follower applies writes by itself, with no reindex. How fast is a figure, not a test: the
/// benchmark's "write → searchable" row (14 ms p50 in process) and BENCHMARKS.md.
async fn a_saved_or_deleted_profile_reaches_search_by_itself() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let id = create(
        &app,
        &admin,
        organisation(
            "Keighley Roma Network",
            "Keighley",
            "Romani families",
            &["youth"],
            "exact",
        ),
    )
    .await;
    settled(&app, None, "q=keighley", 1).await;
    let response = app
        .http
        .patch(app.url(&format!("/api/v1/organisations/{id}")))
        .bearer_auth(&admin.token)
        .header("if-match", "\"1\"")
        .json(&json!({"description": "Romani families and a football club"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    settled(&app, None, "q=football", 1).await;

    let deleted = app
        .http
        .delete(app.url(&format!("/api/v1/organisations/{id}")))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    settled(&app, None, "q=keighley", 0).await;
}

#[tokio::test]
async fn regions_and_posted_polygons_limit_a_search() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    network(&app, &admin).await;
    settled(&app, None, "", 4).await;
    let south_yorkshire = json!({"type": "Polygon", "coordinates": [[[-1.8, 53.3], [-1.1, 53.3], [-1.1, 53.6], [-1.8, 53.6], [-1.8, 53.3]]]});
    let stored = app
        .http
        .post(app.url("/api/v1/regions"))
        .bearer_auth(&admin.token)
        .json(&json!({"name": "South Yorkshire", "geometry": south_yorkshire}))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::CREATED);
    let region = stored.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let listed: Value = app
        .http
        .get(app.url("/api/v1/regions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], json!("South Yorkshire"));

    let mut found = names(&search(&app, None, &format!("region={region}")).await)
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(
        found,
        vec!["Rotherham Legal Aid Circle", "Sheffield Eritrean Housing Action"]
    );
    let posted: Value = app
        .http
        .post(app.url("/api/v1/organisations/search"))
        .json(&json!({"q": "housing", "within": south_yorkshire}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(names(&posted), vec!["Sheffield Eritrean Housing Action"]);

    let member = app.user(Role::Member).await;
    let refused = app
        .http
        .post(app.url("/api/v1/regions"))
        .bearer_auth(&member.token)
        .json(&json!({"name": "Mine", "geometry": south_yorkshire}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let open_ring = json!({"name": "Broken", "geometry": {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]}});
    let broken = app
        .http
        .post(app.url("/api/v1/regions"))
        .bearer_auth(&admin.token)
        .json(&open_ring)
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_search_parameters_are_each_explained() {
    let app = app().await;
    settled(&app, None, "", 0).await;
    let response = app
        .http
        .get(app.url("/api/v1/organisations/search?near=91,0&radius_km=-3&bbox=1,2&sort=closest&limit=500&town=Atlantis"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, vec!["bbox", "limit", "radius_km", "sort", "town"]);
    let unknown = app
        .http
        .get(app.url("/api/v1/organisations/search?colour=red"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

/// A member of staff in a database of its own, for tests that drive the indexer without the HTTP service.
async fn staff(pool: &deadpool_postgres::Pool) -> shared::accounts::Viewer {
    shared::accounts::create_user(
        pool,
        shared::accounts::NewUser {
            email: "staff@example.org".into(),
            display_name: "Staff".into(),
            password: "a long password".into(),
            role: Role::Admin,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_rebuilt_index_follows_the_outbox_exactly_and_survives_a_restart() {
    use directory::indexer::{catch_up, rebuild};
    use shared::test_support::TestDatabase;

    let database = TestDatabase::new().await;
    let pool = database.pool();
    let admin = staff(&pool).await;
    directory::demo::load(&pool, admin.id, 0, 30, |_| {})
        .await
        .unwrap();
    let root = std::env::temp_dir().join(format!("commonground-index-test-{}", admin.id.simple()));
    std::fs::create_dir_all(&root).unwrap();
    let (generation, index) = rebuild(&pool, &root, |_| {}).await.unwrap();
    let index = std::sync::Arc::new(index);
    assert_eq!(index.organisation_count(), 30);
    assert_eq!(
        catch_up(&index, &pool).await.unwrap(),
        0,
        "the rebuild already holds every change"
    );

    directory::demo::load(&pool, admin.id, 30, 5, |_| {})
        .await
        .unwrap();
    assert_eq!(catch_up(&index, &pool).await.unwrap(), 5);
    assert_eq!(
        catch_up(&index, &pool).await.unwrap(),
        0,
        "nothing is applied twice"
    );
    let position = index.last_applied_position().unwrap();
    drop(index);

    // As after a crash: reopen from disk and carry on from the stored position.
    let reopened =
        std::sync::Arc::new(search_index::DirectoryIndex::open_or_create(&root.join(&generation)).unwrap());
    assert_eq!(reopened.last_applied_position().unwrap(), position);
    assert_eq!(reopened.organisation_count(), 35);
    directory::demo::load(&pool, admin.id, 35, 2, |_| {})
        .await
        .unwrap();
    assert_eq!(catch_up(&reopened, &pool).await.unwrap(), 2);
    assert_eq!(reopened.organisation_count(), 37);
    drop(reopened);
    std::fs::remove_dir_all(root).unwrap();
}

/// Polls the index check until the index is built (503 until then) and has applied every change.
async fn index_check(app: &TestApp, admin: &TestUser) -> Value {
    let started = Instant::now();
    loop {
        let response = app
            .http
            .get(app.url("/api/v1/search-index"))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap();
        let built = response.status() == StatusCode::OK;
        let check: Value = response.json().await.unwrap();
        if (built && check["applied_position"] == check["outbox_position"])
            || started.elapsed() > Duration::from_secs(10)
        {
            return check;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn staff_can_check_the_index_against_postgresql_and_see_any_drift() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let first = create(
        &app,
        &admin,
        organisation(
            "Coventry Refugee Voices",
            "Coventry",
            "Advice",
            &["legal aid"],
            "exact",
        ),
    )
    .await;
    // Coordinates with every digit a double holds must come back from the index exactly.
    let mut bradford = organisation(
        "Bradford Tigrinya Circle",
        "Bradford",
        "Songs",
        &["culture"],
        "area",
    );
    bradford["locations"][0]["latitude"] = json!(53.795_984_123_456_78);
    bradford["locations"][0]["longitude"] = json!(-1.759_398_765_432_1);
    create(&app, &admin, bradford).await;

    let check = index_check(&app, &admin).await;
    assert_eq!(check["in_step"], true, "{check}");
    assert_eq!(
        (check["indexed"].clone(), check["live"].clone()),
        (json!(2), json!(2))
    );

    // A change behind the outbox's back: the check names the organisation that differs.
    let client = app.database.pool().get().await.unwrap();
    client
        .execute(
            "UPDATE directory.organisations SET name = 'Renamed behind its back' WHERE id = $1::text::uuid",
            &[&first],
        )
        .await
        .unwrap();
    let check = index_check(&app, &admin).await;
    assert_eq!(check["in_step"], false, "{check}");
    assert_eq!(check["differing"], json!([first]));

    for (user, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(app.user(Role::Planner).await), StatusCode::FORBIDDEN),
    ] {
        let mut request = app.http.get(app.url("/api/v1/search-index"));
        if let Some(user) = &user {
            request = request.bearer_auth(&user.token);
        }
        assert_eq!(request.send().await.unwrap().status(), status);
    }
}

#[tokio::test]
async fn the_demo_network_is_indexed_exactly_as_postgresql_holds_it() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    directory::demo::load(&app.database.pool(), admin.viewer.id, 0, 60, |_| {})
        .await
        .unwrap();
    let check = index_check(&app, &admin).await;
    assert_eq!(check["live"], 60);
    assert_eq!(check["in_step"], true, "{check}");
}

#[tokio::test]
async fn until_its_first_build_the_index_says_it_is_being_built() {
    let root = std::env::temp_dir().join(format!("commonground-index-{}", uuid::Uuid::now_v7()));
    let index = directory::indexer::SearchIndex::open(&root).unwrap();
    let request = search_index::SearchRequest::new(search_index::Audience::Public);
    let error = index.search(request).await.unwrap_err();
    assert_eq!(error.status().as_u16(), 503);
    assert!(error.to_string().contains("being built"), "{error}");
    std::fs::remove_dir_all(root).unwrap();
}

#[tokio::test]
async fn an_index_that_cannot_be_opened_is_rebuilt_from_postgresql() {
    use directory::indexer::SearchIndex;
    use shared::test_support::TestDatabase;

    let database = TestDatabase::new().await;
    let pool = database.pool();
    let admin = staff(&pool).await;
    directory::demo::load(&pool, admin.id, 0, 12, |_| {})
        .await
        .unwrap();
    // As left by an older version whose index had another schema: its generation no longer opens.
    let root = std::env::temp_dir().join(format!("commonground-index-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(root.join("generation-old")).unwrap();
    std::fs::write(
        root.join("generation-old/meta.json"),
        "{\"segments\": \"of another version\"}",
    )
    .unwrap();
    std::fs::write(root.join("CURRENT"), "generation-old").unwrap();

    let index = SearchIndex::open(&root).unwrap();
    assert!(!index.is_ready(), "searches wait for the rebuild");
    tokio::spawn(index.clone().follow(pool.clone()));
    let started = Instant::now();
    while !index.is_ready() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the index was never rebuilt"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(index.index().organisation_count(), 12);
    let current = std::fs::read_to_string(root.join("CURRENT")).unwrap();
    assert_ne!(current.trim(), "generation-old");
    let request = search_index::SearchRequest::new(search_index::Audience::Public);
    assert_eq!(index.search(request).await.unwrap().total, 12);
    std::fs::remove_dir_all(root).unwrap();
}
