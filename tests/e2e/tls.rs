//! HTTPS end to end: the real server with a certificate made at test time
//! (`--tls-cert`/`--tls-key`), a browser that signs in through the page (the
//! `__Host-` `Secure` cookie) and follows the live stream over TLS.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{json, Value};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, css, Browser, Options, Server, Tls, PATIENCE};

/// The sorted incident ids of the list's rows.
async fn rows(browser: &Browser) -> Vec<String> {
    let value = browser
        .eval(
            "return Array.from(document.querySelectorAll(\"[data-testid='incident-row']\")) \
             .map(e => e.dataset.incidentId).sort();",
        )
        .await;
    let mut ids: Vec<String> = value
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ids.dedup();
    ids
}

async fn rows_become(browser: &Browser, expected: &[&str]) {
    let started = Instant::now();
    let mut last = Vec::new();
    while started.elapsed() < PATIENCE {
        last = rows(browser).await;
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("incident rows never became {expected:?}; last {last:?}");
}

async fn click(browser: &Browser, selector: &str) {
    let started = Instant::now();
    loop {
        match browser.client.find(Locator::Css(selector)).await {
            Ok(element) => {
                element.click().await.expect("click");
                return;
            }
            Err(error) if started.elapsed() > PATIENCE => panic!("no {selector} to click: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_a_commander_signs_in_through_the_page_and_the_stream_is_live() {
    let server = Server::start(Options {
        tls: Some(Tls::generate()),
        ..Options::default()
    })
    .await;
    assert!(server.url("/").starts_with("https://"));
    server.post(basic_exercise("TLS E2E")).await;
    server
        .post(json!([
            {"type": "incident_opened", "id": "PUB-1", "title": "Flood against a ministry",
             "category": "ddos", "severity": "high", "nations": ["EST"], "visibility": "public"},
            {"type": "incident_opened", "id": "SECRET-1", "title": "Breach attempt on the mission network",
             "category": "classified_network_breach", "severity": "high", "nations": ["EST"],
             "visibility": "restricted"},
        ]))
        .await;

    let browser = Browser::start_ignoring_certificate_errors().await;
    browser.goto(&server.url("/signin")).await;
    assert_eq!(
        browser.eval("return window.location.protocol;").await,
        Value::from("https:")
    );
    browser
        .text_when("audience-badge", |text| text.contains("Public"))
        .await;
    let token = server.token(Role::Commander);
    let input = browser
        .client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&css("signin-token")))
        .await
        .expect("token field");
    input.send_keys(&token).await.expect("type the token");
    click(&browser, &css("signin-submit")).await;
    // The sign-in POST passed the same-origin check (the page's origin is
    // https://…) and the browser kept the `__Host-` `Secure` cookie.
    browser
        .text_when("audience-badge", |text| text.contains("Commander"))
        .await;

    click(&browser, "a[href='/incidents']").await;
    rows_become(&browser, &["PUB-1", "SECRET-1"]).await;
    browser
        .eval("window.__sameDocument = 42; return true;")
        .await;

    server
        .post(
            json!({"type": "incident_opened", "id": "NEW-1", "title": "Drone feed hijacked",
                     "category": "data_exfiltration", "severity": "medium", "nations": ["FIN"],
                     "visibility": "restricted"}),
        )
        .await;
    // A restricted incident arrives over the commander's live stream.
    rows_become(&browser, &["NEW-1", "PUB-1", "SECRET-1"]).await;
    assert_eq!(
        browser.eval("return window.__sameDocument;").await,
        Value::from(42),
        "the page was not reloaded"
    );
    browser.close().await;
}
