//! The stale-data marker, the same on the dashboard and the wall display:
//! after a short outage it says how old what is on screen is ("Data as of
//! 14:32Z — 6 min old", with the full date-time group once the data is from
//! another day); nothing while the connection is live.

use leptos::prelude::*;

use crate::live::reconnect::Connection;
use crate::ui::clock::{system_now, use_clock};
use crate::vocabulary::time::stale_notice;

/// The marker, while the connection has been down for longer than a short outage.
#[component]
pub fn StaleMarker(
    /// The connection state the marker follows.
    #[prop(into)]
    connection: Signal<Connection>,
    /// Whether there is data on screen at all (no marker before the first snapshot).
    #[prop(optional, into)]
    has_data: Option<Signal<bool>>,
    /// The marker's class: the dashboard's `stale-marker` unless a screen styles its own.
    #[prop(default = "stale-marker")]
    class: &'static str,
) -> impl IntoView {
    let clock = use_clock();
    let notice = Memo::new(move |_| {
        let has_data = has_data.map(|signal| signal.get()).unwrap_or(true);
        let now = clock.now();
        has_data
            .then(|| stale_notice(connection.get().stale_since(), system_now(), now))
            .flatten()
    });
    move || {
        notice.get().map(|text| {
            view! {
                <span class=class data-testid="stale-marker" role="status">
                    <span class="glyph" aria-hidden="true">"⚠"</span>
                    {text}
                </span>
            }
        })
    }
}
