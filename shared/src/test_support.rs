//! Test support: every test gets its own fresh database, cloned from a migrated template, on a real
//! PostgreSQL (`TEST_DATABASE_URL`, or a private cluster started once for all test processes), and the real
//! application served over HTTP on a free port.

use std::path::PathBuf;

use deadpool_postgres::Pool;
use tokio::sync::OnceCell;
use tokio_postgres::{Config, NoTls};
use uuid::Uuid;

use crate::accounts::{NewApiToken, NewUser, Role, Viewer};
use crate::local_postgres::LocalPostgres;
use crate::server::{Service, ServiceContext};

/// The folder of the private test cluster: one per user, shared by all test processes.
pub fn test_cluster_dir() -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(0);
    std::env::temp_dir().join(format!("commonground-tests-{uid}"))
}

/// How to reach the test server's maintenance database; starts the private cluster on first use.
async fn server() -> &'static Config {
    static SERVER: OnceCell<Config> = OnceCell::const_new();
    SERVER
        .get_or_init(|| async {
            if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
                return url
                    .parse()
                    .expect("TEST_DATABASE_URL is a PostgreSQL connection string");
            }
            tokio::task::spawn_blocking(|| {
                let root = test_cluster_dir();
                std::fs::create_dir_all(std::env::temp_dir()).expect("a temp folder");
                // One process at a time creates or starts the cluster.
                let lock = std::fs::File::create(std::env::temp_dir().join("commonground-tests.lock"))
                    .expect("a lock file");
                lock.lock().expect("locking the test cluster");
                let cluster = LocalPostgres::start(&root).unwrap_or_else(|e| panic!("{e}"));
                cluster.config("postgres")
            })
            .await
            .expect("starting the test cluster")
        })
        .await
}

async fn connect(config: &Config) -> tokio_postgres::Client {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .expect("connecting to the test server");
    tokio::spawn(connection);
    client
}

/// The migrated template every test database is cloned from (built once per set of migrations).
async fn template() -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("cg_template_{:016x}", crate::migrations::fingerprint());
            let admin = connect(server().await).await;
            // Several test processes start at once: one builds the template, the others wait for it.
            admin
                .execute("SELECT pg_advisory_lock(7263321)", &[])
                .await
                .unwrap();
            let exists = admin
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .await
                .unwrap()
                .is_some();
            if !exists {
                let building = format!("{name}_building");
                for statement in [
                    format!("DROP DATABASE IF EXISTS \"{building}\""),
                    format!("CREATE DATABASE \"{building}\""),
                ] {
                    admin.batch_execute(&statement).await.unwrap();
                }
                let mut config = server().await.clone();
                config.dbname(&building);
                crate::migrations::migrate(&config)
                    .await
                    .expect("migrating the template");
                admin
                    .batch_execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""))
                    .await
                    .unwrap();
            }
            admin
                .execute("SELECT pg_advisory_unlock(7263321)", &[])
                .await
                .unwrap();
            name
        })
        .await
}

/// A fresh database for one test, dropped when the test ends.
pub struct TestDatabase {
    pub name: String,
    pub config: Config,
}

impl TestDatabase {
    pub async fn new() -> TestDatabase {
        let template = template().await;
        let name = format!("cg_test_{}", Uuid::new_v4().simple());
        connect(server().await)
            .await
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""))
            .await
            .expect("creating a test database");
        let mut config = server().await.clone();
        config.dbname(&name);
        TestDatabase { name, config }
    }

    pub fn pool(&self) -> Pool {
        crate::db::pool(self.config.clone(), 8)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async context: use a small runtime of its own on another thread.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(async move {
                    let admin = connect(server().await).await;
                    admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// A signed-in person for tests: their account and a bearer token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub viewer: Viewer,
    pub password: String,
    pub token: String,
}

/// The real application on a free port, with its own database.
pub struct TestApp {
    pub address: String,
    pub pool: Pool,
    pub http: reqwest::Client,
    /// The service's own folder (search index and such), removed when the test ends.
    pub data_dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    // Declared last: dropped after the server has stopped.
    pub database: TestDatabase,
}

impl TestApp {
    /// Serves `service` with the shared routes, as the binaries do.
    pub async fn spawn(service: impl FnOnce(ServiceContext) -> Service) -> TestApp {
        let database = TestDatabase::new().await;
        let pool = database.pool();
        let data_dir =
            std::env::temp_dir().join(format!("commonground-test-data-{}", Uuid::new_v4().simple()));
        let (service_routes, openapi) = service(ServiceContext {
            pool: pool.clone(),
            data_dir: data_dir.clone(),
        });
        let app = crate::server::app(
            service_routes,
            pool.clone(),
            crate::operations::document([openapi]),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (addr, server) = crate::server::bind(app, "127.0.0.1:0".parse().unwrap(), async {
            let _ = stopped.await;
        })
        .await
        .expect("binding a free port");
        tokio::spawn(server);
        TestApp {
            address: format!("http://{addr}"),
            pool,
            http: reqwest::Client::builder().build().expect("an HTTP client"),
            data_dir,
            shutdown: Some(stop),
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Creates an account with `role` and a personal API token for it.
    pub async fn user(&self, role: Role) -> TestUser {
        let password = "a long test password".to_string();
        let viewer = crate::accounts::create_user(
            &self.pool,
            NewUser {
                email: format!("{}-{}@example.org", role.as_str(), Uuid::new_v4().simple()),
                display_name: format!("Test {}", role.as_str()),
                password: password.clone(),
                role,
            },
        )
        .await
        .expect("creating a test user");
        let token = crate::accounts::create_token(
            &self.pool,
            &viewer,
            NewApiToken {
                name: "tests".into(),
                expires_in_days: None,
            },
        )
        .await
        .expect("creating a test token")
        .secret;
        TestUser {
            viewer,
            password,
            token,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        // The search index may still be writing a generation for a moment after the stop: removing the
        // folder then fails on files it adds meanwhile, so try again briefly.
        for _ in 0..20 {
            match std::fs::remove_dir_all(&self.data_dir) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                _ => break,
            }
        }
    }
}
