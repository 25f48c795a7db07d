//! The scrubber's track along the whole exercise: the phases and pauses as
//! labelled bands, the injects as diamonds, the part not yet happened
//! hatched, and the thumb — a slider that a mouse, a finger or the arrow
//! keys move. The maths is in [`track`](super::track).
//!
//! A press or a drag shows where it would go at once (the thumb and the
//! readouts follow) and asks for that state on release; the keys do the
//! same, asking when the key is let go, so holding an arrow down costs one
//! read, not one per step.

use chrono::{DateTime, Utc};
use leptos::html::Div;
use leptos::prelude::*;
use watchfloor_model::time::dtg;

use crate::review::replay::{use_replay, Replay};
use crate::review::track::{inject_marks, phase_spans, InjectMark, Key, PhaseSpan, Target, Track};
use crate::vocabulary::replay::{inject_mark, phase_mark, phase_span, position, NOT_YET};

/// `left: 12.345%` (and a width), as the track's bands are placed.
fn placed(left: f64, width: Option<f64>) -> String {
    match width {
        Some(width) => format!("left: {left:.3}%; width: {width:.3}%"),
        None => format!("left: {left:.3}%"),
    }
}

/// The track, its phase spans and its inject marks, worked out once for
/// the scrubber's track and its list of marks (an incident change redraws
/// the marks once, not once per view).
#[derive(Clone, Copy)]
pub struct TrackMarks {
    pub track: Memo<Track>,
    pub spans: Memo<Vec<PhaseSpan>>,
    pub injects: Memo<Vec<InjectMark>>,
}

impl TrackMarks {
    pub fn of(replay: Replay) -> TrackMarks {
        let track = Memo::new(move |_| replay.track());
        let spans = Memo::new(move |_| phase_spans(&track.get(), &replay.phases()));
        let injects = Memo::new(move |_| {
            let track = track.get();
            replay
                .live()
                .incidents(|ledger| inject_marks(&track, &ledger.state().incidents))
        });
        TrackMarks {
            track,
            spans,
            injects,
        }
    }
}

/// The track and its thumb.
#[component]
pub fn ScrubberTrack(marks: TrackMarks) -> impl IntoView {
    let replay = use_replay();
    let TrackMarks {
        track,
        spans,
        injects,
    } = marks;
    let at = Memo::new(move |_| replay.position());
    let thumb_at = move || {
        let track = track.get();
        at.get()
            .unwrap_or(track.live)
            .clamp(track.range.start, track.range.end)
    };
    let element = NodeRef::<Div>::new();
    // The pointer pressing the track, and the key-driven target not yet asked for.
    let pressed = StoredValue::new(None::<i32>);
    let keyed = StoredValue::new(None::<Target>);

    let show = move |target: Target| {
        let track = track.get_untracked();
        replay.set_preview(Some(match target {
            Target::Live => track.live,
            Target::At(at) => at,
        }));
    };
    let target_of = move |ev: &leptos::ev::PointerEvent| -> Option<Target> {
        let element = element.get_untracked()?;
        let rect = element.get_bounding_client_rect();
        let track: Track = track.get_untracked();
        Some(track.target(f64::from(ev.client_x()) - rect.left(), rect.width()))
    };
    let on_pointer_down = move |ev: leptos::ev::PointerEvent| {
        if ev.pointer_type() == "mouse" && ev.button() != 0 {
            return;
        }
        pressed.set_value(Some(ev.pointer_id()));
        if let Some(element) = element.get_untracked() {
            let _ = element.set_pointer_capture(ev.pointer_id());
        }
        if let Some(target) = target_of(&ev) {
            show(target);
        }
    };
    let on_pointer_move = move |ev: leptos::ev::PointerEvent| {
        if pressed.get_value() != Some(ev.pointer_id()) {
            return;
        }
        if let Some(target) = target_of(&ev) {
            show(target);
        }
    };
    let on_pointer_up = move |ev: leptos::ev::PointerEvent| {
        if pressed.get_value() != Some(ev.pointer_id()) {
            return;
        }
        pressed.set_value(None);
        if let Some(target) = target_of(&ev) {
            replay.go(target);
        }
    };
    let on_pointer_cancel = move |_: leptos::ev::PointerEvent| {
        pressed.set_value(None);
        replay.set_preview(None);
    };
    let on_key_down = move |ev: leptos::ev::KeyboardEvent| {
        let Some(key) = Key::from_name(&ev.key()) else {
            return;
        };
        ev.prevent_default();
        let track = track.get_untracked();
        let from = at.get_untracked().unwrap_or(track.live);
        let target = track.keyed(from, key);
        keyed.set_value(Some(target));
        show(target);
    };
    let on_key_up = move |ev: leptos::ev::KeyboardEvent| {
        if Key::from_name(&ev.key()).is_none() {
            return;
        }
        if let Some(target) = keyed.get_value() {
            keyed.set_value(None);
            replay.go(target);
        }
    };
    let length_s = move || track.get().range.length().num_seconds().to_string();
    let now_s = move || {
        let track = track.get();
        (thumb_at() - track.range.start).num_seconds().to_string()
    };
    let value_text = move || {
        let shown = replay.shown().filter(|_| replay.replaying());
        match (at.get(), shown) {
            (Some(at), Some(shown)) => position(Some((at, shown.seq))),
            (Some(at), None) => position(Some((at, replay.live().seq_untracked()))),
            (None, _) => position(None),
        }
    };
    let future = move || {
        let track = track.get();
        let left = track.percent(track.live);
        placed(left, Some(100.0 - left))
    };
    let end_label = move |at: DateTime<Utc>| dtg(at);
    view! {
        <div class="scrubber">
            <div
                class="scrubber-track"
                node_ref=element
                data-testid="scrubber-track"
                on:pointerdown=on_pointer_down
                on:pointermove=on_pointer_move
                on:pointerup=on_pointer_up
                on:pointercancel=on_pointer_cancel
            >
                <div class="track-rail" aria-hidden="true">
                    <For
                        each=move || spans.get()
                        key=|span| (span.phase, span.start, span.end)
                        let:span
                    >
                        <div
                            class=format!("track-phase phase-{}", span.phase.as_str())
                            style=placed(span.left, Some(span.width))
                            title=phase_span(span.phase, span.start, span.end, span.ongoing)
                            data-testid="review-mark-phase"
                            data-phase=span.phase.as_str()
                        >
                            <span class="track-phase-label">{phase_mark(span.phase)}</span>
                        </div>
                    </For>
                    <div class="track-future" style=future data-testid="review-future">
                        <span class="track-future-label">{NOT_YET}</span>
                    </div>
                    <For
                        each=move || injects.get()
                        key=|mark| (mark.incident.clone(), mark.at)
                        let:mark
                    >
                        <span
                            class="track-inject"
                            style=placed(mark.left, None)
                            title=inject_mark(&mark.inject, &mark.title, mark.at)
                            data-testid="review-mark-inject"
                            data-incident-id=mark.incident.clone()
                        >
                            "◆"
                        </span>
                    </For>
                </div>
                <div
                    class="scrubber-thumb"
                    class:is-live=move || at.get().is_none()
                    role="slider"
                    tabindex="0"
                    aria-label="Moment to review"
                    aria-valuemin="0"
                    aria-valuemax=length_s
                    aria-valuenow=now_s
                    aria-valuetext=value_text
                    data-testid="scrubber-thumb"
                    style=move || placed(track.get().percent(thumb_at()), None)
                    on:keydown=on_key_down
                    on:keyup=on_key_up
                ></div>
            </div>
            <div class="scrubber-axis" aria-hidden="true">
                <span data-testid="review-track-start">{move || end_label(track.get().range.start)}</span>
                <span data-testid="review-track-end">{move || end_label(track.get().range.end)}</span>
            </div>
        </div>
    }
}
