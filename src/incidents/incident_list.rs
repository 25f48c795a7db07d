//! The incident list, windowed: only the rows in view (plus a few) are in the
//! DOM, so ten thousand incidents scroll as smoothly as ten.
//!
//! Rows have a fixed height inside a scroll container of fixed height; the
//! rendered block is moved down to where its first row belongs. Rows are
//! keyed by `(id, revision)`: an event about one incident rebuilds that row
//! only, and a new incident moves the others instead of redrawing them.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::incidents::incident_row::{IncidentRow, IncidentRowData};
use crate::incidents::sort::{Sort, SortKey};
use crate::live::use_live;
use crate::ui::window::visible_rows;
use crate::ui::{SortButton, SortDirection};

/// Height of a row, in px (the style sheet uses the same).
pub const ROW_HEIGHT: f64 = 40.0;
const OVERSCAN: usize = 8;

fn header_label(key: SortKey) -> &'static str {
    match key {
        SortKey::Id => "Id",
        SortKey::Title => "Title",
        SortKey::Severity => "Severity",
        SortKey::Status => "Status",
        SortKey::Opened => "Opened",
        SortKey::Updated => "Updated",
    }
}

/// The windowed list of the incidents at `rows` (positions in the store's
/// incident list), in that order.
#[component]
pub fn IncidentList(
    /// Positions of the incidents to list, in display order.
    #[prop(into)]
    rows: Signal<Vec<usize>>,
    /// The current sort; headers become sort buttons when given with `on_sort`.
    #[prop(optional, into)]
    sort: Option<Signal<Sort>>,
    /// Called with the new sort when a header is clicked.
    #[prop(optional)]
    on_sort: Option<Callback<Sort>>,
    /// Height of the scrolling area, in px.
    #[prop(default = 520.0)]
    height: f64,
) -> impl IntoView {
    let live = use_live();
    let scroll_top = RwSignal::new(0.0_f64);
    let total = Memo::new(move |_| rows.with(Vec::len));
    let range = Memo::new(move |_| {
        visible_rows(scroll_top.get(), height, ROW_HEIGHT, total.get(), OVERSCAN)
    });
    let shown = Memo::new(move |_| {
        let range = range.get();
        rows.with(|rows| {
            let end = range.end.min(rows.len());
            let start = range.start.min(end);
            live.incidents(|ledger| {
                rows[start..end]
                    .iter()
                    .filter_map(|position| {
                        ledger.incident_at(*position).map(|incident| {
                            IncidentRowData::of(incident, ledger.revision(&incident.id))
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let positions = Memo::new(move |_| {
        let start = range.get().start;
        shown.with(|shown| {
            shown
                .iter()
                .enumerate()
                .map(|(offset, row)| (row.id.clone(), start + offset + 1))
                .collect::<HashMap<String, usize>>()
        })
    });
    let header = SortKey::ALL
        .iter()
        .copied()
        .map(|key| {
            let direction = Signal::derive(move || {
                sort.map(|sort| sort.get()).and_then(|current| {
                    (current.key == key).then(|| SortDirection::of(current.descending))
                })
            });
            let aria_sort = move || direction.get().map(SortDirection::aria_sort);
            let label = header_label(key);
            let cell = match (sort, on_sort) {
                (Some(sort), Some(on_sort)) => view! {
                    <SortButton
                        label=label
                        direction=direction
                        on_press=Callback::new(move |()| on_sort.run(sort.get_untracked().toggled(key)))
                    />
                }
                .into_any(),
                _ => view! { <span>{label}</span> }.into_any(),
            };
            (
                key,
                view! {
                    <span role="columnheader" class="cell" aria-sort=aria_sort>{cell}</span>
                },
            )
        })
        .collect::<Vec<_>>();
    let mut header_cells = Vec::new();
    let mut rest = Vec::new();
    for (key, cell) in header {
        match key {
            SortKey::Id | SortKey::Title | SortKey::Severity | SortKey::Status => {
                header_cells.push(cell)
            }
            _ => rest.push(cell),
        }
    }
    view! {
        <div
            class="incident-table"
            role="table"
            aria-label="Incidents"
            aria-rowcount=move || total.get() + 1
            data-testid="incident-list"
        >
            <div class="row header-row" role="row" aria-rowindex="1">
                {header_cells}
                <span role="columnheader" class="cell">"Category"</span>
                <span role="columnheader" class="cell">"Nations"</span>
                {rest}
            </div>
            <div
                class="table-scroll"
                tabindex="0"
                aria-label="Incident rows; scroll for more"
                style=format!("height: {height}px; overflow-y: auto")
                on:scroll=move |ev| {
                    let element: web_sys::Element = event_target(&ev);
                    scroll_top.set(element.scroll_top() as f64);
                }
            >
                <div
                    class="table-spacer"
                    style=move || format!("height: {}px", total.get() as f64 * ROW_HEIGHT)
                >
                    <div
                        class="table-window"
                        role="rowgroup"
                        style=move || {
                            format!("transform: translateY({}px)", range.get().start as f64 * ROW_HEIGHT)
                        }
                    >
                        <For
                            each=move || shown.get()
                            key=|row| (row.id.clone(), row.revision)
                            children=move |row| {
                                let id = row.id.clone();
                                let position = Signal::derive(move || {
                                    positions.with(|positions| positions.get(&id).copied().unwrap_or(0))
                                });
                                view! { <IncidentRow row=row position=position /> }
                            }
                        />
                    </div>
                </div>
                <Show when=move || total.get() == 0>
                    <p class="empty">"No incidents match."</p>
                </Show>
            </div>
        </div>
    }
}
