//! [`Config`]: everything the server is started with, and the check that it can run with it.

use std::path::PathBuf;
use std::time::Duration;

use watchfloor_model::scenario::Scenario;

use crate::clock::Clock;
use crate::operator::OperatorError;
use crate::store::Database;
use crate::tls::TlsConfig;

/// Everything `serve` needs. `main.rs` fills it from the `serve` flags; tests
/// and benches build it with [`Config::new`] and adjust fields.
#[derive(Clone, Debug)]
pub struct Config {
    /// The SQLite file lives at `data_dir/watchfloor.db`.
    pub data_dir: PathBuf,
    /// Where the event log is: SQLite in `data_dir` (the default, one
    /// server), or a PostgreSQL database several servers share
    /// (`--database-url`); then the data dir is not used.
    pub database: Database,
    /// The built app (Trunk's `dist/`), if the server should serve it.
    pub assets: Option<PathBuf>,
    /// A scenario for the player.
    pub scenario: Option<Scenario>,
    /// Simulated seconds per wall-clock second for a freshly started scenario.
    pub speed: f64,
    /// How long public events are held back from public readers (zero: not at all).
    pub public_delay: chrono::Duration,
    /// How often the embargo releases events that have aged enough.
    pub embargo_tick: Duration,
    /// The SSE comment heartbeat.
    pub heartbeat: Duration,
    /// How often a signed-in stream checks that its token or session still holds.
    pub credential_recheck: Duration,
    /// The largest request body accepted (413 beyond).
    pub body_limit: usize,
    /// How long an `Idempotency-Key` is remembered (per token): a retry
    /// within it is answered with the first request's seqs; after it the key
    /// is forgotten (and deleted), so the table stays bounded.
    pub idempotency_window: chrono::Duration,
    /// Connections open at once, overall (503 and closed beyond).
    pub max_connections: usize,
    /// Connections open at once from one client address.
    pub max_connections_per_ip: usize,
    /// Event streams open at once, overall (503 beyond).
    pub max_streams: usize,
    /// Event streams open at once from one client address.
    pub max_streams_per_ip: usize,
    /// A request head must arrive within this of its first byte (or of the
    /// connection's start); else the connection is closed.
    pub header_timeout: Duration,
    /// A connection with no request under way and no byte sent or received
    /// for this long is closed.
    pub idle_timeout: Duration,
    /// A request body must arrive within this of its head (408 beyond).
    pub body_timeout: Duration,
    /// A write that makes no progress for this long (a client that does not
    /// read its stream) closes the connection.
    pub stalled_stream_timeout: Duration,
    /// Every "now" the server reads (the system clock; tests hand in a manual one).
    pub clock: Clock,
    /// The most the event log's database may grow to, in bytes (`None`: as
    /// the disk allows). Reaching it is a full disk: the server stops
    /// writing and shuts down rather than lose or half-write an event.
    pub max_log_bytes: Option<u64>,
    /// Serve HTTPS with this certificate and key (`--tls-cert`, `--tls-key`);
    /// `None`: plain HTTP.
    pub tls: Option<TlsConfig>,
}

impl Config {
    /// A configuration with defaults: no app, no scenario, speed 1, no embargo.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        let data_dir = data_dir.into();
        Config {
            database: Database::Sqlite(data_dir.clone()),
            data_dir,
            assets: None,
            scenario: None,
            speed: 1.0,
            public_delay: chrono::Duration::zero(),
            embargo_tick: Duration::from_secs(1),
            heartbeat: Duration::from_secs(15),
            credential_recheck: Duration::from_secs(10),
            body_limit: 1024 * 1024,
            idempotency_window: chrono::Duration::hours(24),
            max_connections: 10_000,
            max_connections_per_ip: 256,
            max_streams: 8_000,
            max_streams_per_ip: 128,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            stalled_stream_timeout: Duration::from_secs(30),
            clock: Clock::system(),
            max_log_bytes: None,
            tls: None,
        }
    }

    /// Refuses values the server cannot run with, before anything is opened.
    pub(crate) fn check(&self) -> Result<(), OperatorError> {
        // The model's own bounds: a faster clock would be refused at the
        // player's first event.
        let (min, max) = (
            watchfloor_model::limits::MIN_SPEED,
            watchfloor_model::limits::MAX_SPEED,
        );
        if !(self.speed.is_finite() && (min..=max).contains(&self.speed)) {
            return Err(OperatorError::Setting(format!(
                "--speed {} must be between {min} and {max}",
                self.speed
            )));
        }
        if self.public_delay < chrono::Duration::zero() {
            return Err(OperatorError::Setting(
                "--public-delay cannot be negative".into(),
            ));
        }
        // The embargo's cutoff (now minus the delay) must stay on the calendar.
        let longest = watchfloor_model::limits::MAX_SCHEDULE_DAYS;
        if self.public_delay > chrono::Duration::days(longest) {
            return Err(OperatorError::Setting(format!(
                "--public-delay can be at most {longest} days (the longest exercise)"
            )));
        }
        if self.idempotency_window <= chrono::Duration::zero() {
            return Err(OperatorError::Setting(
                "--idempotency-window must be longer than zero (e.g. 24h)".into(),
            ));
        }
        for (flag, value) in [
            ("--max-connections", self.max_connections),
            ("--max-connections-per-ip", self.max_connections_per_ip),
            ("--max-streams", self.max_streams),
            ("--max-streams-per-ip", self.max_streams_per_ip),
        ] {
            if value == 0 {
                return Err(OperatorError::Setting(format!("{flag} must be at least 1")));
            }
        }
        for (flag, value) in [
            ("--header-timeout", self.header_timeout),
            ("--idle-timeout", self.idle_timeout),
            ("--body-timeout", self.body_timeout),
            ("--stalled-stream-timeout", self.stalled_stream_timeout),
        ] {
            if value.is_zero() {
                return Err(OperatorError::Setting(format!(
                    "{flag} must be longer than zero (e.g. 30s)"
                )));
            }
        }
        Ok(())
    }
}
