//! Who may see and change what in the tracker: staff (admins) act on everything; an organisation's editors
//! act on their own organisation only; everyone else on nothing that names an organisation.

use deadpool_postgres::{GenericClient, Pool};
use shared::accounts::{signed_in, Credentials, Viewer};
use shared::error::ApiError;
use uuid::Uuid;

/// Whether `viewer` is capacity staff. Planners build summit agendas; they are not staff here.
pub fn is_staff(viewer: &Viewer) -> bool {
    viewer.is_admin()
}

/// The signed-in viewer if they are staff: 401 for anonymous visitors, 403 for everyone else.
pub async fn staff(pool: &Pool, credentials: &Credentials) -> Result<Viewer, ApiError> {
    let viewer = signed_in(pool, credentials).await?;
    if is_staff(&viewer) {
        Ok(viewer)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether `viewer` edits `organisation` in the directory.
pub async fn edits(
    client: &impl GenericClient,
    viewer: &Viewer,
    organisation: Uuid,
) -> Result<bool, ApiError> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM directory.editors WHERE organisation_id = $1 AND user_id = $2",
            &[&organisation, &viewer.id],
        )
        .await?
        .is_some())
}

/// 403 unless `viewer` is staff or edits `organisation`.
pub async fn require_staff_or_editor(
    client: &impl GenericClient,
    viewer: &Viewer,
    organisation: Uuid,
) -> Result<(), ApiError> {
    if is_staff(viewer) || edits(client, viewer, organisation).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// 404 unless `organisation` is in the directory (and not deleted).
pub async fn require_organisation(client: &impl GenericClient, organisation: Uuid) -> Result<(), ApiError> {
    client
        .query_opt(
            "SELECT 1 FROM directory.organisations WHERE id = $1 AND deleted_at IS NULL",
            &[&organisation],
        )
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::NotFound("no organisation has this id".into()))
}
