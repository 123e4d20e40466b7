//! Settings, read once from the environment at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything a Common Ground process can be told by its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: use this PostgreSQL server; without it, a private cluster in `data_dir` is started.
    pub database_url: Option<String>,
    /// `COMMONGROUND_BIND`: where to listen.
    pub bind: SocketAddr,
    /// `COMMONGROUND_DATA_DIR`: the private PostgreSQL cluster and other local state.
    pub data_dir: PathBuf,
    /// `COMMONGROUND_LOG_FORMAT`: `pretty` (default) or `json`.
    pub json_logs: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{name} is not valid: {reason}")]
pub struct SettingsError {
    name: &'static str,
    reason: String,
}

impl Settings {
    /// Reads the environment; `default_bind` is the address a service listens on when none is set.
    pub fn from_env(default_bind: &str) -> Result<Self, SettingsError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bind = var("COMMONGROUND_BIND").unwrap_or_else(|| default_bind.to_string());
        let bind = bind
            .parse()
            .map_err(|e: std::net::AddrParseError| SettingsError {
                name: "COMMONGROUND_BIND",
                reason: format!("{e} (expected host:port such as 127.0.0.1:8080)"),
            })?;
        let json_logs = match var("COMMONGROUND_LOG_FORMAT").as_deref() {
            None | Some("pretty") => false,
            Some("json") => true,
            Some(other) => {
                return Err(SettingsError {
                    name: "COMMONGROUND_LOG_FORMAT",
                    reason: format!("`{other}` is neither `pretty` nor `json`"),
                })
            }
        };
        Ok(Settings {
            database_url: var("DATABASE_URL"),
            bind,
            data_dir: var("COMMONGROUND_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(default_data_dir),
            json_logs,
        })
    }
}

/// `/var/lib/commonground` for root (the `postgres` user must reach it), else the XDG data folder.
fn default_data_dir() -> PathBuf {
    if crate::local_postgres::running_as_root() {
        return PathBuf::from("/var/lib/commonground");
    }
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("commonground")
}
