//! The participants: `GET /api/v1/nations`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use watchfloor_model::Nation;

use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/nations", get(nations_list))
}

/// Every nation, in order of joining.
#[utoipa::path(
    get, path = "/api/v1/nations", tag = "read",
    params(super::AudienceParam),
    responses(
        (status = 200, description = "The nations", body = [Nation]),
        (status = 400, description = "An unknown `audience` (only `?audience=public` lowers the reader)", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn nations_list(State(state): State<AppState>, caller: Caller) -> Json<Vec<Nation>> {
    Json(state.hub().state_for(caller.audience).nations.clone())
}
