//! Action plans: who keeps them, and the overdue list.

mod common;

use common::{call, world};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn editors_keep_their_own_plan_and_see_only_their_own_overdue_items() {
    let w = world().await;
    let (a, b) = (w.organisation_a, w.organisation_b);
    let goal = json!({"dimension": "finance_sustainability", "title": "Three funders", "owner": "treasurer", "due_on": "2026-03-31"});
    let path = format!("/api/v1/capacity/organisations/{a}/goals");
    for (who, expected) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(&w.member), StatusCode::FORBIDDEN),
        (Some(&w.planner), StatusCode::FORBIDDEN),
        (Some(&w.editor_b), StatusCode::FORBIDDEN),
    ] {
        assert_eq!(
            call(&w.app, Method::POST, &path, who, Some(goal.clone())).await.0,
            expected
        );
        assert_eq!(call(&w.app, Method::GET, &path, who, None).await.0, expected);
    }
    let (status, created) = call(&w.app, Method::POST, &path, Some(&w.editor_a), Some(goal.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    let goal_id = created["id"].as_str().unwrap().to_string();
    let milestones = format!("/api/v1/capacity/goals/{goal_id}/milestones");
    let milestone = json!({"title": "Apply to the lottery", "due_on": "2026-01-31"});
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &milestones,
            Some(&w.editor_b),
            Some(milestone.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, created) = call(
        &w.app,
        Method::POST,
        &milestones,
        Some(&w.editor_a),
        Some(milestone),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let milestone_id = created["id"].as_str().unwrap().to_string();
    // Staff add a goal to B that is already late; done items are never overdue.
    let b_goals = format!("/api/v1/capacity/organisations/{b}/goals");
    let late = json!({"dimension": "governance_leadership", "title": "AGM held", "due_on": "2025-12-01"});
    assert_eq!(
        call(&w.app, Method::POST, &b_goals, Some(&w.admin), Some(late))
            .await
            .0,
        StatusCode::CREATED
    );
    let done = json!({"dimension": "governance_leadership", "title": "Constitution", "due_on": "2025-11-01", "status": "done"});
    assert_eq!(
        call(&w.app, Method::POST, &b_goals, Some(&w.admin), Some(done))
            .await
            .0,
        StatusCode::CREATED
    );

    let overdue = "/api/v1/capacity/overdue?on=2026-02-15";
    let (_, staff_view) = call(&w.app, Method::GET, overdue, Some(&w.admin), None).await;
    let titles: Vec<&str> = staff_view
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["AGM held", "Apply to the lottery"]);
    assert_eq!(staff_view[1]["days_overdue"], 15);
    let (_, a_view) = call(&w.app, Method::GET, overdue, Some(&w.editor_a), None).await;
    assert_eq!(a_view.as_array().unwrap().len(), 1);
    assert_eq!(a_view[0]["kind"], "milestone");
    let (_, member_view) = call(&w.app, Method::GET, overdue, Some(&w.member), None).await;
    assert_eq!(member_view, json!([]));

    // Marking the milestone done takes it off the list; the change is in the audit log.
    let patch = format!("/api/v1/capacity/milestones/{milestone_id}");
    assert_eq!(
        call(
            &w.app,
            Method::PATCH,
            &patch,
            Some(&w.editor_b),
            Some(json!({"status": "done"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, updated) = call(
        &w.app,
        Method::PATCH,
        &patch,
        Some(&w.editor_a),
        Some(json!({"status": "done"})),
    )
    .await;
    assert_eq!(
        (status, updated["status"].as_str()),
        (StatusCode::OK, Some("done"))
    );
    let (_, a_view) = call(&w.app, Method::GET, overdue, Some(&w.editor_a), None).await;
    assert_eq!(a_view, json!([]));
    let changes: i64 = w
        .app
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT count(*) FROM audit.events WHERE entity = 'capacity.milestone'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(changes, 2);
    let (status, _) = call(
        &w.app,
        Method::PATCH,
        &format!("/api/v1/capacity/goals/{goal_id}"),
        Some(&w.editor_a),
        Some(json!({"title": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &w.app,
        Method::POST,
        &path,
        Some(&w.editor_a),
        Some(json!({"dimension": "nope", "title": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, plan) = call(&w.app, Method::GET, &path, Some(&w.editor_a), None).await;
    assert_eq!(plan[0]["milestones"][0]["status"], "done");
}
