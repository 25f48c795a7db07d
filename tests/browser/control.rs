//! The control console's parts: the composer refuses on the field the
//! model names and warns before a public incident, the nation picker
//! searches, the MSEL table shows each entry's state from the live store
//! and asks before firing.

use std::sync::Arc;

use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::control::{IncidentComposer, MselEntries};
use watchfloor_model::scenario::Scenario;
use watchfloor_model::script::ScriptView;
use watchfloor_model::{Event, EventBody};

use crate::support::{all, at, mount, one, settle, startex, text, Script};

fn click(root: &web_sys::Element, test_id: &str) {
    one(root, test_id)
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

fn type_into(root: &web_sys::Element, test_id: &str, value: &str) {
    let input: web_sys::HtmlInputElement = one(root, test_id).unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
}

#[wasm_bindgen_test]
async fn the_composer_refuses_on_the_named_field_and_warns_before_a_public_incident() {
    let mut script = Script::new();
    script.open(5, "INC-001", "Taken", "low", &["EST"], "ddos");
    let store = script.store();
    let root = mount(Some(store), at(60), || view! { <IncidentComposer /> });
    settle().await;
    assert_eq!(
        one(&root, "compose-id")
            .get_attribute("placeholder")
            .as_deref(),
        Some("INC-002"),
        "the next free id is offered"
    );
    // A taken id and no title: the model's refusal, on the field it names.
    type_into(&root, "compose-id", "INC-001");
    type_into(&root, "compose-title", "Pumps stop");
    type_into(&root, "compose-category", "Water utility");
    click(&root, "compose-submit");
    settle().await;
    let message = text(&one(&root, "error-id"));
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(
        one(&root, "compose-id")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(text(&one(&root, "error-title")).is_empty());
    // An unknown nation cannot be chosen; the search narrows the list.
    type_into(&root, "compose-nation-search", "fin");
    settle().await;
    assert_eq!(all(&root, "compose-nation-FIN").len(), 1);
    assert!(all(&root, "compose-nation-EST").is_empty());
    // Restricted by default; public says who will see it.
    assert!(all(&root, "compose-public-warning").is_empty());
    let restricted: web_sys::HtmlInputElement = one(&root, "compose-restricted").unchecked_into();
    assert!(restricted.checked());
    click(&root, "compose-public");
    settle().await;
    assert!(text(&one(&root, "compose-public-warning")).contains("press"));
}

fn view_of(scenario: &Scenario) -> ScriptView {
    ScriptView {
        name: scenario.name.clone(),
        startex: startex(),
        speed: 1.0,
        entries: scenario.planned(startex(), 1.0).expect("planned"),
        script: Default::default(),
        seq: 0,
    }
}

#[wasm_bindgen_test]
async fn the_msel_shows_each_entry_s_state_from_the_live_store_and_asks_before_firing() {
    let scenario = Scenario::parse(
        &json!({"name": "t", "duration": "1d", "entries": [
            {"at": "10m", "type": "incident_opened", "id": "M-1", "title": "One", "category": "ddos", "severity": "low", "nations": ["EST"]},
            {"at": "20m", "type": "incident_opened", "id": "M-2", "title": "Two", "category": "ddos", "severity": "low", "nations": ["EST"]},
            {"at": "30m", "type": "incident_opened", "id": "M-3", "title": "Three", "category": "ddos", "severity": "low", "nations": ["EST"]},
            {"at": "40m", "type": "incident_opened", "id": "M-4", "title": "Four", "category": "ddos", "severity": "low", "nations": ["EST"]}
        ]})
        .to_string(),
    )
    .expect("scenario");
    let view = Arc::new(view_of(&scenario));
    let script = Script::new();
    let store = script.store();
    let root = mount(
        Some(store),
        at(15),
        move || view! { <MselEntries view=view /> },
    );
    settle().await;
    let states = |root: &web_sys::Element| {
        all(root, "msel-row")
            .iter()
            .map(|row| row.get_attribute("data-state").unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(states(&root), ["next", "upcoming", "upcoming", "upcoming"]);
    assert!(text(&one(&root, "msel-next")).starts_with("Playing now: #0"));
    assert_eq!(
        text(&one(&root, "msel-pager"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        "PreviousPage 1 of 1Next"
    );
    let next_page: web_sys::HtmlElement = one(&root, "msel-next-page").unchecked_into();
    assert!(next_page.has_attribute("disabled"), "one page: no next");

    // The stream brings entry 0 played, entry 2 fired by hand, entry 1 skipped.
    let mut seq = script.state.seq;
    let mut event = |body: serde_json::Value, entry: u32, by: Option<&str>| {
        seq += 1;
        Event {
            by: by.map(str::to_string),
            entry: Some(entry),
            ..Event::new(
                seq,
                at(16),
                serde_json::from_value::<EventBody>(body).expect("body"),
            )
        }
    };
    let played = event(
        serde_json::to_value(&scenario.entries[0].event).unwrap(),
        0,
        None,
    );
    let fired = event(
        serde_json::to_value(&scenario.entries[2].event).unwrap(),
        2,
        Some("White cell"),
    );
    let skipped = event(
        json!({"type": "scenario_skipped", "note": "Not today"}),
        1,
        Some("White cell"),
    );
    for each in [played, fired, skipped] {
        assert!(matches!(
            store.apply(&each),
            watchfloor::live::ledger::Outcome::Applied(_)
        ));
    }
    settle().await;
    assert_eq!(states(&root), ["next"], "still to play: only entry 3");
    let select: web_sys::HtmlSelectElement = one(&root, "msel-show").unchecked_into();
    select.set_value("all");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    settle().await;
    assert_eq!(states(&root), ["played", "skipped", "fired", "next"]);
    let rows = all(&root, "msel-row");
    assert!(
        text(&rows[1]).contains("by White cell: Not today"),
        "{}",
        text(&rows[1])
    );
    assert!(text(&rows[2]).contains("Fired by hand"));
    assert_eq!(
        all(&rows[0], "msel-fire").len(),
        0,
        "nothing to fire on a played entry"
    );
    assert!(text(&one(&root, "msel-next")).contains("#3"));

    // Fire now asks first.
    let fire = rows[3]
        .query_selector("[data-testid='msel-fire']")
        .expect("selector")
        .expect("a fire button");
    fire.unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert!(text(&one(&root, "msel-confirm")).contains("Fire entry #3 now?"));
    // The search narrows the table.
    type_into(&root, "msel-search", "three");
    settle().await;
    assert_eq!(states(&root), ["fired"]);
    assert_eq!(text(&one(&root, "msel-count")), "1 entry");
}
