//! One bar of the incidents timeline: an incident from opening to closing (or
//! now), coloured by severity with its letter and a pattern as the non-colour
//! cue; open incidents are solid, closed ones outlined.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use watchfloor_model::{IncidentStatus, Severity};

use crate::vocabulary::time::day_hm;
use crate::vocabulary::words::{severity_label, severity_letter, status_label};

/// A bar as drawn: position in px (tenths, so the struct can be a key) and
/// what it says about its incident.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BarView {
    pub id: String,
    pub title: String,
    pub lane: usize,
    pub left_tenths: i64,
    pub width_tenths: i64,
    pub top_tenths: i64,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub open: bool,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A timeline bar: a link to its incident.
#[component]
pub fn TimelineBar(
    /// What to draw.
    bar: BarView,
) -> impl IntoView {
    let description = format!(
        "{} {}: {} severity, {}, opened {}{}",
        bar.id,
        bar.title,
        severity_label(bar.severity),
        status_label(bar.status),
        day_hm(bar.opened_at),
        bar.closed_at
            .map(|closed| format!(", closed {}", day_hm(closed)))
            .unwrap_or_default(),
    );
    let class = format!(
        "timeline-bar severity-{} {}",
        bar.severity.as_str(),
        if bar.open { "is-open" } else { "is-closed" }
    );
    let style = format!(
        "left: {:.1}px; width: {:.1}px; top: {:.1}px",
        bar.left_tenths as f64 / 10.0,
        bar.width_tenths as f64 / 10.0,
        bar.top_tenths as f64 / 10.0,
    );
    view! {
        <a
            class=class
            style=style
            href=format!("/incidents/{}", crate::ui::query::encode(&bar.id))
            draggable="false"
            data-testid="timeline-bar"
            data-incident-id=bar.id.clone()
            data-severity=bar.severity.as_str()
            title=description.clone()
            aria-label=description
        >
            <span class="bar-letter" aria-hidden="true">{severity_letter(bar.severity)}</span>
            <span class="bar-text" aria-hidden="true">{format!("{} {}", bar.id, bar.title)}</span>
        </a>
    }
}
