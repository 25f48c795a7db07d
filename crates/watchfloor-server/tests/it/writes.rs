//! Posting events: acknowledgement, all-or-nothing batches, idempotency,
//! and every way a post can be refused — each refusal changing nothing.

use serde_json::json;

use crate::support::{check, check_error, exercise, Reply, TestServer, Who};

#[tokio::test]
async fn one_event_or_an_array_gets_its_seqs() {
    let server = TestServer::start().await;
    let seqs = server.append(exercise()).await;
    assert_eq!(seqs, (1..=11).collect::<Vec<u64>>());
    let reply = server
        .post(
            "/api/v1/events",
            json!({"type": "nation_status", "code": "EST", "status": "degraded"}),
        )
        .by(server.control())
        .send()
        .await;
    check(&reply, 201, json!({"seq": [12]}));
    check(
        &server.get("/api/v1/nations").send().await,
        200,
        json!([{"code": "EST", "status": "degraded"}, {"code": "FIN"}, {"code": "UKR"}]),
    );
}

#[tokio::test]
async fn the_server_assigns_at_and_it_never_goes_back() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let before = chrono::Utc::now() - chrono::Duration::milliseconds(5);
    server.append(json!({"type": "incident_opened", "id": "T-1", "title": "t", "category": "ddos", "severity": "low"})).await;
    let incident = server
        .get("/api/v1/incidents/T-1")
        .by(server.control())
        .send()
        .await
        .json();
    let opened: chrono::DateTime<chrono::Utc> = incident["opened_at"]
        .as_str()
        .expect("at")
        .parse()
        .expect("time");
    assert!(opened >= before && opened <= chrono::Utc::now(), "{opened}");
}

/// Posts `body` (already a full call) and checks the refusal changed nothing.
async fn refused(
    server: &TestServer,
    reply: Reply,
    status: u16,
    code: &str,
    field: Option<&str>,
) -> Reply {
    check_error(&reply, status, code, field);
    assert_eq!(server.seq().await, 11, "a refused post appends nothing");
    reply
}

#[tokio::test]
async fn every_bad_post_is_refused_with_its_status_and_changes_nothing() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let snapshot_before = server
        .get("/api/v1/snapshot")
        .by(server.control())
        .send()
        .await
        .json();
    let valid = json!({"type": "nation_status", "code": "EST", "status": "offline"});
    let post = |body: serde_json::Value| server.post("/api/v1/events", body).by(server.control());

    // 401: no credentials, or a token nobody issued.
    refused(
        &server,
        server.post("/api/v1/events", valid.clone()).send().await,
        401,
        "unauthorized",
        None,
    )
    .await;
    refused(
        &server,
        server
            .post("/api/v1/events", valid.clone())
            .by(Who::Bearer("wf_forged".into()))
            .send()
            .await,
        401,
        "unauthorized",
        None,
    )
    .await;
    let basic = server
        .post("/api/v1/events", valid.clone())
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await;
    refused(&server, basic, 401, "unauthorized", None).await;
    // Authentication comes before the body: no hint about what a valid body is.
    refused(
        &server,
        server
            .post_raw("/api/v1/events", "text/plain", "x")
            .send()
            .await,
        401,
        "unauthorized",
        None,
    )
    .await;
    // 403: a commander reads but does not write; ?audience=public lowers control too.
    refused(
        &server,
        server
            .post("/api/v1/events", valid.clone())
            .by(server.commander())
            .send()
            .await,
        403,
        "forbidden",
        None,
    )
    .await;
    refused(
        &server,
        server
            .post("/api/v1/events?audience=public", valid.clone())
            .by(server.control())
            .send()
            .await,
        403,
        "forbidden",
        None,
    )
    .await;
    // 400: not JSON.
    let malformed = server
        .post_raw(
            "/api/v1/events",
            "application/json",
            "{\"type\": \"phase_changed\",",
        )
        .by(server.control())
        .send()
        .await;
    let reply = refused(&server, malformed, 400, "malformed_json", None).await;
    assert!(reply.text.contains("line 1"), "{}", reply.text);
    // 415: not declared as JSON.
    for content_type in ["application/x-www-form-urlencoded", "text/plain"] {
        let wrong = server
            .post_raw("/api/v1/events", content_type, valid.to_string())
            .by(server.control())
            .send()
            .await;
        refused(&server, wrong, 415, "unsupported_media_type", None).await;
    }
    // 413: over the limit.
    let huge = json!({"type": "incident_opened", "id": "BIG", "title": "t", "category": "ddos", "severity": "low", "summary": "x".repeat(1_100_000)});
    refused(&server, post(huge).send().await, 413, "too_large", None).await;
    // 422: JSON, but not an event.
    refused(
        &server,
        post(json!({"type": "launch_missiles"})).send().await,
        422,
        "unknown_type",
        Some("type"),
    )
    .await;
    refused(
        &server,
        post(json!({"phase": "execution"})).send().await,
        422,
        "missing_field",
        Some("type"),
    )
    .await;
    refused(
        &server,
        post(json!({"type": "phase_changed"})).send().await,
        422,
        "missing_field",
        Some("phase"),
    )
    .await;
    refused(
        &server,
        post(json!({"type": "phase_changed", "phase": "asleep"}))
            .send()
            .await,
        422,
        "invalid_value",
        Some("phase"),
    )
    .await;
    refused(&server, post(json!({"type": "nation_status", "code": "EST", "status": "online", "at": "2026-01-01T00:00:00Z"})).send().await, 422, "unknown_field", Some("at")).await;
    refused(
        &server,
        post(json!({"type": "nation_status", "code": "EST", "status": "online", "seq": 99}))
            .send()
            .await,
        422,
        "unknown_field",
        Some("seq"),
    )
    .await;
    refused(
        &server,
        post(json!("phase_changed")).send().await,
        422,
        "not_an_event",
        None,
    )
    .await;
    refused(
        &server,
        post(json!([])).send().await,
        422,
        "no_events",
        None,
    )
    .await;
    // 422: an impossible event, with the model's field.
    refused(
        &server,
        post(json!({"type": "nation_status", "code": "XYZ", "status": "online"}))
            .send()
            .await,
        422,
        "unknown_nation",
        Some("code"),
    )
    .await;
    refused(
        &server,
        post(json!({"type": "incident_updated", "id": "PUB-1", "status": "detected"}))
            .send()
            .await,
        422,
        "status_backwards",
        Some("status"),
    )
    .await;
    refused(&server, post(json!({"type": "incident_opened", "id": "X-1", "title": "t", "category": "ddos", "severity": "low", "nations": ["EST", "GBR"]})).send().await, 422, "unknown_nation", Some("nations[1]")).await;
    // 409: a conflict with what exists.
    refused(&server, post(json!({"type": "incident_opened", "id": "PUB-1", "title": "again", "category": "ddos", "severity": "low"})).send().await, 409, "duplicate_incident", Some("id")).await;

    let snapshot_after = server
        .get("/api/v1/snapshot")
        .by(server.control())
        .send()
        .await
        .json();
    assert_eq!(snapshot_before["incidents"], snapshot_after["incidents"]);
    assert_eq!(snapshot_before["nations"], snapshot_after["nations"]);
}

#[tokio::test]
async fn a_batch_is_all_or_nothing_and_names_the_event_at_fault() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    // The second event depends on the first (in the same batch); the third is impossible.
    let batch = json!([
        {"type": "incident_opened", "id": "B-1", "title": "t", "category": "ddos", "severity": "low", "nations": ["EST"]},
        {"type": "nation_response", "id": "B-1", "code": "EST", "milestone": "reported"},
        {"type": "incident_updated", "id": "B-1", "nations": ["EST", "ATL"]},
    ]);
    let reply = server
        .post("/api/v1/events", batch.clone())
        .by(server.control())
        .send()
        .await;
    check(
        &reply,
        422,
        json!({"error": {"code": "unknown_nation", "field": "nations[1]", "index": 2}}),
    );
    assert_eq!(server.seq().await, 11);
    check_error(
        &server
            .get("/api/v1/incidents/B-1")
            .by(server.control())
            .send()
            .await,
        404,
        "not_found",
        None,
    );
    // A malformed event in an array is located too.
    let reply = server
        .post(
            "/api/v1/events",
            json!([{"type": "phase_changed", "phase": "paused"}, {"type": "nope"}]),
        )
        .by(server.control())
        .send()
        .await;
    check(
        &reply,
        422,
        json!({"error": {"code": "unknown_type", "field": "type", "index": 1}}),
    );
    // Fixed, the whole batch goes in, in order.
    let mut fixed = batch;
    fixed[2]["nations"] = json!(["EST", "FIN"]);
    let reply = server
        .post("/api/v1/events", fixed)
        .by(server.control())
        .send()
        .await;
    check(&reply, 201, json!({"seq": [12, 13, 14]}));
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_safe() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let events = json!([{"type": "nation_status", "code": "EST", "status": "degraded"},
                        {"type": "nation_status", "code": "FIN", "status": "offline"}]);
    let post = |body: serde_json::Value, key: &str| {
        server
            .post("/api/v1/events", body)
            .by(server.control())
            .header("idempotency-key", key)
    };
    let first = post(events.clone(), "retry-1").send().await;
    check(&first, 201, json!({"seq": [12, 13]}));
    let retry = post(events.clone(), "retry-1").send().await;
    check(&retry, 201, json!({"seq": [12, 13]}));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(server.seq().await, 13, "the retry appended nothing");
    let other = post(
        json!({"type": "nation_status", "code": "EST", "status": "online"}),
        "retry-1",
    )
    .send()
    .await;
    check_error(
        &other,
        409,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    );
    check_error(
        &post(events.clone(), "").send().await,
        400,
        "bad_idempotency_key",
        Some("Idempotency-Key"),
    );
    assert_eq!(server.seq().await, 13);
    // A refused request does not use up its key.
    let bad = post(
        json!({"type": "nation_status", "code": "XYZ", "status": "online"}),
        "retry-2",
    )
    .send()
    .await;
    assert_eq!(bad.status, 422);
    check(
        &post(
            json!({"type": "nation_status", "code": "UKR", "status": "online"}),
            "retry-2",
        )
        .send()
        .await,
        201,
        json!({"seq": [14]}),
    );
    // Concurrent retries of one key append once.
    let body = json!({"type": "phase_changed", "phase": "paused"});
    let (a, b) = tokio::join!(
        post(body.clone(), "race").send(),
        post(body.clone(), "race").send()
    );
    assert_eq!((a.status, b.status), (201, 201));
    assert_eq!(a.json(), b.json());
    assert_eq!(server.seq().await, 15);
}
