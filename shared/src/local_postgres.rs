//! A private PostgreSQL cluster in a data folder, started with the server binaries installed on the machine
//! (`initdb`, `pg_ctl`), so the product and its tests run on a fresh machine without any set-up. When run as
//! root the cluster runs as the `postgres` system user, as PostgreSQL requires. It listens only on a Unix
//! socket inside the folder, so it never collides with another server's port.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running private cluster; `stop` shuts it down if this process started it.
#[derive(Debug)]
pub struct LocalPostgres {
    bin_dir: PathBuf,
    root: PathBuf,
    owner: Option<(u32, u32)>,
    /// False when the cluster was already running (another command uses it): then `stop` leaves it be.
    started_here: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LocalPostgresError {
    #[error(
        "no PostgreSQL server binaries found (looked for initdb and pg_ctl on PATH, in $PG_BIN and in \
         /usr/lib/postgresql/*/bin).\n  Install them: `sudo apt-get install postgresql` (Debian/Ubuntu), \
         `brew install postgresql` (macOS), or set DATABASE_URL to a PostgreSQL server you already run."
    )]
    NoBinaries,
    #[error("running as root, but there is no `postgres` system user to run the private cluster as; create one (`adduser --system --group postgres`) or set DATABASE_URL")]
    NoPostgresUser,
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("cannot prepare {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Whether this process runs as root.
pub fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

impl LocalPostgres {
    /// Starts (creating on first use) the cluster in `root/postgres`, or adopts it if it already runs.
    pub fn start(root: &Path) -> Result<Self, LocalPostgresError> {
        let bin_dir = find_binaries().ok_or(LocalPostgresError::NoBinaries)?;
        let owner = if running_as_root() {
            Some(postgres_user().ok_or(LocalPostgresError::NoPostgresUser)?)
        } else {
            None
        };
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LocalPostgresError::Io { path, source }
        };
        std::fs::create_dir_all(root).map_err(io(root))?;
        let mut cluster = LocalPostgres {
            bin_dir,
            root: root.to_path_buf(),
            owner,
            started_here: false,
        };
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(root, Some(uid), Some(gid)).map_err(io(root))?;
        }
        if !cluster.data_dir().join("PG_VERSION").exists() {
            let data_dir = cluster.data_dir();
            cluster.run(
                "initdb",
                &[
                    "-D".as_ref(),
                    data_dir.as_os_str(),
                    "--username=postgres".as_ref(),
                    "--auth=trust".as_ref(),
                    "--encoding=UTF8".as_ref(),
                    "--locale=C".as_ref(),
                ],
            )?;
        }
        if !cluster.is_running() {
            let socket_dir = cluster.socket_dir();
            std::fs::create_dir_all(&socket_dir).map_err(io(&socket_dir))?;
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::chown(&socket_dir, Some(uid), Some(gid)).map_err(io(&socket_dir))?;
            }
            let options = format!(
                "-c listen_addresses='' -k {} -c max_connections=200 -c fsync=on",
                socket_dir.display()
            );
            let data_dir = cluster.data_dir();
            let log = cluster.root.join("postgres.log");
            cluster.run(
                "pg_ctl",
                &[
                    "start".as_ref(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "-D".as_ref(),
                    data_dir.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-o".as_ref(),
                    options.as_ref(),
                ],
            )?;
            cluster.started_here = true;
        }
        Ok(cluster)
    }

    /// How to connect to a database of this cluster.
    pub fn config(&self, database: &str) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(self.socket_dir())
            .user("postgres")
            .dbname(database);
        config
    }

    /// Stops the cluster if this process started it (fast shutdown: open transactions roll back, committed
    /// data is kept); a cluster another process started keeps running for it.
    pub fn stop(&self) -> Result<(), LocalPostgresError> {
        if !self.started_here {
            return Ok(());
        }
        let data_dir = self.data_dir();
        self.run(
            "pg_ctl",
            &[
                "stop".as_ref(),
                "-w".as_ref(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-D".as_ref(),
                data_dir.as_os_str(),
            ],
        )
        .map(|_| ())
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("postgres")
    }

    fn socket_dir(&self) -> PathBuf {
        self.root.join("socket")
    }

    fn is_running(&self) -> bool {
        let data_dir = self.data_dir();
        self.command(
            "pg_ctl",
            &["status".as_ref(), "-D".as_ref(), data_dir.as_os_str()],
        )
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
    }

    fn command(&self, program: &str, args: &[&std::ffi::OsStr]) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        command.args(args).current_dir(&self.root);
        if let Some((uid, gid)) = self.owner {
            command.uid(uid).gid(gid).env("HOME", &self.root);
        }
        command
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<Output, LocalPostgresError> {
        let output = self
            .command(program, args)
            .output()
            .map_err(|e| LocalPostgresError::Command {
                what: program.to_string(),
                detail: e.to_string(),
            })?;
        if output.status.success() {
            Ok(output)
        } else {
            let mut detail = String::from_utf8_lossy(&output.stderr).into_owned();
            if program == "pg_ctl" {
                let log = std::fs::read_to_string(self.root.join("postgres.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                detail.push_str(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            }
            Err(LocalPostgresError::Command {
                what: format!("{program} in {}", self.root.display()),
                detail,
            })
        }
    }
}

/// The directory holding `initdb` and `pg_ctl`: `$PG_BIN`, then PATH, then the newest Debian install.
fn find_binaries() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let from_env = std::env::var_os("PG_BIN").map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    debian.sort_by_key(|dir| {
        dir.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    from_env
        .into_iter()
        .chain(on_path)
        .chain(debian.into_iter().rev())
        .chain([PathBuf::from("/usr/local/pgsql/bin")])
        .find(|dir| has_tools(dir))
}

/// The uid and gid of the `postgres` system user, from /etc/passwd.
fn postgres_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&"postgres") && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}
