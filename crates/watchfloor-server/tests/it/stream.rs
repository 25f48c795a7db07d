//! The event stream over a real socket: resume points, live delivery with no
//! gap and no duplicate, reset, heartbeats, and revocation.

use std::time::Duration;

use serde_json::json;
use watchfloor_server::{create_token, revoke_token, Role};

use crate::support::{check_error, exercise, EventStream, TestServer, Who};

#[tokio::test]
async fn resuming_after_a_seq_delivers_exactly_the_later_events() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    server.append(exercise()).await;
    let mut stream = EventStream::open(
        &format!("{url}/api/v1/stream?after=4"),
        server.commander(),
        &[],
    )
    .await;
    assert_eq!(stream.status, 200);
    assert!(
        stream.content_type.starts_with("text/event-stream"),
        "{}",
        stream.content_type
    );
    let messages = stream.until(11).await;
    assert_eq!(
        messages.iter().map(|m| m.seq()).collect::<Vec<_>>(),
        (5..=11).collect::<Vec<_>>()
    );
    let first = &messages[0];
    assert_eq!(first.event.as_deref(), Some("nation_joined"));
    assert_eq!(first.json()["seq"], 5);
    assert_eq!(first.json()["type"], "nation_joined");
    assert!(first.json()["at"].is_string());
    // Then live ones.
    server
        .append(json!({"type": "phase_changed", "phase": "paused"}))
        .await;
    let live = stream.next().await.expect("a live event");
    assert_eq!(
        (live.seq(), live.event.as_deref()),
        (12, Some("phase_changed"))
    );
}

#[tokio::test]
async fn last_event_id_wins_over_after() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    server.append(exercise()).await;
    // A reconnecting EventSource keeps its URL (?after=2) and sends the last id it saw.
    let mut stream = EventStream::open(
        &format!("{url}/api/v1/stream?after=2"),
        server.control(),
        &[("last-event-id", "9")],
    )
    .await;
    assert_eq!(stream.next().await.expect("event").seq(), 10);
}

#[tokio::test]
async fn without_a_resume_point_the_stream_starts_with_the_next_event() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    server.append(exercise()).await;
    let mut stream = EventStream::open(&format!("{url}/api/v1/stream"), Who::Public, &[]).await;
    server
        .append(json!({"type": "nation_status", "code": "FIN", "status": "offline"}))
        .await;
    // Live seq 12; the public sequence counts the 9 public events of the fixture, then this one.
    assert_eq!(stream.next().await.expect("event").seq(), 10);
}

#[tokio::test]
async fn live_delivery_during_concurrent_posting_has_no_gap_and_no_duplicate() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    server.append(exercise()).await;
    let mut stream = EventStream::open(
        &format!("{url}/api/v1/stream?after=3"),
        server.commander(),
        &[],
    )
    .await;
    let posters: Vec<_> = (0..4)
        .map(|task| {
            let client = reqwest::Client::new();
            let url = url.clone();
            let token = server.control.clone();
            tokio::spawn(async move {
                for index in 0..25 {
                    let status = if (task + index) % 2 == 0 {
                        "online"
                    } else {
                        "degraded"
                    };
                    let reply = client
                        .post(format!("{url}/api/v1/events"))
                        .bearer_auth(&token)
                        .json(&json!({"type": "nation_status", "code": "EST", "status": status}))
                        .send()
                        .await
                        .expect("post");
                    assert_eq!(reply.status(), 201);
                }
            })
        })
        .collect();
    let messages = stream.until(111).await;
    for poster in posters {
        poster.await.expect("poster");
    }
    assert_eq!(
        messages.iter().map(|m| m.seq()).collect::<Vec<_>>(),
        (4..=111).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_resume_point_beyond_the_log_asks_the_client_to_reset() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    server.append(exercise()).await;
    // E.g. the server's data dir was wiped since the client's snapshot.
    let mut stream =
        EventStream::open(&format!("{url}/api/v1/stream?after=500"), Who::Public, &[]).await;
    let reset = stream.next().await.expect("reset");
    assert_eq!(
        (reset.event.as_deref(), reset.id.as_deref()),
        (Some("reset"), Some("9"))
    );
    // The public head: the fixture's 11 events hold 9 public ones.
    assert_eq!(reset.json(), json!({"seq": 9}));
    server
        .append(json!({"type": "phase_changed", "phase": "paused"}))
        .await;
    assert_eq!(
        stream.next().await.expect("event").seq(),
        10,
        "and then it goes on from there"
    );
}

#[tokio::test]
async fn a_bad_resume_point_is_a_400() {
    let server = TestServer::start().await;
    check_error(
        &server.get("/api/v1/stream?after=ten").send().await,
        400,
        "bad_seq",
        Some("after"),
    );
    check_error(
        &server
            .get("/api/v1/stream")
            .header("last-event-id", "x")
            .send()
            .await,
        400,
        "bad_seq",
        Some("Last-Event-ID"),
    );
}

#[tokio::test]
async fn heartbeats_keep_an_idle_stream_alive() {
    let mut server = TestServer::with(|config| config.heartbeat = Duration::from_millis(50)).await;
    let url = server.listen().await;
    let response = reqwest::get(format!("{url}/api/v1/stream"))
        .await
        .expect("stream");
    let mut body = Box::pin(response.bytes_stream());
    let chunk = tokio::time::timeout(
        Duration::from_secs(5),
        futures_util::StreamExt::next(&mut body),
    )
    .await
    .expect("a heartbeat within the interval")
    .expect("open")
    .expect("bytes");
    assert!(chunk.starts_with(b":"), "an SSE comment: {chunk:?}");
}

#[tokio::test]
async fn a_stream_ends_when_its_token_is_revoked() {
    let mut server =
        TestServer::with(|config| config.credential_recheck = Duration::from_millis(50)).await;
    let url = server.listen().await;
    let (id, token) = create_token(&server.database, Role::Commander, "watcher").expect("token");
    let mut stream =
        EventStream::open(&format!("{url}/api/v1/stream"), Who::Bearer(token), &[]).await;
    server.append(exercise()).await;
    assert_eq!(stream.next().await.expect("event").seq(), 1);
    revoke_token(&server.database, id).expect("revoke");
    // What was already queued may still arrive; then the stream ends.
    let mut ended = false;
    for _ in 0..20 {
        if stream.next().await.is_none() {
            ended = true;
            break;
        }
    }
    assert!(ended, "the stream ends after revocation");
}

#[tokio::test]
async fn a_cookie_session_streams_restricted_events() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    let reply = server
        .post("/api/v1/session", json!({"token": server.commander}))
        .send()
        .await;
    let cookie = reply.header("set-cookie").expect("cookie");
    let session = cookie["watchfloor_session=".len()..]
        .split(';')
        .next()
        .expect("value")
        .to_owned();
    let mut stream = EventStream::open(
        &format!("{url}/api/v1/stream?after=0"),
        Who::Cookie(session.clone()),
        &[],
    )
    .await;
    server.append(exercise()).await;
    assert_eq!(
        stream.until(11).await.len(),
        11,
        "restricted events included"
    );
    // The same cookie with ?audience=public gets the public stream.
    let mut public = EventStream::open(
        &format!("{url}/api/v1/stream?after=6&audience=public"),
        Who::Cookie(session),
        &[],
    )
    .await;
    // After public seq 6 comes public 7 (live 8: live 7 is the restricted incident).
    let next = public.next().await.expect("event");
    assert_eq!((next.seq(), next.json()["id"].as_str()), (7, Some("PUB-1")));
}

#[tokio::test]
async fn shutting_down_ends_open_streams() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    let mut stream = EventStream::open(&format!("{url}/api/v1/stream"), Who::Public, &[]).await;
    server.state.shutdown().await;
    assert!(stream.next().await.is_none());
}
