//! Incident activity over time: incidents opened (above the axis) and closed
//! (below it, hatched) per bucket, as a small SVG chart.

use leptos::prelude::*;

use crate::live::use_live;
use crate::overview::figures::{activity, Bucket};
use crate::ui::clock::use_clock;
use crate::ui::time_axis::{elapsed_range, exercise_range, step, Buckets};
use crate::vocabulary::time::{day_hm, duration, Precision};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 180.0;
const AXIS: f64 = 100.0;
const LABELS: f64 = 16.0;

/// Opened and closed incidents per hour (or per few hours on a long exercise).
#[component]
pub fn ActivityChart() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let chart = Memo::new(move |_| {
        let now = clock.minute();
        let (startex, endex) = live.exercise(|exercise| (exercise.startex, exercise.endex));
        live.incidents(|ledger| {
            let incidents = &ledger.state().incidents;
            let first = incidents.iter().map(|incident| incident.opened_at).min();
            let range = elapsed_range(exercise_range(startex, endex, first, now), now);
            let size = step(range.length(), 48, chrono::Duration::hours(1));
            (activity(incidents, &Buckets::new(range, size)), size)
        })
    });
    let summary = move || {
        chart.with(|(buckets, size)| {
            let opened: usize = buckets.iter().map(|bucket| bucket.opened).sum();
            let closed: usize = buckets.iter().map(|bucket| bucket.closed).sum();
            format!(
                "Incidents per {}: {opened} opened and {closed} contained or resolved since {}",
                duration(*size, Precision::Exact),
                buckets
                    .first()
                    .map(|bucket| day_hm(bucket.start))
                    .unwrap_or_default(),
            )
        })
    };
    let bars = move || {
        chart.with(|(buckets, _)| {
            let peak = buckets
                .iter()
                .map(|bucket| bucket.opened.max(bucket.closed))
                .max()
                .unwrap_or(0)
                .max(1) as f64;
            let slot = WIDTH / buckets.len().max(1) as f64;
            let bar = (slot * 0.8).max(1.0);
            let up = AXIS - 8.0;
            let down = HEIGHT - LABELS - AXIS - 4.0;
            buckets
                .iter()
                .enumerate()
                .map(
                    |(
                        index,
                        Bucket {
                            start,
                            opened,
                            closed,
                        },
                    )| {
                        let x = index as f64 * slot + (slot - bar) / 2.0;
                        let opened_height = *opened as f64 / peak * up;
                        let closed_height = *closed as f64 / peak * down;
                        let label = format!("{}: {opened} opened, {closed} closed", day_hm(*start));
                        view! {
                            <g class="bucket">
                                <title>{label}</title>
                                <rect
                                    class="opened"
                                    x=format!("{x:.1}")
                                    y=format!("{:.1}", AXIS - opened_height)
                                    width=format!("{bar:.1}")
                                    height=format!("{opened_height:.1}")
                                />
                                <rect
                                    class="closed"
                                    x=format!("{x:.1}")
                                    y=format!("{AXIS:.1}")
                                    width=format!("{bar:.1}")
                                    height=format!("{closed_height:.1}")
                                />
                            </g>
                        }
                    },
                )
                .collect_view()
        })
    };
    let labels = move || {
        chart.with(|(buckets, _)| {
            let count = buckets.len();
            let slot = WIDTH / count.max(1) as f64;
            let step = (count / 6).max(1);
            buckets
                .iter()
                .enumerate()
                .filter(|(index, _)| index % step == 0)
                .map(|(index, bucket)| {
                    view! {
                        <text
                            class="tick-label"
                            x=format!("{:.1}", index as f64 * slot)
                            y=format!("{:.1}", HEIGHT - 3.0)
                        >
                            {day_hm(bucket.start)}
                        </text>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <figure class="activity-chart" data-testid="activity-chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=summary
                preserveAspectRatio="xMidYMid meet"
            >
                <defs>
                    <pattern
                        id="hatch-closed"
                        width="6"
                        height="6"
                        patternUnits="userSpaceOnUse"
                        patternTransform="rotate(45)"
                    >
                        <rect class="hatch-bg" width="6" height="6" />
                        <line class="hatch-line" x1="0" y1="0" x2="0" y2="6" stroke-width="3" />
                    </pattern>
                </defs>
                {bars}
                <line class="axis" x1="0" y1=AXIS x2=WIDTH y2=AXIS />
                {labels}
            </svg>
            <figcaption class="legend">
                <span class="legend-item">
                    <span class="swatch swatch-opened" aria-hidden="true"></span>
                    "Opened (above the line)"
                </span>
                <span class="legend-item">
                    <span class="swatch swatch-closed" aria-hidden="true"></span>
                    "Contained or resolved (below, hatched)"
                </span>
            </figcaption>
        </figure>
    }
}
