//! Links between organisations — partners, coalition members, mentoring — the network map organisers
//! draw by hand in power-mapping workshops. Who works with whom is sensitive: a link is seen only by the
//! network (`network`) or only by staff and the two organisations' editors (`private`, the default), and
//! never by anonymous visitors.

use std::collections::HashSet;

use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use shared::accounts::{signed_in, Credentials, Viewer};
use shared::audit::{self, Action, FieldChange};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{json, no_content, parse_id, parse_json};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;
use warp::http::StatusCode;

use crate::api::may_edit;
use crate::store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Partner,
    Coalition,
    Mentoring,
}

/// Who may see a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkVisibility {
    /// Signed-in people of the network.
    Network,
    /// Network staff and the editors of either organisation.
    Private,
}

/// A relationship from one organisation to another.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    pub id: Uuid,
    pub from_id: Uuid,
    pub from_name: String,
    pub to_id: Uuid,
    pub to_name: String,
    pub kind: LinkKind,
    pub note: String,
    pub visibility: LinkVisibility,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A link to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    /// The other organisation.
    pub to: Uuid,
    pub kind: LinkKind,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
    /// `private` unless said otherwise.
    pub visibility: Option<LinkVisibility>,
}

/// What a viewer may see of links: everything (staff), network links, and private links of the
/// organisations they edit.
pub struct LinkViewer {
    pub is_admin: bool,
    pub edited: HashSet<Uuid>,
}

impl LinkViewer {
    pub async fn of(client: &impl GenericClient, viewer: &Viewer) -> Result<LinkViewer, ApiError> {
        Ok(LinkViewer {
            is_admin: viewer.is_admin(),
            edited: store::edited_by(client, viewer.id).await?,
        })
    }
}

const SELECT_LINKS: &str =
    "SELECT l.id, l.from_id, f.name, l.to_id, t.name, l.kind, l.note, l.visibility, l.created_at
    FROM directory.links l
    JOIN directory.organisations f ON f.id = l.from_id AND f.deleted_at IS NULL
    JOIN directory.organisations t ON t.id = l.to_id AND t.deleted_at IS NULL
    WHERE (l.from_id = ANY($1) OR l.to_id = ANY($1))
      AND ($2 OR l.visibility = 'network' OR l.from_id = ANY($3) OR l.to_id = ANY($3))
    ORDER BY l.created_at";

/// The links touching any of `organisations` that `viewer` may see.
pub async fn visible_links(
    client: &impl GenericClient,
    viewer: &LinkViewer,
    organisations: &[Uuid],
) -> Result<Vec<Link>, ApiError> {
    let edited: Vec<Uuid> = viewer.edited.iter().copied().collect();
    let rows = client
        .query(SELECT_LINKS, &[&organisations, &viewer.is_admin, &edited])
        .await?;
    Ok(rows
        .iter()
        .map(|row| Link {
            id: row.get(0),
            from_id: row.get(1),
            from_name: row.get(2),
            to_id: row.get(3),
            to_name: row.get(4),
            kind: store::parse(row.get(5)),
            note: row.get(6),
            visibility: store::parse(row.get(7)),
            created_at: row.get(8),
        })
        .collect())
}

/// `GET /api/v1/organisations/{id}/links`: the links of an organisation that the viewer may see.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/links", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id")),
    responses((status = 200, body = Vec<Link>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let client = pool.get().await?;
    store::find(&client, id, false).await?;
    let links = visible_links(&client, &LinkViewer::of(&client, &viewer).await?, &[id]).await?;
    Ok(json(&links, StatusCode::OK))
}

/// `POST /api/v1/organisations/{id}/links`: record a link from this organisation (staff and its editors).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/links", tag = "directory", request_body = NewLink,
    params(("id" = Uuid, Path, description = "organisation id")),
    responses((status = 201, body = Link), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(id: String, pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    store::find(&transaction, id, false).await?;
    may_edit(&transaction, &viewer, id).await?;
    let new: NewLink = parse_json(&body)?;
    let note = new.note.trim().to_string();
    if note.chars().count() > 500 {
        return Err(ApiError::invalid("note", "keep it under 500 characters"));
    }
    if new.to == id {
        return Err(ApiError::invalid("to", "an organisation cannot link to itself"));
    }
    if store::load(&transaction, new.to, false).await?.is_none() {
        return Err(ApiError::invalid("to", "no organisation has this id"));
    }
    let link_id = Uuid::now_v7();
    let visibility = new.visibility.unwrap_or(LinkVisibility::Private);
    transaction
        .execute(
            "INSERT INTO directory.links (id, from_id, to_id, kind, note, visibility, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &link_id,
                &id,
                &new.to,
                &store::name_of(&new.kind),
                &note,
                &store::name_of(&visibility),
                &viewer.id,
            ],
        )
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict("this link is already recorded".into()),
            other => other,
        })?;
    let change = FieldChange {
        field: "links".into(),
        old: serde_json::Value::Null,
        new: serde_json::json!({"added": link_id, "to": new.to, "kind": new.kind}),
    };
    audit::record(
        &transaction,
        Some(viewer.id),
        store::AUDIT_ENTITY,
        id,
        Action::Update,
        &[change],
    )
    .await?;
    let everything = LinkViewer {
        is_admin: true,
        edited: HashSet::new(),
    };
    let link = visible_links(&transaction, &everything, &[id])
        .await?
        .into_iter()
        .find(|link| link.id == link_id)
        .ok_or_else(|| ApiError::Internal("a link just recorded is missing".into()))?;
    transaction.commit().await?;
    Ok(json(&link, StatusCode::CREATED))
}

/// `DELETE /api/v1/organisations/{id}/links/{link_id}`: remove a link (staff and either side's editors).
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/links/{link_id}", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id"), ("link_id" = Uuid, Path, description = "link id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(id: String, link_id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let link_id = parse_id(&link_id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    let row = transaction
        .query_opt(
            "SELECT from_id, to_id FROM directory.links WHERE id = $1 AND (from_id = $2 OR to_id = $2)",
            &[&link_id, &id],
        )
        .await?
        .ok_or_else(|| ApiError::NotFound("no such link of this organisation".into()))?;
    let (from, to): (Uuid, Uuid) = (row.get(0), row.get(1));
    if may_edit(&transaction, &viewer, from).await.is_err() {
        may_edit(&transaction, &viewer, to).await?;
    }
    transaction
        .execute("DELETE FROM directory.links WHERE id = $1", &[&link_id])
        .await?;
    let change = FieldChange {
        field: "links".into(),
        old: serde_json::json!({"removed": link_id, "from": from, "to": to}),
        new: serde_json::Value::Null,
    };
    audit::record(
        &transaction,
        Some(viewer.id),
        store::AUDIT_ENTITY,
        id,
        Action::Update,
        &[change],
    )
    .await?;
    transaction.commit().await?;
    Ok(no_content())
}
