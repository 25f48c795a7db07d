//! Every page is usable by keyboard and screen reader: axe-core (WCAG 2.1 A
//! and AA rules) finds nothing on any dashboard page, any display panel or
//! the pairing screen, and on `/control` and `/control/screens` with the
//! demo exercise loaded; at 1280 px neither console page scrolls sideways or
//! cuts anything off.

use serde_json::json;
use watchfloor_server::Role;

use crate::harness::{axe_source, Browser, Options, Server};
use crate::layout::FIT_FINDINGS;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_has_no_axe_violations_and_fits_a_1280_px_laptop() {
    let axe = axe_source();
    let server = Server::start(Options {
        scenario: Some(watchfloor_server::demo_scenario()),
        ..Options::default()
    })
    .await;
    let browser = Browser::start_sized(1280, 900).await;
    browser.goto(&server.url("/")).await;
    browser.sign_in(&server.token(Role::Control)).await;
    // axe really runs and sees the page: an unlabelled field put in on
    // purpose is found, then taken out again.
    browser.goto(&server.url("/control")).await;
    browser.text("msel-row").await;
    browser
        .eval("const probe = document.createElement('input'); probe.id = 'axe-probe'; document.querySelector('main').append(probe); return true;")
        .await;
    let probed = browser.axe_violations(&axe).await;
    assert!(
        probed
            .iter()
            .any(|finding| finding.starts_with("label: #axe-probe")),
        "axe missed an unlabelled field: {probed:?}"
    );
    let mut failures = Vec::new();
    for (path, ready) in [
        ("/control", "msel-row"),
        ("/control/screens", "fleet-empty"),
    ] {
        browser.goto(&server.url(path)).await;
        browser.text(ready).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        for finding in browser.axe_violations(&axe).await {
            failures.push(format!("{path} axe {finding}"));
        }
        let fit = browser.eval(FIT_FINDINGS).await;
        for finding in fit.as_array().cloned().unwrap_or_default().iter().take(8) {
            failures.push(format!(
                "{path} at 1280 px: {}",
                finding.as_str().unwrap_or("?")
            ));
        }
    }
    // The composer with its public warning and a refusal on a field shown.
    browser.goto(&server.url("/control")).await;
    browser.click("[data-testid='compose-public']").await;
    browser.click("[data-testid='compose-submit']").await;
    browser
        .text_when("error-title", |text| !text.is_empty())
        .await;
    for finding in browser.axe_violations(&axe).await {
        failures.push(format!("/control with errors: axe {finding}"));
    }
    assert_eq!(failures, Vec::<String>::new(), "{}", json!(failures));
    browser.close().await;
}

/// Waits for `[data-testid=ready]`, then lets the page settle.
async fn shown(browser: &Browser, path: &str, ready: &str) {
    browser
        .until(
            &format!("{path} to show [data-testid={ready}]"),
            &format!("return !!document.querySelector(\"[data-testid='{ready}']\");"),
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_page_and_display_panel_has_no_axe_violations() {
    let axe = axe_source();
    let server = Server::start(Options {
        scenario: Some(watchfloor_server::demo_scenario()),
        ..Options::default()
    })
    .await;
    let snapshot: serde_json::Value = reqwest::get(server.url("/api/v1/snapshot"))
        .await
        .expect("snapshot")
        .json()
        .await
        .expect("snapshot json");
    let incident = snapshot["incidents"][0]["id"]
        .as_str()
        .expect("the demo has incidents")
        .to_string();
    let mut failures = Vec::new();
    let browser = Browser::start_sized(1280, 900).await;
    // The public first: the overview and sign-in as anyone sees them.
    for (path, ready) in [("/", "open-incident"), ("/signin", "signin-token")] {
        browser.goto(&server.url(path)).await;
        shown(&browser, path, ready).await;
        for finding in browser.axe_violations(&axe).await {
            failures.push(format!("{path} (public) axe {finding}"));
        }
    }
    browser.sign_in(&server.token(Role::Commander)).await;
    let incident_page = format!("/incidents/{incident}");
    for (path, ready) in [
        ("/", "open-incident"),
        ("/nations", "nation-row"),
        ("/nations/EST", "nation-detail"),
        ("/incidents", "incident-row"),
        ("/incidents?q=matches-nothing-at-all", "incident-list"),
        (incident_page.as_str(), "incident-title"),
        ("/review/matrix", "matrix-row"),
        ("/review/report", "report-title"),
    ] {
        browser.goto(&server.url(path)).await;
        shown(&browser, path, ready).await;
        for finding in browser.axe_violations(&axe).await {
            failures.push(format!("{path} axe {finding}"));
        }
    }
    browser.close().await;
    // The wall display, each panel on its own, and a bare screen's pairing code.
    let browser = Browser::start_sized(1920, 1080).await;
    for panel in ["status", "nations", "activity", "about"] {
        let path = format!("/display?panels={panel}&seconds=600");
        browser.goto(&server.url(&path)).await;
        shown(&browser, &path, "display-panel").await;
        for finding in browser.axe_violations(&axe).await {
            failures.push(format!("{path} axe {finding}"));
        }
    }
    browser.goto(&server.url("/display")).await;
    shown(&browser, "/display", "display-pair-code").await;
    for finding in browser.axe_violations(&axe).await {
        failures.push(format!("/display (pairing) axe {finding}"));
    }
    browser.close().await;
    assert_eq!(failures, Vec::<String>::new(), "{}", json!(failures));
}
