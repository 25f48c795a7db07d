//! The layout of every dashboard page: it owns the live store (one stream per
//! tab), the header, and the page below it.

use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::live::{provide_live, LiveOptions};
use crate::shell::AppHeader;

/// Provides the live store for the dashboard's routes and frames them.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    let live = provide_live(LiveOptions::default());
    let stale = move || live.is_ready() && live.connection().stale_since().is_some();
    view! {
        <AppHeader />
        <main id="main" class="page" class:is-stale=stale tabindex="-1">
            <Outlet />
        </main>
    }
}
