//! The server's integration tests: one binary, one module per feature. Every
//! test runs the real router on a real SQLite file in a temp dir.

mod support;

mod assets;
mod auth;
mod cli;
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
mod stream;
mod tls;
mod writes;
