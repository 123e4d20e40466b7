//! Registrations: an attendee signs up for a summit themselves with their ranked wishes, access needs,
//! languages, the slots they cannot come to, and whether they need travel support or lunch. Planners
//! and staff see every registration; an attendee sees only their own.

use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, Credentials};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{json, no_content, parse_id, parse_json};
use shared::FieldError;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use utoipa::ToSchema;
use uuid::Uuid;
use warp::http::StatusCode;

use crate::parts::{label_problems, load, store, PlanPart};
use crate::plan::{is_planner, PlanChange};

/// The most wishes one attendee may rank.
const MAX_WISHES: usize = 20;

/// An attendee's registration.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The attendee's key in the plan: the member's user id, or the id an imported plan gave them.
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub key: String,
    /// The member who registered, if they registered themselves.
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub user_id: Option<Uuid>,
    /// Keys of sessions, most wanted first.
    #[serde(default)]
    pub wishes: Vec<String>,
    /// Access needs: room features every session they wish for must offer, such as `step_free`.
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Themes they would talk about in one-to-one conversations.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Keys of the slots they cannot come to.
    #[serde(default)]
    pub unavailable: Vec<String>,
    /// The id of their organisation in the directory (one-to-ones pair people across organisations).
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub travel_support: bool,
    #[serde(default)]
    pub lunch: bool,
}

impl Registration {
    pub fn into_instance(self) -> summit_solver::Attendee {
        summit_solver::Attendee {
            id: self.key,
            wishes: self.wishes,
            needs: self.needs,
            unavailable: self.unavailable,
            organisation: self.organisation,
            themes: self.themes,
            languages: self.languages,
        }
    }

    pub fn from_instance(attendee: &summit_solver::Attendee) -> (String, Registration) {
        let part = Registration {
            key: attendee.id.clone(),
            user_id: None,
            wishes: attendee.wishes.clone(),
            needs: attendee.needs.clone(),
            languages: attendee.languages.clone(),
            themes: attendee.themes.clone(),
            unavailable: attendee.unavailable.clone(),
            organisation: attendee.organisation.clone(),
            travel_support: false,
            lunch: false,
        };
        (attendee.id.clone(), part)
    }
}

impl PlanPart for Registration {
    const COLLECTION: &'static str = "registrations";
    const PUBLIC: bool = false;
    const SELECT: &'static str =
        "SELECT key, user_id, wishes, needs, languages, themes, unavailable, organisation,
             travel_support, lunch
         FROM summits.registrations WHERE summit_id = $1 ORDER BY registered_at, key";
    const UPSERT: &'static str = "INSERT INTO summits.registrations (summit_id, key, user_id, wishes, needs,
             languages, themes, unavailable, organisation, travel_support, lunch)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (summit_id, key) DO UPDATE SET wishes = EXCLUDED.wishes, needs = EXCLUDED.needs,
             languages = EXCLUDED.languages, themes = EXCLUDED.themes, unavailable = EXCLUDED.unavailable,
             organisation = EXCLUDED.organisation, travel_support = EXCLUDED.travel_support,
             lunch = EXCLUDED.lunch";

    fn from_row(row: &Row) -> Registration {
        Registration {
            key: row.get(0),
            user_id: row.get(1),
            wishes: row.get(2),
            needs: row.get(3),
            languages: row.get(4),
            themes: row.get(5),
            unavailable: row.get(6),
            organisation: row.get(7),
            travel_support: row.get(8),
            lunch: row.get(9),
        }
    }

    fn set_key(&mut self, key: String) {
        self.key = key;
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.wishes.len() > MAX_WISHES {
            problems.push(FieldError::new(
                "wishes",
                format!("rank at most {MAX_WISHES} sessions"),
            ));
        }
        label_problems("wishes", &self.wishes, &mut problems);
        label_problems("needs", &self.needs, &mut problems);
        label_problems("languages", &self.languages, &mut problems);
        label_problems("themes", &self.themes, &mut problems);
        label_problems("unavailable", &self.unavailable, &mut problems);
        if let Some(organisation) = &self.organisation {
            if Uuid::parse_str(organisation).is_err() {
                problems.push(FieldError::new(
                    "organisation",
                    "give the id of a directory organisation",
                ));
            }
        }
        problems
    }

    fn values(&self) -> Vec<Box<dyn ToSql + Sync + Send + '_>> {
        vec![
            Box::new(self.user_id),
            Box::new(&self.wishes),
            Box::new(&self.needs),
            Box::new(&self.languages),
            Box::new(&self.themes),
            Box::new(&self.unavailable),
            Box::new(&self.organisation),
            Box::new(self.travel_support),
            Box::new(self.lunch),
        ]
    }
}

/// `GET /api/v1/summits/{id}/registrations`: every registration for planners and staff; a member's own
/// (none or one) for anyone else signed in.
#[utoipa::path(get, path = "/api/v1/summits/{id}/registrations", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id")),
    responses((status = 200, body = [Registration]), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let client = pool.get().await?;
    crate::plan::summit_exists(&client, id).await?;
    let mut registrations = load::<Registration>(&client, id).await?;
    if !is_planner(&viewer) {
        registrations.retain(|r| r.user_id == Some(viewer.id));
    }
    Ok(json(&registrations, StatusCode::OK))
}

/// `PUT /api/v1/summits/{id}/registrations/mine`: register yourself, or change your registration (any
/// signed-in member). Wishes name sessions and unavailable slots name slots of this summit.
#[utoipa::path(put, path = "/api/v1/summits/{id}/registrations/mine", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id")), request_body = Registration,
    responses((status = 200, body = Registration), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_mine(id: String, pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let mut registration: Registration = parse_json(&body)?;
    registration.set_key(viewer.id.to_string());
    registration.user_id = Some(viewer.id);
    let problems = registration.problems();
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let mut client = pool.get().await?;
    let change = PlanChange::begin(&mut client, id).await?;
    store(&change, &registration.key, &registration).await?;
    change.commit_registration().await?;
    Ok(json(&registration, StatusCode::OK))
}

/// `DELETE /api/v1/summits/{id}/registrations/mine`: withdraw your registration.
#[utoipa::path(delete, path = "/api/v1/summits/{id}/registrations/mine", tag = "summits",
    params(("id" = Uuid, Path, description = "summit id")),
    responses((status = 204, description = "withdrawn"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_mine(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let mut client = pool.get().await?;
    let change = PlanChange::begin(&mut client, id).await?;
    let deleted = change
        .transaction
        .execute(
            "DELETE FROM summits.registrations WHERE summit_id = $1 AND user_id = $2",
            &[&id, &viewer.id],
        )
        .await?;
    if deleted == 0 {
        return Err(ApiError::NotFound(format!(
            "you are not registered for summit {id}"
        )));
    }
    change.commit_registration().await?;
    Ok(no_content())
}
