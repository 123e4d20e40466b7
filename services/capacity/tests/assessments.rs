//! Assessments over real HTTP and PostgreSQL: who sees and edits what, append-only history, disagreement
//! between raters and distance travelled.

mod common;

use common::{assess, assessment, call, world, DIMENSIONS};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn editors_see_and_edit_only_their_own_organisations_assessments() {
    let w = world().await;
    let (a, b) = (w.organisation_a, w.organisation_b);
    let draft = assess(
        &w.app,
        &w.editor_a,
        a,
        assessment("2026-01-10", "self", "draft", [2; 8]),
    )
    .await;
    let facilitated = assess(
        &w.app,
        &w.admin,
        b,
        assessment("2026-01-12", "facilitated", "final", [3; 8]),
    )
    .await;

    // Reading an assessment and an organisation's list.
    let cases = [
        (None, &draft, StatusCode::UNAUTHORIZED),
        (Some(&w.member), &draft, StatusCode::FORBIDDEN),
        (Some(&w.planner), &draft, StatusCode::FORBIDDEN),
        (Some(&w.editor_b), &draft, StatusCode::FORBIDDEN),
        (Some(&w.editor_a), &draft, StatusCode::OK),
        (Some(&w.admin), &draft, StatusCode::OK),
        (Some(&w.editor_a), &facilitated, StatusCode::FORBIDDEN),
        (Some(&w.editor_b), &facilitated, StatusCode::OK),
    ];
    for (who, id, expected) in cases {
        let (status, _) = call(
            &w.app,
            Method::GET,
            &format!("/api/v1/capacity/assessments/{id}"),
            who,
            None,
        )
        .await;
        assert_eq!(
            status,
            expected,
            "reading {id} as {:?}",
            who.map(|u| u.viewer.role)
        );
    }
    for (who, organisation, expected) in [
        (Some(&w.editor_a), a, StatusCode::OK),
        (Some(&w.editor_a), b, StatusCode::FORBIDDEN),
        (Some(&w.member), a, StatusCode::FORBIDDEN),
        (None, a, StatusCode::UNAUTHORIZED),
        (Some(&w.admin), b, StatusCode::OK),
    ] {
        let path = format!("/api/v1/capacity/organisations/{organisation}/assessments");
        assert_eq!(call(&w.app, Method::GET, &path, who, None).await.0, expected);
        let path = format!("/api/v1/capacity/organisations/{organisation}/distance");
        assert_eq!(call(&w.app, Method::GET, &path, who, None).await.0, expected);
    }

    // Recording: editors only self-assessments of their own organisation; staff anything.
    let body = || assessment("2026-02-01", "self", "draft", [3; 8]);
    for (who, organisation, expected) in [
        (None, a, StatusCode::UNAUTHORIZED),
        (Some(&w.member), a, StatusCode::FORBIDDEN),
        (Some(&w.planner), a, StatusCode::FORBIDDEN),
        (Some(&w.editor_b), a, StatusCode::FORBIDDEN),
        (Some(&w.editor_a), a, StatusCode::CREATED),
        (Some(&w.admin), a, StatusCode::CREATED),
    ] {
        let path = format!("/api/v1/capacity/organisations/{organisation}/assessments");
        assert_eq!(
            call(&w.app, Method::POST, &path, who, Some(body())).await.0,
            expected
        );
    }
    let path = format!("/api/v1/capacity/organisations/{a}/assessments");
    let facilitated_by_editor = assessment("2026-02-01", "facilitated", "final", [3; 8]);
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &path,
            Some(&w.editor_a),
            Some(facilitated_by_editor)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    // Editing the draft: its editors yes, the other organisation's no; once final, only staff.
    let versions = format!("/api/v1/capacity/assessments/{draft}/versions");
    assert_eq!(
        call(&w.app, Method::POST, &versions, Some(&w.editor_b), Some(body()))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, edited) = call(&w.app, Method::POST, &versions, Some(&w.editor_a), Some(body())).await;
    assert_eq!(
        (status, edited["version"].as_i64()),
        (StatusCode::CREATED, Some(2))
    );
    let submit = assessment("2026-02-01", "self", "final", [4; 8]);
    assert_eq!(
        call(&w.app, Method::POST, &versions, Some(&w.editor_a), Some(submit))
            .await
            .0,
        StatusCode::CREATED
    );
    let again = assessment("2026-02-01", "self", "final", [5; 8]);
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &versions,
            Some(&w.editor_a),
            Some(again.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Staff correct a final assessment only with a reason.
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &versions,
            Some(&w.admin),
            Some(again.clone())
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut corrected = again;
    corrected["reason"] = json!("the chair's scores were entered one row down");
    let (status, latest) = call(&w.app, Method::POST, &versions, Some(&w.admin), Some(corrected)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(latest["version"], 4);
    assert_eq!(latest["versions"].as_array().unwrap().len(), 4);
    // The history is still there, version by version.
    let (_, first) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/capacity/assessments/{draft}?version=1"),
        Some(&w.editor_a),
        None,
    )
    .await;
    assert_eq!(
        (first["status"].as_str(), first["ratings"][0]["score"].as_i64()),
        (Some("draft"), Some(2))
    );
}

#[tokio::test]
async fn the_database_refuses_to_rewrite_history() {
    let w = world().await;
    let id = assess(
        &w.app,
        &w.admin,
        w.organisation_a,
        assessment("2026-01-10", "consensus", "final", [3; 8]),
    )
    .await;
    let id: uuid::Uuid = id.parse().unwrap();
    let client = w.app.pool.get().await.unwrap();
    for statement in [
        "UPDATE capacity.ratings SET score = 5 WHERE assessment_id = $1",
        "DELETE FROM capacity.ratings WHERE assessment_id = $1",
        "UPDATE capacity.assessment_versions SET status = 'draft' WHERE assessment_id = $1",
        "DELETE FROM capacity.assessment_versions WHERE assessment_id = $1",
        "DELETE FROM capacity.assessments WHERE id = $1",
    ] {
        let error = client.execute(statement, &[&id]).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only") || format!("{error:?}").contains("append-only"),
            "{statement}: {error:?}"
        );
    }
    let error = client
        .execute(
            "UPDATE capacity.dimensions SET name = 'x' WHERE framework_version = 1",
            &[],
        )
        .await
        .unwrap_err();
    assert!(format!("{error:?}").contains("append-only"));
    let scores: i64 = client
        .query_one(
            "SELECT sum(score)::bigint FROM capacity.ratings WHERE assessment_id = $1",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(scores, 24);
}

#[tokio::test]
async fn raters_who_disagree_are_shown_and_distance_is_first_to_latest() {
    let w = world().await;
    let a = w.organisation_a;
    let mut two_raters = assessment("2025-01-10", "facilitated", "final", [1, 2, 2, 2, 2, 2, 2, 2]);
    two_raters["ratings"].as_array_mut().unwrap().push(
        json!({"dimension": DIMENSIONS[0], "score": 4, "rater": "facilitator", "evidence": "no board minutes"}),
    );
    let id = assess(&w.app, &w.admin, a, two_raters).await;
    let (_, read) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/capacity/assessments/{id}"),
        Some(&w.admin),
        None,
    )
    .await;
    let governance = &read["dimensions"][0];
    assert_eq!(governance["dimension"], DIMENSIONS[0]);
    assert_eq!(
        (governance["mean"].as_f64(), governance["disagreement"].as_bool()),
        (Some(2.5), Some(true))
    );
    assert_eq!(read["dimensions"][1]["disagreement"], false);

    assess(
        &w.app,
        &w.admin,
        a,
        assessment("2025-07-01", "facilitated", "final", [3; 8]),
    )
    .await;
    assess(
        &w.app,
        &w.admin,
        a,
        assessment("2026-01-10", "facilitated", "final", [4, 4, 3, 3, 3, 3, 3, 5]),
    )
    .await;
    // A later draft does not count.
    assess(
        &w.app,
        &w.editor_a,
        a,
        assessment("2026-03-01", "self", "draft", [1; 8]),
    )
    .await;
    let b = w.organisation_b;
    assess(
        &w.app,
        &w.admin,
        b,
        assessment("2025-02-01", "consensus", "final", [1; 8]),
    )
    .await;
    assess(
        &w.app,
        &w.admin,
        b,
        assessment("2026-02-01", "consensus", "final", [2; 8]),
    )
    .await;

    let (status, distance) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/capacity/organisations/{a}/distance"),
        Some(&w.editor_a),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(distance[0]["dimension"], DIMENSIONS[0]);
    assert_eq!(
        (distance[0]["first"].as_f64(), distance[0]["latest"].as_f64()),
        (Some(2.5), Some(4.0))
    );
    assert_eq!(distance[7]["change"].as_f64(), Some(3.0));

    let (_, network) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/distance",
        Some(&w.member),
        None,
    )
    .await;
    // Governance: A moved 1.5, B moved 1: the mean is 1.25 over two organisations.
    assert_eq!(network[0]["organisations"], 2);
    assert_eq!(network[0]["change"].as_f64(), Some(1.25));
    // Within 2025 only, A was assessed twice and B once: only A counts.
    let (_, in_2025) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/distance?from=2025-01-01&to=2025-12-31",
        Some(&w.member),
        None,
    )
    .await;
    assert_eq!(
        (
            in_2025[1]["organisations"].as_i64(),
            in_2025[1]["change"].as_f64()
        ),
        (Some(1), Some(1.0))
    );
    let (status, _) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/distance?from=2026-01-01&to=2025-01-01",
        Some(&w.member),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn admins_version_the_framework_and_old_assessments_keep_theirs() {
    let w = world().await;
    let old = assess(
        &w.app,
        &w.admin,
        w.organisation_a,
        assessment("2025-01-10", "consensus", "final", [2; 8]),
    )
    .await;
    let levels = json!(["none", "some", "half", "most", "all"]);
    let new_framework = json!({"note": "two dimensions for a pilot", "dimensions": [
        {"key": "governance_leadership", "name": "Governance", "levels": levels},
        {"key": "digital", "name": "Digital", "levels": levels}]});
    let path = "/api/v1/capacity/framework";
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            path,
            Some(&w.planner),
            Some(new_framework.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, created) = call(&w.app, Method::POST, path, Some(&w.admin), Some(new_framework)).await;
    assert_eq!(
        (status, created["version"].as_i64()),
        (StatusCode::CREATED, Some(2))
    );
    let (_, current) = call(&w.app, Method::GET, path, None, None).await;
    assert_eq!(current["dimensions"].as_array().unwrap().len(), 2);
    let (_, first) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/framework?version=1",
        None,
        None,
    )
    .await;
    assert_eq!(
        first["dimensions"][0]["levels"],
        json!([
            "not in place",
            "emerging",
            "developing",
            "established",
            "embedded and leading"
        ])
    );
    let (_, read) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/capacity/assessments/{old}"),
        Some(&w.admin),
        None,
    )
    .await;
    assert_eq!(
        (
            read["framework_version"].as_i64(),
            read["dimensions"].as_array().unwrap().len()
        ),
        (Some(1), 8)
    );
    let bad = json!({"dimensions": [{"key": "Bad Key", "name": "", "levels": ["one"]}]});
    let (status, problem) = call(&w.app, Method::POST, path, Some(&w.admin), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 3);
    let (status, _) = call(
        &w.app,
        Method::POST,
        path,
        Some(&w.admin),
        Some(json!({"oops": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
