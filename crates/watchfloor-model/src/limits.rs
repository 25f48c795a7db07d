//! The documented limits of what an event may carry: the longest text of
//! each kind, the largest lists, the exercise clock's speed and the years an
//! exercise may use. Validation ([`State::validate`](crate::State::validate))
//! refuses anything beyond them with a 422 naming the field, so every state
//! the validator lets in can be read (rendered, counted, scheduled) without
//! overflow.
//!
//! Lengths count Unicode scalar values (`char`s), not bytes. No limit here is
//! tighter than what the validator accepted before these limits were written
//! down, except the speed (see [`MAX_SPEED`]): a log written by an earlier
//! version still rebuilds.

/// The exercise's `name`, `edition` and `organiser`; a nation's `name`; an incident's `team`.
pub const MAX_NAME: usize = 200;
/// An incident's `title`.
pub const MAX_TITLE: usize = 200;
/// An incident's `summary` (releasable to the press when it is public).
pub const MAX_SUMMARY: usize = 4_000;
/// The `note` of an incident update (it appears in the incident's timeline).
pub const MAX_NOTE: usize = 4_000;
/// An incident's restricted `detail`.
pub const MAX_DETAIL: usize = 20_000;
/// An incident's `id` and its inject's `inject.id`.
pub const MAX_ID: usize = 64;
/// An incident's `category` slug.
pub const MAX_CATEGORY: usize = 48;
/// A nation code (at least 2 characters).
pub const MAX_NATION_CODE: usize = 12;
/// The `nations` affected by one incident.
pub const MAX_INCIDENT_NATIONS: usize = 64;
/// Events in one posted array (`POST /api/v1/events`).
pub const MAX_BATCH_EVENTS: usize = 1_000;
/// Entries in one scenario script.
pub const MAX_SCRIPT_ENTRIES: usize = 100_000;
/// Consecutive combining marks in any text (a pile of them smears over the
/// lines around it on a wall screen; real scripts need no more than a few).
pub const MAX_COMBINING_RUN: usize = 4;

/// The slowest exercise clock: simulated seconds per wall-clock second.
pub const MIN_SPEED: f64 = 0.001;
/// The fastest exercise clock: an hour of exercise time per wall-clock
/// second (a five-day scenario in two minutes). Faster clocks ran off the end
/// of the calendar within a few years of STARTEX.
pub const MAX_SPEED: f64 = 3_600.0;
/// The first year any time of an event (`at`, `startex`, `endex`,
/// `inject.planned_at`) may fall in.
pub const EARLIEST_YEAR: i32 = 2000;
/// The last year any time of an event may fall in.
pub const LATEST_YEAR: i32 = 2100;
/// Wall-clock days from STARTEX to ENDEX, at most.
pub const MAX_SCHEDULE_DAYS: i64 = 366;
/// Simulated (exercise-clock) days from STARTEX to ENDEX, at most: the
/// speed times the wall-clock span. Ten years.
pub const MAX_SIMULATED_DAYS: i64 = 3_653;
/// The exercise clock never reads beyond this year (nor before year 0),
/// whatever the wall clock and the speed: the years RFC 3339 can write. An
/// exercise without ENDEX keeps running, and this is where it stops.
pub const LATEST_CLOCK_YEAR: i32 = 9999;
