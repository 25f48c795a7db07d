//! A severity as a badge: shape, word and colour together.

use leptos::prelude::*;
use watchfloor_model::Severity;

use crate::vocabulary::words::{severity_glyph, severity_label};

/// Shows a severity with its glyph and word (never colour alone).
#[component]
pub fn SeverityBadge(
    /// The severity to show.
    severity: Severity,
) -> impl IntoView {
    view! {
        <span class=format!("badge severity severity-{}", severity.as_str())>
            <span class="glyph" aria-hidden="true">{severity_glyph(severity)}</span>
            {severity_label(severity)}
        </span>
    }
}
