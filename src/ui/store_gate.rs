//! Waits for the live store's first snapshot before showing a page.

use leptos::prelude::*;

use crate::live::use_live;

/// Shows `children` once the first snapshot is in; until then, says what is
/// happening (the connection indicator in the header says why it takes long).
#[component]
pub fn StoreGate(
    /// The page, rendered once data is there.
    children: ChildrenFn,
) -> impl IntoView {
    let live = use_live();
    view! {
        <Show
            when=move || live.is_ready()
            fallback=|| {
                view! {
                    <p class="loading" role="status">
                        "Connecting to the Watchfloor server…"
                    </p>
                }
            }
        >
            {children()}
        </Show>
    }
}
