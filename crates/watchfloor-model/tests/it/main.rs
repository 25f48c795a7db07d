//! Integration tests of the model crate: one test binary, one module per concern.
//!
//! - [`sequences`]: random, mostly valid event sequences and the folds the
//!   properties need (full state, public state, the events as streamed).
//! - [`redaction`]: properties of redaction over those sequences.
//! - [`reads`]: every read of every state the validator accepts succeeds (the clock at its edges).
//! - [`examples`]: example-based tests of what the properties do not pin down.

mod examples;
mod reads;
mod redaction;
mod sequences;
