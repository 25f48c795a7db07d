//! Watchfloor's model: the domain types of an exercise, the events that change
//! them, the one reducer (`State::apply`), validation and redaction.
//!
//! # Layout
//!
//! - [`types`]: exercise, nations, incidents and their enums — the wire types.
//! - [`event`]: the event log's entries as posted and as stored.
//! - [`filter`]: the one incident filter (query → filter → match → query), shared by the API and the app.
//! - [`limits`]: the documented maxima of every text, list, speed and time an event may carry.
//! - [`state`]: `State` and its reducer, with validation that names the field at fault.
//! - [`redact`]: what each audience may see; applied on the server before anything leaves it.
//! - [`pages`]: which of the app's three entries (dashboard, display, control) answers a path.
//! - [`time`]: the exercise clock, durations (`90s`, `15m`, `2d4h`) and NATO date-time groups.
//! - [`scenario`]: scripted exercises, as the scenario player reads them.
//! - [`review`]: after-action review: a moment of the exercise (`?at=`), a page of the log, the nation × inject matrix.
//! - [`export`]: the incident list and the matrix as spreadsheet-safe CSV, in a fixed column order.
//!
//! This crate does no I/O: it compiles natively for the server and to wasm32 for
//! the app, so both run exactly the same reducer.

pub mod event;
pub mod export;
pub mod filter;
pub mod limits;
pub mod pages;
pub mod redact;
pub mod review;
pub mod scenario;
pub mod screens;
pub mod script;
pub mod state;
pub mod time;
pub mod types;

pub use event::{Event, EventBody, EventKind};
pub use filter::IncidentFilter;
pub use redact::Audience;
pub use state::{Snapshot, State, ValidationError};
pub use types::*;
