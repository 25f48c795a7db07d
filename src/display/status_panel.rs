//! The exercise status panel: name, edition, phase, day, a large UTC clock
//! with its date-time group, and the countdown to ENDEX (held while paused).

use leptos::prelude::*;
use watchfloor_model::time::{dtg, zulu_hms};

use crate::live::LiveStore;
use crate::ui::clock::use_clock;
use crate::vocabulary::exercise::{countdown, day_text};
use crate::vocabulary::words::phase_label;

/// The status panel; reads the live store and the clock from context.
#[component]
pub fn StatusPanel() -> impl IntoView {
    let store = expect_context::<LiveStore>();
    let clock = use_clock();
    let exercise = Memo::new(move |_| store.exercise(Clone::clone));
    let name = move || exercise.with(|exercise| display_name(&exercise.name));
    let edition = move || exercise.with(|exercise| exercise.edition.clone());
    let organiser = move || exercise.with(|exercise| exercise.organiser.clone());
    let phase = move || exercise.with(|exercise| exercise.phase);
    let day = move || exercise.with(|exercise| day_text(exercise, clock.now()));
    let countdown = move || exercise.with(|exercise| countdown(exercise, clock.now()));
    let hms = move || {
        let text = zulu_hms(clock.now());
        text.trim_end_matches('Z').to_string()
    };

    view! {
        <section class="display-panel display-status" data-testid="display-panel" data-panel="status">
            <header class="display-status-identity">
                <p class="display-kicker">{organiser}</p>
                <h1 class="display-title" data-testid="display-name">{name}</h1>
                <p class="display-edition">{edition}</p>
            </header>
            <div class="display-clock" data-testid="display-clock" aria-label="Coordinated Universal Time">
                <span class="display-clock-digits">{hms}</span>
                <span class="display-clock-zone">"Z"</span>
            </div>
            <p class="display-dtg" data-testid="display-dtg">{move || dtg(clock.now())}" · UTC"</p>
            <div class="display-status-facts">
                <div class="display-fact">
                    <span class="display-fact-label">"Phase"</span>
                    <span
                        class="display-fact-value display-phase"
                        data-testid="display-phase"
                        data-phase=move || phase().as_str()
                    >
                        {move || phase_label(phase())}
                    </span>
                </div>
                <div class="display-fact">
                    <span class="display-fact-label">"Exercise day"</span>
                    <span class="display-fact-value" data-testid="display-day">
                        {move || day().unwrap_or_else(|| "Not started".into())}
                    </span>
                </div>
                {move || {
                    countdown()
                        .map(|countdown| {
                            view! {
                                <div
                                    class="display-fact display-countdown"
                                    data-testid="display-countdown"
                                    data-held=countdown.held.to_string()
                                >
                                    <span class="display-fact-label">{countdown.label}</span>
                                    <span class="display-fact-value">{countdown.value}</span>
                                    {countdown
                                        .held
                                        .then(|| {
                                            view! {
                                                <span class="display-fact-note">
                                                    "Held while the exercise is paused"
                                                </span>
                                            }
                                        })}
                                </div>
                            }
                        })
                }}
            </div>
        </section>
    }
}

/// The exercise's name, or a neutral title before control has named it.
pub fn display_name(name: &str) -> String {
    if name.trim().is_empty() {
        "Cyber defence exercise".into()
    } else {
        name.to_string()
    }
}
