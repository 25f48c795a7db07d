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
//!
//! **Coalesced writes.** A stream keeps no queue of messages: each time the
//! connection is ready for more, it reads every event the client has not
//! had yet from the log (up to [`CHUNK`] events or [`FRAME_BYTES`]) and
//! sends them as one write. A client that reads slowly, or many events in a
//! burst, costs one frame per write, not one buffered message per event; a
//! stream's memory is its position and the frame being written.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
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

/// Log entries read per write at most, so one far-behind client does not
/// hold the log lock long.
const CHUNK: usize = 256;

/// Bytes of events put in one write at most (an event larger than this
/// still goes, alone).
const FRAME_BYTES: usize = 64 * 1024;

/// An SSE comment: what a stream sends after a heartbeat of silence.
const HEARTBEAT: &[u8] = b":\n\n";

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
    let mut first = None;
    let last = match after {
        None => current,
        Some(after) if after > current => {
            let mut reset = Vec::new();
            message(
                &mut reset,
                current,
                "reset",
                &format!(r#"{{"seq":{current}}}"#),
            );
            first = Some(Bytes::from(reset));
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
        first,
        recheck,
        heartbeat: state.heartbeat(),
        _client: state.metrics().stream_opened(),
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(reader, Reader::next);
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// One SSE message (the event JSON is one line: serde never writes a raw
/// newline).
fn message(frame: &mut Vec<u8>, seq: u64, kind: &str, json: &str) {
    use std::io::Write;
    let _ = write!(frame, "id: {seq}\nevent: {kind}\ndata: {json}\n\n");
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
    /// A heartbeat's time without anything to send.
    Quiet,
}

/// One client's position in the log.
struct Reader {
    hub: Arc<Hub>,
    audience: Audience,
    head: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
    /// The last seq sent, in this reader's sequence.
    last: u64,
    /// A message to send before any event (`event: reset`).
    first: Option<Bytes>,
    recheck: Option<Recheck>,
    /// Silence longer than this gets a comment, so proxies keep the connection.
    heartbeat: std::time::Duration,
    _client: StreamGuard,
    _slot: Slot,
}

impl Reader {
    /// The next write: every event the client has not had yet (up to
    /// [`CHUNK`] and [`FRAME_BYTES`]) as one frame, or a heartbeat after
    /// `heartbeat` of silence; `None` when the stream ends.
    async fn next(mut self) -> Option<(Result<Bytes, Infallible>, Reader)> {
        let quiet_until = Instant::now() + self.heartbeat;
        loop {
            if *self.closing.borrow() {
                return None;
            }
            if let Some(first) = self.first.take() {
                return Some((Ok(first), self));
            }
            let head = *self.head.borrow_and_update();
            if head > self.last {
                let entries = self.hub.entries_for(self.audience, self.last, head, CHUNK);
                if entries.is_empty() {
                    // Cannot happen (the log grows before the head moves); never spin.
                    self.last = head;
                    continue;
                }
                let mut frame = Vec::with_capacity(
                    entries
                        .iter()
                        .map(|entry| entry.json.len() + 64)
                        .sum::<usize>()
                        .min(FRAME_BYTES + 1024),
                );
                for entry in entries {
                    if !frame.is_empty() && frame.len() + entry.json.len() > FRAME_BYTES {
                        break;
                    }
                    message(&mut frame, entry.seq, entry.kind, &entry.json);
                    self.last = entry.seq;
                }
                return Some((Ok(Bytes::from(frame)), self));
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
                () = tokio::time::sleep_until(quiet_until) => Wake::Quiet,
            };
            match wake {
                Wake::Head => {}
                Wake::Quiet => return Some((Ok(Bytes::from_static(HEARTBEAT)), self)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredEvent;
    use watchfloor_model::event::NationJoined;
    use watchfloor_model::{Event, EventBody, Visibility};

    /// A hub whose log holds `count` events, all public.
    fn hub(count: u64) -> Arc<Hub> {
        let at = "2026-11-23T08:00:00Z".parse().expect("time");
        let events = (1..=count)
            .map(|seq| StoredEvent {
                event: Event {
                    by: None,
                    entry: None,
                    seq,
                    at,
                    body: EventBody::NationJoined(NationJoined {
                        code: [seq / 676, seq / 26, seq]
                            .iter()
                            .map(|n| char::from(b'A' + (n % 26) as u8))
                            .collect(),
                        name: "Nation".into(),
                        kind: watchfloor_model::NationKind::Ally,
                        participants: 1,
                        teams: 1,
                    }),
                },
                visibility: Visibility::Public,
            })
            .collect();
        Arc::new(Hub::rebuild(events, chrono::Duration::zero(), at))
    }

    fn reader(hub: &Arc<Hub>, last: u64, heartbeat: std::time::Duration) -> Reader {
        let config = crate::Config::new("unused");
        Reader {
            hub: hub.clone(),
            audience: Audience::Control,
            head: hub.subscribe(Audience::Control),
            closing: hub.closing(),
            last,
            first: None,
            recheck: None,
            heartbeat,
            _client: Arc::new(crate::metrics::Metrics::default()).stream_opened(),
            _slot: crate::capacity::Capacity::of(&config)
                .open_stream(None)
                .map_err(|_| "no slot")
                .expect("a slot"),
        }
    }

    fn ids(frame: &[u8]) -> Vec<u64> {
        String::from_utf8_lossy(frame)
            .split("\n\n")
            .filter_map(|message| message.strip_prefix("id: "))
            .map(|rest| rest.lines().next().expect("id").parse().expect("seq"))
            .collect()
    }

    #[tokio::test]
    async fn what_accumulated_goes_in_one_write_and_silence_gets_a_heartbeat() {
        let hub = hub(300);
        let reader = reader(&hub, 10, std::time::Duration::from_millis(20));
        let (frame, reader) = reader.next().await.expect("a frame");
        let frame = frame.expect("bytes");
        // One write for everything up to a chunk, in order, each a whole message.
        assert_eq!(ids(&frame), (11..=10 + CHUNK as u64).collect::<Vec<_>>());
        assert!(frame.ends_with(b"\n\n"));
        assert!(
            String::from_utf8_lossy(&frame).contains("event: nation_joined\ndata: {"),
            "{}",
            String::from_utf8_lossy(&frame[..200])
        );
        let (frame, reader) = reader.next().await.expect("the rest");
        assert_eq!(
            ids(&frame.expect("bytes")),
            (11 + CHUNK as u64..=300).collect::<Vec<_>>()
        );
        let (frame, _) = reader.next().await.expect("a heartbeat");
        assert_eq!(&frame.expect("bytes")[..], HEARTBEAT);
    }
}
