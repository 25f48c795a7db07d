//! Control's hold on the script: the MSEL read back, fire now, skip, hold
//! and resume — each an event in the log with who did it, kept across a
//! restart, obeyed by the player, and none of it public.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use watchfloor_model::scenario::Scenario;
use watchfloor_server::{Clock, Config};

use crate::support::{check_error, eventually, TestServer, Who};

/// A day-long script joined 10 h in, played at an hour a second on a manual
/// clock: entries 0–3 are due at start, entry 4 (11h) one second later,
/// entry 5 (12h) two, entry 6 (20h) ten, ENDEX (1d) fourteen.
fn scenario() -> Scenario {
    Scenario::parse(
        &json!({"name": "MSEL test", "duration": "1d", "start_at": "10h", "entries": [
            {"at": "0s", "type": "phase_changed", "phase": "execution"},
            {"at": "1h", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"},
            {"at": "9h", "type": "incident_opened", "id": "S-1", "title": "Scripted", "category": "ransomware", "severity": "high", "nations": ["EST"], "visibility": "public"},
            {"at": "9h", "type": "incident_opened", "id": "R-1", "title": "Restricted", "category": "phishing", "severity": "low", "nations": ["EST"]},
            {"at": "11h", "type": "incident_updated", "id": "S-1", "status": "analysing"},
            {"at": "12h", "type": "incident_opened", "id": "S-2", "title": "Second", "category": "ddos", "severity": "medium", "nations": ["EST"], "visibility": "public"},
            {"at": "20h", "type": "incident_updated", "id": "S-1", "status": "contained"},
            {"at": "1d", "type": "phase_changed", "phase": "endex"}
        ]})
        .to_string(),
    )
    .expect("scenario")
}

fn start() -> DateTime<Utc> {
    "2026-11-23T12:00:00Z".parse().expect("time")
}

fn scripted(clock: Clock) -> impl FnOnce(&mut Config) {
    move |config| {
        config.scenario = Some(scenario());
        config.speed = 3600.0;
        config.clock = clock;
    }
}

/// The log as control reads it.
async fn log(server: &TestServer) -> Vec<Value> {
    server
        .get("/api/v1/events?limit=10000")
        .by(server.control())
        .send()
        .await
        .json()["events"]
        .as_array()
        .expect("events")
        .clone()
}

async fn script(server: &TestServer) -> Value {
    let reply = server
        .get("/api/v1/scenario")
        .by(server.control())
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

async fn act(server: &TestServer, path: &str, body: Option<Value>) -> crate::support::Reply {
    let call = match body {
        Some(body) => server.post(path, body),
        None => server.post_raw(path, "application/json", ""),
    };
    call.by(server.control()).send().await
}

#[tokio::test]
async fn control_reads_the_script_as_planned_and_as_it_stands_and_no_one_else_does() {
    let clock = Clock::manual(start());
    let server = TestServer::with(scripted(clock)).await;
    let view = script(&server).await;
    assert_eq!(view["name"], "MSEL test");
    assert_eq!(view["speed"], 3600.0);
    let entries = view["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 8);
    assert_eq!(
        (
            entries[4]["index"].as_u64(),
            entries[4]["offset"].as_str(),
            entries[4]["type"].as_str()
        ),
        (Some(4), Some("11h"), Some("incident_updated"))
    );
    // Joined at 10h: entry 4 (11h) is due one wall second after now.
    let due: DateTime<Utc> = entries[4]["due"]
        .as_str()
        .expect("due")
        .parse()
        .expect("time");
    assert_eq!(due - start(), chrono::Duration::seconds(1));
    let exercise: DateTime<Utc> = entries[4]["exercise_time"]
        .as_str()
        .expect("time")
        .parse()
        .expect("time");
    let startex: DateTime<Utc> = view["startex"]
        .as_str()
        .expect("startex")
        .parse()
        .expect("time");
    assert_eq!(exercise - startex, chrono::Duration::hours(11));
    assert_eq!(
        view["script"]["done"],
        json!([[0, 4]]),
        "entries 0-3 played at start"
    );
    assert_eq!(view["seq"], 5);

    for path in ["/api/v1/scenario"] {
        check_error(
            &server.get(path).by(server.commander()).send().await,
            403,
            "forbidden",
            None,
        );
        check_error(&server.get(path).send().await, 401, "unauthorized", None);
    }
    for path in [
        "/api/v1/scenario/entries/4/fire",
        "/api/v1/scenario/entries/4/skip",
        "/api/v1/scenario/hold",
        "/api/v1/scenario/resume",
    ] {
        let commander = server
            .post(path, json!({}))
            .by(server.commander())
            .send()
            .await;
        check_error(&commander, 403, "forbidden", None);
        check_error(
            &server.post(path, json!({})).by(Who::Public).send().await,
            401,
            "unauthorized",
            None,
        );
    }
    assert_eq!(server.seq().await, 5, "nothing they tried was appended");
    // The snapshot's script is control's and the commanders', never the public's.
    let commander = server
        .get("/api/v1/snapshot")
        .by(server.commander())
        .send()
        .await
        .json();
    assert_eq!(commander["script"]["done"], json!([[0, 4]]));
    let public = server.get("/api/v1/snapshot").send().await.json();
    assert!(public.get("script").is_none(), "{public}");

    let plain = TestServer::start().await;
    check_error(
        &plain
            .get("/api/v1/scenario")
            .by(plain.control())
            .send()
            .await,
        404,
        "not_found",
        None,
    );
    check_error(
        &act(&plain, "/api/v1/scenario/hold", None).await,
        404,
        "not_found",
        None,
    );
}

#[tokio::test]
async fn an_entry_fired_by_hand_plays_once_with_who_fired_it_and_the_player_passes_over_it() {
    let clock = Clock::manual(start());
    let server = TestServer::with(scripted(clock.clone())).await;
    // Entry 6 (20h) fired now, out of turn.
    let fired = act(&server, "/api/v1/scenario/entries/6/fire", None).await;
    assert_eq!(fired.status, 201, "{}", fired.text);
    assert_eq!(fired.json()["seq"], json!([6]));
    let incident = server
        .get("/api/v1/incidents/S-1")
        .by(server.control())
        .send()
        .await
        .json();
    assert_eq!(incident["status"], "contained");
    let again = act(&server, "/api/v1/scenario/entries/6/fire", None).await;
    check_error(&again, 409, "entry_handled", Some("entry"));
    check_error(
        &act(&server, "/api/v1/scenario/entries/2/fire", None).await,
        409,
        "entry_handled",
        Some("entry"),
    );
    check_error(
        &act(&server, "/api/v1/scenario/entries/8/fire", None).await,
        404,
        "not_found",
        None,
    );
    check_error(
        &act(&server, "/api/v1/scenario/entries/-1/fire", None).await,
        404,
        "not_found",
        None,
    );
    let view = script(&server).await;
    assert_eq!(view["script"]["handled"]["6"]["skipped"], false);
    assert_eq!(view["script"]["handled"]["6"]["by"], "control");

    // The clock runs past 20h: entries 4 and 5 play, 6 does not play again.
    clock.advance(chrono::Duration::seconds(11));
    eventually("entries 4 and 5 play", || async { server.seq().await == 8 }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.seq().await, 8, "entry 6 is not played twice");
    let events = log(&server).await;
    let entries: Vec<(u64, Option<u64>, Option<&str>)> = events
        .iter()
        .map(|event| {
            (
                event["seq"].as_u64().unwrap(),
                event["entry"].as_u64(),
                event["by"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        entries[4..],
        [
            (5, Some(3), None),
            (6, Some(6), Some("control")),
            (7, Some(4), None),
            (8, Some(5), None)
        ],
        "each event carries its entry, and the hand-fired one who fired it"
    );
    let view = script(&server).await;
    assert_eq!(view["script"]["done"], json!([[0, 7]]));

    // Restart: the record is the log's.
    let server = TestServer::on(server.stop().await, scripted(clock.clone())).await;
    assert_eq!(script(&server).await["script"], view["script"]);
    clock.advance(chrono::Duration::seconds(4));
    eventually("ENDEX plays", || async { server.seq().await == 9 }).await;
    let exercise = server.get("/api/v1/exercise").send().await.json();
    assert_eq!(exercise["phase"], "endex");
}

#[tokio::test]
async fn a_held_player_plays_nothing_until_resumed_across_a_restart_and_skipped_entries_never() {
    let clock = Clock::manual(start());
    let server = TestServer::with(scripted(clock.clone())).await;
    let skipped = act(
        &server,
        "/api/v1/scenario/entries/4/skip",
        Some(json!({"note": "S-1 handled live"})),
    )
    .await;
    assert_eq!(skipped.status, 201, "{}", skipped.text);
    let held = act(
        &server,
        "/api/v1/scenario/hold",
        Some(json!({"reason": "VIP visit"})),
    )
    .await;
    assert_eq!(held.status, 201, "{}", held.text);
    check_error(
        &act(&server, "/api/v1/scenario/hold", None).await,
        409,
        "already_held",
        Some("type"),
    );
    check_error(
        &act(&server, "/api/v1/scenario/hold", Some(json!({"reason": 5}))).await,
        422,
        "invalid_value",
        Some("reason"),
    );
    check_error(
        &act(
            &server,
            "/api/v1/scenario/entries/5/skip",
            Some(json!({"why": "?"})),
        )
        .await,
        422,
        "unknown_field",
        Some("why"),
    );
    let view = script(&server).await;
    assert_eq!(view["script"]["held"]["reason"], "VIP visit");
    assert_eq!(view["script"]["held"]["by"], "control");
    assert_eq!(view["script"]["handled"]["4"]["note"], "S-1 handled live");
    assert_eq!(view["script"]["handled"]["4"]["skipped"], true);

    // Past 12h and 20h while held: nothing plays, not even after a restart.
    clock.advance(chrono::Duration::seconds(11));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.seq().await, 7, "held");
    let server = TestServer::on(server.stop().await, scripted(clock.clone())).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.seq().await, 7, "still held after a restart");

    let resumed = act(&server, "/api/v1/scenario/resume", None).await;
    assert_eq!(resumed.status, 201, "{}", resumed.text);
    check_error(
        &act(&server, "/api/v1/scenario/resume", None).await,
        409,
        "not_held",
        Some("type"),
    );
    // What fell due while held plays at once; the skipped entry never.
    eventually("entries 5 and 6 play", || async {
        server.seq().await == 10
    })
    .await;
    let events = log(&server).await;
    let kinds: Vec<(&str, Option<u64>)> = events[5..]
        .iter()
        .map(|event| (event["type"].as_str().unwrap(), event["entry"].as_u64()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("scenario_skipped", Some(4)),
            ("scenario_held", None),
            ("scenario_resumed", None),
            ("incident_opened", Some(5)),
            ("incident_updated", Some(6)),
        ]
    );
    let incident = server
        .get("/api/v1/incidents/S-1")
        .by(server.control())
        .send()
        .await
        .json();
    assert_eq!(incident["status"], "contained", "4 (analysing) was skipped");

    // None of it reaches the public, nor who did what.
    let public = server.get("/api/v1/events?limit=10000").send().await.text;
    for hidden in [
        "scenario_",
        "VIP visit",
        "handled live",
        "\"by\"",
        "\"entry\"",
    ] {
        assert!(!public.contains(hidden), "{hidden} in {public}");
    }
}

#[tokio::test]
async fn an_entry_refused_when_due_is_recorded_as_skipped_with_the_reason() {
    let clock = Clock::manual(start());
    let server = TestServer::with(scripted(clock.clone())).await;
    // Control opens S-2 by hand first: the script's S-2 (entry 5) will clash.
    server
        .append(json!({"type": "incident_opened", "id": "S-2", "title": "By hand", "category": "ddos", "severity": "low", "nations": ["EST"]}))
        .await;
    clock.advance(chrono::Duration::seconds(3));
    eventually("entries 4 and 5 are handled", || async {
        script(&server).await["script"]["done"] == json!([[0, 6]])
    })
    .await;
    let view = script(&server).await;
    let handled = &view["script"]["handled"]["5"];
    assert_eq!(handled["skipped"], true);
    assert!(handled.get("by").is_none(), "the player did it: {handled}");
    assert!(
        handled["note"]
            .as_str()
            .is_some_and(|note| note.contains("S-2")),
        "{handled}"
    );
}

#[tokio::test]
async fn posted_events_record_their_poster_for_restricted_readers_only() {
    let server = TestServer::start().await;
    server.append(crate::support::exercise()).await;
    let refused = server
        .post(
            "/api/v1/events",
            json!({"type": "scenario_held", "reason": "x"}),
        )
        .by(server.control())
        .send()
        .await;
    check_error(&refused, 422, "scenario_control", Some("type"));
    let events = log(&server).await;
    assert!(
        events.iter().all(|event| event["by"] == "control"),
        "{events:?}"
    );
    let public = server.get("/api/v1/events?limit=10000").send().await.json();
    let public = public["events"].as_array().expect("events");
    assert!(!public.is_empty());
    assert!(
        public.iter().all(|event| event.get("by").is_none()),
        "{public:?}"
    );
    // An incident's timeline says who, to commanders only.
    let commander = server
        .get("/api/v1/incidents/PUB-1")
        .by(server.commander())
        .send()
        .await
        .json();
    let timeline = commander["timeline"].as_array().expect("timeline");
    assert!(timeline.len() >= 2);
    assert!(
        timeline.iter().all(|entry| entry["by"] == "control"),
        "{timeline:?}"
    );
    let public = server.get("/api/v1/incidents/PUB-1").send().await.json();
    let timeline = public["timeline"].as_array().expect("timeline");
    assert!(!timeline.is_empty());
    assert!(
        timeline.iter().all(|entry| entry.get("by").is_none()),
        "{timeline:?}"
    );
}
