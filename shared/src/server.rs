//! Putting a service on the network: opening the database (a given server or the private cluster),
//! composing a service's routes with the shared ones, and serving until Ctrl-C or SIGTERM.

use std::future::Future;
use std::net::SocketAddr;

use deadpool_postgres::Pool;
use utoipa::openapi::OpenApi as OpenApiDocument;
use warp::filters::BoxedFilter;
use warp::http::{header, HeaderValue};
use warp::reply::Response;
use warp::Filter;

use crate::local_postgres::{LocalPostgres, LocalPostgresError};
use crate::migrations::MigrationError;
use crate::settings::Settings;
use crate::telemetry::Metrics;

/// The database a process works with: a pool, how to connect, and the private cluster if one was started.
pub struct Database {
    pub pool: Pool,
    pub config: tokio_postgres::Config,
    pub local: Option<LocalPostgres>,
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Local(#[from] LocalPostgresError),
    #[error("{0}")]
    Migration(#[from] MigrationError),
    #[error("DATABASE_URL is not a PostgreSQL connection string: {0}")]
    BadUrl(tokio_postgres::Error),
    #[error(
        "cannot reach the PostgreSQL server in DATABASE_URL: {0}\n  Start that server or fix DATABASE_URL; or unset \
         DATABASE_URL to let Common Ground run its own private cluster (it needs the PostgreSQL server binaries: \
         `sudo apt-get install postgresql` on Debian/Ubuntu, `brew install postgresql` on macOS)."
    )]
    Unreachable(MigrationError),
}

/// The name of the database Common Ground keeps in its private cluster.
const LOCAL_DATABASE: &str = "commonground";

impl Database {
    /// Uses `DATABASE_URL` when set; otherwise starts the private cluster in the data folder. Either way
    /// the migrations are applied before anything is served.
    pub async fn open(settings: &Settings) -> Result<Database, DatabaseError> {
        let (config, local) = match &settings.database_url {
            Some(url) => (url.parse().map_err(DatabaseError::BadUrl)?, None),
            None => {
                let root = settings.data_dir.clone();
                let local = tokio::task::spawn_blocking(move || LocalPostgres::start(&root))
                    .await
                    .expect("starting PostgreSQL does not panic")?;
                create_database_if_missing(&local.config("postgres"), LOCAL_DATABASE).await?;
                (local.config(LOCAL_DATABASE), Some(local))
            }
        };
        crate::migrations::migrate(&config)
            .await
            .map_err(|error| match error {
                MigrationError::Connect(_) if local.is_none() => DatabaseError::Unreachable(error),
                other => DatabaseError::Migration(other),
            })?;
        let pool = crate::db::pool(config.clone(), 16);
        Ok(Database { pool, config, local })
    }

    /// Stops the private cluster, if this process started one.
    pub fn close(self) {
        drop(self.pool);
        if let Some(local) = self.local {
            if let Err(error) = local.stop() {
                tracing::warn!(%error, "stopping PostgreSQL");
            }
        }
    }
}

async fn create_database_if_missing(
    admin: &tokio_postgres::Config,
    name: &str,
) -> Result<(), MigrationError> {
    let (client, connection) = admin.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await?;
    }
    Ok(())
}

/// A whole application: the operations and account routes, the given service routes, problem+json for
/// every rejection, security headers, and request logs and metrics.
pub fn app(
    service_routes: BoxedFilter<(Response,)>,
    pool: Pool,
    openapi: OpenApiDocument,
) -> BoxedFilter<(Response,)> {
    let metrics = Metrics::new();
    let observed = metrics.clone();
    crate::operations::routes(pool.clone(), metrics, openapi)
        .or(crate::accounts::routes(pool))
        .unify()
        .or(service_routes)
        .unify()
        .recover(crate::error::recover)
        .unify()
        .map(with_security_headers)
        .with(warp::log::custom(move |info| observed.observe(info)))
        .map(warp::Reply::into_response)
        .boxed()
}

fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// What a service is built from: the database, and a folder of its own for local state (such as a
/// search index).
#[derive(Clone)]
pub struct ServiceContext {
    pub pool: Pool,
    pub data_dir: std::path::PathBuf,
}

/// A service's routes and its part of the OpenAPI document.
pub type Service = (BoxedFilter<(Response,)>, OpenApiDocument);

/// Binds `addr` (port 0 picks a free one) and returns the bound address and the serving future.
pub async fn bind(
    app: BoxedFilter<(Response,)>,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<(SocketAddr, impl Future<Output = ()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    Ok((
        bound,
        warp::serve(app).incoming(listener).graceful(shutdown).run(),
    ))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("shutting down");
}

/// Runs one service alone (its thin binary): settings, logs, database, routes, serve.
pub async fn run_service(
    default_bind: &str,
    service: impl FnOnce(ServiceContext) -> Service,
) -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env(default_bind)?;
    crate::telemetry::init(settings.json_logs);
    let database = Database::open(&settings).await?;
    let (service_routes, openapi) = service(ServiceContext {
        pool: database.pool.clone(),
        data_dir: settings.data_dir.clone(),
    });
    let openapi = crate::operations::document([openapi]);
    let app = app(service_routes, database.pool.clone(), openapi);
    let (addr, server) = bind(app, settings.bind, shutdown_signal()).await?;
    tracing::info!(%addr, "listening");
    server.await;
    database.close();
    Ok(())
}
