//! The demo network loaded on a fresh database: an admin account and a few dozen organisations in real
//! towns. The admin's generated password is kept in the data folder so every start can print it.

use std::path::Path;

use deadpool_postgres::Pool;
use shared::accounts::{create_user, generate_password, NewUser, Role};

/// The demo admin's email address.
pub const ADMIN_EMAIL: &str = "admin@commonground.example";
/// How many organisations the demo network has.
const ORGANISATIONS: usize = 40;

/// Loads the demo network if the database has no accounts yet, and returns the demo admin's password if
/// it is known (just created, or saved by an earlier start).
pub async fn ensure(pool: &Pool, data_dir: &Path) -> anyhow::Result<Option<String>> {
    let saved = data_dir.join("demo-admin-password.txt");
    let accounts: i64 = pool
        .get()
        .await?
        .query_one("SELECT count(*) FROM accounts.users", &[])
        .await?
        .get(0);
    if accounts > 0 {
        return Ok(std::fs::read_to_string(&saved).ok().map(|p| p.trim().to_string()));
    }
    let password = generate_password();
    let admin = create_user(
        pool,
        NewUser {
            email: ADMIN_EMAIL.into(),
            display_name: "Demo Admin".into(),
            password: password.clone(),
            role: Role::Admin,
        },
    )
    .await?;
    directory::demo::load(pool, admin.id, 0, ORGANISATIONS, |_| {}).await?;
    std::fs::create_dir_all(data_dir)?;
    write_private(&saved, &password)?;
    tracing::info!(organisations = ORGANISATIONS, "loaded the demo network");
    Ok(Some(password))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents.as_bytes())
}
