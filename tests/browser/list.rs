//! The windowed incident list: only the rows in view are in the DOM, rows
//! follow the filter, and an event redraws only the row it touched.

use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::incidents::sort::{select, Sort};
use watchfloor::incidents::IncidentList;
use watchfloor::live::LiveStore;
use watchfloor::overview::LatestChanges;
use watchfloor_model::IncidentFilter;
use watchfloor_model::Severity;

use crate::support::{all, at, incident_ids, mount, next_frame, one, settle, text, Script};

fn rows_for(store: LiveStore, filter: RwSignal<IncidentFilter>) -> Signal<Vec<usize>> {
    Signal::derive(move || {
        let filter = filter.get();
        store.incidents(|ledger| select(&ledger.state().incidents, &filter, Sort::default()))
    })
}

#[wasm_bindgen_test]
async fn ten_thousand_incidents_render_only_the_rows_in_view() {
    let mut script = Script::new();
    for index in 0..10_000 {
        let severity = ["low", "medium", "high", "critical"][index % 4];
        script.open(
            index as i64 / 4,
            &format!("CC-{index:05}"),
            "Load test",
            severity,
            &["EST"],
            "ddos",
        );
    }
    let store = script.store();
    let filter = RwSignal::new(IncidentFilter::default());
    let rows = rows_for(store, filter);
    let root = mount(
        Some(store),
        at(3000),
        move || view! { <IncidentList rows=rows height=400.0 /> },
    );
    settle().await;
    let rendered = all(&root, "incident-row").len();
    assert!((10..=40).contains(&rendered), "{rendered} rows in the DOM");
    // Newest first: CC-09999 on top.
    assert_eq!(
        all(&root, "incident-row")[0]
            .get_attribute("data-incident-id")
            .as_deref(),
        Some("CC-09999")
    );

    let scroller = root
        .query_selector(".table-scroll")
        .expect("selector")
        .expect("scroller");
    scroller.set_scroll_top(10_000 * 40);
    scroller
        .dispatch_event(&web_sys::Event::new("scroll").expect("event"))
        .expect("dispatch");
    settle().await;
    let ids = incident_ids(&root, "incident-row");
    assert!(
        ids.contains(&"CC-00000".to_string()),
        "the oldest is at the bottom"
    );
    assert!(all(&root, "incident-row").len() <= 40);

    filter.set(IncidentFilter {
        severity: vec![Severity::Critical],
        ..IncidentFilter::default()
    });
    settle().await;
    let list = one(&root, "incident-list");
    assert_eq!(list.get_attribute("aria-rowcount").as_deref(), Some("2501"));
}

#[wasm_bindgen_test]
async fn an_event_redraws_only_its_row_and_server_text_stays_text() {
    let mut script = Script::new();
    script.open(
        10,
        "CC-1",
        "Ransomware at the port authority",
        "high",
        &["EST"],
        "ransomware",
    );
    script.open(
        20,
        "CC-2",
        "<img src=x onerror=alert(1)>",
        "critical",
        &["FIN"],
        "ddos",
    );
    let store = script.store();
    let filter = RwSignal::new(IncidentFilter::default());
    let rows = rows_for(store, filter);
    let root = mount(Some(store), at(60), move || {
        view! {
            <IncidentList rows=rows />
            <LatestChanges />
        }
    });
    settle().await;
    let row = |id: &str| -> web_sys::Element {
        all(&root, "incident-row")
            .into_iter()
            .find(|row| row.get_attribute("data-incident-id").as_deref() == Some(id))
            .expect("row")
    };
    let hostile = row("CC-2");
    assert!(text(&hostile).contains("<img src=x onerror=alert(1)>"));
    assert!(
        hostile.query_selector("img").expect("selector").is_none(),
        "no element was made from it"
    );
    let untouched = row("CC-2");
    let feed_before = all(&root, "latest-change").len();

    let event = script.apply(70, json!({"type": "incident_updated", "id": "CC-1", "status": "contained", "note": "Isolated"}));
    store.apply(&event);
    settle().await;
    assert!(text(&row("CC-1")).contains("Contained"));
    assert!(
        row("CC-2").is_same_node(Some(untouched.unchecked_ref())),
        "the other row was not redrawn"
    );
    assert_eq!(all(&root, "latest-change").len(), feed_before + 1);
    assert!(text(&all(&root, "latest-change")[0]).contains("Isolated"));

    filter.set(IncidentFilter {
        text: "port".into(),
        ..IncidentFilter::default()
    });
    settle().await;
    assert_eq!(incident_ids(&root, "incident-row"), ["CC-1"]);
}

#[wasm_bindgen_test]
async fn a_burst_of_stream_events_reaches_the_views_once_per_frame() {
    let mut script = Script::new();
    script.open(10, "CC-1", "First", "high", &["EST"], "ransomware");
    let store = script.store();
    let filter = RwSignal::new(IncidentFilter::default());
    let rows = rows_for(store, filter);
    let root = mount(
        Some(store),
        at(60),
        move || view! { <IncidentList rows=rows /> },
    );
    settle().await;
    // A reconnect replays a backlog: two hundred events arrive back to back.
    let burst: Vec<_> = (0..200)
        .map(|index| {
            script.open(
                20 + index,
                &format!("BURST-{index:03}"),
                "Replayed",
                "low",
                &["FIN"],
                "ddos",
            )
        })
        .collect();
    for event in &burst {
        store.apply_coalesced(event);
    }
    settle().await;
    assert_eq!(
        incident_ids(&root, "incident-row"),
        ["CC-1"],
        "nothing redrawn before the frame"
    );
    next_frame().await;
    assert_eq!(
        one(&root, "incident-list")
            .get_attribute("aria-rowcount")
            .as_deref(),
        Some("202"),
        "all of them, in one redraw"
    );
    assert_eq!(store.seq_untracked(), burst.last().expect("events").seq);
}
