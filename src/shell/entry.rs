//! What the app's three entries (dashboard, display, control console; see
//! `watchfloor_model::pages`) share: the contexts and the router around their
//! routes, and the answer for a path none of their routes match.
//!
//! Each entry is its own build, so a wall screen downloads only the display
//! and a commander's first load only the dashboard. A link from one entry to
//! another (the header's "Control", the console's "Overview") is followed by
//! the router like any other; finding no route of its own for it, the entry
//! reloads the page so the server sends the entry that owns it.

use leptos::prelude::*;
use leptos_router::components::Router;
use leptos_router::hooks::use_location;
use watchfloor_model::pages::Page;

use crate::shell::NotFoundPage;
use crate::ui::clock::provide_clock;
use crate::ui::session::provide_session;
use crate::ui::theme;

/// The theme, clock and session contexts and the router, around an entry's routes.
#[component]
pub fn AppFrame(children: Children) -> impl IntoView {
    theme::apply(theme::stored(), false);
    provide_clock();
    provide_session();
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            {children()}
        </Router>
    }
}

/// An entry's fallback route: "not found" for a path it owns, and a full load
/// for a path another entry owns.
#[component]
pub fn EntryFallback(own: Page) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    if Page::for_path(&path) == own {
        return NotFoundPage().into_any();
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = window().location().reload();
    }
    view! { <main id="main" class="page" aria-busy="true"></main> }.into_any()
}
