//! The nation × inject matrix and the printable report, through the real
//! server: the page shows the times the test posted, tells "no response"
//! from "not affected", sorts and filters from the URL, downloads the same
//! figures as CSV, follows the replay moment, and shows the public only the
//! public injects.

use serde_json::{json, Value};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, css, Browser, Options, Server};

/// Two scripted injects planned 2 h (public) and 3 h (restricted) ago; EST
/// detects and reports the public one, FIN is affected and silent, UKR is
/// not affected. Returns the seq before EST's first milestone.
async fn post_injects(server: &Server) -> u64 {
    server.post(basic_exercise("Matrix exercise")).await;
    let now = chrono::Utc::now();
    // Half a minute over the hour, so the figures read 2h00 for the rest of a minute.
    let planned = |hours: i64| {
        (now - chrono::Duration::hours(hours) - chrono::Duration::seconds(30)).to_rfc3339()
    };
    let opened = server
        .post(json!([
            {"type": "incident_opened", "id": "CC-PUB", "title": "Scripted grid breach", "category": "critical_infrastructure_disruption",
             "severity": "high", "nations": ["EST", "FIN"], "summary": "Public.", "visibility": "public",
             "inject": {"id": "INJ-001", "planned_at": planned(2)}},
            {"type": "incident_opened", "id": "CC-SEC", "title": "Secret breach", "category": "classified_network_breach",
             "severity": "critical", "nations": ["EST"], "summary": "Restricted.",
             "inject": {"id": "INJ-002", "planned_at": planned(3)}},
        ]))
        .await;
    let before = opened["seq"][1].as_u64().expect("seq");
    server
        .post(json!([
            {"type": "nation_response", "id": "CC-PUB", "code": "EST", "milestone": "detected"},
            {"type": "nation_response", "id": "CC-PUB", "code": "EST", "milestone": "reported"},
            {"type": "nation_response", "id": "CC-SEC", "code": "EST", "milestone": "detected"},
        ]))
        .await;
    before
}

/// `[code, state, text]` of every matrix cell, in page order.
async fn cells(browser: &Browser) -> Value {
    browser
        .eval(
            "return [...document.querySelectorAll(\"[data-testid='matrix-row']\")].flatMap((row) => \
               [...row.querySelectorAll(\"[data-testid='matrix-cell']\")].map((cell) => \
                 [row.dataset.code, cell.dataset.state, cell.textContent.trim()]));",
        )
        .await
}

async fn row_codes(browser: &Browser) -> Value {
    browser
        .eval(
            "return [...document.querySelectorAll(\"[data-testid='matrix-row']\")].map((row) => row.dataset.code);",
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_shows_the_posted_times_and_exports_them() {
    let server = Server::start(Options::default()).await;
    let before = post_injects(&server).await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser.sign_in(&server.token(Role::Commander)).await;
    browser.goto(&server.url("/review/matrix")).await;
    browser
        .text_when("matrix-count", |text| text == "3 nations × 2 injects")
        .await;
    // In inject order: the restricted one was planned first.
    let injects = browser
        .eval("return [...document.querySelectorAll(\"[data-testid='matrix-inject']\")].map((th) => th.dataset.inject);")
        .await;
    assert_eq!(injects, json!(["INJ-002", "INJ-001"]));
    assert_eq!(
        cells(&browser).await,
        json!([
            ["EST", "responded", "D 3h00 R — C — (1–4 h)"],
            ["EST", "responded", "D 2h00 R 2h00 C — (1–4 h)"],
            ["FIN", "not_affected", "— (not affected)"],
            ["FIN", "no_response", "no response"],
            ["UKR", "not_affected", "— (not affected)"],
            ["UKR", "not_affected", "— (not affected)"],
        ])
    );
    let answered = browser
        .eval("return [...document.querySelectorAll(\"[data-testid='matrix-answered']\")].map((td) => td.textContent.trim());")
        .await;
    assert_eq!(answered, json!(["2/2", "0/1", "0/0"]));
    assert_eq!(
        browser.text("matrix-fastest").await,
        "EST 3h00",
        "the first column's fastest nation"
    );

    // Sorted by the public inject, slowest first: EST has a time, the others go last.
    browser.click(&css("sort-inject-INJ-001")).await;
    browser.click(&css("sort-inject-INJ-001")).await;
    browser
        .until(
            "the sort in the URL",
            "return location.search.includes('sort=-inject:INJ-001');",
        )
        .await;
    assert_eq!(row_codes(&browser).await, json!(["EST", "FIN", "UKR"]));
    // Filtered to partners: only Ukraine.
    browser
        .goto(&server.url("/review/matrix?kind=partner&category=classified_network_breach"))
        .await;
    browser
        .text_when("matrix-count", |text| text == "1 nation × 1 inject")
        .await;
    assert_eq!(row_codes(&browser).await, json!(["UKR"]));

    // The CSV behind the page's link has the same figures, one row per nation and inject.
    let csv = browser
        .eval(
            "return fetch(document.querySelector(\"[data-testid='matrix-csv']\").href).then((r) => r.text());",
        )
        .await;
    let csv = csv.as_str().expect("csv text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 3 * 2, "{csv}");
    assert!(lines[0].starts_with("nation,nation_name,nation_kind,inject,"));
    let est = lines
        .iter()
        .find(|line| line.starts_with("EST,") && line.contains(",INJ-001,"))
        .expect("EST on INJ-001");
    let fields: Vec<&str> = est.split(',').collect();
    assert_eq!(fields[8], "responded");
    let detected: i64 = fields[9].parse().expect("seconds");
    assert!((7230..7290).contains(&detected), "{est}");

    // At the moment before the first milestone every affected nation is silent.
    browser
        .goto(&server.url(&format!("/review/matrix?at={before}")))
        .await;
    browser
        .until(
            "the matrix as it was",
            "return [...document.querySelectorAll(\"[data-testid='matrix-cell']\")].length === 6 && \
             ![...document.querySelectorAll(\"[data-testid='matrix-cell']\")].some((c) => c.dataset.state === 'responded');",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_matrix_and_report_hold_only_public_injects() {
    let server = Server::start(Options::default()).await;
    post_injects(&server).await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/review/matrix")).await;
    browser
        .text_when("matrix-count", |text| text == "3 nations × 1 inject")
        .await;
    let source = browser.page_source().await;
    assert!(!source.contains("INJ-002") && !source.contains("Secret breach"));
    let csv = browser
        .eval("return fetch('/api/v1/review/matrix?format=csv').then((r) => r.text());")
        .await;
    let csv = csv.as_str().expect("csv");
    assert!(csv.contains("INJ-001") && !csv.contains("INJ-002"), "{csv}");

    browser.goto(&server.url("/review/report")).await;
    browser
        .text_when("report-title", |text| text.contains("Matrix exercise"))
        .await;
    assert_eq!(browser.text("report-incident-total").await, "1 incident");
    // The slowest chain first: FIN never answered the public inject.
    let chains = browser
        .eval("return [...document.querySelectorAll(\"[data-testid='report-chain']\")].map((tr) => tr.textContent);")
        .await;
    let chains = chains.as_array().expect("chains");
    assert_eq!(chains.len(), 2, "{chains:?}");
    assert!(
        chains[0].as_str().unwrap_or_default().contains("FIN"),
        "{chains:?}"
    );
    assert!(chains[0]
        .as_str()
        .unwrap_or_default()
        .contains("not detected"));
    let source = browser.page_source().await;
    assert!(!source.contains("Secret breach"));
    browser.close().await;
}
