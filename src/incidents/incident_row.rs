//! One row of the incident list.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use watchfloor_model::{category_label, Incident, IncidentStatus, Severity};

use crate::ui::{SeverityBadge, StatusBadge};
use crate::vocabulary::time::day_hm;

/// What a row shows: a copy of the incident's list fields and its revision.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IncidentRowData {
    pub id: String,
    pub revision: u64,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub nations: Vec<String>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl IncidentRowData {
    /// The row of `incident` at `revision`.
    pub fn of(incident: &Incident, revision: u64) -> Self {
        IncidentRowData {
            id: incident.id.clone(),
            revision,
            title: incident.title.clone(),
            category: incident.category.clone(),
            severity: incident.severity,
            status: incident.status,
            nations: incident.nations.clone(),
            opened_at: incident.opened_at,
            updated_at: incident.updated_at,
        }
    }
}

/// A list row: id, title (a link to the incident), severity, status,
/// category, nations, opened and updated times. Server text is text.
#[component]
pub fn IncidentRow(
    /// The incident's list fields.
    row: IncidentRowData,
    /// Its 1-based position in the whole list (`aria-rowindex`).
    #[prop(into)]
    position: Signal<usize>,
) -> impl IntoView {
    let href = format!("/incidents/{}", crate::ui::query::encode(&row.id));
    view! {
        <div
            class=format!("row incident-row severity-{}", row.severity.as_str())
            role="row"
            data-testid="incident-row"
            data-incident-id=row.id.clone()
            aria-rowindex=move || position.get() + 1
        >
            <span role="cell" class="cell cell-id">{row.id.clone()}</span>
            <span role="cell" class="cell cell-title">
                <a href=href title=row.title.clone()>{row.title.clone()}</a>
            </span>
            <span role="cell" class="cell cell-severity">
                <SeverityBadge severity=row.severity />
            </span>
            <span role="cell" class="cell cell-status">
                <StatusBadge status=row.status />
            </span>
            <span role="cell" class="cell cell-category" title=category_label(&row.category).to_string()>
                {category_label(&row.category).to_string()}
            </span>
            <span role="cell" class="cell cell-nations">{row.nations.join(" ")}</span>
            <span role="cell" class="cell cell-time cell-opened">
                <time datetime=row.opened_at.to_rfc3339()>{day_hm(row.opened_at)}</time>
            </span>
            <span role="cell" class="cell cell-time cell-updated">
                <time datetime=row.updated_at.to_rfc3339()>{day_hm(row.updated_at)}</time>
            </span>
        </div>
    }
}
