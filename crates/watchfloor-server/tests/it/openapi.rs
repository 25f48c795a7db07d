//! The OpenAPI document lists every status an endpoint can answer: each
//! documented operation is called the way a careless or hostile client
//! would (unknown audience, a wrong token, bad query values, bodies that are
//! not what it wants), and every answer's status must be among the ones the
//! document gives for that operation — and never a 5xx.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{exercise, Call, TestServer, Who};

/// The ways of calling one operation.
fn variants<'a>(server: &'a TestServer, method: &str, path: &str) -> Vec<(String, Call<'a>)> {
    let concrete = path.replace("{id}", "PUB-1").replace("{index}", "0");
    let with_query = |query: &str| {
        let separator = if concrete.contains('?') { '&' } else { '?' };
        format!("{concrete}{separator}{query}")
    };
    let mut calls: Vec<(String, Call<'a>)> = Vec::new();
    match method {
        "get" => {
            for query in [
                "",
                "audience=public",
                "audience=bogus",
                "audience=",
                "after=x",
                "severity=extreme",
                "status=open",
                "nation=est",
                "category=DDoS",
                "limit=ten",
                "limit=0",
                "q=%00%ff",
                "at=nonsense",
                "at=%23",
                "at=271430Z",
                "at=2026-11-27T14:30:00Z",
                "until=x",
                "kind=nope",
                "format=xml",
                "format=csv",
                "format=jsonl",
            ] {
                let url = if query.is_empty() {
                    concrete.clone()
                } else {
                    with_query(query)
                };
                calls.push((format!("GET {url}"), server.get(&url)));
            }
            calls.push((
                format!("GET {concrete} with a wrong token"),
                server.get(&concrete).by(Who::Bearer("not-a-token".into())),
            ));
            calls.push((
                format!("GET {concrete} with a wrong cookie"),
                server.get(&concrete).by(Who::Cookie("stale".into())),
            ));
            calls.push((
                format!("GET {concrete} as control"),
                server.get(&concrete).by(server.control()),
            ));
            for accept in ["text/csv", "application/x-ndjson", "*/*;q=0", "nonsense"] {
                calls.push((
                    format!("GET {concrete} accepting {accept}"),
                    server.get(&concrete).header("accept", accept),
                ));
            }
        }
        "post" => {
            for (label, body) in [
                ("an empty object", json!({})),
                ("a string", json!("hello")),
                ("an unknown event", json!({"type": "nope"})),
                ("a token", json!({"token": "not-a-token"})),
            ] {
                calls.push((
                    format!("POST {concrete} {label}"),
                    server.post(&concrete, body.clone()),
                ));
                calls.push((
                    format!("POST {concrete} {label} as control"),
                    server.post(&concrete, body).by(server.control()),
                ));
            }
            calls.push((
                format!("POST {concrete} not JSON"),
                server
                    .post_raw(&concrete, "application/json", "{")
                    .by(server.control()),
            ));
            calls.push((
                format!("POST {concrete} as text"),
                server
                    .post_raw(&concrete, "text/plain", "hello")
                    .by(server.control()),
            ));
            calls.push((
                format!("POST {concrete} as a commander"),
                server
                    .post(
                        &concrete,
                        json!({"type": "phase_changed", "phase": "paused"}),
                    )
                    .by(server.commander()),
            ));
        }
        "delete" => {
            calls.push((format!("DELETE {concrete}"), server.delete(&concrete)));
            calls.push((
                format!("DELETE {concrete} with a wrong cookie"),
                server.delete(&concrete).by(Who::Cookie("stale".into())),
            ));
        }
        other => panic!("an operation with an unexpected method: {other}"),
    }
    calls
}

#[tokio::test]
async fn every_status_an_endpoint_answers_is_in_the_openapi_document() {
    // With a script loaded, so that the scenario's endpoints answer as they
    // do in an exercise (its one entry falls due a day later).
    let server = TestServer::with(|config| {
        config.scenario = Some(
            watchfloor_model::scenario::Scenario::parse(
                r#"{"name": "t", "duration": "1d", "entries": [
                    {"at": "1d", "type": "phase_changed", "phase": "endex"}]}"#,
            )
            .expect("scenario"),
        )
    })
    .await;
    server.append(exercise()).await;
    let document: Value = server.get("/api/v1/openapi.json").send().await.json();
    let paths = document["paths"].as_object().expect("paths");
    let mut undocumented = Vec::new();
    let mut calls = 0;
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            let documented: Vec<u16> = operation["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .filter_map(|status| status.parse().ok())
                .collect();
            for (label, call) in variants(&server, method, path) {
                calls += 1;
                // A stream that opens answers 200 and never ends: that is its answer.
                let status =
                    match tokio::time::timeout(Duration::from_millis(500), call.send()).await {
                        Ok(reply) => {
                            assert!(
                                reply.status < 500,
                                "{label}: {} {}",
                                reply.status,
                                reply.text
                            );
                            reply.status
                        }
                        Err(_) => 200,
                    };
                if !documented.contains(&status) {
                    undocumented.push(format!("{label}: {status} (documented: {documented:?})"));
                }
            }
        }
    }
    assert!(
        calls > 100,
        "only {calls} calls: the document lost its paths?"
    );
    assert!(
        undocumented.is_empty(),
        "answers the OpenAPI document does not list:\n{}",
        undocumented.join("\n")
    );
}
