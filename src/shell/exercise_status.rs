//! The exercise at a glance: name and edition, phase, "Day N of M" and the
//! countdown to ENDEX (frozen while paused).

use leptos::prelude::*;

use crate::live::use_live;
use crate::ui::clock::use_clock;
use crate::vocabulary::exercise::{countdown, day_text};
use crate::vocabulary::words::{phase_glyph, phase_label};

/// The exercise's name, phase, day and ENDEX countdown, from the live store.
#[component]
pub fn ExerciseStatus() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    // Until the first snapshot, say nothing rather than the defaults of an empty exercise.
    let ready = move || live.is_ready();
    let name = move || {
        if !ready() {
            return "Connecting…".to_string();
        }
        live.exercise(|exercise| {
            let name = format!("{} {}", exercise.name, exercise.edition);
            let name = name.trim();
            if name.is_empty() {
                "Exercise".to_string()
            } else {
                name.to_string()
            }
        })
    };
    let phase = move || live.exercise(|exercise| exercise.phase);
    let day = move || {
        if !ready() {
            return String::new();
        }
        let now = clock.now();
        live.exercise(
            |exercise| match (day_text(exercise, now), exercise.days()) {
                (Some(day), _) => day,
                (None, 0) => "Schedule not set".to_string(),
                (None, days) => format!("Before STARTEX · {days} days"),
            },
        )
    };
    let endex = move || {
        if !ready() {
            return String::new();
        }
        let now = clock.now();
        live.exercise(|exercise| match countdown(exercise, now) {
            Some(countdown) => countdown.sentence(),
            None => "ENDEX not set".to_string(),
        })
    };
    view! {
        <div class="exercise-status">
            <span class="exercise-name" data-testid="exercise-name">{name}</span>
            <span
                class=move || format!("phase phase-{}", phase().as_str())
                data-testid="exercise-phase"
                hidden=move || !ready()
            >
                <span class="glyph" aria-hidden="true">{move || phase_glyph(phase())}</span>
                {move || phase_label(phase())}
            </span>
            <span class="exercise-day" data-testid="exercise-day">{day}</span>
            <span class="endex-countdown" data-testid="endex-countdown">{endex}</span>
        </div>
    }
}
