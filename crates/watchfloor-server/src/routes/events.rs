//! The log: `POST /api/v1/events` (writing, for exercise control) and
//! `GET /api/v1/events` (reading it back a page at a time, or whole as JSON
//! Lines, redacted for the reader).

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use watchfloor_model::filter::{query_list, query_value};
use watchfloor_model::limits::MAX_BATCH_EVENTS;
use watchfloor_model::review::EventsPage;
use watchfloor_model::{Audience, EventBody, EventKind};

use super::review::{self, attachment, varies, Format};
use crate::auth::{sha256_hex, Caller, Control};
use crate::error::{parse_value, Error, ErrorBody, JsonBody, Problem, Result};
use crate::hub::{Hub, Outgoing};
use crate::writer::{Idempotency, Pending, Request};
use crate::AppState;

/// The header that makes a retry safe.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", post(events_create).get(events_list))
}

/// A page's size when `limit` is not given.
pub const DEFAULT_PAGE: usize = 1_000;

/// The largest page.
pub const MAX_PAGE: usize = 10_000;

/// Events per chunk of a JSON Lines answer: what one request holds at once.
const JSONL_CHUNK: usize = 256;

/// Which part of the log to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EventsQuery {
    /// Events with a seq above this one (default 0: from the start), in the
    /// reader's sequence (the public's own dense sequence for the public).
    after: Option<String>,
    /// Events with a seq up to this one (default: the reader's head).
    until: Option<String>,
    /// At most this many events: 1 to 10,000, 1,000 by default. A JSON
    /// Lines answer has the whole range unless it is given.
    limit: Option<String>,
    /// Only events of these types, comma-separated, e.g.
    /// `phase_changed,exercise_updated`.
    kind: Option<String>,
    /// `json` (a page, the default) or `jsonl` (the whole range, one event
    /// per line); without it, `Accept: application/x-ndjson` asks for JSON Lines.
    format: Option<String>,
    /// `public` reads as the public.
    audience: Option<String>,
}

/// What `GET /api/v1/events` was asked for.
#[derive(Debug)]
struct Range {
    after: u64,
    until: Option<u64>,
    limit: Option<usize>,
    kinds: Option<Vec<EventKind>>,
}

fn parse_range(pairs: &[(String, String)]) -> Result<Range> {
    let bad = |field: &str, message: String| {
        Error::BadRequest(Problem::new("bad_query", message).field(field))
    };
    let seq = |field: &'static str| {
        query_value(pairs, field)
            .map(|text| {
                text.trim().parse::<u64>().map_err(|_| {
                    bad(
                        field,
                        format!(
                            "{field} `{}` is not a seq (a whole number, e.g. 42)",
                            text.chars().take(40).collect::<String>()
                        ),
                    )
                })
            })
            .transpose()
    };
    let after = seq("after")?.unwrap_or(0);
    let until = seq("until")?;
    let limit = query_value(pairs, "limit")
        .map(|text| match text.trim().parse::<usize>() {
            Ok(limit) if (1..=MAX_PAGE).contains(&limit) => Ok(limit),
            _ => Err(bad(
                "limit",
                format!(
                    "limit `{}` must be a whole number from 1 to {MAX_PAGE}; page on with `next`",
                    text.chars().take(40).collect::<String>()
                ),
            )),
        })
        .transpose()?;
    let kinds = match query_value(pairs, "kind") {
        None => None,
        Some(text) => {
            let mut kinds: Vec<EventKind> = Vec::new();
            for item in query_list(Some(text)) {
                let kind = EventBody::KINDS
                    .iter()
                    .copied()
                    .find(|kind| *kind == item)
                    .ok_or_else(|| {
                        bad(
                            "kind",
                            format!(
                                "`{}` is not an event type: use {}",
                                item.chars().take(40).collect::<String>(),
                                EventBody::KINDS.join(", ")
                            ),
                        )
                    })?;
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            Some(kinds).filter(|kinds| !kinds.is_empty())
        }
    };
    Ok(Range {
        after,
        until,
        limit,
        kinds,
    })
}

/// Reads the log back, redacted for the caller: a page of events with
/// `after < seq <= until`, in the caller's sequence, as the stream sends
/// them.
///
/// Restricted readers get every committed event with its seq; the public
/// gets the public log — only released public events, redacted, numbered in
/// the public's own dense sequence — so neither a seq nor a count says
/// anything about restricted or embargoed activity. A page is at most
/// `limit` events; `next` is the `after` of the next page, absent when this
/// one reached `until` or the head. With `?format=jsonl` or
/// `Accept: application/x-ndjson` the whole range (up to the head when the
/// request arrived) comes as JSON Lines, one event per line, streamed from
/// memory as an attachment `watchfloor-events.jsonl`.
#[utoipa::path(
    get, path = "/api/v1/events", tag = "review",
    params(EventsQuery),
    responses(
        (status = 200, description = "A page of events (JSON), or the range as JSON Lines (`application/x-ndjson`, each line an `Event`)", content(
            (EventsPage = "application/json"),
            (String = "application/x-ndjson"),
        )),
        (status = 400, description = "`bad_query`, naming the parameter: `after` or `until` is not a seq, `limit` is not 1 to 10,000, `kind` is not an event type, `format` is not `json` or `jsonl`; or an unknown `audience`", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn events_list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let pairs = review::pairs(query)?;
    let range = parse_range(&pairs)?;
    let format = review::format(&pairs, &headers, &[Format::Json, Format::Jsonl])?;
    let hub = state.hub().clone();
    let audience = caller.audience;
    let head = hub.head_for(audience);
    let upto = range.until.unwrap_or(head).min(head);
    if format == Format::Jsonl {
        let lines = Lines {
            hub,
            audience,
            after: range.after,
            upto,
            left: range.limit.unwrap_or(usize::MAX),
            kinds: range.kinds,
        };
        let body = Body::from_stream(futures_util::stream::unfold(lines, Lines::next));
        return Ok(attachment(
            "application/x-ndjson",
            "watchfloor-events.jsonl",
            body,
        ));
    }
    let limit = range.limit.unwrap_or(DEFAULT_PAGE);
    let entries = read(
        &hub,
        audience,
        range.after,
        upto,
        limit,
        range.kinds.as_deref(),
    );
    let last = entries.last().map(|entry| entry.seq);
    let next = last.filter(|last| entries.len() == limit && *last < upto);
    // The events' JSON is serialised once per event and reader class: splice it.
    let mut body = String::with_capacity(
        entries
            .iter()
            .map(|entry| entry.json.len() + 1)
            .sum::<usize>()
            + 64,
    );
    body.push_str(r#"{"events":["#);
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            body.push(',');
        }
        body.push_str(&entry.json);
    }
    body.push_str(&format!(
        r#"],"head":{head},"next":{}}}"#,
        next.map_or("null".to_owned(), |next| next.to_string())
    ));
    Ok(varies(
        ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
    ))
}

/// The entries of `(after, upto]` the reader receives, of the wanted types.
fn read(
    hub: &Hub,
    audience: Audience,
    after: u64,
    upto: u64,
    limit: usize,
    kinds: Option<&[EventKind]>,
) -> Vec<Arc<Outgoing>> {
    match kinds {
        None => hub.entries_for(audience, after, upto, limit),
        Some(kinds) => {
            hub.entries_where(audience, after, upto, limit, |kind| kinds.contains(&kind))
        }
    }
}

/// A JSON Lines answer being streamed: one chunk of the log at a time, so a
/// request holds at most [`JSONL_CHUNK`] events however long the log.
struct Lines {
    hub: Arc<Hub>,
    audience: Audience,
    /// The last seq sent (or the request's `after`).
    after: u64,
    upto: u64,
    /// Events still to send (the `limit`, if given).
    left: usize,
    kinds: Option<Vec<EventKind>>,
}

impl Lines {
    async fn next(
        mut self,
    ) -> Option<(std::result::Result<Bytes, std::convert::Infallible>, Lines)> {
        if self.left == 0 || self.after >= self.upto {
            return None;
        }
        let entries = read(
            &self.hub,
            self.audience,
            self.after,
            self.upto,
            JSONL_CHUNK.min(self.left),
            self.kinds.as_deref(),
        );
        let last = entries.last()?.seq;
        let mut chunk =
            String::with_capacity(entries.iter().map(|entry| entry.json.len() + 1).sum());
        for entry in &entries {
            chunk.push_str(&entry.json);
            chunk.push('\n');
        }
        self.left -= entries.len();
        self.after = last;
        Some((Ok(Bytes::from(chunk)), self))
    }
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
        (status = 422, description = "`server_owned`: `screen_paired`/`screen_unpaired` are the server's; `scenario_control`: the scenario's own events are posted through `/api/v1/scenario`; not a valid event, an event the exercise's state makes impossible, or text or a list over its limit (see the model's `limits`); `field` and `index` say where. An array of more than 1,000 events is `too_many_events`", body = ErrorBody),
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
    let (events, array) = parse_events(&body.value, &caller.poster_name())?;
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
fn parse_events(value: &Value, by: &str) -> Result<(Vec<Pending>, bool)> {
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
            let body = parse_value::<EventBody>(item, &[])
                .map_err(|problem| Error::Invalid(problem.index(array.then_some(index))))?;
            if body.is_scenario_control() {
                return Err(Error::Invalid(
                    Problem::new(
                        "scenario_control",
                        format!(
                            "`{}` is not posted here: hold, resume and skip the scenario with POST /api/v1/scenario/hold, /resume and /entries/{{index}}/skip",
                            body.kind()
                        ),
                    )
                    .field("type")
                    .index(array.then_some(index)),
                ));
            }
            if body.is_server_owned() {
                return Err(Error::Invalid(
                    Problem::new(
                        "server_owned",
                        format!(
                            "`{}` is appended by the server itself: pair and unpair screens with POST /api/v1/screens and DELETE /api/v1/screens/{{id}}",
                            body.kind()
                        ),
                    )
                    .field("type")
                    .index(array.then_some(index)),
                ));
            }
            Ok(Pending::posted(body, by))
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
