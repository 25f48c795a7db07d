//! The control cell's console (`/control`), for the `control` role only:
//! the exercise clock and phase, the incident composer, updates and
//! response milestones, and the scenario's MSEL with fire now, skip, hold
//! and resume. Every action is a write through the server's one writer, so
//! it appears on every open screen through the stream like any event, and
//! stays in the log for the after-action review.
//!
//! The pure parts beside the views: [`forms`] (drafts → events, the model's
//! own validation before posting, errors on their fields, the clock's
//! steps) and [`msel`] (entries in words, their states, filter and pages,
//! the player's next step).

pub mod fleet;
pub mod forms;
pub mod msel;

mod clock_panel;
mod incident_composer;
mod incident_update;
mod msel_table;
mod nation_picker;
mod screens_page;

pub use clock_panel::ClockPanel;
pub use incident_composer::IncidentComposer;
pub use incident_update::IncidentUpdate;
pub use msel_table::{MselEntries, MselTable};
pub use nation_picker::NationPicker;
pub use screens_page::ScreensPage;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Routes, A};
use leptos_router::path;
use watchfloor_model::pages::Page;
use watchfloor_model::Audience;

use crate::api::{self, ApiError};
use crate::control::forms::{self as drafts, FieldErrors};
use crate::live::use_live;
use crate::shell::{AppFrame, DashboardLayout, EntryFallback};
use crate::ui::clock::use_clock;
use crate::ui::session::use_session;
use watchfloor_model::EventBody;

/// The console's entry (`control.html`, `src/bin/watchfloor-control.rs`):
/// its pages in the dashboard's layout, built apart from the dashboard so a
/// commander's first load does not carry it.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame>
            <Routes fallback=|| view! { <EntryFallback own=Page::Control /> }>
                <ParentRoute path=path!("control") view=DashboardLayout>
                    <Route path=path!("") view=ControlPage />
                    <Route path=path!("screens") view=ScreensPage />
                </ParentRoute>
            </Routes>
        </AppFrame>
    }
}

/// `/control`: the console for control; anyone else is told it is control's.
#[component]
pub fn ControlPage() -> impl IntoView {
    view! {
        <ControlGate>
            <ControlTabs />
            <div class="control-grid" data-testid="control-console">
                <ClockPanel />
                <IncidentComposer />
                <IncidentUpdate />
                <MselTable />
            </div>
        </ControlGate>
    }
}

/// Shows `children` to control only; anyone else is told the console is
/// control's, with a way to sign in.
#[component]
pub fn ControlGate(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let live = use_live();
    // The store's own audience (what the server answered for) decides, so a
    // console never shows over a picture that lacks what control needs.
    let is_control = move || {
        live.audience() == Some(Audience::Control)
            || session
                .current()
                .is_some_and(|session| session.audience == Audience::Control)
                && live.audience().is_none()
    };
    view! {
        <Show
            when=is_control
            fallback=|| view! {
                <section class="card" data-testid="control-refused">
                    <h1>"Exercise control"</h1>
                    <p>
                        "The console is for exercise control. "
                        <a href="/signin?next=/control">"Sign in"</a>
                        " with a control token to run the exercise from here."
                    </p>
                </section>
            }
        >
            {children()}
        </Show>
    }
}

/// The console's two pages.
#[component]
pub fn ControlTabs() -> impl IntoView {
    view! {
        <h1 class="visually-hidden">"Exercise control"</h1>
        <nav class="control-tabs" aria-label="Console">
            <A href="/control" exact=true>"Exercise"</A>
            <A href="/control/screens">"Screens"</A>
        </nav>
    }
}

/// The message on one field of a form (empty when there is none); `id` is
/// what the field's `aria-describedby` names.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    errors: RwSignal<FieldErrors>,
    field: &'static str,
) -> impl IntoView {
    let testid = if field.is_empty() {
        "form-error".to_string()
    } else {
        format!("error-{field}")
    };
    view! {
        <p id=id class="field-error" role="alert" data-testid=testid>
            {move || errors.with(|errors| errors.get(field))}
        </p>
    }
}

/// A console form's write of one event.
pub(crate) type Post = Action<EventBody, Result<Vec<u64>, ApiError>>;

/// The one way a console form posts an event: checked with the model's
/// validator against the console's copy of the state first (a refusal goes
/// on its field at once, nothing is sent); the server's refusal lands on the
/// field it names among `fields`; `on_sent` runs with the seqs once it is in
/// the log.
pub(crate) fn poster(
    errors: RwSignal<FieldErrors>,
    fields: &'static [&'static str],
    on_sent: impl Fn(&[u64]) + 'static,
) -> (Post, impl Fn(EventBody) + Copy) {
    let live = use_live();
    let clock = use_clock();
    let post: Post = Action::new_local(|body: &EventBody| {
        let body = body.clone();
        async move { api::post_events(&[body]).await }
    });
    Effect::new(move |_| match post.value().get() {
        Some(Ok(seqs)) => {
            errors.set(FieldErrors::default());
            on_sent(&seqs);
        }
        Some(Err(error)) => errors.set(FieldErrors::from_api(&error, fields)),
        None => {}
    });
    let send = move |body: EventBody| {
        let now = clock.now_untracked();
        match live.untracked(|ledger| drafts::check(ledger.state(), &body, now)) {
            Ok(()) => {
                errors.set(FieldErrors::default());
                post.dispatch(body);
            }
            Err(refusal) => errors.set(refusal),
        }
    };
    (post, send)
}
