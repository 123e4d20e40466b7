//! The ways in and out: CSV import (validated row by row, all or nothing), and HSDS 3.0, GeoJSON and CSV
//! exports that honour visibility and location precision. The HSDS export is checked against the official
//! schema.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};

async fn app_with_admin() -> (TestApp, TestUser) {
    let app = TestApp::spawn(directory::service).await;
    let admin = app.user(Role::Admin).await;
    (app, admin)
}

async fn import(app: &TestApp, user: Option<&TestUser>, csv: &str, partial: bool) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url(&format!("/api/v1/organisations/import?partial={partial}")))
        .header("content-type", "text/csv")
        .body(csv.to_string());
    if let Some(user) = user {
        request = request.bearer_auth(&user.token);
    }
    request.send().await.unwrap()
}

const FILE: &str = "name,description,themes,languages,town,address,postcode,precision,contact_email,contact_phone,contact_visibility\n\
Coventry Refugee Voices,Women organising for housing,housing;women,ti;ar,Coventry,1 Safe St,CV1 1AA,exact,hello@crv.example.org,+44 24 0000 0000,public\n\
Sheffield Drop-in,A safe space,legal aid,ti,Sheffield,2 Quiet Rd,S1 1AA,area,,,\n\
Luton Shelter,Beds for the night,housing,en,Luton,3 Hidden Way,LU1 1AA,hidden,,,\n";

async fn imported(app: &TestApp, admin: &TestUser) {
    let response = import(app, Some(admin), FILE, false).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.json::<Value>().await.unwrap()["imported"], json!(3));
}

#[tokio::test]
async fn an_import_with_a_bad_row_stores_nothing_unless_asked_for_the_valid_rows() {
    let (app, admin) = app_with_admin().await;
    let with_errors = format!("{FILE}Bad Row,,,english,Atlantis,,,sometimes,,,\n");
    let refused = import(&app, Some(&admin), &with_errors, false).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["rows[4].precision", "rows[4].town", "rows[4].languages[0]"]
    );
    let count = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            pool.get()
                .await
                .unwrap()
                .query_one("SELECT count(*) FROM directory.organisations", &[])
                .await
                .unwrap()
                .get::<_, i64>(0)
        }
    };
    assert_eq!(count(&app).await, 0, "all or nothing");

    let partial = import(&app, Some(&admin), &with_errors, true).await;
    assert_eq!(partial.status(), StatusCode::CREATED);
    let report: Value = partial.json().await.unwrap();
    assert_eq!(
        (report["rows"].clone(), report["imported"].clone()),
        (json!(4), json!(3))
    );
    assert_eq!(report["errors"].as_array().unwrap().len(), 3);
    assert_eq!(count(&app).await, 3);

    let member = app.user(Role::Member).await;
    assert_eq!(
        import(&app, Some(&member), FILE, false).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        import(&app, None, FILE, false).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_hsds_export_validates_against_the_official_schema_and_hides_what_it_must() {
    let (app, admin) = app_with_admin().await;
    imported(&app, &admin).await;
    let schema: Value = serde_json::from_str(include_str!("fixtures/hsds-3.0/organization.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(
        !validator.is_valid(&json!({"id": "0196f7a0-0000-7000-8000-000000000000", "name": "No description"}))
    );
    for user in [None, Some(&admin)] {
        let mut request = app.http.get(app.url("/api/v1/exports/organisations.hsds.json"));
        if let Some(user) = user {
            request = request.bearer_auth(&user.token);
        }
        let export: Value = request.send().await.unwrap().json().await.unwrap();
        let organisations = export.as_array().unwrap();
        assert_eq!(organisations.len(), 3);
        for organisation in organisations {
            let errors: Vec<String> = validator
                .iter_errors(organisation)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}\n{organisation:#}");
        }
        let text = export.to_string();
        if user.is_none() {
            assert!(
                !text.contains("2 Quiet Rd") && !text.contains("3 Hidden Way"),
                "no address of a safe space"
            );
            let shelter = organisations
                .iter()
                .find(|o| o["name"] == json!("Luton Shelter"))
                .unwrap();
            assert_eq!(shelter["locations"], json!([]));
            let voices = organisations
                .iter()
                .find(|o| o["name"] == json!("Coventry Refugee Voices"))
                .unwrap();
            assert_eq!(voices["phones"][0]["number"], json!("+44 24 0000 0000"));
            assert_eq!(
                voices["locations"][0]["addresses"][0]["postal_code"],
                json!("CV1 1AA")
            );
            assert_eq!(voices["services"].as_array().unwrap().len(), 2);
        } else {
            assert!(text.contains("3 Hidden Way"), "staff export everything");
        }
    }
}

#[tokio::test]
async fn geojson_and_search_csv_show_areas_as_areas() {
    let (app, admin) = app_with_admin().await;
    imported(&app, &admin).await;
    let collection: Value = app
        .http
        .get(app.url("/api/v1/exports/organisations.geojson"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(collection["type"], json!("FeatureCollection"));
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 2, "the hidden shelter is not on the public map");
    let sheffield = features
        .iter()
        .find(|f| f["properties"]["name"] == json!("Sheffield Drop-in"))
        .unwrap();
    assert_eq!(sheffield["properties"]["approximate"], json!(true));
    let real = shared::places::find("Sheffield").unwrap();
    assert_ne!(
        sheffield["geometry"]["coordinates"],
        json!([real.longitude, real.latitude])
    );

    let started = Instant::now();
    let csv = loop {
        let response = app
            .http
            .get(app.url("/api/v1/exports/search.csv?town=Sheffield&radius_km=20"))
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::OK {
            assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
            let body = response.text().await.unwrap();
            if body.lines().count() == 2 {
                break body;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the search never found the import"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,name,town,latitude,longitude,approximate,distance_km,url"
    );
    let row = lines.next().unwrap();
    assert!(
        row.contains("Sheffield Drop-in") && row.contains(",true,"),
        "{row}"
    );
}
