//! Applies the plain-SQL migrations in `migrations/` (one schema per service) with refinery.

use tokio_postgres::NoTls;

refinery::embed_migrations!("../migrations");

/// Connects once and brings the database up to the newest migration; safe to call on every start.
pub async fn migrate(database: &tokio_postgres::Config) -> Result<(), MigrationError> {
    let (mut client, connection) = database.connect(NoTls).await?;
    let connection = tokio::spawn(connection);
    let report = migrations::runner().run_async(&mut client).await?;
    for migration in report.applied_migrations() {
        tracing::info!(migration = %migration, "applied migration");
    }
    drop(client);
    let _ = connection.await;
    Ok(())
}

/// A digest of every migration's name and SQL: test templates are keyed by it, so a new migration makes a
/// fresh template.
pub fn fingerprint() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for migration in migrations::runner().get_migrations() {
        migration.name().hash(&mut hasher);
        migration.version().hash(&mut hasher);
        migration.sql().hash(&mut hasher);
    }
    hasher.finish()
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("cannot connect to PostgreSQL: {}", with_causes(.0))]
    Connect(#[from] tokio_postgres::Error),
    #[error("a migration failed: {0}")]
    Migration(#[from] refinery::Error),
}

/// An error and its causes on one line ("error connecting to server: Connection refused").
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
