//! The capacity tracker's mutating endpoints in the role matrix, and what each attempt acts on: an
//! organisation of its own (edited by the editor of A), with a self-assessment draft, a goal with a
//! milestone, people, an active mentoring match and a programme with a cohort, a session and an enrolment.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::test_support::TestApp;

use super::{create, Endpoint, People, Who};

pub struct Fixture {
    pub organisation: String,
    pub draft: String,
    pub goal: String,
    pub milestone: String,
    /// Consented to mentoring and programmes; no profile, no enrolment yet.
    pub person: String,
    pub mentor: String,
    /// A mentee with no match.
    pub mentee: String,
    pub active_match: String,
    pub programme: String,
    pub cohort: String,
    pub session: String,
    pub enrolment: String,
}

fn draft() -> Value {
    json!({"assessed_on": "2026-01-10", "method": "self", "status": "draft",
           "ratings": [{"dimension": "governance_leadership", "score": 2, "rater": "chair"}]})
}

fn profile(person: &str, role: &str) -> Value {
    json!({"person_id": person, "role": role, "languages": ["english"], "availability": ["mon_evening"],
           "latitude": 52.4066, "longitude": -1.5122, "capacity": if role == "mentor" { 5 } else { 1 },
           "safeguarding_checked_on": "2026-01-05"})
}

/// An organisation written straight to the directory's tables, edited by the editor of A.
async fn organisation(app: &TestApp, people: &People) -> String {
    let id = uuid::Uuid::now_v7();
    let client = app.pool.get().await.unwrap();
    client
        .execute(
            "INSERT INTO directory.organisations (id, name, membership, profile_visibility, contact_visibility,
                 locations_visibility, membership_visibility)
             VALUES ($1, 'Peterborough Ladies Group', 'member', 'public', 'network', 'public', 'network')",
            &[&id],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO directory.editors (organisation_id, user_id) VALUES ($1, $2)",
            &[&id, &people.editor_of_a.viewer.id],
        )
        .await
        .unwrap();
    id.to_string()
}

pub async fn fixture(app: &TestApp, people: &People) -> Fixture {
    let admin = &people.admin;
    let consenting = || json!({"name": "Sana", "consents": ["mentoring", "programmes"]});
    let plan = async {
        let organisation = organisation(app, people).await;
        let assessments = format!("/api/v1/capacity/organisations/{organisation}/assessments");
        let draft = create(app, admin, &assessments, draft()).await;
        let goals = format!("/api/v1/capacity/organisations/{organisation}/goals");
        let goal = create(
            app,
            admin,
            &goals,
            json!({"dimension": "governance_leadership", "title": "A board"}),
        )
        .await;
        let milestones = format!("/api/v1/capacity/goals/{goal}/milestones");
        let milestone = create(app, admin, &milestones, json!({"title": "Apply"})).await;
        (organisation, draft, goal, milestone)
    };
    let mentoring = async {
        let mut profiles = Vec::new();
        for role in ["mentor", "mentee", "mentee"] {
            let someone = create(app, admin, "/api/v1/capacity/people", consenting()).await;
            profiles.push(
                create(
                    app,
                    admin,
                    "/api/v1/capacity/mentoring/profiles",
                    profile(&someone, role),
                )
                .await,
            );
        }
        let by_hand =
            json!({"mentor_id": profiles[0], "mentee_id": profiles[1], "reason": "met at the summit"});
        let active_match = create(app, admin, "/api/v1/capacity/mentoring/matches", by_hand).await;
        (profiles, active_match)
    };
    let programmes = async {
        let series = json!({"name": "Training series", "kind": "training_series"});
        let programme = create(app, admin, "/api/v1/capacity/programmes", series).await;
        let spring = json!({"name": "Spring", "starts_on": "2026-03-01", "ends_on": "2026-05-31"});
        let cohort = create(
            app,
            admin,
            &format!("/api/v1/capacity/programmes/{programme}/cohorts"),
            spring,
        )
        .await;
        let press =
            json!({"title": "Speaking to the press", "held_on": "2026-03-14", "actions": ["speak_out"]});
        let session = create(
            app,
            admin,
            &format!("/api/v1/capacity/cohorts/{cohort}/sessions"),
            press,
        )
        .await;
        let learner = create(app, admin, "/api/v1/capacity/people", consenting()).await;
        let enrolments = format!("/api/v1/capacity/cohorts/{cohort}/enrolments");
        let enrolment = create(app, admin, &enrolments, json!({"person_id": learner})).await;
        (programme, cohort, session, enrolment)
    };
    let person = create(app, admin, "/api/v1/capacity/people", consenting());
    let (
        (organisation, draft, goal, milestone),
        (profiles, active_match),
        (programme, cohort, session, enrolment),
        person,
    ) = tokio::join!(plan, mentoring, programmes, person);
    Fixture {
        organisation,
        draft,
        goal,
        milestone,
        person,
        mentor: profiles[0].clone(),
        mentee: profiles[2].clone(),
        active_match,
        programme,
        cohort,
        session,
        enrolment,
    }
}

/// Staff only.
fn staff(ok: StatusCode) -> impl Fn(Who) -> StatusCode {
    move |who| match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        Who::Admin => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

/// Staff and the editors of the organisation acted on.
fn staff_and_editors(ok: StatusCode) -> impl Fn(Who) -> StatusCode {
    move |who| match who {
        Who::EditorOfA => ok,
        other => staff(ok)(other),
    }
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/framework",
            request: |_, _, _| {
                let levels = json!([
                    "not in place",
                    "emerging",
                    "developing",
                    "established",
                    "embedded and leading"
                ]);
                let body = json!({"dimensions": [{"key": "governance_leadership", "name": "Governance", "levels": levels}]});
                ("/api/v1/capacity/framework".into(), Some(body))
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/organisations/{id}/assessments",
            request: |f, _, _| {
                let path = format!(
                    "/api/v1/capacity/organisations/{}/assessments",
                    f.capacity.organisation
                );
                (path, Some(draft()))
            },
            expect: |who| staff_and_editors(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/assessments/{id}/versions",
            request: |f, _, _| {
                (
                    format!("/api/v1/capacity/assessments/{}/versions", f.capacity.draft),
                    Some(draft()),
                )
            },
            expect: |who| staff_and_editors(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/organisations/{id}/goals",
            request: |f, _, _| {
                let path = format!("/api/v1/capacity/organisations/{}/goals", f.capacity.organisation);
                (
                    path,
                    Some(json!({"dimension": "governance_leadership", "title": "A shared drive"})),
                )
            },
            expect: |who| staff_and_editors(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::PATCH,
            documented_path: "/api/v1/capacity/goals/{id}",
            request: |f, _, _| {
                (
                    format!("/api/v1/capacity/goals/{}", f.capacity.goal),
                    Some(json!({"status": "in_progress"})),
                )
            },
            expect: |who| staff_and_editors(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/goals/{id}/milestones",
            request: |f, _, _| {
                (
                    format!("/api/v1/capacity/goals/{}/milestones", f.capacity.goal),
                    Some(json!({"title": "Budget"})),
                )
            },
            expect: |who| staff_and_editors(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::PATCH,
            documented_path: "/api/v1/capacity/milestones/{id}",
            request: |f, _, _| {
                (
                    format!("/api/v1/capacity/milestones/{}", f.capacity.milestone),
                    Some(json!({"status": "done"})),
                )
            },
            expect: |who| staff_and_editors(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/capacity/organisations/{id}/casework/{quarter}",
            request: |f, _, _| {
                let path = format!(
                    "/api/v1/capacity/organisations/{}/casework/2026-Q1",
                    f.capacity.organisation
                );
                (path, Some(json!({"counts": {"immigration": 7}})))
            },
            expect: |who| staff_and_editors(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/people",
            request: |_, _, _| {
                (
                    "/api/v1/capacity/people".into(),
                    Some(json!({"name": "Tomasz", "consents": ["contact"]})),
                )
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/people/{id}/consents",
            request: |f, _, _| {
                let path = format!("/api/v1/capacity/people/{}/consents", f.capacity.person);
                (path, Some(json!({"purpose": "stories", "given": true})))
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/people/{id}/erase",
            request: |f, _, _| {
                (
                    format!("/api/v1/capacity/people/{}/erase", f.capacity.person),
                    None,
                )
            },
            expect: |who| staff(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/retention/purge",
            request: |_, _, _| {
                (
                    "/api/v1/capacity/retention/purge".into(),
                    Some(json!({"before": "2000-01-01"})),
                )
            },
            expect: |who| staff(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/mentoring/profiles",
            request: |f, _, _| {
                (
                    "/api/v1/capacity/mentoring/profiles".into(),
                    Some(profile(&f.capacity.person, "mentee")),
                )
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/mentoring/matches",
            request: |f, _, _| {
                let body = json!({"mentor_id": f.capacity.mentor, "mentee_id": f.capacity.mentee, "reason": "same town"});
                ("/api/v1/capacity/mentoring/matches".into(), Some(body))
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/mentoring/matches/{id}/status",
            request: |f, _, _| {
                let path = format!(
                    "/api/v1/capacity/mentoring/matches/{}/status",
                    f.capacity.active_match
                );
                (path, Some(json!({"status": "ended"})))
            },
            expect: |who| staff(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/mentoring/matches/{id}/meetings",
            request: |f, _, _| {
                let path = format!(
                    "/api/v1/capacity/mentoring/matches/{}/meetings",
                    f.capacity.active_match
                );
                (path, Some(json!({"met_on": "2026-02-01", "minutes": 50})))
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            // Last of the mentoring ones: it replaces every undecided proposal in the database.
            method: Method::POST,
            documented_path: "/api/v1/capacity/mentoring/proposals",
            request: |_, _, _| ("/api/v1/capacity/mentoring/proposals".into(), None),
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/programmes",
            request: |_, _, _| {
                (
                    "/api/v1/capacity/programmes".into(),
                    Some(json!({"name": "Community Leadership Academy", "kind": "academy"})),
                )
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/programmes/{id}/cohorts",
            request: |f, _, _| {
                let path = format!("/api/v1/capacity/programmes/{}/cohorts", f.capacity.programme);
                (
                    path,
                    Some(json!({"name": "Autumn", "starts_on": "2026-09-01", "ends_on": "2027-05-31"})),
                )
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/cohorts/{id}/sessions",
            request: |f, _, _| {
                let path = format!("/api/v1/capacity/cohorts/{}/sessions", f.capacity.cohort);
                (
                    path,
                    Some(
                        json!({"title": "Mapping power", "held_on": "2026-04-04", "actions": ["grow_power"]}),
                    ),
                )
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::POST,
            documented_path: "/api/v1/capacity/cohorts/{id}/enrolments",
            request: |f, _, _| {
                let path = format!("/api/v1/capacity/cohorts/{}/enrolments", f.capacity.cohort);
                (path, Some(json!({"person_id": f.capacity.person})))
            },
            expect: |who| staff(StatusCode::CREATED)(who),
        },
        Endpoint {
            method: Method::PATCH,
            documented_path: "/api/v1/capacity/enrolments/{id}",
            request: |f, _, _| {
                let path = format!("/api/v1/capacity/enrolments/{}", f.capacity.enrolment);
                (
                    path,
                    Some(json!({"status": "completed", "completed_on": "2026-05-31"})),
                )
            },
            expect: |who| staff(StatusCode::OK)(who),
        },
        Endpoint {
            method: Method::PUT,
            documented_path: "/api/v1/capacity/sessions/{id}/attendance",
            request: |f, _, _| {
                let path = format!("/api/v1/capacity/sessions/{}/attendance", f.capacity.session);
                (
                    path,
                    Some(json!({"person_id": f.capacity.person, "status": "attended"})),
                )
            },
            expect: |who| staff(StatusCode::OK)(who),
        },
    ]
}
