//! Benchmarks in headless Chromium: first load, event to screen, a big exercise.
//!
//! Times are read from the page's own clock (Performance API marks, or a
//! MutationObserver stamping `performance.timeOrigin + performance.now()`), so
//! the WebDriver round trips used to poll them add nothing to the figures.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use watchfloor_model::pages::Page;

use crate::bare;
use crate::harness::{basic_exercise, Browser, Options, Server};
use crate::stats::{bytes, latency, ms, ratio, summary, Section};

const RUNS: usize = 7;

/// The dashboard's first-load goal, in bytes as sent.
const DASHBOARD_GOAL: u64 = 150_000;
const EVENTS: usize = 200;

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
        * 1000.0
}

/// Stamps, per marker number, when text `E2S-<n>-X` first enters the DOM.
const OBSERVER: &str = r#"
window.__seen = {};
new MutationObserver((mutations) => {
  const now = performance.timeOrigin + performance.now();
  for (const mutation of mutations) {
    const nodes = mutation.type === 'characterData' ? [mutation.target] : mutation.addedNodes;
    for (const node of nodes) {
      const text = node.textContent || '';
      const pattern = /E2S-(\d+)-X/g;
      let found;
      while ((found = pattern.exec(text))) {
        if (!(found[1] in window.__seen)) window.__seen[found[1]] = now;
      }
    }
  }
}).observe(document.body, { childList: true, subtree: true, characterData: true });
return true;
"#;

/// The epoch-ms time marker `n` reached the page, waiting for it.
async fn seen(browser: &Browser, n: usize) -> Option<f64> {
    let started = Instant::now();
    let script =
        format!("return window.__seen && window.__seen['{n}'] ? window.__seen['{n}'] : null;");
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(at) = browser.eval(&script).await.as_f64() {
            return Some(at);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

/// A mark's time since navigation start, once the page has set it.
async fn mark(browser: &Browser, name: &str) -> Option<f64> {
    let script = format!(
        "const entries = performance.getEntriesByName('{name}'); return entries.length ? entries[0].startTime : null;"
    );
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(at) = browser.eval(&script).await.as_f64() {
            return Some(at);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Posts marker incident `n` as control and returns when it was sent (epoch ms).
async fn post_marker(client: &reqwest::Client, server: &Server, control: &str, n: usize) -> f64 {
    let sent = epoch_ms();
    let response = client
        .post(server.url("/api/v1/events"))
        .bearer_auth(control)
        .json(&marker_incident(n))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 201, "bench event refused");
    sent
}

fn marker_incident(n: usize) -> Value {
    json!({"type": "incident_opened", "id": format!("E2S-{n}"), "title": format!("E2S-{n}-X bench incident"),
           "category": "ddos", "severity": "low", "nations": ["EST"],
           "summary": format!("E2S-{n}-X public summary"), "visibility": "public"})
}

pub async fn first_load() -> Section {
    let dist = crate::harness::dist();
    let server = Server::start(Options {
        scenario: Some(watchfloor_server::demo_scenario()),
        ..Options::default()
    })
    .await;
    let mut section = Section::new(
        "1. First load",
        "The built app (`dist/`) and what the server sends with `Accept-Encoding: br, gzip`; \
         time from navigation to the first exercise data on screen (Performance API mark \
         `watchfloor:first-data`) in headless Chromium on loopback, a fresh browser profile per run, \
         beside a bare HTML page whose inline script fetches the same snapshot JSON.",
    );
    let client = reqwest::Client::new();
    let mut files: Vec<_> = std::fs::read_dir(&dist)
        .expect("dist")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html")
            )
        })
        .collect();
    files.sort();
    // What the server sends for each file, with `Accept-Encoding: br, gzip`.
    let mut sent_by_name = std::collections::BTreeMap::new();
    for file in &files {
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let size = |suffix: &str| {
            let mut path = file.clone().into_os_string();
            path.push(suffix);
            std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0)
        };
        let response = client
            .get(server.url(&format!("/{name}")))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .expect("asset");
        let encoding = response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("identity")
            .to_string();
        let sent = response.bytes().await.expect("asset bytes").len() as u64;
        sent_by_name.insert(name.clone(), sent);
        let (raw, gz, br) = (size(""), size(".gz"), size(".br"));
        section.row(
            format!("`{name}`: raw / gzip / brotli on disk; sent for `br, gzip`"),
            format!(
                "{} / {} / {}; {} ({encoding})",
                bytes(raw),
                bytes(gz),
                bytes(br),
                bytes(sent)
            ),
            "",
            ratio(sent as f64, raw as f64) + " of raw",
        );
    }
    // Each entry's first load: its page and every file the page names.
    for entry in Page::ALL {
        let (path, goal) = (
            entry.root(),
            (entry == Page::Dashboard).then_some(DASHBOARD_GOAL),
        );
        let page = client
            .get(server.url(path))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .expect("page");
        let html = page.bytes().await.expect("page bytes");
        let names = watchfloor::display::deploy::asset_names(&String::from_utf8_lossy(&html));
        let assets: u64 = names
            .iter()
            .map(|name| sent_by_name.get(name).copied().unwrap_or(0))
            .sum();
        let total = html.len() as u64 + assets;
        let (reference, against) = match goal {
            Some(goal) => (
                format!("goal ≤ {} KB", goal / 1000),
                ratio(total as f64, goal as f64) + " of goal",
            ),
            None => (String::new(), String::new()),
        };
        section.row(
            format!(
                "{} (`{path}`) first load: html + js + wasm + css, as sent",
                entry.name()
            ),
            format!(
                "{} ({} bytes; {} files)",
                bytes(total),
                total,
                names.len() + 1
            ),
            reference,
            against,
        );
    }
    for row in crate::size::rows(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))) {
        section.row(row.0, row.1, row.2, row.3);
    }

    let snapshot = client
        .get(server.url("/api/v1/snapshot"))
        .send()
        .await
        .expect("snapshot")
        .bytes()
        .await
        .expect("snapshot bytes");
    let bare = bare::start().await;
    bare.set_snapshot(snapshot.clone());
    let (mut watchfloor, mut reference) = (Vec::new(), Vec::new());
    let (mut wasm_loaded, mut snapshot_loaded, mut script_ran) =
        (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let browser = Browser::start().await;
        browser.goto(&server.url("/")).await;
        if let Some(at) = mark(&browser, "watchfloor:first-data").await {
            watchfloor.push(at);
        }
        // Where the time goes: resource timings of the wasm and the snapshot.
        let timings = browser
            .eval(
                "const end = (part) => { const entry = performance.getEntriesByType('resource').find((e) => e.name.includes(part)); return entry ? entry.responseEnd : null; }; \
                 const nav = performance.getEntriesByType('navigation')[0]; \
                 return [end('_bg.wasm'), end('/api/v1/snapshot'), nav ? nav.domInteractive : null];",
            )
            .await;
        if let Some(values) = timings.as_array() {
            let value = |i: usize| values.get(i).and_then(Value::as_f64);
            wasm_loaded.extend(value(0));
            snapshot_loaded.extend(value(1));
            script_ran.extend(value(2));
        }
        browser.close().await;
        let browser = Browser::start().await;
        browser.goto(&bare.url("/bare/first")).await;
        if let Some(at) = mark(&browser, "watchfloor:first-data").await {
            reference.push(at);
        }
        browser.close().await;
    }
    let (w, r) = (summary(&watchfloor), summary(&reference));
    section.row(
        format!(
            "navigation → first exercise data (demo snapshot {})",
            bytes(snapshot.len() as u64)
        ),
        ms(w),
        format!("bare page: {}", ms(r)),
        ratio(w.median, r.median),
    );
    section.row(
        "… of which: HTML parsed (domInteractive) / wasm downloaded / snapshot downloaded",
        format!(
            "{:.1} / {:.1} / {:.1} ms",
            summary(&script_ran).median,
            summary(&wasm_loaded).median,
            summary(&snapshot_loaded).median
        ),
        "",
        "",
    );
    section
}

pub async fn event_to_screen() -> Section {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Bench exercise")).await;
    let commander = Browser::start().await;
    let token = server.token(watchfloor_server::Role::Commander);
    commander.goto(&server.url("/")).await;
    commander.sign_in(&token).await;
    commander.goto(&server.url("/incidents?view=list")).await;
    commander
        .until("the incidents page", "return document.querySelector(\"[data-testid='connection-status'][data-state='live']\") !== null;")
        .await;
    let display = Browser::start_sized(1920, 1080).await;
    display
        .goto(&server.url("/display?panels=activity&seconds=600"))
        .await;
    display
        .until(
            "the display",
            "return document.querySelector(\"[data-testid='display-panel']\") !== null;",
        )
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    commander.eval(OBSERVER).await;
    display.eval(OBSERVER).await;

    let control = server.token(watchfloor_server::Role::Control);
    let client = reqwest::Client::new();
    let (mut to_commander, mut to_display) = (Vec::new(), Vec::new());
    for n in 0..EVENTS {
        let sent = post_marker(&client, &server, &control, n).await;
        if let Some(at) = seen(&commander, n).await {
            to_commander.push(at - sent);
        }
        if let Some(at) = seen(&display, n).await {
            to_display.push(at - sent);
        }
    }
    commander.close().await;
    display.close().await;

    let bare = bare::start().await;
    let page = Browser::start().await;
    page.goto(&bare.url("/bare/sse-page")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    page.eval(OBSERVER).await;
    let mut floor = Vec::new();
    for n in 0..EVENTS {
        let sent = epoch_ms();
        client
            .post(bare.url("/bare/event"))
            .body(format!("E2S-{n}-X"))
            .send()
            .await
            .expect("bare post");
        if let Some(at) = seen(&page, n).await {
            floor.push(at - sent);
        }
    }
    page.close().await;

    let (c, d, f) = (
        summary(&to_commander),
        summary(&to_display),
        summary(&floor),
    );
    let mut section = Section::new(
        "2. Event to screen",
        format!(
            "POST one `incident_opened` (durable commit included) → its title in the DOM of an open page, \
             stamped by a MutationObserver in the page; {EVENTS} events one after another. Floor: a bare page \
             whose inline script appends each message of a bare SSE endpoint (no database)."
        ),
    );
    section.row(
        "commander page (`/incidents`, signed in)",
        latency(c),
        format!("bare SSE page: {}", latency(f)),
        ratio(c.median, f.median),
    );
    section.row(
        "display page (`/display`, public)",
        latency(d),
        format!("bare SSE page: {}", latency(f)),
        ratio(d.median, f.median),
    );
    section
}

/// The big exercise: 10,000 incidents in batches of 500, a third restricted.
const INCIDENTS: usize = 10_000;

/// Starts a server holding [`INCIDENTS`] incidents.
async fn ten_thousand() -> Server {
    let server = Server::start(Options::default()).await;
    server.post(basic_exercise("Ten thousand")).await;
    let severities = ["low", "medium", "high", "critical"];
    let categories = [
        "ddos",
        "ransomware",
        "phishing",
        "classified_network_breach",
        "data_exfiltration",
    ];
    let nations = ["EST", "FIN", "UKR"];
    for chunk in (0..INCIDENTS).collect::<Vec<_>>().chunks(500) {
        let batch: Vec<Value> = chunk
            .iter()
            .map(|&i| {
                json!({"type": "incident_opened", "id": format!("BIG-{i:05}"),
                       "title": format!("Incident {i} on the exercise network"),
                       "category": categories[i % categories.len()], "severity": severities[i % 4],
                       "nations": [nations[i % 3]], "summary": "Public summary of a benchmark incident.",
                       "detail": "Restricted detail.", "visibility": if i % 3 == 0 { "restricted" } else { "public" }})
            })
            .collect();
        server.post(Value::Array(batch)).await;
    }
    server
}

pub async fn big_exercise() -> Section {
    let server = ten_thousand().await;
    let token = server.token(watchfloor_server::Role::Commander);
    let client = reqwest::Client::new();
    let snapshot = client
        .get(server.url("/api/v1/snapshot"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("snapshot")
        .bytes()
        .await
        .expect("snapshot bytes");

    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser.sign_in(&token).await;
    let (mut first_data, mut rendered) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        browser.goto(&server.url("/incidents?view=list")).await;
        if let Some(at) = mark(&browser, "watchfloor:first-data").await {
            first_data.push(at);
        }
        if let Some(at) = mark(&browser, "watchfloor:rendered").await {
            rendered.push(at);
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let nodes = browser
        .eval("return document.getElementsByTagName('*').length;")
        .await
        .as_u64()
        .unwrap_or(0);
    let heap = heap_mb(&browser).await;
    browser.eval(OBSERVER).await;
    let control = server.token(watchfloor_server::Role::Control);
    let mut apply = Vec::new();
    for n in 0..50 {
        let sent = post_marker(&client, &server, &control, n).await;
        if let Some(at) = seen(&browser, n).await {
            apply.push(at - sent);
        }
    }
    browser.close().await;

    let bare = bare::start().await;
    bare.set_snapshot(snapshot.clone());
    let page = Browser::start().await;
    let mut floor = Vec::new();
    for _ in 0..RUNS {
        page.goto(&bare.url("/bare/big")).await;
        if let Some(at) = mark(&page, "watchfloor:rendered").await {
            floor.push(at);
        }
    }
    let floor_nodes = page
        .eval("return document.getElementsByTagName('*').length;")
        .await
        .as_u64()
        .unwrap_or(0);
    let floor_heap = heap_mb(&page).await;
    page.close().await;

    let (d, r, a, f) = (
        summary(&first_data),
        summary(&rendered),
        summary(&apply),
        summary(&floor),
    );
    let mut section = Section::new(
        "3. Big exercise in the browser",
        format!(
            "{INCIDENTS} incidents (commander: restricted ones included; snapshot {}), `/incidents` list view, \
             {RUNS} navigations. Floor: plain `JSON.parse` of the same snapshot and a windowed render of the \
             same rows in plain JavaScript.",
            bytes(snapshot.len() as u64)
        ),
    );
    section.row("navigation → snapshot applied", ms(d), "", "");
    section.row(
        "navigation → incidents rendered",
        ms(r),
        format!("floor: {}", ms(f)),
        ratio(r.median, f.median),
    );
    section.row(
        "apply one live event (POST → row in DOM)",
        latency(a),
        "",
        "",
    );
    section.row(
        "DOM nodes after load",
        nodes.to_string(),
        floor_nodes.to_string(),
        ratio(nodes as f64, floor_nodes as f64),
    );
    section.row(
        "JS heap after load (usedJSHeapSize)",
        format!("{heap:.1} MB"),
        format!("{floor_heap:.1} MB"),
        ratio(heap, floor_heap),
    );
    section
}

async fn heap_mb(browser: &Browser) -> f64 {
    browser
        .eval("if (window.gc) { gc(); } return performance.memory ? performance.memory.usedJSHeapSize : null;")
        .await
        .as_f64()
        .unwrap_or(f64::NAN)
        / 1e6
}

/// Records every animation frame's interval (ms) into `window.__frames`.
const FRAMES: &str = r#"
window.__frames = [];
let last = performance.now();
const tick = (now) => { window.__frames.push(now - last); last = now; requestAnimationFrame(tick); };
requestAnimationFrame(tick);
return true;
"#;

/// The frame intervals recorded since the last call, emptied.
async fn frames(browser: &Browser) -> Vec<f64> {
    let value = browser
        .eval("const f = window.__frames; window.__frames = []; return f;")
        .await;
    value
        .as_array()
        .map(|values| values.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// Replay of the 10,000-incident exercise from its first moments, played at
/// ×3600 on the incident list until it reaches live: the frame intervals
/// while it plays (each playback tick fetches, folds and redraws), beside
/// the same page's frames while it stands still.
pub async fn playback() -> Section {
    let server = ten_thousand().await;
    let token = server.token(watchfloor_server::Role::Commander);
    let browser = Browser::start().await;
    browser.goto(&server.url("/")).await;
    browser.sign_in(&token).await;
    let (mut idle, mut playing, mut to_live) = (Vec::new(), Vec::new(), Vec::new());
    let mut longest: f64 = 0.0;
    for _ in 0..3 {
        // Seq 5: the exercise and its nations, before the first incident.
        browser.goto(&server.url("/incidents?view=list&at=5")).await;
        browser
            .until(
                "the replay ready to play",
                "const b = document.querySelector(\"[data-testid='play-pause']\"); return !!b && !b.disabled;",
            )
            .await;
        browser.eval(FRAMES).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        idle.extend(frames(&browser).await);
        browser
            .eval(
                "const s = document.querySelector(\"[data-testid='review-speed']\"); s.value = '3600'; \
                 s.dispatchEvent(new Event('change', { bubbles: true })); \
                 document.querySelector(\"[data-testid='play-pause']\").click(); return true;",
            )
            .await;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            let live = browser
                .eval("return !document.querySelector(\"[data-testid='replay-banner']\");")
                .await;
            if live == Value::Bool(true) {
                to_live.push(started.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let run = frames(&browser).await;
        longest = run.iter().copied().fold(longest, f64::max);
        playing.extend(run);
    }
    browser.close().await;
    let (i, p, l) = (summary(&idle), summary(&playing), summary(&to_live));
    let mut section = Section::new(
        "8. Replay playback in the browser",
        format!(
            "{INCIDENTS} incidents (commander), `/incidents` list view replayed from seq 5 (before the first \
             incident) at ×3600 until it reaches live, 3 runs: intervals between animation frames while it plays \
             (each 200 ms playback tick folds the due events with the reducer and redraws), beside the same \
             page's frames standing still. All the incidents were posted within seconds, so at ×3600 every \
             tick has as many events due as the replay has fetched (pages of up to 1,000)."
        ),
    );
    section.row(
        "frame interval while playing",
        latency(p),
        format!("standing still: {}", latency(i)),
        ratio(p.p99, i.p99),
    );
    section.row(
        "longest frame while playing",
        format!("{longest:.1} ms"),
        "",
        "",
    );
    section.row("seq 5 → live at ×3600", ms(l), "", "");
    section
}
