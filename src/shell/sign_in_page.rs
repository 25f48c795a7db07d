//! Sign in (`/signin`) with a token control handed out. The server sets the
//! session cookie; the live store then reloads the snapshot for the new
//! audience.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use watchfloor_model::Audience;

use crate::api::{self, ApiError};
use crate::live::use_live;
use crate::ui::query::{getter, use_query};
use crate::ui::session::use_session;
use crate::vocabulary::words::audience_label;

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let live = use_live();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query();
    let token = RwSignal::new(String::new());
    // Signing in is a write: an `Action` carries its pending state and its
    // answer, so the form needs no busy or error signals of its own.
    let sign_in = Action::new_local(|entered: &String| {
        let entered = entered.clone();
        async move { api::sign_in(&entered).await }
    });
    let empty = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            token.set(String::new());
            session.refetch();
            live.reload();
            // Only paths inside the app: never an absolute URL from the query.
            let next = query
                .with_untracked(|q| getter(q)("next"))
                .filter(|next| next.starts_with('/') && !next.starts_with("//"))
                .unwrap_or_else(|| "/".into());
            navigate(&next, Default::default());
        }
    });
    let error = move || {
        if empty.get() {
            return Some("Enter the token you were given.".to_string());
        }
        match sign_in.value().get() {
            Some(Err(ApiError::Server {
                status: 401 | 403, ..
            })) => Some(
                "That token was not accepted. Check it, or ask exercise control for a new one."
                    .into(),
            ),
            Some(Err(other)) => Some(other.message()),
            _ => None,
        }
    };
    let busy = sign_in.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let entered = token.get_untracked().trim().to_string();
        empty.set(entered.is_empty());
        if !entered.is_empty() {
            sign_in.dispatch(entered);
        }
    };
    let current = move || {
        session
            .current()
            .filter(|session| session.audience != Audience::Public)
            .map(|session| audience_label(session.audience))
    };
    view! {
        <section class="card signin">
            <h1>"Sign in"</h1>
            <p>
                "Without signing in you see the public picture: releasable information only. "
                "Commanders and exercise control sign in with the token they were given."
            </p>
            {move || current().map(|role| view! {
                <p class="notice" role="status">{format!("You are signed in as {role}.")}</p>
            })}
            <form on:submit=submit class="signin-form">
                <label class="field">
                    <span>"Token"</span>
                    <input
                        type="password"
                        name="token"
                        autocomplete="current-password"
                        required=true
                        data-testid="signin-token"
                        aria-describedby="signin-error"
                        prop:value=move || token.get()
                        on:input=move |ev| token.set(event_target_value(&ev))
                    />
                </label>
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="signin-submit"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p id="signin-error" class="error" role="alert" data-testid="signin-error">
                    {error}
                </p>
            </form>
        </section>
    }
}
