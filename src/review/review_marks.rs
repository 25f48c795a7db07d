//! The track's marks as a list: every phase, pause and inject in words,
//! each a button to the moment it starts (what the track shows in shapes,
//! for keyboards, screen readers and exact reading).

use leptos::prelude::*;
use watchfloor_model::review::Moment;

use crate::review::replay::use_replay;
use crate::review::scrubber_track::TrackMarks;
use crate::vocabulary::replay::{inject_mark, marks_summary, phase_span};

/// "Marks: 4 phases, 2 injects", opening to the list.
#[component]
pub fn ReviewMarks(marks: TrackMarks) -> impl IntoView {
    let replay = use_replay();
    let TrackMarks { spans, injects, .. } = marks;
    let summary = move || marks_summary(spans.with(Vec::len), injects.with(Vec::len));
    view! {
        <details class="review-marks" data-testid="review-marks">
            <summary>{summary}</summary>
            <ul class="review-mark-list">
                {move || {
                    spans
                        .get()
                        .into_iter()
                        .map(|span| {
                            let start = span.start;
                            view! {
                                <li data-testid="review-mark-item" data-kind="phase">
                                    <button
                                        type="button"
                                        class="link-button"
                                        on:click=move |_| replay.jump(Moment::Time(start))
                                    >
                                        {phase_span(span.phase, span.start, span.end, span.ongoing)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
                {move || {
                    injects
                        .get()
                        .into_iter()
                        .map(|mark| {
                            let at = mark.at;
                            view! {
                                <li data-testid="review-mark-item" data-kind="inject">
                                    <button
                                        type="button"
                                        class="link-button"
                                        on:click=move |_| replay.jump(Moment::Time(at))
                                    >
                                        {inject_mark(&mark.inject, &mark.title, mark.at)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </details>
    }
}
