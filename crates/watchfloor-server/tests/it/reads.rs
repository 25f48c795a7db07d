//! The read endpoints: snapshot, exercise, nations, incidents, one incident,
//! health, metrics, the OpenAPI document, and unknown routes.

use serde_json::{json, Value};

use crate::support::{check, check_error, exercise, TestServer};

#[tokio::test]
async fn the_snapshot_has_everything_with_the_seq_to_resume_after() {
    let server = TestServer::start().await;
    let seqs = server.append(exercise()).await;
    let reply = server
        .get("/api/v1/snapshot")
        .by(server.commander())
        .send()
        .await;
    check(
        &reply,
        200,
        json!({"seq": seqs.last(), "audience": "commander", "public_delay_s": 0,
               "exercise": {"name": "Cyber Coalition Test", "phase": "execution", "day": 2, "days": 5}}),
    );
    let snapshot = reply.json();
    assert_eq!(snapshot["nations"].as_array().map(Vec::len), Some(3));
    assert_eq!(snapshot["incidents"].as_array().map(Vec::len), Some(3));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    // It is the model's own type.
    serde_json::from_value::<watchfloor_model::Snapshot>(snapshot).expect("a Snapshot");
}

#[tokio::test]
async fn the_exercise_and_nations_are_served() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    check(
        &server.get("/api/v1/exercise").send().await,
        200,
        json!({"name": "Cyber Coalition Test", "edition": "2026", "organiser": "Test cell", "phase": "execution", "day": 2, "days": 5}),
    );
    check(
        &server.get("/api/v1/nations").send().await,
        200,
        json!([
            {"code": "EST", "name": "Estonia", "kind": "ally", "participants": 40, "teams": 3, "status": "online"},
            {"code": "FIN"}, {"code": "UKR", "kind": "partner"}
        ]),
    );
}

#[tokio::test]
async fn incidents_are_newest_first_and_filtered() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let ids = |reply: &crate::support::Reply| -> Vec<String> {
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply
            .json()
            .as_array()
            .expect("list")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let list = |query: &str| {
        server
            .get(&format!("/api/v1/incidents{query}"))
            .by(server.commander())
            .send()
    };
    assert_eq!(ids(&list("").await), ["PUB-2", "RES-1", "PUB-1"]);
    assert_eq!(
        ids(&list("?severity=high,critical").await),
        ["RES-1", "PUB-1"]
    );
    assert_eq!(ids(&list("?status=analysing").await), ["PUB-1"]);
    assert_eq!(ids(&list("?nation=UKR,EST").await), ["RES-1", "PUB-1"]);
    assert_eq!(ids(&list("?category=ddos").await), ["PUB-2"]);
    assert_eq!(ids(&list("?q=port%20FLOOD").await), ["PUB-2"]);
    assert_eq!(ids(&list("?q=inj-001").await), ["PUB-1"]);
    assert_eq!(ids(&list("?limit=1").await), ["PUB-2"]);
    assert_eq!(
        ids(&list("?severity=high&nation=FIN").await),
        Vec::<String>::new()
    );
    // The list carries summaries: no timeline.
    let first = &list("?limit=1").await.json()[0];
    assert!(first.get("timeline").is_none() && first["summary"] == "Traffic flood");
}

#[tokio::test]
async fn a_bad_filter_is_a_400_naming_it() {
    let server = TestServer::start().await;
    for (query, field) in [
        ("severity=extreme", "severity"),
        ("status=open", "status"),
        ("nation=est", "nation"),
        ("category=Bad%20Slug", "category"),
        ("limit=-3", "limit"),
        ("audience=admin", "audience"),
    ] {
        let reply = server
            .get(&format!("/api/v1/incidents?{query}"))
            .send()
            .await;
        check_error(
            &reply,
            400,
            if field == "audience" {
                "bad_audience"
            } else {
                "bad_filter"
            },
            Some(field),
        );
    }
}

#[tokio::test]
async fn one_incident_comes_with_its_timeline_and_responses() {
    let server = TestServer::start().await;
    let seqs = server.append(exercise()).await;
    let reply = server
        .get("/api/v1/incidents/PUB-1")
        .by(server.commander())
        .send()
        .await;
    check(
        &reply,
        200,
        json!({"id": "PUB-1", "status": "analysing", "severity": "high", "visibility": "public",
               "inject": {"id": "INJ-001"},
               "timeline": [{"seq": seqs[5], "status": "detected", "note": "Opened"},
                            {"seq": seqs[7], "status": "analysing", "note": "Analysts on it"}]}),
    );
    assert!(reply.json()["responses"]["EST"]["detected"].is_string());
    let missing = server
        .get("/api/v1/incidents/NOPE-9")
        .by(server.commander())
        .send()
        .await;
    check_error(&missing, 404, "not_found", None);
}

#[tokio::test]
async fn health_and_metrics_report_the_log() {
    let server = TestServer::start().await;
    let seqs = server.append(exercise()).await;
    server.get("/api/v1/snapshot").send().await;
    let health = server.get("/healthz").send().await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), json!({"status": "ok"}), "no seq, no count");
    let metrics = server.get("/metrics").by(server.commander()).send().await;
    assert_eq!(metrics.status, 200);
    assert!(metrics
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    for expected in [
        format!("watchfloor_events_total {}", seqs.len()),
        "watchfloor_stream_clients 0".to_owned(),
        "watchfloor_append_duration_seconds_count 1".to_owned(),
        "watchfloor_http_requests_total{route=\"/api/v1/events\",method=\"POST\",status=\"201\"} 1"
            .to_owned(),
        "watchfloor_snapshot_bytes{audience=\"public\"}".to_owned(),
    ] {
        assert!(
            metrics.text.contains(&expected),
            "{expected} in:\n{}",
            metrics.text
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_each_answers() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let reply = server.get("/api/v1/openapi.json").send().await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert!(document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));
    let paths = document["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/snapshot", "get"),
        ("/api/v1/exercise", "get"),
        ("/api/v1/nations", "get"),
        ("/api/v1/incidents", "get"),
        ("/api/v1/incidents/{id}", "get"),
        ("/api/v1/stream", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/events", "post"),
        ("/api/v1/review/matrix", "get"),
        ("/api/v1/session", "post"),
        ("/api/v1/session", "get"),
        ("/api/v1/session", "delete"),
        ("/api/v1/openapi.json", "get"),
        ("/healthz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is documented"
        );
    }
    for schema in [
        "Snapshot",
        "EventBody",
        "Incident",
        "IncidentSummary",
        "Nation",
        "ExerciseView",
        "ErrorBody",
        "EventsPage",
        "Matrix",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "schema {schema}"
        );
    }
    // Every documented operation is routed (a stream is only opened, not read).
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            let concrete = path.replace("{id}", "PUB-1");
            let reply = match method.as_str() {
                "get" if path == "/api/v1/stream" => continue,
                "get" => server.get(&concrete).send().await,
                "post" => server.post(&concrete, json!({})).send().await,
                "delete" => server.delete(&concrete).send().await,
                other => panic!("unexpected method {other}"),
            };
            let routed = reply.status != 405
                && !(reply.status == 404 && reply.text.contains("there is no endpoint"));
            assert!(routed, "{method} {path}: {} {}", reply.status, reply.text);
        }
    }
}

#[tokio::test]
async fn unknown_api_paths_and_methods_are_json_errors() {
    let server = TestServer::start().await;
    check_error(
        &server.get("/api/v1/nope").send().await,
        404,
        "not_found",
        None,
    );
    check_error(
        &server.get("/api/v2/snapshot").send().await,
        404,
        "not_found",
        None,
    );
    check_error(
        &server.delete("/api/v1/events").send().await,
        405,
        "method_not_allowed",
        None,
    );
    // Without --assets there is no app either; still a JSON answer.
    let app = server.get("/incidents").send().await;
    assert_eq!(app.status, 404);
    assert!(app.json()["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("--assets")));
}

#[tokio::test]
async fn a_fresh_server_serves_an_empty_exercise() {
    let server = TestServer::start().await;
    let snapshot: Value = server.get("/api/v1/snapshot").send().await.json();
    assert_eq!(snapshot["seq"], 0);
    assert_eq!(snapshot["incidents"], json!([]));
    assert_eq!(snapshot["exercise"]["day"], 0);
}
