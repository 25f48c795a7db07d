//! The banner over every replayed page: that this is a replay, of when, and
//! one click back to live. A link whose `?at=` is not a moment says so here.

use leptos::prelude::*;

use crate::review::replay::use_replay;
use crate::ui::query::History;
use crate::vocabulary::replay::{
    banner, banner_failed, banner_loading, link_error, playback_state,
};

/// "Replay — state at 271430Z NOV 26 (seq 1234)" and "Back to live".
#[component]
pub fn ReplayBanner() -> impl IntoView {
    let replay = use_replay();
    let moment = move || {
        if let Some(failure) = replay.failure() {
            return banner_failed(&failure);
        }
        match replay.shown() {
            Some(shown) => banner(shown.at, shown.seq),
            None => banner_loading(&replay.requested().unwrap_or_default()),
        }
    };
    let state = move || {
        let state = playback_state(true, replay.playing(), replay.speed().factor());
        if replay.loading() && replay.shown().is_some() {
            format!("{state} · loading…")
        } else {
            state
        }
    };
    view! {
        <Show when=move || replay.replaying()>
            <section class="replay-banner" aria-label="Replay" data-testid="replay-banner">
                <span class="replay-glyph" aria-hidden="true">"⟲"</span>
                <p class="replay-moment" data-testid="replay-moment">{moment}</p>
                <p class="replay-state" role="status" data-testid="replay-state">{state}</p>
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="back-to-live"
                    on:click=move |_| replay.go_live(History::Push)
                >
                    "Back to live"
                </button>
            </section>
        </Show>
        {move || replay.link_error().map(|message| view! {
            <section
                class="replay-banner replay-banner-error"
                aria-label="Replay"
                data-testid="replay-link-error"
            >
                <p class="replay-moment" role="alert">{link_error(&message)}</p>
                <button
                    type="button"
                    class="button"
                    on:click=move |_| replay.go_live(History::Replace)
                >
                    "Clear the moment"
                </button>
            </section>
        })}
    }
}
