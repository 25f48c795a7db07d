//! Sign in (a link to the sign-in page) or sign out (a button), by session.

use leptos::prelude::*;
use watchfloor_model::Audience;

use crate::api;
use crate::live::use_live;
use crate::ui::session::use_session;

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
    let sign_out = Action::new_local(move |_: &()| async move {
        if let Err(error) = api::sign_out().await {
            leptos::logging::warn!("sign out failed: {error}");
        }
        session.refetch();
        live.reload();
    });
    let busy = sign_out.pending();
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
                on:click=move |_| {
                    sign_out.dispatch(());
                }
                disabled=move || busy.get()
            >
                "Sign out"
            </button>
        </Show>
    }
}
