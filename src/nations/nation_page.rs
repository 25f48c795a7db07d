//! One nation (`/nations/:code`): who it is, its connection, its response
//! times, and the incidents that affect it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use watchfloor_model::time::dtg;
use watchfloor_model::Milestone;

use crate::incidents::sort::{select, Sort};
use crate::incidents::IncidentList;
use crate::live::use_live;
use crate::nations::response::{response_medians, ResponseMedian};
use crate::ui::clock::use_clock;
use crate::ui::{NationStatusBadge, StoreGate};
use crate::vocabulary::time::{age, maybe_duration};
use crate::vocabulary::words::kind_label;
use watchfloor_model::IncidentFilter;

/// The nation page.
#[component]
pub fn NationPage() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let params = use_params_map();
    let code = Memo::new(move |_| params.with(|params| params.get("code").unwrap_or_default()));
    let nation = Memo::new(move |_| {
        let code = code.get();
        live.nations(|nations| nations.iter().find(|nation| nation.code == code).cloned())
    });
    let rows = Memo::new(move |_| {
        let filter = IncidentFilter {
            nation: vec![code.get()],
            ..IncidentFilter::default()
        };
        live.incidents(|ledger| select(&ledger.state().incidents, &filter, Sort::default()))
    });
    let medians = Memo::new(move |_| {
        let code = code.get();
        live.incidents(|ledger| response_medians(&ledger.state().incidents, &code))
    });
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/nations">"Nations"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{move || code.get()}</span>
        </nav>
        <StoreGate>
            {move || match nation.get() {
                None => view! {
                    <section class="card" data-testid="nation-missing">
                        <h1>{move || format!("Nation {}", code.get())}</h1>
                        <p>"This nation is not taking part in the exercise."</p>
                    </section>
                }
                .into_any(),
                Some(nation) => view! {
                    <section class="card nation-header" data-testid="nation-detail" data-code=nation.code.clone()>
                        <h1>
                            <span class="nation-code">{nation.code.clone()}</span>
                            " "
                            {nation.name.clone()}
                        </h1>
                        <dl class="facts">
                            <div><dt>"Kind"</dt><dd>{kind_label(nation.kind)}</dd></div>
                            <div><dt>"Status"</dt><dd><NationStatusBadge status=nation.status /></dd></div>
                            <div><dt>"Participants"</dt><dd>{nation.participants}</dd></div>
                            <div><dt>"Teams"</dt><dd>{nation.teams}</dd></div>
                            <div>
                                <dt>"Last check-in"</dt>
                                <dd>
                                    <time datetime=nation.last_seen.to_rfc3339()>{dtg(nation.last_seen)}</time>
                                    {move || format!(" · {}", age(nation.last_seen, clock.minute()))}
                                </dd>
                            </div>
                            {move || {
                                medians
                                    .get()
                                    .into_iter()
                                    .map(|ResponseMedian { milestone, median }| view! {
                                        <div>
                                            <dt>
                                                {match milestone {
                                                    Milestone::Detected => "Median time to detect",
                                                    Milestone::Reported => "Median time to report",
                                                    Milestone::Contained => "Median time to contain",
                                                }}
                                            </dt>
                                            <dd>{maybe_duration(median)}</dd>
                                        </div>
                                    })
                                    .collect_view()
                            }}
                        </dl>
                        <p>
                            <a href="/review/matrix" data-testid="matrix-link">
                                {format!("{}'s times on every inject: the response matrix", nation.code)}
                            </a>
                        </p>
                    </section>
                }
                .into_any(),
            }}
            <section class="card" aria-labelledby="nation-incidents-heading">
                <h2 id="nation-incidents-heading">
                    {move || format!("Incidents affecting {} ({})", code.get(), rows.with(Vec::len))}
                </h2>
                <IncidentList rows=rows height=420.0 />
            </section>
        </StoreGate>
    }
}
