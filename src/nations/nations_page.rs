//! Nations (`/nations`): the map-like tile grid and the table, filterable by
//! kind and connection status and sortable by any column, all in the URL.

use leptos::prelude::*;
use watchfloor_model::time::dtg;
use watchfloor_model::{ConnectionStatus, NationKind};

use crate::live::use_live;
use crate::nations::table::{NationColumn, NationQuery};
use crate::nations::NationTiles;
use crate::ui::clock::use_clock;
use crate::ui::query::{getter, use_query, use_query_writer, History};
use crate::ui::{NationStatusBadge, StoreGate};
use crate::ui::{SortButton, SortDirection};
use crate::vocabulary::time::age;
use crate::vocabulary::words::{connection_label, kind_label};

/// The nations page.
#[component]
pub fn NationsPage() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let query = use_query();
    let writer = use_query_writer();
    let view_state = Memo::new(move |_| query.with(|q| NationQuery::from_query(&getter(q))));
    let rows = Memo::new(move |_| {
        let view_state = view_state.get();
        live.nations(|nations| {
            view_state
                .apply(nations)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let total = Memo::new(move |_| live.nations(<[_]>::len));
    let set_kind = move |ev| {
        let value = event_target_value(&ev);
        writer.set("kind", (!value.is_empty()).then_some(value), History::Push);
    };
    let set_status = move |ev| {
        let value = event_target_value(&ev);
        writer.set(
            "status",
            (!value.is_empty()).then_some(value),
            History::Push,
        );
    };
    let selected_kind =
        move || view_state.with(|v| v.kind.first().map(|k| k.as_str()).unwrap_or(""));
    let selected_status =
        move || view_state.with(|v| v.status.first().map(|s| s.as_str()).unwrap_or(""));
    let headers = move || {
        NationColumn::ALL
            .iter()
            .copied()
            .map(|column| {
                let direction = Signal::derive(move || {
                    view_state.with(|v| (v.sort == column).then(|| SortDirection::of(v.descending)))
                });
                view! {
                    <th scope="col" aria-sort=move || direction.get().map(SortDirection::aria_sort)>
                        <SortButton
                            label=column.label()
                            direction=direction
                            test_id=format!("sort-{}", column.as_str())
                            on_press=Callback::new(move |()| {
                                let next = view_state.get_untracked().sorted_by(column);
                                writer.set("sort", next.sort_query(), History::Push);
                            })
                        />
                    </th>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page-heading">
            <h1>"Nations"</h1>
            <p class="muted" role="status">
                {move || format!("{} of {} nations", rows.with(Vec::len), total.get())}
            </p>
        </div>
        <StoreGate>
            <section class="card" aria-labelledby="map-heading">
                <h2 id="map-heading">"Connection map"</h2>
                <NationTiles />
            </section>
            <section class="card" aria-labelledby="table-heading">
                <div class="card-heading">
                    <h2 id="table-heading">"All nations"</h2>
                    <form class="filters filters-inline" role="search" aria-label="Filter nations" on:submit=|ev| ev.prevent_default()>
                        <label class="field field-inline">
                            <span>"Kind"</span>
                            <select data-testid="filter-kind" on:change=set_kind>
                                <option value="" prop:selected=move || selected_kind().is_empty()>"All kinds"</option>
                                {NationKind::ALL
                                    .iter()
                                    .map(|kind| view! {
                                        <option value=kind.as_str() prop:selected=move || selected_kind() == kind.as_str()>
                                            {kind_label(*kind)}
                                        </option>
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label class="field field-inline">
                            <span>"Status"</span>
                            <select data-testid="filter-connection" on:change=set_status>
                                <option value="" prop:selected=move || selected_status().is_empty()>"Any status"</option>
                                {ConnectionStatus::ALL
                                    .iter()
                                    .map(|status| view! {
                                        <option value=status.as_str() prop:selected=move || selected_status() == status.as_str()>
                                            {connection_label(*status)}
                                        </option>
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                    </form>
                </div>
                <table class="data-table nations-table" data-testid="nation-table">
                    <thead>
                        <tr>{headers()}</tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || rows.get()
                            key=|nation| {
                                (
                                    nation.code.clone(),
                                    nation.name.clone(),
                                    nation.kind,
                                    nation.participants,
                                    nation.teams,
                                    nation.status,
                                    nation.last_seen,
                                )
                            }
                            let:nation
                        >
                            <tr data-testid="nation-row" data-code=nation.code.clone()>
                                <td class="code">
                                    <a href=format!("/nations/{}", nation.code)>{nation.code.clone()}</a>
                                </td>
                                <td>{nation.name.clone()}</td>
                                <td data-label="Kind">{kind_label(nation.kind)}</td>
                                <td class="number" data-label="Participants">{nation.participants}</td>
                                <td class="number" data-label="Teams">{nation.teams}</td>
                                <td data-label="Status"><NationStatusBadge status=nation.status /></td>
                                <td data-label="Last check-in">
                                    <time datetime=nation.last_seen.to_rfc3339() title=dtg(nation.last_seen)>
                                        {move || age(nation.last_seen, clock.minute())}
                                    </time>
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <Show when=move || rows.with(Vec::is_empty)>
                    <p class="empty">"No nations match."</p>
                </Show>
            </section>
        </StoreGate>
    }
}
