//! [`Config`]: everything the server is started with, and the check that it can run with it.

use std::path::PathBuf;
use std::time::Duration;

use watchfloor_model::scenario::Scenario;

use crate::operator::OperatorError;

/// Everything `serve` needs. `main.rs` fills it from the `serve` flags; tests
/// and benches build it with [`Config::new`] and adjust fields.
#[derive(Clone, Debug)]
pub struct Config {
    /// The SQLite file lives at `data_dir/watchfloor.db`.
    pub data_dir: PathBuf,
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
}

impl Config {
    /// A configuration with defaults: no app, no scenario, speed 1, no embargo.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            assets: None,
            scenario: None,
            speed: 1.0,
            public_delay: chrono::Duration::zero(),
            embargo_tick: Duration::from_secs(1),
            heartbeat: Duration::from_secs(15),
            credential_recheck: Duration::from_secs(10),
            body_limit: 1024 * 1024,
        }
    }

    /// Refuses values the server cannot run with, before anything is opened.
    pub(crate) fn check(&self) -> Result<(), OperatorError> {
        if !(self.speed.is_finite() && (0.001..=100_000.0).contains(&self.speed)) {
            return Err(OperatorError::Setting(format!(
                "--speed {} must be between 0.001 and 100000",
                self.speed
            )));
        }
        if self.public_delay < chrono::Duration::zero() {
            return Err(OperatorError::Setting(
                "--public-delay cannot be negative".into(),
            ));
        }
        Ok(())
    }
}
