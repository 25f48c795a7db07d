//! The exercise as a whole: `GET /api/v1/snapshot` and `GET /api/v1/exercise`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use watchfloor_model::{ExerciseView, Snapshot};

use super::review::{self, AtParam};
use crate::auth::Caller;
use crate::error::{ErrorBody, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/snapshot", get(snapshot_get))
        .route("/api/v1/exercise", get(exercise_get))
}

/// Everything the caller may see, with the seq to resume the stream after.
///
/// Nations and incidents are pre-serialised once per change and audience
/// class, so thousands of polling screens cost one copy each.
///
/// With `?at=` it is the state as it was at that moment, in the caller's
/// sequence (the public's: released public events only), with
/// `generated_at` and the exercise's day, clock and countdown as they were
/// at the moment's time: for a seq, that event's time; for a time, that
/// time, but never later than now.
#[utoipa::path(
    get, path = "/api/v1/snapshot", tag = "read",
    params(AtParam, super::AudienceParam),
    responses(
        (status = 200, description = "The state for the caller's audience, now or at `at`", body = Snapshot),
        (status = 400, description = "`bad_moment`: `at` is not a moment; or an unknown `audience` (only `?audience=public` lowers the reader)", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn snapshot_get(
    State(state): State<AppState>,
    caller: Caller,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<impl IntoResponse> {
    let pairs = review::pairs(query)?;
    let hub = state.hub();
    let body = match review::past_at(&state, caller.audience, &pairs)? {
        Some(past) => hub.snapshot_at_json(caller.audience, &past),
        None => hub.snapshot_json(caller.audience, state.now()),
    };
    state
        .metrics()
        .snapshot_served(caller.audience.sees_restricted(), body.len());
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    ))
}

/// The exercise: name, phase, schedule, and the day and clock now.
#[utoipa::path(
    get, path = "/api/v1/exercise", tag = "read",
    params(super::AudienceParam),
    responses(
        (status = 200, description = "The exercise at the time of reading", body = ExerciseView),
        (status = 400, description = "An unknown `audience` (only `?audience=public` lowers the reader)", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn exercise_get(State(state): State<AppState>, caller: Caller) -> Json<ExerciseView> {
    Json(
        state
            .hub()
            .state_for(caller.audience)
            .exercise
            .view(state.now()),
    )
}
