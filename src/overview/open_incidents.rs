//! The open incidents that matter most: worst first, then newest, as a short
//! list of links for the overview.

use leptos::prelude::*;
use watchfloor_model::{IncidentStatus, Severity};

use crate::live::use_live;
use crate::ui::{SeverityBadge, StatusBadge};
use crate::vocabulary::time::day_hm;

/// One line of the list.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Line {
    id: String,
    title: String,
    severity: Severity,
    status: IncidentStatus,
    nations: String,
    opened: String,
}

/// Up to `limit` open incidents, most severe and newest first.
#[component]
pub fn OpenIncidents(
    /// How many to show.
    #[prop(default = 8)]
    limit: usize,
) -> impl IntoView {
    let live = use_live();
    let lines = Memo::new(move |_| {
        live.incidents(|ledger| {
            let mut open: Vec<_> = ledger
                .state()
                .incidents
                .iter()
                .filter(|incident| incident.status.is_open())
                .collect();
            open.sort_by(|a, b| {
                (b.severity, b.opened_at, &b.id).cmp(&(a.severity, a.opened_at, &a.id))
            });
            open.into_iter()
                .take(limit)
                .map(|incident| Line {
                    id: incident.id.clone(),
                    title: incident.title.clone(),
                    severity: incident.severity,
                    status: incident.status,
                    nations: incident.nations.join(" "),
                    opened: day_hm(incident.opened_at),
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show
            when=move || lines.with(|lines| !lines.is_empty())
            fallback=|| view! { <p class="empty">"No open incidents."</p> }
        >
            <ul class="open-incidents">
                <For each=move || lines.get() key=|line| line.clone() let:line>
                    <li class="open-incident" data-testid="open-incident" data-incident-id=line.id.clone()>
                        <SeverityBadge severity=line.severity />
                        <a class="open-incident-title" href=format!("/incidents/{}", crate::ui::query::encode(&line.id))>
                            {line.title.clone()}
                        </a>
                        <span class="muted open-incident-meta">
                            {format!("{} · {} · opened {}", line.id, line.nations, line.opened)}
                        </span>
                        <StatusBadge status=line.status />
                    </li>
                </For>
            </ul>
        </Show>
    }
}
