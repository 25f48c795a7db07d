//! A private PostgreSQL for the tests (and the cluster): Debian's package,
//! installed when missing, `initdb` into a temporary directory as an
//! unprivileged user, started on a free loopback port, stopped (and its
//! directory removed) when dropped. Never a server it did not start, unless
//! `WATCHFLOOR_TEST_DATABASE_URL` names one.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use crate::{exec, step, Result};

/// A server to test against, named by the caller instead of a private one.
pub const TEST_DATABASE_URL: &str = "WATCHFLOOR_TEST_DATABASE_URL";

/// The user the private server runs as when the xtask runs as root
/// (PostgreSQL refuses to run as root); the package creates it.
pub const SERVICE_USER: &str = "postgres";

/// A running private PostgreSQL, or the one the environment named.
pub struct Postgres {
    /// A URL of its `postgres` database, as superuser `watchfloor`.
    pub url: String,
    /// `None` for a server the xtask did not start (and will not stop).
    private: Option<Private>,
}

struct Private {
    bin: PathBuf,
    dir: PathBuf,
    as_user: Option<&'static str>,
}

/// Where Debian puts `initdb` and `pg_ctl` (the newest version installed).
pub fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Postgres {
    /// The server named by `WATCHFLOOR_TEST_DATABASE_URL`, or a private one.
    pub fn for_tests() -> Result<Postgres> {
        if let Ok(url) = std::env::var(TEST_DATABASE_URL) {
            step("PostgreSQL: the server WATCHFLOOR_TEST_DATABASE_URL names");
            return Ok(Postgres { url, private: None });
        }
        Postgres::private()
    }

    /// Starts a private server.
    pub fn private() -> Result<Postgres> {
        step("PostgreSQL: a private server on a free loopback port");
        let root = is_root();
        let bin = match bin_dir() {
            Some(bin) => bin,
            None if root => {
                exec(Command::new("apt-get").arg("update"))?;
                exec(
                    Command::new("apt-get")
                        .args(["install", "-y", "--no-install-recommends", "postgresql"])
                        .env("DEBIAN_FRONTEND", "noninteractive"),
                )?;
                bin_dir().ok_or("the postgresql package installed no initdb")?
            }
            None => {
                return Err(
                    "PostgreSQL is needed for the tests: `sudo apt-get install postgresql`, or set WATCHFLOOR_TEST_DATABASE_URL to a server the tests may use"
                        .into(),
                )
            }
        };
        let as_user = root.then_some(SERVICE_USER);
        let dir = std::env::temp_dir().join(format!("watchfloor-postgres-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        if let Some(user) = as_user {
            exec(
                Command::new("chown")
                    .arg(format!("{user}:{user}"))
                    .arg(&dir),
            )?;
        }
        let private = Private { bin, dir, as_user };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| format!("no free port: {error}"))?
            .port();
        let data = private.dir.join("data");
        private.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-U".as_ref(),
                "watchfloor".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-sync".as_ref(),
                // The C locale: the machine's may not be generated.
                "--no-locale".as_ref(),
            ],
        )?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=400",
            private.dir.display()
        );
        private.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                private.dir.join("server.log").as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "-o".as_ref(),
                options.as_ref(),
                "start".as_ref(),
            ],
        )?;
        Ok(Postgres {
            url: format!("postgres://watchfloor@127.0.0.1:{port}/postgres"),
            private: Some(private),
        })
    }
}

impl Private {
    fn run(&self, tool: &str, args: &[&std::ffi::OsStr]) -> Result {
        let program = self.bin.join(tool);
        let mut command = match self.as_user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&program);
                command
            }
            None => Command::new(&program),
        };
        // runuser keeps the cwd, which the service user may not be able to read.
        exec(command.args(args).current_dir(&self.dir))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(private) = &self.private {
            let data = private.data();
            let _ = private.run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-m".as_ref(),
                    "fast".as_ref(),
                    "-w".as_ref(),
                    "stop".as_ref(),
                ],
            );
            let _ = std::fs::remove_dir_all(&private.dir);
        }
    }
}
