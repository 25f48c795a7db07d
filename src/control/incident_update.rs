//! Changing an incident (status, severity, a note, the affected nations)
//! and recording a nation's response milestone on it.

use leptos::prelude::*;
use watchfloor_model::{IncidentStatus, Milestone, Severity};

use crate::control::forms::{self, FieldErrors, UpdateDraft};
use crate::control::{poster, FieldError, NationPicker};
use crate::live::use_live;
use crate::vocabulary::words::{severity_label, status_label};

/// The update and milestone forms.
#[component]
pub fn IncidentUpdate() -> impl IntoView {
    let live = use_live();
    let id = RwSignal::new(String::new());
    let status = RwSignal::new(None::<IncidentStatus>);
    let severity = RwSignal::new(None::<Severity>);
    let note = RwSignal::new(String::new());
    let change_nations = RwSignal::new(false);
    let nations = RwSignal::new(Vec::<String>::new());
    let nation = RwSignal::new(String::new());
    let milestone = RwSignal::new(Milestone::Detected);
    let errors = RwSignal::new(FieldErrors::default());
    let done = RwSignal::new(None::<String>);
    const FIELDS: &[&str] = &[
        "id",
        "status",
        "severity",
        "note",
        "nations",
        "code",
        "milestone",
    ];
    let (post, post_event) = poster(errors, FIELDS, move |seqs| {
        done.set(Some(format!(
            "Recorded (seq {}).",
            seqs.first().copied().unwrap_or(0)
        )));
        note.set(String::new());
    });
    let send = move |body: watchfloor_model::EventBody| {
        done.set(None);
        post_event(body);
    };
    // Choosing an incident fills the nations with its own, to edit.
    Effect::new(move |_| {
        let chosen = id.get();
        if let Some(incident) = live.untracked(|ledger| ledger.incident(chosen.trim()).cloned()) {
            nations.set(incident.nations.clone());
        }
    });
    let ids = move || {
        live.incidents(|ledger| {
            ledger
                .state()
                .incidents
                .iter()
                .rev()
                .take(500)
                .map(|incident| (incident.id.clone(), incident.title.clone()))
                .collect::<Vec<_>>()
        })
    };
    let affected = move || {
        let chosen = id.get();
        live.incidents(|ledger| {
            ledger
                .incident(chosen.trim())
                .map(|incident| incident.nations.clone())
                .unwrap_or_default()
        })
    };
    let busy = post.pending();
    view! {
        <section class="card control-card" aria-labelledby="update-heading" data-testid="incident-update">
            <h2 id="update-heading">"Update an incident"</h2>
            <label class="field">
                <span>"Incident"</span>
                <input
                    type="text"
                    name="incident"
                    list="incident-ids"
                    data-testid="update-id"
                    aria-describedby="update-id-error"
                    prop:value=move || id.get()
                    on:input=move |ev| id.set(event_target_value(&ev))
                />
                <datalist id="incident-ids">
                    {move || ids().into_iter().map(|(each, title)| view! {
                        <option value=each>{title}</option>
                    }).collect_view()}
                </datalist>
                <FieldError id="update-id-error" errors=errors field="id" />
            </label>
            <form
                class="control-form"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let draft = UpdateDraft {
                        id: id.get_untracked(),
                        status: status.get_untracked(),
                        severity: severity.get_untracked(),
                        note: note.get_untracked(),
                        nations: change_nations.get_untracked().then(|| nations.get_untracked()),
                    };
                    send(draft.event());
                }
            >
                <div class="control-row">
                    <label class="field">
                        <span>"Status"</span>
                        <select
                            name="status"
                            data-testid="update-status"
                            on:change=move |ev| status.set(event_target_value(&ev).parse().ok())
                        >
                            <option value="" selected=move || status.get().is_none()>"(unchanged)"</option>
                            {IncidentStatus::ALL.iter().map(|each| view! {
                                <option value=each.as_str() selected=move || status.get() == Some(*each)>
                                    {status_label(*each)}
                                </option>
                            }).collect_view()}
                        </select>
                        <FieldError id="update-status-error" errors=errors field="status" />
                    </label>
                    <label class="field">
                        <span>"Severity"</span>
                        <select
                            name="severity"
                            data-testid="update-severity"
                            on:change=move |ev| severity.set(event_target_value(&ev).parse().ok())
                        >
                            <option value="" selected=move || severity.get().is_none()>"(unchanged)"</option>
                            {Severity::ALL.iter().map(|each| view! {
                                <option value=each.as_str() selected=move || severity.get() == Some(*each)>
                                    {severity_label(*each)}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <label class="field">
                    <span>"Note"</span>
                    <input
                        type="text"
                        name="note"
                        data-testid="update-note"
                        aria-describedby="update-note-error"
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                    />
                    <FieldError id="update-note-error" errors=errors field="note" />
                </label>
                <label class="option">
                    <input
                        type="checkbox"
                        data-testid="update-change-nations"
                        prop:checked=move || change_nations.get()
                        on:change=move |_| change_nations.update(|on| *on = !*on)
                    />
                    <span>"Change the affected nations"</span>
                </label>
                <Show when=move || change_nations.get()>
                    <NationPicker chosen=nations name="update" described_by="update-nations-error" />
                </Show>
                <FieldError id="update-nations-error" errors=errors field="nations" />
                <div class="control-actions">
                    <button type="submit" class="button button-primary" data-testid="update-submit" disabled=move || busy.get()>
                        "Update incident"
                    </button>
                </div>
            </form>
            <form
                class="control-row"
                aria-label="Response milestone"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    send(forms::milestone_event(&id.get_untracked(), &nation.get_untracked(), milestone.get_untracked()));
                }
            >
                <label class="field">
                    <span>"Nation"</span>
                    <select
                        name="code"
                        data-testid="milestone-nation"
                        aria-describedby="milestone-code-error"
                        on:change=move |ev| nation.set(event_target_value(&ev))
                    >
                        <option value="" selected=move || nation.get().is_empty()>"(choose)"</option>
                        {move || affected().into_iter().map(|code| {
                            let value = code.clone();
                            view! { <option value=value.clone() selected=move || nation.get() == value>{code}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError id="milestone-code-error" errors=errors field="code" />
                </label>
                <label class="field">
                    <span>"Milestone"</span>
                    <select
                        name="milestone"
                        data-testid="milestone-kind"
                        on:change=move |ev| {
                            if let Ok(chosen) = event_target_value(&ev).parse() {
                                milestone.set(chosen);
                            }
                        }
                    >
                        {Milestone::ALL.iter().map(|each| view! {
                            <option value=each.as_str() selected=move || milestone.get() == *each>{each.as_str()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button" data-testid="milestone-submit" disabled=move || busy.get()>
                    "Record milestone"
                </button>
            </form>
            <FieldError id="update-error" errors=errors field="" />
            {move || done.get().map(|text| view! { <p class="notice" role="status" data-testid="update-done">{text}</p> })}
        </section>
    }
}
