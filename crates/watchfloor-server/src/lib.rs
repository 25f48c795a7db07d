//! Watchfloor's server: the single source of truth of an exercise.
//!
//! One append-only event log, in SQLite or in PostgreSQL shared by several
//! servers; the state is the fold of that log
//! through the model's one reducer; readers get it as a snapshot and a
//! server-sent event stream, redacted for their audience.
//!
//! This file only declares the modules and re-exports what the binary, the
//! tests and the benches use; the code is in the modules below.
//!
//! # Layout
//!
//! Starting and running:
//!
//! - `config`: [`Config`], everything the server is started with, and the
//!   check that it can run with it.
//! - `state`: [`AppState`], the running server's parts handed to every
//!   handler; [`AppState::start`] opens the store, rebuilds the state from the
//!   log and starts the writer, the embargo timer and the player;
//!   [`AppState::shutdown`] stops them.
//! - `router`: [`app`], the whole HTTP application: every resource's routes,
//!   the `/api/` 404 and 405 fallbacks in the error shape, the app's files,
//!   and the layers (request metrics, body limit, tracing).
//! - `serve`: [`serve()`] and [`serve_with_ready`] run [`app`] on a listener the
//!   caller bound, until the caller's shutdown future resolves; [`serve_app`]
//!   is their accept loop (HTTP/1.1 with the connection caps and timeouts).
//! - `capacity`: the caps on open connections and streams (overall and per
//!   client address) and the connection timeouts.
//! - `operator`: what the operator runs besides `serve` ([`create_token`],
//!   [`list_tokens`], [`revoke_token`], [`load_scenario`],
//!   [`scenario_problems`], [`demo_scenario`]) and [`OperatorError`], every
//!   reason the server would not start or a command did not finish.
//! - `telemetry`: [`init_tracing`], logging to stderr filtered by `RUST_LOG`.
//! - `tls`: [`TlsConfig`], the certificate and key of `--tls-cert` and
//!   `--tls-key` (rustls on ring), for serving HTTPS directly.
//! - `data_dir`: the data dir on disk, created owner-only (0700, files
//!   0600), and the exclusive lock one running server holds on it.
//!
//! The parts of a running server:
//!
//! - [`store`]: the event store, the only module that touches SQL, behind the
//!   narrow [`store::Store`] trait: SQLite in the data dir (one server), or
//!   PostgreSQL shared by several servers (`serve --database-url`).
//! - `writer`: the single writer thread — validation, seq and `at`, group
//!   commit, then publish. Posted and scripted events both go through it.
//! - [`clock`]: the server's one [`Clock`] (the system's, or a manual one in tests).
//! - [`health`]: whether the server can do its job: a fatal fault (the
//!   writer died, a commit failed) stops it; a clock behind the log refuses writes.
//! - [`hub`]: the live state, the in-memory log, the embargoed public view,
//!   cached snapshots, the fan-out that wakes streams, and the checkpoints
//!   that answer the state at any earlier moment (after-action review).
//! - [`auth`]: tokens and their [`Role`], sessions, and each request's audience.
//! - [`routes`]: one module per resource of the HTTP contract.
//! - `player`: the scenario player.
//! - `openapi`, `metrics`, `assets`: the generated OpenAPI document,
//!   Prometheus metrics, and the built app's files.
//! - [`security`]: the headers every response carries (CSP, nosniff,
//!   no-referrer, `no-store` for the API) and the same-origin check on writes
//!   made with a browser's session cookie (CSRF).
//! - `error`: [`Error`], everything a request can meet; every one leaves as
//!   `{"error": {...}}` with its status.
//!
//! # Invariants
//!
//! - Only `store` touches SQL.
//! - No event is acknowledged or sent to any reader before its transaction
//!   has committed (WAL, `synchronous=FULL`: fsync'd).
//! - Seqs are assigned by the writer alone (on PostgreSQL, under the log's
//!   advisory lock, after folding what other servers appended): strictly
//!   increasing, no gaps; `at` never goes backwards in the log.
//! - Nothing leaves the server without redaction for its reader: the public
//!   never receives a restricted incident, its events, or any `detail`.
//! - An [`Error`] is what a request caused and has an HTTP status; an
//!   [`OperatorError`] is the operator's (a flag, a file, the data dir, a
//!   scenario) and never becomes a response.

mod assets;
pub mod auth;
mod capacity;
pub mod clock;
mod config;
mod data_dir;
mod error;
pub mod health;
pub mod hub;
mod metrics;
mod openapi;
mod operator;
mod player;
mod router;
pub mod routes;
pub mod security;
mod serve;
mod state;
pub mod store;
mod telemetry;
mod tls;
mod writer;

pub use auth::Role;
pub use clock::Clock;
pub use config::Config;
pub use error::{Error, ErrorBody, Problem, Result};
pub use operator::{
    backup_store, copy_store, create_token, demo_scenario, list_tokens, load_scenario,
    restore_store, revoke_token, scenario_problems, OperatorError,
};
pub use router::{app, catch_panics};
pub use serve::{serve, serve_app, serve_with_ready};
pub use state::AppState;
pub use store::Database;
pub use telemetry::init_tracing;
pub use tls::TlsConfig;
