//! Action plans: an organisation's goals, each tied to a dimension of the framework, with milestones; each
//! has an owner, a due date and a status, and the overdue list gathers what is late. Staff and the
//! organisation's editors keep the plan; every change is in the audit log.

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, Credentials};
use shared::audit::{self, Action};
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{body_bytes, json, parse_id, parse_json, parse_query, raw_query};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::Filter;

use crate::access::{is_staff, require_organisation, require_staff_or_editor};
use crate::input::{Checks, SHORT_TEXT};
use crate::{one_of, with_pool, Route};

/// Where a goal or milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    NotStarted,
    InProgress,
    Done,
    Dropped,
}

impl PlanStatus {
    fn as_str(self) -> &'static str {
        match self {
            PlanStatus::NotStarted => "not_started",
            PlanStatus::InProgress => "in_progress",
            PlanStatus::Done => "done",
            PlanStatus::Dropped => "dropped",
        }
    }

    fn parse(raw: &str) -> PlanStatus {
        match raw {
            "in_progress" => PlanStatus::InProgress,
            "done" => PlanStatus::Done,
            "dropped" => PlanStatus::Dropped,
            _ => PlanStatus::NotStarted,
        }
    }
}

/// A step towards a goal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Milestone {
    pub id: Uuid,
    pub goal_id: Uuid,
    pub title: String,
    pub owner: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    pub status: PlanStatus,
}

/// A goal of an organisation's action plan, tied to one dimension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Goal {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub dimension: String,
    pub title: String,
    pub owner: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    pub status: PlanStatus,
    pub milestones: Vec<Milestone>,
}

/// A goal or a milestone to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlanItem {
    /// The dimension a goal works on (goals only).
    pub dimension: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub owner: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    pub status: Option<PlanStatus>,
}

/// Changes to a goal or a milestone; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemChanges {
    pub title: Option<String>,
    pub owner: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    pub status: Option<PlanStatus>,
}

/// A goal or milestone past its due date and neither done nor dropped.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueItem {
    /// `goal` or `milestone`.
    pub kind: String,
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub goal_id: Uuid,
    pub title: String,
    pub owner: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub status: PlanStatus,
    pub days_overdue: i64,
}

/// The day the overdue list is drawn up for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// Today when absent.
    #[param(value_type = Option<String>, format = Date)]
    pub on: Option<Date>,
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_goals,
        create_goal,
        update_goal,
        create_milestone,
        update_milestone,
        overdue
    ),
    components(schemas(PlanStatus, Milestone, Goal, NewPlanItem, PlanItemChanges, OverdueItem))
)]
pub struct PlansApi;

pub fn routes(pool: Pool) -> Route {
    let goals = || warp::path!("api" / "v1" / "capacity" / "organisations" / String / "goals");
    let credentials = shared::accounts::credentials;
    one_of(vec![
        goals()
            .and(warp::get())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .then(list_goals)
            .map(respond)
            .boxed(),
        goals()
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_goal)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "goals" / String)
            .and(warp::patch())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(update_goal)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "goals" / String / "milestones")
            .and(warp::post())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(create_milestone)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "milestones" / String)
            .and(warp::patch())
            .and(with_pool(pool.clone()))
            .and(credentials())
            .and(body_bytes())
            .then(update_milestone)
            .map(respond)
            .boxed(),
        warp::path!("api" / "v1" / "capacity" / "overdue")
            .and(warp::get())
            .and(raw_query())
            .and(with_pool(pool))
            .and(credentials())
            .then(overdue)
            .map(respond)
            .boxed(),
    ])
}

/// A goal or a milestone: the two tables of a plan.
#[derive(Debug, Clone, Copy)]
enum PlanTable {
    Goals,
    Milestones,
}

impl PlanTable {
    fn entity(self) -> &'static str {
        match self {
            PlanTable::Goals => "capacity.goal",
            PlanTable::Milestones => "capacity.milestone",
        }
    }

    /// The organisation whose plan holds item `id`; 404 if there is none.
    async fn organisation_of(self, client: &impl GenericClient, id: Uuid) -> Result<Uuid, ApiError> {
        let sql = match self {
            PlanTable::Goals => "SELECT organisation_id FROM capacity.goals WHERE id = $1",
            PlanTable::Milestones => {
                "SELECT g.organisation_id FROM capacity.milestones m JOIN capacity.goals g ON g.id = m.goal_id
                 WHERE m.id = $1"
            }
        };
        client
            .query_opt(sql, &[&id])
            .await?
            .map(|r| r.get(0))
            .ok_or_else(|| ApiError::NotFound("nothing in any plan has this id".into()))
    }
}

/// Every goal of `organisation` with its milestones, by due date.
pub async fn goals_of(client: &impl GenericClient, organisation: Uuid) -> Result<Vec<Goal>, ApiError> {
    let milestones: Vec<Milestone> = client
        .query(
            "SELECT m.id, m.goal_id, m.title, m.owner, m.due_on, m.status FROM capacity.milestones m
             JOIN capacity.goals g ON g.id = m.goal_id WHERE g.organisation_id = $1
             ORDER BY m.due_on NULLS LAST, m.id",
            &[&organisation],
        )
        .await?
        .iter()
        .map(|r| Milestone {
            id: r.get(0),
            goal_id: r.get(1),
            title: r.get(2),
            owner: r.get(3),
            due_on: r.get(4),
            status: PlanStatus::parse(r.get(5)),
        })
        .collect();
    Ok(client
        .query(
            "SELECT id, dimension_key, title, owner, due_on, status FROM capacity.goals
             WHERE organisation_id = $1 ORDER BY due_on NULLS LAST, id",
            &[&organisation],
        )
        .await?
        .iter()
        .map(|r| {
            let id: Uuid = r.get(0);
            Goal {
                id,
                organisation_id: organisation,
                dimension: r.get(1),
                title: r.get(2),
                owner: r.get(3),
                due_on: r.get(4),
                status: PlanStatus::parse(r.get(5)),
                milestones: milestones.iter().filter(|m| m.goal_id == id).cloned().collect(),
            }
        })
        .collect())
}

/// `GET /api/v1/capacity/organisations/{id}/goals`: the action plan (staff and the organisation's editors).
#[utoipa::path(get, path = "/api/v1/capacity/organisations/{id}/goals", tag = "capacity", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Goal>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn list_goals(organisation: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let organisation = parse_id(&organisation)?;
    let client = pool.get().await?;
    require_organisation(&client, organisation).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    Ok(json(&goals_of(&client, organisation).await?, StatusCode::OK))
}

fn check_new(new: &NewPlanItem, checks: &mut Checks) -> (String, String) {
    (
        checks.text("title", &new.title, SHORT_TEXT),
        checks.optional_text("owner", &new.owner, SHORT_TEXT),
    )
}

/// `POST /api/v1/capacity/organisations/{id}/goals`: add a goal on a dimension of the current framework.
#[utoipa::path(post, path = "/api/v1/capacity/organisations/{id}/goals", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = NewPlanItem,
    responses((status = 201, body = Goal), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_goal(
    organisation: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let organisation = parse_id(&organisation)?;
    let mut client = pool.get().await?;
    require_organisation(&client, organisation).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    let new: NewPlanItem = parse_json(&body)?;
    let framework = crate::framework::load(&client, None).await?;
    let mut checks = Checks::new();
    let (title, owner) = check_new(&new, &mut checks);
    let dimension = new.dimension.clone().unwrap_or_default();
    checks.require(
        framework.dimension(&dimension).is_some(),
        "dimension",
        "name a dimension of the current framework",
    );
    checks.finish()?;
    let goal = Goal {
        id: Uuid::now_v7(),
        organisation_id: organisation,
        dimension,
        title,
        owner,
        due_on: new.due_on,
        status: new.status.unwrap_or(PlanStatus::NotStarted),
        milestones: Vec::new(),
    };
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "INSERT INTO capacity.goals (id, organisation_id, dimension_key, title, owner, due_on, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &goal.id,
                &organisation,
                &goal.dimension,
                &goal.title,
                &goal.owner,
                &goal.due_on,
                &goal.status.as_str(),
            ],
        )
        .await?;
    record(
        &transaction,
        &viewer.id,
        PlanTable::Goals,
        goal.id,
        Action::Create,
        &serde_json::Value::Null,
        &goal,
    )
    .await?;
    transaction.commit().await?;
    Ok(json(&goal, StatusCode::CREATED))
}

/// `POST /api/v1/capacity/goals/{id}/milestones`: add a milestone to a goal.
#[utoipa::path(post, path = "/api/v1/capacity/goals/{id}/milestones", tag = "capacity",
    params(("id" = Uuid, Path)), request_body = NewPlanItem,
    responses((status = 201, body = Milestone), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_milestone(
    goal: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let goal = parse_id(&goal)?;
    let mut client = pool.get().await?;
    let organisation = PlanTable::Goals.organisation_of(&client, goal).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    let new: NewPlanItem = parse_json(&body)?;
    let mut checks = Checks::new();
    let (title, owner) = check_new(&new, &mut checks);
    checks.require(
        new.dimension.is_none(),
        "dimension",
        "a milestone follows its goal's dimension",
    );
    checks.finish()?;
    let milestone = Milestone {
        id: Uuid::now_v7(),
        goal_id: goal,
        title,
        owner,
        due_on: new.due_on,
        status: new.status.unwrap_or(PlanStatus::NotStarted),
    };
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "INSERT INTO capacity.milestones (id, goal_id, title, owner, due_on, status) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &milestone.id,
                &goal,
                &milestone.title,
                &milestone.owner,
                &milestone.due_on,
                &milestone.status.as_str(),
            ],
        )
        .await?;
    record(
        &transaction,
        &viewer.id,
        PlanTable::Milestones,
        milestone.id,
        Action::Create,
        &serde_json::Value::Null,
        &milestone,
    )
    .await?;
    transaction.commit().await?;
    Ok(json(&milestone, StatusCode::CREATED))
}

async fn record(
    client: &impl GenericClient,
    actor: &Uuid,
    table: PlanTable,
    id: Uuid,
    action: Action,
    before: &serde_json::Value,
    after: &impl Serialize,
) -> Result<(), ApiError> {
    let after = serde_json::to_value(after).map_err(|e| ApiError::Internal(e.to_string()))?;
    audit::record(
        client,
        Some(*actor),
        table.entity(),
        id,
        action,
        &audit::diff(before, &after),
    )
    .await
}

/// Applies `changes` to a goal or milestone, answering its new state.
async fn update_item(
    table: PlanTable,
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let id = parse_id(&id)?;
    let mut client = pool.get().await?;
    let organisation = table.organisation_of(&client, id).await?;
    require_staff_or_editor(&client, &viewer, organisation).await?;
    let changes: PlanItemChanges = parse_json(&body)?;
    let mut checks = Checks::new();
    let title = changes
        .title
        .as_deref()
        .map(|t| checks.text("title", t, SHORT_TEXT));
    let owner = changes
        .owner
        .as_deref()
        .map(|o| checks.optional_text("owner", o, SHORT_TEXT));
    checks.finish()?;
    let status = changes.status.map(PlanStatus::as_str);
    let transaction = client.transaction().await?;
    let before = item_json(&transaction, table, organisation, id).await?;
    let sql = match table {
        PlanTable::Goals => "UPDATE capacity.goals SET",
        PlanTable::Milestones => "UPDATE capacity.milestones SET",
    };
    transaction
        .execute(
            &format!(
                "{sql} title = coalesce($2, title), owner = coalesce($3, owner), due_on = coalesce($4, due_on),
                 status = coalesce($5, status), updated_at = now() WHERE id = $1"
            ),
            &[&id, &title, &owner, &changes.due_on, &status],
        )
        .await?;
    let after = item_json(&transaction, table, organisation, id).await?;
    record(
        &transaction,
        &viewer.id,
        table,
        id,
        Action::Update,
        &before,
        &after,
    )
    .await?;
    transaction.commit().await?;
    Ok(json(&after, StatusCode::OK))
}

/// A goal or milestone as JSON, read from its organisation's plan.
async fn item_json(
    client: &impl GenericClient,
    table: PlanTable,
    organisation: Uuid,
    id: Uuid,
) -> Result<serde_json::Value, ApiError> {
    let goals = goals_of(client, organisation).await?;
    let found = match table {
        PlanTable::Goals => goals.iter().find(|g| g.id == id).map(serde_json::to_value),
        PlanTable::Milestones => goals
            .iter()
            .flat_map(|g| &g.milestones)
            .find(|m| m.id == id)
            .map(serde_json::to_value),
    };
    found
        .transpose()
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| ApiError::NotFound("nothing in any plan has this id".into()))
}

/// `PATCH /api/v1/capacity/goals/{id}`: change a goal's title, owner, due date or status.
#[utoipa::path(patch, path = "/api/v1/capacity/goals/{id}", tag = "capacity", params(("id" = Uuid, Path)),
    request_body = PlanItemChanges,
    responses((status = 200, body = Goal), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_goal(id: String, pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    update_item(PlanTable::Goals, id, pool, credentials, body).await
}

/// `PATCH /api/v1/capacity/milestones/{id}`: change a milestone's title, owner, due date or status.
#[utoipa::path(patch, path = "/api/v1/capacity/milestones/{id}", tag = "capacity", params(("id" = Uuid, Path)),
    request_body = PlanItemChanges,
    responses((status = 200, body = Milestone), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_milestone(
    id: String,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    update_item(PlanTable::Milestones, id, pool, credentials, body).await
}

/// `GET /api/v1/capacity/overdue`: goals and milestones past due and neither done nor dropped, most overdue
/// first: every organisation's for staff, their own organisations' for editors.
#[utoipa::path(get, path = "/api/v1/capacity/overdue", tag = "capacity", params(OverdueQuery),
    responses((status = 200, body = Vec<OverdueItem>), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn overdue(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    let query: OverdueQuery = parse_query(&query)?;
    let on = query.on.unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let rows = pool
        .get()
        .await?
        .query(
            "WITH items AS (
                 SELECT 'goal' AS kind, id, organisation_id, id AS goal_id, title, owner, due_on, status
                 FROM capacity.goals
                 UNION ALL
                 SELECT 'milestone', m.id, g.organisation_id, g.id, m.title, m.owner, m.due_on, m.status
                 FROM capacity.milestones m JOIN capacity.goals g ON g.id = m.goal_id
             )
             SELECT kind, id, organisation_id, goal_id, title, owner, due_on, status, ($1::date - due_on)::bigint
             FROM items
             WHERE due_on < $1 AND status NOT IN ('done', 'dropped')
               AND ($2 OR organisation_id IN (SELECT organisation_id FROM directory.editors WHERE user_id = $3))
             ORDER BY due_on, id",
            &[&on, &is_staff(&viewer), &viewer.id],
        )
        .await?;
    let items: Vec<OverdueItem> = rows
        .iter()
        .map(|r| OverdueItem {
            kind: r.get(0),
            id: r.get(1),
            organisation_id: r.get(2),
            goal_id: r.get(3),
            title: r.get(4),
            owner: r.get(5),
            due_on: r.get(6),
            status: PlanStatus::parse(r.get(7)),
            days_overdue: r.get(8),
        })
        .collect();
    Ok(json(&items, StatusCode::OK))
}
