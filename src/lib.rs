//! Watchfloor's web app: the live dashboard of a multinational cyber defence
//! exercise, rendered with Leptos (client-side) from the server's JSON API and
//! event stream.
//!
//! # Layout
//!
//! - [`api`]: all HTTP — typed async functions and the event stream.
//! - [`live`]: the live store (snapshot + stream, folded with the model's
//!   reducer), driven by the pure reconnect state machine in [`reconnect`];
//!   [`ledger`] is the non-reactive copy of the state it holds.
//! - [`clock`], [`session`], [`theme`]: the other contexts.
//! - Pure logic with native tests: [`filter`], [`timeline`], [`window`],
//!   [`figures`], [`nations`], [`query`], [`format`].
//! - [`components`]: one component per file; [`pages`]: one per route.

pub mod api;
pub mod clock;
pub mod display;
pub mod figures;
pub mod filter;
pub mod format;
pub mod ledger;
pub mod live;
pub mod nations;
pub mod query;
pub mod reconnect;
pub mod session;
pub mod theme;
pub mod timeline;
pub mod window;

pub mod components;
pub mod pages;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::clock::provide_clock;
use crate::components::DashboardLayout;
use crate::pages::{
    IncidentPage, IncidentsPage, NationPage, NationsPage, NotFoundPage, OverviewPage, SignInPage,
};
use crate::session::provide_session;

/// The app: theme, clock and session contexts, and the routes. The live store
/// belongs to the dashboard layout, so another layout (a display mode) can
/// hold its own, public-only store instead.
#[component]
pub fn App() -> impl IntoView {
    theme::apply(theme::stored(), false);
    provide_clock();
    provide_session();
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <ParentRoute path=path!("") view=DashboardLayout>
                    <Route path=path!("") view=OverviewPage />
                    <Route path=path!("nations") view=NationsPage />
                    <Route path=path!("nations/:code") view=NationPage />
                    <Route path=path!("incidents") view=IncidentsPage />
                    <Route path=path!("incidents/:id") view=IncidentPage />
                    <Route path=path!("signin") view=SignInPage />
                </ParentRoute>
                <Route path=path!("display") view=display::DisplayPage />
            </Routes>
        </Router>
    }
}
