//! Every page scored: Lighthouse (desktop preset: performance and
//! accessibility, with the largest contentful paint and the total blocking
//! time) and axe-core's WCAG 2.1 A/AA rules, on the demo exercise, each page
//! as the reader it is for (the public, a commander, control).

use serde_json::Value;
use watchfloor_server::Role;

use crate::harness::{Browser, Options, Server};
use crate::stats::{summary, Section};

/// Lighthouse runs per page (its scores move a point or two between runs).
const RUNS: usize = 3;

/// The session cookie (`name=value`) a token signs in to.
async fn session_cookie(server: &Server, role: Role) -> String {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/session"))
        .header("origin", server.url(""))
        .json(&serde_json::json!({ "token": server.token(role) }))
        .send()
        .await
        .expect("sign in");
    assert!(
        response.status().is_success(),
        "sign-in: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .expect("a session cookie");
    cookie.split(';').next().unwrap_or_default().to_string()
}

/// One Lighthouse run: (performance, accessibility, LCP ms, TBT ms), and
/// the accessibility audits it failed.
async fn lighthouse(
    url: &str,
    cookie: Option<&str>,
) -> Option<((f64, f64, f64, f64), Vec<String>)> {
    let cli = std::env::var("WATCHFLOOR_LIGHTHOUSE").ok()?;
    let out = tempfile::tempdir().expect("tempdir");
    let report = out.path().join("report.json");
    let mut command = tokio::process::Command::new("node");
    command
        .arg(cli)
        .arg(url)
        .args([
            "--preset=desktop",
            "--only-categories=performance,accessibility",
            "--output=json",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ])
        .arg(format!("--output-path={}", report.display()));
    if let Some(cookie) = cookie {
        command.arg(format!(
            "--extra-headers={}",
            serde_json::json!({ "Cookie": cookie })
        ));
    }
    let status = tokio::time::timeout(std::time::Duration::from_secs(120), command.status())
        .await
        .ok()?
        .ok()?;
    if !status.success() {
        eprintln!("lighthouse {url}: {status}");
        return None;
    }
    let report: Value = serde_json::from_slice(&std::fs::read(&report).ok()?).ok()?;
    let score = |category: &str| {
        report["categories"][category]["score"]
            .as_f64()
            .map(|s| s * 100.0)
    };
    let audit = |name: &str| report["audits"][name]["numericValue"].as_f64();
    let failed = report["categories"]["accessibility"]["auditRefs"]
        .as_array()
        .map(|refs| {
            refs.iter()
                .filter_map(|reference| reference["id"].as_str())
                .filter(|id| {
                    report["audits"][*id]["score"]
                        .as_f64()
                        .is_some_and(|score| score < 1.0)
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Some((
        (
            score("performance")?,
            score("accessibility")?,
            audit("largest-contentful-paint")?,
            audit("total-blocking-time")?,
        ),
        failed,
    ))
}

pub async fn pages() -> Section {
    let server = Server::start(Options {
        scenario: Some(watchfloor_server::demo_scenario()),
        ..Options::default()
    })
    .await;
    let snapshot: Value = reqwest::get(server.url("/api/v1/snapshot"))
        .await
        .expect("snapshot")
        .json()
        .await
        .expect("snapshot json");
    let incident = snapshot["incidents"][0]["id"]
        .as_str()
        .unwrap_or("none")
        .to_string();
    let nation = snapshot["nations"][0]["code"]
        .as_str()
        .unwrap_or("EST")
        .to_string();
    let commander = session_cookie(&server, Role::Commander).await;
    let control = session_cookie(&server, Role::Control).await;
    let pages: Vec<(String, &str, Option<Role>)> = vec![
        ("/".into(), "the public", None),
        ("/".into(), "a commander", Some(Role::Commander)),
        ("/nations".into(), "a commander", Some(Role::Commander)),
        (
            format!("/nations/{nation}"),
            "a commander",
            Some(Role::Commander),
        ),
        ("/incidents".into(), "a commander", Some(Role::Commander)),
        (
            format!("/incidents/{incident}"),
            "a commander",
            Some(Role::Commander),
        ),
        (
            "/review/matrix".into(),
            "a commander",
            Some(Role::Commander),
        ),
        (
            "/review/report".into(),
            "a commander",
            Some(Role::Commander),
        ),
        ("/signin".into(), "the public", None),
        ("/display".into(), "a wall screen", None),
        ("/control".into(), "control", Some(Role::Control)),
        ("/control/screens".into(), "control", Some(Role::Control)),
    ];
    let mut section = Section::new(
        "1b. Every page: Lighthouse and axe",
        format!(
            "Lighthouse 12 (`--preset=desktop`: simulated 40 ms RTT, 10 Mbit/s, no CPU slowdown) on loopback, \
             median of {RUNS} runs per page, the reader's session cookie sent as a header; axe-core's WCAG 2.1 A/AA \
             rules in headless Chromium (1280×900) once the page shows its data. Goals: performance ≥ 98 and no axe \
             violation on every page."
        ),
    );
    let axe = std::env::var("WATCHFLOOR_AXE")
        .ok()
        .and_then(|path| std::fs::read_to_string(path).ok());
    for (path, reader, role) in &pages {
        let url = server.url(path);
        let cookie = match role {
            Some(Role::Control) => Some(control.as_str()),
            Some(_) => Some(commander.as_str()),
            None => None,
        };
        let mut runs = Vec::new();
        let mut failed = std::collections::BTreeSet::new();
        for _ in 0..RUNS {
            if let Some((run, audits)) = lighthouse(&url, cookie).await {
                runs.push(run);
                failed.extend(audits);
            }
        }
        let median = |pick: fn(&(f64, f64, f64, f64)) -> f64| {
            summary(&runs.iter().map(pick).collect::<Vec<_>>()).median
        };
        let scores = if runs.is_empty() {
            "Lighthouse did not run".to_string()
        } else {
            format!(
                "performance {:.0}, accessibility {:.0}{}; LCP {:.0} ms, TBT {:.0} ms (n={})",
                median(|r| r.0),
                median(|r| r.1),
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (failed: {})",
                        failed.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                },
                median(|r| r.2),
                median(|r| r.3),
                runs.len()
            )
        };
        let found = match &axe {
            Some(axe) => {
                let browser = Browser::start_sized(1280, 900).await;
                browser.goto(&server.url("/signin")).await;
                if let Some(role) = role {
                    browser.sign_in(&server.token(*role)).await;
                }
                browser.goto(&url).await;
                // The page with its data: the live store's first-data mark.
                let _ = browser
                    .eval(
                        "return new Promise((done) => { const t0 = Date.now(); (function wait() { \
                         if (performance.getEntriesByName('watchfloor:first-data').length || Date.now() - t0 > 10000) { setTimeout(() => done(true), 500); } \
                         else setTimeout(wait, 50); })(); });",
                    )
                    .await;
                let found = browser.axe_violations(axe).await;
                browser.close().await;
                if found.is_empty() {
                    "none".to_string()
                } else {
                    format!("{}: {}", found.len(), found.join("; "))
                }
            }
            None => "axe-core not installed".to_string(),
        };
        let performance = if runs.is_empty() {
            f64::NAN
        } else {
            median(|r| r.0)
        };
        section.row(
            format!("`{path}` as {reader}"),
            scores,
            format!("axe: {found}"),
            if performance.is_finite() {
                format!("{:.2}× of goal 98", performance / 98.0)
            } else {
                String::new()
            },
        );
    }
    section
}
