//! The dashboard is usable from a 1280 px window up: nothing pushes the page
//! sideways and the nations map fits its panel.

use crate::harness::{Browser, Options, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_fits_a_1280_px_window() {
    let server = Server::start(Options {
        scenario: Some(watchfloor_server::demo_scenario()),
        ..Options::default()
    })
    .await;
    let browser = Browser::start_sized(1280, 900).await;
    browser.goto(&server.url("/")).await;
    browser
        .text_when("exercise-name", |text| text.contains("Cyber Coalition"))
        .await;
    browser
        .until(
            "the nations map",
            "return document.querySelectorAll(\"[data-testid='nation-tile']\").length >= 30;",
        )
        .await;
    let overflow = browser
        .eval(
            "const page = document.documentElement; \
             return page.scrollWidth - page.clientWidth;",
        )
        .await;
    assert_eq!(overflow.as_i64(), Some(0), "the page scrolls sideways");
    let outside = browser
        .eval(
            "const panel = document.querySelector('.nation-tiles').getBoundingClientRect(); \
             return [...document.querySelectorAll(\"[data-testid='nation-tile']\")] \
               .filter((tile) => { const box = tile.getBoundingClientRect(); \
                 return box.right > panel.right + 1 || box.left < panel.left - 1; }) \
               .map((tile) => tile.dataset.code);",
        )
        .await;
    assert_eq!(outside, serde_json::json!([]), "tiles outside the map");
    browser.close().await;
}
