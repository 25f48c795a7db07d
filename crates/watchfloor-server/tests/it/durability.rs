//! Accepted events are never lost, duplicated or reordered: concurrent
//! posters, restarts, and a server killed with SIGKILL mid-stream of posts.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use watchfloor_server::{create_token, Role};

use crate::support::{exercise, observed, EventStream, Process, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_posters_get_strictly_increasing_unique_seqs_and_nothing_is_lost() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    let base = server.append(exercise()).await.len() as u64;
    let (tasks, each) = (8, 50);
    let posters: Vec<_> =
        (0..tasks)
            .map(|task| {
                let client = reqwest::Client::new();
                let url = url.clone();
                let token = server.control.clone();
                tokio::spawn(async move {
                    let mut seqs = Vec::new();
                    for index in 0..each {
                        let reply = client
                        .post(format!("{url}/api/v1/events"))
                        .bearer_auth(&token)
                        .json(&json!({"type": "incident_opened", "id": format!("C-{task}-{index}"),
                                      "title": "t", "category": "ddos", "severity": "low"}))
                        .send()
                        .await
                        .expect("post");
                        assert_eq!(reply.status(), 201);
                        let body: Value = reply.json().await.expect("json");
                        seqs.push(body["seq"][0].as_u64().expect("seq"));
                    }
                    seqs
                })
            })
            .collect();
    let mut all = Vec::new();
    for poster in posters {
        let seqs = poster.await.expect("poster");
        assert!(
            seqs.windows(2).all(|pair| pair[0] < pair[1]),
            "each poster's seqs increase: {seqs:?}"
        );
        all.extend(seqs);
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (base + 1..=base + tasks * each).collect::<Vec<_>>(),
        "unique, no gaps"
    );
    assert_eq!(server.seq().await, base + tasks * each);
    let incidents = server
        .get("/api/v1/incidents")
        .by(server.control())
        .send()
        .await
        .json();
    assert_eq!(
        incidents.as_array().map(Vec::len),
        Some(3 + (tasks * each) as usize)
    );
}

#[tokio::test]
async fn a_restart_rebuilds_the_same_state_from_the_log() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    server
        .append(json!({"type": "phase_changed", "phase": "paused"}))
        .await;
    let before = observed(&server).await;
    let exercise_before = server.get("/api/v1/exercise").send().await.json();
    let server = TestServer::on(server.stop().await, |_| {}).await;
    assert_eq!(observed(&server).await, before);
    let exercise_after = server.get("/api/v1/exercise").send().await.json();
    assert_eq!(exercise_after["paused_at"], exercise_before["paused_at"]);
    assert_eq!(
        server
            .append(json!({"type": "phase_changed", "phase": "execution"}))
            .await,
        [13]
    );
}

#[tokio::test]
async fn the_live_state_stays_the_fold_of_the_log_through_refusals_and_batches() {
    // The writer reuses a spare copy of the state between commits instead of
    // copying it for every group; any drift between the state it serves and
    // the log would show here as a difference after a restart.
    let server = TestServer::start().await;
    server.append(exercise()).await;
    for round in 0..20 {
        let id = format!("SPARE-{round}");
        let status = ["online", "degraded"][round % 2];
        server
            .append(
                json!({"type": "incident_opened", "id": id, "title": "Spare check",
                           "category": "ddos", "severity": "low", "nations": ["EST"],
                           "visibility": if round % 2 == 0 { "public" } else { "restricted" }}),
            )
            .await;
        let refused = server
            .post(
                "/api/v1/events",
                json!({"type": "incident_updated", "id": "NOPE", "status": "resolved"}),
            )
            .by(server.control())
            .send()
            .await;
        assert_eq!(refused.status, 422);
        let half_refused_batch = server
            .post(
                "/api/v1/events",
                json!([{"type": "incident_updated", "id": id, "status": "analysing"},
                       {"type": "incident_updated", "id": id, "status": "detected"}]),
            )
            .by(server.control())
            .send()
            .await;
        assert_eq!(half_refused_batch.status, 422, "a status cannot go back");
        server
            .append(json!([{"type": "incident_updated", "id": id, "status": "analysing", "note": "batch"},
                           {"type": "nation_response", "id": id, "code": "EST", "milestone": "detected"}]))
            .await;
        server
            .append(json!({"type": "nation_status", "code": "FIN", "status": status}))
            .await;
    }
    let live = observed(&server).await;
    let server = TestServer::on(server.stop().await, |_| {}).await;
    assert_eq!(observed(&server).await, live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_right_after_acknowledging_keeps_every_acknowledged_event() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = create_token(dir.path(), Role::Control, "killer")
        .expect("token")
        .1;
    let process = Process::start(dir.path());
    let client = reqwest::Client::new();
    let post = {
        let (client, token) = (client.clone(), token.clone());
        move |url: String, body: Value| {
            let request = client
                .post(format!("{url}/api/v1/events"))
                .bearer_auth(&token)
                .json(&body);
            async move { request.send().await }
        }
    };
    let reply = post(process.url.clone(), exercise()).await.expect("setup");
    assert_eq!(reply.status(), 201);

    // Posters run flat out; the moment the 60th acknowledgement arrives the
    // server is killed, with more posts in flight.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let (enough, reached) = tokio::sync::oneshot::channel::<()>();
    let enough = Arc::new(Mutex::new(Some(enough)));
    let posters: Vec<_> = (0..4)
        .map(|task| {
            let request = post.clone();
            let url = process.url.clone();
            let acknowledged = acknowledged.clone();
            let enough = enough.clone();
            tokio::spawn(async move {
                for index in 0.. {
                    let id = format!("K-{task}-{index}");
                    let body = json!({"type": "incident_opened", "id": id, "title": "t", "category": "ddos", "severity": "low"});
                    match request(url.clone(), body).await {
                        Ok(reply) if reply.status() == 201 => {
                            let mut acknowledged = acknowledged.lock().expect("lock");
                            acknowledged.push(id);
                            if acknowledged.len() >= 60 {
                                if let Some(enough) = enough.lock().expect("lock").take() {
                                    let _ = enough.send(());
                                }
                            }
                        }
                        _ => return,
                    }
                }
            })
        })
        .collect();
    reached.await.expect("60 acknowledgements");
    process.kill();
    for poster in posters {
        poster.await.expect("poster");
    }
    let acknowledged: BTreeSet<String> =
        acknowledged.lock().expect("lock").iter().cloned().collect();
    assert!(acknowledged.len() >= 60);

    let process = Process::start(dir.path());
    let incidents: Value = client
        .get(format!("{}/api/v1/incidents", process.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("incidents")
        .json()
        .await
        .expect("json");
    let ids: Vec<String> = incidents
        .as_array()
        .expect("list")
        .iter()
        .map(|incident| incident["id"].as_str().expect("id").to_owned())
        .filter(|id| id.starts_with("K-"))
        .collect();
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "no duplicates");
    let missing: Vec<_> = acknowledged.difference(&unique).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    // The log itself is whole: seqs 1..=N, each once, in order.
    let snapshot: Value = client
        .get(format!("{}/api/v1/snapshot", process.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("snapshot")
        .json()
        .await
        .expect("json");
    let head = snapshot["seq"].as_u64().expect("seq");
    assert_eq!(head, 11 + ids.len() as u64);
    let mut stream = EventStream::open(
        &format!("{}/api/v1/stream?after=0", process.url),
        crate::support::Who::Bearer(token.clone()),
        &[],
    )
    .await;
    let seqs: Vec<u64> = stream.until(head).await.iter().map(|m| m.seq()).collect();
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>());
    // And it goes on appending after them.
    let reply = post(
        process.url.clone(),
        json!({"type": "phase_changed", "phase": "paused"}),
    )
    .await
    .expect("post");
    let body: Value = reply.json().await.expect("json");
    assert_eq!(body["seq"], json!([head + 1]));
}
