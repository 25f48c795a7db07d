//! What anyone can grow, see or share: the metrics' series, idempotency
//! keys and sessions stay bounded; `/healthz` and `/metrics` tell the public
//! nothing about the log; the data dir is the owner's only and one server's
//! at a time.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{json, Value};
use tower::ServiceExt;
use watchfloor_server::{app, create_token, AppState, Config, OperatorError, Role};

use crate::support::{
    check, check_error, exercise, on_postgres, Process, TestServer, Who, PATIENCE,
};

/// The `watchfloor_http_requests_total` lines of a metrics page.
fn request_series(metrics: &str) -> Vec<&str> {
    metrics
        .lines()
        .filter(|line| line.starts_with("watchfloor_http_requests_total{"))
        .collect()
}

#[tokio::test]
async fn made_up_methods_and_paths_add_no_metrics_series() {
    let server = TestServer::start().await;
    let send = |method: String, path: String| {
        let request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("a token method"))
            .uri(path)
            .body(Body::empty())
            .expect("request");
        app(server.state.clone()).oneshot(request)
    };
    let metrics = || async {
        server
            .get("/metrics")
            .by(server.commander())
            .send()
            .await
            .text
    };
    for n in 0..3 {
        send(format!("FOO{n}"), "/".into()).await.expect("answer");
        send(format!("BAR{n}"), "/api/v1/events".into())
            .await
            .expect("answer");
        send("GET".into(), format!("/no/such/path/{n}"))
            .await
            .expect("answer");
    }
    let before = metrics().await;
    for n in 3..60 {
        send(format!("FOO{n}"), "/".into()).await.expect("answer");
        send(format!("BAR{n}"), "/api/v1/events".into())
            .await
            .expect("answer");
        send("GET".into(), format!("/no/such/path/{n}"))
            .await
            .expect("answer");
    }
    let after = metrics().await;
    assert!(
        !after.contains("FOO") && !after.contains("BAR") && !after.contains("/no/such"),
        "a client's made-up names became labels:\n{after}"
    );
    let series = |text: &str| {
        request_series(text)
            .iter()
            .filter(|line| !line.contains("route=\"/metrics\""))
            .map(|line| line.rsplit_once(' ').expect("a value").0.to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        series(&before),
        series(&after),
        "57 more made-up methods and paths added series"
    );
    for expected in [
        "route=\"fallback\",method=\"other\",status=\"404\"} 60",
        "route=\"/api/v1/events\",method=\"other\",status=\"405\"} 60",
        "route=\"fallback\",method=\"GET\",status=\"404\"} 60",
    ] {
        assert!(after.contains(expected), "{expected} in:\n{after}");
    }
}

#[tokio::test]
async fn health_says_only_whether_the_server_is_up() {
    let server = TestServer::with(|config| {
        config.public_delay = chrono::Duration::hours(1);
    })
    .await;
    let health = || async { server.get("/healthz").send().await };
    let empty = health().await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json(), json!({"status": "ok"}));
    // Events posted under an embargo do not show in /healthz at all.
    server.append(exercise()).await;
    let after = health().await;
    assert_eq!(
        (after.status, after.text.as_str()),
        (200, empty.text.as_str()),
        "/healthz changed when events were posted"
    );
}

#[tokio::test]
async fn metrics_need_a_commander_or_control_credential() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    check_error(
        &server.get("/metrics").send().await,
        401,
        "unauthorized",
        None,
    );
    check_error(
        &server
            .get("/metrics")
            .by(Who::Bearer("wf_guess".into()))
            .send()
            .await,
        401,
        "unauthorized",
        None,
    );
    check_error(
        &server
            .get("/metrics")
            .by(Who::Cookie("no-such-session".into()))
            .send()
            .await,
        401,
        "unauthorized",
        None,
    );
    for who in [server.commander(), server.control()] {
        let reply = server.get("/metrics").by(who).send().await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert!(reply.text.contains("watchfloor_events_total 11"));
    }
    // A browser signed in as a commander reads them with its cookie.
    let signed_in = server
        .post("/api/v1/session", json!({"token": server.commander}))
        .send()
        .await;
    let cookie = cookie_pair(signed_in.header("set-cookie").expect("a cookie"));
    let reply = server
        .get("/metrics")
        .header("cookie", &cookie)
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // And the document says so.
    let document = server.get("/api/v1/openapi.json").send().await.json();
    let responses = &document["paths"]["/metrics"]["get"]["responses"];
    assert!(responses.get("401").is_some(), "{responses}");
    assert!(responses.get("200").is_some(), "{responses}");
}

/// `name=value` of a `Set-Cookie` header, to send back as `Cookie`.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .expect("a name=value")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn idempotency_keys_belong_to_the_token_that_sent_them() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let other = create_token(&server.database, Role::Control, "second control")
        .expect("token")
        .1;
    let body = json!({"type": "nation_status", "code": "EST", "status": "degraded"});
    let post = |who: Who, body: &Value| {
        server
            .post("/api/v1/events", body.clone())
            .by(who)
            .header("idempotency-key", "shared-key")
            .send()
    };
    check(
        &post(server.control(), &body).await,
        201,
        json!({"seq": [12]}),
    );
    // The same key and body from another token is another request.
    let second = post(Who::Bearer(other.clone()), &body).await;
    check(&second, 201, json!({"seq": [13]}));
    assert_eq!(second.header("idempotent-replayed"), None);
    // Each token's retry answers its own first request.
    let retry = post(Who::Bearer(other.clone()), &body).await;
    check(&retry, 201, json!({"seq": [13]}));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    check(
        &post(server.control(), &body).await,
        201,
        json!({"seq": [12]}),
    );
    // A token reusing its own key with another body is still a 409.
    let changed = json!({"type": "nation_status", "code": "EST", "status": "online"});
    check_error(
        &post(server.control(), &changed).await,
        409,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    );
    assert_eq!(server.seq().await, 13);
}

#[tokio::test]
async fn idempotency_keys_are_forgotten_after_the_window() {
    let window = Duration::from_millis(500);
    let server = TestServer::with(|config| {
        config.idempotency_window = chrono::Duration::from_std(window).expect("a short window");
    })
    .await;
    server.append(exercise()).await;
    let post = |body: Value, key: &str| {
        server
            .post("/api/v1/events", body)
            .by(server.control())
            .header("idempotency-key", key)
            .send()
    };
    let first = json!({"type": "nation_status", "code": "EST", "status": "degraded"});
    check(&post(first, "old-key").await, 201, json!({"seq": [12]}));
    tokio::time::sleep(window + Duration::from_millis(200)).await;
    // Past the window the key is free again: another body is not a conflict.
    let later = json!({"type": "nation_status", "code": "EST", "status": "online"});
    let reply = post(later, "old-key").await;
    check(&reply, 201, json!({"seq": [13]}));
    assert_eq!(reply.header("idempotent-replayed"), None);
    // The expired record was deleted when the new one went in.
    let rows = server.sql("SELECT key, seqs FROM idempotency").await;
    assert_eq!(rows, [vec!["old-key".to_string(), "[13]".to_string()]]);
}

#[tokio::test]
async fn a_token_keeps_at_most_a_hundred_sessions() {
    let server = TestServer::start().await;
    let sign_in = || async {
        let reply = server
            .post("/api/v1/session", json!({"token": server.commander}))
            .send()
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        cookie_pair(reply.header("set-cookie").expect("a cookie"))
    };
    let server = &server;
    let audience = |cookie: String| async move {
        server
            .get("/api/v1/session")
            .header("cookie", &cookie)
            .send()
            .await
            .json()["audience"]
            .clone()
    };
    let first = sign_in().await;
    let second = sign_in().await;
    let mut last = String::new();
    for _ in 0..99 {
        last = sign_in().await;
    }
    // 101 sign-ins: the oldest session has ended, the rest hold.
    assert_eq!(audience(first).await, "public");
    assert_eq!(audience(second).await, "commander");
    assert_eq!(audience(last).await, "commander");
    let sessions = server.sql("SELECT count(*) FROM sessions").await;
    assert_eq!(sessions, [vec!["100".to_string()]]);
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_and_database_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("temp dir");
    let data_dir = parent.path().join("fresh").join("data");
    let state = AppState::start(Config::new(&data_dir))
        .await
        .expect("server starts");
    let token = create_token(&data_dir, Role::Control, "control")
        .expect("token")
        .1;
    let request = Request::post("/api/v1/events")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(exercise().to_string()))
        .expect("request");
    let reply = app(state.clone()).oneshot(request).await.expect("answer");
    assert_eq!(reply.status(), 201);
    let mode = |path: std::path::PathBuf| {
        let metadata =
            std::fs::metadata(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        (
            path.file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned(),
            format!("{:o}", metadata.permissions().mode() & 0o777),
        )
    };
    let found: Vec<(String, String)> = [
        data_dir.clone(),
        data_dir.join("watchfloor.db"),
        data_dir.join("watchfloor.db-wal"),
        data_dir.join("watchfloor.db-shm"),
        data_dir.join("watchfloor.lock"),
    ]
    .into_iter()
    .map(mode)
    .collect();
    assert_eq!(
        found,
        [
            ("data".to_string(), "700".to_string()),
            ("watchfloor.db".to_string(), "600".to_string()),
            ("watchfloor.db-wal".to_string(), "600".to_string()),
            ("watchfloor.db-shm".to_string(), "600".to_string()),
            ("watchfloor.lock".to_string(), "600".to_string()),
        ]
    );
    state.shutdown().await;
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_stops_at_once() {
    // The data dir's lock is SQLite's: servers on PostgreSQL share one log.
    if on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let second = tokio::time::timeout(PATIENCE, AppState::start(Config::new(server.dir.path())))
        .await
        .expect("the second server stops at once, without waiting for the first");
    let error = match second {
        Ok(state) => {
            state.shutdown().await;
            panic!("a second server started on a data dir in use");
        }
        Err(error) => error,
    };
    assert!(
        matches!(error, OperatorError::DataDirInUse { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    let pid = format!("pid {}", std::process::id());
    assert!(
        message.contains(&server.dir.path().display().to_string()) && message.contains(&pid),
        "names the dir and the other process: {message}"
    );
    // The first goes on serving, and the token commands work beside it.
    let (id, token) = create_token(&server.database, Role::Commander, "beside the server")
        .expect("token create while a server runs");
    check(
        &server
            .get("/api/v1/session")
            .by(Who::Bearer(token.clone()))
            .send()
            .await,
        200,
        json!({"audience": "commander"}),
    );
    let listed = watchfloor_server::list_tokens(&server.database).expect("token list");
    assert!(listed.iter().any(|info| info.id == id));
    watchfloor_server::revoke_token(&server.database, id).expect("token revoke");
    assert_eq!(
        server
            .get("/api/v1/session")
            .by(Who::Bearer(token))
            .send()
            .await
            .status,
        401
    );
    server
        .append(json!({"type": "phase_changed", "phase": "paused"}))
        .await;
    // Once the first has shut down, the data dir is free.
    let dir = server.stop().await;
    let state = AppState::start(Config::new(dir.path()))
        .await
        .expect("the data dir is free once the first server stopped");
    state.shutdown().await;
}

#[test]
fn a_second_server_process_exits_naming_the_dir_and_the_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `Process::start` waits for the first one's "Watchfloor listening on" line.
    let first = Process::start(dir.path());
    let mut second = Command::new(env!("CARGO_BIN_EXE_watchfloor-server"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = second.kill();
            panic!("the second server did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    let first_pid = first.pid();
    drop(first);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&dir.path().display().to_string())
            && stderr.contains(&format!("pid {first_pid}")),
        "names the dir and the first server's pid: {stderr}"
    );
}
