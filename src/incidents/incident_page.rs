//! One incident (`/incidents/:id`): details, restricted detail when the reader
//! may see it, per-nation response milestones and its own timeline.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::incidents::IncidentDetails;
use crate::live::use_live;
use crate::ui::StoreGate;

/// The incident page.
#[component]
pub fn IncidentPage() -> impl IntoView {
    let live = use_live();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|params| params.get("id").unwrap_or_default()));
    let incident = Memo::new(move |_| live.incident(&id.get()));
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/incidents">"Incidents"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{move || id.get()}</span>
        </nav>
        <StoreGate>
            {move || match incident.get() {
                Some(found) => view! { <IncidentDetails incident=found /> }.into_any(),
                None => view! {
                    <section class="card" data-testid="incident-missing">
                        <h1>{move || format!("Incident {}", id.get())}</h1>
                        <p>
                            "There is no such incident, or it is not visible to you. "
                            "Restricted incidents are shown only after signing in."
                        </p>
                    </section>
                }
                .into_any(),
            }}
        </StoreGate>
    }
}
