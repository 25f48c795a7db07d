//! The app under its Content-Security-Policy: every page and the display
//! render with the policy the server sends, and the browser reports no
//! violation of it — not while the page loads (the inline snapshot script,
//! Trunk's module script, the WebAssembly, the styles) and not while it runs.
//! Signing in and out through the page (same-origin writes) still works.
//!
//! How a violation is seen: Chromium queues every CSP violation as a
//! `csp-violation` report, and a `ReportingObserver` created with
//! `buffered: true` receives those queued before it existed, so a script
//! run after the page loaded still sees a blocked inline script of the
//! page's `<head>`. The test proves that on each page by breaking the policy
//! on purpose (an injected inline script) and seeing the report arrive.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{json, Value};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, css, Browser, Options, Server, PATIENCE};

/// Every `csp-violation` report queued in the page so far, as
/// `directive blocked-url` strings.
const VIOLATIONS: &str = "return new Promise(resolve => {
    const seen = [];
    const keep = reports => reports.forEach(r => seen.push(
        (r.body.effectiveDirective || '?') + ' ' + (r.body.blockedURL || r.body.blockedURI || '?')));
    const observer = new ReportingObserver(keep, {types: ['csp-violation'], buffered: true});
    observer.observe();
    setTimeout(() => { keep(observer.takeRecords()); observer.disconnect(); resolve(seen); }, 300);
});";

/// Injects an inline script, which the policy must block (it would set a flag).
const INJECT: &str = "const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.head.appendChild(s);
    return window.__injected === true;";

async fn started() -> Server {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Security E2E")).await;
    server
        .post(json!([
            {"type": "incident_opened", "id": "SEC-1", "title": "Phishing wave against a ministry",
             "category": "phishing", "severity": "high", "nations": ["EST"],
             "summary": "Credential harvesting.", "visibility": "public"},
            {"type": "incident_updated", "id": "SEC-1", "status": "analysing", "note": "Analysts on it"},
        ]))
        .await;
    server
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The page's policy as the server sends it, checked for what it must say.
async fn policy_of(server: &Server, path: &str) -> String {
    let response = reqwest::get(server.url(path)).await.expect("the page");
    assert_eq!(response.status(), 200, "{path}");
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"))
        .to_owned();
    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src "))
        .unwrap_or_else(|| panic!("{path}: no script-src in {policy}"));
    assert!(
        !script_src.contains("'unsafe-inline'"),
        "{path}: {script_src}"
    );
    assert!(
        script_src.contains("'sha256-"),
        "{path}: the inline scripts are allowed by hash: {script_src}"
    );
    for header in ["x-content-type-options", "referrer-policy"] {
        assert!(response.headers().contains_key(header), "{path}: {header}");
    }
    policy
}

/// Opens `path`, waits for `ready` (a script returning true once the page
/// shows its data), then checks that no violation was reported and that an
/// injected inline script is both blocked and reported.
async fn check_page(browser: &Browser, server: &Server, path: &str, ready: &str) {
    policy_of(server, path).await;
    browser.goto(&server.url(path)).await;
    browser.until(&format!("{path} to render"), ready).await;
    let violations = strings(&browser.eval(VIOLATIONS).await);
    assert!(
        violations.is_empty(),
        "{path}: CSP violations in the browser: {violations:?}"
    );
    // The check can see a violation: break the policy on purpose.
    assert_eq!(
        browser.eval(INJECT).await,
        Value::Bool(false),
        "{path}: an injected inline script ran"
    );
    let started = Instant::now();
    loop {
        let violations = strings(&browser.eval(VIOLATIONS).await);
        if violations
            .iter()
            .any(|violation| violation.starts_with("script-src") && violation.ends_with("inline"))
        {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{path}: the injected inline script was not reported: {violations:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn exists(test_id: &str) -> String {
    format!(
        "return document.querySelector(\"{}\") !== null;",
        css(test_id)
    )
}

fn has_text(test_id: &str, needle: &str) -> String {
    format!(
        "const e = document.querySelector(\"{}\"); return e !== null && e.textContent.includes('{needle}');",
        css(test_id)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_the_display_run_under_the_policy_without_a_violation() {
    let server = started().await;
    let browser = Browser::start().await;

    // The inline snapshot script ran: the page's first snapshot request
    // started while the HTML was still being parsed (before `domInteractive`);
    // the app's own fallback fetch can only start after its module ran, later.
    let early = "const nav = performance.getEntriesByType('navigation')[0];
        const snapshot = performance.getEntriesByType('resource')
            .find(e => e.name.includes('/api/v1/snapshot'));
        return !!nav && nav.domInteractive > 0 && !!snapshot && snapshot.startTime < nav.domInteractive;";
    let pages = [
        ("/", has_text("exercise-name", "Security E2E")),
        ("/nations", exists("nation-row")),
        ("/nations/EST", exists("nation-detail")),
        ("/incidents", exists("incident-row")),
        ("/incidents?severity=high", exists("timeline-bar")),
        (
            "/incidents/SEC-1",
            has_text("incident-title", "Phishing wave"),
        ),
        ("/signin", exists("signin-token")),
        ("/display", exists("display-panel")),
    ];
    for (path, ready) in &pages {
        check_page(&browser, &server, path, ready).await;
        browser
            .until(&format!("{path}: the early snapshot fetch"), early)
            .await;
    }

    // Signing in and out through the page: same-origin writes with the cookie.
    browser.goto(&server.url("/signin")).await;
    browser
        .sign_in_through_the_form(&server.token(Role::Commander))
        .await;
    browser
        .text_when("audience-badge", |text| text.contains("Commander"))
        .await;
    browser
        .client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&css("signout")))
        .await
        .expect("sign-out control")
        .click()
        .await
        .expect("click");
    browser
        .text_when("audience-badge", |text| text.contains("Public"))
        .await;
    let violations = strings(&browser.eval(VIOLATIONS).await);
    assert!(
        violations.is_empty(),
        "CSP violations while signing in and out: {violations:?}"
    );
    browser.close().await;
}
