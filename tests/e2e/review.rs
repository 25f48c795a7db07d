//! Replay end to end, through the real server: a page at `?at=` shows the
//! exercise as it was (an incident's old title before the change, the new
//! one after, on the incident page and in the list), the overview's figures
//! at a moment are the fold of the log up to it, a followed link keeps the
//! moment, the moment survives a reload, playing forward returns to live,
//! the track takes a click, a public reader's replay holds nothing
//! restricted, and replayed pages with the scrubber open fit a phone.

use serde_json::{json, Value};
use watchfloor_model::{IncidentStatus, Severity, State};
use watchfloor_server::Role;

use crate::harness::{basic_exercise, css, Browser, Options, Server};

const OLD_TITLE: &str = "Ransomware at the grain terminal";
const NEW_TITLE: &str = "Ransomware at the grain terminal and the rail yard";

/// A server with the basic exercise and REN-1, whose title changes at the
/// returned seq.
async fn retitled() -> (Server, u64) {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Replay E2E")).await;
    server
        .post(json!([
            {"type": "incident_opened", "id": "REN-1", "title": OLD_TITLE, "category": "ransomware",
             "severity": "high", "nations": ["EST"], "summary": "Terminal scheduling down.",
             "visibility": "public", "inject": {"id": "INJ-007", "planned_at": null}},
            {"type": "incident_updated", "id": "REN-1", "status": "analysing", "note": "Triage"},
        ]))
        .await;
    let changed = server
        .post_seqs(json!([
            {"type": "incident_updated", "id": "REN-1", "title": NEW_TITLE, "note": "Scope widened"},
        ]))
        .await[0];
    server
        .post(json!([
            {"type": "incident_updated", "id": "REN-1", "status": "contained", "note": "Isolated"},
        ]))
        .await;
    (server, changed)
}

/// Waits until REN-1's row in the incident list has `title`.
async fn row_title_becomes(browser: &Browser, title: &str) {
    browser
        .until(
            &format!("REN-1's row to read {title:?}"),
            &format!(
                "const cell = document.querySelector(\"[data-testid='incident-row'][data-incident-id='REN-1'] .cell-title\"); \
                 return !!cell && cell.textContent.trim() === {};",
                serde_json::to_string(title).expect("json string")
            ),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_before_a_title_change_shows_the_old_title_and_after_it_the_new() {
    let (server, changed) = retitled().await;
    let before = changed - 1;
    let browser = Browser::start().await;

    browser
        .goto(&server.url(&format!("/incidents/REN-1?at={before}")))
        .await;
    let banner = browser.replay_shows(before).await;
    assert!(banner.starts_with("Replay — state at "), "{banner}");
    browser
        .text_when("incident-title", |text| text == OLD_TITLE)
        .await;

    browser
        .goto(&server.url(&format!("/incidents?at={before}")))
        .await;
    browser.replay_shows(before).await;
    row_title_becomes(&browser, OLD_TITLE).await;

    // A link followed in the replay keeps the moment.
    browser
        .click("[data-testid='incident-row'][data-incident-id='REN-1'] .cell-title a")
        .await;
    browser
        .text_when("incident-title", |text| text == OLD_TITLE)
        .await;
    assert_eq!(
        browser.path_and_query().await,
        format!("/incidents/REN-1?at={before}")
    );

    browser
        .goto(&server.url(&format!("/incidents/REN-1?at={changed}")))
        .await;
    browser.replay_shows(changed).await;
    browser
        .text_when("incident-title", |text| text == NEW_TITLE)
        .await;
    browser
        .goto(&server.url(&format!("/incidents?at={changed}")))
        .await;
    browser.replay_shows(changed).await;
    row_title_becomes(&browser, NEW_TITLE).await;

    // Back to live: the banner goes, and so does `?at=`.
    browser.click(&css("back-to-live")).await;
    browser.gone("replay-banner").await;
    assert_eq!(browser.path_and_query().await, "/incidents");
    row_title_becomes(&browser, NEW_TITLE).await;
    browser.close().await;
}

/// The overview's headline figures, as the test computes them from a state.
fn figures(state: &State) -> Value {
    let open = |severity: Option<Severity>| {
        state
            .incidents
            .iter()
            .filter(|incident| incident.status.is_open())
            .filter(|incident| severity.is_none_or(|severity| incident.severity == severity))
            .count()
            .to_string()
    };
    let with_status = |status: IncidentStatus| {
        state
            .incidents
            .iter()
            .filter(|incident| incident.status == status)
            .count()
            .to_string()
    };
    json!({
        "nations": state.nations.len().to_string(),
        "open": open(None),
        "critical": open(Some(Severity::Critical)),
        "high": open(Some(Severity::High)),
        "medium": open(Some(Severity::Medium)),
        "low": open(Some(Severity::Low)),
        "resolved": with_status(IncidentStatus::Resolved),
    })
}

const READ_FIGURES: &str = "
const value = (id) => document.querySelector(`[data-testid='${id}'] .figure-value`).textContent.trim();
const count = (severity) => document.querySelector(`[data-testid='figure-open-${severity}'] .count`).textContent.trim();
return {nations: value('figure-nations'), open: value('figure-open'), critical: count('critical'),
        high: count('high'), medium: count('medium'), low: count('low'), resolved: value('figure-resolved')};
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_s_figures_at_a_moment_are_the_fold_of_the_log_up_to_it() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Fold E2E")).await;
    server
        .post(json!([
            {"type": "incident_opened", "id": "F-1", "title": "Wiper", "category": "ransomware",
             "severity": "critical", "nations": ["EST"], "visibility": "public"},
            {"type": "incident_opened", "id": "F-2", "title": "Flood", "category": "ddos",
             "severity": "high", "nations": ["FIN"], "visibility": "public"},
            {"type": "incident_opened", "id": "F-3", "title": "Mission network", "category": "classified_network_breach",
             "severity": "critical", "nations": ["EST"], "visibility": "restricted", "detail": "Restricted detail"},
            {"type": "incident_updated", "id": "F-1", "status": "resolved", "note": "Restored"},
        ]))
        .await;
    let moment = server
        .post_seqs(json!([
            {"type": "incident_opened", "id": "F-4", "title": "Leak", "category": "data_exfiltration",
             "severity": "medium", "nations": ["UKR"], "visibility": "public"},
        ]))
        .await[0];
    // After the moment: none of this may show in the replay.
    server
        .post(json!([
            {"type": "nation_joined", "code": "LVA", "name": "Latvia", "kind": "ally", "participants": 12, "teams": 1},
            {"type": "incident_updated", "id": "F-2", "status": "resolved", "note": "Mitigated"},
            {"type": "incident_opened", "id": "F-5", "title": "Late", "category": "phishing",
             "severity": "low", "nations": ["EST"], "visibility": "public"},
        ]))
        .await;

    // The test's own fold of the log the server gives a commander.
    let commander = server.token(Role::Commander);
    let mut state = State::default();
    for event in server.events(Some(&commander)).await {
        if event.seq > moment {
            break;
        }
        state.apply(&event).expect("the log folds");
    }
    assert_eq!(state.seq, moment);
    let expected = figures(&state);

    let browser = Browser::start().await;
    browser.goto(&server.url("/signin")).await;
    browser.sign_in(&commander).await;
    browser.goto(&server.url(&format!("/?at={moment}"))).await;
    browser.replay_shows(moment).await;
    browser
        .until(
            "the headline figures",
            "return !!document.querySelector(\"[data-testid='figure-open'] .figure-value\");",
        )
        .await;
    assert_eq!(browser.eval(READ_FIGURES).await, expected);
    // The latest changes end at the moment too.
    let seqs = browser
        .eval(
            "return Array.from(document.querySelectorAll(\"[data-testid='latest-change']\")) \
             .map(e => Number(e.dataset.seq));",
        )
        .await;
    let seqs: Vec<u64> = serde_json::from_value(seqs).expect("seqs");
    assert!(!seqs.is_empty());
    assert!(seqs.iter().all(|seq| *seq <= moment), "{seqs:?}");

    // Live, the figures are the whole log's.
    browser.click(&css("back-to-live")).await;
    browser.gone("replay-banner").await;
    let mut whole = State::default();
    for event in server.events(Some(&commander)).await {
        whole.apply(&event).expect("the log folds");
    }
    let expected_live = figures(&whole);
    assert_ne!(expected_live, expected, "the test moves something");
    browser
        .until(
            "the live figures",
            &format!(
                "const read = (() => {{ {READ_FIGURES} }})(); const want = {expected_live}; \
                 return Object.keys(want).every((key) => read[key] === want[key]);"
            ),
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_moment_survives_a_reload_and_playing_forward_returns_to_live() {
    let (server, changed) = retitled().await;
    let before = changed - 1;
    let browser = Browser::start().await;
    browser
        .goto(&server.url(&format!("/incidents?status=analysing&at={before}")))
        .await;
    browser.replay_shows(before).await;
    row_title_becomes(&browser, OLD_TITLE).await;

    browser.client.refresh().await.expect("reload");
    browser.replay_shows(before).await;
    row_title_becomes(&browser, OLD_TITLE).await;
    assert_eq!(
        browser.query_value("at").await.as_deref(),
        Some(&*before.to_string())
    );
    assert_eq!(
        browser.query_value("status").await.as_deref(),
        Some("analysing")
    );

    // The scrubber opened with the replay: the inject is on its track.
    browser.text("review-scrubber").await;
    assert_eq!(browser.incident_ids("review-mark-inject").await, ["REN-1"]);

    // One event forward, then play the rest at an hour a second.
    browser.click(&css("next-event")).await;
    browser.replay_shows(changed).await;
    assert_eq!(
        browser.query_value("at").await.as_deref(),
        Some(&*changed.to_string())
    );
    browser
        .eval(
            "const speed = document.querySelector(\"[data-testid='review-speed']\"); \
             speed.value = '3600'; speed.dispatchEvent(new Event('change')); return true;",
        )
        .await;
    browser.click(&css("play-pause")).await;
    browser.gone("replay-banner").await;
    assert_eq!(browser.query_value("at").await, None, "back to live");
    assert_eq!(
        browser.query_value("status").await.as_deref(),
        Some("analysing"),
        "the page's own parameters stay"
    );
    browser
        .text_when("playback-state", |text| text == "Live")
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_on_the_track_replays_that_time() {
    let (server, _) = retitled().await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser
        .text_when("exercise-name", |text| text.contains("Replay E2E"))
        .await;
    browser.click(&css("review-toggle")).await;
    browser.text("scrubber-track").await;
    // STARTEX was 30 h ago and ENDEX is 90 h ahead: a tenth of the way
    // along is before the first event (the log began now).
    let width = browser
        .eval("return document.querySelector(\"[data-testid='scrubber-track']\").getBoundingClientRect().width;")
        .await
        .as_f64()
        .expect("a width");
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let track = browser
        .client
        .find(fantoccini::Locator::Css(&css("scrubber-track")))
        .await
        .expect("the track");
    let press = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: track,
            duration: None,
            x: -(width * 0.4) as i64,
            y: 0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser
        .client
        .perform_actions(press)
        .await
        .expect("click the track");
    browser.replay_shows(0).await;
    let at = browser
        .query_value("at")
        .await
        .expect("a moment in the URL");
    let at: chrono::DateTime<chrono::Utc> = at.parse().expect("an RFC 3339 time");
    let now = chrono::Utc::now();
    assert!(
        at < now - chrono::Duration::hours(12) && at > now - chrono::Duration::hours(30),
        "{at}"
    );
    // The keys move the thumb; End is live.
    let thumb = browser
        .client
        .find(fantoccini::Locator::Css(&css("scrubber-thumb")))
        .await
        .expect("the thumb");
    thumb.send_keys("\u{E010}").await.expect("press End");
    browser.gone("replay-banner").await;
    assert_eq!(browser.query_value("at").await, None);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_reader_s_replay_shows_nothing_restricted() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Public replay E2E")).await;
    server
        .post(json!([
            {"type": "incident_opened", "id": "SECRET-9", "title": "Secret replay title 4471",
             "category": "classified_network_breach", "severity": "critical", "nations": ["EST"],
             "summary": "Restricted summary 4471", "detail": "RESTRICTED-REPLAY-DETAIL-4471",
             "visibility": "restricted", "inject": {"id": "INJ-SECRET", "planned_at": null}},
            {"type": "incident_updated", "id": "SECRET-9", "title": "Secret retitled 4471", "note": "Restricted note 4471"},
            {"type": "incident_opened", "id": "PUB-9", "title": "Public replay incident", "category": "ddos",
             "severity": "high", "nations": ["FIN"], "summary": "Public summary",
             "detail": "PUBLIC-INCIDENT-REPLAY-DETAIL-4471", "visibility": "public",
             "inject": {"id": "INJ-PUBLIC", "planned_at": null}},
        ]))
        .await;
    // The public's own sequence: PUB-9 opened at public seq 6, live seq 8.
    let public = server.events(None).await;
    let head = public.last().expect("public events").seq;
    assert_eq!(head, 6);

    let browser = Browser::start().await;
    browser
        .goto(&server.url(&format!("/incidents?at={head}")))
        .await;
    browser.replay_shows(head).await;
    browser.rows_become(&["PUB-9"]).await;
    assert_eq!(browser.incident_ids("review-mark-inject").await, ["PUB-9"]);
    browser
        .goto(&server.url(&format!("/incidents/SECRET-9?at={head}")))
        .await;
    browser.replay_shows(head).await;
    browser.text("incident-missing").await;
    browser
        .goto(&server.url(&format!("/incidents/PUB-9?at={head}")))
        .await;
    browser.replay_shows(head).await;
    browser
        .text_when("incident-title", |text| text == "Public replay incident")
        .await;
    browser.goto(&server.url(&format!("/?at={head}"))).await;
    browser.replay_shows(head).await;
    browser.text("open-incident").await;
    // Open the marks list too: nothing restricted anywhere in the page.
    browser.click("[data-testid='review-marks'] summary").await;
    let source = browser.page_source().await;
    for secret in ["4471", "SECRET-9", "INJ-SECRET"] {
        assert!(!source.contains(secret), "{secret} is in the public replay");
    }
    browser.close().await;
}

/// Replayed pages, with the scrubber and the banner, fit a phone and a
/// tablet as the live ones do (see `layout::FIT_FINDINGS`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_pages_with_the_scrubber_fit_a_phone_and_a_tablet() {
    let (server, changed) = retitled().await;
    let commander = server.token(Role::Commander);
    let pages = [
        ("/", "open-incident"),
        ("/nations", "nation-row"),
        ("/nations/EST", "nation-detail"),
        ("/incidents", "incident-row"),
        ("/incidents/REN-1", "incident-title"),
    ];
    let mut failures = Vec::new();
    for (width, height) in [(390, 844), (768, 1024)] {
        let browser = Browser::start_sized(width, height).await;
        browser.goto(&server.url("/signin")).await;
        browser.sign_in(&commander).await;
        for (path, ready) in pages {
            let url = format!("{path}?at={changed}");
            browser.goto(&server.url(&url)).await;
            browser.replay_shows(changed).await;
            browser.text(ready).await;
            browser.text("review-scrubber").await;
            browser.click("[data-testid='review-marks'] summary").await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let findings = browser.eval(crate::layout::FIT_FINDINGS).await;
            for finding in findings
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .take(12)
            {
                failures.push(format!(
                    "{width} px {url}: {}",
                    finding.as_str().unwrap_or("?")
                ));
            }
        }
        browser.close().await;
    }
    assert!(
        failures.is_empty(),
        "replayed pages do not fit:\n{}",
        failures.join("\n")
    );
}
