//! A nation's connection status as a badge: glyph, word and colour.

use leptos::prelude::*;
use watchfloor_model::ConnectionStatus;

use crate::vocabulary::words::{connection_glyph, connection_label};

/// Shows online / degraded / offline with a glyph of its own shape.
#[component]
pub fn NationStatusBadge(
    /// The connection status to show.
    status: ConnectionStatus,
) -> impl IntoView {
    view! {
        <span class=format!("badge connection connection-{}", status.as_str())>
            <span class="glyph" aria-hidden="true">{connection_glyph(status)}</span>
            {connection_label(status)}
        </span>
    }
}
