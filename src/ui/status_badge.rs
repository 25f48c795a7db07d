//! An incident status as a badge: a pie that fills along the path, and the word.

use leptos::prelude::*;
use watchfloor_model::IncidentStatus;

use crate::vocabulary::words::{status_glyph, status_label};

/// Shows an incident's status with its glyph and word.
#[component]
pub fn StatusBadge(
    /// The status to show.
    status: IncidentStatus,
) -> impl IntoView {
    view! {
        <span class=format!("badge status status-{}", status.as_str())>
            <span class="glyph" aria-hidden="true">{status_glyph(status)}</span>
            {status_label(status)}
        </span>
    }
}
