//! About the server itself: the OpenAPI document, liveness and metrics.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_get))
        .route("/healthz", get(health_get))
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

/// Liveness.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// The last seq in the log.
    pub seq: u64,
}

/// Liveness, with the last seq in the log.
#[utoipa::path(
    get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The server is up", body = Health)),
)]
pub async fn health_get(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        seq: state.hub().head(),
    })
}

/// Prometheus metrics.
#[utoipa::path(
    get, path = "/metrics", tag = "meta",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String)),
)]
pub async fn metrics_get(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(state.hub()),
    )
}
