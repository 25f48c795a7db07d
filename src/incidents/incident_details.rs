//! An incident's details: facts, summary, restricted detail (present only
//! for readers who may see it), responses by nation and its own timeline.

use leptos::prelude::*;
use watchfloor_model::time::dtg;
use watchfloor_model::{category_label, Incident};

use crate::incidents::{IncidentHistory, ResponseTable};
use crate::ui::{SeverityBadge, StatusBadge};
use crate::vocabulary::words::visibility_label;

/// The body of the incident page for a found incident.
#[component]
pub fn IncidentDetails(
    /// The incident (a fresh copy on every change).
    incident: Incident,
) -> impl IntoView {
    let entries = Signal::derive({
        let timeline = incident.timeline.clone();
        move || timeline.clone()
    });
    let for_responses = Signal::derive({
        let incident = incident.clone();
        move || incident.clone()
    });
    let inject = incident.inject.clone();
    view! {
        <article class="incident" data-incident-id=incident.id.clone()>
            <header class="card incident-header">
                <p class="incident-id">{incident.id.clone()}</p>
                <h1 data-testid="incident-title">{incident.title.clone()}</h1>
                <div class="badges">
                    <SeverityBadge severity=incident.severity />
                    <StatusBadge status=incident.status />
                    <span class=format!("badge visibility visibility-{}", incident.visibility.as_str())>
                        {visibility_label(incident.visibility)}
                    </span>
                </div>
                <dl class="facts">
                    <div>
                        <dt>"Category"</dt>
                        <dd>{category_label(&incident.category).to_string()}</dd>
                    </div>
                    <div>
                        <dt>"Nations"</dt>
                        <dd class="nation-links">
                            {incident
                                .nations
                                .iter()
                                .map(|code| view! { <a href=format!("/nations/{code}")>{code.clone()}</a> })
                                .collect_view()}
                        </dd>
                    </div>
                    <div>
                        <dt>"Team"</dt>
                        <dd>{incident.team.clone().unwrap_or_else(|| "—".into())}</dd>
                    </div>
                    <div>
                        <dt>"Opened"</dt>
                        <dd><time datetime=incident.opened_at.to_rfc3339()>{dtg(incident.opened_at)}</time></dd>
                    </div>
                    <div>
                        <dt>"Updated"</dt>
                        <dd><time datetime=incident.updated_at.to_rfc3339()>{dtg(incident.updated_at)}</time></dd>
                    </div>
                    <div>
                        <dt>"Closed"</dt>
                        <dd>{incident.closed_at.map(dtg).unwrap_or_else(|| "open".into())}</dd>
                    </div>
                    {inject.map(|inject| view! {
                        <div>
                            <dt>"Inject"</dt>
                            <dd>
                                {inject.id.clone()}
                                {inject.planned_at.map(|at| format!(" · planned {}", dtg(at)))}
                            </dd>
                        </div>
                    })}
                </dl>
            </header>
            <div class="incident-grid">
                <section class="card" aria-labelledby="summary-heading">
                    <h2 id="summary-heading">"Summary"</h2>
                    <p class="prose" data-testid="incident-summary">
                        {if incident.summary.is_empty() { "No public summary.".to_string() } else { incident.summary.clone() }}
                    </p>
                    {incident.detail.clone().map(|detail| view! {
                        <div class="restricted" data-testid="incident-detail">
                            <h3>
                                <span class="glyph" aria-hidden="true">"▲ "</span>
                                "Restricted detail"
                            </h3>
                            <p class="prose">{detail}</p>
                        </div>
                    })}
                </section>
                <section class="card" aria-labelledby="responses-heading">
                    <h2 id="responses-heading">"Responses by nation"</h2>
                    <ResponseTable incident=for_responses />
                </section>
                <section class="card card-history" aria-labelledby="history-heading">
                    <h2 id="history-heading">"Timeline"</h2>
                    <IncidentHistory entries=entries />
                </section>
            </div>
        </article>
    }
}
