//! The "about this exercise" panel: what the exercise is, for visitors who
//! have never heard of it — from the exercise's own name, organiser and
//! dates, plus a fixed text about Cyber Coalition-style exercises. It says
//! nothing that is not already public.

use leptos::prelude::*;

use crate::display::status_panel::display_name;
use crate::live::LiveStore;
use crate::overview::figures::headline;
use crate::vocabulary::time::schedule_text;
use crate::vocabulary::words::grouped;

/// The "about" panel; reads the live store from context.
#[component]
pub fn AboutPanel() -> impl IntoView {
    let store = expect_context::<LiveStore>();
    let exercise = Memo::new(move |_| store.exercise(Clone::clone));
    let figures = Memo::new(move |_| store.nations(|nations| headline(nations, &[])));
    let name = move || exercise.with(|exercise| display_name(&exercise.name));
    let edition = move || exercise.with(|exercise| exercise.edition.clone());
    let introduction = move || {
        exercise.with(|exercise| {
            let organiser = exercise.organiser.trim();
            let led = if organiser.is_empty() {
                String::new()
            } else {
                format!(", directed by {organiser}")
            };
            format!(
                "{} is a multinational cyber defence exercise{led}. Allies, partner nations and \
                 international organisations train together to detect, report and contain cyber \
                 attacks — and to help one another respond.",
                display_name(&exercise.name)
            )
        })
    };
    let schedule = move || {
        exercise.with(|exercise| match (exercise.startex, exercise.endex) {
            (Some(startex), Some(endex)) if endex > startex => Some(schedule_text(startex, endex)),
            _ => None,
        })
    };
    let scale = move || {
        figures.with(|figures| {
            (figures.nations > 0).then(|| {
                let people = if figures.participants > 0 {
                    format!(" · {} cyber defenders", grouped(figures.participants))
                } else {
                    String::new()
                };
                format!("{} nations and organisations{people}", figures.nations)
            })
        })
    };

    view! {
        <section class="display-panel display-about" data-testid="display-panel" data-panel="about">
            <h2 class="display-panel-title">"About the exercise"</h2>
            <div class="display-about-body">
                <header class="display-about-identity">
                    <h1 class="display-title">{name}</h1>
                    <p class="display-edition">{edition}</p>
                    {move || schedule().map(|text| view! { <p class="display-about-dates">{text}</p> })}
                    {move || scale().map(|text| view! { <p class="display-about-scale">{text}</p> })}
                </header>
                <div class="display-about-text">
                    <p>{introduction}</p>
                    <p>
                        "Defenders take part from their home countries, connected over a dedicated \
                         exercise network. An exercise control cell plays out a scripted scenario over \
                         the exercise week, drawn from today's threats: attempts to breach classified \
                         networks, disruption of communications in critical infrastructure, espionage \
                         through smartphone applications."
                    </p>
                    <p>
                        "The exercise tests how quickly teams share what they see and work together, \
                         in line with international law."
                    </p>
                    <p class="display-about-simulated">
                        "Every incident on this screen is part of the exercise scenario. \
                         None describes a real attack."
                    </p>
                </div>
            </div>
        </section>
    }
}
