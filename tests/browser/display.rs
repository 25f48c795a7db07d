//! Component tests of the display mode: rotation and its progress cue, the
//! URL settings, the stale marker, the embargo notice, and that nothing
//! restricted is drawn even if it reached the store.

use std::cell::Cell;
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::display::settings::DisplaySettings;
use watchfloor::display::DisplayScreen;
use watchfloor::live::reconnect::Connection;
use watchfloor::live::{provide_store, LiveOptions, LiveStore};
use watchfloor::ui::clock::{provide_fixed_clock, system_now};
use watchfloor_model::{Audience, Event, EventBody, Snapshot, State};

/// Marks text that must never be drawn.
const SECRET: &str = "SECRET-DETAIL-5521";
const RESTRICTED_TITLE: &str = "RESTRICTED-TITLE-5522";

/// A state folded from events one minute apart, ending just before `now`.
fn state(now: DateTime<Utc>, paused: bool) -> State {
    let mut bodies = vec![
        json!({"type": "exercise_updated", "name": "Cyber Coalition 26", "edition": "19th edition",
               "organiser": "NATO Allied Command Transformation",
               "startex": (now - Duration::hours(50)).to_rfc3339(),
               "endex": (now + Duration::hours(70)).to_rfc3339()}),
        json!({"type": "phase_changed", "phase": "execution"}),
        json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally", "participants": 56, "teams": 6}),
        json!({"type": "nation_joined", "code": "UKR", "name": "Ukraine", "kind": "partner", "participants": 20, "teams": 2}),
        json!({"type": "nation_joined", "code": "EU-CDS", "name": "EU Cyber Defence Staff", "kind": "organisation", "participants": 12, "teams": 2}),
        json!({"type": "nation_status", "code": "UKR", "status": "degraded"}),
        json!({"type": "incident_opened", "id": "CC-1", "title": "Ransomware at a port authority",
               "category": "ransomware", "severity": "high", "nations": ["EST"],
               "summary": "Port logistics systems encrypted.", "detail": SECRET, "visibility": "public"}),
        json!({"type": "incident_opened", "id": "CC-2", "title": RESTRICTED_TITLE,
               "category": "classified_network_breach", "severity": "critical", "nations": ["EST"],
               "summary": "Restricted summary", "detail": SECRET, "visibility": "restricted"}),
    ];
    if paused {
        bodies.push(json!({"type": "phase_changed", "phase": "paused"}));
    }
    let count = bodies.len() as i64;
    let mut state = State::default();
    for (index, body) in bodies.into_iter().enumerate() {
        let body: EventBody = serde_json::from_value(body).expect("event json");
        let event = Event {
            by: None,
            entry: None,
            seq: index as u64 + 1,
            at: now - Duration::minutes(count - index as i64),
            body,
        };
        state.apply(&event).expect("valid event");
    }
    state
}

/// What a test drives a mounted display with: its store and its elapsed time.
type Handles = (LiveStore, RwSignal<u64>);

/// A display mounted in its own container, with handles to drive it.
struct Mounted {
    container: web_sys::HtmlElement,
    store: LiveStore,
    elapsed: RwSignal<u64>,
    /// Unmounts the view when dropped.
    _handle: Box<dyn std::any::Any>,
}

impl Mounted {
    /// Mounts a display with `query` as its URL query, fed `snapshot`
    /// (the store as a public display holds it), its clock stopped at `now`.
    async fn new(query: &[(&str, &str)], snapshot: Snapshot, now: DateTime<Utc>) -> Mounted {
        let document = document();
        let container: web_sys::HtmlElement = document
            .create_element("div")
            .expect("a div")
            .dyn_into()
            .expect("an HTML element");
        document
            .body()
            .expect("a body")
            .append_child(&container)
            .expect("append");
        let settings = DisplaySettings::from_query(query);
        let exported: Rc<Cell<Option<Handles>>> = Rc::new(Cell::new(None));
        let export = exported.clone();
        let handle = leptos::mount::mount_to(container.clone(), move || {
            provide_fixed_clock(now);
            let store = LiveStore::detached(LiveOptions { public_only: true });
            provide_store(store);
            store.load(snapshot);
            let elapsed = RwSignal::new(0u64);
            export.set(Some((store, elapsed)));
            let settings = Signal::stored(settings);
            view! { <DisplayScreen settings=settings elapsed_ms=elapsed /> }.into_any()
        });
        let (store, elapsed) = exported.take().expect("mounted");
        leptos::task::tick().await;
        Mounted {
            container,
            store,
            elapsed,
            _handle: Box::new(handle),
        }
    }

    async fn at(&self, elapsed_ms: u64) {
        self.elapsed.set(elapsed_ms);
        leptos::task::tick().await;
    }

    fn all(&self, selector: &str) -> Vec<web_sys::Element> {
        let list = self
            .container
            .query_selector_all(selector)
            .expect("selector");
        (0..list.length())
            .filter_map(|index| list.item(index))
            .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
            .collect()
    }

    fn one(&self, test_id: &str) -> Option<web_sys::Element> {
        self.container
            .query_selector(&format!("[data-testid='{test_id}']"))
            .expect("selector")
    }

    fn text(&self, test_id: &str) -> String {
        self.one(test_id)
            .and_then(|element| element.text_content())
            .unwrap_or_default()
    }

    fn attribute(&self, test_id: &str, name: &str) -> String {
        self.one(test_id)
            .and_then(|element| element.get_attribute(name))
            .unwrap_or_default()
    }

    /// The panels in the DOM, by `data-panel`.
    fn panels(&self) -> Vec<String> {
        self.all("[data-testid='display-panel']")
            .iter()
            .filter_map(|element| element.get_attribute("data-panel"))
            .collect()
    }

    fn html(&self) -> String {
        self.container.inner_html()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.container.remove();
    }
}

fn now() -> DateTime<Utc> {
    "2026-11-25T14:32:05Z".parse().expect("time")
}

fn public_snapshot(state: &State, delay_s: u64) -> Snapshot {
    let mut snapshot = Snapshot::new(&state.redacted(Audience::Public), Audience::Public, now());
    snapshot.public_delay_s = delay_s;
    snapshot
}

#[wasm_bindgen_test]
async fn panels_rotate_in_the_order_of_the_url_with_a_progress_cue() {
    let state = state(now(), false);
    let display = Mounted::new(
        &[("panels", "nations,status,bogus"), ("seconds", "5")],
        public_snapshot(&state, 0),
        now(),
    )
    .await;
    assert_eq!(
        display.panels(),
        ["nations"],
        "one panel at a time, the first named"
    );
    let indicator = display.text("display-indicator");
    assert!(indicator.contains("1 / 2"), "{indicator}");
    let listed: Vec<String> = display
        .all(".display-rotation-panel")
        .iter()
        .filter_map(|element| element.get_attribute("data-panel"))
        .collect();
    assert_eq!(listed, ["nations", "status"], "unknown names are skipped");
    assert_eq!(
        display.attribute("display-progress", "data-progress"),
        "0.000"
    );
    assert_eq!(display.attribute("display-progress", "data-next"), "status");

    display.at(2_500).await;
    assert_eq!(display.panels(), ["nations"]);
    assert_eq!(
        display.attribute("display-progress", "data-progress"),
        "0.500"
    );

    display.at(5_000).await;
    assert_eq!(display.panels(), ["status"]);
    assert!(display.text("display-indicator").contains("2 / 2"));
    assert_eq!(
        display.attribute("display-progress", "data-progress"),
        "0.000"
    );
    assert_eq!(
        display.attribute("display-progress", "data-next"),
        "nations"
    );

    display.at(10_100).await;
    assert_eq!(display.panels(), ["nations"], "wraps around");
}

#[wasm_bindgen_test]
async fn defaults_show_all_four_panels_for_twenty_seconds_each() {
    let state = state(now(), false);
    let display = Mounted::new(&[], public_snapshot(&state, 0), now()).await;
    let mut seen = Vec::new();
    for step in 0..4u64 {
        display.at(step * 20_000 + 10_000).await;
        seen.extend(display.panels());
    }
    assert_eq!(seen, ["status", "nations", "activity", "about"]);
    display.at(79_999).await;
    assert_eq!(display.panels(), ["about"]);
    // A single panel does not rotate, and shows no progress cue.
    let single = Mounted::new(&[("panels", "activity")], public_snapshot(&state, 0), now()).await;
    single.at(123_000).await;
    assert_eq!(single.panels(), ["activity"]);
    assert_eq!(single.attribute("display-progress", "data-single"), "true");
}

#[wasm_bindgen_test]
async fn the_status_panel_shows_the_clock_day_and_a_held_countdown() {
    let running = Mounted::new(
        &[("panels", "status")],
        public_snapshot(&state(now(), false), 0),
        now(),
    )
    .await;
    assert_eq!(running.text("display-clock"), "14:32:05Z");
    assert_eq!(
        running.text("display-dtg").trim_end_matches(" · UTC"),
        "251432Z NOV 26"
    );
    assert_eq!(running.text("display-day"), "Day 3 of 5");
    assert!(running.text("display-phase").contains("Execution"));
    assert!(running.text("display-countdown").contains("ENDEX in"));
    assert_eq!(running.attribute("display-countdown", "data-held"), "false");
    drop(running);

    let paused = Mounted::new(
        &[("panels", "status")],
        public_snapshot(&state(now(), true), 0),
        now(),
    )
    .await;
    assert!(paused.text("display-phase").contains("Paused"));
    assert_eq!(paused.attribute("display-countdown", "data-held"), "true");
    assert!(
        paused.text("display-countdown").contains("Held"),
        "{}",
        paused.text("display-countdown")
    );
}

#[wasm_bindgen_test]
async fn public_information_says_so_and_names_an_embargo() {
    let state = state(now(), false);
    let plain = Mounted::new(&[], public_snapshot(&state, 0), now()).await;
    assert!(plain.text("display-public").contains("Public information"));
    assert!(
        plain.one("display-delay").is_none(),
        "no embargo, no notice"
    );
    assert_eq!(plain.attribute("display", "data-audience"), "public");
    drop(plain);

    let delayed = Mounted::new(&[], public_snapshot(&state, 900), now()).await;
    assert_eq!(delayed.text("display-delay"), "Delayed by 15 min");
}

#[wasm_bindgen_test]
async fn the_stale_marker_says_how_old_the_data_is_once_the_connection_is_lost() {
    let state = state(now(), false);
    let display = Mounted::new(&[], public_snapshot(&state, 0), now()).await;
    display.store.set_connection(Connection::Live);
    leptos::task::tick().await;
    assert!(
        display.one("stale-marker").is_none(),
        "live data is not stale"
    );

    // Lost a moment ago: a short outage passes without a word.
    display.store.set_connection(Connection::Reconnecting {
        since: system_now() - Duration::seconds(3),
    });
    leptos::task::tick().await;
    assert!(display.one("stale-marker").is_none());

    display.store.set_connection(Connection::Offline {
        since: system_now() - Duration::minutes(6),
    });
    leptos::task::tick().await;
    let marker = display.text("stale-marker");
    assert!(marker.contains("Data as of 14:26Z"), "{marker}");
    assert!(marker.contains("6 min old"), "{marker}");
    assert_eq!(display.attribute("display", "data-stale"), "true");
    // The last data stays up.
    assert_eq!(display.panels(), ["status"]);

    display.store.set_connection(Connection::Live);
    leptos::task::tick().await;
    assert!(display.one("stale-marker").is_none(), "back live");
}

#[wasm_bindgen_test]
async fn no_panel_draws_restricted_incidents_or_detail_even_if_they_reach_the_store() {
    // A commander's snapshot, as a server that ignored `?audience=public` would send.
    let state = state(now(), false);
    let leaked = Snapshot::new(&state, Audience::Commander, now());
    let display = Mounted::new(&[("seconds", "5")], leaked, now()).await;
    for step in 0..4u64 {
        display.at(step * 5_000 + 100).await;
        let html = display.html();
        assert!(
            !html.contains(SECRET),
            "detail drawn on {:?}",
            display.panels()
        );
        assert!(
            !html.contains(RESTRICTED_TITLE),
            "restricted incident drawn on {:?}",
            display.panels()
        );
    }
    display.at(2 * 5_000 + 100).await;
    assert_eq!(display.panels(), ["activity"]);
    let titles: Vec<String> = display
        .all("[data-testid='display-incident'] .display-incident-title")
        .iter()
        .filter_map(|element| element.text_content())
        .collect();
    assert_eq!(titles, ["Ransomware at a port authority"]);
}

#[wasm_bindgen_test]
async fn nations_sit_on_the_map_with_their_kind_and_status() {
    let state = state(now(), false);
    let display = Mounted::new(&[("panels", "nations")], public_snapshot(&state, 0), now()).await;
    let tiles: Vec<(String, String, String)> = display
        .all("[data-testid='display-nation']")
        .iter()
        .map(|tile| {
            (
                tile.get_attribute("data-code").unwrap_or_default(),
                tile.get_attribute("data-kind").unwrap_or_default(),
                tile.get_attribute("data-status").unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        tiles,
        [
            ("EST".into(), "ally".into(), "online".into()),
            ("UKR".into(), "partner".into(), "degraded".into()),
            ("EU-CDS".into(), "organisation".into(), "online".into()),
        ]
    );
    assert!(display.text("display-nations-total").contains('3'));
    assert!(display.text("display-participants").contains("88"));

    // A check-in on the stream recolours its tile without a reload.
    let event = Event {
        by: None,
        entry: None,
        seq: display.store.seq_untracked() + 1,
        at: now(),
        body: serde_json::from_value(
            json!({"type": "nation_status", "code": "UKR", "status": "offline"}),
        )
        .expect("event json"),
    };
    display.store.apply(&event);
    leptos::task::tick().await;
    let ukraine = display
        .all("[data-testid='display-nation'][data-code='UKR']")
        .pop()
        .expect("a UKR tile");
    assert_eq!(
        ukraine.get_attribute("data-status").as_deref(),
        Some("offline")
    );
}

#[wasm_bindgen_test]
async fn the_chart_rescales_every_bar_when_the_tallest_changes() {
    let state = state(now(), false);
    let display = Mounted::new(&[("panels", "activity")], public_snapshot(&state, 0), now()).await;
    let heights = |display: &Mounted| -> Vec<String> {
        display
            .all(".display-bar")
            .iter()
            .filter_map(|bar| bar.get_attribute("style"))
            .filter(|style| !style.contains("height: 0%"))
            .collect()
    };
    assert_eq!(
        heights(&display),
        ["height: 100%;"],
        "one public incident, one full bar"
    );
    // Two incidents opened ten hours ago make another bar the tallest.
    for (offset, id) in ["CC-3", "CC-4"].iter().enumerate() {
        let event = Event {
            by: None,
            entry: None,
            seq: display.store.seq_untracked() + 1,
            at: now() - Duration::hours(10) + Duration::minutes(offset as i64),
            body: serde_json::from_value(
                json!({"type": "incident_opened", "id": id, "title": format!("Flood {id}"),
                "category": "ddos", "severity": "low", "visibility": "public"}),
            )
            .expect("event json"),
        };
        display.store.apply(&event);
    }
    leptos::task::tick().await;
    assert_eq!(heights(&display), ["height: 100%;", "height: 50%;"]);
}

#[wasm_bindgen_test]
async fn the_rotation_can_start_at_any_panel() {
    let state = state(now(), false);
    let display = Mounted::new(
        &[("start", "activity"), ("seconds", "5")],
        public_snapshot(&state, 0),
        now(),
    )
    .await;
    assert_eq!(display.panels(), ["activity"]);
    display.at(5_000).await;
    assert_eq!(display.panels(), ["about"]);
    display.at(10_000).await;
    assert_eq!(display.panels(), ["status"]);
}
