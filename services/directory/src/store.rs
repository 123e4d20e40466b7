//! The directory's SQL: organisations with their locations and editors. Every write also appends to the
//! audit log and to the outbox the search index follows, inside the caller's transaction.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::GenericClient;
use serde::Serialize;
use shared::audit::{self, Action};
use shared::ApiError;
use time::OffsetDateTime;
use tokio_postgres::Row;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::organisation::{Contact, FieldVisibility, LocationInput, Organisation, OrganisationInput};

/// The entity name organisations carry in the audit log.
pub const AUDIT_ENTITY: &str = "organisation";

const COLUMNS: &str = "id, name, description, themes, communities, languages, website, contact_name, contact_email,
    contact_phone, membership, profile_visibility, contact_visibility, locations_visibility, membership_visibility,
    version, created_at, updated_at";

/// One organisation, if it exists and is not deleted; `lock` holds it for the rest of the transaction.
pub async fn load(
    client: &impl GenericClient,
    id: Uuid,
    lock: bool,
) -> Result<Option<Organisation>, ApiError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM directory.organisations WHERE id = $1 AND deleted_at IS NULL{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let Some(row) = client.query_opt(&sql, &[&id]).await? else {
        return Ok(None);
    };
    Ok(with_locations(client, vec![row]).await?.pop())
}

/// Like `load`, but a missing organisation is a 404.
pub async fn find(client: &impl GenericClient, id: Uuid, lock: bool) -> Result<Organisation, ApiError> {
    load(client, id, lock)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no organisation {id}")))
}

/// A page of organisations in the order they joined the directory, after the organisation `after`.
pub async fn list(
    client: &impl GenericClient,
    after: Option<Uuid>,
    fetch: i64,
) -> Result<Vec<Organisation>, ApiError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM directory.organisations
         WHERE deleted_at IS NULL AND ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2"
    );
    let rows = client.query(&sql, &[&after, &fetch]).await?;
    with_locations(client, rows).await
}

/// The live organisations among `ids` (deleted and unknown ones are left out), in no particular order.
pub async fn load_many(client: &impl GenericClient, ids: &[Uuid]) -> Result<Vec<Organisation>, ApiError> {
    let sql =
        format!("SELECT {COLUMNS} FROM directory.organisations WHERE id = ANY($1) AND deleted_at IS NULL");
    let rows = client.query(&sql, &[&ids]).await?;
    with_locations(client, rows).await
}

async fn with_locations(client: &impl GenericClient, rows: Vec<Row>) -> Result<Vec<Organisation>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.get("id")).collect();
    let location_rows = client
        .query(
            "SELECT id, organisation_id, label, address, postcode, town, latitude, longitude, precision
             FROM directory.locations WHERE organisation_id = ANY($1) ORDER BY organisation_id, position",
            &[&ids],
        )
        .await?;
    let mut by_organisation: HashMap<Uuid, Vec<&Row>> = HashMap::new();
    for location in &location_rows {
        by_organisation
            .entry(location.get("organisation_id"))
            .or_default()
            .push(location);
    }
    Ok(rows
        .iter()
        .map(|row| {
            let id: Uuid = row.get("id");
            let mine = by_organisation.remove(&id).unwrap_or_default();
            Organisation {
                id,
                input: OrganisationInput {
                    name: row.get("name"),
                    description: row.get("description"),
                    themes: row.get("themes"),
                    communities: row.get("communities"),
                    languages: row.get("languages"),
                    website: row.get("website"),
                    contact: Contact {
                        name: row.get("contact_name"),
                        email: row.get("contact_email"),
                        phone: row.get("contact_phone"),
                    },
                    locations: mine.iter().map(|l| location_from_row(l)).collect(),
                    membership: parse(row.get("membership")),
                    visibility: FieldVisibility {
                        profile: parse(row.get("profile_visibility")),
                        contact: parse(row.get("contact_visibility")),
                        locations: parse(row.get("locations_visibility")),
                        membership: parse(row.get("membership_visibility")),
                    },
                },
                location_ids: mine.iter().map(|l| l.get("id")).collect(),
                version: row.get("version"),
                created_at: row.get("created_at"),
                updated_at: row.get("updated_at"),
            }
        })
        .collect())
}

fn location_from_row(row: &Row) -> LocationInput {
    LocationInput {
        label: row.get("label"),
        address: row.get("address"),
        postcode: row.get("postcode"),
        town: row.get("town"),
        latitude: row.get("latitude"),
        longitude: row.get("longitude"),
        precision: parse(row.get("precision")),
    }
}

/// Reads an enum stored as its snake_case name (the table's CHECK constraints keep them valid).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(raw: &str) -> T {
    serde_json::from_value(serde_json::Value::String(raw.to_string()))
        .unwrap_or_else(|_| panic!("the database holds `{raw}`, which its CHECK constraint forbids"))
}

pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("enums serialise as strings"),
    }
}

/// Creates an organisation, records it in the audit log and the outbox.
pub async fn create(
    client: &deadpool_postgres::Transaction<'_>,
    actor: Uuid,
    input: OrganisationInput,
) -> Result<Organisation, ApiError> {
    let ids = create_many(client, actor, std::slice::from_ref(&input)).await?;
    find(client, ids[0], false).await
}

/// Adds many organisations at once (imports, demo networks) with `COPY`: the same rows, audit events and
/// outbox entries as `create`, in the caller's transaction. Returns their ids in order.
pub async fn create_many(
    client: &deadpool_postgres::Transaction<'_>,
    actor: Uuid,
    inputs: &[OrganisationInput],
) -> Result<Vec<Uuid>, ApiError> {
    use futures_util::pin_mut;
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::Type;

    let ids: Vec<Uuid> = inputs.iter().map(|_| Uuid::now_v7()).collect();
    let sink = client
        .copy_in(
            "COPY directory.organisations (id, name, description, themes, communities, languages, website,
                contact_name, contact_email, contact_phone, membership, profile_visibility, contact_visibility,
                locations_visibility, membership_visibility) FROM STDIN BINARY",
        )
        .await?;
    let text = Type::TEXT;
    let texts = Type::TEXT_ARRAY;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::UUID,
            text.clone(),
            text.clone(),
            texts.clone(),
            texts.clone(),
            texts,
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
        ],
    );
    pin_mut!(writer);
    for (id, input) in ids.iter().zip(inputs) {
        let v = &input.visibility;
        writer
            .as_mut()
            .write(&[
                id,
                &input.name,
                &input.description,
                &input.themes,
                &input.communities,
                &input.languages,
                &input.website,
                &input.contact.name,
                &input.contact.email,
                &input.contact.phone,
                &name_of(&input.membership),
                &name_of(&v.profile),
                &name_of(&v.contact),
                &name_of(&v.locations),
                &name_of(&v.membership),
            ])
            .await?;
    }
    writer.finish().await?;

    copy_locations(
        client,
        ids.iter()
            .copied()
            .zip(inputs.iter().map(|i| i.locations.as_slice())),
    )
    .await?;

    let sink = client
        .copy_in("COPY audit.events (actor_id, entity, entity_id, action, changes) FROM STDIN BINARY")
        .await?;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[Type::UUID, Type::TEXT, Type::UUID, Type::TEXT, Type::JSONB],
    );
    pin_mut!(writer);
    for (id, input) in ids.iter().zip(inputs) {
        let after = serde_json::to_value(input).map_err(internal)?;
        let changes =
            serde_json::to_value(audit::diff(&serde_json::Value::Null, &after)).map_err(internal)?;
        writer
            .as_mut()
            .write(&[&actor, &AUDIT_ENTITY, id, &"create", &changes])
            .await?;
    }
    writer.finish().await?;

    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&OUTBOX_LOCK])
        .await?;
    client
        .execute(
            "INSERT INTO directory.outbox (organisation_id) SELECT unnest($1::uuid[])",
            &[&ids],
        )
        .await?;
    Ok(ids)
}

/// Writes the locations of organisations (in their order) with `COPY`.
async fn copy_locations<'a>(
    client: &deadpool_postgres::Transaction<'_>,
    organisations: impl Iterator<Item = (Uuid, &'a [LocationInput])>,
) -> Result<(), ApiError> {
    use futures_util::pin_mut;
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::Type;

    let sink = client
        .copy_in(
            "COPY directory.locations (id, organisation_id, position, label, address, postcode, town, latitude,
                longitude, precision) FROM STDIN BINARY",
        )
        .await?;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::UUID,
            Type::UUID,
            Type::INT4,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::FLOAT8,
            Type::FLOAT8,
            Type::TEXT,
        ],
    );
    pin_mut!(writer);
    for (id, locations) in organisations {
        for (position, location) in locations.iter().enumerate() {
            writer
                .as_mut()
                .write(&[
                    &Uuid::now_v7(),
                    &id,
                    &(position as i32),
                    &location.label,
                    &location.address,
                    &location.postcode,
                    &location.town,
                    &location.latitude,
                    &location.longitude,
                    &name_of(&location.precision),
                ])
                .await?;
        }
    }
    writer.finish().await?;
    Ok(())
}

/// Replaces an organisation's fields with `input` (the caller checked the version), bumping the version.
pub async fn update(
    client: &deadpool_postgres::Transaction<'_>,
    actor: Uuid,
    current: &Organisation,
    input: OrganisationInput,
) -> Result<Organisation, ApiError> {
    let v = &input.visibility;
    client
        .execute(
            "UPDATE directory.organisations SET name = $2, description = $3, themes = $4, communities = $5,
                languages = $6, website = $7, contact_name = $8, contact_email = $9, contact_phone = $10,
                membership = $11, profile_visibility = $12, contact_visibility = $13, locations_visibility = $14,
                membership_visibility = $15, version = version + 1, updated_at = now()
             WHERE id = $1",
            &[
                &current.id,
                &input.name,
                &input.description,
                &input.themes,
                &input.communities,
                &input.languages,
                &input.website,
                &input.contact.name,
                &input.contact.email,
                &input.contact.phone,
                &name_of(&input.membership),
                &name_of(&v.profile),
                &name_of(&v.contact),
                &name_of(&v.locations),
                &name_of(&v.membership),
            ],
        )
        .await?;
    if input.locations != current.input.locations {
        client
            .execute(
                "DELETE FROM directory.locations WHERE organisation_id = $1",
                &[&current.id],
            )
            .await?;
        copy_locations(client, std::iter::once((current.id, input.locations.as_slice()))).await?;
    }
    let before = serde_json::to_value(&current.input).map_err(internal)?;
    record(client, actor, current.id, Action::Update, &before, &input).await?;
    find(client, current.id, false).await
}

/// Deletes an organisation from the directory; its history stays in the audit log.
pub async fn delete(
    client: &impl GenericClient,
    actor: Uuid,
    current: &Organisation,
) -> Result<(), ApiError> {
    client
        .execute(
            "UPDATE directory.organisations SET deleted_at = now(), version = version + 1 WHERE id = $1",
            &[&current.id],
        )
        .await?;
    let before = serde_json::to_value(&current.input).map_err(internal)?;
    let changes = audit::diff(&before, &serde_json::Value::Null);
    audit::record(
        client,
        Some(actor),
        AUDIT_ENTITY,
        current.id,
        Action::Delete,
        &changes,
    )
    .await?;
    outbox(client, current.id).await
}

async fn record(
    client: &impl GenericClient,
    actor: Uuid,
    id: Uuid,
    action: Action,
    before: &serde_json::Value,
    after: &OrganisationInput,
) -> Result<(), ApiError> {
    let after = serde_json::to_value(after).map_err(internal)?;
    audit::record(
        client,
        Some(actor),
        AUDIT_ENTITY,
        id,
        action,
        &audit::diff(before, &after),
    )
    .await?;
    outbox(client, id).await
}

/// The advisory lock that orders outbox writers: held from a writer's outbox row until its commit, so
/// positions become visible in order and a follower never skips a position that commits late.
const OUTBOX_LOCK: i64 = 0x6f75_7462_6f78;

/// Tells the search index this organisation changed.
async fn outbox(client: &impl GenericClient, id: Uuid) -> Result<(), ApiError> {
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&OUTBOX_LOCK])
        .await?;
    client
        .execute(
            "INSERT INTO directory.outbox (organisation_id) VALUES ($1)",
            &[&id],
        )
        .await?;
    Ok(())
}

fn internal(error: serde_json::Error) -> ApiError {
    ApiError::Internal(error.to_string())
}

/// The organisations `user` edits.
pub async fn edited_by(client: &impl GenericClient, user: Uuid) -> Result<HashSet<Uuid>, ApiError> {
    let rows = client
        .query(
            "SELECT organisation_id FROM directory.editors WHERE user_id = $1",
            &[&user],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Whether `user` edits `organisation`.
pub async fn is_editor(
    client: &impl GenericClient,
    organisation: Uuid,
    user: Uuid,
) -> Result<bool, ApiError> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM directory.editors WHERE organisation_id = $1 AND user_id = $2",
            &[&organisation, &user],
        )
        .await?
        .is_some())
}

/// A person who may edit an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Editor {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub added_at: OffsetDateTime,
}

pub async fn editors(client: &impl GenericClient, organisation: Uuid) -> Result<Vec<Editor>, ApiError> {
    let rows = client
        .query(
            "SELECT u.id, u.email, u.display_name, e.added_at FROM directory.editors e
             JOIN accounts.users u ON u.id = e.user_id WHERE e.organisation_id = $1 ORDER BY e.added_at",
            &[&organisation],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Editor {
            user_id: r.get(0),
            email: r.get(1),
            display_name: r.get(2),
            added_at: r.get(3),
        })
        .collect())
}

/// Makes the account with `email` an editor of `organisation` (a no-op if it already is).
pub async fn add_editor(
    client: &impl GenericClient,
    actor: Uuid,
    organisation: Uuid,
    email: &str,
) -> Result<Editor, ApiError> {
    let user: Uuid = client
        .query_opt(
            "SELECT id FROM accounts.users WHERE lower(email) = lower($1)",
            &[&email.trim()],
        )
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "email",
                "no account has this email; ask network staff to create one",
            )
        })?
        .get(0);
    let added = client
        .execute(
            "INSERT INTO directory.editors (organisation_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&organisation, &user],
        )
        .await?;
    if added == 1 {
        let change = audit::FieldChange {
            field: "editors".into(),
            old: serde_json::Value::Null,
            new: serde_json::json!({ "added": user }),
        };
        audit::record(
            client,
            Some(actor),
            AUDIT_ENTITY,
            organisation,
            Action::Update,
            &[change],
        )
        .await?;
    }
    editors(client, organisation)
        .await?
        .into_iter()
        .find(|e| e.user_id == user)
        .ok_or_else(|| ApiError::Internal("an editor just added is missing".into()))
}

/// Removes an editor; 404 if they were not one.
pub async fn remove_editor(
    client: &impl GenericClient,
    actor: Uuid,
    organisation: Uuid,
    user: Uuid,
) -> Result<(), ApiError> {
    let removed = client
        .execute(
            "DELETE FROM directory.editors WHERE organisation_id = $1 AND user_id = $2",
            &[&organisation, &user],
        )
        .await?;
    if removed == 0 {
        return Err(ApiError::NotFound(
            "this person is not an editor of this organisation".into(),
        ));
    }
    let change = audit::FieldChange {
        field: "editors".into(),
        old: serde_json::json!({ "removed": user }),
        new: serde_json::Value::Null,
    };
    audit::record(
        client,
        Some(actor),
        AUDIT_ENTITY,
        organisation,
        Action::Update,
        &[change],
    )
    .await
}
