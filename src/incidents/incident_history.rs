//! An incident's own timeline: each change of status or severity, with its
//! note, time and offset from the opening.

use leptos::prelude::*;
use watchfloor_model::time::dtg;
use watchfloor_model::TimelineEntry;

use crate::ui::{SeverityBadge, StatusBadge};
use crate::vocabulary::time::{day_hm, offset};

/// The entries of one incident's timeline, oldest first.
#[component]
pub fn IncidentHistory(
    /// The incident's timeline entries.
    #[prop(into)]
    entries: Signal<Vec<TimelineEntry>>,
) -> impl IntoView {
    let opened = move || entries.with(|entries| entries.first().map(|entry| entry.at));
    view! {
        <ol class="history">
            <For each=move || entries.get() key=|entry| entry.seq let:entry>
                <li class=format!("history-entry status-{}", entry.status.as_str()) data-testid="incident-timeline-entry">
                    <span class="history-marker" aria-hidden="true"></span>
                    <div class="history-time">
                        <time datetime=entry.at.to_rfc3339() title=dtg(entry.at)>{day_hm(entry.at)}</time>
                        <span class="history-offset">
                            {move || opened().map(|opened| offset(opened, entry.at)).unwrap_or_default()}
                        </span>
                    </div>
                    <div class="history-body">
                        <div class="history-badges">
                            <StatusBadge status=entry.status />
                            <SeverityBadge severity=entry.severity />
                        </div>
                        {entry.note.clone().map(|note| view! { <p class="history-note">{note}</p> })}
                        {entry.by.clone().map(|by| view! {
                            <p class="history-by" data-testid="timeline-by">{format!("Posted by {by}")}</p>
                        })}
                    </div>
                </li>
            </For>
        </ol>
    }
}
