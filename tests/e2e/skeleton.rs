//! The first vertical slice: the page in Chromium shows the server's data.

use crate::harness::{basic_exercise, Browser, Options, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_the_exercise_from_the_server() {
    // A name no build of the app could contain: it exists only in this server's log.
    let name = format!("Exercise {}", std::process::id() as u64 * 7919 + 17);
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise(&name)).await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;

    // Waits for the name, and fails the test if it never comes.
    browser
        .text_when("exercise-name", |text| text.contains(&name))
        .await;
    let phase = browser.text("exercise-phase").await;
    assert!(
        phase.to_lowercase().contains("execution"),
        "phase shown: {phase}"
    );
    let day = browser
        .text_when("exercise-day", |text| text.contains("of"))
        .await;
    assert!(
        day.contains("Day 2 of 5"),
        "30 h after STARTEX of a 5-day exercise: {day}"
    );
    // The clock is live: a NATO date-time group for now, in Zulu.
    let dtg = browser
        .text_when("dtg", |text| {
            text.ends_with(&chrono::Utc::now().format("%y").to_string())
        })
        .await;
    let expected = watchfloor_model::time::dtg(chrono::Utc::now());
    assert_eq!(&dtg[..2], &expected[..2], "day of month in {dtg}");
    assert!(dtg.contains('Z'), "{dtg}");

    // A change posted to the server shows without a reload.
    server
        .post(serde_json::json!({"type": "phase_changed", "phase": "paused"}))
        .await;
    browser
        .text_when("exercise-phase", |text| {
            text.to_lowercase().contains("paused")
        })
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_app_route_answers_with_the_app() {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Routes")).await;
    for path in [
        "/",
        "/nations",
        "/nations/EST",
        "/incidents?severity=high",
        "/display",
    ] {
        let response = reqwest::get(server.url(path)).await.expect("get");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let body = response.text().await.expect("body");
        assert!(body.contains("<html"), "{path} answers with the app");
    }
    let missing = reqwest::get(server.url("/api/v1/nope")).await.expect("get");
    assert_eq!(
        missing.status().as_u16(),
        404,
        "unknown API paths are not the app"
    );
}
