//! Fixtures and DOM helpers shared by the component tests.

use chrono::{DateTime, Duration, Utc};
use leptos::mount::mount_to;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use watchfloor::live::{provide_store, LiveOptions, LiveStore};
use watchfloor::ui::clock::{provide_fixed_clock, Clock};
use watchfloor_model::{Audience, Event, EventBody, Snapshot, State};

/// STARTEX of the fixture exercise.
pub fn startex() -> DateTime<Utc> {
    "2026-11-23T08:00:00Z".parse().expect("time")
}

/// `minutes` after STARTEX.
pub fn at(minutes: i64) -> DateTime<Utc> {
    startex() + Duration::minutes(minutes)
}

/// An exercise built by folding events through the model's reducer, as the server does.
pub struct Script {
    pub state: State,
}

impl Script {
    /// Cyber Coalition 2026, 23 to 28 November, with Estonia, Finland and Latvia.
    pub fn new() -> Self {
        let mut script = Script {
            state: State::default(),
        };
        script.apply(0, json!({"type": "exercise_updated", "name": "Cyber Coalition", "edition": "2026",
            "organiser": "ACT", "startex": "2026-11-23T08:00:00Z", "endex": "2026-11-28T08:00:00Z"}));
        for (code, name) in [("EST", "Estonia"), ("FIN", "Finland"), ("LVA", "Latvia")] {
            script.apply(
                0,
                json!({"type": "nation_joined", "code": code, "name": name, "kind": "ally",
                "participants": 40, "teams": 4}),
            );
        }
        script.apply(0, json!({"type": "phase_changed", "phase": "execution"}));
        script
    }

    /// Applies `body` at `minutes` after STARTEX; returns the event.
    pub fn apply(&mut self, minutes: i64, body: serde_json::Value) -> Event {
        let body: EventBody = serde_json::from_value(body).expect("event json");
        let event = Event {
            by: None,
            entry: None,
            seq: self.state.seq + 1,
            at: at(minutes),
            body,
        };
        self.state.apply(&event).expect("valid event");
        event
    }

    /// Opens an incident.
    pub fn open(
        &mut self,
        minutes: i64,
        id: &str,
        title: &str,
        severity: &str,
        nations: &[&str],
        category: &str,
    ) -> Event {
        self.apply(minutes, json!({"type": "incident_opened", "id": id, "title": title, "category": category,
            "severity": severity, "nations": nations, "summary": "Public summary", "visibility": "public"}))
    }

    /// The snapshot the server would serve now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::new(&self.state, Audience::Commander, at(60 * 24))
    }

    /// A detached live store holding this exercise.
    pub fn store(&self) -> LiveStore {
        let store = LiveStore::detached(LiveOptions::default());
        store.load(self.snapshot());
        store
    }
}

/// A fresh element in the body to mount into.
pub fn container() -> web_sys::HtmlElement {
    let document = document();
    let element = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&element)
        .expect("append");
    element.unchecked_into()
}

/// Mounts `view` with a clock fixed at `now` and `store` provided.
pub fn mount<F, N>(store: Option<LiveStore>, now: DateTime<Utc>, view: F) -> web_sys::HtmlElement
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    let root = container();
    let handle = mount_to(root.clone(), move || {
        let _clock: Clock = provide_fixed_clock(now);
        if let Some(store) = store {
            provide_store(store);
        }
        view()
    });
    // The test page is thrown away after the run; keep the view mounted until then.
    std::mem::forget(handle);
    root
}

/// Lets the reactive system run its queued effects.
pub async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

/// Every element under `root` with `data-testid="{id}"`.
pub fn all(root: &web_sys::Element, id: &str) -> Vec<web_sys::Element> {
    let list = root
        .query_selector_all(&format!("[data-testid=\"{id}\"]"))
        .expect("selector");
    (0..list.length())
        .filter_map(|index| list.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .collect()
}

/// The one element with `data-testid="{id}"`.
pub fn one(root: &web_sys::Element, id: &str) -> web_sys::Element {
    let found = all(root, id);
    assert_eq!(
        found.len(),
        1,
        "expected one [data-testid={id}], found {}",
        found.len()
    );
    found.into_iter().next().expect("one")
}

/// Its text, trimmed.
pub fn text(element: &web_sys::Element) -> String {
    element
        .text_content()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The `data-incident-id`s of the elements with `data-testid="{id}"`, sorted.
pub fn incident_ids(root: &web_sys::Element, id: &str) -> Vec<String> {
    let mut ids: Vec<String> = all(root, id)
        .iter()
        .filter_map(|element| element.get_attribute("data-incident-id"))
        .collect();
    ids.sort();
    ids
}

/// Waits for the next animation frame (when coalesced stream updates reach the views).
pub async fn next_frame() {
    let (sender, receiver) = futures::channel::oneshot::channel::<()>();
    request_animation_frame(move || {
        let _ = sender.send(());
    });
    let _ = receiver.await;
    settle().await;
}
