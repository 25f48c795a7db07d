//! The review: the scrubber draws the phases, pauses and injects and says
//! every state in words (no colour-only state), the moment box shows the
//! parser's message, the controls and keys go where they say, and the
//! replay scope hands the replayed state to what it wraps.

use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::review::track::PhaseChange;
use watchfloor::review::{Replay, ReplayBanner, ReplayScope, ReviewScrubber};
use watchfloor::shell::ExerciseStatus;
use watchfloor::ui::clock::use_clock;
use watchfloor::ui::query::History;
use watchfloor_model::review::Moment;
use watchfloor_model::{Audience, EventBody, Snapshot, State};

use crate::support::{all, at, mount, one, settle, text, Script};

/// URL writes the replay asked for.
type Writes = RwSignal<Vec<(Option<String>, History)>>;

/// Cyber Coalition with two injects and a pause, the live store at its
/// end, and the state as it was at 10:30Z on the first day (seq 7, paused).
struct Exercise {
    script: Script,
    phases: Vec<PhaseChange>,
    earlier: State,
}

fn exercise() -> Exercise {
    let mut script = Script::new();
    let mut phases = Vec::new();
    let note = |event: &watchfloor_model::Event, phases: &mut Vec<PhaseChange>| {
        if let EventBody::PhaseChanged(change) = &event.body {
            phases.push(PhaseChange {
                seq: event.seq,
                at: event.at,
                phase: change.phase,
            });
        }
    };
    // Script::new ends with the phase change to execution at STARTEX (seq 5).
    let startex = watchfloor_model::Event {
        by: None,
        entry: None,
        seq: 5,
        at: at(0),
        body: serde_json::from_value(json!({"type": "phase_changed", "phase": "execution"}))
            .expect("event"),
    };
    note(&startex, &mut phases);
    script.apply(
        60,
        json!({"type": "incident_opened", "id": "INJ-A", "title": "Wiper at the port",
        "category": "ransomware", "severity": "high", "nations": ["EST"], "visibility": "public",
        "inject": {"id": "INJ-001", "planned_at": null}}),
    );
    let paused = script.apply(120, json!({"type": "phase_changed", "phase": "paused"}));
    note(&paused, &mut phases);
    let earlier = script.state.clone();
    let resumed = script.apply(180, json!({"type": "phase_changed", "phase": "execution"}));
    note(&resumed, &mut phases);
    script.apply(
        600,
        json!({"type": "incident_opened", "id": "INJ-B", "title": "Flood against webmail",
        "category": "ddos", "severity": "critical", "nations": ["FIN"], "visibility": "public",
        "inject": {"id": "INJ-002", "planned_at": null}}),
    );
    Exercise {
        script,
        phases,
        earlier,
    }
}

/// Mounts `view` under a detached replay of [`exercise`] at 10:30Z (seq 7)
/// with the scrubber open; returns the root, the URL writes and `?at=`.
fn mounted<F, N>(view: F) -> (web_sys::HtmlElement, Writes, RwSignal<Option<String>>)
where
    F: Fn() -> N + 'static,
    N: IntoView + 'static,
{
    let exercise = exercise();
    let live = exercise.script.store();
    let writes: Writes = RwSignal::new(Vec::new());
    let requested = RwSignal::new(Some("7".to_string()));
    let earlier = Snapshot::new(&exercise.earlier, Audience::Commander, at(150));
    let phases = exercise.phases.clone();
    let root = mount(Some(live), at(24 * 60), move || {
        let replay = Replay::detached(live, use_clock(), requested.into(), move |at, history| {
            writes.update(|writes| writes.push((at, history)))
        });
        replay.set_phases(phases.clone());
        replay.set_open(true);
        replay.load_snapshot(earlier.clone());
        replay.provide();
        view()
    });
    (root, writes, requested)
}

fn last_write(writes: Writes) -> Option<(Option<String>, History)> {
    writes.with_untracked(|writes| writes.last().cloned())
}

fn click(root: &web_sys::Element, test_id: &str) {
    one(root, test_id)
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

fn key(element: &web_sys::Element, kind: &str, name: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(name);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict(kind, &init)
        .expect("keyboard event");
    element.dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn the_scrubber_draws_its_marks_and_says_every_state_in_words() {
    let (root, _, _) = mounted(|| view! { <ReplayBanner /> <ReviewScrubber /> });
    settle().await;

    // Phases and the pause: bands with their names in text, not only a colour.
    let phases: Vec<(String, String)> = all(&root, "review-mark-phase")
        .iter()
        .map(|band| {
            (
                band.get_attribute("data-phase").unwrap_or_default(),
                text(band),
            )
        })
        .collect();
    assert_eq!(
        phases,
        [
            ("execution".to_string(), "▶ Execution".to_string()),
            ("paused".to_string(), "‖ Paused".to_string()),
            ("execution".to_string(), "▶ Execution".to_string()),
        ]
    );
    let pause = &all(&root, "review-mark-phase")[1];
    assert_eq!(
        pause.get_attribute("title").as_deref(),
        Some("Paused from 231000Z NOV 26 to 231100Z NOV 26 (1 h 00 min)")
    );
    // The injects: a diamond each, named in full.
    let injects = all(&root, "review-mark-inject");
    let ids: Vec<String> = injects
        .iter()
        .filter_map(|mark| mark.get_attribute("data-incident-id"))
        .collect();
    assert_eq!(ids, ["INJ-A", "INJ-B"]);
    assert_eq!(
        injects[0].get_attribute("title").as_deref(),
        Some("Inject INJ-001 at 230900Z NOV 26: Wiper at the port")
    );
    assert_eq!(text(&one(&root, "review-future")), "Not yet");
    // The same marks as a list of words.
    let items: Vec<String> = all(&root, "review-mark-item").iter().map(text).collect();
    assert_eq!(items.len(), 5, "{items:?}");
    assert!(
        items.contains(&"Paused from 231000Z NOV 26 to 231100Z NOV 26 (1 h 00 min)".to_string())
    );
    assert!(items.contains(&"Inject INJ-002 at 231800Z NOV 26: Flood against webmail".to_string()));

    // Exercise time (held by the pause) and UTC, told apart.
    assert_eq!(
        text(&one(&root, "review-exercise-time")),
        "231000Z NOV 26 · Day 1 of 5"
    );
    assert_eq!(
        text(&one(&root, "review-utc")),
        "231030Z NOV 26 · 10:30:00Z"
    );
    assert_eq!(text(&one(&root, "review-seq")), "7");
    assert_eq!(
        text(&one(&root, "replay-moment")),
        "Replay — state at 231030Z NOV 26 (seq 7)"
    );
    assert_eq!(text(&one(&root, "playback-state")), "Paused");

    // The thumb is a labelled slider that says where it is.
    let thumb = one(&root, "scrubber-thumb");
    assert_eq!(thumb.get_attribute("role").as_deref(), Some("slider"));
    assert_eq!(
        thumb.get_attribute("aria-label").as_deref(),
        Some("Moment to review")
    );
    assert_eq!(
        thumb.get_attribute("aria-valuetext").as_deref(),
        Some("231030Z NOV 26, 10:30:00Z, seq 7")
    );
    assert_eq!(
        thumb.get_attribute("aria-valuenow").as_deref(),
        Some("9000")
    );
    assert_eq!(
        thumb.get_attribute("aria-valuemax").as_deref(),
        Some("432000")
    );
}

#[wasm_bindgen_test]
async fn a_wrong_moment_shows_the_parser_s_message_and_a_right_one_goes_there() {
    let (root, writes, _) = mounted(|| view! { <ReviewScrubber /> });
    settle().await;
    let input: web_sys::HtmlInputElement = one(&root, "moment-input").unchecked_into();
    let error = one(&root, "moment-error");
    assert_eq!(text(&error), "");
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    let described = input.get_attribute("aria-describedby").unwrap_or_default();
    assert!(
        described.contains(&error.id()),
        "the error is tied to the input"
    );

    let type_in = |value: &str| {
        input.set_value(value);
        input
            .dispatch_event(&web_sys::Event::new("input").expect("event"))
            .expect("dispatch");
    };
    type_in("banana");
    click(&root, "moment-go");
    settle().await;
    let message = Moment::parse("banana").expect_err("not a moment");
    assert_eq!(text(&error), message);
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(last_write(writes), None, "nothing asked for");

    type_in("#5");
    settle().await;
    assert_eq!(text(&error), "", "typing clears the message");
    click(&root, "moment-go");
    settle().await;
    assert_eq!(last_write(writes), Some((Some("5".into()), History::Push)));

    type_in("231430Z NOV 26");
    click(&root, "moment-go");
    settle().await;
    assert_eq!(
        last_write(writes),
        Some((Some("2026-11-23T14:30:00Z".into()), History::Push))
    );
}

#[wasm_bindgen_test]
async fn the_controls_and_keys_go_where_they_say() {
    let (root, writes, _) = mounted(|| view! { <ReplayBanner /> <ReviewScrubber /> });
    settle().await;

    click(&root, "next-inject");
    assert_eq!(
        last_write(writes),
        Some((Some(Moment::Time(at(600)).to_string()), History::Push))
    );
    click(&root, "previous-inject");
    assert_eq!(
        last_write(writes),
        Some((Some(Moment::Time(at(60)).to_string()), History::Push))
    );
    click(&root, "previous-event");
    assert_eq!(last_write(writes), Some((Some("6".into()), History::Push)));

    // An arrow moves the thumb to the next whole hour at once and asks for
    // the state there when the key is let go.
    let thumb = one(&root, "scrubber-thumb");
    key(&thumb, "keydown", "ArrowRight");
    settle().await;
    assert_eq!(
        thumb.get_attribute("aria-valuetext").as_deref(),
        Some("231100Z NOV 26, 11:00:00Z, seq 7")
    );
    assert_eq!(
        text(&one(&root, "review-utc")),
        "231100Z NOV 26 · 11:00:00Z"
    );
    key(&thumb, "keyup", "ArrowRight");
    assert_eq!(
        last_write(writes),
        Some((Some("2026-11-23T11:00:00Z".into()), History::Push))
    );
    key(&thumb, "keydown", "End");
    key(&thumb, "keyup", "End");
    assert_eq!(
        last_write(writes),
        Some((None, History::Push)),
        "End is live"
    );

    let speed: web_sys::HtmlSelectElement = one(&root, "review-speed").unchecked_into();
    assert_eq!(speed.value(), "60");
    speed.set_value("3600");
    speed
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    settle().await;
    assert_eq!(speed.value(), "3600");

    click(&root, "back-to-live");
    assert_eq!(last_write(writes), Some((None, History::Push)));
}

#[wasm_bindgen_test]
async fn the_scope_hands_the_replayed_state_to_what_it_wraps() {
    let (root, _, requested) = mounted(|| {
        view! {
            <ReplayScope>
                <ExerciseStatus />
            </ReplayScope>
        }
    });
    settle().await;
    let phase = || text(&one(&root, "exercise-phase"));
    assert!(phase().contains("Paused"), "the replay: {}", phase());
    requested.set(None);
    settle().await;
    assert!(phase().contains("Execution"), "live again: {}", phase());
    requested.set(Some("7".into()));
    settle().await;
    assert!(
        phase().contains("Paused"),
        "and the replay again: {}",
        phase()
    );
}
