//! Programmes, casework and the reports over a small known dataset: every figure checked.

mod common;

use common::{assess, assessment, call, world, World};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(w: &World, path: &str, body: Value) -> Value {
    let (status, created) = call(&w.app, Method::POST, path, Some(&w.admin), Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {created}");
    created
}

async fn person(w: &World, name: &str, organisation: uuid::Uuid) -> String {
    let body =
        json!({"name": name, "organisation_id": organisation, "consents": ["programmes", "mentoring"]});
    post(w, "/api/v1/capacity/people", body).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn reports_add_up_on_a_small_known_network() {
    let w = world().await;
    let (a, b) = (w.organisation_a, w.organisation_b);
    // Assessments: A twice in 2025 (governance 2 → 4), B once.
    assess(
        &w.app,
        &w.admin,
        a,
        assessment("2025-01-15", "facilitated", "final", [2, 2, 2, 2, 2, 2, 2, 2]),
    )
    .await;
    assess(
        &w.app,
        &w.admin,
        a,
        assessment("2025-10-15", "facilitated", "final", [4, 3, 2, 2, 2, 2, 2, 1]),
    )
    .await;
    assess(
        &w.app,
        &w.admin,
        b,
        assessment("2025-05-01", "consensus", "final", [3; 8]),
    )
    .await;
    assess(
        &w.app,
        &w.editor_b,
        b,
        assessment("2025-06-01", "self", "draft", [5; 8]),
    )
    .await;

    // The Academy: one cohort ending in 2025 with two sessions, three enrolments, two completions.
    let academy = post(
        &w,
        "/api/v1/capacity/programmes",
        json!({"name": "Community Leadership Academy", "kind": "academy"}),
    )
    .await;
    let academy_id = academy["id"].as_str().unwrap();
    let (status, _) = call(
        &w.app,
        Method::POST,
        "/api/v1/capacity/programmes",
        Some(&w.editor_a),
        Some(json!({"name": "x", "kind": "other"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cohort = post(
        &w,
        &format!("/api/v1/capacity/programmes/{academy_id}/cohorts"),
        json!({"name": "2025 intake", "starts_on": "2025-01-10", "ends_on": "2025-09-30"}),
    )
    .await;
    let cohort_id = cohort["id"].as_str().unwrap().to_string();
    let session_1 = post(&w, &format!("/api/v1/capacity/cohorts/{cohort_id}/sessions"),
        json!({"title": "One-to-ones", "held_on": "2025-02-01", "actions": ["connect", "grow_power"], "led_by_organisation_id": a})).await;
    let session_2 = post(
        &w,
        &format!("/api/v1/capacity/cohorts/{cohort_id}/sessions"),
        json!({"title": "Meeting your MP", "held_on": "2025-03-01", "actions": ["speak_out"]}),
    )
    .await;
    let (amal, bea) = (person(&w, "Amal", a).await, person(&w, "Bea", b).await);
    let enrolments = format!("/api/v1/capacity/cohorts/{cohort_id}/enrolments");
    let enrol = |body: Value| post(&w, &enrolments, body);
    let amal_enrolment = enrol(json!({"person_id": amal})).await;
    let bea_enrolment = enrol(json!({"person_id": bea})).await;
    enrol(json!({"organisation_id": a})).await;
    let (status, _) = call(
        &w.app,
        Method::POST,
        &format!("/api/v1/capacity/cohorts/{cohort_id}/enrolments"),
        Some(&w.admin),
        Some(json!({"organisation_id": a})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    for enrolment in [&amal_enrolment, &bea_enrolment] {
        let path = format!(
            "/api/v1/capacity/enrolments/{}",
            enrolment["id"].as_str().unwrap()
        );
        let (status, done) = call(
            &w.app,
            Method::PATCH,
            &path,
            Some(&w.admin),
            Some(json!({"status": "completed", "completed_on": "2025-09-30"})),
        )
        .await;
        assert_eq!(
            (status, done["status"].as_str()),
            (StatusCode::OK, Some("completed"))
        );
    }
    let attendance = |session: &Value| {
        format!(
            "/api/v1/capacity/sessions/{}/attendance",
            session["id"].as_str().unwrap()
        )
    };
    for (session, who, status) in [
        (&session_1, &amal, "attended"),
        (&session_1, &bea, "attended"),
        (&session_2, &amal, "registered"),
        (&session_2, &bea, "cancelled"),
    ] {
        let (code, _) = call(
            &w.app,
            Method::PUT,
            &attendance(session),
            Some(&w.admin),
            Some(json!({"person_id": who, "status": status})),
        )
        .await;
        assert_eq!(code, StatusCode::OK);
    }
    let (_, detail) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/capacity/cohorts/{cohort_id}"),
        Some(&w.admin),
        None,
    )
    .await;
    assert_eq!(
        (
            detail["sessions"][0]["attended"].as_i64(),
            detail["enrolments"].as_array().unwrap().len()
        ),
        (Some(2), 3)
    );
    let (_, programme) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/capacity/programmes/{academy_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(programme["cohorts"][0]["name"], "2025 intake");

    // Casework: numbers only; editors of A record A's, not B's.
    let casework = format!("/api/v1/capacity/organisations/{a}/casework/2025-Q2");
    let (status, _) = call(
        &w.app,
        Method::PUT,
        &casework,
        Some(&w.editor_a),
        Some(json!({"counts": {"immigration": 12, "housing": 4}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let b_casework = format!("/api/v1/capacity/organisations/{b}/casework/2025-Q2");
    assert_eq!(
        call(
            &w.app,
            Method::PUT,
            &b_casework,
            Some(&w.editor_a),
            Some(json!({"counts": {"housing": 1}}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = call(
        &w.app,
        Method::PUT,
        &format!("/api/v1/capacity/organisations/{a}/casework/2025-Q7"),
        Some(&w.admin),
        Some(json!({"counts": {}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A goal for the organisation report.
    post(
        &w,
        &format!("/api/v1/capacity/organisations/{a}/goals"),
        json!({"dimension": "governance_leadership", "title": "Elect a board", "due_on": "2026-03-01"}),
    )
    .await;

    let (status, network) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/network-report?from=2025-01-01&to=2025-12-31",
        Some(&w.member),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(network["organisations_supported"], 2);
    assert_eq!(network["assessments_done"], 3);
    assert_eq!(
        network["training"],
        json!({"sessions": 2, "registered": 1, "attended": 2, "cancelled": 1})
    );
    assert_eq!(
        network["cohorts"],
        json!({"cohorts": 1, "enrolments": 3, "completed": 2, "completion_rate": 2.0 / 3.0})
    );
    assert_eq!(network["active_matches"], 0);
    assert_eq!(network["casework_cases"], 16);
    assert_eq!(
        network["actions"],
        json!([
        {"action": "speak_out", "sessions": 1}, {"action": "connect", "sessions": 1},
        {"action": "grow_power", "sessions": 1}, {"action": "build_common_ground", "sessions": 0}])
    );
    // Only A was assessed twice: governance +2, operations -1.
    assert_eq!(
        (
            network["mean_change"][0]["change"].as_f64(),
            network["mean_change"][0]["organisations"].as_i64()
        ),
        (Some(2.0), Some(1))
    );
    assert_eq!(network["mean_change"][7]["change"].as_f64(), Some(-1.0));
    let (_, in_2024) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/network-report?from=2024-01-01&to=2024-12-31",
        Some(&w.member),
        None,
    )
    .await;
    assert_eq!(
        (
            in_2024["organisations_supported"].as_i64(),
            in_2024["assessments_done"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        call(&w.app, Method::GET, "/api/v1/capacity/network-report", None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    let csv = w
        .app
        .http
        .get(
            w.app
                .url("/api/v1/capacity/network-report.csv?from=2025-01-01&to=2025-12-31"),
        )
        .bearer_auth(&w.member.token)
        .send()
        .await
        .unwrap();
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("section,item,date,value\n"));
    assert!(csv.contains("network,organisations_supported,2025-01-01/2025-12-31,2\n"));
    assert!(csv.contains("mean_change,governance_leadership,2025-01-01/2025-12-31,2\n"));

    // The organisation report: A's editors and staff, nobody else.
    let report_path = format!("/api/v1/capacity/organisations/{a}/report");
    for (who, expected) in [
        (Some(&w.editor_b), StatusCode::FORBIDDEN),
        (Some(&w.member), StatusCode::FORBIDDEN),
        (None, StatusCode::UNAUTHORIZED),
    ] {
        assert_eq!(
            call(&w.app, Method::GET, &report_path, who, None).await.0,
            expected
        );
    }
    let (status, report) = call(&w.app, Method::GET, &report_path, Some(&w.editor_a), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["assessments"], 2);
    assert_eq!(report["dimensions"][0]["series"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            report["dimensions"][0]["first"].as_f64(),
            report["dimensions"][0]["latest"].as_f64()
        ),
        (Some(2.0), Some(4.0))
    );
    assert_eq!(report["goals"][0]["title"], "Elect a board");
    assert_eq!(report["support"]["sessions_attended"], 1);
    assert_eq!(report["support"]["enrolments"].as_array().unwrap().len(), 2);
    assert_eq!(report["support"]["casework"].as_array().unwrap().len(), 2);
    for (path, kind) in [
        ("report/radar.svg", "image/svg+xml"),
        ("report/lines.svg", "image/svg+xml"),
        ("report.csv", "text/csv; charset=utf-8"),
    ] {
        let response = w
            .app
            .http
            .get(w.app.url(&format!("/api/v1/capacity/organisations/{a}/{path}")))
            .bearer_auth(&w.admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (
                response.status(),
                response.headers()["content-type"].to_str().unwrap()
            ),
            (StatusCode::OK, kind)
        );
        let body = response.text().await.unwrap();
        assert!(
            body.contains("<svg") || body.contains("score,governance_leadership,2025-01-15,2\n"),
            "{path}: {body}"
        );
    }
    let response = w
        .app
        .http
        .get(w.app.url("/api/v1/capacity/network-report/change.svg"))
        .bearer_auth(&w.member.token)
        .send()
        .await
        .unwrap();
    assert!(response.text().await.unwrap().contains("<rect"));
}
