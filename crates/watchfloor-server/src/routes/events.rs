//! Writing: `POST /api/v1/events`, for exercise control.

use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use watchfloor_model::limits::MAX_BATCH_EVENTS;
use watchfloor_model::EventBody;

use crate::auth::{sha256_hex, Control};
use crate::error::{parse_value, Error, ErrorBody, JsonBody, Problem, Result};
use crate::writer::{Idempotency, Pending, Request};
use crate::AppState;

/// The header that makes a retry safe.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", post(events_create))
}

/// What `POST /api/v1/events` takes: one event, or an array appended all-or-nothing.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum PostedEvents {
    One(EventBody),
    Many(Vec<EventBody>),
}

/// The seqs the events were appended at, in the order posted.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct Appended {
    pub seq: Vec<u64>,
}

/// Appends one event or an array of events (all-or-nothing).
///
/// The server assigns each event its `seq` and `at` (a posted `seq` or `at`
/// is refused). Events in an array are validated in order, each against the
/// state the ones before it leave. The answer comes only once the events are
/// durable; streams receive them at the same moment. With an
/// `Idempotency-Key`, a retry with the same key and body answers the
/// original seqs without appending again; the same key with another body is
/// a 409. Keys belong to the token that sent them (another token's key of
/// the same text is another key) and are forgotten after the server's
/// idempotency window (`--idempotency-window`, 24 hours by default).
#[utoipa::path(
    post, path = "/api/v1/events", tag = "write",
    request_body(content = PostedEvents, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: 1 to 200 printable characters, unique per batch; per token, remembered for the idempotency window (24 h by default)")),
    responses(
        (status = 201, description = "Appended and durable", body = Appended),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is malformed", body = ErrorBody),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The credentials cannot post (a commander token, or ?audience=public); or `cross_origin`: the session cookie sent from another site's page, or without `Origin` and `Sec-Fetch-Site`", body = ErrorBody),
        (status = 409, description = "A duplicate incident id, or an Idempotency-Key reused with another body", body = ErrorBody),
        (status = 413, description = "The body is over the limit (1 MiB)", body = ErrorBody),
        (status = 408, description = "`body_timeout`: the body did not arrive within the body timeout (30 s by default) of the request's head", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "Not a valid event, an event the exercise's state makes impossible, or text or a list over its limit (see the model's `limits`); `field` and `index` say where. An array of more than 1,000 events is `too_many_events`", body = ErrorBody),
        (status = 503, description = "Nothing was appended, try again later (`Retry-After`): `clock_behind` (the server's clock is behind its log), `log_unwritable` (the log cannot be written; the server is stopping to be restarted), or the server is shutting down", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn events_create(
    State(state): State<AppState>,
    Control(caller): Control,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response> {
    let started = Instant::now();
    let token_id = caller
        .identity
        .as_ref()
        .map(|identity| identity.token.id)
        .ok_or_else(|| Error::Internal("a control caller without a token".into()))?;
    let idempotency = idempotency_key(&headers)?.map(|key| Idempotency {
        token_id,
        key,
        body_sha256: sha256_hex(&body.bytes),
        window: state.idempotency_window(),
    });
    let (events, array) = parse_events(&body.value)?;
    let appended = state
        .writer()
        .append(Request {
            events,
            idempotency,
            progress: None,
        })
        .await
        .map_err(|error| if array { error } else { without_index(error) })?;
    state.metrics().appended(started.elapsed());
    if !appended.replayed {
        tracing::info!(
            seqs = ?appended.seqs,
            by = caller.identity.as_ref().map(|identity| identity.token.name.as_str()),
            "events appended"
        );
    }
    let mut response = (StatusCode::CREATED, Json(Appended { seq: appended.seqs })).into_response();
    if appended.replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().ok().map(str::trim).unwrap_or_default();
    let printable = key.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if key.is_empty() || key.len() > 200 || !printable {
        return Err(Error::BadRequest(
            Problem::new(
                "bad_idempotency_key",
                "Idempotency-Key must be 1 to 200 printable ASCII characters, e.g. a UUID",
            )
            .field("Idempotency-Key"),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// The posted events, and whether they came as an array (then refusals carry
/// the offending event's `index`).
fn parse_events(value: &Value) -> Result<(Vec<Pending>, bool)> {
    let (items, array) = match value {
        Value::Array(items) => (items.as_slice(), true),
        Value::Object(_) => (std::slice::from_ref(value), false),
        _ => {
            return Err(Error::Invalid(Problem::new(
                "not_an_event",
                "post one event object ({\"type\": ...}) or an array of them",
            )))
        }
    };
    if items.is_empty() {
        return Err(Error::Invalid(Problem::new(
            "no_events",
            "the array is empty: post at least one event",
        )));
    }
    if items.len() > MAX_BATCH_EVENTS {
        return Err(Error::Invalid(Problem::new(
            "too_many_events",
            format!(
                "the array has {} events; post at most {MAX_BATCH_EVENTS} at once (split it into several posts)",
                items.len()
            ),
        )));
    }
    let events = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            if !item.is_object() {
                return Err(Error::Invalid(
                    Problem::new(
                        "not_an_event",
                        format!("event {index} is not a JSON object"),
                    )
                    .index(Some(index)),
                ));
            }
            parse_value::<EventBody>(item, &[])
                .map(|body| Pending { body, at: None })
                .map_err(|problem| Error::Invalid(problem.index(array.then_some(index))))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((events, array))
}

fn without_index(error: Error) -> Error {
    match error {
        Error::Invalid(problem) => Error::Invalid(problem.index(None)),
        Error::Conflict(problem) => Error::Conflict(problem.index(None)),
        other => other,
    }
}
