//! The UTC clock and the NATO date-time group, ticking every second.

use leptos::prelude::*;
use watchfloor_model::time::{dtg, zulu_hms};

use crate::ui::clock::use_clock;

/// `14:30:05Z` and `251430Z NOV 26`.
#[component]
pub fn UtcClock() -> impl IntoView {
    let clock = use_clock();
    view! {
        <div class="utc-clock">
            <time
                data-testid="utc-clock"
                class="clock-time"
                datetime=move || clock.now().to_rfc3339()
                aria-label="Time, UTC"
            >
                {move || zulu_hms(clock.now())}
            </time>
            <span data-testid="dtg" class="dtg" title="NATO date-time group">
                {move || dtg(clock.now())}
            </span>
        </div>
    }
}
