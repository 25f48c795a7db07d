//! End-to-end tests: the real Watchfloor server in-process on a free port,
//! serving the built app (`dist/`, built by `cargo xtask test`), driven by
//! headless Chromium over WebDriver.
//!
//! Run with `cargo xtask test` (it builds the app, installs Chromium and sets
//! `CHROMEDRIVER` and `WATCHFLOOR_DIST`), or by hand:
//! `cargo test -p watchfloor --features e2e --test e2e`.
#![cfg(not(target_arch = "wasm32"))]

mod harness;
mod skeleton;
// app tests:
mod access;
mod control;
mod dashboard;
mod display;
mod filter;
mod layout;
mod review;
mod review_matrix;
mod screens;
mod security;
mod tls;
