//! The console is usable by keyboard and screen reader, and fits a laptop:
//! axe-core (WCAG 2.1 A and AA rules) finds nothing on `/control` and
//! `/control/screens` with the demo exercise loaded and a screen paired, and
//! at 1280 px neither page scrolls sideways or cuts anything off.

use serde_json::json;
use watchfloor_server::Role;

use crate::harness::{Browser, Options, Server};
use crate::layout::FIT_FINDINGS;

/// axe-core's script: `WATCHFLOOR_AXE` (set by `cargo xtask test`, which
/// installs it from npm into its cache).
fn axe_source() -> String {
    let path = std::env::var("WATCHFLOOR_AXE").expect(
        "WATCHFLOOR_AXE names axe.min.js: run through `cargo xtask test`, which installs axe-core",
    );
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

/// axe's violations on the page the browser shows, as `rule: target` lines.
async fn violations(browser: &Browser, axe: &str) -> Vec<String> {
    let script = format!(
        "{axe}\n;return axe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}}})\
           .then(r => r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' '))));"
    );
    let found = browser.eval(&script).await;
    found
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| vec![format!("axe did not run: {found}")])
}

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
    let probed = violations(&browser, &axe).await;
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
        for finding in violations(&browser, &axe).await {
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
    for finding in violations(&browser, &axe).await {
        failures.push(format!("/control with errors: axe {finding}"));
    }
    assert_eq!(failures, Vec::<String>::new(), "{}", json!(failures));
    browser.close().await;
}
