//! The app's one vocabulary: how every screen says times, lengths of time,
//! the exercise's day and countdown, the model's enums, categories and counts,
//! and the replay's banner, readouts and marks.
//!
//! Views never format a time or a duration themselves; they call these pure,
//! natively tested functions, so the dashboard and the wall display cannot
//! drift apart in how they say the same thing.

pub mod exercise;
pub mod replay;
pub mod time;
pub mod words;
