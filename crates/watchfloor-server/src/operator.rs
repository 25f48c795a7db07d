//! The operator's side of the server: the commands besides serving (tokens,
//! scenario files), and [`OperatorError`], everything that can stop the
//! server starting or a command finishing.
//!
//! These errors are for a person at a shell (or a test), never for an HTTP
//! client: they have no status code and are printed by `main.rs` as one line.
//! What a request can cause is [`Error`], answered with a status.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use watchfloor_model::scenario::{self, Scenario};

use crate::auth::{self, Role};
use crate::error::{self, Error, Problem};
use crate::store::{Database, PgStore, SqliteStore, Store, TokenInfo};

/// Why the server would not start, or a command did not finish.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The running server hit a fault it cannot serve through (its writer
    /// died, its event log could not be written): it stopped so that a
    /// supervisor restarts it. Nothing acknowledged is lost.
    #[error("the server stopped: {0}; restart it (nothing acknowledged was lost)")]
    Fatal(String),
    /// A setting the server cannot run with: a flag of `serve` (or the
    /// [`Config`](crate::Config) field behind it), or a token's `--name`.
    #[error("{0}")]
    Setting(String),
    /// The operating system refused: a file that cannot be read, an address
    /// that cannot be listened on, a thread or runtime that cannot start.
    #[error("cannot {action}: {source}")]
    Io {
        /// What was being done, completing "cannot …", e.g. `read scenario.json`.
        action: String,
        #[source]
        source: std::io::Error,
    },
    /// The data dir cannot hold the database: it cannot be created, SQLite
    /// cannot open or use write-ahead logging there, or a newer build wrote it.
    #[error("--data-dir {}: {reason}", path.display())]
    DataDir { path: PathBuf, reason: String },
    /// `--tls-cert` or `--tls-key` names a file that cannot be served with:
    /// unreadable, not PEM, no certificate or key in it, or a key that is not
    /// the certificate's.
    #[error("{flag} {}: {reason}", path.display())]
    Tls {
        /// The flag that named the file.
        flag: &'static str,
        path: PathBuf,
        reason: String,
    },
    /// Another server holds the data dir's lock (`watchfloor.lock`): two
    /// servers on one log would assign the same seqs.
    #[error(
        "--data-dir {}: another watchfloor-server (pid {pid}) is serving it; stop that one first, or give this one another --data-dir",
        path.display()
    )]
    DataDirInUse {
        path: PathBuf,
        /// The holder's process id as its lock file says, or `unknown`.
        pid: String,
    },
    /// A scenario file that is not a scenario at all (JSON syntax, the header,
    /// an entry that is not an event).
    #[error("{}: {problem} (see `watchfloor-server scenario check`)", path.display())]
    ScenarioFile {
        path: PathBuf,
        problem: scenario::Problem,
    },
    /// A scenario that parses but cannot be played: events the reducer would
    /// refuse at their place in the script, or times that cannot be scheduled.
    #[error(
        "the scenario `{name}` has {} problem(s): {} (see `watchfloor-server scenario check`)",
        .problems.len(),
        list(.problems)
    )]
    ScenarioProblems {
        name: String,
        problems: Vec<scenario::Problem>,
    },
    /// The data dir's player has played a different scenario; resuming it
    /// with this one would mix two scripts in one log.
    #[error(
        "this data dir has played another scenario (`{played}`, or a different version of it); \
         start with a fresh --data-dir, or without --demo/--scenario to serve it as it is"
    )]
    OtherScenario { played: String },
    /// `token revoke` with an id that no token has.
    #[error("there is no token with id {0} (see `watchfloor-server token list`)")]
    UnknownToken(i64),
    /// The database or a background task failed while starting or running a
    /// command, as the server names it when a request meets the same fault.
    #[error(transparent)]
    Server(#[from] Error),
}

impl From<tokio::task::JoinError> for OperatorError {
    fn from(error: tokio::task::JoinError) -> Self {
        OperatorError::Server(error.into())
    }
}

/// Scenario problems on one line, so the error stays one line.
fn list(problems: &[scenario::Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Creates a token in the store (a data dir, or a PostgreSQL database; the
/// servers may be running: it takes effect at once). Returns its id and its
/// text, which is not stored and must be shown to the person now.
pub fn create_token(
    database: impl Into<Database>,
    role: Role,
    name: &str,
) -> Result<(i64, String), OperatorError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(OperatorError::Setting(
            "give the token a name of 1 to 100 characters saying who holds it, e.g. --name \"white cell laptop\"".into(),
        ));
    }
    let database = database.into();
    off_runtime(|| {
        let store = database.open()?;
        let token = auth::new_token()?;
        let id = store.create_token(role, name, &auth::sha256_hex(&token))?;
        Ok((id, token))
    })
}

/// Runs blocking store work on a thread of its own when called from inside
/// an async runtime (a test, an embedding program): PostgreSQL's blocking
/// client cannot run on a runtime's thread.
fn off_runtime<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Revokes a token and ends its browser sessions; at once, also for a running server.
pub fn revoke_token(database: impl Into<Database>, id: i64) -> Result<(), OperatorError> {
    let database = database.into();
    if off_runtime(|| {
        database
            .open()?
            .revoke_token(id)
            .map_err(OperatorError::from)
    })? {
        Ok(())
    } else {
        Err(OperatorError::UnknownToken(id))
    }
}

/// Every token in the store, revoked ones included (never their text).
pub fn list_tokens(database: impl Into<Database>) -> Result<Vec<TokenInfo>, OperatorError> {
    let database = database.into();
    off_runtime(|| Ok(database.open()?.tokens()?))
}

/// `store backup FILE`: a consistent copy of a data dir's store, taken
/// while its server runs (see [`SqliteStore::backup`]); returns the last
/// seq in the copy.
pub fn backup_store(data_dir: &Path, to: &Path) -> Result<u64, OperatorError> {
    SqliteStore::open(data_dir)?.backup(to)
}

/// `store restore FILE`: a backup brought back as the data dir's store,
/// with no server running on it (see [`SqliteStore::restore`]); returns
/// the last seq it holds.
pub fn restore_store(data_dir: &Path, from: &Path, replace: bool) -> Result<u64, OperatorError> {
    SqliteStore::restore(data_dir, from, replace)
}

/// `store copy`: moves a data dir's SQLite store (its server stopped) into
/// an empty PostgreSQL database with the seqs, token ids and hashes as they
/// were, and reads it back to check that the log arrived whole; returns
/// the last seq. The SQLite store is left as it was.
pub fn copy_store(data_dir: &Path, database_url: &str) -> Result<u64, OperatorError> {
    off_runtime(|| {
        let _lock = crate::data_dir::DataDirLock::acquire(data_dir)?;
        let source = SqliteStore::open(data_dir)?;
        let contents = source.contents()?;
        let target = PgStore::open(database_url)?;
        target.load(&contents).map_err(|error| match error {
            crate::error::Error::Conflict(problem) => OperatorError::Setting(problem.message),
            other => other.into(),
        })?;
        let copied = target.events_after(0)?;
        if copied != contents.events {
            return Err(OperatorError::Setting(format!(
                "the copy does not read back as the original log ({} events against {}); the PostgreSQL database should be dropped and the copy made again",
                copied.len(),
                contents.events.len()
            )));
        }
        Ok(contents.events.last().map_or(0, |stored| stored.event.seq))
    })
}

/// The built-in demo, modelled on Cyber Coalition.
pub fn demo_scenario() -> Scenario {
    Scenario::parse(include_str!("../../../scenarios/cyber-coalition.json"))
        .expect("the built-in scenario scenarios/cyber-coalition.json parses")
}

/// Reads and parses a scenario file for `serve --scenario FILE`. Only its
/// first problem is reported; [`scenario_problems`] finds them all.
pub fn load_scenario(path: &Path) -> Result<Scenario, OperatorError> {
    let text = std::fs::read_to_string(path).map_err(|source| OperatorError::Io {
        action: format!("read {}", path.display()),
        source,
    })?;
    Scenario::parse(&text).map_err(|problem| OperatorError::ScenarioFile {
        path: path.to_owned(),
        problem,
    })
}

/// Every problem in a scenario file's text: JSON syntax, the header, each
/// entry that is not a valid event (with its index and field), and each
/// event the reducer would refuse at its place in the script.
pub fn scenario_problems(text: &str) -> Vec<scenario::Problem> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Header {
        name: String,
        duration: String,
        start_at: Option<String>,
        entries: Vec<Value>,
    }
    let problem = |entry: Option<usize>, found: Problem| scenario::Problem {
        entry,
        field: found.field.unwrap_or_else(|| "entry".into()),
        message: found.message,
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(_) => return vec![Scenario::parse(text).expect_err("not JSON")],
    };
    let header = match error::parse_value::<Header>(&value, &[]) {
        Ok(header) => header,
        Err(found) => return vec![problem(None, found)],
    };
    let problems: Vec<scenario::Problem> = header
        .entries
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            error::parse_value::<scenario::Entry>(entry, &["at"])
                .err()
                .map(|found| problem(Some(index), found))
        })
        .collect();
    if !problems.is_empty() {
        return problems;
    }
    match Scenario::deserialize(&value) {
        Ok(scenario) => scenario.check(),
        Err(error) => vec![scenario::Problem {
            entry: None,
            field: "scenario".into(),
            message: error.to_string(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_demo_has_no_problems() {
        let text = include_str!("../../../scenarios/cyber-coalition.json");
        assert_eq!(
            scenario_problems(text),
            [],
            "scenarios/cyber-coalition.json"
        );
        assert!(!demo_scenario().entries.is_empty());
    }

    #[test]
    fn scenario_problems_name_every_entry_and_field() {
        let text = r#"{"name": "t", "duration": "1d", "entries": [
            {"at": "0s", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"},
            {"at": "1h", "type": "nation_status", "code": "EST", "status": "sleepy"},
            {"at": "2h", "type": "teleport"},
            {"at": "3h", "type": "incident_opened", "id": "A", "title": "t", "category": "ddos"}
        ]}"#;
        let found: Vec<(Option<usize>, String)> = scenario_problems(text)
            .into_iter()
            .map(|problem| (problem.entry, problem.field))
            .collect();
        assert_eq!(
            found,
            [
                (Some(1), "status".to_string()),
                (Some(2), "type".to_string()),
                (Some(3), "severity".to_string())
            ]
        );
        let reducer = r#"{"name": "t", "duration": "1d", "entries": [
            {"at": "1h", "type": "nation_status", "code": "XYZ", "status": "online"}]}"#;
        let problems = scenario_problems(reducer);
        assert_eq!(
            (problems[0].entry, problems[0].field.as_str()),
            (Some(0), "code")
        );
        assert_eq!(scenario_problems("{").len(), 1);
        assert_eq!(scenario_problems(r#"{"name": "t"}"#)[0].field, "duration");
    }

    #[test]
    fn operator_errors_are_one_line() {
        let problems = vec![
            scenario::Problem {
                entry: Some(1),
                field: "status".into(),
                message: "unknown variant".into(),
            },
            scenario::Problem {
                entry: Some(2),
                field: "code".into(),
                message: "no such nation".into(),
            },
        ];
        let error = OperatorError::ScenarioProblems {
            name: "Broken".into(),
            problems,
        };
        assert_eq!(
            error.to_string(),
            "the scenario `Broken` has 2 problem(s): entry 1: status: unknown variant; \
             entry 2: code: no such nation (see `watchfloor-server scenario check`)"
        );
        let missing = load_scenario(Path::new("/nonexistent/scenario.json"))
            .expect_err("there is no such file");
        assert!(
            missing
                .to_string()
                .starts_with("cannot read /nonexistent/scenario.json: "),
            "{missing}"
        );
        assert!(!missing.to_string().contains('\n'));
    }
}
