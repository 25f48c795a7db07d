//! The moment box: type a time, a date-time group or a seq and go there;
//! the parser's own message when it is none of those.

use leptos::prelude::*;

use crate::review::replay::use_replay;
use crate::vocabulary::replay::MOMENT_HELP;

/// "Go to moment", labelled, with its help and its error tied to the input.
#[component]
pub fn MomentInput() -> impl IntoView {
    let replay = use_replay();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let shown_error = move || error.get().or_else(|| replay.link_error());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match replay.submit(&text.get_untracked()) {
            Ok(()) => error.set(None),
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <form class="moment-form" on:submit=submit data-testid="moment-form">
            <label class="moment-label" for="review-moment">"Go to moment"</label>
            <div class="moment-row">
                <input
                    id="review-moment"
                    type="text"
                    name="at"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="271430Z NOV 26"
                    data-testid="moment-input"
                    aria-invalid=move || shown_error().is_some().to_string()
                    aria-describedby="review-moment-help review-moment-error"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        error.set(None);
                    }
                />
                <button type="submit" class="button" data-testid="moment-go">"Go"</button>
            </div>
            <p id="review-moment-help" class="hint">{MOMENT_HELP}</p>
            <p id="review-moment-error" class="error" role="alert" data-testid="moment-error">
                {shown_error}
            </p>
        </form>
    }
}
