//! The printable after-action summary (`/review/report`): the exercise and
//! its dates, participation, incidents by severity and category, the
//! nation × inject matrix, the slowest chains of detection and reporting,
//! and the incidents in order. Print CSS lays it out for A4 and Letter, so
//! "Save as PDF" gives a clean report. Like every page it reads the store it
//! is given: in review mode, the exercise as it was at the replay's moment.

use leptos::prelude::*;
use watchfloor_model::review::matrix;
use watchfloor_model::time::dtg;
use watchfloor_model::Milestone;

use crate::live::use_live;
use crate::review::matrix::{cell_lines, extreme_text, milestone_letter, times_lines};
use crate::review::matrix_cell::MatrixCell;
use crate::review::report::{by_category, by_severity, chronology, participation, slowest_chains};
use crate::ui::clock::use_clock;
use crate::ui::{SeverityBadge, StatusBadge, StoreGate};
use crate::vocabulary::time::{compact, day_hm, duration, schedule_text, Precision};
use crate::vocabulary::words::{
    category_text, counted, grouped, kind_label, phase_label, severity_label,
};

/// How many chains the slowest-chains table lists.
const SLOWEST_CHAINS: usize = 15;

/// The report page.
#[component]
pub fn ReportPage() -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let figures = Memo::new(move |_| {
        live.nations(|_| ());
        live.incidents(|ledger| matrix(ledger.state()))
    });
    let heading = move || {
        live.exercise(|exercise| {
            let title = [exercise.name.as_str(), exercise.edition.as_str()]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let dates = match (exercise.startex, exercise.endex) {
                (Some(startex), Some(endex)) => schedule_text(startex, endex),
                _ => "Dates not set".into(),
            };
            (
                title,
                exercise.organiser.clone(),
                dates,
                phase_label(exercise.phase),
            )
        })
    };
    let participation_view = move || {
        let figures = live.nations(participation);
        let total: usize = figures.by_kind.iter().map(|(_, count)| count).sum();
        view! {
            <table class="data-table report-table" data-testid="report-participation">
                <tbody>
                    <tr><th scope="row">"Nations and organisations"</th><td class="number">{total}</td></tr>
                    {figures.by_kind.iter().map(|(kind, count)| view! {
                        <tr><th scope="row">{kind_label(*kind)}</th><td class="number">{*count}</td></tr>
                    }).collect_view()}
                    <tr><th scope="row">"Participants"</th><td class="number">{grouped(figures.participants)}</td></tr>
                    <tr><th scope="row">"Teams"</th><td class="number">{grouped(figures.teams)}</td></tr>
                </tbody>
            </table>
        }
    };
    let incidents_view = move || {
        live.incidents(|ledger| {
            let incidents = &ledger.state().incidents;
            let severities = by_severity(incidents);
            let categories = by_category(incidents);
            view! {
                <p data-testid="report-incident-total">{counted(incidents.len(), "incident", "incidents")}</p>
                <div class="report-columns">
                    <table class="data-table report-table" data-testid="report-severity">
                        <caption>"By severity"</caption>
                        <thead><tr><th scope="col">"Severity"</th><th scope="col" class="number">"Incidents"</th><th scope="col" class="number">"Closed"</th></tr></thead>
                        <tbody>
                            {severities.into_iter().map(|(severity, count, closed)| view! {
                                <tr data-severity=severity.as_str()>
                                    <th scope="row">{severity_label(severity)}</th>
                                    <td class="number">{count}</td>
                                    <td class="number">{closed}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <table class="data-table report-table" data-testid="report-category">
                        <caption>"By category"</caption>
                        <thead><tr><th scope="col">"Category"</th><th scope="col" class="number">"Incidents"</th></tr></thead>
                        <tbody>
                            {categories.into_iter().map(|(slug, count)| view! {
                                <tr><th scope="row">{category_text(&slug)}</th><td class="number">{count}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
        })
    };
    let matrix_view = move || {
        figures.with(|m| {
            if m.injects.is_empty() {
                return view! { <p class="empty">"No scripted injects."</p> }.into_any();
            }
            view! {
                <table class="data-table matrix-table report-matrix" data-testid="report-matrix">
                    <thead>
                        <tr>
                            <th scope="col">"Nation"</th>
                            <th scope="col" class="number">"Answered"</th>
                            {Milestone::ALL.iter().map(|milestone| view! {
                                <th scope="col" class="number">{format!("Median {}", milestone_letter(*milestone))}</th>
                            }).collect_view()}
                            {m.injects.iter().map(|column| view! {
                                <th scope="col" class="matrix-inject">{column.inject.clone()}</th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {m.rows.iter().map(|row| view! {
                            <tr>
                                <th scope="row" class="matrix-nation">{row.code.clone()}</th>
                                <td class="number" data-label="Answered">{format!("{}/{}", row.answered, row.affected)}</td>
                                {Milestone::ALL.iter().map(|milestone| view! {
                                    <td class="number" data-label=format!("Median {}", milestone_letter(*milestone))>
                                        {row.median.get(*milestone).map(compact).unwrap_or_else(|| "—".into())}
                                    </td>
                                }).collect_view()}
                                {m.injects.iter().zip(&row.cells).map(|(column, cell)| view! {
                                    <MatrixCell cell=*cell label=column.inject.clone() title=format!("{} on {}", row.code, column.inject) />
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <table class="data-table report-table" data-testid="report-injects">
                    <caption>"Injects"</caption>
                    <thead><tr>
                        <th scope="col">"Inject"</th><th scope="col">"Incident"</th><th scope="col">"Planned"</th>
                        <th scope="col">"Fastest"</th><th scope="col">"Slowest"</th>
                    </tr></thead>
                    <tbody>
                        {m.injects.iter().map(|column| view! {
                            <tr>
                                <th scope="row">{column.inject.clone()}</th>
                                <td>{format!("{} — {}", column.incident, column.title)}</td>
                                <td>{day_hm(column.start)}</td>
                                <td>{extreme_text(column, true)}</td>
                                <td>{extreme_text(column, false)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        })
    };
    let chains_view = move || {
        figures.with(|m| {
            let chains = slowest_chains(m, SLOWEST_CHAINS);
            if chains.is_empty() {
                return view! { <p class="empty">"No nation was affected by a scripted inject."</p> }.into_any();
            }
            view! {
                <table class="data-table report-table" data-testid="report-chains">
                    <thead><tr>
                        <th scope="col">"Nation"</th><th scope="col">"Inject"</th>
                        <th scope="col">"Times"</th><th scope="col">"Broke at"</th>
                    </tr></thead>
                    <tbody>
                        {chains.into_iter().map(|chain| {
                            let lines = match &chain.times {
                                Some(times) => times_lines(times),
                                None => cell_lines(&watchfloor_model::review::Cell::NoResponse),
                            };
                            let broke = chain
                                .broke_at()
                                .map(|milestone| format!("not {}", milestone.as_str()))
                                .unwrap_or_else(|| "complete".into());
                            view! {
                                <tr data-testid="report-chain">
                                    <th scope="row">{chain.nation.clone()}</th>
                                    <td>{format!("{} ({})", chain.inject, chain.incident)}</td>
                                    <td>{lines.join(" · ")}</td>
                                    <td>{broke}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        })
    };
    let chronology_view = move || {
        live.incidents(|ledger| {
            chronology(&ledger.state().incidents)
                .into_iter()
                .map(|incident| {
                    let closed = incident
                        .closed_at
                        .map(|closed| duration(closed - incident.opened_at, Precision::Rounded))
                        .unwrap_or_else(|| "open".into());
                    view! {
                        <tr data-testid="report-incident">
                            <td>{day_hm(incident.opened_at)}</td>
                            <th scope="row">{incident.id.clone()}</th>
                            <td>{incident.title.clone()}</td>
                            <td><SeverityBadge severity=incident.severity /></td>
                            <td><StatusBadge status=incident.status /></td>
                            <td>{closed}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <StoreGate>
            <article class="report" data-testid="report">
                <header class="report-header">
                    {move || {
                        let (title, organiser, dates, phase) = heading();
                        view! {
                            <h1 data-testid="report-title">{format!("After-action summary: {title}")}</h1>
                            <p class="report-meta">
                                {[organiser, dates, phase.to_string()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}
                            </p>
                        }
                    }}
                    <p class="report-meta" data-testid="report-as-of">
                        {move || format!("State at {} (seq {})", dtg(clock.minute()), live.incidents(|l| l.seq()))}
                    </p>
                    <button type="button" class="button report-print" on:click=|_| print()>"Print or save as PDF"</button>
                </header>
                <section class="report-section" aria-labelledby="report-participation">
                    <h2 id="report-participation">"Participation"</h2>
                    {participation_view}
                </section>
                <section class="report-section" aria-labelledby="report-incidents">
                    <h2 id="report-incidents">"Incidents"</h2>
                    {incidents_view}
                </section>
                <section class="report-section report-break" aria-labelledby="report-matrix-heading">
                    <h2 id="report-matrix-heading">"Response matrix"</h2>
                    <p class="muted">"D detected · R reported · C contained: time from the inject's planned time."</p>
                    <p class="muted print-only">"On paper each nation lists only the injects that concerned it."</p>
                    {matrix_view}
                </section>
                <section class="report-section" aria-labelledby="report-chains-heading">
                    <h2 id="report-chains-heading">"Slowest chains"</h2>
                    <p class="muted">"Where detection and reporting broke: never answered first, then never reported, then the longest times to report."</p>
                    {chains_view}
                </section>
                <section class="report-section report-break" aria-labelledby="report-timeline">
                    <h2 id="report-timeline">"Timeline"</h2>
                    <table class="data-table report-table" data-testid="report-chronology">
                        <thead><tr>
                            <th scope="col">"Opened"</th><th scope="col">"Incident"</th><th scope="col">"Title"</th>
                            <th scope="col">"Severity"</th><th scope="col">"Status"</th><th scope="col">"Closed after"</th>
                        </tr></thead>
                        <tbody>{chronology_view}</tbody>
                    </table>
                </section>
            </article>
        </StoreGate>
    }
}

/// The browser's print dialog.
fn print() {
    #[cfg(target_arch = "wasm32")]
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
