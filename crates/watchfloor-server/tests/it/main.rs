//! The server's integration tests: one binary, one module per feature. Every
//! test runs the real router on a real SQLite file in a temp dir — and, in
//! the run with `WATCHFLOOR_TEST_DATABASE_URL` set (`cargo xtask test` does
//! both), on a PostgreSQL database of its own (`support::database`).

mod support;

mod assets;
mod auth;
mod backup;
mod cli;
mod cluster;
mod connections;
mod containment;
mod durability;
mod embargo;
mod faults;
mod fuzz;
mod limits;
mod openapi;
mod player;
mod public_sequence;
mod reads;
mod redaction;
mod review;
mod scenario;
mod screens;
mod security;
mod shared;
mod stream;
mod tls;
mod writes;
