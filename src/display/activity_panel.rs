//! The incident activity panel: public incidents by severity and category,
//! a chart of incidents opened over the exercise, and the latest public
//! summaries.
//!
//! It reads only what may be released: the store holds the public picture
//! (the server redacts it), and this panel still considers public incidents
//! only and never reads an incident's `detail`, so a server that ignored
//! `?audience=public` would not put restricted text on a lobby screen either.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use watchfloor_model::time::zulu_hm;
use watchfloor_model::{Incident, IncidentStatus, Severity, Visibility};

use crate::display::tally::{by_category, by_severity, chart, latest, Bar, LATEST};
use crate::live::ledger::Ledger;
use crate::live::LiveStore;
use crate::ui::clock::use_clock;
use crate::ui::time_axis::{elapsed_range, exercise_range};
use crate::vocabulary::words::category_text;
use crate::vocabulary::words::{severity_glyph, severity_label, status_glyph, status_label};

/// The public incidents of the store's state.
fn public(ledger: &Ledger) -> impl Iterator<Item = &Incident> {
    ledger
        .state()
        .incidents
        .iter()
        .filter(|incident| incident.visibility == Visibility::Public)
}

/// What a summary line shows: deliberately without the incident's `detail`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Summary {
    id: String,
    title: String,
    category: String,
    severity: Severity,
    status: IncidentStatus,
    summary: String,
    updated_at: DateTime<Utc>,
}

impl From<&Incident> for Summary {
    fn from(incident: &Incident) -> Self {
        Summary {
            id: incident.id.clone(),
            title: incident.title.clone(),
            category: incident.category.clone(),
            severity: incident.severity,
            status: incident.status,
            summary: incident.summary.clone(),
            updated_at: incident.updated_at,
        }
    }
}

/// The incident activity panel; reads the live store and the clock from context.
#[component]
pub fn ActivityPanel() -> impl IntoView {
    let store = expect_context::<LiveStore>();
    let clock = use_clock();
    let severities = Memo::new(move |_| store.incidents(|ledger| by_severity(public(ledger))));
    let categories = Memo::new(move |_| store.incidents(|ledger| by_category(public(ledger))));
    let schedule =
        Memo::new(move |_| store.exercise(|exercise| (exercise.startex, exercise.endex)));
    let bars = Memo::new(move |_| {
        let now = clock.minute();
        let (startex, endex) = schedule.get();
        store.incidents(|ledger| {
            let first = public(ledger).map(|incident| incident.opened_at).min();
            chart(
                public(ledger),
                elapsed_range(exercise_range(startex, endex, first, now), now),
            )
        })
    });
    let highest = move || bars.with(|bars| bars.iter().map(Bar::total).max().unwrap_or(0));
    let recent = Memo::new(move |_| {
        store.incidents(|ledger| {
            latest(public(ledger), LATEST)
                .into_iter()
                .map(Summary::from)
                .collect::<Vec<_>>()
        })
    });
    let empty = move || severities.with(|counts| counts.iter().all(|count| count.total == 0));

    view! {
        <section class="display-panel display-activity" data-testid="display-panel" data-panel="activity">
            <h2 class="display-panel-title">"Incident activity"</h2>
            <ul class="display-severities" data-testid="display-severities">
                {move || {
                    severities
                        .get()
                        .into_iter()
                        .map(|count| {
                            view! {
                                <li class="display-severity" data-severity=count.severity.as_str()>
                                    <span class="display-severity-name">
                                        <span class="display-glyph">{severity_glyph(count.severity)}</span>
                                        {severity_label(count.severity)}
                                    </span>
                                    <span class="display-severity-open">{count.open}</span>
                                    <span class="display-severity-total">
                                        {format!("open · {} in all", count.total)}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <div class="display-activity-body">
                <div class="display-activity-figures">
                    <figure class="display-chart" data-testid="display-chart">
                        <figcaption>"Incidents opened, by severity"</figcaption>
                        <div class="display-chart-plot">
                            <span class="display-chart-max">{highest}</span>
                            <div class="display-chart-bars">
                                <For
                                    each=move || bars.get()
                                    key=|bar| bar.clone()
                                    children=move |bar| {
                                        let total = bar.total();
                                        // The tallest bar can change without this one changing.
                                        let height = move || match highest() {
                                            0 => "0%".to_string(),
                                            highest => format!("{:.1}%", total as f64 / highest as f64 * 100.0),
                                        };
                                        view! {
                                            <div class="display-bar" style:height=height>
                                                {Severity::ALL
                                                    .iter()
                                                    .enumerate()
                                                    .rev()
                                                    .filter(|(index, _)| bar.opened[*index] > 0)
                                                    .map(|(index, severity)| {
                                                        view! {
                                                            <div
                                                                class="display-bar-part"
                                                                data-severity=severity.as_str()
                                                                style:flex-grow=bar.opened[index].to_string()
                                                            ></div>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </div>
                                        }
                                    }
                                />
                            </div>
                        </div>
                        <div class="display-chart-axis">
                            <span>
                                {move || bars.with(|bars| bars.first().map(|bar| axis_time(bar.start)).unwrap_or_default())}
                            </span>
                            <span>"Now"</span>
                        </div>
                    </figure>
                    <ul class="display-categories" data-testid="display-categories">
                        {move || {
                            let counts = categories.get();
                            let most = counts.iter().map(|count| count.total).max().unwrap_or(0).max(1);
                            counts
                                .into_iter()
                                .map(|count| {
                                    let label = match &count.slug {
                                        Some(slug) => category_text(slug),
                                        None => "Other categories".to_string(),
                                    };
                                    let share = count.total as f64 / most as f64 * 100.0;
                                    view! {
                                        <li class="display-category">
                                            <span class="display-category-label">{label}</span>
                                            <span class="display-category-bar" aria-hidden="true">
                                                <span style:width=format!("{share:.1}%")></span>
                                            </span>
                                            <span class="display-category-count">{count.total}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                </div>
                <div class="display-latest">
                    <h3 class="display-subtitle">"Latest public updates"</h3>
                    <Show when=move || !empty()>
                        <ol class="display-latest-list">
                            <For
                                each=move || recent.get()
                                key=|summary| summary.clone()
                                children=move |summary| view! { <SummaryItem summary=summary /> }
                            />
                        </ol>
                    </Show>
                    <Show when=empty>
                        <p class="display-empty" data-testid="display-no-incidents">
                            "No public incidents have been released yet."
                        </p>
                    </Show>
                </div>
            </div>
            <p class="display-footnote">"All incidents are part of the exercise scenario: they are simulated."</p>
        </section>
    }
}

/// One of the latest public summaries.
#[component]
fn SummaryItem(summary: Summary) -> impl IntoView {
    view! {
        <li
            class="display-incident"
            data-testid="display-incident"
            data-id=summary.id.clone()
            data-severity=summary.severity.as_str()
        >
            <div class="display-incident-head">
                <span class="display-incident-severity" data-severity=summary.severity.as_str()>
                    <span class="display-glyph">{severity_glyph(summary.severity)}</span>
                    {severity_label(summary.severity)}
                </span>
                <span class="display-incident-status">
                    <span class="display-glyph">{status_glyph(summary.status)}</span>
                    {status_label(summary.status)}
                </span>
                <span class="display-incident-category">{category_text(&summary.category)}</span>
                <span class="display-incident-time">{zulu_hm(summary.updated_at)}</span>
            </div>
            <p class="display-incident-title">{summary.title.clone()}</p>
            {(!summary.summary.trim().is_empty())
                .then(|| view! { <p class="display-incident-summary">{summary.summary.clone()}</p> })}
        </li>
    }
}

/// The chart's first time: "23 NOV 08:00Z".
fn axis_time(at: DateTime<Utc>) -> String {
    at.format("%d %b %H:%MZ").to_string().to_uppercase()
}
