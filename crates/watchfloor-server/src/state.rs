//! [`AppState`]: the running server's parts, handed to every handler, and
//! how they are started and stopped.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;
use watchfloor_model::scenario::Scenario;

use crate::assets::Assets;
use crate::capacity::{Capacity, Timeouts};
use crate::clock::Clock;
use crate::config::Config;
use crate::data_dir::DataDirLock;
use crate::health::Health;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::operator::OperatorError;
use crate::player::{LoadedScript, Player};
use crate::store::{SqliteStore, Store};
use crate::writer::Writer;

/// The server's shared state, handed to every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    writer: Writer,
    clock: Clock,
    health: Arc<Health>,
    metrics: Arc<Metrics>,
    assets: Option<Assets>,
    heartbeat: Duration,
    credential_recheck: Duration,
    body_limit: usize,
    idempotency_window: chrono::Duration,
    /// Open connections and streams against their caps.
    capacity: Capacity,
    timeouts: Timeouts,
    /// The embargo timer and the scenario player, aborted at shutdown. A std
    /// mutex, not tokio's: it is held only to push or take the list, never
    /// across an `.await`.
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// The data dir's lock, released at shutdown once the writer has stopped.
    lock: Mutex<Option<DataDirLock>>,
    /// The script the player plays, once it is ready (`None`: no scenario).
    script: OnceLock<Arc<LoadedScript>>,
    /// Codes waiting to be typed and the screens' heartbeats (memory only).
    screens: crate::routes::screens::ScreenRegistry,
}

impl AppState {
    /// Locks the data dir (one server per data dir: a second one stops here
    /// with [`OperatorError::DataDirInUse`]), opens the store, rebuilds the
    /// state from the log, starts the writer and the embargo timer, and
    /// catches the scenario player up (so the first screen is full) before
    /// returning.
    pub async fn start(config: Config) -> Result<AppState, OperatorError> {
        config.check()?;
        let assets = config.assets.as_deref().map(Assets::new).transpose()?;
        let data_dir = config.data_dir.clone();
        let delay = config.public_delay;
        let clock = config.clock.clone();
        let now = clock.now();
        let max_log_bytes = config.max_log_bytes;
        let (lock, store, hub) = tokio::task::spawn_blocking(move || {
            // One server per data dir: the lock comes before the log is read.
            let lock = DataDirLock::acquire(&data_dir)?;
            let store = SqliteStore::open(&data_dir)?;
            if let Some(bytes) = max_log_bytes {
                store.limit_size(bytes)?;
            }
            let events = store.events_after(0)?;
            Ok::<_, OperatorError>((lock, store, Hub::rebuild(events, delay, now)))
        })
        .await??;
        tracing::info!(
            events = hub.head(),
            data_dir = %config.data_dir.display(),
            "event log loaded"
        );
        let store: Arc<dyn Store> = Arc::new(store);
        let hub = Arc::new(hub);
        let metrics = Arc::new(Metrics::default());
        let health = Arc::new(Health::default());
        let writer = Writer::start(
            store.clone(),
            hub.clone(),
            metrics.clone(),
            clock.clone(),
            health.clone(),
        )
        .map_err(|source| OperatorError::Io {
            action: "start the writer thread".into(),
            source,
        })?;
        let state = AppState(Arc::new(Inner {
            store: store.clone(),
            hub: hub.clone(),
            writer: writer.clone(),
            clock: clock.clone(),
            health,
            metrics,
            assets,
            heartbeat: config.heartbeat,
            credential_recheck: config.credential_recheck,
            body_limit: config.body_limit,
            idempotency_window: config.idempotency_window,
            capacity: Capacity::of(&config),
            timeouts: Timeouts::of(&config),
            tasks: Mutex::new(Vec::new()),
            lock: Mutex::new(Some(lock)),
            script: OnceLock::new(),
            screens: Default::default(),
        }));
        if !delay.is_zero() {
            let tick = config.embargo_tick;
            state.spawn(async move {
                let mut interval = tokio::time::interval(tick);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    interval.tick().await;
                    hub.release(clock.now());
                }
            });
        }
        if let Some(scenario) = &config.scenario {
            if let Err(error) = state.start_player(scenario, config.speed).await {
                state.shutdown().await;
                return Err(error);
            }
        }
        Ok(state)
    }

    async fn start_player(&self, scenario: &Scenario, speed: f64) -> Result<(), OperatorError> {
        let mut player = Player::prepare(
            self.store(),
            self.0.writer.clone(),
            self.0.hub.clone(),
            self.0.clock.clone(),
            scenario,
            speed,
        )
        .await?;
        let _ = self.0.script.set(player.loaded());
        let played = player.catch_up(self.now()).await?;
        tracing::info!(played, "scenario caught up");
        if player.finished() {
            tracing::info!("the scenario has been played to its end");
        } else {
            self.spawn(player.run());
        }
        Ok(())
    }

    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(task);
        if let Ok(mut tasks) = self.0.tasks.lock() {
            tasks.push(handle);
        }
    }

    /// Ends open streams, stops the player and the embargo timer, lets the
    /// writer finish what is queued, then releases the data dir's lock.
    pub async fn shutdown(&self) {
        self.0.hub.close();
        let tasks = self
            .0
            .tasks
            .lock()
            .map(|mut tasks| std::mem::take(&mut *tasks))
            .unwrap_or_default();
        for task in tasks {
            task.abort();
        }
        self.0.writer.stop().await;
        // Nothing writes any more: another server may take the data dir.
        let lock = self.0.lock.lock().ok().and_then(|mut lock| lock.take());
        drop(lock);
    }

    /// The time now, by the server's one clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    /// The server's clock (tests move a manual one).
    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    /// Whether the server can do its job (see [`crate::health`]).
    pub fn health(&self) -> &Arc<Health> {
        &self.0.health
    }

    pub(crate) fn store(&self) -> Arc<dyn Store> {
        self.0.store.clone()
    }

    pub(crate) fn hub(&self) -> &Arc<Hub> {
        &self.0.hub
    }

    /// What the server remembers of screens between requests.
    pub(crate) fn screens(&self) -> &crate::routes::screens::ScreenRegistry {
        &self.0.screens
    }

    /// The scenario being played, if any.
    pub(crate) fn script(&self) -> Option<&Arc<LoadedScript>> {
        self.0.script.get()
    }

    pub(crate) fn writer(&self) -> &Writer {
        &self.0.writer
    }

    pub(crate) fn metrics(&self) -> &Arc<Metrics> {
        &self.0.metrics
    }

    /// The built app, if this server serves it.
    pub(crate) fn assets(&self) -> Option<&Assets> {
        self.0.assets.as_ref()
    }

    pub(crate) fn heartbeat(&self) -> Duration {
        self.0.heartbeat
    }

    pub(crate) fn credential_recheck(&self) -> Duration {
        self.0.credential_recheck
    }

    pub(crate) fn body_limit(&self) -> usize {
        self.0.body_limit
    }

    /// How long an `Idempotency-Key` is remembered.
    pub(crate) fn idempotency_window(&self) -> chrono::Duration {
        self.0.idempotency_window
    }

    pub(crate) fn capacity(&self) -> &Capacity {
        &self.0.capacity
    }

    pub(crate) fn timeouts(&self) -> Timeouts {
        self.0.timeouts
    }

    /// Connections open now (on sockets served by [`crate::serve_app`]).
    pub fn open_connections(&self) -> usize {
        self.0.capacity.connections()
    }

    /// Event streams open now.
    pub fn open_streams(&self) -> usize {
        self.0.capacity.streams()
    }
}
