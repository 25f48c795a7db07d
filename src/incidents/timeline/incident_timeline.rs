//! The incidents timeline: one lane per nation or per category, a bar per
//! incident from opening to closing (or now), over a time window that the
//! page zooms and pans. Only the bars in the window and in the scrolled-to
//! band are in the DOM; the maths is in [`layout`](super::layout).

use std::collections::HashSet;

use leptos::html::Div;
use leptos::prelude::*;

use crate::incidents::timeline::layout::{
    lane_defs, layout, ticks, visible_bars, visible_lanes, BarInput, LaneMode, TimeScale,
};
use crate::incidents::timeline::timeline_bar::{BarView, TimelineBar};
use crate::live::use_live;
use crate::ui::clock::use_clock;
use crate::ui::time_axis::TimeRange;

/// Width of the lane labels column, in px.
const LABEL_WIDTH: f64 = 136.0;
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
    let plot_width = Memo::new(move |_| (width.get() - LABEL_WIDTH).max(200.0));
    let scale = Memo::new(move |_| TimeScale::new(window.get(), plot_width.get()));
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
        ticks(window.get(), plot_width.get(), 90.0)
            .into_iter()
            .map(|tick| TickMark {
                label: tick.label,
                x_tenths: (tick.x * 10.0).round() as i64,
                major: tick.major,
            })
            .collect::<Vec<_>>()
    });
    let now_x = move || {
        let scale = scale.get();
        let x = scale.x(clock.minute());
        (0.0..=plot_width.get()).contains(&x).then_some(x)
    };
    let canvas_height = move || arranged.with(|arranged| arranged.height.max(height - 2.0));
    let lane_word = move || match lanes.get() {
        LaneMode::Nation => "nation",
        LaneMode::Category => "category",
    };
    view! {
        <div class="timeline" data-testid="incident-timeline" node_ref=container>
            <div class="timeline-axis" aria-hidden="true">
                <div class="timeline-axis-labels" style=format!("left: {LABEL_WIDTH}px")>
                    <For
                        each=move || tick_marks.get()
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
                            <span class="lane-label" style=format!("width: {LABEL_WIDTH}px") title=lane.title.clone()>
                                {lane.label.clone()}
                            </span>
                        </div>
                    </For>
                    <div class="timeline-plot" style=format!("left: {LABEL_WIDTH}px")>
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
