//! The scenario's MSEL as a table: planned time, what each entry does and
//! where it stands (following the live stream), with fire now and skip
//! (each asked twice), hold and resume, and what the player does next.

use leptos::prelude::*;
use watchfloor_model::script::{EntryState, ScriptView};

use crate::api::{self, ApiError, ScenarioAction};
use crate::control::msel::{self, Show};
use crate::live::use_live;
use crate::ui::clock::use_clock;
use crate::vocabulary::time::day_hm;

/// The MSEL panel: loads the script once; its states come from the live store.
#[component]
pub fn MselTable() -> impl IntoView {
    let planned = LocalResource::new(api::scenario);
    view! {
        <section class="card control-card control-wide" aria-labelledby="msel-heading" data-testid="msel">
            <h2 id="msel-heading">"Scenario (MSEL)"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the script…"</p> }>
                {move || planned.get().map(|answer| match answer {
                    Ok(view) => view! { <MselEntries view=std::sync::Arc::new(view) /> }.into_any(),
                    Err(ApiError::Server { status: 404, .. }) => view! {
                        <p class="empty" data-testid="msel-none">
                            "This server plays no scenario: injects are posted by hand."
                        </p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The MSEL of a loaded script: its next step, hold and resume, the
/// filtered and paged table with fire now and skip.
#[component]
pub fn MselEntries(view: std::sync::Arc<ScriptView>) -> impl IntoView {
    let live = use_live();
    let clock = use_clock();
    let show = RwSignal::new(Show::Upcoming);
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    let reason = RwSignal::new(String::new());
    let confirming = RwSignal::new(None::<ScenarioAction>);
    let act = Action::new_local(|action: &ScenarioAction| api::scenario_act(action.clone()));
    let message = move || match act.value().get() {
        Some(Err(error)) => Some(error.message()),
        _ => None,
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            reason.set(String::new());
        }
    });
    let run = move |action: ScenarioAction| {
        let needs_asking = matches!(action, ScenarioAction::Fire(_) | ScenarioAction::Skip(..));
        if needs_asking && confirming.get_untracked().as_ref() != Some(&action) {
            confirming.set(Some(action));
            return;
        }
        confirming.set(None);
        act.dispatch(action);
    };
    let len = view.entries.len() as u32;
    let rows = {
        let view = view.clone();
        Memo::new(move |_| {
            let (show, search) = (show.get(), search.get());
            live.script(|script| msel::filtered(&view, script, show, &search))
        })
    };
    let pages = move || rows.with(|rows| msel::page_count(rows.len()));
    let next_step = {
        let view = view.clone();
        move || {
            let now = clock.now();
            live.script(|script| msel::next_step(&view, script, now))
        }
    };
    let held = move || live.script(|script| script.held.is_some());
    let busy = act.pending();
    let shown = {
        let view = view.clone();
        move || {
            let current = page.get();
            rows.with(|rows| {
                msel::page_of(rows, current)
                    .iter()
                    .filter_map(|index| view.entries.get(*index as usize).cloned())
                    .collect::<Vec<_>>()
            })
        }
    };
    view! {
        <p class="msel-next" role="status" aria-live="polite" data-testid="msel-next">{next_step}</p>
        <div class="control-row">
            <label class="field">
                <span>"Reason for holding (optional)"</span>
                <input
                    type="text"
                    data-testid="msel-reason"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                />
            </label>
            {move || if held() {
                view! {
                    <button type="button" class="button button-primary" data-testid="msel-resume" disabled=move || busy.get()
                        on:click=move |_| run(ScenarioAction::Resume)>"Resume the player"</button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button" data-testid="msel-hold" disabled=move || busy.get()
                        on:click=move |_| {
                            let why = reason.get_untracked().trim().to_string();
                            run(ScenarioAction::Hold((!why.is_empty()).then_some(why)))
                        }>"Hold the player"</button>
                }.into_any()
            }}
        </div>
        {move || message().map(|text| view! { <p class="error" role="alert" data-testid="msel-error">{text}</p> })}
        {move || confirming.get().map(|action| {
            let what = match &action {
                ScenarioAction::Fire(index) => format!("Fire entry #{index} now? It cannot be taken back."),
                ScenarioAction::Skip(index, _) => format!("Skip entry #{index}? It will never play."),
                _ => String::new(),
            };
            view! {
                <p class="warning" role="alert" data-testid="msel-confirm">
                    {what}" "
                    <button type="button" class="button button-danger" data-testid="msel-confirm-yes"
                        on:click=move |_| run(action.clone())>"Yes"</button>
                    " "
                    <button type="button" class="button" on:click=move |_| confirming.set(None)>"Cancel"</button>
                </p>
            }
        })}
        <div class="control-row msel-filters">
            <label class="field">
                <span>"Show"</span>
                <select data-testid="msel-show" on:change=move |ev| {
                    show.set(Show::parse(&event_target_value(&ev)));
                    page.set(0);
                }>
                    {Show::ALL.into_iter().map(|each| view! {
                        <option value=each.as_str() selected=move || show.get() == each>{each.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Search"</span>
                <input type="search" data-testid="msel-search"
                    prop:value=move || search.get()
                    on:input=move |ev| { search.set(event_target_value(&ev)); page.set(0); } />
            </label>
            <span class="msel-count" data-testid="msel-count">
                {move || rows.with(|rows| crate::vocabulary::words::counted(rows.len(), "entry", "entries"))}
            </span>
        </div>
        <div class="table-scroll">
            <table class="msel-table">
                <caption class="visually-hidden">"Scenario entries, in planned order"</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Planned"</th>
                        <th scope="col">"Due (UTC)"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=shown key=|entry| entry.index let:entry>
                        {
                            let index = entry.index;
                            let state = move || live.script(|script| script.state_of(index, len));
                            let handled = move || live.script(|script| script.handled.get(&index).cloned());
                            let open = move || matches!(state(), EntryState::Next | EntryState::Upcoming);
                            view! {
                                <tr data-testid="msel-row" data-index=index data-state=move || format!("{:?}", state()).to_lowercase()>
                                    <td>{index}</td>
                                    <td>{format!("T+{}", entry.offset)}</td>
                                    <td><time datetime=entry.due.to_rfc3339()>{day_hm(entry.due)}</time></td>
                                    <td>{msel::describe(&entry.event)}</td>
                                    <td>
                                        <span class=move || format!("msel-state msel-{:?}", state()).to_lowercase()>{move || msel::state_label(state())}</span>
                                        {move || handled().map(|handled| {
                                            let who = handled.by.unwrap_or_else(|| "the player".into());
                                            let note = handled.note.map(|note| format!(": {note}")).unwrap_or_default();
                                            view! { <span class="msel-by">{format!(" by {who}{note}")}</span> }
                                        })}
                                    </td>
                                    <td>
                                        <div class="msel-actions">
                                        <Show when=open>
                                            <button type="button" class="button button-small" data-testid="msel-fire"
                                                aria-label=format!("Fire now: entry {index}")
                                                disabled=move || busy.get()
                                                on:click=move |_| run(ScenarioAction::Fire(index))>"Fire now"</button>
                                            <button type="button" class="button button-small" data-testid="msel-skip"
                                                aria-label=format!("Skip entry {index}")
                                                disabled=move || busy.get()
                                                on:click=move |_| run(ScenarioAction::Skip(index, None))>"Skip"</button>
                                        </Show>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="MSEL pages" data-testid="msel-pager">
            <button type="button" class="button" data-testid="msel-previous"
                disabled=move || page.get() == 0
                on:click=move |_| page.update(|page| *page = page.saturating_sub(1))>"Previous"</button>
            <span data-testid="msel-page">{move || format!("Page {} of {}", page.get().min(pages() - 1) + 1, pages())}</span>
            <button type="button" class="button" data-testid="msel-next-page"
                disabled=move || { page.get() + 1 >= pages() }
                on:click=move |_| page.update(|page| *page += 1)>"Next"</button>
        </nav>
    }
}
