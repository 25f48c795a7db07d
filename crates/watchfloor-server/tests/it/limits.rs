//! Limits on what an event may carry, and what happens when something slips
//! through anyway: the exercise clock's speed and span (one accepted event
//! once made every read panic), text that would lie on a wall screen (bidi
//! controls, invisible characters, piles of combining marks), the longest
//! texts and largest lists, and a panic in a handler answered as a 500.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use watchfloor_model::limits::{
    MAX_BATCH_EVENTS, MAX_INCIDENT_NATIONS, MAX_NAME, MAX_NOTE, MAX_SPEED, MAX_SUMMARY, MAX_TITLE,
};

use crate::support::{check, check_error, exercise, observed, TestServer, Who};

/// The first event that, accepted, made every snapshot and exercise read panic.
fn overflow() -> Value {
    json!({"type": "exercise_updated", "name": "Overflow", "edition": "1st", "organiser": "x",
           "startex": "2000-01-02T00:00:00Z", "speed": 100000})
}

/// Every read a wall screen or a dashboard makes answers 200, for every audience.
async fn every_read_answers(server: &TestServer) {
    let audiences = [Who::Public, server.commander(), server.control()];
    for who in audiences {
        for path in [
            "/api/v1/snapshot",
            "/api/v1/snapshot?audience=public",
            "/api/v1/exercise",
            "/api/v1/incidents",
            "/api/v1/nations",
        ] {
            let reply = server.get(path).by(who.clone()).send().await;
            assert_eq!(reply.status, 200, "{path} as {who:?}: {}", reply.text);
            let _ = reply.json();
        }
    }
}

#[tokio::test]
async fn the_overflow_event_is_refused_naming_the_speed_and_every_read_still_answers() {
    let server = TestServer::start().await;
    let reply = server
        .post("/api/v1/events", overflow())
        .by(server.control())
        .send()
        .await;
    check_error(&reply, 422, "bad_speed", Some("speed"));
    assert!(
        reply.json()["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("3600")),
        "the message says the limit: {}",
        reply.text
    );
    assert_eq!(server.seq().await, 0, "a refused event appends nothing");
    every_read_answers(&server).await;

    // The fastest clock the validator allows, started at its earliest date
    // with no ENDEX, runs off the calendar: reads saturate, never fail.
    server
        .append(
            json!({"type": "exercise_updated", "name": "Fastest", "startex": "2000-01-02T00:00:00Z",
                       "speed": MAX_SPEED}),
        )
        .await;
    every_read_answers(&server).await;
    let exercise = server.get("/api/v1/exercise").send().await.json();
    assert_eq!(exercise["speed"], json!(MAX_SPEED));
    assert!(exercise["exercise_time"].is_string(), "{exercise}");
}

#[tokio::test]
async fn speed_times_span_is_bounded_naming_the_field() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let before = observed(&server).await;
    // The exercise spans five wall days: at an hour a second that is
    // almost fifty years of exercise time.
    let reply = server
        .post(
            "/api/v1/events",
            json!({"type": "exercise_updated", "speed": MAX_SPEED}),
        )
        .by(server.control())
        .send()
        .await;
    check_error(&reply, 422, "time_out_of_range", Some("speed"));
    for (body, field) in [
        (
            json!({"type": "exercise_updated", "speed": MAX_SPEED + 1.0}),
            "speed",
        ),
        (
            json!({"type": "exercise_updated", "endex": "2101-01-01T00:00:00Z"}),
            "endex",
        ),
        (
            json!({"type": "exercise_updated", "startex": "1999-12-31T23:59:59Z"}),
            "startex",
        ),
    ] {
        let reply = server
            .post("/api/v1/events", body.clone())
            .by(server.control())
            .send()
            .await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        assert_eq!(reply.json()["error"]["field"], field, "{body}");
    }
    assert_eq!(observed(&server).await, before, "refusals change nothing");
    every_read_answers(&server).await;
}

/// One text of each kind a wall screen must not show, as JSON string values.
fn lying_texts() -> Vec<(&'static str, String)> {
    vec![
        ("bidi_control", "Breach \u{202E}krowten deifissalc".into()),
        ("bidi_control", "Isolated \u{2067}text\u{2069}".into()),
        ("bidi_control", "Right-to-left mark \u{200F}".into()),
        ("invisible_character", "Zero\u{200B}width".into()),
        ("invisible_character", "\u{FEFF}Byte order mark".into()),
        ("invisible_character", "Word\u{2060}joiner".into()),
        (
            "combining_marks",
            "Z\u{0351}\u{0352}\u{0353}\u{0354}\u{0355}algo".into(),
        ),
        ("control_character", "Bell \u{7}".into()),
    ]
}

#[tokio::test]
async fn text_that_would_lie_on_a_wall_screen_is_refused_naming_the_field() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let before = observed(&server).await;
    let seq = server.seq().await;
    for (code, text) in lying_texts() {
        let opened = |field: &str| {
            let mut body = json!({"type": "incident_opened", "id": "LIE-1", "title": "A title",
                                  "category": "ddos", "severity": "low", "visibility": "public"});
            match field {
                "inject.id" => body["inject"] = json!({"id": text, "planned_at": null}),
                field => body[field] = json!(text),
            }
            body
        };
        let mut cases: Vec<(Value, &str)> = ["title", "summary", "detail", "team", "inject.id"]
            .into_iter()
            .map(|field| (opened(field), field))
            .collect();
        for field in ["note", "summary", "team", "detail"] {
            cases.push((
                json!({"type": "incident_updated", "id": "PUB-1", field: text}),
                field,
            ));
        }
        for field in ["name", "edition", "organiser"] {
            cases.push((json!({"type": "exercise_updated", field: text}), field));
        }
        cases.push((
            json!({"type": "nation_joined", "code": "LVA", "name": text, "kind": "ally"}),
            "name",
        ));
        for (body, field) in cases {
            let reply = server
                .post("/api/v1/events", body.clone())
                .by(server.control())
                .send()
                .await;
            assert_eq!(reply.status, 422, "{body}: {}", reply.text);
            check_error(&reply, 422, code, Some(field));
        }
        // Ids and codes refuse it as malformed, and say so without echoing it raw.
        for (body, field, refusal) in [
            (
                json!({"type": "incident_updated", "id": text, "status": "resolved"}),
                "id",
                "bad_id",
            ),
            (
                json!({"type": "nation_status", "code": text, "status": "online"}),
                "code",
                "bad_code",
            ),
            (
                json!({"type": "incident_opened", "id": "LIE-2", "title": "t", "category": text, "severity": "low"}),
                "category",
                "bad_category",
            ),
        ] {
            let reply = server
                .post("/api/v1/events", body)
                .by(server.control())
                .send()
                .await;
            check_error(&reply, 422, refusal, Some(field));
        }
    }
    assert_eq!(server.seq().await, seq, "nothing was appended");
    assert_eq!(observed(&server).await, before, "refusals change nothing");
}

const STATUSES: [&str; 2] = ["online", "degraded"];

#[tokio::test]
async fn every_text_and_list_has_a_maximum() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let seq = server.seq().await;
    let before = observed(&server).await;
    let over = |max: usize| "ä".repeat(max + 1);
    let cases = [
        (
            json!({"type": "incident_opened", "id": "LONG-1", "title": over(MAX_TITLE), "category": "ddos", "severity": "low"}),
            "title",
        ),
        (
            json!({"type": "incident_opened", "id": "LONG-1", "title": "t", "summary": over(MAX_SUMMARY), "category": "ddos", "severity": "low"}),
            "summary",
        ),
        (
            json!({"type": "incident_updated", "id": "PUB-1", "note": over(MAX_NOTE)}),
            "note",
        ),
        (
            json!({"type": "incident_updated", "id": "PUB-1", "team": over(MAX_NAME)}),
            "team",
        ),
        (
            json!({"type": "exercise_updated", "organiser": over(MAX_NAME)}),
            "organiser",
        ),
    ];
    for (body, field) in cases {
        let reply = server
            .post("/api/v1/events", body)
            .by(server.control())
            .send()
            .await;
        check_error(&reply, 422, "too_long", Some(field));
    }

    // An incident lists at most MAX_INCIDENT_NATIONS nations.
    let codes: Vec<String> = (0..=MAX_INCIDENT_NATIONS)
        .map(|n| format!("N{n:03}"))
        .collect();
    let mut batch: Vec<Value> = codes
        .iter()
        .map(|code| json!({"type": "nation_joined", "code": code, "name": code, "kind": "partner"}))
        .collect();
    batch.push(
        json!({"type": "incident_opened", "id": "WIDE-1", "title": "t", "category": "ddos",
                      "severity": "low", "nations": codes}),
    );
    let reply = server
        .post("/api/v1/events", Value::Array(batch))
        .by(server.control())
        .send()
        .await;
    check_error(&reply, 422, "too_many", Some("nations"));
    assert_eq!(
        reply.json()["error"]["index"],
        MAX_INCIDENT_NATIONS + 1,
        "the incident, after the joins"
    );

    // A posted array holds at most MAX_BATCH_EVENTS events.
    let batch: Vec<Value> = (0..=MAX_BATCH_EVENTS)
        .map(|n| json!({"type": "nation_status", "code": "EST", "status": STATUSES[n % 2]}))
        .collect();
    let reply = server
        .post("/api/v1/events", Value::Array(batch))
        .by(server.control())
        .send()
        .await;
    check_error(&reply, 422, "too_many_events", None);
    assert!(
        reply.text.contains("1000"),
        "says the limit: {}",
        reply.text
    );

    assert_eq!(server.seq().await, seq, "nothing was appended");
    assert_eq!(observed(&server).await, before, "refusals change nothing");

    // At the limits, everything is accepted.
    let batch: Vec<Value> = (0..MAX_BATCH_EVENTS)
        .map(|n| json!({"type": "nation_status", "code": "EST", "status": STATUSES[n % 2]}))
        .collect();
    assert_eq!(
        server.append(Value::Array(batch)).await.len(),
        MAX_BATCH_EVENTS
    );
    server
        .append(json!({"type": "incident_opened", "id": "LONG-1", "title": "ä".repeat(MAX_TITLE),
                       "category": "ddos", "severity": "low", "summary": "e\u{0301}\u{0302}\u{0303}\u{0304} is fine"}))
        .await;
}

async fn boom() -> &'static str {
    panic!("a handler bug")
}

async fn fine() -> &'static str {
    "fine"
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_500_and_the_server_goes_on() {
    // No handler of the real router can panic any more, so a router of its
    // own wraps one that does with the very layer `app` uses.
    let router = Router::new()
        .route("/boom", get(boom))
        .route("/fine", get(fine))
        .layer(watchfloor_server::catch_panics());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for _ in 0..3 {
        let response = client
            .get(format!("http://{address}/boom"))
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(response.status().as_u16(), 500);
        let body: Value = response.json().await.expect("the error shape");
        assert_eq!(body["error"]["code"], "internal", "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("a handler bug"),
            "no internal detail leaks: {message}"
        );
        let response = client
            .get(format!("http://{address}/fine"))
            .send()
            .await
            .expect("the next request");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.text().await.expect("body"), "fine");
    }
    server.abort();
}

#[tokio::test]
async fn over_a_real_socket_the_overflow_event_is_refused_and_reads_answer() {
    // Through a real socket: the refused event and the reads after it.
    let mut server = TestServer::start().await;
    let base = server.listen().await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let response = client
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(&server.control)
        .json(&overflow())
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 422);
    for path in ["/api/v1/snapshot", "/api/v1/exercise"] {
        let response = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    check(
        &server.get("/api/v1/exercise").send().await,
        200,
        json!({"name": ""}),
    );
}

#[tokio::test]
async fn settings_that_would_run_the_clock_off_the_calendar_are_refused_or_saturate() {
    // An embargo longer than the calendar: refused at start, not a panic.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = watchfloor_server::Config::new(dir.path());
    config.public_delay = chrono::Duration::days(100_000_000);
    let error = match watchfloor_server::AppState::start(config).await {
        Ok(_) => panic!("an embargo of 270,000 years is refused"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("--public-delay"), "{error}");

    // A scenario that joins itself billions of days in: the player places
    // STARTEX at the calendar's edge, which validation then refuses; the
    // server starts or says why, and does not panic.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = watchfloor_server::Config::new(dir.path());
    let mut scenario = watchfloor_server::demo_scenario();
    scenario.start_at = Some("99999999999d".into());
    config.scenario = Some(scenario);
    config.speed = watchfloor_model::limits::MIN_SPEED;
    if let Ok(state) = watchfloor_server::AppState::start(config).await {
        state.shutdown().await;
    }
}
