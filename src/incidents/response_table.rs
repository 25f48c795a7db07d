//! Per-nation response milestones on one incident: when each affected nation
//! detected, reported and contained it, as time from the inject.

use leptos::prelude::*;
use watchfloor_model::time::zulu_hm;
use watchfloor_model::{Incident, Milestone};

use crate::vocabulary::time::offset;

/// One nation's row: code and, per milestone, `(HH:MMZ, +offset)`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ResponseRow {
    code: String,
    cells: Vec<Option<(String, String)>>,
}

const MILESTONES: [Milestone; 3] = [
    Milestone::Detected,
    Milestone::Reported,
    Milestone::Contained,
];

/// The milestones table of an incident.
#[component]
pub fn ResponseTable(
    /// The incident whose responses to show.
    #[prop(into)]
    incident: Signal<Incident>,
) -> impl IntoView {
    let rows = Memo::new(move |_| {
        incident.with(|incident| {
            let start = incident
                .inject
                .as_ref()
                .and_then(|inject| inject.planned_at)
                .unwrap_or(incident.opened_at);
            let mut codes: Vec<String> = incident.nations.clone();
            for code in incident.responses.keys() {
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
            codes
                .into_iter()
                .map(|code| {
                    let response = incident.responses.get(&code).cloned().unwrap_or_default();
                    ResponseRow {
                        cells: MILESTONES
                            .iter()
                            .map(|milestone| {
                                response
                                    .get(*milestone)
                                    .map(|at| (zulu_hm(at), offset(start, at)))
                            })
                            .collect(),
                        code,
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show
            when=move || rows.with(|rows| !rows.is_empty())
            fallback=|| view! { <p class="empty">"No nations assigned."</p> }
        >
            <table class="data-table responses" data-testid="response-table">
                <caption class="visually-hidden">"Response milestones per nation, as time from the inject"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Nation"</th>
                        <th scope="col">"Detected"</th>
                        <th scope="col">"Reported"</th>
                        <th scope="col">"Contained"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.clone() let:row>
                        <tr data-testid="response-row" data-code=row.code.clone()>
                            <th scope="row">
                                <a href=format!("/nations/{}", row.code)>{row.code.clone()}</a>
                            </th>
                            {row
                                .cells
                                .iter()
                                .map(|cell| match cell {
                                    Some((time, offset)) => view! {
                                        <td>
                                            <span class="glyph" aria-hidden="true">"✓ "</span>
                                            <span class="offset">{offset.clone()}</span>
                                            <span class="muted">{format!(" ({time})")}</span>
                                        </td>
                                    }
                                    .into_any(),
                                    None => view! { <td class="muted">"— pending"</td> }.into_any(),
                                })
                                .collect_view()}
                        </tr>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}
