//! Nothing restricted ever reaches a public reader: not in the snapshot, the
//! incident list, one incident, a search, the stream, or any review read
//! (a past snapshot, the log read back, the CSV exports, the matrix).

use serde_json::json;

use crate::support::{exercise, EventStream, TestServer, Who, SECRET};

#[tokio::test]
async fn no_public_response_carries_restricted_text() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    // A public stream open while the events are posted, and one replaying them.
    let mut live =
        EventStream::open(&format!("{url}/api/v1/stream?after=0"), Who::Public, &[]).await;
    let seqs = server.append(exercise()).await;
    let mut replay =
        EventStream::open(&format!("{url}/api/v1/stream?after=0"), Who::Public, &[]).await;
    // Each stream ends its read at the last public event: the fixture's 11
    // events hold 9 the public may see, so public seq 9.
    let last_live = *seqs.last().expect("seqs");
    let last_public = 9;

    let public_paths = [
        "/api/v1/snapshot",
        "/api/v1/exercise",
        "/api/v1/nations",
        "/api/v1/incidents",
        "/api/v1/incidents?q=secret-marker",
        "/api/v1/incidents?q=implant",
        "/api/v1/incidents?severity=critical",
        "/api/v1/incidents/PUB-1",
        "/api/v1/incidents/RES-1",
        // After-action review.
        "/api/v1/snapshot?at=0",
        "/api/v1/snapshot?at=7",
        "/api/v1/snapshot?at=9",
        "/api/v1/snapshot?at=99",
        "/api/v1/snapshot?at=2000-01-01T00:00:00Z",
        "/api/v1/snapshot?at=2999-01-01T00:00:00Z",
        "/api/v1/events",
        "/api/v1/events?limit=2&after=5",
        "/api/v1/events?kind=incident_opened,incident_updated",
        "/api/v1/events?format=jsonl",
        "/api/v1/incidents?format=csv",
        "/api/v1/incidents?format=csv&q=implant",
        "/api/v1/incidents?at=99",
        "/api/v1/incidents/PUB-1?at=99",
        "/api/v1/incidents/RES-1?at=99",
        "/api/v1/review/matrix",
        "/api/v1/review/matrix?format=csv",
        "/api/v1/review/matrix?at=99&format=csv",
    ];
    for path in public_paths {
        let reply = server.get(path).send().await;
        assert!(!reply.text.contains(SECRET), "{path} leaks: {}", reply.text);
        assert!(
            !reply.text.contains("RES-1") || reply.status == 404,
            "{path} reveals RES-1: {}",
            reply.text
        );
        let lowered = server
            .get(&format!(
                "{path}{}audience=public",
                if path.contains('?') { '&' } else { '?' }
            ))
            .by(server.commander())
            .send()
            .await;
        assert!(
            !lowered.text.contains(SECRET),
            "{path}?audience=public leaks"
        );
    }
    assert_eq!(
        server.get("/api/v1/incidents/RES-1").send().await.status,
        404,
        "not 403: existence is not revealed"
    );
    assert_eq!(
        server
            .get("/api/v1/incidents?q=secret-marker")
            .send()
            .await
            .json(),
        json!([])
    );
    // The log read back: the public's dense sequence, nothing restricted.
    let page = server.get("/api/v1/events").send().await.json();
    let public_seqs: Vec<u64> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(public_seqs, (1..=last_public).collect::<Vec<_>>());
    assert_eq!(page["head"], last_public);
    assert!(page["events"]
        .as_array()
        .expect("events")
        .iter()
        .all(|event| event.get("detail").is_none()));

    for stream in [&mut live, &mut replay] {
        let messages = stream.until(last_public).await;
        let seqs: Vec<u64> = messages.iter().map(|m| m.seq()).collect();
        // The restricted incident's events (7 and 9) are dropped, and the
        // public sequence has no gap where they were: 8 is public 7 (without
        // its detail), 10 is 8 and 11 is 9.
        assert_eq!(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for message in &messages {
            assert!(
                !message.data.contains(SECRET),
                "stream leaks: {}",
                message.data
            );
            assert!(message.json().get("detail").is_none());
        }
    }

    // The commander sees it all.
    let commander = server
        .get("/api/v1/incidents/RES-1")
        .by(server.commander())
        .send()
        .await;
    assert!(commander.text.contains(SECRET));
    let mut full = EventStream::open(
        &format!("{url}/api/v1/stream?after=0"),
        server.commander(),
        &[],
    )
    .await;
    let all = full.until(last_live).await;
    assert_eq!(all.len(), 11);
    assert!(all.iter().any(|m| m.data.contains(SECRET)));
}

#[tokio::test]
async fn a_detail_only_update_leaves_no_public_trace() {
    let mut server = TestServer::start().await;
    let url = server.listen().await;
    server.append(exercise()).await;
    let mut public = EventStream::open(&format!("{url}/api/v1/stream"), Who::Public, &[]).await;
    server
        .append(
            json!({"type": "incident_updated", "id": "PUB-1", "detail": format!("new {SECRET}")}),
        )
        .await;
    let marker = server
        .append(json!({"type": "nation_status", "code": "EST", "status": "degraded"}))
        .await;
    let next = public.next().await.expect("an event");
    assert_eq!(next.event.as_deref(), Some("nation_status"));
    assert_eq!(
        next.seq(),
        10,
        "the detail-only update (seq {}) is not sent and leaves no gap: the public's 10th event is seq {}",
        marker[0] - 1,
        marker[0]
    );
}
