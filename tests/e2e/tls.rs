//! HTTPS end to end: the real server with a certificate made at test time
//! (`--tls-cert`/`--tls-key`), a browser that signs in through the page (the
//! `__Host-` `Secure` cookie) and follows the live stream over TLS.

use serde_json::{json, Value};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, Browser, Options, Server, Tls};

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
    browser.sign_in_through_the_form(&token).await;
    // The sign-in POST passed the same-origin check (the page's origin is
    // https://…) and the browser kept the `__Host-` `Secure` cookie.
    browser
        .text_when("audience-badge", |text| text.contains("Commander"))
        .await;

    browser.click("a[href='/incidents']").await;
    browser.rows_become(&["PUB-1", "SECRET-1"]).await;
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
    browser.rows_become(&["NEW-1", "PUB-1", "SECRET-1"]).await;
    assert_eq!(
        browser.eval("return window.__sameDocument;").await,
        Value::from(42),
        "the page was not reloaded"
    );
    browser.close().await;
}
