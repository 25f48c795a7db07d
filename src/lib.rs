//! Watchfloor's web app: the live dashboard of a multinational cyber defence
//! exercise, rendered with Leptos (client-side) from the server's JSON API and
//! event stream.
//!
//! # Layout
//!
//! The app is laid out by feature: each feature's views sit beside its own
//! pure logic, which has native `#[test]`s. A new panel's view, maths and
//! tests go in the folder of the page it belongs to.
//!
//! - [`overview`], [`incidents`], [`nations`]: the dashboard's pages (`/`,
//!   `/incidents(/:id)`, `/nations(/:code)`), each with its components and maths.
//! - [`review`]: after-action review: the replay of any moment on every
//!   dashboard page (`?at=`), `/review/matrix`, `/review/report`.
//! - [`control`]: the control cell's console (`/control`): clock and phase,
//!   the incident composer and updates, the scenario's MSEL.
//! - [`display`]: the wall-screen mode (`/display`), with its panels and maths.
//! - [`shell`]: the frame of every dashboard page (layout, header, sign-in, not found).
//! - [`live`]: the live store (snapshot + stream, folded with the model's
//!   reducer), its ledger and its pure reconnect state machine.
//! - [`ui`]: what features share: contexts (clock, session, theme), the URL
//!   query, the one time axis, windowing, badges, stale marker, indicators.
//! - [`vocabulary`]: the one way every screen says times, durations, the
//!   exercise's day and countdown, enum labels and counts.
//! - [`api`]: all HTTP — typed async functions and the event stream.
//!
//! Wire types the server and the app both speak (events, state, the session,
//! the incident filter) live once, in `watchfloor_model`.

pub mod api;
pub mod control;
pub mod display;
pub mod incidents;
pub mod live;
pub mod nations;
pub mod overview;
pub mod review;
pub mod shell;
pub mod ui;
pub mod vocabulary;

#[cfg(test)]
mod fixtures;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Routes};
use leptos_router::path;
use watchfloor_model::pages::Page;

use crate::incidents::{IncidentPage, IncidentsPage};
use crate::nations::{NationPage, NationsPage};
use crate::overview::OverviewPage;
use crate::review::{MatrixPage, ReportPage};
use crate::shell::{AppFrame, DashboardLayout, EntryFallback, SignInPage};

/// The dashboard (`index.html`, `src/main.rs`): the commanders' pages. The
/// live store belongs to the dashboard layout. The display
/// ([`display::App`]) and the control console ([`control::App`]) are entries
/// of their own, each its own build.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame>
            <Routes fallback=|| view! { <EntryFallback own=Page::Dashboard /> }>
                <ParentRoute path=path!("") view=DashboardLayout>
                    <Route path=path!("") view=OverviewPage />
                    <Route path=path!("nations") view=NationsPage />
                    <Route path=path!("nations/:code") view=NationPage />
                    <Route path=path!("incidents") view=IncidentsPage />
                    <Route path=path!("incidents/:id") view=IncidentPage />
                    <Route path=path!("review/matrix") view=MatrixPage />
                    <Route path=path!("review/report") view=ReportPage />
                    <Route path=path!("signin") view=SignInPage />
                </ParentRoute>
            </Routes>
        </AppFrame>
    }
}
