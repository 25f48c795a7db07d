//! About the server itself: the OpenAPI document, health and metrics.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{Error, ErrorBody, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_get))
        .route("/healthz", get(health_get))
        .route("/readyz", get(ready_get))
        .route("/metrics", get(metrics_get))
}

/// The OpenAPI 3 document of this API, generated from the handlers.
#[utoipa::path(
    get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)),
)]
pub async fn openapi_get() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
}

/// Health: whether the server can do its job, and nothing more. It is
/// unauthenticated, so it carries no count, seq or time that would let the
/// public watch restricted or embargoed activity.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the server answers and can accept events.
    pub status: String,
    /// Why the server is not healthy, in words (never a count or a seq);
    /// absent when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Health: `{"status": "ok"}`, or `503 {"status": "unhealthy", "reason": …}`
/// while the server cannot accept events (its clock is behind the log, or
/// its log can no longer be written and it is stopping) — without anything
/// about the log itself.
#[utoipa::path(
    get, path = "/healthz", tag = "meta",
    responses(
        (status = 200, description = "The server is up and accepts events", body = Health),
        (status = 503, description = "The server cannot accept events; `reason` says why in words", body = Health),
    ),
)]
pub async fn health_get(State(state): State<AppState>) -> Response {
    match state.health().problem() {
        None => Json(Health {
            status: "ok".into(),
            reason: None,
        })
        .into_response(),
        Some(reason) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unhealthy".into(),
                reason: Some(reason),
            }),
        )
            .into_response(),
    }
}

/// Readiness for a load balancer: `{"status": "ready"}`, or `503
/// {"status": "not_ready", "reason": …}` while this server knows of events
/// in the shared log (PostgreSQL) it has not read yet, or cannot go on. A
/// database that cannot be reached does not make a server unready: every
/// server is then equally behind, and each keeps serving reads and streams
/// from memory. Words only, like `/healthz`.
#[utoipa::path(
    get, path = "/readyz", tag = "meta",
    responses(
        (status = 200, description = "The server is caught up with the log: send it viewers", body = Health),
        (status = 503, description = "The server is behind the shared log or stopping; `reason` says which in words", body = Health),
    ),
)]
pub async fn ready_get(State(state): State<AppState>) -> Response {
    match state.health().not_ready() {
        None => Json(Health {
            status: "ready".into(),
            reason: None,
        })
        .into_response(),
        Some(reason) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "not_ready".into(),
                reason: Some(reason),
            }),
        )
            .into_response(),
    }
}

/// Prometheus metrics, for a commander or control credential (a bearer
/// token or a session cookie): the counts would otherwise show the public
/// restricted and embargoed activity as it happens.
#[utoipa::path(
    get, path = "/metrics", tag = "meta",
    responses(
        (status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String),
        (status = 400, description = "An unknown `?audience=`", body = ErrorBody),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn metrics_get(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    if caller.identity.is_none() {
        return Err(Error::Unauthorized(
            "metrics need a commander or control token: send `Authorization: Bearer <token>` (create one with `watchfloor-server token create --role commander`)"
                .into(),
        ));
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(state.hub()),
    )
        .into_response())
}
