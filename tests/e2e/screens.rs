//! The wall screens end to end: a display pairs by the code it shows, turns
//! up in the fleet view with its heartbeat, follows a remote panel change
//! and a hold slide within a moment, goes back to a code when unpaired; the
//! safe slide reaches every paired display; a display session reads only
//! the public picture and posts nothing.

use std::time::Instant;

use serde_json::json;
use watchfloor_server::Role;

use crate::harness::{basic_exercise, css, Browser, Options, Server};

/// A bare `/display`, until it shows its pairing code; the code.
async fn unpaired_display(server: &Server) -> (Browser, String) {
    let display = Browser::start_sized(1280, 720).await;
    display.goto(&server.url("/display")).await;
    let code = display
        .text_when("display-pair-code", |text| text.len() == 7)
        .await;
    (display, code)
}

/// Waits until the display shows panel `panel`.
async fn shows_panel(display: &Browser, panel: &str) {
    display
        .until(
            &format!("the display to show {panel}"),
            &format!(
                "const d = document.querySelector(\"[data-testid='display']\"); \
                 return d !== null && d.dataset.current === '{panel}' \
                   && document.querySelector(\".display-cover\") === null;"
            ),
        )
        .await;
}

async fn pair_by_api(server: &Server, code: &str, name: &str) -> u64 {
    let answer = reqwest::Client::new()
        .post(server.url("/api/v1/screens"))
        .bearer_auth(server.token(Role::Control))
        .json(&json!({"code": code, "name": name}))
        .send()
        .await
        .expect("pair");
    assert_eq!(answer.status().as_u16(), 201);
    answer.json::<serde_json::Value>().await.expect("json")["screen"]
        .as_u64()
        .expect("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_pairs_by_its_code_follows_the_console_and_goes_back_to_a_code_when_unpaired() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Screens E2E")).await;
    let (display, code) = unpaired_display(&server).await;

    let control = Browser::start_sized(1280, 900).await;
    control.goto(&server.url("/")).await;
    control.sign_in(&server.token(Role::Control)).await;
    control.goto(&server.url("/control/screens")).await;
    control.text("fleet-empty").await;
    // A wrong code is refused on its field.
    control.type_into("pair-code", "ZZZ ZZZ").await;
    control.type_into("pair-name", "Lobby 1").await;
    control.click(&css("pair-submit")).await;
    control
        .text_when("error-code", |text| text.contains("no screen shows"))
        .await;
    // The code as it reads on the screen, with its space.
    control.type_into("pair-code", &code.to_lowercase()).await;
    control.click(&css("pair-submit")).await;
    control
        .text_when("pair-done", |text| text.contains("Lobby 1"))
        .await;

    // The display pairs by itself and shows its panels; the fleet sees its heartbeat.
    display.gone("display-pairing").await;
    shows_panel(&display, "status").await;
    control
        .until(
            "the screen online in the fleet",
            "const r = document.querySelector(\"[data-testid='fleet-row']\"); \
             return r !== null && r.dataset.online === 'true' && /\\d+ × \\d+/.test(r.textContent);",
        )
        .await;
    assert!(control.text("fleet-showing").await.contains("status"));

    // A remote panel change, followed without a reload.
    let marker = display
        .eval("window.__notReloaded = true; return true;")
        .await;
    assert_eq!(marker, json!(true));
    control.type_into("settings-panels", "about:30").await;
    control
        .text_when("settings-preview", |text| text == "About the exercise 30 s")
        .await;
    let sent = Instant::now();
    control.click(&css("settings-submit")).await;
    shows_panel(&display, "about").await;
    let followed = sent.elapsed();
    assert_eq!(
        display.eval("return window.__notReloaded === true;").await,
        json!(true)
    );

    // A hold slide, then cleared.
    control
        .type_into("slide-title", "Press briefing 1400Z")
        .await;
    control.type_into("slide-text", "Room B").await;
    let sent = Instant::now();
    control.click(&css("slide-submit")).await;
    display
        .text_when("display-slide-title", |text| text == "Press briefing 1400Z")
        .await;
    let slid = sent.elapsed();
    assert_eq!(
        display
            .eval("const top = document.elementFromPoint(innerWidth / 2, innerHeight / 3); return top !== null && top.closest(\".display-slide\") !== null;")
            .await,
        json!(true),
        "the slide is on top of the rotation"
    );
    control.click(&css("slide-clear")).await;
    display.gone("display-slide").await;
    println!("remote panel change followed in {followed:?}, hold slide shown in {slid:?} (loopback, 2 cores)");

    // The display's session reads the public picture only and posts nothing.
    let audience = display
        .eval("return fetch('/api/v1/snapshot').then(r => r.json()).then(s => s.audience);")
        .await;
    assert_eq!(audience, json!("public"));
    let statuses = display
        .eval(
            "return Promise.all([
               fetch('/api/v1/events', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({type: 'safe_slide', on: true})}),
               fetch('/api/v1/screens'),
               fetch('/api/v1/scenario'),
             ].map(p => p.then(r => r.status)));",
        )
        .await;
    assert_eq!(statuses, json!([403, 403, 403]));

    // Unpaired from the console: the screen shows a new code within seconds.
    control.click(&css("fleet-unpair")).await;
    control.click(&css("fleet-unpair-yes")).await;
    let again = display
        .text_when("display-pair-code", |text| text.len() == 7)
        .await;
    assert_ne!(again, code, "a fresh code");
    control.text("fleet-empty").await;
    display.close().await;
    control.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_safe_slide_reaches_every_paired_display_and_ends_on_every_one() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Safe E2E")).await;
    let (lobby, lobby_code) = unpaired_display(&server).await;
    let (press, press_code) = unpaired_display(&server).await;
    let lobby_id = pair_by_api(&server, &lobby_code, "Lobby").await;
    pair_by_api(&server, &press_code, "Press room").await;
    for display in [&lobby, &press] {
        display.gone("display-pairing").await;
    }
    let control = Browser::start_sized(1280, 900).await;
    control.goto(&server.url("/")).await;
    control.sign_in(&server.token(Role::Control)).await;
    control.goto(&server.url("/control/screens")).await;
    let sent = Instant::now();
    control.click(&css("safe-on-button")).await;
    for display in [&lobby, &press] {
        display.text("display-safe").await;
    }
    let reached = sent.elapsed();
    control.text("safe-on").await;
    // Nothing of the exercise shows through.
    for display in [&lobby, &press] {
        let covered = display
            .eval(
                "const c = document.querySelector(\"[data-testid='display-safe']\").getBoundingClientRect(); \
                 const top = document.elementFromPoint(innerWidth / 2, innerHeight / 2); \
                 return c.left <= 0 && c.top <= 0 && c.right >= innerWidth && c.bottom >= innerHeight \
                   && top !== null && top.closest(\"[data-testid='display-safe']\") !== null \
                   && getComputedStyle(document.querySelector('.display-cover')).backgroundColor !== 'rgba(0, 0, 0, 0)';",
            )
            .await;
        assert_eq!(covered, json!(true));
    }
    // Who did it is in the log.
    let log = server.events(Some(&server.token(Role::Control))).await;
    let safe = log
        .iter()
        .find(|event| event.body.kind() == "safe_slide")
        .expect("safe_slide in the log");
    assert_eq!(safe.by.as_deref(), Some("e2e"));
    control.click(&css("safe-off")).await;
    for display in [&lobby, &press] {
        display.gone("display-safe").await;
    }
    // A hold slide to some screens only: the lobby shows it, the press room not.
    control
        .click(&css(&format!("slide-target-{lobby_id}")))
        .await;
    control.type_into("slide-title", "Lobby only").await;
    control.click(&css("slide-submit")).await;
    lobby
        .text_when("display-slide-title", |text| text == "Lobby only")
        .await;
    control.text("slide-done").await;
    assert_eq!(
        press
            .eval("return document.querySelector(\"[data-testid='display-slide']\") === null;")
            .await,
        json!(true),
        "the press room was not chosen"
    );
    println!("safe slide on two displays in {reached:?} (loopback, 2 cores)");
    for browser in [lobby, press, control] {
        browser.close().await;
    }
}
