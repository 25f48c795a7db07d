//! The overview's headline figures: nations, participants, open incidents by
//! severity, incidents contained and resolved, median time to contain.

use leptos::prelude::*;
use watchfloor_model::time::format_duration;
use watchfloor_model::Severity;

use crate::figures::{headline, Headline};
use crate::format::{severity_glyph, severity_label};
use crate::live::use_live;

/// The open statuses, for links to the open incidents of one severity.
const OPEN_STATUSES: &str = "detected,reported,analysing";

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
                    <a href=format!("/incidents?status={OPEN_STATUSES}")>"Open incidents"</a>
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
                                            href=format!(
                                                "/incidents?severity={}&status={OPEN_STATUSES}",
                                                severity.as_str(),
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
                    {read(|f| f.median_to_contain.map(format_duration).unwrap_or_else(|| "—".into()))}
                </dd>
                <dd class="figure-note">"opened → contained or resolved"</dd>
            </div>
        </dl>
    }
}
