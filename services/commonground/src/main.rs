//! The `commonground` command: serve every service in one process (the default way to run the product),
//! and the administrator's tools.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shared::accounts::{create_user, generate_password, NewUser, Role};
use shared::server::{bind, shutdown_signal, Database, ServiceContext};
use shared::settings::Settings;

/// mimalloc rather than the system's allocator: searches allocate and free large bitsets on many threads,
/// which it serves about a tenth faster (BENCHMARKS.md, "Search over HTTP").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "commonground",
    version,
    about = "Common Ground: a directory, summits and capacity building for a network of grassroots organisations"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the product on COMMONGROUND_BIND (default 127.0.0.1:8080). The default command.
    Serve,
    /// Apply the database migrations and exit (deployments run this once before starting replicas).
    Migrate,
    /// Rebuild the search index from PostgreSQL (a running server switches to it without stopping searches).
    Reindex,
    /// Solve a summit scheduling instance from a file, or with --check verify a solution of it.
    Schedule {
        /// The instance (JSON: slots, rooms, sessions, people, attendees, pinned).
        instance: std::path::PathBuf,
        /// With --check: the solution to verify.
        solution: Option<std::path::PathBuf>,
        /// Where to write the solution (default: standard output).
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
        /// Verify SOLUTION against INSTANCE: hard constraints, lost wishes, theme clashes.
        #[arg(long)]
        check: bool,
    },
    /// Add the organisations of a CSV file (all or nothing unless --partial).
    Import {
        file: std::path::PathBuf,
        /// Import the valid rows and report the others.
        #[arg(long)]
        partial: bool,
    },
    /// Unlink people from registrations and mentoring data older than the retention period (run daily).
    Purge {
        /// Purge what ended before this many days ago.
        #[arg(long, default_value_t = capacity::people::RETENTION_DAYS)]
        days: i64,
    },
    /// Add a generated network of organisations placed in real UK towns.
    DemoData {
        /// How many organisations to add.
        #[arg(long, default_value_t = 1_000)]
        orgs: usize,
    },
    /// Administrator's tools.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account (for example the first admin of a new deployment).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Network Admin")]
        name: String,
        #[arg(long, value_enum, default_value = "admin")]
        role: RoleArg,
        /// The password; generated and printed when left out.
        #[arg(long, env = "COMMONGROUND_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Admin,
    Planner,
    Member,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env("127.0.0.1:8080") {
        Ok(settings) => settings,
        Err(error) => return fail(&error),
    };
    shared::telemetry::init(settings.json_logs);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Schedule {
            instance,
            solution,
            output,
            check,
        } => commonground::schedule::run(&instance, solution.as_deref(), output.as_deref(), check),
        Command::Serve => serve(settings).await,
        Command::Import { file, partial } => commonground::tools::import(&settings, &file, partial).await,
        Command::Reindex => commonground::tools::reindex(&settings).await,
        Command::Purge { days } => commonground::tools::purge(&settings, days).await,
        Command::DemoData { orgs } => commonground::tools::demo_data(&settings, orgs).await,
        Command::Migrate => Database::open(&settings)
            .await
            .map(Database::close)
            .map_err(Into::into),
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    email,
                    name,
                    role,
                    password,
                },
        } => create_account(settings, email, name, role, password).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&*error),
    }
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("commonground: {error}");
    ExitCode::FAILURE
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

async fn serve(settings: Settings) -> Outcome {
    let database = Database::open(&settings).await?;
    let demo_password = if database.local.is_some() {
        commonground::demo::ensure(&database.pool, &settings.data_dir).await?
    } else {
        None
    };
    let (routes, openapi) = commonground::services(ServiceContext {
        pool: database.pool.clone(),
        data_dir: settings.data_dir.clone(),
    });
    let app = shared::server::app(
        routes,
        database.pool.clone(),
        shared::operations::document([openapi]),
    );
    let (addr, server) = bind(app, settings.bind, shutdown_signal()).await.map_err(|e| {
        format!(
            "cannot listen on {}: {e} (set COMMONGROUND_BIND to another address)",
            settings.bind
        )
    })?;
    println!();
    println!("  Common Ground is running at http://{addr}");
    println!("  API description: http://{addr}/api/v1/openapi.json");
    if database.local.is_some() {
        println!(
            "  Data (private PostgreSQL cluster): {}",
            settings.data_dir.display()
        );
    }
    match demo_password {
        Some(password) => println!("  Demo admin: {} / {password}", commonground::demo::ADMIN_EMAIL),
        None if database.local.is_some() => {
            println!("  Sign in with an account made by `commonground admin create-user`.")
        }
        None => {}
    }
    println!("  Stop with Ctrl-C.");
    println!();
    server.await;
    database.close();
    Ok(())
}

async fn create_account(
    settings: Settings,
    email: String,
    name: String,
    role: RoleArg,
    password: Option<String>,
) -> Outcome {
    let database = Database::open(&settings).await?;
    let generated = password.is_none();
    let password = password.unwrap_or_else(generate_password);
    let role = match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Planner => Role::Planner,
        RoleArg::Member => Role::Member,
    };
    let created = create_user(
        &database.pool,
        NewUser {
            email,
            display_name: name,
            password: password.clone(),
            role,
        },
    )
    .await;
    database.close();
    let user = created?;
    println!("created {} ({})", user.email, user.role.as_str());
    if generated {
        println!("password: {password}");
    }
    Ok(())
}
