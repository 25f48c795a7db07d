//! The overview's headline figures: nations, participants, open incidents by
//! severity, incidents contained and resolved, median time to contain.

use leptos::prelude::*;
use watchfloor_model::{IncidentFilter, Severity};

use crate::incidents::sort::{incidents_link, Sort};
use crate::live::use_live;
use crate::overview::figures::{headline, Headline};
use crate::vocabulary::time::maybe_duration;
use crate::vocabulary::words::{severity_glyph, severity_label};

/// The headline figures, recomputed when nations or incidents change.
#[component]
pub fn HeadlineFigures() -> impl IntoView {
    let live = use_live();
    let figures = Memo::new(move |_| {
        let nations = live.nations(|nations| nations.to_vec());
        live.incidents(|ledger| headline(&nations, &ledger.state().incidents))
    });
    let read = move |pick: fn(&Headline) -> String| move || figures.with(pick);
    let severities = Severity::ALL.iter().rev().copied().collect::<Vec<_>>();
    view! {
        <dl class="figures">
            <div class="figure" data-testid="figure-nations">
                <dt>"Nations taking part"</dt>
                <dd class="figure-value">{read(|f| f.nations.to_string())}</dd>
                <dd class="figure-note">
                    {read(|f| {
                        format!(
                            "{} Allies · {} partners · {} organisations",
                            f.allies,
                            f.partners,
                            f.organisations,
                        )
                    })}
                </dd>
            </div>
            <div class="figure" data-testid="figure-participants">
                <dt>"Participants"</dt>
                <dd class="figure-value">{read(|f| f.participants.to_string())}</dd>
                <dd class="figure-note">{read(|f| format!("in {} teams", f.teams))}</dd>
            </div>
            <div class="figure figure-wide" data-testid="figure-open">
                <dt>
                    <a href=incidents_link(&IncidentFilter::open(), Sort::default())>"Open incidents"</a>
                </dt>
                <dd class="figure-value">{read(|f| f.open().to_string())}</dd>
                <dd class="figure-breakdown">
                    <ul>
                        {severities
                            .into_iter()
                            .map(|severity| {
                                view! {
                                    <li class=format!("severity-count severity-{}", severity.as_str())>
                                        <a
                                            href=incidents_link(
                                                &IncidentFilter {
                                                    severity: vec![severity],
                                                    ..IncidentFilter::open()
                                                },
                                                Sort::default(),
                                            )
                                            data-testid=format!("figure-open-{}", severity.as_str())
                                        >
                                            <span class="glyph" aria-hidden="true">
                                                {severity_glyph(severity)}
                                            </span>
                                            <span class="count">
                                                {move || figures.with(|f| f.open_with(severity))}
                                            </span>
                                            " "
                                            {severity_label(severity)}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </dd>
            </div>
            <div class="figure" data-testid="figure-resolved">
                <dt>"Incidents resolved"</dt>
                <dd class="figure-value">{read(|f| f.resolved.to_string())}</dd>
                <dd class="figure-note">{read(|f| format!("{} more contained", f.contained))}</dd>
            </div>
            <div class="figure" data-testid="figure-median-contain">
                <dt>"Median time to contain"</dt>
                <dd class="figure-value">
                    {read(|f| maybe_duration(f.median_to_contain))}
                </dd>
                <dd class="figure-note">"opened → contained or resolved"</dd>
            </div>
        </dl>
    }
}
