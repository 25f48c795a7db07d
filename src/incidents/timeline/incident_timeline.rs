//! The incidents timeline: one lane per nation or per category, a bar per
//! incident from opening to closing (or now), over a time window that the
//! page zooms and pans. Only the bars in the window and in the scrolled-to
//! band are in the DOM; the maths is in [`layout`](super::layout).
//!
//! Given `on_pan`, the plot can be dragged (mouse, pen or a finger; vertical
//! touch gestures still scroll the lanes): the window follows the pointer
//! and, on release, its new left edge goes to `on_pan`, like the pan buttons.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use leptos::html::Div;
use leptos::prelude::*;

use crate::incidents::timeline::layout::{
    dragged, label_width, lane_defs, layout, ticks, visible_bars, visible_lanes, BarInput,
    LaneMode, TimeScale,
};
use crate::incidents::timeline::timeline_bar::{BarView, TimelineBar};
use crate::live::use_live;
use crate::ui::clock::use_clock;
use crate::ui::time_axis::TimeRange;

/// How far, in px, a pointer moves before a press becomes a drag (less is a click).
const DRAG_THRESHOLD: f64 = 6.0;
/// How close to the plot's right edge a tick may have its label, in px
/// (about half the widest label).
const TICK_LABEL_MARGIN: f64 = 30.0;
/// Used until the chart has been measured (and in a detached test page).
const FALLBACK_WIDTH: f64 = 1100.0;

/// A lane's label as drawn; a label is redrawn only when this changes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LaneLabel {
    key: String,
    label: String,
    title: String,
    top: i64,
    height: i64,
}

/// A press on the plot that may become a drag.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Press {
    pointer: i32,
    x: f64,
    dragging: bool,
}

/// A tick as drawn, in tenths of a px so it can be a key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TickMark {
    label: String,
    x_tenths: i64,
    major: bool,
}

/// The incidents timeline.
#[component]
pub fn IncidentTimeline(
    /// Positions in the store's incident list of the incidents to draw.
    #[prop(into)]
    rows: Signal<Vec<usize>>,
    /// One lane per nation or per category.
    #[prop(into)]
    lanes: Signal<LaneMode>,
    /// The time window on screen.
    #[prop(into)]
    window: Signal<TimeRange>,
    /// Height of the scrolling lanes area, in px.
    #[prop(default = 360.0)]
    height: f64,
    /// Called with the window's new left edge when the plot has been dragged.
    #[prop(optional)]
    on_pan: Option<Callback<DateTime<Utc>>>,
    /// Whether dragging pans (with `on_pan`); not while the whole exercise is shown.
    #[prop(optional, into)]
    pannable: Signal<bool>,
) -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let container = NodeRef::<Div>::new();
    let width = RwSignal::new(FALLBACK_WIDTH);
    let measure = move || {
        if let Some(element) = container.get_untracked() {
            let measured = element.client_width() as f64;
            if measured > 200.0 && (measured - width.get_untracked()).abs() > 0.5 {
                width.set(measured);
            }
        }
    };
    Effect::new(move |_| {
        container.track();
        measure();
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let scroll_top = RwSignal::new(0.0_f64);
    let labels = Memo::new(move |_| label_width(width.get()));
    let plot_width = Memo::new(move |_| (width.get() - labels.get()).max(200.0));
    // While the plot is dragged, the window follows the pointer.
    let drag_dx = RwSignal::new(0.0_f64);
    let press = StoredValue::new(None::<Press>);
    let shown = Memo::new(move |_| dragged(window.get(), drag_dx.get(), plot_width.get()));
    let scale = Memo::new(move |_| TimeScale::new(shown.get(), plot_width.get()));
    let arranged = Memo::new(move |_| {
        let mode = lanes.get();
        let now_ms = clock.minute().timestamp_millis();
        let nations = live.nations(|nations| nations.to_vec());
        rows.with(|rows| {
            live.incidents(|ledger| {
                let incidents = &ledger.state().incidents;
                let items: Vec<BarInput> = rows
                    .iter()
                    .filter_map(|position| {
                        incidents
                            .get(*position)
                            .map(|incident| BarInput::of(*position, incident, mode))
                    })
                    .collect();
                let used: HashSet<&str> = items
                    .iter()
                    .flat_map(|item| item.lanes.iter().map(String::as_str))
                    .collect();
                let defs: Vec<_> = lane_defs(mode, &nations, incidents)
                    .into_iter()
                    .filter(|def| used.contains(def.key.as_str()))
                    .collect();
                layout(&items, &defs, now_ms)
            })
        })
    });
    let bars = Memo::new(move |_| {
        let scale = scale.get();
        let top = scroll_top.get();
        arranged.with(|arranged| {
            live.incidents(|ledger| {
                visible_bars(arranged, &scale, top, top + height)
                    .into_iter()
                    .filter_map(|position| {
                        let bar = &arranged.bars[position];
                        let incident = ledger.incident_at(bar.index)?;
                        let extent = scale.bar(bar.start_ms, bar.end_ms);
                        Some(BarView {
                            id: incident.id.clone(),
                            title: incident.title.clone(),
                            lane: bar.lane,
                            left_tenths: (extent.left * 10.0).round() as i64,
                            width_tenths: (extent.width * 10.0).round() as i64,
                            top_tenths: (bar.y(&arranged.lanes) * 10.0).round() as i64,
                            severity: incident.severity,
                            status: incident.status,
                            open: bar.open,
                            opened_at: incident.opened_at,
                            closed_at: incident.closed_at,
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let lane_labels = Memo::new(move |_| {
        let top = scroll_top.get();
        arranged.with(|arranged| {
            visible_lanes(arranged, top, top + height)
                .into_iter()
                .map(|position| {
                    let lane = &arranged.lanes[position];
                    LaneLabel {
                        key: lane.key.clone(),
                        label: lane.label.clone(),
                        title: lane.title.clone(),
                        top: lane.top as i64,
                        height: lane.height as i64,
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    let tick_marks = Memo::new(move |_| {
        ticks(shown.get(), plot_width.get(), 90.0)
            .into_iter()
            .map(|tick| TickMark {
                label: tick.label,
                x_tenths: (tick.x * 10.0).round() as i64,
                major: tick.major,
            })
            .collect::<Vec<_>>()
    });
    // A label is centred on its tick: none so close to the right edge that
    // the axis would cut it.
    let tick_labels = Memo::new(move |_| {
        let right = plot_width.get() - TICK_LABEL_MARGIN;
        tick_marks.with(|ticks| {
            ticks
                .iter()
                .filter(|tick| (tick.x_tenths as f64 / 10.0) <= right)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let now_x = move || {
        let scale = scale.get();
        let x = scale.x(clock.minute());
        (0.0..=plot_width.get()).contains(&x).then_some(x)
    };
    let canvas_height = move || arranged.with(|arranged| arranged.height.max(height - 2.0));
    let can_pan = move || on_pan.is_some() && pannable.get_untracked();
    let on_pointer_down = move |ev: leptos::ev::PointerEvent| {
        if !can_pan() || (ev.pointer_type() == "mouse" && ev.button() != 0) {
            return;
        }
        let Some(element) = container.get_untracked() else {
            return;
        };
        let left = element.get_bounding_client_rect().left();
        if (ev.client_x() as f64) - left < labels.get_untracked() {
            return;
        }
        press.set_value(Some(Press {
            pointer: ev.pointer_id(),
            x: ev.client_x() as f64,
            dragging: false,
        }));
    };
    let on_pointer_move = move |ev: leptos::ev::PointerEvent| {
        let Some(mut current) = press.get_value() else {
            return;
        };
        if current.pointer != ev.pointer_id() {
            return;
        }
        let dx = ev.client_x() as f64 - current.x;
        if !current.dragging && dx.abs() >= DRAG_THRESHOLD {
            current.dragging = true;
            press.set_value(Some(current));
            if let Some(element) = container.get_untracked() {
                let _ = element.set_pointer_capture(ev.pointer_id());
            }
        }
        if current.dragging {
            ev.prevent_default();
            drag_dx.set(dx);
        }
    };
    let on_pointer_up = move |ev: leptos::ev::PointerEvent| {
        let Some(current) = press.get_value() else {
            return;
        };
        if current.pointer != ev.pointer_id() {
            return;
        }
        press.set_value(None);
        if current.dragging {
            let dx = ev.client_x() as f64 - current.x;
            let from = dragged(window.get_untracked(), dx, plot_width.get_untracked()).start;
            if let Some(on_pan) = on_pan {
                on_pan.run(from);
            }
        }
        drag_dx.set(0.0);
    };
    let on_pointer_cancel = move |_: leptos::ev::PointerEvent| {
        press.set_value(None);
        drag_dx.set(0.0);
    };
    let lane_word = move || match lanes.get() {
        LaneMode::Nation => "nation",
        LaneMode::Category => "category",
    };
    view! {
        <div
            class="timeline"
            class:is-pannable=move || on_pan.is_some() && pannable.get()
            class:is-dragging=move || drag_dx.get() != 0.0
            data-testid="incident-timeline"
            node_ref=container
            on:pointerdown=on_pointer_down
            on:pointermove=on_pointer_move
            on:pointerup=on_pointer_up
            on:pointercancel=on_pointer_cancel
        >
            <div class="timeline-axis" aria-hidden="true">
                <div class="timeline-axis-labels" style=move || format!("left: {}px", labels.get())>
                    <For
                        each=move || tick_labels.get()
                        key=|tick| tick.clone()
                        let:tick
                    >
                        <span
                            class=if tick.major { "tick tick-major" } else { "tick" }
                            style=format!("left: {:.1}px", tick.x_tenths as f64 / 10.0)
                        >
                            {tick.label.clone()}
                        </span>
                    </For>
                </div>
            </div>
            <div
                class="timeline-scroll"
                style=format!("height: {height}px; overflow-y: auto")
                tabindex="0"
                aria-label=move || format!("Incident timeline, one lane per {}", lane_word())
                on:scroll=move |ev| {
                    let element: web_sys::Element = event_target(&ev);
                    scroll_top.set(element.scroll_top() as f64);
                }
            >
                <div class="timeline-canvas" style=move || format!("height: {}px", canvas_height())>
                    <For
                        each=move || lane_labels.get()
                        key=|lane| lane.clone()
                        let:lane
                    >
                        <div class="lane" data-lane=lane.key.clone() style=format!("top: {}px; height: {}px", lane.top, lane.height)>
                            <span class="lane-label" style=move || format!("width: {}px", labels.get()) title=lane.title.clone()>
                                {lane.label.clone()}
                            </span>
                        </div>
                    </For>
                    <div class="timeline-plot" style=move || format!("left: {}px", labels.get())>
                        <For
                            each=move || tick_marks.get()
                            key=|tick| tick.clone()
                            let:tick
                        >
                            <div
                                class=if tick.major { "gridline gridline-major" } else { "gridline" }
                                style=format!("left: {:.1}px", tick.x_tenths as f64 / 10.0)
                            ></div>
                        </For>
                        {move || {
                            now_x()
                                .map(|x| {
                                    view! {
                                        <div class="now-line" style=format!("left: {x:.1}px") title="Now">
                                            <span class="now-label">"now"</span>
                                        </div>
                                    }
                                })
                        }}
                        <For each=move || bars.get() key=|bar| bar.clone() let:bar>
                            <TimelineBar bar=bar />
                        </For>
                    </div>
                </div>
                <Show when=move || arranged.with(|arranged| arranged.bars.is_empty())>
                    <p class="empty">"No incidents match."</p>
                </Show>
            </div>
        </div>
    }
}
