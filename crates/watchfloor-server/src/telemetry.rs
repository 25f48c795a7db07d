//! Logging: where the server's `tracing` events go and which are kept.

/// Logs to stderr (coloured only on a terminal); `RUST_LOG` filters
/// (default `info`; `RUST_LOG=info,tower_http=debug` adds a line per request).
/// Calling it again, or after a test installed its own subscriber, does nothing.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
