//! The event store: the only module that touches SQL.
//!
//! [`Store`] is the whole interface the rest of the server uses — append a
//! group of events atomically under the log's write lock, read the log back,
//! idempotency keys, tokens, sessions and the scenario player's progress.
//! Two backends implement it:
//!
//! - [`SqliteStore`] (`sqlite.rs`), the default: one file,
//!   `DATA_DIR/watchfloor.db`, for one server (the data dir's lock sees to
//!   that). WAL mode with `synchronous=FULL`: an append that returns `Ok` has
//!   been fsync'd.
//! - [`PgStore`] (`postgres.rs`, `serve --database-url`): one PostgreSQL
//!   database shared by several servers. An append takes a transaction-scoped
//!   advisory lock, hands the writer the events other servers appended since
//!   its head (so it validates against the whole log), inserts the next seqs
//!   and notifies the new head, all in one transaction: seqs are dense and
//!   commit-ordered, and none is visible before it is durable.
//!
//! Where a store lives is a [`Database`]: a data dir or a PostgreSQL URL.
//!
//! The methods are blocking. The server calls them from its writer thread or
//! through `spawn_blocking`, never on an async worker.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use watchfloor_model::{Event, Visibility};

use crate::auth::Role;
use crate::error::Result;
use crate::operator::OperatorError;

mod postgres;
mod sqlite;

pub use self::postgres::{PgFollower, PgStore, POLL};
pub use self::sqlite::{SqliteStore, DATABASE_FILE};

/// One event as the log holds it: the event and the visibility it was given
/// when it was appended.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub event: Event,
    pub visibility: Visibility,
}

/// An `Idempotency-Key` and what its first request appended. Keys belong
/// to the token that sent them: the same key from two tokens is two keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The token that used the key (0: a key kept from before keys were per
    /// token, which any token's retry still finds until it expires).
    pub token_id: i64,
    pub key: String,
    /// SHA-256 (hex) of the first request's body.
    pub body_sha256: String,
    pub seqs: Vec<u64>,
    /// When the key was first used; it is forgotten a window later.
    pub created_at: DateTime<Utc>,
}

/// Keys kept from schema 1, before keys belonged to a token.
pub const LEGACY_KEY_TOKEN: i64 = 0;

/// Where the scenario player is, so a restart resumes exactly there.
#[derive(Clone, Debug, PartialEq)]
pub struct PlayerProgress {
    /// The scenario's name, for people reading the database.
    pub scenario: String,
    /// SHA-256 (hex) of the scenario as played: a changed script is a different one.
    pub scenario_sha256: String,
    /// The wall-clock STARTEX the schedule was computed from.
    pub startex: DateTime<Utc>,
    pub speed: f64,
    /// The index into the schedule (`Scenario::schedule`) of the next item to play.
    pub next: usize,
}

/// Everything one group commit writes, in one transaction.
#[derive(Clone, Debug, Default)]
pub struct Commit {
    pub events: Vec<StoredEvent>,
    pub idempotency: Vec<IdempotencyRecord>,
    pub progress: Option<PlayerProgress>,
    /// Idempotency keys first used before this time are deleted in the same
    /// transaction (the writer sets it whenever it records new keys).
    pub forget_keys_before: Option<DateTime<Utc>>,
}

impl Commit {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.idempotency.is_empty() && self.progress.is_none()
    }
}

/// A token as listed: never its text, which is not stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What moves with a store (`store copy`): the log with its seqs, the
/// tokens by their hashes (with their ids, so the log's records of who
/// did what still match), the idempotency keys and the player's progress.
/// Sessions do not move: people sign in again.
#[derive(Clone, Debug, Default)]
pub struct Contents {
    pub events: Vec<StoredEvent>,
    /// Each token and the SHA-256 of its text.
    pub tokens: Vec<(TokenInfo, String)>,
    pub keys: Vec<IdempotencyRecord>,
    pub progress: Option<PlayerProgress>,
}

/// The storage interface of the server. See the module documentation.
pub trait Store: Send + Sync + 'static {
    /// Every event with a seq above `seq`, in order.
    fn events_after(&self, seq: u64) -> Result<Vec<StoredEvent>>;
    /// Writes everything in `commit` atomically and durably, or nothing
    /// (the seqs are the caller's: the log's primary key refuses one taken).
    fn commit(&self, commit: &Commit) -> Result<()>;
    /// The write path: under the log's write lock, calls `build` with the
    /// events appended after `head` by anyone else (always none for a store
    /// only this server writes), and commits what it returns, atomically and
    /// durably, and hands it back. An error from `build` commits nothing.
    /// The default is for a store with one writer: no lock to take, nothing
    /// to catch up.
    fn append(
        &self,
        head: u64,
        build: &mut dyn FnMut(Vec<StoredEvent>) -> Result<Commit>,
    ) -> Result<Commit> {
        let _ = head;
        let commit = build(Vec::new())?;
        if !commit.is_empty() {
            self.commit(&commit)?;
        }
        Ok(commit)
    }
    /// What a token's idempotency key's first request appended, if the
    /// token used the key at or after `not_before` (older keys are forgotten).
    fn idempotency(
        &self,
        token_id: i64,
        key: &str,
        not_before: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>>;
    /// The scenario player's saved progress.
    fn player_progress(&self) -> Result<Option<PlayerProgress>>;
    /// Stores a new token by the SHA-256 of its text; returns its id.
    fn create_token(&self, role: Role, name: &str, sha256: &str) -> Result<i64>;
    /// Every token, revoked ones included, oldest first.
    fn tokens(&self) -> Result<Vec<TokenInfo>>;
    /// Revokes a token and ends its sessions; `false` if there is no such id.
    fn revoke_token(&self, id: i64) -> Result<bool>;
    /// The live (not revoked) token with this SHA-256.
    fn active_token(&self, sha256: &str) -> Result<Option<TokenInfo>>;
    /// Stores a browser session by the SHA-256 of its id, created `now` (the
    /// server's clock; expired sessions are swept by it), keeping at most
    /// `keep` sessions for the token: the oldest beyond that are ended.
    fn create_session(
        &self,
        sha256: &str,
        token_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        keep: usize,
    ) -> Result<()>;
    /// The token behind a live session: not expired at `now`, its token not revoked.
    fn session(&self, sha256: &str, now: DateTime<Utc>) -> Result<Option<TokenInfo>>;
    /// Ends a session (nothing happens if there is none).
    fn delete_session(&self, sha256: &str) -> Result<()>;
}

/// Where the store lives: the data dir's SQLite file (one server), or a
/// PostgreSQL database (any number of servers).
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A `postgres://` URL (or key=value connection string).
    Postgres(String),
}

impl Database {
    /// Opens the store, migrated to this build's schema.
    pub fn open(&self) -> Result<Arc<dyn Store>, OperatorError> {
        Ok(match self {
            Database::Sqlite(data_dir) => Arc::new(SqliteStore::open(data_dir)?),
            Database::Postgres(url) => Arc::new(PgStore::open(url)?),
        })
    }

    /// Whether other servers may write the same log.
    pub fn is_shared(&self) -> bool {
        matches!(self, Database::Postgres(_))
    }
}

/// A data dir is its SQLite store.
impl From<&Path> for Database {
    fn from(data_dir: &Path) -> Database {
        Database::Sqlite(data_dir.to_owned())
    }
}

impl From<&PathBuf> for Database {
    fn from(data_dir: &PathBuf) -> Database {
        Database::Sqlite(data_dir.clone())
    }
}

impl From<&Database> for Database {
    fn from(database: &Database) -> Database {
        database.clone()
    }
}

/// Never the URL's password: configs and errors are logged.
impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(data_dir) => write!(f, "SQLite in {}", data_dir.display()),
            Database::Postgres(url) => {
                write!(f, "PostgreSQL at {}", postgres::without_password(url))
            }
        }
    }
}

#[cfg(test)]
mod tests;
