//! Opening an incident: every field of the contract, restricted by default,
//! checked with the model's validator before it is posted; a refusal
//! (the model's or the server's) shows on its field.

use leptos::prelude::*;
use watchfloor_model::{Severity, CATEGORIES};

use crate::control::forms::{self, FieldErrors, IncidentDraft};
use crate::control::{poster, FieldError, NationPicker};
use crate::live::use_live;
use crate::vocabulary::words::severity_label;

/// The incident composer.
#[component]
pub fn IncidentComposer() -> impl IntoView {
    let live = use_live();
    let id = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let severity = RwSignal::new(Severity::Medium);
    let nations = RwSignal::new(Vec::<String>::new());
    let team = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let detail = RwSignal::new(String::new());
    let public = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::default());
    let posted = RwSignal::new(None::<String>);
    let (post, send) = poster(errors, IncidentDraft::FIELDS, move |_| {
        posted.set(Some(id.get_untracked().trim().to_string()));
        for text in [id, title, category, team, summary, detail] {
            text.set(String::new());
        }
        nations.set(Vec::new());
        public.set(false);
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        posted.set(None);
        // Left empty: the next free id, which the field shows as its placeholder.
        if id.get_untracked().trim().is_empty() {
            id.set(live.untracked(|ledger| forms::next_incident_id(ledger.state())));
        }
        let draft = IncidentDraft {
            id: id.get_untracked(),
            title: title.get_untracked(),
            category: category.get_untracked(),
            severity: severity.get_untracked(),
            nations: nations.get_untracked(),
            team: team.get_untracked(),
            summary: summary.get_untracked(),
            detail: detail.get_untracked(),
            public: public.get_untracked(),
        };
        send(draft.event());
    };
    let suggested = move || live.incidents(|ledger| forms::next_incident_id(ledger.state()));
    let busy = post.pending();
    let text_field = move |label: &'static str,
                           field: &'static str,
                           value: RwSignal<String>,
                           max: &'static str| {
        let error_id = format!("compose-{field}-error");
        view! {
            <label class="field">
                <span>{label}</span>
                <input
                    type="text"
                    name=field
                    maxlength=max
                    data-testid=format!("compose-{field}")
                    aria-describedby=error_id.clone()
                    aria-invalid=move || errors.with(|e| e.get(field).is_some()).to_string()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <FieldError id=error_id errors=errors field=field />
            </label>
        }
    };
    view! {
        <section class="card control-card" aria-labelledby="compose-heading" data-testid="incident-composer">
            <h2 id="compose-heading">"Open an incident"</h2>
            <form class="control-form" on:submit=submit novalidate=true>
                <label class="field">
                    <span>"Id (empty: the next free one)"</span>
                    <input
                        type="text"
                        name="id"
                        maxlength="64"
                        data-testid="compose-id"
                        placeholder=suggested
                        aria-describedby="compose-id-error"
                        aria-invalid=move || errors.with(|e| e.get("id").is_some()).to_string()
                        prop:value=move || id.get()
                        on:input=move |ev| id.set(event_target_value(&ev))
                    />
                    <FieldError id="compose-id-error" errors=errors field="id" />
                </label>
                {text_field("Title", "title", title, "200")}
                <label class="field">
                    <span>"Category (a known one, or a new slug)"</span>
                    <input
                        type="text"
                        name="category"
                        list="known-categories"
                        data-testid="compose-category"
                        aria-describedby="compose-category-error"
                        prop:value=move || category.get()
                        on:input=move |ev| category.set(event_target_value(&ev))
                    />
                    <datalist id="known-categories">
                        {CATEGORIES.iter().map(|(slug, label, _)| view! {
                            <option value=*slug>{*label}</option>
                        }).collect_view()}
                    </datalist>
                    <FieldError id="compose-category-error" errors=errors field="category" />
                </label>
                <label class="field">
                    <span>"Severity"</span>
                    <select
                        name="severity"
                        data-testid="compose-severity"
                        on:change=move |ev| {
                            if let Ok(chosen) = event_target_value(&ev).parse() {
                                severity.set(chosen);
                            }
                        }
                    >
                        {Severity::ALL.iter().map(|each| view! {
                            <option value=each.as_str() selected=move || severity.get() == *each>
                                {severity_label(*each)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <NationPicker chosen=nations name="compose" described_by="compose-nations-error" />
                <FieldError id="compose-nations-error" errors=errors field="nations" />
                {text_field("Team (optional)", "team", team, "200")}
                <label class="field">
                    <span>"Public summary"</span>
                    <textarea
                        name="summary"
                        rows="2"
                        data-testid="compose-summary"
                        aria-describedby="compose-summary-error"
                        prop:value=move || summary.get()
                        on:input=move |ev| summary.set(event_target_value(&ev))
                    ></textarea>
                    <FieldError id="compose-summary-error" errors=errors field="summary" />
                </label>
                <label class="field">
                    <span>"Restricted detail (never public)"</span>
                    <textarea
                        name="detail"
                        rows="3"
                        data-testid="compose-detail"
                        aria-describedby="compose-detail-error"
                        prop:value=move || detail.get()
                        on:input=move |ev| detail.set(event_target_value(&ev))
                    ></textarea>
                    <FieldError id="compose-detail-error" errors=errors field="detail" />
                </label>
                <fieldset class="visibility-choice">
                    <legend>"Visibility"</legend>
                    <label class="option">
                        <input
                            type="radio"
                            name="visibility"
                            value="restricted"
                            data-testid="compose-restricted"
                            prop:checked=move || !public.get()
                            on:change=move |_| public.set(false)
                        />
                        <span>"Restricted: commanders and control only"</span>
                    </label>
                    <label class="option">
                        <input
                            type="radio"
                            name="visibility"
                            value="public"
                            data-testid="compose-public"
                            prop:checked=move || public.get()
                            on:change=move |_| public.set(true)
                        />
                        <span>"Public"</span>
                    </label>
                </fieldset>
                <Show when=move || public.get()>
                    <p class="warning" role="status" data-testid="compose-public-warning">
                        "Public: the press, the public website and every wall screen will see its title, category, severity, nations and summary. The detail stays restricted."
                    </p>
                </Show>
                <div class="control-actions">
                    <button type="submit" class="button button-primary" data-testid="compose-submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Opening…" } else { "Open incident" }}
                    </button>
                </div>
                <FieldError id="compose-error" errors=errors field="" />
                {move || posted.get().map(|id| view! {
                    <p class="notice" role="status" data-testid="compose-done">
                        "Opened "<a href=format!("/incidents/{id}")>{id.clone()}</a>"."
                    </p>
                })}
            </form>
        </section>
    }
}
