//! Whose picture is on screen: "Public view" without a session (and saying
//! so), the role (and the token's name) when signed in.

use leptos::prelude::*;
use watchfloor_model::Audience;

use crate::live::use_live;
use crate::ui::session::use_session;
use crate::vocabulary::words::audience_label;

/// The audience of the data shown, from the snapshot the live store holds.
#[component]
pub fn AudienceBadge() -> impl IntoView {
    let live = use_live();
    let session = use_session();
    let text = move || match live.audience() {
        None => "Loading…".to_string(),
        Some(Audience::Public) => "Public view".to_string(),
        Some(audience) => match session.current().and_then(|session| session.name) {
            Some(name) => format!("{} · {name}", audience_label(audience)),
            None => audience_label(audience).to_string(),
        },
    };
    let title = move || match live.audience() {
        Some(Audience::Public) => {
            "Only releasable information is shown. Sign in to see restricted incidents and detail."
        }
        Some(_) => "Restricted information is shown: handle accordingly.",
        None => "",
    };
    view! {
        <span
            class=move || {
                format!(
                    "audience-badge audience-{}",
                    live.audience().map(Audience::as_str).unwrap_or("unknown"),
                )
            }
            data-testid="audience-badge"
            title=title
        >
            <span class="glyph" aria-hidden="true">
                {move || if live.audience() == Some(Audience::Public) { "◯" } else { "◉" }}
            </span>
            {text}
        </span>
    }
}
