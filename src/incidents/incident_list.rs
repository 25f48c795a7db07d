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
/// The row height the style sheet gives the list (its `--row-height`: taller
/// rows on two lines or as cards on narrow screens), else [`ROW_HEIGHT`].
fn styled_row_height(element: &web_sys::Element) -> f64 {
    web_sys::window()
        .and_then(|window| window.get_computed_style(element).ok().flatten())
        .and_then(|style| style.get_property_value("--row-height").ok())
        .and_then(|value| parse_px(&value))
        .unwrap_or(ROW_HEIGHT)
}

/// A positive length in px, as `40px`.
fn parse_px(value: &str) -> Option<f64> {
    value
        .trim()
        .strip_suffix("px")
        .and_then(|number| number.trim().parse::<f64>().ok())
        .filter(|px| px.is_finite() && *px > 0.0)
}
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
    // Rows are taller on narrow screens: the style sheet says how tall.
    let table = NodeRef::<leptos::html::Div>::new();
    let row_height = RwSignal::new(ROW_HEIGHT);
    let measure = move || {
        if let Some(element) = table.get_untracked() {
            let now = styled_row_height(&element);
            if now != row_height.get_untracked() {
                row_height.set(now);
            }
        }
    };
    Effect::new(move |_| {
        table.track();
        measure();
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    let total = Memo::new(move |_| rows.with(Vec::len));
    let range = Memo::new(move |_| {
        visible_rows(
            scroll_top.get(),
            height,
            row_height.get(),
            total.get(),
            OVERSCAN,
        )
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
            node_ref=table
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
            // The rows' group is the scroll box itself, so the table owns
            // only rows and row groups (axe's aria-required-children); the
            // spacer and the window inside it are plain boxes.
            <div
                class="table-scroll"
                role="rowgroup"
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
                    style=move || format!("height: {}px", total.get() as f64 * row_height.get())
                >
                    <div
                        class="table-window"
                        style=move || {
                            format!("transform: translateY({}px)", range.get().start as f64 * row_height.get())
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
                    <div class="row empty-row" role="row">
                        <span class="cell empty" role="cell">"No incidents match."</span>
                    </div>
                </Show>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_style_sheets_row_height_is_read_in_px() {
        assert_eq!(parse_px(" 124px"), Some(124.0));
        assert_eq!(parse_px("40px"), Some(40.0));
        assert_eq!(parse_px(""), None);
        assert_eq!(parse_px("2rem"), None);
        assert_eq!(parse_px("0px"), None);
    }
}
