//! What every Common Ground service shares: settings, errors, the database and its migrations, accounts and
//! roles, pagination, the audit log, telemetry, and the test support that gives each test its own database.

pub mod accounts;
pub mod audit;
pub mod db;
pub mod error;
pub mod http;
pub mod local_postgres;
pub mod migrations;
pub mod operations;
pub mod pagination;
pub mod places;
pub mod server;
pub mod settings;
pub mod spreadsheet;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use error::{ApiError, FieldError};
