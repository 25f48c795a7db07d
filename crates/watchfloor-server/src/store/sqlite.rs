//! The embedded store: SQLite in WAL mode, one file in the data dir, one
//! server (see the module above).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use watchfloor_model::{Event, EventBody, Visibility};

use super::{
    Commit, Contents, IdempotencyRecord, PlayerProgress, Store, StoredEvent, TokenInfo,
    LEGACY_KEY_TOKEN,
};
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::operator::OperatorError;

/// The database file inside the data dir.
pub const DATABASE_FILE: &str = "watchfloor.db";

/// The schema version this build writes (2: idempotency keys are per token
/// and carry their age; 3: each event keeps who posted it and the script
/// entry it played).
const SCHEMA_VERSION: i64 = 3;

/// The embedded store: SQLite in WAL mode.
pub struct SqliteStore {
    path: PathBuf,
    /// Every write goes through this one connection. A std mutex, not tokio's:
    /// it is only ever held on blocking threads, for the length of one statement
    /// or transaction.
    writer: Mutex<Connection>,
    /// Idle read connections, reused so a request does not pay for opening one.
    readers: Mutex<Vec<Connection>>,
}

/// Idle read connections kept for reuse.
const IDLE_READERS: usize = 8;

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir`, in WAL mode,
    /// migrated to this build's schema. Only the server's start and the
    /// operator's commands open a store, so its failures are the operator's.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, OperatorError> {
        let refused = |reason: String| OperatorError::DataDir {
            path: data_dir.to_owned(),
            reason,
        };
        // The dir, the database and its -wal and -shm are the owner's only
        // (0700, 0600): they hold restricted events and every token's hash.
        crate::data_dir::create(data_dir)
            .map_err(|error| refused(format!("cannot be created: {error}")))?;
        let path = data_dir.join(DATABASE_FILE);
        let cannot_restrict = |error: std::io::Error| {
            refused(format!(
                "cannot make {DATABASE_FILE} readable by its owner only: {error}"
            ))
        };
        crate::data_dir::create_private_file(&path).map_err(cannot_restrict)?;
        let cannot_open = |error: rusqlite::Error| {
            refused(format!("SQLite cannot open {DATABASE_FILE} in it: {error}"))
        };
        let mut connection = connect(&path).map_err(cannot_open)?;
        // WAL is a property of the database file, so readers opened later by
        // `connect` are in WAL mode too; it is asked for, and checked, here.
        let mode: String = connection
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(cannot_open)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(refused(format!(
                "SQLite cannot use write-ahead logging there (its journal mode is {mode}); put the data dir on a local disk"
            )));
        }
        // SQLite gives -wal and -shm the database's mode; an older build's
        // files (0644) are tightened too.
        for suffix in ["", "-wal", "-shm"] {
            crate::data_dir::restrict(&crate::data_dir::with_suffix(&path, suffix))
                .map_err(cannot_restrict)?;
        }
        let version = migrate(&mut connection).map_err(cannot_open)?;
        if version > SCHEMA_VERSION {
            return Err(refused(format!(
                "it was written by a newer watchfloor-server (schema {version}; this build knows {SCHEMA_VERSION})"
            )));
        }
        Ok(SqliteStore {
            path,
            writer: Mutex::new(connection),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Caps the database at about `bytes` (SQLite's `max_page_count`): a
    /// commit that would grow it further fails as on a full disk, and the
    /// server stops writing (see `crate::health`) — a bound an operator sets
    /// on a shared disk, and how the full-disk path is tested for real.
    pub fn limit_size(&self, bytes: u64) -> Result<(), OperatorError> {
        let refused = |error: rusqlite::Error| OperatorError::DataDir {
            path: self.path.clone(),
            reason: format!("cannot limit the database's size: {error}"),
        };
        let connection = self.writer.lock().map_err(|_| OperatorError::DataDir {
            path: self.path.clone(),
            reason: "the database writer lock is poisoned".into(),
        })?;
        let page_size: u64 = connection
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .map_err(refused)?;
        let pages = (bytes / page_size.max(1)).max(1);
        let _: u64 = connection
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |row| {
                row.get(0)
            })
            .map_err(refused)?;
        Ok(())
    }

    /// Copies the whole store to `to` while the server may be writing, and
    /// returns the last seq the copy holds. SQLite's online backup API
    /// copies every page in one step inside one read transaction (in WAL
    /// mode writers go on meanwhile), so the copy is the store as of one
    /// commit: a prefix of the log, never a torn one. The copy is one
    /// self-contained file (no `-wal`), owner-only, and `to` must not exist.
    pub fn backup(&self, to: &Path) -> Result<u64, OperatorError> {
        let failed = |what: String| OperatorError::DataDir {
            path: to.to_owned(),
            reason: what,
        };
        let sqlite = |error: rusqlite::Error| failed(format!("the backup failed: {error}"));
        if to.exists() {
            return Err(failed(
                "is already there: back up to a new file (nothing is overwritten)".into(),
            ));
        }
        crate::data_dir::create_private_file(to)
            .map_err(|error| failed(format!("cannot be created owner-only: {error}")))?;
        let result = (|| {
            let source = connect(&self.path).map_err(sqlite)?;
            let mut target = Connection::open(to).map_err(sqlite)?;
            {
                let backup = rusqlite::backup::Backup::new(&source, &mut target).map_err(sqlite)?;
                let deadline = std::time::Instant::now() + Duration::from_secs(30);
                // -1: every page in one step, so no commit lands half-way.
                loop {
                    match backup.step(-1).map_err(sqlite)? {
                        rusqlite::backup::StepResult::Done => break,
                        _ if std::time::Instant::now() > deadline => {
                            return Err(failed(
                                "the database stayed locked for 30 s; try again".into(),
                            ))
                        }
                        _ => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            }
            let _: String = target
                .query_row("PRAGMA journal_mode=DELETE", [], |row| row.get(0))
                .map_err(sqlite)?;
            let head: i64 = target
                .query_row("SELECT coalesce(max(seq), 0) FROM events", [], |row| {
                    row.get(0)
                })
                .map_err(sqlite)?;
            Ok(head as u64)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(to);
        }
        result
    }

    /// Brings a backup back as the data dir's store; returns its last seq.
    /// Refused while a server holds the data dir, for a file that is not a
    /// sound Watchfloor store (SQLite's integrity check, a schema this build
    /// knows, a log that folds), and over a store that has events unless
    /// `replace`: then the old files are kept beside it as
    /// `watchfloor.db.replaced-<time>`.
    pub fn restore(data_dir: &Path, from: &Path, replace: bool) -> Result<u64, OperatorError> {
        let refused = |reason: String| OperatorError::DataDir {
            path: from.to_owned(),
            reason,
        };
        let _lock = crate::data_dir::DataDirLock::acquire(data_dir)?;
        let source = Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|error| refused(format!("cannot be opened: {error}")))?;
        let unsound =
            |error: rusqlite::Error| refused(format!("is not a Watchfloor store: {error}"));
        let integrity: String = source
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(unsound)?;
        if integrity != "ok" {
            return Err(refused(format!(
                "fails SQLite's integrity check: {integrity}"
            )));
        }
        let version: i64 = source
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(unsound)?;
        if !(1..=SCHEMA_VERSION).contains(&version) {
            return Err(refused(format!(
                "is not a Watchfloor store this build can read (schema {version}; this build knows 1 to {SCHEMA_VERSION})"
            )));
        }
        // Copied into a private dir inside the data dir, opened (and so
        // migrated) and folded there; only then moved into place.
        let staging = data_dir.join(".restoring");
        let _ = std::fs::remove_dir_all(&staging);
        crate::data_dir::create(&staging).map_err(|error| OperatorError::DataDir {
            path: staging.clone(),
            reason: format!("cannot be created: {error}"),
        })?;
        let staged = staging.join(DATABASE_FILE);
        let copied = (|| {
            crate::data_dir::create_private_file(&staged)
                .map_err(|error| refused(format!("cannot be copied: {error}")))?;
            let mut target = Connection::open(&staged).map_err(unsound)?;
            rusqlite::backup::Backup::new(&source, &mut target)
                .and_then(|backup| backup.run_to_completion(1024, Duration::ZERO, None))
                .map_err(unsound)?;
            drop(target);
            let store = SqliteStore::open(&staging)?;
            let events = store
                .events_after(0)
                .map_err(|error| refused(format!("has a log this build cannot read: {error}")))?;
            let mut state = watchfloor_model::State::default();
            for stored in &events {
                state.apply(&stored.event).map_err(|refusal| {
                    refused(format!(
                        "has a log that does not fold: event {} is refused ({})",
                        stored.event.seq, refusal.message
                    ))
                })?;
            }
            Ok(state.seq)
        })();
        let head = match copied {
            Ok(head) => head,
            Err(error) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(error);
            }
        };
        let target = data_dir.join(DATABASE_FILE);
        let moved = |error: std::io::Error| OperatorError::DataDir {
            path: data_dir.to_owned(),
            reason: format!("the restored store cannot be moved into place: {error}"),
        };
        if target.exists() {
            let existing = SqliteStore::open(data_dir)?;
            let has_events = !existing
                .events_after(0)
                .map_err(|error| refused(error.to_string()))?
                .is_empty();
            drop(existing);
            if has_events && !replace {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(OperatorError::DataDir {
                    path: data_dir.to_owned(),
                    reason: "already holds an event log: restore into an empty data dir, or add --replace (the old files are kept beside it)".into(),
                });
            }
            let kept = format!(".replaced-{}", Utc::now().format("%Y%m%dT%H%M%SZ"));
            for suffix in ["", "-wal", "-shm"] {
                let file = crate::data_dir::with_suffix(&target, suffix);
                if file.exists() {
                    std::fs::rename(
                        &file,
                        crate::data_dir::with_suffix(&target, &format!("{kept}{suffix}")),
                    )
                    .map_err(moved)?;
                }
            }
        }
        // The staged store was closed, so its log is checkpointed into the
        // file; a -wal or -shm left behind goes with it all the same.
        for suffix in ["-wal", "-shm", ""] {
            let file = crate::data_dir::with_suffix(&staged, suffix);
            if file.exists() {
                std::fs::rename(&file, crate::data_dir::with_suffix(&target, suffix))
                    .map_err(moved)?;
            }
        }
        let _ = std::fs::remove_dir_all(&staging);
        Ok(head)
    }

    /// Everything that moves to another store (see [`Contents`]), read in
    /// one transaction.
    pub fn contents(&self) -> Result<Contents> {
        let events = self.events_after(0)?;
        self.read(|connection| {
            let mut tokens = Vec::new();
            let mut statement = connection.prepare(
                "SELECT id, name, role, created_at, revoked_at, sha256 FROM tokens ORDER BY id",
            )?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                tokens.push((token_from_row(row)?, row.get::<_, String>("sha256")?));
            }
            let mut keys = Vec::new();
            let mut statement = connection.prepare(
                "SELECT token_id, key, body_sha256, seqs, created_at FROM idempotency ORDER BY created_at",
            )?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let seqs: String = row.get(3)?;
                keys.push(IdempotencyRecord {
                    token_id: row.get(0)?,
                    key: row.get(1)?,
                    body_sha256: row.get(2)?,
                    seqs: serde_json::from_str(&seqs).map_err(|error| {
                        Error::Internal(format!("an idempotency key has unreadable seqs: {error}"))
                    })?,
                    created_at: parse_time(&row.get::<_, String>(4)?)?,
                });
            }
            Ok((tokens, keys))
        })
        .and_then(|(tokens, keys)| {
            Ok(Contents {
                events,
                tokens,
                keys,
                progress: self.player_progress()?,
            })
        })
    }

    fn write<R>(&self, work: impl FnOnce(&mut Connection) -> rusqlite::Result<R>) -> Result<R> {
        let mut connection = self
            .writer
            .lock()
            .map_err(|_| Error::Internal("the database writer lock is poisoned".into()))?;
        Ok(work(&mut connection)?)
    }

    fn read<R>(&self, work: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let idle = self.readers.lock().ok().and_then(|mut idle| idle.pop());
        let connection = match idle {
            Some(connection) => connection,
            None => connect(&self.path)?,
        };
        let result = work(&connection);
        if let Ok(mut idle) = self.readers.lock() {
            if idle.len() < IDLE_READERS {
                idle.push(connection);
            }
        }
        result
    }
}

/// A connection with the settings every connection needs (`synchronous` is
/// per connection, unlike the journal mode).
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    // The CLI may create or revoke a token while the server writes events.
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
    Ok(connection)
}

/// Brings the schema up to this build's; returns the version found, and
/// touches nothing if that is newer than this build knows.
fn migrate(connection: &mut Connection) -> rusqlite::Result<i64> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Ok(version);
    }
    if version < 1 {
        transaction.execute_batch(
            "CREATE TABLE events (
                 seq INTEGER PRIMARY KEY,
                 at TEXT NOT NULL,
                 type TEXT NOT NULL,
                 visibility TEXT NOT NULL,
                 body TEXT NOT NULL
             );
             CREATE TABLE idempotency (
                 key TEXT PRIMARY KEY,
                 body_sha256 TEXT NOT NULL,
                 seqs TEXT NOT NULL,
                 created_at TEXT NOT NULL
             );
             CREATE TABLE tokens (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 name TEXT NOT NULL,
                 role TEXT NOT NULL,
                 sha256 TEXT NOT NULL UNIQUE,
                 created_at TEXT NOT NULL,
                 revoked_at TEXT
             );
             CREATE TABLE sessions (
                 sha256 TEXT PRIMARY KEY,
                 token_id INTEGER NOT NULL REFERENCES tokens(id),
                 created_at TEXT NOT NULL,
                 expires_at TEXT NOT NULL
             );
             CREATE INDEX sessions_by_token ON sessions(token_id);
             CREATE TABLE player (
                 id INTEGER PRIMARY KEY CHECK (id = 1),
                 scenario TEXT NOT NULL,
                 scenario_sha256 TEXT NOT NULL,
                 startex TEXT NOT NULL,
                 speed REAL NOT NULL,
                 next_entry INTEGER NOT NULL
             );
             PRAGMA user_version = 1;",
        )?;
    }
    if version < 2 {
        // Keys become per token (the primary key changes, so the table is
        // rebuilt); the keys already there are kept as legacy keys.
        transaction.execute_batch(&format!(
            "CREATE TABLE idempotency_v2 (
                 token_id INTEGER NOT NULL,
                 key TEXT NOT NULL,
                 body_sha256 TEXT NOT NULL,
                 seqs TEXT NOT NULL,
                 created_at TEXT NOT NULL,
                 PRIMARY KEY (token_id, key)
             );
             INSERT INTO idempotency_v2 (token_id, key, body_sha256, seqs, created_at)
                 SELECT {LEGACY_KEY_TOKEN}, key, body_sha256, seqs, created_at FROM idempotency;
             DROP TABLE idempotency;
             ALTER TABLE idempotency_v2 RENAME TO idempotency;
             CREATE INDEX idempotency_by_age ON idempotency(created_at);
             CREATE INDEX sessions_by_age ON sessions(token_id, created_at);
             PRAGMA user_version = 2;"
        ))?;
    }
    if version < 3 {
        // Who posted each event (a token's or session's name) and the
        // script entry it played; events from before were neither.
        transaction.execute_batch(
            "ALTER TABLE events ADD COLUMN posted_by TEXT;
             ALTER TABLE events ADD COLUMN entry INTEGER;
             PRAGMA user_version = 3;",
        )?;
    }
    transaction.commit()?;
    Ok(version)
}

/// Times are stored as RFC 3339 text with milliseconds, so they sort as text.
fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                Box::new(error),
            )
        })
}

fn token_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenInfo> {
    let role: String = row.get("role")?;
    let role = Role::from_str(&role).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, error.into())
    })?;
    let created_at: String = row.get("created_at")?;
    let revoked_at: Option<String> = row.get("revoked_at")?;
    Ok(TokenInfo {
        id: row.get("id")?,
        name: row.get("name")?,
        role,
        created_at: parse_time(&created_at)?,
        revoked_at: revoked_at.as_deref().map(parse_time).transpose()?,
    })
}

impl Store for SqliteStore {
    fn events_after(&self, seq: u64) -> Result<Vec<StoredEvent>> {
        self.read(|connection| {
            let mut statement = connection.prepare(
                "SELECT seq, at, visibility, body, posted_by, entry FROM events
                 WHERE seq > ?1 ORDER BY seq",
            )?;
            let rows = statement.query_map([seq as i64], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                ))
            })?;
            let mut events = Vec::new();
            for row in rows {
                let (seq, at, visibility, body, by, entry) = row?;
                let unreadable = |what: String| {
                    Error::Internal(format!("event {seq} in the log cannot be read: {what}"))
                };
                let body: EventBody =
                    serde_json::from_str(&body).map_err(|error| unreadable(error.to_string()))?;
                let visibility = Visibility::from_str(&visibility).map_err(unreadable)?;
                let entry = entry
                    .map(u32::try_from)
                    .transpose()
                    .map_err(|error| unreadable(error.to_string()))?;
                events.push(StoredEvent {
                    event: Event {
                        by,
                        entry,
                        seq: seq as u64,
                        at: parse_time(&at)?,
                        body,
                    },
                    visibility,
                });
            }
            Ok(events)
        })
    }

    fn commit(&self, commit: &Commit) -> Result<()> {
        let bodies = commit
            .events
            .iter()
            .map(|stored| serde_json::to_string(&stored.event.body))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| Error::Internal(format!("an event cannot be serialised: {error}")))?;
        self.write(|connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = transaction.prepare_cached(
                    "INSERT INTO events (seq, at, type, visibility, body, posted_by, entry)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for (stored, body) in commit.events.iter().zip(&bodies) {
                    insert.execute(params![
                        stored.event.seq as i64,
                        time_text(stored.event.at),
                        stored.event.body.kind(),
                        stored.visibility.as_str(),
                        body,
                        stored.event.by,
                        stored.event.entry,
                    ])?;
                }
                if let Some(before) = commit.forget_keys_before {
                    transaction
                        .prepare_cached("DELETE FROM idempotency WHERE created_at < ?1")?
                        .execute([time_text(before)])?;
                }
                let mut remember = transaction.prepare_cached(
                    "INSERT INTO idempotency (token_id, key, body_sha256, seqs, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (token_id, key) DO UPDATE SET body_sha256 = excluded.body_sha256,
                         seqs = excluded.seqs, created_at = excluded.created_at",
                )?;
                for record in &commit.idempotency {
                    let seqs = serde_json::to_string(&record.seqs).expect("numbers serialise");
                    remember.execute(params![
                        record.token_id,
                        record.key,
                        record.body_sha256,
                        seqs,
                        time_text(record.created_at)
                    ])?;
                }
            }
            if let Some(progress) = &commit.progress {
                transaction.execute(
                    "INSERT INTO player (id, scenario, scenario_sha256, startex, speed, next_entry)
                     VALUES (1, ?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO UPDATE SET scenario = excluded.scenario,
                         scenario_sha256 = excluded.scenario_sha256, startex = excluded.startex,
                         speed = excluded.speed, next_entry = excluded.next_entry",
                    params![
                        progress.scenario,
                        progress.scenario_sha256,
                        time_text(progress.startex),
                        progress.speed,
                        progress.next as i64,
                    ],
                )?;
            }
            transaction.commit()
        })
    }

    fn idempotency(
        &self,
        token_id: i64,
        key: &str,
        not_before: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>> {
        self.read(|connection| {
            // The token's own key first; a legacy key (from before keys were
            // per token) only if the token has none.
            let found = connection
                .query_row(
                    "SELECT token_id, body_sha256, seqs, created_at FROM idempotency
                     WHERE key = ?1 AND token_id IN (?2, ?3) AND created_at >= ?4
                     ORDER BY token_id = ?3 LIMIT 1",
                    params![key, token_id, LEGACY_KEY_TOKEN, time_text(not_before)],
                    |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            parse_time(&row.get::<_, String>(3)?)?,
                        ))
                    },
                )
                .optional()?;
            found
                .map(|(token_id, body_sha256, seqs, created_at)| {
                    let seqs = serde_json::from_str(&seqs).map_err(|error| {
                        Error::Internal(format!(
                            "idempotency key `{key}` has unreadable seqs: {error}"
                        ))
                    })?;
                    Ok(IdempotencyRecord {
                        token_id,
                        key: key.to_owned(),
                        body_sha256,
                        seqs,
                        created_at,
                    })
                })
                .transpose()
        })
    }

    fn player_progress(&self) -> Result<Option<PlayerProgress>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    "SELECT scenario, scenario_sha256, startex, speed, next_entry FROM player WHERE id = 1",
                    [],
                    |row| {
                        Ok(PlayerProgress {
                            scenario: row.get(0)?,
                            scenario_sha256: row.get(1)?,
                            startex: parse_time(&row.get::<_, String>(2)?)?,
                            speed: row.get(3)?,
                            next: row.get::<_, i64>(4)? as usize,
                        })
                    },
                )
                .optional()?)
        })
    }

    fn create_token(&self, role: Role, name: &str, sha256: &str) -> Result<i64> {
        self.write(|connection| {
            connection.execute(
                "INSERT INTO tokens (name, role, sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, role.as_str(), sha256, time_text(Utc::now())],
            )?;
            Ok(connection.last_insert_rowid())
        })
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>> {
        self.read(|connection| {
            let mut statement = connection
                .prepare("SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY id")?;
            let tokens = statement
                .query_map([], token_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(tokens)
        })
    }

    fn revoke_token(&self, id: i64) -> Result<bool> {
        self.write(|connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists: bool = transaction
                .query_row("SELECT 1 FROM tokens WHERE id = ?1", [id], |_| Ok(true))
                .optional()?
                .unwrap_or(false);
            transaction.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, time_text(Utc::now())],
            )?;
            transaction.execute("DELETE FROM sessions WHERE token_id = ?1", [id])?;
            transaction.commit()?;
            Ok(exists)
        })
    }

    fn active_token(&self, sha256: &str) -> Result<Option<TokenInfo>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    "SELECT id, name, role, created_at, revoked_at FROM tokens
                     WHERE sha256 = ?1 AND revoked_at IS NULL",
                    [sha256],
                    token_from_row,
                )
                .optional()?)
        })
    }

    fn create_session(
        &self,
        sha256: &str,
        token_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        keep: usize,
    ) -> Result<()> {
        self.write(|connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Expired sessions are swept whenever someone signs in.
            transaction.execute("DELETE FROM sessions WHERE expires_at <= ?1", [time_text(now)])?;
            transaction.execute(
                "INSERT INTO sessions (sha256, token_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![sha256, token_id, time_text(now), time_text(expires_at)],
            )?;
            // A token keeps its `keep` newest sessions: signing in again and
            // again cannot grow the table.
            transaction.execute(
                "DELETE FROM sessions WHERE token_id = ?1 AND sha256 NOT IN
                     (SELECT sha256 FROM sessions WHERE token_id = ?1
                      ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
                params![token_id, i64::try_from(keep).unwrap_or(i64::MAX)],
            )?;
            transaction.commit()
        })
    }

    fn session(&self, sha256: &str, now: DateTime<Utc>) -> Result<Option<TokenInfo>> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    "SELECT t.id, t.name, t.role, t.created_at, t.revoked_at
                     FROM sessions s JOIN tokens t ON t.id = s.token_id
                     WHERE s.sha256 = ?1 AND s.expires_at > ?2 AND t.revoked_at IS NULL",
                    params![sha256, time_text(now)],
                    token_from_row,
                )
                .optional()?)
        })
    }

    fn delete_session(&self, sha256: &str) -> Result<()> {
        self.write(|connection| {
            connection.execute("DELETE FROM sessions WHERE sha256 = ?1", [sha256])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::event;

    #[test]
    fn every_connection_is_durable_write_ahead_logging() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(dir.path()).expect("open");
        let pragmas = |connection: &Connection| -> Result<(String, i64)> {
            Ok((
                connection.query_row("PRAGMA journal_mode", [], |row| row.get(0))?,
                connection.query_row("PRAGMA synchronous", [], |row| row.get(0))?,
            ))
        };
        // synchronous = 2 is FULL: every commit is fsync'd before it returns.
        assert_eq!(store.read(pragmas).expect("reader"), ("wal".to_string(), 2));
        let writer = store.writer.lock().expect("writer");
        assert_eq!(pragmas(&writer).expect("writer"), ("wal".to_string(), 2));
    }

    /// A database as schema 1 wrote it (frozen here: the migration must
    /// keep opening those).
    const SCHEMA_1: &str = "CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT NOT NULL,
            type TEXT NOT NULL, visibility TEXT NOT NULL, body TEXT NOT NULL);
        CREATE TABLE idempotency (key TEXT PRIMARY KEY, body_sha256 TEXT NOT NULL,
            seqs TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
            role TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
        CREATE TABLE sessions (sha256 TEXT PRIMARY KEY, token_id INTEGER NOT NULL REFERENCES tokens(id),
            created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
        CREATE INDEX sessions_by_token ON sessions(token_id);
        CREATE TABLE player (id INTEGER PRIMARY KEY CHECK (id = 1), scenario TEXT NOT NULL,
            scenario_sha256 TEXT NOT NULL, startex TEXT NOT NULL, speed REAL NOT NULL,
            next_entry INTEGER NOT NULL);
        PRAGMA user_version = 1;";

    #[test]
    fn a_schema_1_database_is_migrated_and_keeps_its_keys_as_legacy_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let recent = time_text(Utc::now() - chrono::Duration::minutes(5));
        {
            let old = Connection::open(dir.path().join(DATABASE_FILE)).expect("old db");
            old.execute_batch(SCHEMA_1).expect("schema 1");
            old.execute(
                "INSERT INTO idempotency (key, body_sha256, seqs, created_at) VALUES ('k', 'aa', '[1]', ?1)",
                [&recent],
            )
            .expect("old key");
        }
        let store = SqliteStore::open(dir.path()).expect("migrated");
        let version: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA user_version", [], |row| row.get(0))?))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
        let day_ago = Utc::now() - chrono::Duration::hours(24);
        // Any token's retry across the upgrade still finds the old key...
        let found = store.idempotency(7, "k", day_ago).expect("read");
        assert_eq!(
            found.map(|r| (r.token_id, r.seqs)),
            Some((LEGACY_KEY_TOKEN, vec![1]))
        );
        // ...but a token's own key comes first, and keys are per token.
        let record = |token_id, body: &str| IdempotencyRecord {
            token_id,
            key: "k".into(),
            body_sha256: body.into(),
            seqs: vec![2],
            created_at: Utc::now(),
        };
        store
            .commit(&Commit {
                idempotency: vec![record(7, "bb"), record(8, "cc")],
                ..Commit::default()
            })
            .expect("commit");
        let own = |token| {
            store
                .idempotency(token, "k", day_ago)
                .expect("read")
                .map(|r| r.body_sha256)
        };
        assert_eq!(own(7).as_deref(), Some("bb"));
        assert_eq!(own(8).as_deref(), Some("cc"));
        // Keys older than the window are not found, and go at the next insert.
        assert_eq!(
            store
                .idempotency(7, "k", Utc::now() + chrono::Duration::seconds(1))
                .expect("read"),
            None
        );
        store
            .commit(&Commit {
                idempotency: vec![IdempotencyRecord {
                    key: "new".into(),
                    ..record(9, "dd")
                }],
                forget_keys_before: Some(Utc::now() + chrono::Duration::seconds(1)),
                ..Commit::default()
            })
            .expect("commit");
        let left: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM idempotency", [], |row| row.get(0))?))
            .expect("count");
        assert_eq!(left, 1, "only the key just inserted is left");
    }

    #[test]
    fn an_event_keeps_who_posted_it_and_its_script_entry_and_old_events_read_as_neither() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let old = Connection::open(dir.path().join(DATABASE_FILE)).expect("old db");
            old.execute_batch(SCHEMA_1).expect("schema 1");
            old.execute(
                "INSERT INTO events (seq, at, type, visibility, body)
                 VALUES (1, '2026-11-23T08:00:00.125Z', 'phase_changed', 'public',
                         '{\"type\":\"phase_changed\",\"phase\":\"execution\"}')",
                [],
            )
            .expect("old event");
        }
        let store = SqliteStore::open(dir.path()).expect("migrated");
        let mut posted = event(2);
        posted.event.by = Some("White cell 1".into());
        posted.event.entry = Some(41);
        store
            .commit(&Commit {
                events: vec![posted.clone()],
                ..Commit::default()
            })
            .expect("commit");
        let events = store.events_after(0).expect("read");
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[0].event.by.as_deref(), events[0].event.entry),
            (None, None)
        );
        assert_eq!(events[1], posted);
    }
}
