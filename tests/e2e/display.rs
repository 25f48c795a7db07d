//! The display mode end to end: what a lobby screen shows from a real server —
//! only public information even in a commander's browser, the rotation as the
//! URL sets it, recovery after a server restart without a reload, the embargo,
//! and a soak over many rotations and thousands of events.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, Browser, Options, Server, PATIENCE};

/// Text planted in a restricted incident's title, detail and note.
const RESTRICTED: &str = "RESTRICTED-MARKER-7731";
/// Text planted in a public incident's restricted detail.
const PUBLIC_DETAIL: &str = "DETAIL-MARKER-4482";

/// The `data-panel` of the panel on screen, if one is.
async fn current_panel(browser: &Browser) -> Option<String> {
    let panel = browser
        .eval("const p = document.querySelector(\"[data-testid='display-panel']\"); return p ? p.dataset.panel : null;")
        .await;
    panel.as_str().map(str::to_string)
}

/// A `data-*` attribute of the display's root.
async fn display_attribute(browser: &Browser, name: &str) -> Value {
    browser
        .eval(&format!(
            "const d = document.querySelector(\"[data-testid='display']\"); return d ? d.getAttribute('{name}') : null;"
        ))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commanders_browser_shows_only_public_information_over_a_whole_rotation() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Display redaction")).await;
    let public_title = "Port authority systems encrypted by ransomware";
    server
        .post(json!([
            {"type": "incident_opened", "id": "PUB-1", "title": public_title, "category": "ransomware",
             "severity": "high", "nations": ["EST"], "summary": "Logistics at a port are disrupted.",
             "detail": format!("Internal: {PUBLIC_DETAIL}"), "visibility": "public"},
            {"type": "incident_opened", "id": "RES-1", "title": format!("Breach {RESTRICTED}"),
             "category": "classified_network_breach", "severity": "critical", "nations": ["FIN"],
             "summary": format!("Summary {RESTRICTED}"), "detail": format!("Detail {RESTRICTED}"),
             "visibility": "restricted"},
            {"type": "incident_updated", "id": "RES-1", "status": "analysing", "note": format!("Note {RESTRICTED}")},
            {"type": "incident_updated", "id": "PUB-1", "detail": format!("More {PUBLIC_DETAIL}")},
        ]))
        .await;
    let browser = Browser::start_sized(1920, 1080).await;
    // A page of the app's origin to sign in from (an API answer opened as a
    // page may fetch nothing: its policy is `default-src 'none'`).
    browser.goto(&server.url("/signin")).await;
    browser.sign_in(&server.token(Role::Commander)).await;
    // The cookie works: this browser's own reads include the restricted incident.
    let own = browser
        .eval("return fetch('/api/v1/snapshot', {credentials: 'same-origin'}).then(r => r.text());")
        .await;
    assert!(
        own.as_str().unwrap_or_default().contains(RESTRICTED),
        "the commander's own snapshot shows restricted data"
    );

    browser.goto(&server.url("/display?seconds=5")).await;
    browser.text("display-panel").await;
    let mut panels = BTreeSet::new();
    let mut public_title_shown = false;
    let started = Instant::now();
    while panels.len() < 4 && started.elapsed() < Duration::from_secs(40) {
        let source = browser.page_source().await;
        assert!(
            !source.contains(RESTRICTED),
            "restricted text on the display"
        );
        assert!(
            !source.contains(PUBLIC_DETAIL),
            "an incident's detail on the display"
        );
        public_title_shown |= source.contains(public_title);
        if let Some(panel) = current_panel(&browser).await {
            panels.insert(panel);
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert_eq!(
        panels.into_iter().collect::<Vec<_>>(),
        ["about", "activity", "nations", "status"],
        "a whole rotation was checked"
    );
    assert!(public_title_shown, "the public incident's title is shown");
    assert_eq!(
        display_attribute(&browser, "data-audience").await,
        json!("public")
    );
    // The main app's header and navigation are not part of the display.
    let chrome = browser
        .eval("return document.querySelectorAll('header nav, nav a[href], button').length;")
        .await;
    assert_eq!(
        chrome,
        json!(0),
        "no navigation and no buttons on the display"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_url_chooses_the_panels_their_order_and_their_time() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Display rotation")).await;
    let browser = Browser::start_sized(1920, 1080).await;
    browser
        .goto(&server.url("/display?panels=nations,status&seconds=5"))
        .await;
    browser.text("display-panel").await;

    // Panels in the order seen, each once per run of it on screen.
    let mut order: Vec<String> = Vec::new();
    let mut progress_rose = false;
    let mut last_progress = -1.0;
    let started = Instant::now();
    while order.len() < 3 && started.elapsed() < Duration::from_secs(25) {
        if let Some(panel) = current_panel(&browser).await {
            if order.last() != Some(&panel) {
                order.push(panel);
                last_progress = -1.0;
            }
        }
        let progress = browser
            .eval("return document.querySelector(\"[data-testid='display-progress']\").dataset.progress;")
            .await;
        let progress: f64 = progress
            .as_str()
            .and_then(|text| text.parse().ok())
            .unwrap_or(-1.0);
        if last_progress >= 0.0 && progress > last_progress {
            progress_rose = true;
        }
        last_progress = progress;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(order, ["nations", "status", "nations"]);
    assert!(
        progress_rose,
        "the progress cue moves towards the next panel"
    );
    let indicator = browser.text("display-indicator").await;
    assert!(indicator.contains("/ 2"), "{indicator}");
    assert!(
        indicator.contains("Participation") && indicator.contains("Exercise status"),
        "{indicator}"
    );
    assert!(!indicator.contains("Incident activity"), "{indicator}");

    // Nothing on the display scrolls or sticks out of the screen.
    let fits = browser
        .eval(
            "const root = document.scrollingElement; \
             return root.scrollHeight <= innerHeight && root.scrollWidth <= innerWidth \
               && getComputedStyle(document.querySelector(\"[data-testid='display']\")).cursor === 'none';",
        )
        .await;
    assert_eq!(fits, json!(true));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_server_restart_the_display_shows_fresh_data_without_a_reload() {
    let mut server = Server::start(Options::default()).await;
    server.post(basic_exercise("Display recovery")).await;
    server
        .post(json!({"type": "incident_opened", "id": "OLD-1", "title": "Phishing wave against ministries",
                     "category": "phishing", "severity": "medium", "nations": ["EST"],
                     "summary": "Before the restart.", "visibility": "public"}))
        .await;
    let browser = Browser::start_sized(1920, 1080).await;
    browser
        .goto(&server.url("/display?panels=activity&seconds=600"))
        .await;
    browser
        .text_when("display-panel", |text| {
            text.contains("Phishing wave against ministries")
        })
        .await;
    browser
        .eval("window.__displayNotReloaded = true; return true;")
        .await;

    server.stop().await;
    let stale = browser
        .text_when("stale-marker", |text| text.contains("old"))
        .await;
    assert!(stale.contains("Data as of"), "{stale}");
    // The last data stays up meanwhile.
    let panel = browser.text("display-panel").await;
    assert!(
        panel.contains("Phishing wave against ministries"),
        "{panel}"
    );

    server.restart().await;
    let fresh_title = "Grid operator reports communications outage";
    server
        .post(
            json!({"type": "incident_opened", "id": "NEW-1", "title": fresh_title,
                     "category": "critical_infrastructure_disruption", "severity": "high",
                     "nations": ["FIN"], "summary": "After the restart.", "visibility": "public"}),
        )
        .await;
    // The reconnect loop backs off while the server is away; give it its longest wait.
    let started = Instant::now();
    let back = loop {
        let source = browser.page_source().await;
        let marker = browser
            .eval("return document.querySelector(\"[data-testid='stale-marker']\") !== null;")
            .await;
        if source.contains(fresh_title) && marker == json!(false) {
            break true;
        }
        if started.elapsed() > PATIENCE + Duration::from_secs(20) {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(back, "fresh data and no stale marker after the restart");
    assert_eq!(
        browser
            .eval("return window.__displayNotReloaded === true;")
            .await,
        json!(true),
        "recovered without reloading the page"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_an_embargo_the_display_says_so_and_holds_fresh_incidents_back() {
    let server = Server::start(Options {
        public_delay: chrono::Duration::minutes(15),
        ..Options::default()
    })
    .await;
    server.post(basic_exercise("Display embargo")).await;
    let embargoed = "EMBARGOED-INCIDENT-3307";
    server
        .post(json!({"type": "incident_opened", "id": "EMB-1", "title": embargoed, "category": "ddos",
                     "severity": "high", "nations": ["EST"], "summary": "Fresh.", "visibility": "public"}))
        .await;
    let browser = Browser::start_sized(1920, 1080).await;
    browser
        .goto(&server.url("/display?panels=activity,status&seconds=5"))
        .await;
    let notice = browser.text("display-delay").await;
    assert_eq!(notice, "Delayed by 15 min");
    server
        .post(json!({"type": "incident_opened", "id": "EMB-2", "title": format!("{embargoed} again"),
                     "category": "ddos", "severity": "low", "nations": ["EST"], "summary": "Fresher.",
                     "visibility": "public"}))
        .await;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(11) {
        let source = browser.page_source().await;
        assert!(
            !source.contains(embargoed),
            "an embargoed incident is on the display"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    browser.close().await;
}

/// The JS heap in use, in bytes, after a quiet moment: the least of a few
/// readings (a reading can land before a collection).
async fn settled_heap(browser: &Browser) -> u64 {
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut least = u64::MAX;
    for _ in 0..4 {
        let used = browser
            .eval("return (performance.memory && performance.memory.usedJSHeapSize) || 0;")
            .await;
        least = least.min(used.as_u64().unwrap_or_default());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    least
}

/// Events of one soak batch: four incidents opened (one restricted), then
/// check-ins and incident updates.
fn soak_batch(batch: usize, nations: &[&str]) -> Value {
    const CATEGORIES: [&str; 5] = [
        "ransomware",
        "ddos",
        "phishing",
        "data_exfiltration",
        "disinformation",
    ];
    const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
    const STATUSES: [&str; 3] = ["online", "degraded", "offline"];
    let mut events = Vec::with_capacity(100);
    for slot in 0..4 {
        events.push(json!({
            "type": "incident_opened",
            "id": format!("SOAK-{batch}-{slot}"),
            "title": format!("Soak incident {batch}.{slot}"),
            "category": CATEGORIES[(batch + slot) % CATEGORIES.len()],
            "severity": SEVERITIES[(batch + slot) % SEVERITIES.len()],
            "nations": [nations[(batch + slot) % nations.len()]],
            "summary": format!("Summary of soak incident {batch}.{slot}, long enough to wrap on a screen."),
            "detail": format!("Detail {batch}.{slot}"),
            "visibility": if slot == 3 { "restricted" } else { "public" },
        }));
    }
    for index in 0..96 {
        if index % 2 == 0 {
            events.push(json!({
                "type": "nation_status",
                "code": nations[(batch + index) % nations.len()],
                "status": STATUSES[(batch + index / 2) % STATUSES.len()],
            }));
        } else {
            events.push(json!({
                "type": "incident_updated",
                "id": format!("SOAK-{batch}-{}", index % 4),
                "severity": SEVERITIES[index % SEVERITIES.len()],
                "note": format!("Update {index} of batch {batch}"),
            }));
        }
    }
    Value::Array(events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_soak_over_many_rotations_and_thousands_of_events_keeps_memory_flat() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Display soak")).await;
    let extra = [
        ("DEU", "Germany"),
        ("FRA", "France"),
        ("GBR", "United Kingdom"),
        ("USA", "United States"),
        ("POL", "Poland"),
        ("NLD", "Netherlands"),
        ("ITA", "Italy"),
        ("ESP", "Spain"),
        ("NOR", "Norway"),
        ("SWE", "Sweden"),
        ("LTU", "Lithuania"),
        ("LVA", "Latvia"),
    ];
    let joins: Vec<Value> = extra
        .iter()
        .map(|(code, name)| {
            json!({"type": "nation_joined", "code": code, "name": name, "kind": "ally", "participants": 30, "teams": 3})
        })
        .collect();
    server.post(Value::Array(joins)).await;
    let mut nations: Vec<&str> = vec!["EST", "FIN", "UKR"];
    nations.extend(extra.iter().map(|(code, _)| *code));

    let browser = Browser::start_sized(1920, 1080).await;
    browser.goto(&server.url("/display?seconds=5")).await;
    browser.text("display-panel").await;
    let heap_start = settled_heap(&browser).await;
    let wasm_start = display_attribute(&browser, "data-memory").await;

    let started = Instant::now();
    let mut batches = 0;
    let mut panel_changes = 0;
    let mut last_panel = current_panel(&browser).await;
    while started.elapsed() < Duration::from_secs(35) {
        server.post(soak_batch(batches, &nations)).await;
        batches += 1;
        let panel = current_panel(&browser).await;
        if panel != last_panel {
            panel_changes += 1;
            last_panel = panel;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let events = batches * 100;
    // The display has caught up: the last batch's incident is on screen once
    // the activity panel comes round.
    let last_title = format!("Soak incident {}.2", batches - 1);
    let caught_up = Instant::now();
    while caught_up.elapsed() < Duration::from_secs(25) {
        if browser.page_source().await.contains(&last_title) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        browser.page_source().await.contains(&last_title),
        "the display kept up with {events} events"
    );
    let heap_end = settled_heap(&browser).await;
    let wasm_end = display_attribute(&browser, "data-memory").await;
    let nodes = browser
        .eval("return document.getElementsByTagName('*').length;")
        .await;
    println!(
        "display soak: {events} events in {batches} batches, {panel_changes} panel changes; \
         JS heap {heap_start} -> {heap_end} bytes; wasm memory {wasm_start} -> {wasm_end} bytes; {nodes} DOM elements"
    );
    assert!(events >= 2_000, "only {events} events were posted");
    assert!(panel_changes >= 5, "only {panel_changes} panel changes");
    assert!(heap_start > 0, "performance.memory is available");
    assert!(
        heap_end < heap_start * 3 + 20 * 1024 * 1024,
        "the JS heap grew from {heap_start} to {heap_end} bytes"
    );
    assert!(
        nodes.as_u64().unwrap_or(u64::MAX) < 2_000,
        "{nodes} DOM elements"
    );
    browser.close().await;
}

/// The burn-in drift moves the content inside the screen: at each extreme
/// of the drift the frame, its progress bar at the bottom and every panel
/// edge stay within the window (before, a full-screen frame moved up to
/// 6 px past the edge of a 1080p screen and cut the progress bar).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_burn_in_drift_keeps_everything_on_the_screen() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Burn-in")).await;
    let browser = Browser::start_sized(1920, 1080).await;
    browser
        .goto(&server.url("/display?panels=status,about&seconds=600"))
        .await;
    browser.text("display-countdown").await;
    browser.text("display-progress").await;
    for (x, y) in [(1, 1), (-1, -1), (1, -1), (-1, 1)] {
        let outside = browser
            .eval(&format!(
                "const frame = document.querySelector('.display-frame'); \
                 frame.style.setProperty('--shift-x', '{x}'); frame.style.setProperty('--shift-y', '{y}'); \
                 const w = window.innerWidth, h = window.innerHeight; \
                 return [frame, document.querySelector(\"[data-testid='display-progress']\")] \
                   .filter((el) => el !== null) \
                   .map((el) => [el.className, el.getBoundingClientRect()]) \
                   .filter(([, b]) => b.left < -0.01 || b.top < -0.01 || b.right > w + 0.01 || b.bottom > h + 0.01) \
                   .map(([name, b]) => `${{name}} ${{b.left}},${{b.top}}..${{b.right}},${{b.bottom}} of ${{w}}x${{h}}`);"
            ))
            .await;
        assert_eq!(outside, json!([]), "at drift ({x}, {y})");
    }
    browser.close().await;
}
