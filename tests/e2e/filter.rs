//! One filter for the API and the page: for each field free text searches,
//! an incident carries a word in that field alone, and
//! `GET /api/v1/incidents?q=<word>` and the page `/incidents?q=<word>` must
//! list the same incidents — for the public, and (with the restricted
//! detail) for a commander.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, Browser, Options, Server, PATIENCE};

/// Each searchable field with the word that only it holds, and the incidents
/// (by id) a reader finds with it: `(field, word, public finds, commander finds)`.
const CASES: &[(&str, &str, &[&str], &[&str])] = &[
    ("id", "qx-id-7", &["QX-ID-7"], &["QX-ID-7"]),
    ("title", "quokka", &["T-1"], &["T-1"]),
    ("summary", "wombat", &["S-1"], &["S-1"]),
    ("team", "kestrel", &["TEAM-1"], &["TEAM-1"]),
    ("category slug", "water_outage", &["CAT-1"], &["CAT-1"]),
    ("category label", "denial", &["LABEL-1"], &["LABEL-1"]),
    ("nation code", "ukr", &["NATION-1"], &["NATION-1"]),
    (
        "inject reference",
        "inj-zulu9",
        &["INJECT-1"],
        &["INJECT-1"],
    ),
    ("restricted detail", "narwhal", &[], &["DETAIL-1"]),
    ("restricted incident", "osprey", &[], &["SECRET-1"]),
];

/// Incidents whose searchable words are each in one field only.
fn incidents() -> Value {
    let plain = |id: &str, title: &str| {
        json!({"type": "incident_opened", "id": id, "title": title, "category": "phishing",
               "severity": "medium", "nations": ["EST"], "summary": "Routine.", "visibility": "public"})
    };
    let events = vec![
        plain("QX-ID-7", "Phishing at a ministry"),
        plain("T-1", "A quokka in the mail server"),
        json!({"type": "incident_opened", "id": "S-1", "title": "Odd traffic", "category": "phishing",
               "severity": "low", "nations": ["EST"], "summary": "A wombat in the logs.", "visibility": "public"}),
        json!({"type": "incident_opened", "id": "TEAM-1", "title": "Odd traffic", "category": "phishing",
               "severity": "low", "nations": ["EST"], "team": "Kestrel cell", "summary": "Routine.",
               "visibility": "public"}),
        json!({"type": "incident_opened", "id": "CAT-1", "title": "Pumps stopped", "category": "water_outage",
               "severity": "high", "nations": ["FIN"], "summary": "Routine.", "visibility": "public"}),
        json!({"type": "incident_opened", "id": "LABEL-1", "title": "Flood of requests", "category": "ddos",
               "severity": "high", "nations": ["FIN"], "summary": "Routine.", "visibility": "public"}),
        json!({"type": "incident_opened", "id": "NATION-1", "title": "Power grid probing", "category": "phishing",
               "severity": "high", "nations": ["UKR"], "summary": "Routine.", "visibility": "public"}),
        json!({"type": "incident_opened", "id": "INJECT-1", "title": "Scripted breach", "category": "phishing",
               "severity": "high", "nations": ["EST"], "summary": "Routine.", "visibility": "public",
               "inject": {"id": "INJ-ZULU9"}}),
        json!({"type": "incident_opened", "id": "DETAIL-1", "title": "Beaconing host", "category": "phishing",
               "severity": "high", "nations": ["EST"], "summary": "Routine.", "visibility": "public",
               "detail": "Narwhal implant on the file server"}),
        json!({"type": "incident_opened", "id": "SECRET-1", "title": "Osprey on the mission network",
               "category": "phishing", "severity": "critical", "nations": ["EST"], "summary": "Routine.",
               "visibility": "restricted"}),
    ];
    Value::Array(events)
}

/// `GET /api/v1/incidents?q=<word>` as the public (no token) or with a bearer token.
async fn api_ids(server: &Server, word: &str, token: Option<&str>) -> BTreeSet<String> {
    let mut request = reqwest::Client::new()
        .get(server.url("/api/v1/incidents"))
        .query(&[("q", word)]);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("list incidents");
    assert_eq!(response.status().as_u16(), 200, "q={word}");
    let body: Value = response.json().await.expect("json");
    body.as_array()
        .expect("a list")
        .iter()
        .filter_map(|incident| incident["id"].as_str().map(str::to_string))
        .collect()
}

/// The incident rows the page shows once the count says `expected` of them.
async fn page_ids(
    browser: &Browser,
    server: &Server,
    word: &str,
    expected: usize,
) -> BTreeSet<String> {
    browser
        .goto(&server.url(&format!("/incidents?q={word}")))
        .await;
    browser
        .text_when("incident-count", |text| {
            text.starts_with(&format!("{expected} of "))
        })
        .await;
    let started = Instant::now();
    loop {
        let ids: BTreeSet<String> = browser
            .incident_ids("incident-row")
            .await
            .into_iter()
            .collect();
        if ids.len() == expected || started.elapsed() > PATIENCE {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_the_page_find_the_same_incidents_for_every_searched_field() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Filter E2E")).await;
    server.post(incidents()).await;
    let commander = server.token(Role::Commander);
    let browser = Browser::start().await;

    for (field, word, public, _) in CASES {
        let api = api_ids(&server, word, None).await;
        assert_eq!(api, set(public), "API, public, {field} ({word})");
        let page = page_ids(&browser, &server, word, public.len()).await;
        assert_eq!(
            page, api,
            "page and API disagree for the public: {field} ({word})"
        );
    }

    browser.goto(&server.url("/signin")).await;
    browser.sign_in(&commander).await;
    for (field, word, _, restricted) in CASES {
        let api = api_ids(&server, word, Some(&commander)).await;
        assert_eq!(api, set(restricted), "API, commander, {field} ({word})");
        let page = page_ids(&browser, &server, word, restricted.len()).await;
        assert_eq!(
            page, api,
            "page and API disagree for a commander: {field} ({word})"
        );
    }
    browser.close().await;
}
