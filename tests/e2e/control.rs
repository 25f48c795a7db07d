//! The control cell's console end to end, through the real server: the
//! composer's incident reaches an open commander page, a refusal shows on
//! its field, the clock's pause and resume freeze and restart an open
//! display's countdown, fire now and skip change the MSEL table and the
//! log, and a commander gets no console.

use std::time::Duration;

use serde_json::json;
use watchfloor_model::scenario::Scenario;
use watchfloor_model::EventBody;
use watchfloor_server::Role;

use crate::harness::{basic_exercise, css, Browser, Options, Server};

async fn console(server: &Server) -> Browser {
    let browser = Browser::start_sized(1280, 900).await;
    browser.goto(&server.url("/")).await;
    browser.sign_in(&server.token(Role::Control)).await;
    browser.goto(&server.url("/control")).await;
    browser.text("control-console").await;
    browser
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_composer_s_incident_appears_on_an_open_commander_page_and_a_refusal_shows_on_its_field(
) {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Control E2E")).await;
    let commander = Browser::start().await;
    commander.goto(&server.url("/")).await;
    commander.sign_in(&server.token(Role::Commander)).await;
    commander.goto(&server.url("/incidents")).await;
    commander.text("incident-list").await;
    assert!(
        commander
            .eval("return document.querySelector(\"a[href='/control']\") === null;")
            .await
            .as_bool()
            .unwrap_or(false),
        "a commander has no Control link"
    );

    let control = console(&server).await;
    assert!(
        control
            .eval("return document.querySelector(\"nav a[href='/control']\") !== null;")
            .await
            .as_bool()
            .unwrap_or(false),
        "control has the Control link"
    );
    // A title left empty: refused on the title field, nothing posted.
    let before = server.events(None).await.len();
    control.type_into("compose-id", "CTL-1").await;
    control.type_into("compose-category", "Water utility").await;
    control.click(&css("compose-nation-EST")).await;
    control.click(&css("compose-submit")).await;
    let message = control
        .text_when("error-title", |text| !text.is_empty())
        .await;
    assert!(message.contains("title"), "{message}");
    assert_eq!(server.events(None).await.len(), before);
    // Public: the console says plainly who will see it.
    control.click(&css("compose-public")).await;
    let warning = control.text("compose-public-warning").await;
    assert!(warning.contains("press"), "{warning}");
    control.click(&css("compose-restricted")).await;
    control.gone("compose-public-warning").await;

    control
        .type_into("compose-title", "Pumping stations stop in Tallinn")
        .await;
    control
        .type_into("compose-summary", "Water pressure falls.")
        .await;
    control
        .type_into("compose-detail", "Operator laptop beaconing")
        .await;
    control.click(&css("compose-submit")).await;
    control
        .text_when("compose-done", |text| text.contains("CTL-1"))
        .await;
    control.text_when("error-title", str::is_empty).await;

    // On the commander's open page, without a reload: restricted, new category.
    commander.rows_become(&["CTL-1"]).await;
    let log = server.events(Some(&server.token(Role::Control))).await;
    let opened = log.last().expect("an event");
    assert_eq!(
        opened.by.as_deref(),
        Some("e2e"),
        "who posted it is recorded"
    );
    let EventBody::IncidentOpened(incident) = &opened.body else {
        panic!("an incident_opened: {opened:?}");
    };
    assert_eq!(incident.category, "water_utility");
    assert_eq!(
        incident.visibility,
        watchfloor_model::Visibility::Restricted
    );
    assert_eq!(incident.nations, ["EST"]);
    // The public never sees it, nor who posted anything.
    let public = server.events(None).await;
    assert!(public.iter().all(|event| event.by.is_none()));
    assert!(!format!("{public:?}").contains("CTL-1"));

    // An update from the console, with who did it on the commander's timeline.
    control.type_into("update-id", "CTL-1").await;
    control
        .eval("const s = document.querySelector(\"[data-testid='update-status']\"); s.value = 'contained'; s.dispatchEvent(new Event('change'));")
        .await;
    control
        .type_into("update-note", "Isolated the laptop")
        .await;
    control.click(&css("update-submit")).await;
    control
        .text_when("update-done", |text| text.contains("seq"))
        .await;
    commander.goto(&server.url("/incidents/CTL-1")).await;
    commander
        .text_when("incident-timeline-entry", |text| text.contains("by e2e"))
        .await;
    commander.close().await;
    control.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_freeze_and_restart_the_countdown_on_an_open_display() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Clock E2E")).await;
    let display = Browser::start_sized(1280, 720).await;
    display
        .goto(&server.url("/display?panels=status&seconds=600"))
        .await;
    let running = display.text("display-countdown").await;
    ticks(&display, &running).await;

    let control = console(&server).await;
    control
        .type_into("clock-reason", "Fire drill in building B")
        .await;
    control.click(&css("clock-pause")).await;
    control
        .text_when("control-phase", |text| text == "Paused")
        .await;
    control
        .text_when("control-pause-reason", |text| text.contains("Fire drill"))
        .await;
    display
        .text_when("display-phase", |text| text.contains("Paused"))
        .await;
    // Let the display settle on the pause (its clock calibrates against the
    // server's on every event), then the countdown must stand still.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let frozen = display.text("display-countdown").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        display.text("display-countdown").await,
        frozen,
        "frozen while paused"
    );
    let public = server.events(None).await;
    assert!(
        !format!("{public:?}").contains("Fire drill"),
        "the reason is restricted"
    );

    control.click(&css("clock-resume")).await;
    control
        .text_when("control-phase", |text| text == "Execution")
        .await;
    ticks(&display, &frozen).await;

    // ENDEX asks first.
    control.click(&css("clock-endex")).await;
    control.text("clock-confirm").await;
    assert_eq!(control.text("control-phase").await, "Execution");
    control.click(&css("clock-endex")).await;
    control
        .text_when("control-phase", |text| text == "ENDEX")
        .await;
    display.close().await;
    control.close().await;
}

/// Waits until the display's countdown reads other than `from`.
async fn ticks(browser: &Browser, from: &str) -> String {
    browser
        .text_when("display-countdown", |text| text != from)
        .await
}

/// A script whose entries after the opening fall due days later: only
/// control's hand plays them during the test.
fn script() -> Scenario {
    Scenario::parse(
        &json!({"name": "MSEL E2E", "duration": "5d", "entries": [
            {"at": "0s", "type": "phase_changed", "phase": "execution"},
            {"at": "0s", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"},
            {"at": "2d", "type": "incident_opened", "id": "MSEL-1", "title": "Scripted breach", "category": "ransomware", "severity": "high", "nations": ["EST"], "visibility": "public"},
            {"at": "2d1h", "type": "incident_updated", "id": "MSEL-1", "status": "analysing"},
            {"at": "3d", "type": "incident_opened", "id": "MSEL-2", "title": "Scripted flood", "category": "ddos", "severity": "low", "nations": ["EST"]},
            {"at": "5d", "type": "phase_changed", "phase": "endex"}
        ]})
        .to_string(),
    )
    .expect("scenario")
}

async fn row_state(browser: &Browser, index: u32, state: &str) {
    browser
        .until(
            &format!("MSEL row {index} to be {state}"),
            &format!(
                "const r = document.querySelector(\"[data-testid='msel-row'][data-index='{index}']\"); return r !== null && r.dataset.state === '{state}';"
            ),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fire_now_skip_hold_and_resume_change_the_msel_table_and_the_log() {
    let server = Server::start(Options {
        scenario: Some(script()),
        ..Options::default()
    })
    .await;
    let control = console(&server).await;
    control
        .text_when("msel-next", |text| text.starts_with("Next: #2"))
        .await;
    // Still to play: entries 2 to 5.
    control
        .text_when("msel-count", |text| text == "4 entries")
        .await;
    row_state(&control, 2, "next").await;

    // Fire entry 2 now: asked first, then fired, shown, and in the log.
    control
        .click("[data-testid='msel-row'][data-index='2'] [data-testid='msel-fire']")
        .await;
    control.text("msel-confirm").await;
    control.click(&css("msel-confirm-yes")).await;
    control
        .text_when("msel-count", |text| text == "3 entries")
        .await;
    control
        .eval("const s = document.querySelector(\"[data-testid='msel-show']\"); s.value = 'all'; s.dispatchEvent(new Event('change'));")
        .await;
    row_state(&control, 2, "fired").await;
    row_state(&control, 3, "next").await;
    // Skip entry 3.
    control
        .click("[data-testid='msel-row'][data-index='3'] [data-testid='msel-skip']")
        .await;
    control.click(&css("msel-confirm-yes")).await;
    row_state(&control, 3, "skipped").await;
    control
        .text_when("msel-next", |text| text.starts_with("Next: #4"))
        .await;
    let token = server.token(Role::Control);
    let log = server.events(Some(&token)).await;
    let fired = log
        .iter()
        .find(|event| event.entry == Some(2))
        .expect("entry 2 in the log");
    assert_eq!(fired.by.as_deref(), Some("e2e"));
    assert!(matches!(fired.body, EventBody::IncidentOpened(_)));
    let skipped = log
        .iter()
        .find(|event| event.entry == Some(3))
        .expect("entry 3 in the log");
    assert!(matches!(skipped.body, EventBody::ScenarioSkipped(_)));

    // Hold, with a reason; then resume.
    control.type_into("msel-reason", "VIP visit").await;
    control.click(&css("msel-hold")).await;
    control
        .text_when("msel-next", |text| text.contains("held: VIP visit"))
        .await;
    control.click(&css("msel-resume")).await;
    control
        .text_when("msel-next", |text| text.starts_with("Next: #4"))
        .await;
    // None of it is public.
    let public = server.events(None).await;
    assert!(public
        .iter()
        .all(|event| !event.body.is_scenario_control() && event.entry.is_none()));
    control.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commander_gets_no_console_and_403_from_its_endpoints() {
    let server = Server::start(Options {
        scenario: Some(script()),
        ..Options::default()
    })
    .await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser.sign_in(&server.token(Role::Commander)).await;
    browser.goto(&server.url("/control")).await;
    browser.text("control-refused").await;
    let statuses = browser
        .eval(
            "return Promise.all(['/api/v1/scenario/hold', '/api/v1/scenario/entries/2/fire', '/api/v1/events'].map(url =>
                fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'}).then(r => r.status)))
             .then(list => list.concat([]))",
        )
        .await;
    assert_eq!(statuses, json!([403, 403, 403]));
    let read = browser
        .eval("return fetch('/api/v1/scenario').then(r => r.status);")
        .await;
    assert_eq!(read, json!(403));
    browser.close().await;
}
