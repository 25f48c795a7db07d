//! Sign in (a link to the sign-in page) or sign out (a button), by session.

use leptos::prelude::*;
use watchfloor_model::Audience;

use crate::api;
use crate::live::use_live;
use crate::session::use_session;

/// The header's sign-in link or sign-out button.
#[component]
pub fn SessionControls() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let signed_in = move || {
        session
            .current()
            .is_some_and(|session| session.audience != Audience::Public)
    };
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            if let Err(error) = api::sign_out().await {
                leptos::logging::warn!("sign out failed: {error}");
            }
            busy.set(false);
            session.refetch();
            live.reload();
        });
    };
    view! {
        <Show
            when=signed_in
            fallback=|| {
                view! {
                    <a class="button button-quiet" href="/signin" data-testid="signin-link">
                        "Sign in"
                    </a>
                }
            }
        >
            <button
                type="button"
                class="button button-quiet"
                data-testid="signout"
                on:click=sign_out
                disabled=move || busy.get()
            >
                "Sign out"
            </button>
        </Show>
    }
}
