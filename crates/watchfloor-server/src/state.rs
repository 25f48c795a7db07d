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
use crate::store::{Database, PgFollower, PgStore, SqliteStore, Store};
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
    /// The data dir's lock (SQLite only), released at shutdown once the
    /// writer has stopped.
    lock: Mutex<Option<DataDirLock>>,
    /// What follows a shared log (PostgreSQL only), stopped at shutdown.
    follower: Option<PgFollower>,
    /// The script the player plays, once it is ready (`None`: no scenario).
    script: OnceLock<Arc<LoadedScript>>,
    /// Codes waiting to be typed and the screens' heartbeats (memory only).
    screens: crate::routes::screens::ScreenRegistry,
    /// Credentials the store confirmed, for while it is away.
    remembered: crate::auth::Remembered,
}

/// A server dropped without `shutdown` (a test, a failed start) still
/// lets go of its follower's connection.
impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(follower) = &self.follower {
            follower.stop();
        }
    }
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
        let delay = config.public_delay;
        let clock = config.clock.clone();
        let now = clock.now();
        let max_log_bytes = config.max_log_bytes;
        let database = config.database.clone();
        let (lock, store, follower, hub) = tokio::task::spawn_blocking(move || {
            let (lock, store, follower): (_, Arc<dyn Store>, _) = match &database {
                Database::Sqlite(data_dir) => {
                    // One server per data dir: the lock comes before the log is read.
                    let lock = DataDirLock::acquire(data_dir)?;
                    let store = SqliteStore::open(data_dir)?;
                    if let Some(bytes) = max_log_bytes {
                        store.limit_size(bytes)?;
                    }
                    (Some(lock), Arc::new(store), None)
                }
                Database::Postgres(url) => {
                    if max_log_bytes.is_some() {
                        return Err(OperatorError::Setting(
                            "--max-log-size bounds the SQLite file; on PostgreSQL set the database's own limits (see docs/deploy.md)".into(),
                        ));
                    }
                    let store = PgStore::open(url)?;
                    let follower = store.follower();
                    (None, Arc::new(store), Some(follower))
                }
            };
            let events = store.events_after(0)?;
            Ok::<_, OperatorError>((lock, store, follower, Hub::rebuild(events, delay, now)))
        })
        .await??;
        tracing::info!(
            events = hub.head(),
            database = %config.database,
            "event log loaded"
        );
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
        // A shared log: wake the writer whenever another server appends.
        if let Some(follower) = &follower {
            let writer = writer.clone();
            follower
                .spawn(move |head| writer.follow(head))
                .map_err(|source| OperatorError::Io {
                    action: "start the log follower thread".into(),
                    source,
                })?;
        }
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
            lock: Mutex::new(lock),
            follower,
            script: OnceLock::new(),
            screens: Default::default(),
            remembered: Default::default(),
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
            let started = match state.0.follower.clone() {
                None => state.start_player(scenario, config.speed).await,
                Some(follower) => {
                    state
                        .start_shared_player(&follower, scenario, config.speed)
                        .await
                }
            };
            if let Err(error) = started {
                state.shutdown().await;
                return Err(error);
            }
        }
        Ok(state)
    }

    async fn prepare_player(
        &self,
        scenario: &Scenario,
        speed: f64,
    ) -> Result<Player, OperatorError> {
        Player::prepare(
            self.store(),
            self.0.writer.clone(),
            self.0.hub.clone(),
            self.0.clock.clone(),
            scenario,
            speed,
        )
        .await
    }

    /// Prepares the player and appends what is due, so the first screen is full.
    async fn caught_up_player(
        &self,
        scenario: &Scenario,
        speed: f64,
    ) -> Result<Player, OperatorError> {
        let mut player = self.prepare_player(scenario, speed).await?;
        let _ = self.0.script.set(player.loaded());
        let played = player.catch_up(self.now()).await?;
        tracing::info!(played, "scenario caught up");
        Ok(player)
    }

    async fn start_player(&self, scenario: &Scenario, speed: f64) -> Result<(), OperatorError> {
        let player = self.caught_up_player(scenario, speed).await?;
        if player.finished() {
            tracing::info!("the scenario has been played to its end");
        } else {
            self.spawn(player.run());
        }
        Ok(())
    }

    /// On a shared log exactly one server plays the script: the one holding
    /// the player's lock (see `PgFollower::lead`). The scenario is checked
    /// here all the same, so a bad one (or another than the log's) stops the
    /// start as on SQLite. When the lock is free at start this server plays
    /// and catches up before returning; otherwise, and whenever it loses the
    /// lock, it waits to take it over. A new player reads the progress from
    /// the store and passes over what the log says is done, and the writer
    /// refuses an entry played twice, so a takeover neither repeats nor
    /// misses an entry.
    async fn start_shared_player(
        &self,
        follower: &PgFollower,
        scenario: &Scenario,
        speed: f64,
    ) -> Result<(), OperatorError> {
        let checked = self.prepare_player(scenario, speed).await?;
        if checked.resumed() {
            let _ = self.0.script.set(checked.loaded());
        }
        drop(checked);
        // `None` until the first try for the lock has answered.
        let (lead, mut leading) = tokio::sync::watch::channel(None);
        follower
            .lead(move |held| {
                lead.send_if_modified(|leading| {
                    let changed = *leading != Some(held);
                    *leading = Some(held);
                    changed
                });
            })
            .map_err(|source| OperatorError::Io {
                action: "start the scenario player's leadership thread".into(),
                source,
            })?;
        // The first try says whether another server plays (the lock is
        // taken at once when no one holds it).
        let _ = tokio::time::timeout(
            crate::store::POLL * 3,
            leading.wait_for(|leading| leading.is_some()),
        )
        .await;
        let first = if *leading.borrow() == Some(true) {
            tracing::info!("this server plays the scenario (it holds the player's lock)");
            Some(self.caught_up_player(scenario, speed).await?)
        } else {
            tracing::info!("another server plays the scenario; this one takes over if it stops");
            None
        };
        let state = self.clone();
        let scenario = scenario.clone();
        self.spawn(async move {
            state
                .play_while_leading(scenario, speed, leading, first)
                .await;
        });
        Ok(())
    }

    async fn play_while_leading(
        self,
        scenario: Scenario,
        speed: f64,
        mut leading: tokio::sync::watch::Receiver<Option<bool>>,
        mut first: Option<Player>,
    ) {
        loop {
            if first.is_none() {
                // Not leading: wait for the lock, learning the script's
                // schedule (for the console) once its leader has saved it.
                loop {
                    if *leading.borrow_and_update() == Some(true) {
                        break;
                    }
                    if self.0.script.get().is_none() {
                        if let Ok(player) = self.prepare_player(&scenario, speed).await {
                            if player.resumed() {
                                let _ = self.0.script.set(player.loaded());
                            }
                        }
                    }
                    let changed =
                        tokio::time::timeout(crate::store::POLL * 2, leading.changed()).await;
                    if matches!(changed, Ok(Err(_))) {
                        return;
                    }
                }
                tracing::info!("this server takes over the scenario player");
                // Read what the last player appended before it stopped.
                self.0.writer.follow(None);
            }
            let ready = first.take();
            let play = async {
                let player = match ready {
                    Some(player) => player,
                    None => self
                        .caught_up_player(&scenario, speed)
                        .await
                        .map_err(|error| error.to_string())?,
                };
                if !player.finished() {
                    player.run().await;
                }
                Ok::<_, String>(())
            };
            let lost = async {
                let _ = leading.wait_for(|leading| *leading != Some(true)).await;
            };
            tokio::select! {
                played = play => match played {
                    Ok(()) => {
                        tracing::info!("the scenario has been played to its end");
                        return;
                    }
                    Err(error) => {
                        tracing::error!(%error, "the scenario player could not start; it tries again");
                        tokio::time::sleep(crate::store::POLL * 2).await;
                    }
                },
                () = lost => {
                    tracing::warn!("lost the scenario player's lock (the database connection broke); another server plays it");
                }
            }
        }
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
        if let Some(follower) = &self.0.follower {
            follower.stop();
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

    /// Credentials the store last confirmed (see [`crate::auth::Remembered`]).
    pub(crate) fn remembered(&self) -> &crate::auth::Remembered {
        &self.0.remembered
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
