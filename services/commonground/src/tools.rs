//! The administrator's command-line tools: rebuild the search index, import a CSV file, generate a demo
//! network of any size, and purge people's data past the retention period.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use shared::server::Database;
use shared::settings::Settings;

fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"
        ))
        .expect("a valid template"),
    );
    bar
}

/// `commonground reindex`: builds a fresh generation of the search index from PostgreSQL and makes it
/// current; a running server switches to it within a moment, searching the old one until then.
pub async fn reindex(settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    let database = Database::open(settings).await?;
    let pool = database.pool.clone();
    let count: i64 = pool
        .get()
        .await?
        .query_one(
            "SELECT count(*) FROM directory.organisations WHERE deleted_at IS NULL",
            &[],
        )
        .await?
        .get(0);
    let bar = progress_bar(count as u64, "organisations");
    let started = Instant::now();
    let ticker = bar.clone();
    let root = directory::index_root(&settings.data_dir);
    std::fs::create_dir_all(&root)?;
    let (generation, index) =
        directory::indexer::rebuild(&pool, &root, move |done| ticker.set_position(done)).await?;
    let index = std::sync::Arc::new(index);
    let caught_up = directory::indexer::catch_up(&index, &pool).await?;
    bar.finish();
    println!(
        "rebuilt the search index ({} organisations, {generation}) in {:.1} s; applied {caught_up} changes made meanwhile",
        index.organisation_count(),
        started.elapsed().as_secs_f64()
    );
    drop(index);
    database.close();
    Ok(())
}

/// `commonground demo-data --orgs N`: adds N generated organisations placed in real UK towns.
pub async fn demo_data(settings: &Settings, organisations: usize) -> Result<(), Box<dyn std::error::Error>> {
    let database = Database::open(settings).await?;
    let pool = database.pool.clone();
    let client = pool.get().await?;
    let first: i64 = client
        .query_one("SELECT count(*) FROM directory.organisations", &[])
        .await?
        .get(0);
    let actor = client
        .query_opt(
            "SELECT id FROM accounts.users WHERE role = 'admin' ORDER BY created_at LIMIT 1",
            &[],
        )
        .await?
        .map(|row| row.get(0))
        .ok_or("create an admin first (`commonground admin create-user`): demo data is recorded as theirs")?;
    drop(client);
    let bar = progress_bar(organisations as u64, "organisations");
    let started = Instant::now();
    directory::demo::load(&pool, actor, first as usize, organisations, |done| {
        bar.set_position(done as u64)
    })
    .await?;
    bar.finish();
    println!(
        "added {organisations} organisations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    database.close();
    Ok(())
}

/// `commonground import FILE [--partial]`: adds the organisations of a CSV file (columns: see
/// `directory::import`), all or nothing unless `partial`, with a progress bar for large files.
pub async fn import(
    settings: &Settings,
    file: &std::path::Path,
    partial: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let rows = bytes.iter().filter(|b| **b == b'\n').count().saturating_sub(1);
    let bar = progress_bar(rows as u64, "rows checked");
    let ticker = bar.clone();
    let parsed = directory::import::parse(&bytes[..], move |done| ticker.set_position(done as u64));
    bar.finish();
    for error in &parsed.errors {
        eprintln!("{}: {}", error.field, error.message);
    }
    if !parsed.errors.is_empty() && !partial {
        return Err(format!(
            "{} problems in {} rows: nothing imported (fix them, or pass --partial to import the valid rows)",
            parsed.errors.len(),
            parsed.rows
        )
        .into());
    }
    let database = Database::open(settings).await?;
    let actor = admin(&database).await?;
    let bar = progress_bar(parsed.organisations.len() as u64, "organisations saved");
    let mut client = database.pool.get().await?;
    let transaction = client.transaction().await?;
    for batch in parsed.organisations.chunks(5_000) {
        directory::store::create_many(&transaction, actor, batch).await?;
        bar.inc(batch.len() as u64);
    }
    transaction.commit().await?;
    bar.finish();
    println!("imported {} of {} rows", parsed.organisations.len(), parsed.rows);
    drop(client);
    database.close();
    Ok(())
}

/// The first admin: imports and demo data are recorded as theirs.
async fn admin(database: &Database) -> Result<uuid::Uuid, Box<dyn std::error::Error>> {
    Ok(database
        .pool
        .get()
        .await?
        .query_opt(
            "SELECT id FROM accounts.users WHERE role = 'admin' ORDER BY created_at LIMIT 1",
            &[],
        )
        .await?
        .map(|row| row.get(0))
        .ok_or("create an admin first (`commonground admin create-user`): imports are recorded as theirs")?)
}

/// `commonground purge --days N`: unlinks people from registrations and mentoring data that ended more than
/// N days ago (capacity tracker retention), in one transaction, and prints what it did.
pub async fn purge(settings: &Settings, days: i64) -> Result<(), Box<dyn std::error::Error>> {
    let database = Database::open(settings).await?;
    let before = time::OffsetDateTime::now_utc().date() - time::Duration::days(days);
    let mut client = database.pool.get().await?;
    let transaction = client.transaction().await?;
    let report = capacity::people::purge(&transaction, before).await?;
    transaction.commit().await?;
    println!(
        "purged data that ended before {before}: {} registrations unlinked, {} meeting notes wiped, {} mentoring profiles deleted",
        report.registrations_unlinked, report.meeting_notes_wiped, report.mentoring_profiles_deleted
    );
    drop(client);
    database.close();
    Ok(())
}
