//! Faults: a clock that jumps, a log that cannot be written, and time that
//! the tests move themselves — the server reads every "now" from the clock
//! it was given, so the embargo, the player and sessions are tested on a
//! manual clock, without sleeping on the wall clock.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{json, Value};
use watchfloor_server::{Clock, Config};

use crate::support::{check_error, eventually, exercise, on_postgres, TestServer, Who};

fn start_of_test() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

fn manual(clock: &Clock) -> impl FnOnce(&mut Config) + '_ {
    move |config| config.clock = clock.clone()
}

async fn public_seq(server: &TestServer) -> Option<u64> {
    server.get("/api/v1/snapshot").send().await.json()["seq"].as_u64()
}

async fn audience(server: &TestServer, session: String) -> (u16, Value) {
    let reply = server
        .get("/api/v1/session")
        .by(Who::Cookie(session))
        .send()
        .await;
    (reply.status, reply.json()["audience"].clone())
}

async fn incident_status(server: &TestServer) -> Value {
    server.get("/api/v1/incidents/S-1").send().await.json()["status"].clone()
}

fn note(text: &str) -> Value {
    json!({"type": "incident_updated", "id": "PUB-1", "note": text})
}

#[tokio::test]
async fn a_clock_that_jumps_back_refuses_writes_instead_of_poisoning_the_log() {
    let start = start_of_test();
    let clock = Clock::manual(start);
    let server = TestServer::with(manual(&clock)).await;
    server.append(exercise()).await;

    // The clock jumps a year ahead and an event is written then …
    clock.set(start + chrono::Duration::days(365));
    let jumped = server.append(note("written a year ahead")).await;
    // … and NTP corrects it. Clamping `at` to the jumped-to time would hold
    // every later event (and the embargo) there for a year: refuse instead.
    clock.set(start + chrono::Duration::minutes(1));
    let seq = server.seq().await;
    let refused = server
        .post("/api/v1/events", note("after the correction"))
        .by(server.control())
        .send()
        .await;
    check_error(&refused, 503, "clock_behind", None);
    assert!(refused.header("retry-after").is_some());
    assert_eq!(server.seq().await, seq, "nothing was written");
    let health = server.get("/healthz").send().await;
    assert_eq!(health.status, 503);
    let reason = health.json()["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(reason.contains("clock"), "{reason}");
    assert!(
        !reason.contains(&start.format("%Y-%m-%d").to_string()),
        "no times in the public reason: {reason}"
    );
    assert_eq!(jumped.len(), 1);

    // Within the allowed skew, events are written and time never goes backwards.
    let last_at: DateTime<Utc> = server
        .get("/api/v1/incidents/PUB-1")
        .by(server.commander())
        .send()
        .await
        .json()["updated_at"]
        .as_str()
        .expect("time")
        .parse()
        .expect("time");
    clock.set(last_at - chrono::Duration::seconds(3));
    server.append(note("after the correction")).await;
    let incident = server
        .get("/api/v1/incidents/PUB-1")
        .by(server.commander())
        .send()
        .await
        .json();
    let at: DateTime<Utc> = incident["updated_at"]
        .as_str()
        .expect("time")
        .parse()
        .expect("time");
    assert_eq!(at, last_at, "held at the last event's time, not earlier");
    assert_eq!(
        server.get("/healthz").send().await.status,
        200,
        "healthy again"
    );
}

#[tokio::test]
async fn the_embargo_releases_by_the_servers_clock() {
    let start = start_of_test();
    let clock = Clock::manual(start);
    let server = TestServer::with(|config| {
        config.clock = clock.clone();
        config.public_delay = chrono::Duration::minutes(10);
        config.embargo_tick = Duration::from_millis(20);
    })
    .await;
    server.append(exercise()).await;
    clock.advance(chrono::Duration::minutes(9));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        public_seq(&server).await,
        Some(0),
        "nine minutes: still held"
    );
    clock.advance(chrono::Duration::minutes(1));
    eventually("ten minutes on the server's clock release it", || async {
        public_seq(&server).await == Some(9)
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_when_the_servers_clock_says_so() {
    let clock = Clock::manual(start_of_test());
    let server = TestServer::with(manual(&clock)).await;
    let signed_in = server
        .post(
            "/api/v1/session",
            json!({"token": server.commander.clone()}),
        )
        .send()
        .await;
    assert_eq!(signed_in.status, 201, "{}", signed_in.text);
    let cookie = signed_in.header("set-cookie").expect("cookie").to_owned();
    let (_, rest) = cookie.split_once('=').expect("name=value");
    let session = rest.split(';').next().expect("value").to_owned();
    clock.advance(chrono::Duration::days(29));
    assert_eq!(
        audience(&server, session.clone()).await,
        (200, json!("commander"))
    );
    clock.advance(chrono::Duration::days(2));
    let (status, after) = audience(&server, session).await;
    assert_ne!(
        after,
        json!("commander"),
        "expired after 30 days ({status})"
    );
}

#[tokio::test]
async fn the_player_plays_on_the_servers_clock() {
    let clock = Clock::manual(start_of_test());
    let server = TestServer::with(|config| {
        config.clock = clock.clone();
        config.scenario = Some(
            watchfloor_model::scenario::Scenario::parse(
                &json!({"name": "Clock test", "duration": "1d", "start_at": "10h", "entries": [
                    {"at": "0s", "type": "exercise_updated", "edition": "T", "organiser": "Test cell"},
                    {"at": "0s", "type": "phase_changed", "phase": "execution"},
                    {"at": "9h", "type": "incident_opened", "id": "S-1", "title": "Scripted",
                     "category": "ransomware", "severity": "high", "visibility": "public"},
                    {"at": "11h", "type": "incident_updated", "id": "S-1", "status": "analysing"},
                    {"at": "20h", "type": "incident_updated", "id": "S-1", "status": "contained"}
                ]})
                .to_string(),
            )
            .expect("scenario"),
        );
        // An hour a second: 11h is due a second after the start, 20h ten.
        config.speed = 3600.0;
    })
    .await;
    assert_eq!(incident_status(&server).await, json!("detected"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        incident_status(&server).await,
        json!("detected"),
        "the wall clock moving does not play it"
    );
    clock.advance(chrono::Duration::seconds(1));
    eventually(
        "11h is played once the server's clock reaches it",
        || async { incident_status(&server).await == json!("analysing") },
    )
    .await;
    clock.advance(chrono::Duration::seconds(9));
    eventually("and 20h", || async {
        incident_status(&server).await == json!("contained")
    })
    .await;
}

#[tokio::test]
async fn a_log_that_cannot_be_written_stops_the_server_and_loses_nothing_acknowledged() {
    // A capped SQLite file is the full disk here; PostgreSQL's own faults
    // are the cluster tests'.
    if on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let token = {
        // Tokens first: the capped database must still have room for them.
        watchfloor_server::create_token(dir.path(), watchfloor_server::Role::Control, "control")
            .expect("token")
            .1
    };
    let mut config = Config::new(dir.path());
    // As small as it can be: the log is full after a few events — a full disk, for real.
    config.max_log_bytes = Some(1);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(watchfloor_server::serve(
        listener,
        config,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let url = format!("http://{address}");
    eventually("the server answers", || async {
        client
            .get(format!("{url}/healthz"))
            .send()
            .await
            .is_ok_and(|reply| reply.status().is_success())
    })
    .await;
    let mut acknowledged: Vec<(u64, String)> = Vec::new();
    let mut refusal = None;
    for index in 0..500 {
        let id = format!("FULL-{index}");
        let reply = client
            .post(format!("{url}/api/v1/events"))
            .bearer_auth(&token)
            .json(
                &json!({"type": "incident_opened", "id": id, "title": "Filling the disk",
                "category": "ddos", "severity": "low", "summary": "x".repeat(3000),
                "visibility": "public"}),
            )
            .send()
            .await;
        let Ok(reply) = reply else {
            break; // The server has stopped.
        };
        let status = reply.status().as_u16();
        let body: Value = reply.json().await.unwrap_or(Value::Null);
        if status == 201 {
            acknowledged.push((body["seq"][0].as_u64().expect("seq"), id));
        } else {
            refusal = Some((status, body));
            break;
        }
    }
    let (status, body) = refusal.expect("the capped log fills up within 500 events");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "log_unwritable", "{body}");
    // The server stops by itself, and says why.
    let ended = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops by itself")
        .expect("task");
    let error = ended.expect_err("a fatal fault is an error for the supervisor");
    assert!(
        error.to_string().contains("could not be written"),
        "{error}"
    );

    // Restarted without the cap: everything acknowledged is there, in order, once.
    let restarted = TestServer::on(dir, |_| {}).await;
    let snapshot = restarted
        .get("/api/v1/snapshot")
        .by(restarted.control())
        .send()
        .await
        .json();
    let ids: Vec<String> = snapshot["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|incident| incident["id"].as_str().expect("id").to_owned())
        .collect();
    let expected: Vec<String> = acknowledged.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(ids, expected);
    assert_eq!(
        snapshot["seq"].as_u64(),
        acknowledged.last().map(|(seq, _)| *seq).or(Some(0))
    );
    assert_eq!(restarted.get("/healthz").send().await.status, 200);
}
