//! Timeline controls: lanes by nation or category, zoom, pan and "now".
//! Every change goes to the URL through `on_change`.

use leptos::prelude::*;

use crate::ui::time_axis::TimeRange;

use crate::incidents::timeline::layout::{panned, LaneMode, Span, TimelineView, ZOOM_LEVELS};
use crate::ui::query::History;
use crate::vocabulary::time::day_hm;

/// The controls above the timeline.
#[component]
pub fn TimelineControls(
    /// The timeline's view (lanes, zoom, left edge).
    #[prop(into)]
    view: Signal<TimelineView>,
    /// The time window on screen (for panning from where it is).
    #[prop(into)]
    window: Signal<TimeRange>,
    /// Called with the new view.
    on_change: Callback<(TimelineView, History)>,
) -> impl IntoView {
    let set = move |edit: Box<dyn FnOnce(&mut TimelineView)>| {
        let mut next = view.get_untracked();
        edit(&mut next);
        on_change.run((next, History::Push));
    };
    let lanes_button = move |mode: LaneMode, label: &'static str| {
        view! {
            <button
                type="button"
                class="button segment"
                data-testid=format!("lanes-{}", mode.as_str())
                aria-pressed=move || (view.get().lanes == mode).to_string()
                on:click=move |_| set(Box::new(move |v| v.lanes = mode))
            >
                {label}
            </button>
        }
    };
    let pan = move |direction: i32| {
        let from = panned(window.get_untracked(), direction);
        set(Box::new(move |v| {
            if v.span == Span::Whole {
                v.span = Span::Hours(48);
            }
            v.from = Some(from);
        }))
    };
    view! {
        <div class="timeline-controls" role="toolbar" aria-label="Timeline view">
            <div class="segmented" role="group" aria-label="Lanes">
                {lanes_button(LaneMode::Nation, "Lane per nation")}
                {lanes_button(LaneMode::Category, "Lane per category")}
            </div>
            <div class="segmented" role="group" aria-label="Zoom">
                <button
                    type="button"
                    class="button"
                    data-testid="zoom-in"
                    aria-label="Zoom in"
                    disabled=move || view.get().span == ZOOM_LEVELS[0]
                    on:click=move |_| set(Box::new(|v| v.span = v.span.zoomed_in()))
                >
                    "+"
                </button>
                <label class="field field-inline">
                    <span class="visually-hidden">"Time shown"</span>
                    <select
                        data-testid="zoom-level"
                        on:change=move |ev| {
                            if let Some(span) = Span::parse(&event_target_value(&ev)) {
                                set(Box::new(move |v| v.span = span));
                            }
                        }
                    >
                        {ZOOM_LEVELS
                            .iter()
                            .copied()
                            .map(|span| {
                                view! {
                                    <option
                                        value=span.as_str()
                                        prop:selected=move || view.get().span == span
                                    >
                                        {span.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button
                    type="button"
                    class="button"
                    data-testid="zoom-out"
                    aria-label="Zoom out"
                    disabled=move || view.get().span == Span::Whole
                    on:click=move |_| set(Box::new(|v| v.span = v.span.zoomed_out()))
                >
                    "−"
                </button>
            </div>
            <div class="segmented" role="group" aria-label="Pan">
                <button type="button" class="button" data-testid="pan-back" on:click=move |_| pan(-1)>
                    "◀ Earlier"
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="pan-now"
                    disabled=move || view.get().from.is_none()
                    on:click=move |_| set(Box::new(|v| v.from = None))
                >
                    "Now"
                </button>
                <button type="button" class="button" data-testid="pan-forward" on:click=move |_| pan(1)>
                    "Later ▶"
                </button>
            </div>
            <span class="window-label" data-testid="timeline-window">
                {move || {
                    let window = window.get();
                    format!("{} – {}", day_hm(window.start), day_hm(window.end))
                }}
            </span>
        </div>
    }
}
