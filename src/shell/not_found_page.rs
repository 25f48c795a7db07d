//! The page for paths the app does not know.

use leptos::prelude::*;

/// "Not found", with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main id="main" class="page">
            <section class="card">
                <h1>"Not found"</h1>
                <p>"There is no page here. " <a href="/">"Back to the overview"</a></p>
            </section>
        </main>
    }
}
