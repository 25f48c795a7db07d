//! Live events: `GET /api/v1/stream` (server-sent events).
//!
//! Each message is `id: <seq>`, `event: <type>`, `data: <event JSON>`, the
//! event redacted for the reader (the public never receives a restricted
//! incident's events, nor any `detail`; with an embargo it receives events
//! only once they are released). A public reader's seqs are the public
//! sequence (see [`crate::hub`]): dense, so its ids, its `Last-Event-ID` and
//! `?after=` say nothing about restricted activity. A stream resumes after the `Last-Event-ID`
//! header (sent by a reconnecting EventSource, so it wins) or `?after=<seq>`;
//! without either it starts with the next event. A resume point beyond the
//! log (the server's data was reset) gets an `event: reset` message whose id
//! is the current seq: the client refetches the snapshot.
//!
//! A stream holds no database connection: it reads the hub's in-memory log
//! and waits on the hub's head seq (see [`crate::hub`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tokio::sync::watch;
use tokio::time::{Instant, Interval};
use utoipa::IntoParams;
use watchfloor_model::Audience;

use crate::auth::{Caller, Identity};
use crate::capacity::{ClientAddr, Slot};
use crate::error::{Error, ErrorBody, Problem, Result};
use crate::hub::Hub;
use crate::metrics::StreamGuard;
use crate::AppState;

/// Log entries read per wake-up, so one far-behind client does not hold the log lock long.
const CHUNK: usize = 256;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/stream", get(stream_get))
}

/// Where to resume.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Send events with a seq above this one (the snapshot's `seq`), then live
    /// ones. The `Last-Event-ID` header, when present, wins.
    pub after: Option<String>,
    /// `public` reads as the public.
    pub audience: Option<String>,
}

/// The event stream.
#[utoipa::path(
    get, path = "/api/v1/stream", tag = "read",
    params(
        StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The last seq received; resume after it"),
    ),
    responses(
        (status = 200, description = "`text/event-stream`: `id: <seq>`, `event: <type>`, `data: <event JSON>`; `event: reset` when the resume point is beyond the log; a comment heartbeat every 15 s", content_type = "text/event-stream", body = String),
        (status = 400, description = "`after` or `Last-Event-ID` is not a seq", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
        (status = 503, description = "`too_many_streams`: the server already holds as many streams as it allows, overall or from this address; `Retry-After` says when to try again", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn stream_get(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    headers: HeaderMap,
    query: Result<Query<StreamQuery>, QueryRejection>,
) -> Result<Response> {
    let Query(query) = query
        .map_err(|rejection| Error::BadRequest(Problem::new("bad_query", rejection.body_text())))?;
    let after = resume_point(&headers, &query)?;
    // Held by the stream until it ends: the caps count open streams.
    let slot = state
        .capacity()
        .open_stream(client)
        .map_err(|refusal| Error::Busy(refusal.problem()))?;
    let hub = state.hub();
    // Subscribe before looking at the head: nothing committed from here on
    // can be missed, and the log is read by seq, so nothing is sent twice.
    let head = hub.subscribe(caller.audience);
    let current = *head.borrow();
    let mut queue = VecDeque::new();
    let last = match after {
        None => current,
        Some(after) if after > current => {
            queue.push_back(
                SseEvent::default()
                    .id(current.to_string())
                    .event("reset")
                    .data(format!(r#"{{"seq":{current}}}"#)),
            );
            current
        }
        Some(after) => after,
    };
    let recheck = caller.identity.map(|identity| Recheck {
        interval: tokio::time::interval_at(
            Instant::now() + state.credential_recheck(),
            state.credential_recheck(),
        ),
        identity,
        state: state.clone(),
    });
    let reader = Reader {
        hub: hub.clone(),
        audience: caller.audience,
        head,
        closing: hub.closing(),
        last,
        queue,
        recheck,
        _client: state.metrics().stream_opened(),
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(reader, Reader::next);
    Ok(sse_response(stream, state.heartbeat()))
}

/// A server-sent event stream as an answer: a comment heartbeat every
/// `heartbeat`, and no buffering by reverse proxies (each event passes on at once).
pub(crate) fn sse_response(
    stream: impl futures_util::Stream<Item = Result<SseEvent, Infallible>> + Send + 'static,
    heartbeat: std::time::Duration,
) -> Response {
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(heartbeat))
        .into_response();
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

fn resume_point(headers: &HeaderMap, query: &StreamQuery) -> Result<Option<u64>> {
    let parse = |field: &str, text: &str| {
        text.trim().parse::<u64>().map_err(|_| {
            Error::BadRequest(
                Problem::new(
                    "bad_seq",
                    format!("`{text}` is not a seq (a whole number, e.g. 42)"),
                )
                .field(field),
            )
        })
    };
    if let Some(value) = headers.get("last-event-id") {
        let text = value.to_str().unwrap_or_default();
        if !text.trim().is_empty() {
            return parse("Last-Event-ID", text).map(Some);
        }
    }
    query
        .after
        .as_deref()
        .map(|text| parse("after", text))
        .transpose()
}

/// A stream's periodic check that its credential still holds.
struct Recheck {
    interval: Interval,
    identity: Identity,
    state: AppState,
}

/// Why a waiting stream woke up.
enum Wake {
    Head,
    End,
    Recheck,
}

/// One client's position in the log.
struct Reader {
    hub: Arc<Hub>,
    audience: Audience,
    head: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
    /// The last seq sent, in this reader's sequence.
    last: u64,
    queue: VecDeque<SseEvent>,
    recheck: Option<Recheck>,
    _client: StreamGuard,
    _slot: Slot,
}

impl Reader {
    async fn next(mut self) -> Option<(Result<SseEvent, Infallible>, Reader)> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            if let Some(event) = self.queue.pop_front() {
                return Some((Ok(event), self));
            }
            let head = *self.head.borrow_and_update();
            if head > self.last {
                let entries = self.hub.entries_for(self.audience, self.last, head, CHUNK);
                if entries.is_empty() {
                    // Cannot happen (the log grows before the head moves); never spin.
                    self.last = head;
                }
                for entry in entries {
                    self.queue.push_back(
                        SseEvent::default()
                            .id(entry.seq.to_string())
                            .event(entry.kind)
                            .data(entry.json.as_str()),
                    );
                    self.last = entry.seq;
                }
                continue;
            }
            let recheck_slot = &mut self.recheck;
            let recheck = async move {
                match recheck_slot {
                    Some(recheck) => {
                        recheck.interval.tick().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let wake = tokio::select! {
                changed = self.head.changed() => match changed {
                    Ok(()) => Wake::Head,
                    Err(_) => Wake::End,
                },
                _ = self.closing.changed() => Wake::End,
                () = recheck => Wake::Recheck,
            };
            match wake {
                Wake::Head => {}
                Wake::End => return None,
                Wake::Recheck => {
                    let recheck = self.recheck.as_ref().expect("only ticks when set");
                    if !recheck.identity.still_valid(&recheck.state).await {
                        tracing::info!(
                            token = recheck.identity.token.id,
                            "stream ended: its credential was revoked"
                        );
                        return None;
                    }
                }
            }
        }
    }
}
