//! The append-only audit log: every change records who made it, when, and each field's old and new value.
//! The table refuses updates and deletes (a trigger), so history cannot be rewritten through the service.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// One field's change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FieldChange {
    pub field: String,
    /// Any JSON value (absent fields are `null`).
    pub old: Value,
    /// Any JSON value (absent fields are `null`).
    pub new: Value,
}

/// One recorded change to an entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// What kind of change an event records.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// The top-level fields that differ between two JSON objects (a missing field counts as `null`).
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let before = old.get(field).cloned().unwrap_or(Value::Null);
            let after = new.get(field).cloned().unwrap_or(Value::Null);
            (before != after).then(|| FieldChange {
                field: field.clone(),
                old: before,
                new: after,
            })
        })
        .collect()
}

/// Appends an event inside the caller's transaction, so the change and its record commit together.
pub async fn record(
    client: &impl deadpool_postgres::GenericClient,
    actor: Option<Uuid>,
    entity: &str,
    entity_id: Uuid,
    action: Action,
    changes: &[FieldChange],
) -> Result<(), ApiError> {
    let changes = serde_json::to_value(changes).map_err(|e| ApiError::Internal(e.to_string()))?;
    client
        .execute(
            "INSERT INTO audit.events (actor_id, entity, entity_id, action, changes) VALUES ($1, $2, $3, $4, $5)",
            &[&actor, &entity, &entity_id, &action.as_str(), &changes],
        )
        .await?;
    Ok(())
}

/// An entity's history, oldest first, one page after event `after`.
pub async fn history(
    client: &impl deadpool_postgres::GenericClient,
    entity: &str,
    entity_id: Uuid,
    after: i64,
    limit: i64,
) -> Result<Vec<AuditEvent>, ApiError> {
    let rows = client
        .query(
            "SELECT id, at, actor_id, action, changes FROM audit.events
             WHERE entity = $1 AND entity_id = $2 AND id > $3 ORDER BY id LIMIT $4",
            &[&entity, &entity_id, &after, &limit],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEvent {
                id: row.get("id"),
                at: row.get("at"),
                actor_id: row.get("actor_id"),
                action: row.get("action"),
                changes: serde_json::from_value(row.get::<_, Value>("changes"))
                    .map_err(|e| ApiError::Internal(format!("an audit event is unreadable: {e}")))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields_in_order() {
        let old = json!({"name": "A", "themes": ["housing"], "website": null});
        let new = json!({"name": "B", "themes": ["housing"], "website": "https://b.org"});
        let changes = diff(&old, &new);
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "name".into(),
                    old: json!("A"),
                    new: json!("B")
                },
                FieldChange {
                    field: "website".into(),
                    old: Value::Null,
                    new: json!("https://b.org")
                },
            ]
        );
    }

    #[test]
    fn diff_from_nothing_lists_every_field() {
        let changes = diff(&Value::Null, &json!({"a": 1, "b": 2}));
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|c| c.old.is_null()));
    }
}
