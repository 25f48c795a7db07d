//! Incidents (`/incidents`): filters, the timeline (lanes per nation or
//! category, zoom and pan) and the windowed list. Everything that shapes the
//! view is in the URL query.

use leptos::prelude::*;

use crate::incidents::sort::{select, Sort};
use crate::incidents::timeline::layout::{format_minute, time_window, Span, TimelineView};
use crate::incidents::timeline::{IncidentTimeline, TimelineControls};
use crate::incidents::{IncidentFilters, IncidentList};
use crate::live::use_live;
use crate::ui::clock::use_clock;
use crate::ui::query::{getter, use_query, use_query_writer, History};
use crate::ui::time_axis::exercise_range;
use crate::ui::StoreGate;
use watchfloor_model::IncidentFilter;

/// The incidents page.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let query = use_query();
    let writer = use_query_writer();
    let filter = Memo::new(move |_| query.with(|q| IncidentFilter::parse(q).0));
    let sort = Memo::new(move |_| query.with(|q| Sort::from_query(&getter(q))));
    let view = Memo::new(move |_| query.with(|q| TimelineView::from_query(&getter(q))));
    let rows = Memo::new(move |_| {
        let filter = filter.get();
        let sort = sort.get();
        live.incidents(|ledger| select(&ledger.state().incidents, &filter, sort))
    });
    let total = Memo::new(move |_| live.incidents(|ledger| ledger.state().incidents.len()));
    let window = Memo::new(move |_| {
        let now = clock.minute();
        let (startex, endex) = live.exercise(|exercise| (exercise.startex, exercise.endex));
        let first =
            live.incidents(|ledger| ledger.state().incidents.iter().map(|i| i.opened_at).min());
        let exercise = exercise_range(startex, endex, first, now);
        view.with(|view| time_window(view.span, view.from, now, exercise))
    });
    let categories = Memo::new(move |_| {
        live.incidents(|ledger| {
            let mut slugs: Vec<String> = ledger
                .state()
                .incidents
                .iter()
                .map(|i| i.category.clone())
                .collect();
            slugs.sort();
            slugs.dedup();
            slugs
        })
    });
    let nations = Memo::new(move |_| {
        live.nations(|nations| {
            let mut offered: Vec<(String, String)> = nations
                .iter()
                .map(|n| (n.code.clone(), n.name.clone()))
                .collect();
            offered.sort();
            offered
        })
    });
    let on_filter = Callback::new(move |(next, history): (IncidentFilter, History)| {
        writer.set_many(&next.to_query(), history);
    });
    let on_sort =
        Callback::new(move |next: Sort| writer.set("sort", next.to_query(), History::Push));
    let on_view = Callback::new(move |(next, history): (TimelineView, History)| {
        let default = TimelineView::default();
        writer.set_many(
            &[
                (
                    "lanes",
                    (next.lanes != default.lanes).then(|| next.lanes.as_str().to_string()),
                ),
                (
                    "span",
                    (next.span != default.span).then(|| next.span.as_str()),
                ),
                ("from", next.from.map(format_minute)),
            ],
            history,
        );
    });
    let lanes = Signal::derive(move || view.with(|view| view.lanes));
    // Dragging the plot moves the window, written to the URL like the pan buttons.
    let on_pan = Callback::new(move |from| {
        let mut next = view.get_untracked();
        next.from = Some(from);
        on_view.run((next, History::Push));
    });
    let pannable = Signal::derive(move || view.with(|view| view.span != Span::Whole));
    view! {
        <div class="page-heading">
            <h1>"Incidents"</h1>
            <p class="muted" role="status" data-testid="incident-count">
                {move || format!("{} of {} incidents", rows.with(Vec::len), total.get())}
            </p>
        </div>
        <StoreGate>
            <IncidentFilters filter=filter on_change=on_filter categories=categories nations=nations />
            <section class="card" aria-labelledby="timeline-heading">
                <div class="card-heading">
                    <h2 id="timeline-heading">"Timeline"</h2>
                    <TimelineControls view=view window=window on_change=on_view />
                </div>
                <IncidentTimeline rows=rows lanes=lanes window=window on_pan=on_pan pannable=pannable />
                <p class="legend">
                    "Bars run from opening to containment (or now). Solid: open; outlined: closed. "
                    "Letters: C critical, H high, M medium, L low."
                </p>
            </section>
            <section class="card" aria-labelledby="list-heading">
                <h2 id="list-heading">"List"</h2>
                <IncidentList rows=rows sort=sort on_sort=on_sort />
            </section>
        </StoreGate>
    }
}
