//! The header's "Review" control: shows or hides the review scrubber, and
//! says when the page below is a replay.

use leptos::prelude::*;

use crate::review::replay::try_use_replay;

/// "Review", a toggle for the scrubber (nothing outside a dashboard layout).
#[component]
pub fn ReviewButton() -> impl IntoView {
    let Some(replay) = try_use_replay() else {
        return ().into_any();
    };
    let open = move || replay.is_open();
    let replaying = move || replay.replaying();
    view! {
        <button
            type="button"
            class="button review-toggle"
            class:is-replaying=replaying
            aria-expanded=move || open().to_string()
            aria-controls="review-panel"
            data-testid="review-toggle"
            on:click=move |_| replay.set_open(!open())
        >
            <span class="glyph" aria-hidden="true">"⟲"</span>
            "Review"
            <span class="review-toggle-state" hidden=move || !replaying()>" · replay"</span>
        </button>
    }
    .into_any()
}
