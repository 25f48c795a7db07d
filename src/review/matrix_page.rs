//! The nation × inject matrix (`/review/matrix`): one row per nation, one
//! column per scripted inject, each cell the nation's times from the inject
//! to detected, reported and contained. Per nation the answered count and
//! median times; per inject the fastest and slowest nation. Sortable by any
//! column, filterable by category and nation kind, all in the URL; it reads
//! the store it is given, so in review mode it shows the matrix as it was
//! at the replay's moment.

use leptos::prelude::*;
use watchfloor_model::review::{matrix, Matrix};
use watchfloor_model::{Milestone, NationKind};

use crate::live::use_live;
use crate::review::matrix::{extreme_text, milestone_letter, Band, MatrixQuery, MatrixSort};
use crate::review::matrix_cell::MatrixCell;
use crate::ui::query::{encode, getter, use_query, use_query_writer, History};
use crate::ui::{SortButton, SortDirection, StoreGate};
use crate::vocabulary::time::compact;
use crate::vocabulary::words::{category_text, counted, kind_label};

/// The matrix page.
#[component]
pub fn MatrixPage() -> impl IntoView {
    let live = use_live();
    let query = use_query();
    let writer = use_query_writer();
    let view_state = Memo::new(move |_| query.with(|q| MatrixQuery::from_query(&getter(q))));
    let figures = Memo::new(move |_| {
        live.nations(|_| ());
        live.incidents(|ledger| matrix(ledger.state()))
    });
    let columns = Memo::new(move |_| view_state.with(|v| figures.with(|m| v.columns(m))));
    let rows = Memo::new(move |_| view_state.with(|v| figures.with(|m| v.rows(m))));
    let categories = Memo::new(move |_| {
        figures.with(|m| {
            let mut categories: Vec<String> =
                m.injects.iter().map(|c| c.category.clone()).collect();
            categories.sort();
            categories.dedup();
            categories
        })
    });
    let set = move |key: &'static str| {
        move |ev| {
            let value = event_target_value(&ev);
            writer.set(key, (!value.is_empty()).then_some(value), History::Push);
        }
    };
    let selected = move |key: &'static str| {
        move || {
            query.with(|q| {
                q.iter()
                    .find(|(name, _)| name == key)
                    .map(|(_, value)| value.clone())
                    .unwrap_or_default()
            })
        }
    };
    let sort_header = move |label: String, sort: MatrixSort, test_id: String| {
        let for_direction = sort.clone();
        let direction = Signal::derive(move || {
            view_state.with(|v| (v.sort == for_direction).then(|| SortDirection::of(v.descending)))
        });
        let on_press = Callback::new(move |()| {
            let next = view_state.get_untracked().sorted_by(sort.clone());
            writer.set("sort", next.sort_query(), History::Push);
        });
        (
            direction,
            view! { <SortButton label=label direction=direction test_id=test_id on_press=on_press /> },
        )
    };
    let csv_href = move || {
        let at = query.with(|q| q.iter().find(|(k, _)| k == "at").map(|(_, v)| v.clone()));
        match at {
            Some(at) => format!("/api/v1/review/matrix?format=csv&at={}", encode(&at)),
            None => "/api/v1/review/matrix?format=csv".to_string(),
        }
    };
    let head = move || {
        figures.with(|m| {
            let mut cells = Vec::new();
            for (label, sort, id) in [
                ("Nation".to_string(), MatrixSort::Nation, "sort-nation".to_string()),
                ("Answered".to_string(), MatrixSort::Answered, "sort-answered".to_string()),
            ]
            .into_iter()
            .chain(Milestone::ALL.iter().map(|milestone| {
                (
                    format!("Median {}", milestone_letter(*milestone)),
                    MatrixSort::Median(*milestone),
                    format!("sort-median-{}", milestone.as_str()),
                )
            })) {
                let (direction, button) = sort_header(label, sort, id);
                cells.push(view! {
                    <th scope="col" class="matrix-fixed" aria-sort=move || direction.get().map(SortDirection::aria_sort)>
                        {button}
                    </th>
                }.into_any());
            }
            for index in columns.get() {
                let column = &m.injects[index];
                let (direction, button) = sort_header(
                    column.inject.clone(),
                    MatrixSort::Inject(column.inject.clone()),
                    format!("sort-inject-{}", column.inject),
                );
                cells.push(view! {
                    <th scope="col" class="matrix-inject" data-testid="matrix-inject" data-inject=column.inject.clone()
                        aria-sort=move || direction.get().map(SortDirection::aria_sort)>
                        {button}
                        <a class="matrix-title" href=format!("/incidents/{}", column.incident)>{column.title.clone()}</a>
                        <span class="matrix-category">{category_text(&column.category)}</span>
                    </th>
                }.into_any());
            }
            cells
        })
    };
    let body = move || {
        let columns = columns.get();
        figures.with(|m: &Matrix| {
            rows.get()
                .into_iter()
                .map(|index| {
                    let row = &m.rows[index];
                    let medians = Milestone::ALL
                        .iter()
                        .map(|milestone| {
                            let text = row.median.get(*milestone).map(compact).unwrap_or_else(|| "—".into());
                            view! {
                                <td class="number" data-label=format!("Median {}", milestone_letter(*milestone))>{text}</td>
                            }
                        })
                        .collect_view();
                    let cells = columns
                        .iter()
                        .map(|&column| {
                            let inject = &m.injects[column].inject;
                            view! {
                                <MatrixCell
                                    cell=row.cells[column]
                                    label=inject.clone()
                                    title=format!("{} on {}", row.code, inject)
                                />
                            }
                        })
                        .collect_view();
                    view! {
                        <tr data-testid="matrix-row" data-code=row.code.clone()>
                            <th scope="row" class="matrix-nation">
                                <a href=format!("/nations/{}", row.code)>{row.code.clone()}</a>
                                <span class="matrix-name">{row.name.clone()}</span>
                            </th>
                            <td class="number" data-label="Answered" data-testid="matrix-answered">
                                {format!("{}/{}", row.answered, row.affected)}
                            </td>
                            {medians}
                            {cells}
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let foot = move || {
        let columns = columns.get();
        figures.with(|m| {
            [("Fastest", true), ("Slowest", false)]
                .into_iter()
                .map(|(label, fastest)| {
                    let cells = columns
                        .iter()
                        .map(|&column| {
                            let column = &m.injects[column];
                            view! {
                                <td data-label=column.inject.clone() data-testid=if fastest { "matrix-fastest" } else { "matrix-slowest" }>
                                    {extreme_text(column, fastest)}
                                </td>
                            }
                        })
                        .collect_view();
                    view! {
                        <tr class="matrix-extremes">
                            <th scope="row" colspan="5">{label}</th>
                            {cells}
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="page-heading">
            <h1>"Response matrix"</h1>
            <p class="muted" role="status" data-testid="matrix-count">
                {move || format!(
                    "{} × {}",
                    counted(rows.with(Vec::len), "nation", "nations"),
                    counted(columns.with(Vec::len), "inject", "injects")
                )}
            </p>
        </div>
        <StoreGate>
            <section class="card" aria-labelledby="matrix-heading">
                <div class="card-heading">
                    <h2 id="matrix-heading">"Time from each inject to each nation's milestones"</h2>
                    <form class="filters filters-inline" role="search" aria-label="Filter the matrix" on:submit=|ev| ev.prevent_default()>
                        <label class="field field-inline">
                            <span>"Category"</span>
                            <select data-testid="matrix-category" on:change=set("category")>
                                <option value="" prop:selected=move || selected("category")().is_empty()>"All categories"</option>
                                <For each=move || categories.get() key=|slug| slug.clone() let:slug>
                                    <option value=slug.clone() prop:selected={
                                        let slug = slug.clone();
                                        move || selected("category")() == slug
                                    }>{category_text(&slug)}</option>
                                </For>
                            </select>
                        </label>
                        <label class="field field-inline">
                            <span>"Kind"</span>
                            <select data-testid="matrix-kind" on:change=set("kind")>
                                <option value="" prop:selected=move || selected("kind")().is_empty()>"All kinds"</option>
                                {NationKind::ALL
                                    .iter()
                                    .map(|kind| view! {
                                        <option value=kind.as_str() prop:selected=move || selected("kind")() == kind.as_str()>
                                            {kind_label(*kind)}
                                        </option>
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <a class="button" href=csv_href download="watchfloor-matrix.csv" data-testid="matrix-csv">"Download CSV"</a>
                        <a class="button" href="/review/report">"Printable report"</a>
                    </form>
                </div>
                <p class="matrix-legend" data-testid="matrix-legend">
                    "D detected · R reported · C contained, from the inject's planned time. Colour: first milestone "
                    {[Band::Fast, Band::Steady, Band::Slow, Band::NoResponse, Band::NotAffected]
                        .into_iter()
                        .map(|band| view! { <span class=format!("legend-swatch {}", band.class())>{band.label()}</span> })
                        .collect_view()}
                </p>
                <div class="matrix-scroll">
                    <table class="data-table matrix-table" data-testid="matrix-table">
                        <caption class="visually-hidden">"Nations by injects: times to detected, reported and contained"</caption>
                        <thead><tr>{head}</tr></thead>
                        <tbody>{body}</tbody>
                        <tfoot>{foot}</tfoot>
                    </table>
                </div>
                <Show when=move || columns.with(Vec::is_empty)>
                    <p class="empty" data-testid="matrix-empty">"No scripted injects yet."</p>
                </Show>
            </section>
        </StoreGate>
    }
}
