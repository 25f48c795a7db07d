//! The dark / light theme switch.

use leptos::prelude::*;

use crate::ui::theme::{self, Theme};

/// A button that switches theme and remembers the choice.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let current = RwSignal::new(theme::stored());
    let toggle = move |_| {
        let next = current.get_untracked().toggled();
        theme::apply(next, true);
        current.set(next);
    };
    view! {
        <button
            type="button"
            class="button button-quiet theme-toggle"
            data-testid="theme-toggle"
            aria-pressed=move || (current.get() == Theme::Light).to_string()
            on:click=toggle
        >
            <span class="glyph" aria-hidden="true">
                {move || if current.get() == Theme::Light { "☀" } else { "☾" }}
            </span>
            "Light theme"
        </button>
    }
}
