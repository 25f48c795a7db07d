//! The header on every dashboard page: navigation, the exercise at a glance
//! (as it was, during a replay), the review control, the clocks, the
//! connection and who is looking.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::live::use_live;
use crate::review::{ReplayScope, ReviewButton};
use crate::shell::ExerciseStatus;
use crate::ui::{
    AudienceBadge, ConnectionIndicator, SessionControls, StaleMarker, ThemeToggle, UtcClock,
};

/// The dashboard's header.
#[component]
pub fn AppHeader() -> impl IntoView {
    let live = use_live();
    let connection = live.connection_signal();
    let has_data = Signal::derive(move || live.is_ready());
    view! {
        <header class="app-header">
            <div class="header-row">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"◭"</span>
                    "Watchfloor"
                </a>
                <nav class="main-nav" aria-label="Main">
                    <A href="/" exact=true>"Overview"</A>
                    <A href="/nations">"Nations"</A>
                    <A href="/incidents">"Incidents"</A>
                    <Show when=move || live.audience() == Some(watchfloor_model::Audience::Control)>
                        <A href="/control">"Control"</A>
                    </Show>
                </nav>
                <div class="header-tools">
                    <ReviewButton />
                    <AudienceBadge />
                    <SessionControls />
                    <ThemeToggle />
                </div>
            </div>
            <div class="status-strip">
                <ReplayScope>
                    <ExerciseStatus />
                </ReplayScope>
                <div class="status-right">
                    <StaleMarker connection=connection has_data=has_data />
                    <ConnectionIndicator connection=connection />
                    <UtcClock />
                </div>
            </div>
        </header>
    }
}
