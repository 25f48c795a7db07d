//! The fuzz layer (`cargo xtask test` runs it as its own layer, with more
//! cases): generated event bodies posted to the real server never get a 5xx,
//! and a refused body changes nothing — the seq and the snapshot stay as
//! they were.
//!
//! Bodies come from the model's own types: every event of the built-in demo
//! scenario, serialised by the model, as is (valid), mutated one field at a
//! time (near-valid: a key dropped, a value of another type, hostile text,
//! extreme numbers, another event type, batches), arbitrary JSON, and bytes
//! that are not JSON at all. The cases run against one server in order, so
//! later bodies meet the state earlier ones left.

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

use crate::support::{exercise, observed, TestServer};

/// The model's own events, as the model serialises them.
fn templates() -> Vec<Value> {
    watchfloor_server::demo_scenario()
        .entries
        .iter()
        .take(400)
        .map(|entry| serde_json::to_value(&entry.event).expect("events serialise"))
        .collect()
}

/// Text chosen to break validators and screens.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".into()),
        Just("\u{202e}gnp.exe".into()),
        Just("a\u{200b}b".into()),
        Just(format!("e{}", "\u{301}".repeat(50))),
        Just("line\nbreak\0nul".into()),
        Just("x".repeat(100_000)),
        Just("<script>alert(1)</script>".into()),
        Just("🏴‍☠️".repeat(500)),
        Just("est".into()),
        Just("EST".into()),
        Just("2000-01-02T00:00:00Z".into()),
        Just("9999-12-31T23:59:59Z".into()),
        any::<String>(),
    ]
}

/// Numbers at and beyond every edge.
fn extreme_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(0.000_001)),
        Just(json!(100_000)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
    ]
}

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        extreme_number(),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a valid event.
#[derive(Clone, Debug)]
enum Mutation {
    Keep,
    Drop(usize),
    Replace(usize, Value),
    Text(usize, String),
    Number(usize, Value),
    Retype(&'static str),
    Extra(String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Keep),
        1 => any::<usize>().prop_map(Mutation::Drop),
        1 => (any::<usize>(), any_json()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        1 => (any::<usize>(), hostile_text()).prop_map(|(at, text)| Mutation::Text(at, text)),
        1 => (any::<usize>(), extreme_number()).prop_map(|(at, n)| Mutation::Number(at, n)),
        1 => proptest::sample::select(watchfloor_model::EventBody::KINDS.to_vec())
            .prop_map(Mutation::Retype),
        1 => ("[a-z_]{1,12}", any_json()).prop_map(|(key, value)| Mutation::Extra(key, value)),
    ]
}

fn mutate(mut event: Value, change: &Mutation) -> Value {
    let Some(object) = event.as_object_mut() else {
        return event;
    };
    let keys: Vec<String> = object.keys().cloned().collect();
    let key = |at: usize| keys[at % keys.len()].clone();
    match change {
        Mutation::Keep => {}
        Mutation::Drop(at) => {
            object.remove(&key(*at));
        }
        Mutation::Replace(at, value) => {
            object.insert(key(*at), value.clone());
        }
        Mutation::Text(at, text) => {
            object.insert(key(*at), Value::String(text.clone()));
        }
        Mutation::Number(at, number) => {
            object.insert(key(*at), number.clone());
        }
        Mutation::Retype(kind) => {
            object.insert("type".into(), Value::String(kind.to_string()));
        }
        Mutation::Extra(name, value) => {
            object.insert(name.clone(), value.clone());
        }
    }
    event
}

/// A request body: JSON to post, or raw bytes.
#[derive(Clone, Debug)]
enum Body {
    Json(Value),
    Bytes(Vec<u8>),
}

fn body(templates: Vec<Value>) -> impl Strategy<Value = Body> {
    let one = move || {
        (proptest::sample::select(templates.clone()), mutation())
            .prop_map(|(event, change)| mutate(event, &change))
    };
    prop_oneof![
        4 => one().prop_map(Body::Json),
        2 => proptest::collection::vec(one(), 0..5).prop_map(|events| Body::Json(Value::Array(events))),
        1 => any_json().prop_map(Body::Json),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Body::Bytes),
    ]
}

async fn post_one(server: &TestServer, body: &Body) -> Result<u16, TestCaseError> {
    let before = observed(server).await;
    let call = match body {
        Body::Json(value) => server.post("/api/v1/events", value.clone()),
        Body::Bytes(bytes) => server.post_raw("/api/v1/events", "application/json", bytes.clone()),
    };
    let reply = call.by(server.control()).send().await;
    prop_assert!(
        reply.status < 500,
        "{} for {body:?}: {}",
        reply.status,
        reply.text
    );
    if reply.status != 201 {
        prop_assert!(
            reply.text.contains("\"error\""),
            "a refusal says why: {}",
            reply.text
        );
        let after = observed(server).await;
        prop_assert_eq!(
            before,
            after,
            "a refused body changed the state: {:?}",
            body
        );
    }
    Ok(reply.status)
}

#[test]
#[ignore = "the fuzz layer of `cargo xtask test` runs it (PROPTEST_CASES sets the count)"]
fn generated_event_bodies_never_get_a_5xx_and_a_refusal_changes_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let templates = templates();
    // The first half of the templates, in order, gives the later ones (updates,
    // responses) incidents and nations to refer to.
    let server = runtime.block_on(async {
        let server = TestServer::start().await;
        server.append(exercise()).await;
        for event in &templates[..templates.len() / 2] {
            let _ = server
                .post("/api/v1/events", event.clone())
                .by(server.control())
                .send()
                .await;
        }
        server
    });
    let mut runner = TestRunner::new(RunnerConfig {
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    let outcome = runner.run(&body(templates), |body| {
        let status = runtime.block_on(post_one(&server, &body))?;
        *statuses.lock().expect("counts").entry(status).or_default() += 1;
        Ok(())
    });
    runtime.block_on(async { server.state.shutdown().await });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let statuses = statuses.into_inner().expect("counts");
    eprintln!("statuses of the generated bodies: {statuses:?}");
    // The generator must reach both sides of the validator, or it tests nothing.
    assert!(
        statuses.contains_key(&201),
        "no body was accepted: {statuses:?}"
    );
    assert!(
        statuses.keys().any(|status| *status >= 400),
        "no body was refused: {statuses:?}"
    );
}
