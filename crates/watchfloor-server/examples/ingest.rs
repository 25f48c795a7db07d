//! Measures durable ingest and snapshot size (a quick figure, not a test).
//!
//! `cargo run --profile server -p watchfloor-server --example ingest`
//!
//! Runs the real server in-process on a loopback port with a temp data dir
//! (WAL, `synchronous=FULL`), posts with several concurrent posters over
//! HTTP, and prints events per second for each shape of load. Then builds an
//! exercise the size of the demo (150 incidents) and prints snapshot sizes.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use watchfloor_server::{app, create_token, AppState, Config, Role};

struct Target {
    url: String,
    token: String,
    _dir: tempfile::TempDir,
    state: AppState,
}

async fn start() -> Target {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::start(Config::new(dir.path()))
        .await
        .expect("server");
    let token = create_token(dir.path(), Role::Control, "bench")
        .expect("token")
        .1;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let router = app(state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    post(&reqwest::Client::new(), &url, &token, &nations()).await;
    Target {
        url,
        token,
        _dir: dir,
        state,
    }
}

fn nations() -> Value {
    let now = chrono::Utc::now();
    let mut events = vec![
        json!({"type": "exercise_updated", "name": "Bench", "startex": (now - chrono::Duration::days(2)).to_rfc3339(), "endex": (now + chrono::Duration::days(3)).to_rfc3339()}),
        json!({"type": "phase_changed", "phase": "execution"}),
    ];
    for index in 0..32 {
        let code = format!("N{index:02}");
        events.push(json!({"type": "nation_joined", "code": code, "name": format!("Nation {index}"), "kind": "ally", "participants": 30, "teams": 3}));
    }
    Value::Array(events)
}

async fn post(client: &reqwest::Client, url: &str, token: &str, body: &Value) {
    let reply = client
        .post(format!("{url}/api/v1/events"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("post");
    assert_eq!(
        reply.status(),
        201,
        "{}",
        reply.text().await.unwrap_or_default()
    );
}

/// `posters` tasks each posting `requests` bodies of `batch` events; returns events/s.
async fn load(posters: usize, requests: usize, batch: usize) -> (f64, Duration) {
    let target = start().await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..posters)
        .map(|poster| {
            let client = reqwest::Client::new();
            let (url, token) = (target.url.clone(), target.token.clone());
            tokio::spawn(async move {
                for request in 0..requests {
                    let events: Vec<Value> = (0..batch)
                        .map(|index| {
                            let status = ["online", "degraded", "offline"][(request + index) % 3];
                            json!({"type": "nation_status", "code": format!("N{:02}", (poster + index) % 32), "status": status})
                        })
                        .collect();
                    let body = if batch == 1 { events[0].clone() } else { Value::Array(events) };
                    post(&client, &url, &token, &body).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("poster");
    }
    let elapsed = started.elapsed();
    target.state.shutdown().await;
    (
        (posters * requests * batch) as f64 / elapsed.as_secs_f64(),
        elapsed,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("durable ingest (WAL, synchronous=FULL), loopback HTTP, in-process server:");
    for (posters, requests, batch) in [
        (1, 1000, 1),
        (8, 250, 1),
        (32, 100, 1),
        (64, 50, 1),
        (1, 100, 100),
        (4, 50, 100),
    ] {
        let (rate, elapsed) = load(posters, requests, batch).await;
        println!(
            "  {posters:>2} posters × {requests:>3} requests × {batch:>3} events: {rate:>8.0} events/s ({:.2} s)",
            elapsed.as_secs_f64()
        );
    }
    snapshot_sizes().await;
}

async fn snapshot_sizes() {
    let target = start().await;
    let client = reqwest::Client::new();
    let categories = [
        "ransomware",
        "ddos",
        "phishing",
        "data_exfiltration",
        "disinformation",
    ];
    for index in 0..150 {
        let id = format!("CC-{index:03}");
        let nations: Vec<String> = (0..3)
            .map(|n| format!("N{:02}", (index + n * 7) % 32))
            .collect();
        let visibility = if index % 3 == 0 {
            "restricted"
        } else {
            "public"
        };
        let mut events = vec![
            json!({"type": "incident_opened", "id": id, "title": format!("Scripted incident number {index} against a national network"),
                   "category": categories[index % 5], "severity": "high", "nations": nations, "team": "Blue team 4",
                   "summary": "Defenders detected hostile activity on a government network and are investigating it.",
                   "detail": "Restricted: indicators of compromise, attacker infrastructure and the defenders' plan, about two hundred characters of text in all.",
                   "visibility": visibility, "inject": {"id": format!("INJ-{index:03}"), "planned_at": null}}),
            json!({"type": "incident_updated", "id": id, "status": "reported", "note": "Reported to the national CERT"}),
            json!({"type": "incident_updated", "id": id, "status": "analysing", "note": "Malware sample under analysis"}),
        ];
        for code in &nations {
            events.push(
                json!({"type": "nation_response", "id": id, "code": code, "milestone": "detected"}),
            );
            events.push(
                json!({"type": "nation_response", "id": id, "code": code, "milestone": "reported"}),
            );
        }
        post(&client, &target.url, &target.token, &Value::Array(events)).await;
    }
    for (audience, token) in [("public", None), ("commander/control", Some(&target.token))] {
        let mut request = client.get(format!("{}/api/v1/snapshot", target.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let bytes = request
            .send()
            .await
            .expect("snapshot")
            .bytes()
            .await
            .expect("body")
            .len();
        println!(
            "snapshot, 32 nations + 150 incidents (a third restricted), {audience}: {bytes} bytes"
        );
    }
    let demo_dir = tempfile::tempdir().expect("dir");
    let mut config = Config::new(demo_dir.path());
    config.scenario = Some(watchfloor_server::demo_scenario());
    let demo = AppState::start(config).await.expect("demo");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let router = app(demo.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let seq: Value = reqwest::get(format!("{url}/healthz"))
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    let token = create_token(demo_dir.path(), Role::Commander, "bench")
        .expect("token")
        .1;
    for (audience, token) in [("public", None), ("commander/control", Some(token))] {
        let mut request = client.get(format!("{url}/api/v1/snapshot"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let bytes = request
            .send()
            .await
            .expect("snapshot")
            .bytes()
            .await
            .expect("body")
            .len();
        println!(
            "snapshot of the built-in demo as it starts ({} events), {audience}: {bytes} bytes (first read {:?})",
            seq["seq"],
            started.elapsed()
        );
    }
    let started = Instant::now();
    for _ in 0..200 {
        client
            .get(format!("{url}/api/v1/snapshot"))
            .send()
            .await
            .expect("snapshot")
            .bytes()
            .await
            .expect("body");
    }
    println!(
        "cached public demo snapshot: {:?} per request (sequential, loopback)",
        started.elapsed() / 200
    );
}
