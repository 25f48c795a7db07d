//! Component tests in a real browser (wasm-bindgen-test, headless Chromium):
//! each mounts one component with a detached live store and a fixed clock,
//! drives its inputs, and reads the DOM by `data-testid`.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p watchfloor --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod connection;
mod control;
mod display;
mod filters;
mod incident;
mod list;
mod matrix;
mod review;
mod support;
mod timeline;
