//! Playback: previous / next inject and event, play and pause, the speed,
//! and what playback is doing, in words.

use leptos::prelude::*;

use crate::review::playback::Speed;
use crate::review::replay::use_replay;
use crate::vocabulary::replay::{playback_state, speed_label, speed_meaning};

/// The playback buttons, each with a visible word and a full accessible name.
#[component]
pub fn PlaybackControls() -> impl IntoView {
    let replay = use_replay();
    let ready = move || replay.replaying() && replay.shown().is_some();
    let playing = move || replay.playing();
    let button = |label: &'static str,
                  glyph: &'static str,
                  word: &'static str,
                  glyph_first: bool,
                  test_id: &'static str,
                  enabled: Signal<bool>,
                  action: Callback<()>| {
        view! {
            <button
                type="button"
                class="button playback-button"
                aria-label=label
                title=label
                data-testid=test_id
                disabled=move || !enabled.get()
                on:click=move |_| action.run(())
            >
                {glyph_first.then(|| view! { <span class="glyph" aria-hidden="true">{glyph}</span> })}
                <span class="control-word">{word}</span>
                {(!glyph_first).then(|| view! { <span class="glyph" aria-hidden="true">{glyph}</span> })}
            </button>
        }
    };
    view! {
        <div class="playback-controls" role="group" aria-label="Playback">
            {button(
                "Previous inject",
                "«",
                "Inject",
                true,
                "previous-inject",
                Signal::derive(move || replay.has_inject(false)),
                Callback::new(move |_| replay.previous_inject()),
            )}
            {button(
                "Previous event",
                "‹",
                "Event",
                true,
                "previous-event",
                Signal::derive(move || replay.can_step_back()),
                Callback::new(move |_| replay.step_back()),
            )}
            <button
                type="button"
                class="button button-primary playback-button"
                aria-label=move || if playing() { "Pause" } else { "Play" }
                data-testid="play-pause"
                disabled=move || !ready()
                on:click=move |_| replay.toggle_playing()
            >
                <span class="glyph" aria-hidden="true">{move || if playing() { "‖" } else { "▶" }}</span>
                <span class="control-word">{move || if playing() { "Pause" } else { "Play" }}</span>
            </button>
            {button(
                "Next event",
                "›",
                "Event",
                false,
                "next-event",
                Signal::derive(ready),
                Callback::new(move |_| replay.step_forward()),
            )}
            {button(
                "Next inject",
                "»",
                "Inject",
                false,
                "next-inject",
                Signal::derive(move || replay.has_inject(true)),
                Callback::new(move |_| replay.next_inject()),
            )}
            <label class="speed-field">
                <span>"Speed"</span>
                <select
                    data-testid="review-speed"
                    on:change=move |ev| {
                        if let Some(speed) = Speed::from_factor(&event_target_value(&ev)) {
                            replay.set_speed(speed);
                        }
                    }
                >
                    {Speed::ALL
                        .into_iter()
                        .map(|speed| {
                            view! {
                                <option
                                    value=speed.factor().to_string()
                                    title=speed_meaning(speed.factor())
                                    selected=move || replay.speed() == speed
                                >
                                    {speed_label(speed.factor())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <span class="playback-state" role="status" data-testid="playback-state">
                {move || playback_state(ready(), playing(), replay.speed().factor())}
            </span>
        </div>
    }
}
