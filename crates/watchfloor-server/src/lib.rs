//! Watchfloor's server: the single source of truth of an exercise.
//!
//! One append-only event log in SQLite; the state is the fold of that log
//! through the model's one reducer; readers get it as a snapshot and a
//! server-sent event stream, redacted for their audience.
//!
//! # Layout
//!
//! - [`store`]: the event store, the only module that touches SQL, behind the
//!   narrow [`store::Store`] trait (a PostgreSQL backend can follow).
//! - `writer`: the single writer thread — validation, seq and `at`, group
//!   commit, then publish. Posted and scripted events both go through it.
//! - [`hub`]: the live state, the in-memory log, the embargoed public view,
//!   cached snapshots, and the fan-out that wakes streams.
//! - [`auth`]: tokens, sessions, and each request's audience.
//! - [`routes`]: one module per resource of the HTTP contract.
//! - `player`: the scenario player.
//! - `openapi`, `metrics`, `assets`: the generated OpenAPI document,
//!   Prometheus metrics, and the built app's files.
//! - `error`: one error type; every failure leaves as `{"error": {...}}`.
//!
//! # Invariants
//!
//! - Only `store` touches SQL.
//! - No event is acknowledged or sent to any reader before its transaction
//!   has committed (WAL, `synchronous=FULL`: fsync'd).
//! - Seqs are assigned by the writer alone: strictly increasing, no gaps;
//!   `at` never goes backwards in the log.
//! - Nothing leaves the server without redaction for its reader: the public
//!   never receives a restricted incident, its events, or any `detail`.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::trace::TraceLayer;
use watchfloor_model::scenario::{self, Scenario};

mod assets;
pub mod auth;
mod error;
pub mod hub;
mod metrics;
mod openapi;
mod player;
pub mod routes;
pub mod store;
mod writer;

use assets::Assets;
pub use error::{Error, ErrorBody, Problem, Result};
use hub::Hub;
use metrics::Metrics;
use store::{SqliteStore, Store, TokenInfo};
use writer::Writer;

/// Everything `serve` needs.
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
}

/// What a token allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Reads everything.
    Commander,
    /// Reads everything and posts events.
    Control,
}

/// The server's shared state, handed to every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    writer: Writer,
    metrics: Arc<Metrics>,
    assets: Option<Assets>,
    heartbeat: Duration,
    credential_recheck: Duration,
    body_limit: usize,
    /// The embargo timer and the scenario player, aborted at shutdown.
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl AppState {
    /// Opens the store, rebuilds the state from the log, starts the writer
    /// and the embargo timer, and catches the scenario player up (so the
    /// first screen is full) before returning.
    pub async fn start(config: Config) -> Result<AppState> {
        if !(config.speed.is_finite() && (0.001..=100_000.0).contains(&config.speed)) {
            return Err(Error::Config(format!(
                "--speed {} must be between 0.001 and 100000",
                config.speed
            )));
        }
        if config.public_delay < chrono::Duration::zero() {
            return Err(Error::Config("--public-delay cannot be negative".into()));
        }
        let assets = config.assets.as_deref().map(Assets::new).transpose()?;
        let data_dir = config.data_dir.clone();
        let delay = config.public_delay;
        let (store, hub) = tokio::task::spawn_blocking(move || {
            let store = SqliteStore::open(&data_dir)?;
            let events = store.events_after(0)?;
            Ok::<_, Error>((store, Hub::rebuild(events, delay, Utc::now())))
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
        let writer = Writer::start(store.clone(), hub.clone(), metrics.clone())?;
        let state = AppState(Arc::new(Inner {
            store: store.clone(),
            hub: hub.clone(),
            writer: writer.clone(),
            metrics,
            assets,
            heartbeat: config.heartbeat,
            credential_recheck: config.credential_recheck,
            body_limit: config.body_limit,
            tasks: Mutex::new(Vec::new()),
        }));
        if !delay.is_zero() {
            let tick = config.embargo_tick;
            state.spawn(async move {
                let mut interval = tokio::time::interval(tick);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    interval.tick().await;
                    hub.release(Utc::now());
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

    async fn start_player(&self, scenario: &Scenario, speed: f64) -> Result<()> {
        let mut player =
            player::Player::prepare(self.store(), self.0.writer.clone(), scenario, speed).await?;
        let played = player.catch_up(Utc::now()).await?;
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

    /// Ends open streams, stops the player and the embargo timer, and lets
    /// the writer finish what is queued.
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
    }

    pub(crate) fn store(&self) -> Arc<dyn Store> {
        self.0.store.clone()
    }

    pub(crate) fn hub(&self) -> &Arc<Hub> {
        &self.0.hub
    }

    pub(crate) fn writer(&self) -> &Writer {
        &self.0.writer
    }

    pub(crate) fn metrics(&self) -> &Arc<Metrics> {
        &self.0.metrics
    }

    pub(crate) fn heartbeat(&self) -> Duration {
        self.0.heartbeat
    }

    pub(crate) fn credential_recheck(&self) -> Duration {
        self.0.credential_recheck
    }
}

/// The whole HTTP application, for `serve` and for tests (`oneshot`).
pub fn app(state: AppState) -> Router {
    let body_limit = state.0.body_limit;
    Router::new()
        .merge(routes::exercise::router())
        .merge(routes::nations::router())
        .merge(routes::incidents::router())
        .merge(routes::stream::router())
        .merge(routes::events::router())
        .merge(routes::session::router())
        .merge(routes::meta::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), count_request))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Anything that is not an API route: the app (a file, or `index.html` for
/// an app route), or a JSON 404 under `/api/`.
async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return Error::NotFound(format!(
            "there is no endpoint {} {path}: see /api/v1/openapi.json",
            request.method()
        ))
        .into_response();
    }
    match &state.0.assets {
        Some(assets) => assets.serve(request).await,
        None => Error::NotFound(format!(
            "{path}: this server does not serve the app (start it with --assets DIR)"
        ))
        .into_response(),
    }
}

async fn method_not_allowed(request: Request) -> Response {
    let problem = Problem::new(
        "method_not_allowed",
        format!(
            "{} is not allowed on {}: see /api/v1/openapi.json",
            request.method(),
            request.uri().path()
        ),
    );
    (
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(ErrorBody { error: problem }),
    )
        .into_response()
}

async fn count_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().clone();
    let response = next.run(request).await;
    state
        .metrics()
        .request(&route, method.as_str(), response.status().as_u16());
    response
}

/// Serves until `shutdown` resolves, then ends open streams, finishes queued
/// appends and returns.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_with_ready(listener, config, shutdown, |_| {}).await
}

/// [`serve`], calling `ready` with the bound address once the log is loaded
/// and the scenario caught up, just before the first request is accepted.
pub async fn serve_with_ready(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let address = listener.local_addr()?;
    let state = AppState::start(config).await?;
    ready(address);
    let hub = state.hub().clone();
    let served = axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
            // Streams never end by themselves; graceful shutdown waits for them.
            hub.close();
        })
        .await;
    state.shutdown().await;
    Ok(served?)
}

/// Creates a token in the data dir (the server may be running: it takes
/// effect at once). Returns its id and its text, which is not stored and
/// must be shown to the person now.
pub fn create_token(data_dir: &Path, role: Role, name: &str) -> Result<(i64, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::Config(
            "give the token a name of 1 to 100 characters saying who holds it, e.g. --name \"white cell laptop\"".into(),
        ));
    }
    let store = SqliteStore::open(data_dir)?;
    let token = auth::new_token()?;
    let id = store.create_token(role, name, &auth::sha256_hex(&token))?;
    Ok((id, token))
}

/// Revokes a token and ends its browser sessions; at once, also for a running server.
pub fn revoke_token(data_dir: &Path, id: i64) -> Result<()> {
    SqliteStore::open(data_dir)?.revoke_token(id)
}

/// Every token in the data dir, revoked ones included (never their text).
pub fn list_tokens(data_dir: &Path) -> Result<Vec<TokenInfo>> {
    SqliteStore::open(data_dir)?.tokens()
}

/// The built-in demo, modelled on Cyber Coalition.
pub fn demo_scenario() -> Scenario {
    Scenario::parse(include_str!("../../../scenarios/cyber-coalition.json"))
        .expect("the built-in scenario scenarios/cyber-coalition.json parses")
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

/// Logs to stderr (coloured only on a terminal); `RUST_LOG` filters
/// (default `info`; `RUST_LOG=info,tower_http=debug` adds a line per request).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
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
}
