//! [`serve()`]: runs the server on a listener the caller bound, until the
//! caller's shutdown future resolves — so tests and the e2e harness bind
//! `127.0.0.1:0` and stop it at will.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::operator::OperatorError;
use crate::router::app;
use crate::state::AppState;

/// Serves until `shutdown` resolves, then ends open streams, finishes queued
/// appends and returns.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), OperatorError> {
    serve_with_ready(listener, config, shutdown, |_| {}).await
}

/// [`serve()`], calling `ready` with the bound address once the log is loaded
/// and the scenario caught up, just before the first request is accepted.
pub async fn serve_with_ready(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), OperatorError> {
    let address = listener.local_addr().map_err(|source| OperatorError::Io {
        action: "read the listening socket's address".into(),
        source,
    })?;
    let state = AppState::start(config).await?;
    ready(address);
    let hub = state.hub().clone();
    let served = axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
            // Streams never end by themselves; graceful shutdown waits for them.
            hub.close();
        })
        .await;
    state.shutdown().await;
    served.map_err(|source| OperatorError::Io {
        action: format!("serve on {address}"),
        source,
    })
}
