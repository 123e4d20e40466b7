//! The PostgreSQL pool (deadpool over tokio-postgres), bounded so a database outage answers 503 fast
//! instead of hanging requests.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

/// How long a request waits for a connection before answering 503.
const CONNECTION_WAIT: Duration = Duration::from_secs(2);

/// Builds a pool for a database. Nothing connects until first use.
pub fn pool(mut config: tokio_postgres::Config, max_size: usize) -> Pool {
    config.connect_timeout(CONNECTION_WAIT);
    if config.get_application_name().is_none() {
        config.application_name("commonground");
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(CONNECTION_WAIT))
        .create_timeout(Some(CONNECTION_WAIT))
        .recycle_timeout(Some(CONNECTION_WAIT))
        .build()
        .expect("a pool with a runtime and timeouts always builds")
}
