//! The dashboard end to end: signing in changes what the app shows, a deep
//! link with filters shows only matching incidents (and survives reload and
//! back), posted events appear without a reload, the overview drills down to
//! an incident's own timeline, server text stays text, and the live store
//! comes back by itself after a server restart.

use serde_json::{json, Value};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, css, Browser, Options, Server};

/// Incidents of every kind the filters tell apart.
fn incidents() -> Value {
    json!([
        {"type": "incident_opened", "id": "CRIT-EST", "title": "Ransomware at the Tallinn port authority",
         "category": "ransomware", "severity": "critical", "nations": ["EST"], "summary": "Port logistics disrupted.",
         "visibility": "public"},
        {"type": "incident_opened", "id": "CRIT-FIN", "title": "Flood against the Finnish webmail",
         "category": "ddos", "severity": "critical", "nations": ["FIN"], "visibility": "public"},
        {"type": "incident_opened", "id": "HIGH-EST", "title": "Phishing wave against Estonian ministries",
         "category": "phishing", "severity": "high", "nations": ["EST"], "visibility": "public"},
        {"type": "incident_opened", "id": "CRIT-EST-DONE", "title": "Wiper on a test range",
         "category": "ransomware", "severity": "critical", "nations": ["EST"], "visibility": "public"},
        {"type": "incident_updated", "id": "CRIT-EST-DONE", "status": "contained", "note": "Range isolated"},
        {"type": "incident_opened", "id": "SECRET-1", "title": "Breach attempt on the mission network",
         "category": "classified_network_breach", "severity": "high", "nations": ["EST"],
         "summary": "Restricted incident.", "detail": "RESTRICTED-DETAIL-5521", "visibility": "restricted"},
        {"type": "incident_opened", "id": "PUB-DETAIL", "title": "Disinformation about the exercise",
         "category": "disinformation", "severity": "low", "nations": ["UKR"], "summary": "Fake press release.",
         "detail": "PUBLIC-INCIDENT-DETAIL-8830", "visibility": "public"},
    ])
}

async fn started() -> Server {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Dashboard E2E")).await;
    server.post(incidents()).await;
    server
}

/// Waits until some element with `test_id` has text containing `needle`.
async fn some_text_contains(browser: &Browser, test_id: &str, needle: &str) {
    browser
        .until(
            &format!("{test_id} containing {needle:?}"),
            &format!(
                "return Array.from(document.querySelectorAll(\"{}\")).some(e => e.textContent.includes({}));",
                css(test_id).replace('"', "\\\""),
                serde_json::to_string(needle).expect("json string"),
            ),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_as_a_commander_shows_restricted_incidents_and_detail() {
    let server = started().await;
    let browser = Browser::start().await;

    browser.goto(&server.url("/incidents")).await;
    browser
        .text_when("audience-badge", |text| text.contains("Public"))
        .await;
    browser
        .rows_become(&[
            "CRIT-EST",
            "CRIT-EST-DONE",
            "CRIT-FIN",
            "HIGH-EST",
            "PUB-DETAIL",
        ])
        .await;

    browser.goto(&server.url("/signin")).await;
    let token = server.token(Role::Commander);
    browser.sign_in_through_the_form(&token).await;
    browser
        .text_when("audience-badge", |text| text.contains("Commander"))
        .await;
    assert_eq!(
        browser.path_and_query().await,
        "/",
        "back to the overview after signing in"
    );

    browser.click("a[href='/incidents']").await;
    browser
        .rows_become(&[
            "CRIT-EST",
            "CRIT-EST-DONE",
            "CRIT-FIN",
            "HIGH-EST",
            "PUB-DETAIL",
            "SECRET-1",
        ])
        .await;

    // A full page load keeps the session (the cookie) and shows the restricted detail.
    browser.goto(&server.url("/incidents/SECRET-1")).await;
    browser
        .text_when("incident-title", |text| {
            text == "Breach attempt on the mission network"
        })
        .await;
    browser
        .text_when("incident-detail", |text| {
            text.contains("RESTRICTED-DETAIL-5521")
        })
        .await;

    browser.goto(&server.url("/incidents/PUB-DETAIL")).await;
    browser
        .text_when("incident-detail", |text| {
            text.contains("PUBLIC-INCIDENT-DETAIL-8830")
        })
        .await;

    browser.click(&css("signout")).await;
    browser
        .text_when("audience-badge", |text| text.contains("Public"))
        .await;
    browser
        .until(
            "the restricted detail to go with the session",
            "return document.querySelector(\"[data-testid='incident-title']\") !== null \
             && document.querySelector(\"[data-testid='incident-detail']\") === null;",
        )
        .await;
    let source = browser.page_source().await;
    assert!(
        !source.contains("PUBLIC-INCIDENT-DETAIL-8830"),
        "no detail left in the page"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_with_filters_shows_only_matching_incidents_after_reload_and_back() {
    let server = started().await;
    let browser = Browser::start().await;
    let link = "/incidents?severity=critical&status=detected&nation=EST";
    browser.goto(&server.url(link)).await;
    browser.rows_become(&["CRIT-EST"]).await;
    browser
        .until(
            "the timeline to show the same incidents",
            "const bars = Array.from(document.querySelectorAll(\"[data-testid='timeline-bar']\")); \
             return bars.length > 0 && bars.every(b => b.dataset.incidentId === 'CRIT-EST');",
        )
        .await;
    // The controls show the link's filter.
    let controls = browser
        .eval(
            "return [document.querySelector(\"[data-testid='filter-severity'] input[value='critical']\").checked, \
             document.querySelector(\"[data-testid='filter-severity'] input[value='high']\").checked, \
             document.querySelector(\"[data-testid='filter-nation']\").value];",
        )
        .await;
    assert_eq!(controls, json!([true, false, "EST"]));

    browser.client.refresh().await.expect("reload");
    browser.rows_become(&["CRIT-EST"]).await;

    browser
        .click(&format!("{} input[value='high']", css("filter-severity")))
        .await;
    browser.rows_become(&["CRIT-EST", "HIGH-EST"]).await;
    let url = browser.path_and_query().await;
    assert!(
        url.contains("severity=high,critical"),
        "the filter is in the URL: {url}"
    );

    browser.client.back().await.expect("back");
    browser.rows_become(&["CRIT-EST"]).await;
    assert_eq!(browser.path_and_query().await, link);

    // Free text goes to the URL too.
    browser
        .goto(&server.url("/incidents?q=port%20authority"))
        .await;
    browser.rows_become(&["CRIT-EST"]).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_events_appear_without_a_reload() {
    let server = started().await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/incidents")).await;
    browser
        .rows_become(&[
            "CRIT-EST",
            "CRIT-EST-DONE",
            "CRIT-FIN",
            "HIGH-EST",
            "PUB-DETAIL",
        ])
        .await;
    browser
        .eval("window.__sameDocument = 42; return true;")
        .await;

    server
        .post(
            json!({"type": "incident_opened", "id": "NEW-1", "title": "Drone feed hijacked",
                     "category": "data_exfiltration", "severity": "medium", "nations": ["FIN"],
                     "visibility": "public"}),
        )
        .await;
    browser
        .rows_become(&[
            "CRIT-EST",
            "CRIT-EST-DONE",
            "CRIT-FIN",
            "HIGH-EST",
            "NEW-1",
            "PUB-DETAIL",
        ])
        .await;

    server
        .post(json!({"type": "incident_updated", "id": "NEW-1", "status": "resolved", "note": "Feed restored"}))
        .await;
    browser
        .until(
            "the row to say resolved",
            "const row = document.querySelector(\"[data-testid='incident-row'][data-incident-id='NEW-1']\"); \
             return row !== null && row.textContent.includes('Resolved');",
        )
        .await;
    assert_eq!(
        browser.eval("return window.__sameDocument;").await,
        json!(42),
        "no reload happened"
    );

    client_side_navigation_to_the_overview(&browser).await;
    some_text_contains(&browser, "latest-change", "Feed restored").await;
    browser.close().await;
}

async fn client_side_navigation_to_the_overview(browser: &Browser) {
    browser.click("nav a[href='/']").await;
    browser.text("figure-open").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_drills_down_to_an_incidents_own_timeline() {
    let server = started().await;
    server
        .post(json!([
            {"type": "nation_response", "id": "CRIT-FIN", "code": "FIN", "milestone": "detected"},
            {"type": "incident_updated", "id": "CRIT-FIN", "status": "analysing", "note": "Scrubbing centre engaged"},
        ]))
        .await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser
        .text_when("figure-open", |text| text.contains("Open incidents"))
        .await;
    some_text_contains(&browser, "latest-change", "Scrubbing centre engaged").await;
    browser
        .click(&format!(
            "{} a[href='/incidents/CRIT-FIN']",
            css("latest-change")
        ))
        .await;
    browser
        .text_when("incident-title", |text| {
            text == "Flood against the Finnish webmail"
        })
        .await;
    assert_eq!(browser.path_and_query().await, "/incidents/CRIT-FIN");
    browser
        .until(
            "two timeline entries",
            "return document.querySelectorAll(\"[data-testid='incident-timeline-entry']\").length === 2;",
        )
        .await;
    some_text_contains(
        &browser,
        "incident-timeline-entry",
        "Scrubbing centre engaged",
    )
    .await;
    browser
        .text_when("response-table", |text| text.contains("FIN"))
        .await;

    // The headline figures link to the incidents they count.
    browser.client.back().await.expect("back");
    browser.click(&css("figure-open-critical")).await;
    browser.rows_become(&["CRIT-EST", "CRIT-FIN"]).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_is_shown_as_text_never_as_markup() {
    let server = started().await;
    let title = "<img src=x onerror=\"window.__xss=1\">";
    server
        .post(json!({"type": "incident_opened", "id": "XSS-1", "title": title, "category": "phishing",
                     "severity": "high", "nations": ["EST"], "summary": "<script>window.__xss=2</script>",
                     "visibility": "public"}))
        .await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/incidents?q=xss")).await;
    browser.rows_become(&["XSS-1"]).await;
    some_text_contains(&browser, "incident-row", "<img src=x").await;
    browser.goto(&server.url("/incidents/XSS-1")).await;
    browser
        .text_when("incident-title", |text| text == title)
        .await;
    browser
        .text_when("incident-summary", |text| text.contains("<script>"))
        .await;
    let clean = browser
        .eval(
            "return document.querySelector('main img') === null \
             && document.querySelector('main script') === null \
             && window.__xss === undefined;",
        )
        .await;
    assert_eq!(clean, json!(true));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_says_it_is_stale_while_the_server_is_away_and_recovers_alone() {
    let mut server = started().await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser
        .until(
            "the stream to be live",
            "const c = document.querySelector(\"[data-testid='connection-status']\"); \
             return c !== null && c.dataset.state === 'live';",
        )
        .await;
    assert_eq!(
        browser
            .eval("return document.querySelector(\"[data-testid='stale-marker']\") === null;")
            .await,
        json!(true)
    );

    server.stop().await;
    browser
        .until(
            "the indicator to leave live",
            "const c = document.querySelector(\"[data-testid='connection-status']\"); \
             return c !== null && c.dataset.state !== 'live';",
        )
        .await;
    browser
        .text_when("stale-marker", |text| text.contains("Data as of"))
        .await;
    browser
        .text_when("exercise-name", |text| text.contains("Dashboard E2E"))
        .await;

    server.restart().await;
    server
        .post(json!({"type": "phase_changed", "phase": "paused"}))
        .await;
    browser
        .text_when("exercise-phase", |text| {
            text.to_lowercase().contains("paused")
        })
        .await;
    browser
        .until(
            "the stream to be live again",
            "const c = document.querySelector(\"[data-testid='connection-status']\"); \
             return c !== null && c.dataset.state === 'live' \
             && document.querySelector(\"[data-testid='stale-marker']\") === null;",
        )
        .await;
    browser.close().await;
}
