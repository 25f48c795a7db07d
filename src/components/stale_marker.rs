//! The stale-data marker: shown only while the connection is down, saying how
//! old what is on screen is.

use leptos::prelude::*;
use watchfloor_model::time::zulu_hm;

use crate::clock::use_clock;
use crate::live::staleness;
use crate::reconnect::Connection;

/// "Data as of 14:30Z · 3m old", while the connection is not live.
#[component]
pub fn StaleMarker(
    /// The connection state the marker follows.
    #[prop(into)]
    connection: Signal<Connection>,
    /// Whether there is data on screen at all (no marker before the first snapshot).
    #[prop(optional, into)]
    has_data: Option<Signal<bool>>,
) -> impl IntoView {
    let clock = use_clock();
    let stale = move || {
        let has_data = has_data.map(|signal| signal.get()).unwrap_or(true);
        has_data
            .then(|| staleness(connection.get(), clock.now()))
            .flatten()
    };
    view! {
        <Show when=move || stale().is_some()>
            <span class="stale-marker" data-testid="stale-marker">
                <span class="glyph" aria-hidden="true">"⚠"</span>
                {move || {
                    stale()
                        .map(|(since, age)| format!("Data as of {} · {age}", zulu_hm(since)))
                }}
            </span>
        </Show>
    }
}
