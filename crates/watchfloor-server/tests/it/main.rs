//! The server's integration tests: one binary, one module per feature. Every
//! test runs the real router on a real SQLite file in a temp dir.

mod support;

mod assets;
mod auth;
mod cli;
mod durability;
mod embargo;
mod player;
mod reads;
mod redaction;
mod stream;
mod writes;
