//! `--public-delay`: public readers see public events only once they are old
//! enough, in the snapshot and the stream alike; commanders see them at once.

use std::time::Duration;

use serde_json::json;

use crate::support::{eventually, exercise, EventStream, TestServer, Who};

#[tokio::test]
async fn a_fresh_public_event_is_held_back_from_the_public_only() {
    let mut server = TestServer::with(|config| {
        config.public_delay = chrono::Duration::seconds(1);
        config.embargo_tick = Duration::from_millis(20);
    })
    .await;
    let url = server.listen().await;
    let mut public_stream =
        EventStream::open(&format!("{url}/api/v1/stream?after=0"), Who::Public, &[]).await;
    let mut commander_stream = EventStream::open(
        &format!("{url}/api/v1/stream?after=0"),
        server.commander(),
        &[],
    )
    .await;
    let posted = std::time::Instant::now();
    server.append(exercise()).await;

    // The commander has it all at once.
    assert_eq!(commander_stream.until(11).await.len(), 11);
    let commander = server
        .get("/api/v1/incidents/PUB-2")
        .by(server.commander())
        .send()
        .await;
    assert_eq!(commander.status, 200);
    // The public does not, yet.
    let public = server.get("/api/v1/snapshot").send().await.json();
    assert_eq!(
        (public["seq"].as_u64(), public["public_delay_s"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(public["incidents"], json!([]));
    assert_eq!(
        server.get("/api/v1/incidents/PUB-2").send().await.status,
        404
    );
    assert!(
        public_stream
            .next_within(Duration::from_millis(300))
            .await
            .is_err(),
        "nothing streamed yet"
    );

    // A second later it is released, to the snapshot and the stream.
    let first = public_stream.next().await.expect("released");
    assert!(
        posted.elapsed() >= Duration::from_millis(950),
        "released after {:?}",
        posted.elapsed()
    );
    assert_eq!(first.seq(), 1);
    eventually("the public snapshot catches up", || async {
        server.get("/api/v1/snapshot").send().await.json()["seq"] == 9
    })
    .await;
    assert_eq!(
        server.get("/api/v1/incidents/PUB-2").send().await.status,
        200
    );
    // The public sequence: the 9 public events of the fixture, no gaps.
    let rest = public_stream.until(9).await;
    assert_eq!(
        rest.iter().map(|m| m.seq()).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6, 7, 8, 9]
    );
}
