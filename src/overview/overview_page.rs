//! The overview (`/`): headline figures, incident activity, nations'
//! connections and the latest changes. The exercise's name, phase, day, clocks
//! and countdown are in the header, on every page.

use leptos::prelude::*;
use watchfloor_model::IncidentFilter;

use crate::incidents::sort::{incidents_link, Sort, SortKey};

use crate::live::use_live;
use crate::nations::NationTiles;
use crate::overview::figures::{connection_counts, ConnectionCount};
use crate::overview::{ActivityChart, HeadlineFigures, LatestChanges, OpenIncidents};
use crate::ui::{NationStatusBadge, StoreGate};

/// The open incidents' order on the overview and behind its link.
const WORST_FIRST: Sort = Sort {
    key: SortKey::Severity,
    descending: true,
};

/// The overview page.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let live = use_live();
    let counts = Memo::new(move |_| live.nations(connection_counts));
    view! {
        <h1 class="visually-hidden">"Overview"</h1>
        <StoreGate>
            <section class="card" aria-labelledby="figures-heading">
                <h2 id="figures-heading" class="visually-hidden">"Headline figures"</h2>
                <HeadlineFigures />
            </section>
            <div class="overview-grid">
                <div class="overview-column">
                    <section class="card" aria-labelledby="activity-heading">
                        <h2 id="activity-heading">"Incident activity"</h2>
                        <ActivityChart />
                    </section>
                    <section class="card" aria-labelledby="open-heading">
                        <h2 id="open-heading">
                            <a href=incidents_link(&IncidentFilter::open(), WORST_FIRST)>
                                "Open incidents, worst first"
                            </a>
                        </h2>
                        <OpenIncidents limit=8 />
                    </section>
                </div>
                <section class="card" aria-labelledby="nations-heading">
                    <div class="card-heading">
                        <h2 id="nations-heading">
                            <a href="/nations">"Nations"</a>
                        </h2>
                        <a class="card-link" href="/review/matrix" data-testid="matrix-link">"Response matrix"</a>
                        <ul class="inline-counts" data-testid="nation-counts">
                            {move || {
                                counts
                                    .get()
                                    .into_iter()
                                    .map(|ConnectionCount { status, nations: count }| {
                                        view! {
                                            <li>
                                                <a href=format!("/nations?status={}", status.as_str())>
                                                    <span class="count">{count}</span>
                                                    " "
                                                    <NationStatusBadge status=status />
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </ul>
                    </div>
                    <NationTiles />
                </section>
                <section class="card card-feed" aria-labelledby="feed-heading">
                    <h2 id="feed-heading">"Latest changes"</h2>
                    <LatestChanges limit=14 />
                </section>
            </div>
        </StoreGate>
    }
}
