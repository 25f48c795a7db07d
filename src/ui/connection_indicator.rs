//! The live-connection indicator: "live", "reconnecting", "offline since 14:30Z".

use leptos::prelude::*;

use crate::live::reconnect::Connection;

/// Says whether what is on screen is current. `data-state` carries the state
/// for tests and styles; the glyph differs per state, so colour is not needed.
#[component]
pub fn ConnectionIndicator(
    /// The state to show (the live store's, or a test's).
    #[prop(into)]
    connection: Signal<Connection>,
) -> impl IntoView {
    let glyph = move || match connection.get() {
        Connection::Live => "●",
        Connection::Reconnecting { .. } => "◌",
        Connection::Offline { .. } => "✕",
    };
    view! {
        <span
            class=move || format!("connection-indicator state-{}", connection.get().data_state())
            data-testid="connection-status"
            data-state=move || connection.get().data_state()
            role="status"
            aria-live="polite"
        >
            <span class="glyph" aria-hidden="true">{glyph}</span>
            <span class="label">{move || connection.get().label()}</span>
        </span>
    }
}
