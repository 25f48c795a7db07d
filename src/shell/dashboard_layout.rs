//! The layout of every dashboard page: it owns the live store (one stream per
//! tab) and the replay beside it, the header with the review scrubber, and
//! the page below them.

use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::live::{provide_live, LiveOptions};
use crate::review::{provide_replay, ReplayBanner, ReplayScope, ReviewScrubber};
use crate::shell::AppHeader;
use crate::vocabulary::replay::LOADING;

/// Provides the live store and the replay for the dashboard's routes and
/// frames them. While `?at=` names a moment the page reads the replay (see
/// `review::ReplayScope`); the live store keeps following the stream.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    let live = provide_live(LiveOptions::default());
    let replay = provide_replay(live);
    let stale =
        move || !replay.replaying() && live.is_ready() && live.connection().stale_since().is_some();
    view! {
        <AppHeader />
        <ReviewScrubber />
        <main id="main" class="page" class:is-stale=stale tabindex="-1">
            <ReplayBanner />
            <ReplayScope fallback=|| {
                view! { <p class="loading" role="status" data-testid="replay-loading">{LOADING}</p> }
            }>
                <Outlet />
            </ReplayScope>
        </main>
    }
}
