//! The control cell's hold on the script (the MSEL): `GET /api/v1/scenario`
//! and `POST /api/v1/scenario/…` to fire an entry now, skip it, hold the
//! player and resume it. Control only: the script is restricted through and
//! through (a commander gets 403, the public 401).
//!
//! Every action is an event through the writer like any other — validated
//! by the model's reducer against the live state, durable before the answer,
//! in the log for a restart and for after-action review, streamed to every
//! restricted reader (the public never sees any of it). The player reads
//! what they did from the live state (see `player`).

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use watchfloor_model::event::{ScenarioHeld, ScenarioResumed, ScenarioSkipped};
use watchfloor_model::script::ScriptView;
use watchfloor_model::EventBody;

use super::events::Appended;
use crate::auth::{Caller, Role};
use crate::error::{parse_value, Error, ErrorBody, JsonBody, Result};
use crate::player::LoadedScript;
use crate::writer::{Pending, Request as Append};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/scenario", get(scenario_get))
        .route("/api/v1/scenario/entries/{index}/fire", post(entry_fire))
        .route("/api/v1/scenario/entries/{index}/skip", post(entry_skip))
        .route("/api/v1/scenario/hold", post(scenario_hold))
        .route("/api/v1/scenario/resume", post(scenario_resume))
}

fn loaded(state: &AppState) -> Result<&LoadedScript> {
    state.script().map(|script| &**script).ok_or_else(|| {
        Error::NotFound(
            "this server plays no scenario (start it with `--scenario FILE` or `--demo`)".into(),
        )
    })
}

/// The loaded script as planned, and what became of each entry so far.
///
/// `entries` is the script in order, each with its index, its offset from
/// STARTEX as written, when the player plays it (`due`, UTC) and the
/// exercise time it falls on. `script` is the live state's record of it
/// (the same as `script` in the snapshot and the stream): the ranges of
/// entries handled, the ones fired by hand or skipped, and the hold.
#[utoipa::path(
    get, path = "/api/v1/scenario", tag = "control",
    responses(
        (status = 200, description = "The script as planned and as it stands", body = ScriptView),
        (status = 400, description = "An unknown `audience`", body = ErrorBody),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not a control token or session", body = ErrorBody),
        (status = 404, description = "`not_found`: this server plays no scenario", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn scenario_get(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    caller.require_role(Role::Control, "the scenario")?;
    let script = loaded(&state)?;
    let live = state.hub().live_state();
    let view = ScriptView {
        name: script.name.clone(),
        startex: script.startex,
        speed: script.speed,
        entries: script.entries.clone(),
        script: live.script.clone(),
        seq: live.seq,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(view)).into_response())
}

/// Appends `pending` through the writer; 201 with its seq.
async fn append(state: &AppState, caller: &Caller, pending: Pending) -> Result<Response> {
    let kind = pending.body.kind();
    let appended = state
        .writer()
        .append(Append {
            events: vec![pending],
            ..Append::default()
        })
        .await
        .map_err(|error| match error {
            Error::Invalid(problem) => Error::Invalid(problem.index(None)),
            Error::Conflict(problem) => Error::Conflict(problem.index(None)),
            other => other,
        })?;
    tracing::info!(seqs = ?appended.seqs, kind, by = caller.poster_name(), "scenario steered");
    Ok((StatusCode::CREATED, Json(Appended { seq: appended.seqs })).into_response())
}

fn entry_index(script: &LoadedScript, index: &str) -> Result<u32> {
    let count = script.entries.len();
    match index.parse::<u32>() {
        Ok(index) if (index as usize) < count => Ok(index),
        _ => Err(Error::NotFound(format!(
            "the script has no entry `{}`: its entries are 0 to {}",
            index.chars().take(20).collect::<String>(),
            count.saturating_sub(1)
        ))),
    }
}

/// A body that may be left out (then the default), or JSON of `T`.
async fn optional_body<T: DeserializeOwned + Default>(
    request: Request,
    state: &AppState,
) -> Result<T> {
    // Empty: no bytes at all (an exact size hint of 0, as hyper gives for
    // `Content-Length: 0` or no body).
    let empty = axum::body::HttpBody::size_hint(request.body()).exact() == Some(0);
    if empty {
        return Ok(T::default());
    }
    let body = JsonBody::from_request(request, state).await?;
    parse_value::<T>(&body.value, &[]).map_err(Error::Invalid)
}

/// Plays entry `index` now, out of turn, as the caller: the entry's event is
/// validated against the state now (a 422 names what is wrong, e.g. an
/// update of an incident not yet opened). The player then passes over it.
#[utoipa::path(
    post, path = "/api/v1/scenario/entries/{index}/fire", tag = "control",
    params(("index" = u32, Path, description = "The entry's index in the script (from 0)")),
    responses(
        (status = 201, description = "Fired: the entry's event appended and durable", body = Appended),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not a control token or session; or `cross_origin`", body = ErrorBody),
        (status = 404, description = "No scenario, or no such entry", body = ErrorBody),
        (status = 409, description = "`entry_handled`: the entry was already played, fired or skipped", body = ErrorBody),
        (status = 422, description = "The entry's event is impossible in the exercise's state now; `field` names what", body = ErrorBody),
        (status = 503, description = "Nothing was appended, try again later", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn entry_fire(
    State(state): State<AppState>,
    caller: Caller,
    Path(index): Path<String>,
) -> Result<Response> {
    caller.require_role(Role::Control, "the scenario")?;
    let script = loaded(&state)?;
    let index = entry_index(script, &index)?;
    let body = script.entries[index as usize].event.clone();
    let pending = Pending {
        entry: Some(index),
        ..Pending::posted(body, &caller.poster_name())
    };
    append(&state, &caller, pending).await
}

/// Marks entry `index` as not to be played, with an optional note
/// (`{"note": "…"}`, or no body).
#[utoipa::path(
    post, path = "/api/v1/scenario/entries/{index}/skip", tag = "control",
    params(("index" = u32, Path, description = "The entry's index in the script (from 0)")),
    request_body(content = ScenarioSkipped, content_type = "application/json"),
    responses(
        (status = 201, description = "Skipped: `scenario_skipped` appended and durable", body = Appended),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not a control token or session; or `cross_origin`", body = ErrorBody),
        (status = 404, description = "No scenario, or no such entry", body = ErrorBody),
        (status = 409, description = "`entry_handled`: the entry was already played, fired or skipped", body = ErrorBody),
        (status = 415, description = "A body that is not application/json", body = ErrorBody),
        (status = 422, description = "An unknown field, or a note over its limit", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn entry_skip(
    State(state): State<AppState>,
    caller: Caller,
    Path(index): Path<String>,
    request: Request,
) -> Result<Response> {
    caller.require_role(Role::Control, "the scenario")?;
    let script = loaded(&state)?;
    let index = entry_index(script, &index)?;
    let skipped: ScenarioSkipped = optional_body(request, &state).await?;
    let pending = Pending {
        entry: Some(index),
        ..Pending::posted(EventBody::ScenarioSkipped(skipped), &caller.poster_name())
    };
    append(&state, &caller, pending).await
}

/// Holds the player: nothing scripted plays until it is resumed
/// (`{"reason": "…"}`, or no body). Firing and skipping entries by hand
/// still work while it is held.
#[utoipa::path(
    post, path = "/api/v1/scenario/hold", tag = "control",
    request_body(content = ScenarioHeld, content_type = "application/json"),
    responses(
        (status = 201, description = "Held: `scenario_held` appended and durable", body = Appended),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not a control token or session; or `cross_origin`", body = ErrorBody),
        (status = 404, description = "`not_found`: this server plays no scenario", body = ErrorBody),
        (status = 409, description = "`already_held`", body = ErrorBody),
        (status = 415, description = "A body that is not application/json", body = ErrorBody),
        (status = 422, description = "An unknown field, or a reason over its limit", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn scenario_hold(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<Response> {
    caller.require_role(Role::Control, "the scenario")?;
    loaded(&state)?;
    let held: ScenarioHeld = optional_body(request, &state).await?;
    let pending = Pending::posted(EventBody::ScenarioHeld(held), &caller.poster_name());
    append(&state, &caller, pending).await
}

/// Lets the held player play on: what fell due while it was held (and was
/// not skipped) plays at once, then the rest on time.
#[utoipa::path(
    post, path = "/api/v1/scenario/resume", tag = "control",
    responses(
        (status = 201, description = "Resumed: `scenario_resumed` appended and durable", body = Appended),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not a control token or session; or `cross_origin`", body = ErrorBody),
        (status = 404, description = "`not_found`: this server plays no scenario", body = ErrorBody),
        (status = 409, description = "`not_held`: the player is not held", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn scenario_resume(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    caller.require_role(Role::Control, "the scenario")?;
    loaded(&state)?;
    let pending = Pending::posted(
        EventBody::ScenarioResumed(ScenarioResumed {}),
        &caller.poster_name(),
    );
    append(&state, &caller, pending).await
}
