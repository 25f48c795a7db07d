//! The public's own sequence: a public reader cannot tell how much
//! restricted activity happened, or when, from any seq it sees — the
//! snapshot's `seq`, the stream's ids and resume points, an incident's
//! timeline entries. Two servers, one with restricted events between the
//! public ones and one without, look the same to the public.

use serde_json::{json, Value};

use crate::support::{exercise, EventStream, TestServer, Who};

/// The fixture without the restricted incident's events.
fn public_only() -> Value {
    let events = exercise()
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["id"] != "RES-1")
        .cloned()
        .collect();
    Value::Array(events)
}

fn restricted_burst() -> Value {
    json!([
        {"type": "incident_updated", "id": "RES-1", "severity": "high", "note": "Burst 1"},
        {"type": "incident_updated", "id": "RES-1", "status": "analysing", "note": "Burst 2"},
        {"type": "nation_response", "id": "RES-1", "code": "FIN", "milestone": "detected"},
        {"type": "incident_opened", "id": "RES-2", "title": "Another restricted one", "category": "ddos",
         "severity": "low", "nations": ["EST"]},
    ])
}

fn public_update() -> Value {
    json!({"type": "incident_updated", "id": "PUB-2", "status": "reported", "note": "Public note"})
}

/// What a public reader sees of seqs: the snapshot's, each incident's
/// timeline's, and the stream's ids with their event types.
async fn public_seqs(server: &mut TestServer, after: u64) -> Value {
    let url = server.listen().await;
    let snapshot = server.get("/api/v1/snapshot").send().await.json();
    let timelines: Vec<Value> = snapshot["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|incident| {
            json!({
                "id": incident["id"],
                "timeline": incident["timeline"].as_array().expect("timeline").iter()
                    .map(|entry| entry["seq"].clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let one = server.get("/api/v1/incidents/PUB-1").send().await.json();
    let head = snapshot["seq"].as_u64().expect("seq");
    let mut stream = EventStream::open(
        &format!("{url}/api/v1/stream?after={after}"),
        Who::Public,
        &[],
    )
    .await;
    let streamed: Vec<Value> = stream
        .until(head)
        .await
        .iter()
        .map(|message| json!([message.seq(), message.event, message.json()["seq"]]))
        .collect();
    json!({
        "seq": snapshot["seq"],
        "timelines": timelines,
        "one": one["timeline"].as_array().expect("timeline").iter()
            .map(|entry| entry["seq"].clone()).collect::<Vec<_>>(),
        "streamed": streamed,
    })
}

#[tokio::test]
async fn restricted_activity_leaves_no_trace_in_the_public_sequence() {
    let mut busy = TestServer::start().await;
    let live_seqs = busy.append(exercise()).await;
    busy.append(restricted_burst()).await;
    let last = busy.append(public_update()).await;
    assert_eq!(last, [16], "11 + 4 restricted + 1 in the live sequence");

    let mut quiet = TestServer::start().await;
    quiet.append(public_only()).await;
    quiet.append(public_update()).await;

    let seen_busy = public_seqs(&mut busy, 0).await;
    let seen_quiet = public_seqs(&mut quiet, 0).await;
    assert_eq!(seen_busy, seen_quiet, "the public sees the same seqs");
    assert_eq!(
        seen_busy["seq"], 10,
        "9 public events in the fixture, then one"
    );
    let streamed = seen_busy["streamed"].as_array().expect("streamed");
    for (index, message) in streamed.iter().enumerate() {
        assert_eq!(message[0], index as u64 + 1, "dense ids: {streamed:?}");
        assert_eq!(message[0], message[2], "the event's own seq is its id");
    }
    // Resuming in the public sequence, by `?after=` and by `Last-Event-ID`.
    assert_eq!(
        public_seqs(&mut busy, 7).await["streamed"],
        public_seqs(&mut quiet, 7).await["streamed"]
    );
    let url = busy.listen().await;
    let mut resumed = EventStream::open(
        &format!("{url}/api/v1/stream"),
        Who::Public,
        &[("last-event-id", "9")],
    )
    .await;
    let next = resumed.next().await.expect("event");
    assert_eq!(
        (next.seq(), next.json()["id"].clone()),
        (10, json!("PUB-2"))
    );

    // Readers who see everything keep the live sequence.
    let full = busy
        .get("/api/v1/snapshot")
        .by(busy.commander())
        .send()
        .await
        .json();
    assert_eq!(full["seq"], 16);
    assert_eq!(live_seqs.len(), 11);
}

#[tokio::test]
async fn the_public_sequence_survives_a_restart() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    server.append(restricted_burst()).await;
    server.append(public_update()).await;
    let before = server.get("/api/v1/snapshot").send().await.json();
    let dir = server.stop().await;
    let mut restarted = TestServer::on(dir, |_| {}).await;
    let after = restarted.get("/api/v1/snapshot").send().await.json();
    assert_eq!(before["seq"], 10);
    assert_eq!(after["seq"], before["seq"]);
    assert_eq!(after["incidents"], before["incidents"]);
    // A reader that resumes after the restart carries on in the same sequence.
    restarted
        .append(json!({"type": "nation_status", "code": "EST", "status": "degraded"}))
        .await;
    let url = restarted.listen().await;
    let mut stream =
        EventStream::open(&format!("{url}/api/v1/stream?after=10"), Who::Public, &[]).await;
    assert_eq!(stream.next().await.expect("event").seq(), 11);
}
