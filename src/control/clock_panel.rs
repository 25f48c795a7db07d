//! The exercise clock: the phase, exercise time and countdown, and the
//! steps open from here — STARTEX, pause with a reason, resume, ENDEX (asked
//! twice) — and the speed.

use leptos::prelude::*;

use crate::control::forms::{self, ClockStep, FieldErrors};
use crate::control::{poster, FieldError};
use crate::live::use_live;
use crate::ui::clock::use_clock;
use crate::vocabulary::exercise::countdown;
use crate::vocabulary::time::day_hm;
use crate::vocabulary::words::phase_label;

/// The clock and phase controls.
#[component]
pub fn ClockPanel() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let reason = RwSignal::new(String::new());
    let speed = RwSignal::new(String::new());
    let confirming = RwSignal::new(None::<ClockStep>);
    let errors = RwSignal::new(FieldErrors::default());
    let (post, send) = poster(errors, &["reason", "phase", "speed"], move |_| {
        reason.set(String::new());
        speed.set(String::new());
    });
    let step = move |step: ClockStep| {
        if step.needs_confirmation() && confirming.get_untracked() != Some(step) {
            confirming.set(Some(step));
            return;
        }
        confirming.set(None);
        send(step.event(&reason.get_untracked()));
    };
    let phase = move || live.exercise(|exercise| exercise.phase);
    let exercise_time = move || {
        let now = clock.now();
        live.exercise(|exercise| exercise.exercise_time(now))
            .map(day_hm)
            .unwrap_or_else(|| "—".into())
    };
    let left = move || {
        let now = clock.now();
        live.exercise(|exercise| countdown(exercise, now).map(|countdown| countdown.sentence()))
            .unwrap_or_else(|| "No ENDEX set".into())
    };
    let pause_reason = move || live.exercise(|exercise| exercise.pause_reason.clone());
    let current_speed = move || live.exercise(|exercise| exercise.speed);
    let busy = post.pending();
    view! {
        <section class="card control-card" aria-labelledby="clock-heading" data-testid="clock-panel">
            <h2 id="clock-heading">"Clock and phase"</h2>
            <dl class="control-facts">
                <div><dt>"Phase"</dt><dd data-testid="control-phase">{move || phase_label(phase())}</dd></div>
                <div><dt>"Exercise time"</dt><dd data-testid="control-exercise-time">{exercise_time}</dd></div>
                <div><dt>"ENDEX"</dt><dd data-testid="control-countdown">{left}</dd></div>
                <div><dt>"Speed"</dt><dd>{move || format!("×{}", current_speed())}</dd></div>
            </dl>
            {move || pause_reason().map(|why| view! {
                <p class="notice" data-testid="control-pause-reason">{format!("Paused: {why}")}</p>
            })}
            <div class="control-row">
                <label class="field">
                    <span>"Reason for a pause (optional)"</span>
                    <input
                        type="text"
                        name="reason"
                        maxlength="4000"
                        data-testid="clock-reason"
                        aria-describedby="clock-reason-error"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    />
                    <FieldError id="clock-reason-error" errors=errors field="reason" />
                </label>
            </div>
            <div class="control-actions" role="group" aria-label="Clock">
                {move || ClockStep::from_phase(phase()).iter().copied().map(|each| {
                    let asking = move || confirming.get() == Some(each);
                    view! {
                        <button
                            type="button"
                            class="button"
                            class:button-primary=move || !each.needs_confirmation()
                            class:button-danger=each.needs_confirmation()
                            data-testid=format!("clock-{}", each.label().to_lowercase())
                            disabled=move || busy.get()
                            on:click=move |_| step(each)
                        >
                            {move || if asking() { format!("Confirm {}", each.label()) } else { each.label().to_string() }}
                        </button>
                    }
                }).collect_view()}
                {move || confirming.get().map(|asked| view! {
                    <p class="warning" role="alert" data-testid="clock-confirm">
                        {format!("{} cannot be undone: press “Confirm {}” to go ahead.", asked.label(), asked.label())}
                        <button type="button" class="button" on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </p>
                })}
            </div>
            <form
                class="control-row"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    match forms::parse_speed(&speed.get_untracked()) {
                        Ok(value) => send(forms::speed_event(value)),
                        Err(refusal) => errors.set(refusal),
                    }
                }
            >
                <label class="field">
                    <span>"Speed (exercise seconds per second)"</span>
                    <input
                        type="text"
                        inputmode="decimal"
                        name="speed"
                        placeholder=move || current_speed().to_string()
                        data-testid="clock-speed"
                        aria-describedby="clock-speed-error"
                        prop:value=move || speed.get()
                        on:input=move |ev| speed.set(event_target_value(&ev))
                    />
                    <FieldError id="clock-speed-error" errors=errors field="speed" />
                </label>
                <button type="submit" class="button" disabled=move || busy.get()>"Set speed"</button>
            </form>
            <FieldError id="clock-error" errors=errors field="" />
            <FieldError id="clock-phase-error" errors=errors field="phase" />
        </section>
    }
}
