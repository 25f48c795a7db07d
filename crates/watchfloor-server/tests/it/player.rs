//! The scenario player: the past at once, the future live, restarts resume
//! without duplicates, and a script that does not fit is refused.

use std::time::Duration;

use serde_json::{json, Value};
use watchfloor_model::scenario::Scenario;

use crate::support::{self, eventually, TestServer};

/// A day-long script joined 10 h in, played at an hour a second: entries up
/// to 10h are due at start, 11h one second later, 20h ten seconds later.
fn scenario() -> Scenario {
    Scenario::parse(
        &json!({"name": "Player test", "duration": "1d", "start_at": "10h", "entries": [
            {"at": "0s", "type": "exercise_updated", "edition": "T", "organiser": "Test cell"},
            {"at": "0s", "type": "phase_changed", "phase": "execution"},
            {"at": "1h", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally", "participants": 10, "teams": 2},
            {"at": "9h", "type": "incident_opened", "id": "S-1", "title": "Scripted", "category": "ransomware", "severity": "high", "nations": ["EST"], "visibility": "public"},
            {"at": "11h", "type": "incident_updated", "id": "S-1", "status": "analysing"},
            {"at": "20h", "type": "incident_updated", "id": "S-1", "status": "contained"},
            {"at": "1d", "type": "phase_changed", "phase": "endex"}
        ]})
        .to_string(),
    )
    .expect("scenario")
}

fn with_scenario(config: &mut watchfloor_server::Config) {
    config.scenario = Some(scenario());
    config.speed = 3600.0;
}

async fn incident_status(server: &TestServer) -> Value {
    server.get("/api/v1/incidents/S-1").send().await.json()["status"].clone()
}

#[tokio::test]
async fn the_past_is_played_at_once_and_the_rest_live_then_a_restart_resumes() {
    let server = TestServer::with(with_scenario).await;
    // The opening exercise_updated plus four entries up to 10h.
    assert_eq!(
        server.seq().await,
        5,
        "everything before the jump-in point, at once"
    );
    let exercise = server.get("/api/v1/exercise").send().await.json();
    assert_eq!(
        (exercise["name"].as_str(), exercise["phase"].as_str()),
        (Some("Player test"), Some("execution"))
    );
    assert_eq!(exercise["speed"], 3600.0);
    let incident = server.get("/api/v1/incidents/S-1").send().await.json();
    let opened: chrono::DateTime<chrono::Utc> = incident["opened_at"]
        .as_str()
        .expect("time")
        .parse()
        .expect("time");
    let late = chrono::Utc::now() - opened;
    assert!(
        late > chrono::Duration::milliseconds(500),
        "placed at its scheduled (past) time: {late}"
    );
    assert_eq!(incident_status(&server).await, "detected");
    // 11h falls due a second later and is played live.
    eventually("the 11h entry plays", || async { server.seq().await == 6 }).await;
    assert_eq!(incident_status(&server).await, "analysing");

    // Restart: nothing replayed twice.
    let server = TestServer::on(server.stop().await, with_scenario).await;
    assert_eq!(server.seq().await, 6);
    let incidents = server.get("/api/v1/incidents").send().await.json();
    assert_eq!(incidents.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn entries_due_while_the_server_was_down_are_played_on_start() {
    let server = TestServer::with(with_scenario).await;
    assert_eq!(server.seq().await, 5);
    let dir = server.stop().await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let server = TestServer::on(dir, with_scenario).await;
    assert_eq!(
        server.seq().await,
        6,
        "the 11h entry, due while down, is played at once"
    );
    assert_eq!(incident_status(&server).await, "analysing");
}

#[tokio::test]
async fn a_data_dir_that_played_another_scenario_is_refused() {
    let server = TestServer::with(with_scenario).await;
    let dir = server.stop().await;
    let mut config = support::config(dir.path()).await;
    let mut other = scenario();
    other.name = "Another script".into();
    config.scenario = Some(other);
    let error = watchfloor_server::AppState::start(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("another scenario"), "{error}");
}

#[tokio::test]
async fn a_scenario_with_problems_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = watchfloor_server::Config::new(dir.path());
    let mut broken = scenario();
    broken.entries.remove(2); // EST never joins
    config.scenario = Some(broken);
    let error = watchfloor_server::AppState::start(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("entry 2"), "{error}");
}

#[tokio::test]
async fn the_built_in_demo_starts_part_way_and_full() {
    let server =
        TestServer::with(|config| config.scenario = Some(watchfloor_server::demo_scenario())).await;
    let snapshot = server
        .get("/api/v1/snapshot")
        .by(server.commander())
        .send()
        .await
        .json();
    assert!(snapshot["seq"].as_u64().expect("seq") > 1);
    assert!(!snapshot["nations"].as_array().expect("nations").is_empty());
    assert!(snapshot["exercise"]["day"].as_u64().expect("day") >= 1);
}
