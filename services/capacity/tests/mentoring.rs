//! Mentoring over HTTP: consent first, the matcher's hard rules, staff decisions and the meeting log.

mod common;

use common::{call, world, World};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn person(w: &World, name: &str, consents: Value) -> String {
    let (status, person) = call(
        &w.app,
        Method::POST,
        "/api/v1/capacity/people",
        Some(&w.admin),
        Some(json!({"name": name, "email": format!("{}@example.org", name.to_lowercase()), "consents": consents})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{person}");
    person["id"].as_str().unwrap().to_string()
}

async fn profile(w: &World, name: &str, body: Value) -> String {
    let person = person(w, name, json!(["mentoring"])).await;
    let mut body = body;
    body["person_id"] = json!(person);
    let (status, created) = call(
        &w.app,
        Method::POST,
        "/api/v1/capacity/mentoring/profiles",
        Some(&w.admin),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_string()
}

fn mentor(languages: &[&str], availability: &[&str], safeguarded: bool, capacity: i64) -> Value {
    json!({"role": "mentor", "languages": languages, "availability": availability, "latitude": 52.4066,
           "longitude": -1.5122, "skills": ["funding"], "capacity": capacity,
           "safeguarding_checked_on": if safeguarded { json!("2026-01-05") } else { Value::Null }})
}

fn mentee(languages: &[&str], availability: &[&str]) -> Value {
    json!({"role": "mentee", "languages": languages, "availability": availability, "latitude": 52.41,
           "longitude": -1.5, "skills": ["funding"], "safeguarding_checked_on": "2026-01-12"})
}

#[tokio::test]
async fn proposals_keep_the_hard_rules_and_staff_decide_with_reasons() {
    let w = world().await;
    // No consent to mentoring: no profile.
    let no_consent = person(&w, "Amina", json!(["contact"])).await;
    let mut body = mentor(&["arabic"], &["mon_evening"], true, 1);
    body["person_id"] = json!(no_consent);
    let (status, _) = call(
        &w.app,
        Method::POST,
        "/api/v1/capacity/mentoring/profiles",
        Some(&w.admin),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_slot = json!({"role": "mentee", "languages": ["arabic"], "availability": ["someday"], "latitude": 52.0,
                          "longitude": -1.0, "person_id": no_consent});
    let (status, problem) = call(
        &w.app,
        Method::POST,
        "/api/v1/capacity/mentoring/profiles",
        Some(&w.admin),
        Some(bad_slot),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("availability"))
    );

    let unchecked = profile(
        &w,
        "Unchecked",
        mentor(&["arabic", "english"], &["mon_evening"], false, 3),
    )
    .await;
    let polish_only = profile(&w, "Polish", mentor(&["polish"], &["mon_evening"], true, 3)).await;
    let mornings = profile(&w, "Mornings", mentor(&["arabic"], &["tue_morning"], true, 3)).await;
    let good = profile(
        &w,
        "Good",
        mentor(&["arabic", "english"], &["mon_evening", "sat_morning"], true, 2),
    )
    .await;
    let mentees = [
        profile(&w, "Menteeone", mentee(&["arabic"], &["mon_evening"])).await,
        profile(&w, "Menteetwo", mentee(&["english"], &["sat_morning"])).await,
        profile(&w, "Menteethree", mentee(&["arabic"], &["mon_evening"])).await,
    ];
    let mut not_yet = mentee(&["arabic", "english"], &["mon_evening", "sat_morning"]);
    not_yet["safeguarding_checked_on"] = Value::Null;
    let unchecked_mentee = profile(&w, "Menteefour", not_yet).await;

    let proposals_path = "/api/v1/capacity/mentoring/proposals";
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            proposals_path,
            Some(&w.planner),
            Some(json!({}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, proposals) = call(
        &w.app,
        Method::POST,
        proposals_path,
        Some(&w.admin),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let proposals = proposals.as_array().unwrap().clone();
    // Only "Good" may mentor anyone, and has room for two: two of the three checked mentees get a proposal.
    assert_eq!(proposals.len(), 2);
    for proposal in &proposals {
        assert_eq!(proposal["mentor_id"].as_str(), Some(good.as_str()));
        assert_ne!(proposal["mentee_id"].as_str(), Some(unchecked_mentee.as_str()));
        for never in [&unchecked, &polish_only, &mornings] {
            assert_ne!(proposal["mentor_id"].as_str(), Some(never.as_str()));
        }
    }

    // Accept one, reject the other (a reason is required); ending a proposal is not a step.
    let status_path = |id: &Value| {
        format!(
            "/api/v1/capacity/mentoring/matches/{}/status",
            id.as_str().unwrap()
        )
    };
    let (first, second) = (&proposals[0]["id"], &proposals[1]["id"]);
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &status_path(first),
            Some(&w.admin),
            Some(json!({"status": "ended"}))
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (status, active) = call(
        &w.app,
        Method::POST,
        &status_path(first),
        Some(&w.admin),
        Some(json!({"status": "active", "on": "2026-02-01"})),
    )
    .await;
    assert_eq!(
        (status, active["status"].as_str(), active["started_on"].as_str()),
        (StatusCode::OK, Some("active"), Some("2026-02-01"))
    );
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &status_path(second),
            Some(&w.admin),
            Some(json!({"status": "rejected"}))
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, _) = call(
        &w.app,
        Method::POST,
        &status_path(second),
        Some(&w.admin),
        Some(json!({"status": "rejected", "reason": "mentee moved away"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Override: never past a missing safeguarding check; otherwise with a reason, starting active.
    let override_path = "/api/v1/capacity/mentoring/matches";
    let leftover = mentees
        .iter()
        .find(|m| {
            proposals
                .iter()
                .all(|p| p["mentee_id"].as_str() != Some(m.as_str()))
        })
        .unwrap();
    let (status, problem) = call(
        &w.app,
        Method::POST,
        override_path,
        Some(&w.admin),
        Some(json!({"mentor_id": good, "mentee_id": unchecked_mentee, "reason": "asked for Good"})),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("mentee_id"))
    );
    let by_hand = |mentor: &str| json!({"mentor_id": mentor, "mentee_id": leftover, "reason": "they met at the Coventry workshop"});
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            override_path,
            Some(&w.admin),
            Some(by_hand(&unchecked))
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, set) = call(
        &w.app,
        Method::POST,
        override_path,
        Some(&w.admin),
        Some(by_hand(&polish_only)),
    )
    .await;
    assert_eq!(
        (status, set["origin"].as_str(), set["status"].as_str()),
        (StatusCode::CREATED, Some("override"), Some("active"))
    );
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            override_path,
            Some(&w.admin),
            Some(by_hand(&good))
        )
        .await
        .0,
        StatusCode::CONFLICT
    );

    // The meeting log, then the end of the match.
    let meetings = format!(
        "/api/v1/capacity/mentoring/matches/{}/meetings",
        first.as_str().unwrap()
    );
    let meeting = json!({"met_on": "2026-02-08", "minutes": 60, "notes": "funding plan"});
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &meetings,
            Some(&w.editor_a),
            Some(meeting.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&w.app, Method::POST, &meetings, Some(&w.admin), Some(meeting))
            .await
            .0,
        StatusCode::CREATED
    );
    let (_, log) = call(&w.app, Method::GET, &meetings, Some(&w.admin), None).await;
    assert_eq!(log[0]["minutes"], 60);
    let (status, ended) = call(
        &w.app,
        Method::POST,
        &status_path(first),
        Some(&w.admin),
        Some(json!({"status": "ended", "on": "2026-06-01"})),
    )
    .await;
    assert_eq!(
        (status, ended["ended_on"].as_str()),
        (StatusCode::OK, Some("2026-06-01"))
    );
    let rejected_meetings = format!(
        "/api/v1/capacity/mentoring/matches/{}/meetings",
        second.as_str().unwrap()
    );
    assert_eq!(
        call(
            &w.app,
            Method::POST,
            &rejected_meetings,
            Some(&w.admin),
            Some(json!({"met_on": "2026-02-08", "minutes": 30}))
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (_, active_matches) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/mentoring/matches?status=active",
        Some(&w.admin),
        None,
    )
    .await;
    assert_eq!(active_matches["items"].as_array().unwrap().len(), 1);

    // Profiles come a page at a time, each once.
    let mut seen = Vec::new();
    let mut next = "/api/v1/capacity/mentoring/profiles?limit=3".to_string();
    loop {
        let (status, page) = call(&w.app, Method::GET, &next, Some(&w.admin), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => next = format!("/api/v1/capacity/mentoring/profiles?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!((seen.len(), distinct.len()), (8, 8), "4 mentors and 4 mentees");
}

#[tokio::test]
async fn a_person_is_exported_erased_and_purged_with_figures_kept() {
    let w = world().await;
    let mentor_id = profile(&w, "Farida", mentor(&["dari"], &["wed_evening"], true, 1)).await;
    profile(&w, "Yusuf", mentee(&["dari"], &["wed_evening"])).await;
    let (_, proposals) = call(
        &w.app,
        Method::POST,
        "/api/v1/capacity/mentoring/proposals",
        Some(&w.admin),
        Some(json!({})),
    )
    .await;
    let match_id = proposals[0]["id"].as_str().unwrap().to_string();
    call(
        &w.app,
        Method::POST,
        &format!("/api/v1/capacity/mentoring/matches/{match_id}/status"),
        Some(&w.admin),
        Some(json!({"status": "active"})),
    )
    .await;
    call(
        &w.app,
        Method::POST,
        &format!("/api/v1/capacity/mentoring/matches/{match_id}/meetings"),
        Some(&w.admin),
        Some(json!({"met_on": "2026-01-10", "minutes": 45, "notes": "private"})),
    )
    .await;
    let person: String = w
        .app
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT person_id::text FROM capacity.mentoring_profiles WHERE id = $1::text::uuid",
            &[&mentor_id],
        )
        .await
        .unwrap()
        .get(0);

    let export_path = format!("/api/v1/capacity/people/{person}/export");
    assert_eq!(
        call(&w.app, Method::GET, &export_path, Some(&w.editor_a), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, export) = call(&w.app, Method::GET, &export_path, Some(&w.admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(export["person"]["name"], "Farida");
    assert_eq!(export["person"]["consents"][0]["purpose"], "mentoring");
    assert_eq!(export["meetings"][0]["notes"], "private");
    assert_eq!(export["matches"].as_array().unwrap().len(), 1);

    // Withdrawing consent is recorded with its time.
    let (_, withdrawn) = call(
        &w.app,
        Method::POST,
        &format!("/api/v1/capacity/people/{person}/consents"),
        Some(&w.admin),
        Some(json!({"purpose": "mentoring", "given": false})),
    )
    .await;
    assert!(withdrawn["consents"][0]["withdrawn_at"].is_string());

    let (status, erased) = call(
        &w.app,
        Method::POST,
        &format!("/api/v1/capacity/people/{person}/erase"),
        Some(&w.admin),
        None,
    )
    .await;
    assert_eq!(
        (status, erased["name"].as_str(), erased["email"].clone()),
        (StatusCode::OK, Some("erased"), Value::Null)
    );
    let (_, export) = call(&w.app, Method::GET, &export_path, Some(&w.admin), None).await;
    assert_eq!(export["mentoring_profiles"], json!([]));
    assert_eq!(export["person"]["consents"], json!([]));
    // The match is ended and still counted, its notes gone, no one named.
    let (_, matches) = call(
        &w.app,
        Method::GET,
        "/api/v1/capacity/mentoring/matches",
        Some(&w.admin),
        None,
    )
    .await;
    assert_eq!(
        (
            matches["items"][0]["status"].as_str(),
            matches["items"][0]["mentor_id"].clone()
        ),
        (Some("ended"), Value::Null)
    );
    let (_, log) = call(
        &w.app,
        Method::GET,
        &format!("/api/v1/capacity/mentoring/matches/{match_id}/meetings"),
        Some(&w.admin),
        None,
    )
    .await;
    assert_eq!(
        (log[0]["minutes"].as_i64(), log[0]["notes"].as_str()),
        (Some(45), Some(""))
    );

    // The purge: the mentee's profile, untouched since before the cut-off, goes once its match has ended.
    let purge = "/api/v1/capacity/retention/purge";
    assert_eq!(
        call(&w.app, Method::POST, purge, Some(&w.planner), Some(json!({})))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, report) = call(
        &w.app,
        Method::POST,
        purge,
        Some(&w.admin),
        Some(json!({"before": "2020-01-01"})),
    )
    .await;
    assert_eq!(
        (status, report["mentoring_profiles_deleted"].as_u64()),
        (StatusCode::OK, Some(0))
    );
    let (_, report) = call(
        &w.app,
        Method::POST,
        purge,
        Some(&w.admin),
        Some(json!({"before": "2999-01-01"})),
    )
    .await;
    assert_eq!(report["mentoring_profiles_deleted"], 1);
}
