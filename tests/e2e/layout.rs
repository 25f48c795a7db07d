//! The dashboard is usable on a laptop, a tablet and a phone: from a 1280 px
//! window nothing pushes the page sideways and the nations map fits its
//! panel; at 390 px and 768 px every page fits its width, nothing is cut off
//! at the edge and no text is clipped without an ellipsis.

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

/// A script returning what does not fit the viewport, as a list of
/// human-readable findings (empty when the page fits). Three checks:
///
/// 1. **No sideways scroll**: `document.documentElement.scrollWidth` is at
///    most `window.innerWidth` + 1.
/// 2. **Nothing drawn past the edge**: for every element with a box (wider
///    and taller than 1 px, not `visibility: hidden`), its *visible* box is
///    its border box cut by every ancestor that clips (computed `overflow-x`
///    other than `visible`, up to but not including `<body>`/`<html>`); if
///    that visible box is not empty, its right edge must be at most
///    `innerWidth` + 1 and its left edge at least −1. So content that some
///    panel clips does not count, but anything the user would see cut by the
///    screen's edge does, even if the page itself were made not to scroll.
/// 3. **No silently clipped text**: an element that is not `display: inline`,
///    whose computed `overflow-x` is `hidden` or `clip`, which contains text
///    and whose `scrollWidth` exceeds its `clientWidth` + 1, must say so with
///    `text-overflow: ellipsis`. And no element scrolls sideways inside the
///    page either (`overflow-x` `auto`/`scroll` with `scrollWidth` >
///    `clientWidth` + 1): tables must become lists, not scroll.
///    Exempt: the visually hidden helpers (1 px boxes), the timeline's
///    bars, whose length is data (drawn to scale, labelled in full by
///    `aria-label` and `title`, their visible text ellipsised), and, for
///    this third check only, the timeline's lanes, which clip the bars that
///    run on past the window's edges (pan to see them).
///
/// Widths are `window.innerWidth`, scroll bar included, as CSS media
/// queries count them. (Headless Chromium's window is at least 500 px wide,
/// so the harness emulates a phone's viewport below that.)
pub(crate) const FIT_FINDINGS: &str = r#"
const width = window.innerWidth;
const findings = [];
const page = document.documentElement;
if (page.scrollWidth > width + 1) {
  findings.push(`the page scrolls sideways: scrollWidth ${page.scrollWidth} > innerWidth ${width}`);
}
const name = (el) => {
  const id = el.getAttribute('data-testid');
  const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
  const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return `<${el.tagName.toLowerCase()}${cls}${id ? `[data-testid=${id}]` : ''}> "${text}"`;
};
const clipped = (style) => style.overflowX !== 'visible';
for (const el of document.body.querySelectorAll('*')) {
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden') continue;
  const box = el.getBoundingClientRect();
  if (box.width <= 1 || box.height <= 1) continue;
  if (el.closest("[data-testid='timeline-bar']")) continue;
  // The timeline's lanes: bars run on past the window's edges by design.
  const lanes = el.matches('.timeline-scroll, .timeline-canvas, .timeline-plot, .lane');
  let left = box.left, right = box.right, top = box.top, bottom = box.bottom;
  for (let up = el.parentElement; up && up !== document.body && up !== page; up = up.parentElement) {
    if (clipped(getComputedStyle(up))) {
      const clip = up.getBoundingClientRect();
      left = Math.max(left, clip.left); right = Math.min(right, clip.right);
      top = Math.max(top, clip.top); bottom = Math.min(bottom, clip.bottom);
    }
  }
  if (right - left > 0.5 && bottom - top > 0.5 && (right > width + 1 || left < -1)) {
    findings.push(`past the edge (${Math.round(box.left)}..${Math.round(box.right)} of ${width}): ${name(el)}`);
  }
  if (style.display === 'inline' || !(el.textContent || '').trim()) continue;
  const overflowing = !lanes && el.scrollWidth > el.clientWidth + 1;
  if (!overflowing) continue;
  if ((style.overflowX === 'hidden' || style.overflowX === 'clip') && style.textOverflow !== 'ellipsis') {
    findings.push(`text clipped (${el.scrollWidth} > ${el.clientWidth}): ${name(el)}`);
  }
  if (style.overflowX === 'auto' || style.overflowX === 'scroll') {
    findings.push(`scrolls sideways (${el.scrollWidth} > ${el.clientWidth}): ${name(el)}`);
  }
}
return findings;
"#;

/// Every dashboard page fits a phone (390 px) and a tablet (768 px): see
/// [`FIT_FINDINGS`] for what "fits" means. A commander is signed in (the
/// header's widest state), with long incident titles and nation names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_page_fits_a_phone_and_a_tablet() {
    let server = Server::start(Options::default()).await;
    server
        .post(crate::harness::basic_exercise(
            "Cyber Coalition Northern Resolve",
        ))
        .await;
    server
        .post(serde_json::json!([
            {"type": "nation_joined", "code": "GBR", "name": "United Kingdom of Great Britain and Northern Ireland",
             "kind": "ally", "participants": 55, "teams": 4},
            {"type": "nation_joined", "code": "NLD", "name": "Kingdom of the Netherlands", "kind": "ally",
             "participants": 30, "teams": 2},
        ]))
        .await;
    let titles = [
        "Ransomware encrypts the logistics scheduling servers of the Tallinn port authority",
        "Distributed denial of service against the Finnish national webmail and identity provider",
        "Spear-phishing wave impersonating the exercise control cell targets Estonian ministries",
        "Disinformation campaign about the exercise spreads on regional social networks",
        "Data exfiltration from a contractor's engineering share via a compromised VPN appliance",
        "Supervisory control system of a water utility shows unexplained setpoint changes",
    ];
    let nations = [
        ["EST", "FIN", "UKR"],
        ["FIN", "GBR", "NLD"],
        ["EST", "GBR", "UKR"],
        ["UKR", "NLD", "FIN"],
        ["NLD", "EST", "GBR"],
        ["GBR", "FIN", "EST"],
    ];
    let severities = ["critical", "high", "medium", "low", "high", "critical"];
    let events: Vec<serde_json::Value> = titles
        .iter()
        .enumerate()
        .map(|(index, title)| {
            serde_json::json!({
                "type": "incident_opened", "id": format!("INC-LONG-{index}"), "title": title,
                "category": "phishing", "severity": severities[index],
                "nations": nations[index],
                "summary": "A summary that is long enough to need wrapping on a phone screen, \
                            with a https://very-long-host-name.example.invalid/path/that/does/not/break URL.",
                "visibility": "public",
                "inject": {"id": format!("INJ-{index:03}")}
            })
        })
        .collect();
    server.post(serde_json::Value::Array(events)).await;
    server
        .post(serde_json::json!([
            {"type": "incident_updated", "id": "INC-LONG-0", "status": "contained",
             "note": "Scheduling servers isolated; restoring from the offline backups taken before the exercise began."},
            {"type": "nation_response", "id": "INC-LONG-0", "code": "EST", "milestone": "detected"},
            {"type": "nation_response", "id": "INC-LONG-0", "code": "FIN", "milestone": "reported"},
        ]))
        .await;
    let commander = server.token(watchfloor_server::Role::Commander);
    let pages: [(&str, &str); 8] = [
        ("/", "open-incident"),
        ("/nations", "nation-row"),
        ("/nations/EST", "nation-detail"),
        ("/incidents", "incident-row"),
        ("/incidents/INC-LONG-0", "incident-title"),
        ("/review/matrix", "matrix-row"),
        ("/review/report", "report-title"),
        ("/signin", "signin-token"),
    ];
    let mut failures = Vec::new();
    for (width, height) in [(390, 844), (768, 1024)] {
        let browser = Browser::start_sized(width, height).await;
        browser.goto(&server.url("/signin")).await;
        browser.sign_in(&commander).await;
        for (path, ready) in pages {
            browser.goto(&server.url(path)).await;
            browser
                .until(
                    &format!("{path} to show [data-testid={ready}]"),
                    &format!(
                        "return !!document.querySelector(\"[data-testid='{ready}']\") && \
                         !!document.querySelector(\"[data-testid='exercise-phase']:not([hidden])\");"
                    ),
                )
                .await;
            // Let the timeline measure itself and fonts settle.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let findings = browser.eval(FIT_FINDINGS).await;
            let findings = findings.as_array().cloned().unwrap_or_default();
            // The first few say what is wrong; an overflowing element's
            // descendants tend to repeat it.
            for finding in findings.iter().take(12) {
                failures.push(format!(
                    "{width} px {path}: {}",
                    finding.as_str().unwrap_or("?")
                ));
            }
            if findings.len() > 12 {
                failures.push(format!(
                    "{width} px {path}: … and {} more",
                    findings.len() - 12
                ));
            }
        }
        browser.close().await;
    }
    assert!(
        failures.is_empty(),
        "pages do not fit:\n{}",
        failures.join("\n")
    );
}

/// On a tablet the timeline pans by dragging its plot: a drag to the right
/// shows earlier times, and the new window is in the URL, as with the pan
/// buttons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dragging_the_timeline_pans_it_and_writes_the_url() {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    use fantoccini::Locator;

    let server = Server::start(Options::default()).await;
    server
        .post(crate::harness::basic_exercise("Drag exercise"))
        .await;
    server
        .post(serde_json::json!([
            {"type": "incident_opened", "id": "DRAG-1", "title": "Phishing wave", "category": "phishing",
             "severity": "high", "nations": ["EST"], "visibility": "public"},
        ]))
        .await;
    let browser = Browser::start_sized(768, 1024).await;
    browser.goto(&server.url("/incidents?span=6h")).await;
    browser.text("timeline-bar").await;
    let before = browser.text("timeline-window").await;
    let plot = browser
        .client
        .find(Locator::Css(".timeline-scroll"))
        .await
        .expect("the timeline's lanes");
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: plot,
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(std::time::Duration::from_millis(150)),
            x: 60,
            y: 0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(std::time::Duration::from_millis(150)),
            x: 60,
            y: 0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser
        .client
        .perform_actions(drag)
        .await
        .expect("drag the plot");
    // Following now, a 6 h window starts 4.5 h ago; 120 px of a ~500 px plot
    // is well over ten minutes further back.
    browser
        .until(
            "an earlier window in the URL",
            "const from = new URLSearchParams(location.search).get('from'); \
             return !!from && new Date(from).getTime() < Date.now() - 4.5 * 3600e3 - 10 * 60e3;",
        )
        .await;
    browser
        .text_when("timeline-window", |text| text != before)
        .await;
    assert_eq!(
        browser.eval("return location.pathname;").await,
        serde_json::json!("/incidents"),
        "the drag did not follow a link"
    );
    browser.close().await;
}
