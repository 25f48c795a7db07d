//! The incident filters: severity and status (checkboxes), category and nation
//! (selects) and free text. They show the filter they are given and report
//! every change; the page keeps the filter in the URL.

use leptos::prelude::*;
use watchfloor_model::{category_label, IncidentStatus, Severity};

use crate::ui::query::History;
use crate::ui::{SeverityBadge, StatusBadge};
use watchfloor_model::IncidentFilter;

fn toggled<T: PartialEq + Copy>(items: &[T], item: T, all: &[T]) -> Vec<T> {
    let mut next: Vec<T> = items.to_vec();
    if let Some(position) = next.iter().position(|known| *known == item) {
        next.remove(position);
    } else {
        next.push(item);
    }
    // Keep the URL stable: the order of `all`, not of clicking.
    all.iter()
        .copied()
        .filter(|known| next.contains(known))
        .collect()
}

/// Controls for an [`IncidentFilter`].
#[component]
pub fn IncidentFilters(
    /// The filter shown.
    #[prop(into)]
    filter: Signal<IncidentFilter>,
    /// Called with the new filter on every change, and how to record it in history.
    on_change: Callback<(IncidentFilter, History)>,
    /// Category slugs to offer.
    #[prop(into)]
    categories: Signal<Vec<String>>,
    /// Nations to offer: `(code, name)`.
    #[prop(into)]
    nations: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let change = move |edit: Box<dyn FnOnce(&mut IncidentFilter)>, history: History| {
        let mut next = filter.get_untracked();
        edit(&mut next);
        on_change.run((next, history));
    };
    let severity_boxes = Severity::ALL
        .iter()
        .rev()
        .copied()
        .map(|severity| {
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        name="severity"
                        value=severity.as_str()
                        prop:checked=move || filter.with(|f| f.severity.contains(&severity))
                        on:change=move |_| {
                            change(
                                Box::new(move |f| {
                                    f.severity = toggled(&f.severity, severity, Severity::ALL);
                                }),
                                History::Push,
                            )
                        }
                    />
                    <SeverityBadge severity=severity />
                </label>
            }
        })
        .collect_view();
    let status_boxes = IncidentStatus::ALL
        .iter()
        .copied()
        .map(|status| {
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        name="status"
                        value=status.as_str()
                        prop:checked=move || filter.with(|f| f.status.contains(&status))
                        on:change=move |_| {
                            change(
                                Box::new(move |f| {
                                    f.status = toggled(&f.status, status, IncidentStatus::ALL);
                                }),
                                History::Push,
                            )
                        }
                    />
                    <StatusBadge status=status />
                </label>
            }
        })
        .collect_view();
    let selected_category =
        move || filter.with(|f| f.category.first().cloned().unwrap_or_default());
    let selected_nation = move || filter.with(|f| f.nation.first().cloned().unwrap_or_default());
    view! {
        <form class="filters" role="search" aria-label="Filter incidents" on:submit=|ev| ev.prevent_default()>
            <fieldset class="filter-group" data-testid="filter-severity">
                <legend>"Severity"</legend>
                {severity_boxes}
            </fieldset>
            <fieldset class="filter-group" data-testid="filter-status">
                <legend>"Status"</legend>
                {status_boxes}
            </fieldset>
            <div class="filter-fields">
                <label class="field">
                    <span>"Category"</span>
                    <select
                        data-testid="filter-category"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            change(
                                Box::new(move |f| {
                                    f.category = if value.is_empty() { Vec::new() } else { vec![value] };
                                }),
                                History::Push,
                            )
                        }
                    >
                        <option value="" prop:selected=move || selected_category().is_empty()>
                            "All categories"
                        </option>
                        {move || {
                            let selected = selected_category();
                            let mut offered = categories.get();
                            if !selected.is_empty() && !offered.contains(&selected) {
                                offered.push(selected.clone());
                            }
                            offered
                                .into_iter()
                                .map(|slug| {
                                    let is_selected = slug == selected;
                                    view! {
                                        <option value=slug.clone() prop:selected=is_selected>
                                            {category_label(&slug).to_string()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="field">
                    <span>"Nation"</span>
                    <select
                        data-testid="filter-nation"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            change(
                                Box::new(move |f| {
                                    f.nation = if value.is_empty() { Vec::new() } else { vec![value] };
                                }),
                                History::Push,
                            )
                        }
                    >
                        <option value="" prop:selected=move || selected_nation().is_empty()>
                            "All nations"
                        </option>
                        {move || {
                            let selected = selected_nation();
                            let mut offered = nations.get();
                            if !selected.is_empty() && offered.iter().all(|(code, _)| *code != selected) {
                                offered.push((selected.clone(), selected.clone()));
                            }
                            offered
                                .into_iter()
                                .map(|(code, name)| {
                                    let is_selected = code == selected;
                                    view! {
                                        <option value=code.clone() prop:selected=is_selected>
                                            {format!("{code} · {name}")}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="field field-text">
                    <span>"Search"</span>
                    <input
                        type="search"
                        data-testid="filter-text"
                        placeholder="Id, title, team, summary…"
                        prop:value=move || filter.with(|f| f.text.clone())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            change(Box::new(move |f| f.text = value), History::Replace)
                        }
                    />
                </label>
                <button
                    type="button"
                    class="button button-quiet"
                    data-testid="filter-clear"
                    disabled=move || filter.with(IncidentFilter::is_empty)
                    on:click=move |_| on_change.run((IncidentFilter::default(), History::Push))
                >
                    "Clear filters"
                </button>
            </div>
        </form>
    }
}
