//! Several servers on one PostgreSQL log (the run with
//! `WATCHFLOOR_TEST_DATABASE_URL`; on SQLite these return at once, since a
//! data dir takes one server): one gapless sequence whichever server a
//! post reaches, each server following the others' appends, validation
//! against the whole log, sessions and revocations on every server.

use serde_json::{json, Value};
use watchfloor_model::scenario::Scenario;
use watchfloor_server::{create_token, revoke_token, Clock, Config, Role};

use crate::support::{
    check_error, eventually, exercise, on_postgres, EventStream, TestServer, Who,
};

/// The log as control reads it back from a server.
async fn log(server: &TestServer) -> Value {
    server
        .get("/api/v1/events?limit=1000")
        .by(server.control())
        .send()
        .await
        .json()["events"]
        .clone()
}

#[tokio::test]
async fn posts_on_either_server_make_one_log_that_both_follow_and_validate_against() {
    if !on_postgres() {
        return;
    }
    let first = TestServer::start().await;
    let second = first.beside().await;
    let opened = first.append(exercise()).await;
    let head = *opened.last().expect("seqs");
    // The second server hears of it (a notification, or its poll) and
    // validates against it: PUB-1 was opened on the first.
    eventually("the second server follows the first", || async {
        second.seq().await == head
    })
    .await;
    let update = json!({"type": "incident_updated", "id": "PUB-1", "status": "analysing"});
    assert_eq!(second.append(update).await, [head + 1]);
    // A status may not go backwards, whichever server is asked.
    let backwards = first
        .post(
            "/api/v1/events",
            json!({"type": "incident_updated", "id": "PUB-1", "status": "detected"}),
        )
        .by(first.control())
        .send()
        .await;
    check_error(&backwards, 422, "status_backwards", Some("status"));
    let unknown = second
        .post(
            "/api/v1/events",
            json!({"type": "incident_updated", "id": "NOPE-1", "status": "analysing"}),
        )
        .by(second.control())
        .send()
        .await;
    check_error(&unknown, 422, "unknown_incident", Some("id"));
    eventually("the first server follows the second", || async {
        first.seq().await == head + 1
    })
    .await;
    assert_eq!(log(&first).await, log(&second).await);
}

#[tokio::test]
async fn concurrent_posts_on_three_servers_get_distinct_gapless_seqs() {
    if !on_postgres() {
        return;
    }
    let first = TestServer::start().await;
    let servers = [first.beside().await, first.beside().await];
    let head = *first.append(exercise()).await.last().expect("seqs");
    let all = [&first, &servers[0], &servers[1]];
    let posts = (0..30).map(|n| {
        let server = all[n % 3];
        async move {
            let code = ["EST", "FIN", "UKR"][n % 3];
            let status = ["degraded", "online"][n % 2];
            server
                .append(json!({"type": "nation_status", "code": code, "status": status}))
                .await
        }
    });
    let mut seqs: Vec<u64> = futures_util::future::join_all(posts)
        .await
        .into_iter()
        .flatten()
        .collect();
    seqs.sort();
    assert_eq!(seqs, (head + 1..=head + 30).collect::<Vec<_>>());
    for server in all {
        eventually("every server reaches the head", || async {
            server.seq().await == head + 30
        })
        .await;
    }
    let expected = log(&first).await;
    for server in &servers {
        assert_eq!(log(server).await, expected);
    }
}

#[tokio::test]
async fn a_stream_resumes_on_another_server_by_last_event_id() {
    if !on_postgres() {
        return;
    }
    let mut first = TestServer::start().await;
    let mut second = first.beside().await;
    let seqs = first.append(exercise()).await;
    let head = *seqs.last().expect("seqs");
    let first_url = first.listen().await;
    let mut stream = EventStream::open(
        &format!("{first_url}/api/v1/stream?after=0"),
        first.control(),
        &[],
    )
    .await;
    let before: Vec<u64> = stream.until(3).await.iter().map(|m| m.seq()).collect();
    assert_eq!(before, [1, 2, 3]);
    drop(stream);
    // The viewer comes back through the load balancer to the other server.
    let second_url = second.listen().await;
    eventually("the second server follows", || async {
        second.seq().await == head
    })
    .await;
    let mut resumed = EventStream::open(
        &format!("{second_url}/api/v1/stream"),
        second.control(),
        &[("last-event-id", "3")],
    )
    .await;
    let after: Vec<u64> = resumed.until(head).await.iter().map(|m| m.seq()).collect();
    assert_eq!(after, (4..=head).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_session_from_one_server_works_on_another_and_a_revocation_holds_on_every_server() {
    if !on_postgres() {
        return;
    }
    let first = TestServer::start().await;
    let second = first.beside().await;
    let (id, token) = create_token(&first.database, Role::Commander, "roaming").expect("token");
    let signed_in = first
        .post("/api/v1/session", json!({"token": token}))
        .send()
        .await;
    assert_eq!(signed_in.status, 201, "{}", signed_in.text);
    let session = signed_in
        .header("set-cookie")
        .expect("a cookie")
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_owned())
        .expect("the session");
    assert_eq!(
        audience(&second, Who::Cookie(session.clone())).await,
        "commander"
    );
    assert_eq!(
        audience(&second, Who::Bearer(token.clone())).await,
        "commander"
    );
    revoke_token(&first.database, id).expect("revoke");
    // Every request checks the shared store: refused at once, everywhere.
    for server in [&first, &second] {
        assert_eq!(
            audience(server, Who::Cookie(session.clone())).await,
            "public"
        );
        let reply = server
            .get("/api/v1/snapshot")
            .by(Who::Bearer(token.clone()))
            .send()
            .await;
        assert_eq!(reply.status, 401, "{}", reply.text);
    }
}

/// A day joined 10 h in, at an hour a second of the (manual) clock.
fn scripted(clock: &Clock) -> impl FnOnce(&mut Config) {
    let clock = clock.clone();
    move |config| {
        config.scenario = Some(
            Scenario::parse(
                &json!({"name": "Cluster test", "duration": "1d", "start_at": "10h", "entries": [
                    {"at": "0s", "type": "phase_changed", "phase": "execution"},
                    {"at": "1h", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"},
                    {"at": "9h", "type": "incident_opened", "id": "S-1", "title": "Scripted", "category": "ransomware", "severity": "high", "nations": ["EST"], "visibility": "public"},
                    {"at": "11h", "type": "incident_updated", "id": "S-1", "status": "analysing"},
                    {"at": "20h", "type": "incident_updated", "id": "S-1", "status": "contained"},
                    {"at": "1d", "type": "phase_changed", "phase": "endex"}
                ]})
                .to_string(),
            )
            .expect("scenario"),
        );
        config.speed = 3600.0;
        config.clock = clock;
    }
}

#[tokio::test]
async fn one_server_plays_the_scenario_and_another_takes_over_when_it_stops() {
    if !on_postgres() {
        return;
    }
    let clock = Clock::manual("2026-11-23T12:00:00Z".parse().expect("time"));
    let first = TestServer::with(scripted(&clock)).await;
    // The opening exercise_updated and the three entries before 10h.
    assert_eq!(first.seq().await, 4);
    let second = first.beside_with(scripted(&clock)).await;
    assert_eq!(second.seq().await, 4, "the second server played nothing");
    clock.advance(chrono::Duration::seconds(1));
    eventually("the leader plays 11h", || async { first.seq().await == 5 }).await;
    eventually("and the other follows", || async {
        second.seq().await == 5
    })
    .await;
    // The leader stops: its lock goes with its connection, the other takes over.
    first.state.shutdown().await;
    clock.advance(chrono::Duration::seconds(9));
    eventually("the new leader plays 20h", || async {
        second.seq().await == 6
    })
    .await;
    clock.advance(chrono::Duration::seconds(4));
    eventually("and ENDEX", || async { second.seq().await == 7 }).await;
    let entries: Vec<Value> = log(&second)
        .await
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["entry"].clone())
        .collect();
    assert_eq!(
        entries,
        [
            Value::Null,
            json!(0),
            json!(1),
            json!(2),
            json!(3),
            json!(4),
            json!(5)
        ],
        "every entry once, in order, none missed"
    );
}

/// Makes the server's database refuse connections and cuts the open ones
/// (`away`), or lets them in again: PostgreSQL going away and coming back,
/// for this test's database only.
async fn database_away(server: &TestServer, away: bool) {
    let watchfloor_server::Database::Postgres(url) = server.database.clone() else {
        panic!("a PostgreSQL test");
    };
    let name = url
        .split('?')
        .next()
        .and_then(|base| base.rsplit('/').next())
        .expect("a database name")
        .to_owned();
    let admin = std::env::var(crate::support::DATABASE_URL).expect("the admin URL");
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("admin");
        client
            .batch_execute(&format!(
                "ALTER DATABASE {name} ALLOW_CONNECTIONS {}",
                !away
            ))
            .expect("alter");
        if away {
            client
                .execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    &[&name],
                )
                .expect("terminate");
        }
    })
    .await
    .expect("ran");
}

#[tokio::test]
async fn while_postgresql_is_away_writes_get_503_and_reads_and_streams_go_on() {
    if !on_postgres() {
        return;
    }
    let mut server = TestServer::with(|config| {
        config.credential_recheck = std::time::Duration::from_millis(50);
    })
    .await;
    let head = *server.append(exercise()).await.last().expect("seqs");
    let url = server.listen().await;
    let mut stream = EventStream::open(
        &format!("{url}/api/v1/stream?after={head}"),
        server.commander(),
        &[],
    )
    .await;
    let public_picture = || async {
        let snapshot = server.get("/api/v1/snapshot").send().await.json();
        (snapshot["seq"].clone(), snapshot["incidents"].clone())
    };
    let public_before = public_picture().await;
    database_away(&server, true).await;

    let post = || {
        server
            .post(
                "/api/v1/events",
                json!({"type": "nation_status", "code": "EST", "status": "degraded"}),
            )
            .by(server.control())
            .header("idempotency-key", "during-the-outage")
            .send()
    };
    let refused = post().await;
    check_error(&refused, 503, "log_unavailable", None);
    assert!(refused.header("retry-after").is_some(), "{refused:?}");
    // Reads go on from memory, for the public and for those signed in.
    assert_eq!(public_picture().await, public_before);
    assert_eq!(
        server
            .get("/api/v1/snapshot")
            .by(server.commander())
            .send()
            .await
            .status,
        200
    );
    for path in ["/healthz", "/readyz"] {
        assert_eq!(server.get(path).send().await.status, 200, "{path}");
    }
    // The commander's stream stays open through many credential rechecks.
    assert_eq!(
        stream
            .next_within(std::time::Duration::from_millis(400))
            .await,
        Err(()),
        "still open, nothing new"
    );

    database_away(&server, false).await;
    // The retry with the same key lands once: the first attempt wrote nothing.
    let mut landed = None;
    for _ in 0..100 {
        let reply = post().await;
        if reply.status == 201 {
            landed = Some(reply.json()["seq"].clone());
            break;
        }
        assert_eq!(reply.status, 503, "{}", reply.text);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(landed, Some(json!([head + 1])), "the database came back");
    assert_eq!(stream.next().await.expect("the event").seq(), head + 1);
    assert_eq!(
        post().await.json()["seq"],
        json!([head + 1]),
        "a replay, not a second event"
    );
    assert_eq!(server.seq().await, head + 1);
}

#[tokio::test]
async fn an_sqlite_exercise_moves_into_postgresql_with_its_seqs_and_tokens() {
    if !on_postgres() {
        return;
    }
    let sqlite = TestServer::on_sqlite(tempfile::tempdir().expect("dir")).await;
    sqlite.append(exercise()).await;
    let original = log(&sqlite).await;
    let head = sqlite.seq().await;
    let control = sqlite.control.clone();
    let data_dir = sqlite.stop().await;
    let target_dir = tempfile::tempdir().expect("dir");
    let target = crate::support::database(target_dir.path()).await;
    let watchfloor_server::Database::Postgres(url) = target.clone() else {
        panic!("a PostgreSQL database");
    };
    let copy = |url: String| {
        let data_dir = data_dir.path().to_owned();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_watchfloor-server"))
                .args(["store", "copy", "--data-dir"])
                .arg(data_dir)
                .args(["--database-url", &url])
                .output()
                .expect("the binary runs")
        })
    };
    let copied = copy(url.clone()).await.expect("ran");
    let stdout = String::from_utf8_lossy(&copied.stdout);
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(stdout.contains(&format!("seq {head}")), "{stdout}");
    assert!(
        !stdout.contains("postgres://"),
        "the URL is not echoed: {stdout}"
    );
    // Into a database that holds a log: refused, nothing added.
    let again = copy(url.clone()).await.expect("ran");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let moved = TestServer::on_store(target_dir, target, |_| {}).await;
    assert_eq!(log(&moved).await, original, "the same log, seq for seq");
    // The old token still posts, and the log numbers on.
    let reply = moved
        .post(
            "/api/v1/events",
            json!({"type": "nation_status", "code": "EST", "status": "degraded"}),
        )
        .by(Who::Bearer(control))
        .send()
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["seq"], json!([head + 1]));
}

/// The audience a server gives this caller.
async fn audience(server: &TestServer, who: Who) -> Value {
    server.get("/api/v1/session").by(who).send().await.json()["audience"].clone()
}

#[tokio::test]
async fn readiness_says_ready_once_caught_up() {
    let server = TestServer::start().await;
    let reply = server.get("/readyz").send().await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), json!({"status": "ready"}));
}
