//! The incidents timeline: lanes, the time window, and only visible bars drawn.

use chrono::Duration;
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::incidents::timeline::layout::LaneMode;
use watchfloor::incidents::timeline::IncidentTimeline;
use watchfloor::ui::time_axis::TimeRange;

use crate::support::{all, at, incident_ids, mount, settle, Script};

#[wasm_bindgen_test]
async fn bars_follow_lanes_and_window() {
    let mut script = Script::new();
    script.open(
        60,
        "EARLY",
        "Early breach",
        "high",
        &["EST", "FIN"],
        "classified_network_breach",
    );
    script.open(
        6 * 60,
        "MIDDAY",
        "Midday DDoS",
        "critical",
        &["LVA"],
        "ddos",
    );
    script.open(
        30 * 60,
        "NEXT-DAY",
        "Next day phishing",
        "low",
        &["EST"],
        "phishing",
    );
    let store = script.store();
    let rows = Signal::derive(move || {
        store.incidents(|ledger| (0..ledger.state().incidents.len()).collect::<Vec<_>>())
    });
    let lanes = RwSignal::new(LaneMode::Nation);
    // The first twelve hours of the exercise.
    let window = RwSignal::new(TimeRange::new(at(0), at(12 * 60)));
    let root = mount(Some(store), at(31 * 60), move || {
        view! { <IncidentTimeline rows=rows lanes=lanes window=window /> }
    });
    settle().await;
    // EARLY has a bar in both its nations' lanes; NEXT-DAY is outside the window.
    assert_eq!(
        incident_ids(&root, "timeline-bar"),
        ["EARLY", "EARLY", "MIDDAY"]
    );
    let bar = all(&root, "timeline-bar")
        .into_iter()
        .find(|bar| bar.get_attribute("data-incident-id").as_deref() == Some("MIDDAY"))
        .expect("bar");
    assert_eq!(
        bar.get_attribute("data-severity").as_deref(),
        Some("critical")
    );
    let label = bar.get_attribute("aria-label").unwrap_or_default();
    assert!(label.contains("Critical severity"), "{label}");
    assert_eq!(
        bar.text_content().unwrap_or_default().chars().next(),
        Some('C'),
        "a letter, not only colour"
    );

    lanes.set(LaneMode::Category);
    settle().await;
    assert_eq!(incident_ids(&root, "timeline-bar"), ["EARLY", "MIDDAY"]);

    window.set(TimeRange::new(
        at(24 * 60),
        at(24 * 60) + Duration::hours(12),
    ));
    settle().await;
    // Open incidents run to now, so the earlier ones are still on screen the next day.
    assert_eq!(
        incident_ids(&root, "timeline-bar"),
        ["EARLY", "MIDDAY", "NEXT-DAY"]
    );
}
