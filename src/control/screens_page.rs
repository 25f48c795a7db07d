//! `/control/screens`: pair a screen by its code, the live fleet, and what
//! the screens show — panels and seconds, a hold slide, the safe slide.

use leptos::prelude::*;
use watchfloor_model::EventBody;

use crate::api;
use crate::control::fleet::{self, Target};
use crate::control::forms::FieldErrors;
use crate::control::{ControlGate, ControlTabs, FieldError, Post};
use crate::live::use_live;
use crate::ui::clock::use_clock;

/// How often the fleet view asks again (heartbeats are not in the stream).
const FLEET_REFRESH_MS: u64 = 2_000;

/// The screens console (control only).
#[component]
pub fn ScreensPage() -> impl IntoView {
    view! {
        <ControlGate>
            <ControlTabs />
            <div class="control-grid" data-testid="screens-console">
                <PairForm />
                <SafeSlidePanel />
                <FleetTable />
                <SettingsForm />
                <SlideForm />
            </div>
        </ControlGate>
    }
}

/// Posts one event from a screens form; `done` says it was sent.
fn poster(
    errors: RwSignal<FieldErrors>,
    done: RwSignal<Option<String>>,
    fields: &'static [&'static str],
) -> (Post, impl Fn(EventBody) + Copy) {
    let (post, send) = crate::control::poster(errors, fields, move |seqs| {
        done.set(Some(format!(
            "Sent (seq {}).",
            seqs.first().copied().unwrap_or(0)
        )))
    });
    (post, move |body| {
        done.set(None);
        send(body)
    })
}

/// Which screens a push goes to: every screen, or the ticked ones.
#[component]
fn TargetSelect(target: RwSignal<Target>, name: &'static str) -> impl IntoView {
    let live = use_live();
    let screens = move || {
        live.screens(|screens| {
            screens
                .screens
                .iter()
                .map(|(id, screen)| (*id, screen.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <fieldset class="nation-picker" data-testid=format!("{name}-target")>
            <legend>"Screens"</legend>
            <div class="nation-options">
                <label class="option">
                    <input type="checkbox" data-testid=format!("{name}-target-all")
                        prop:checked=move || target.with(Target::is_all)
                        on:change=move |_| target.set(Target::all()) />
                    <span>"All screens"</span>
                </label>
                {move || screens().into_iter().map(|(id, label)| view! {
                    <label class="option">
                        <input type="checkbox" data-testid=format!("{name}-target-{id}")
                            prop:checked=move || target.with(|target| target.contains(id))
                            on:change=move |_| target.update(|target| target.toggle(id)) />
                        <span>{label}</span>
                    </label>
                }).collect_view()}
            </div>
        </fieldset>
    }
}

#[component]
fn PairForm() -> impl IntoView {
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let done = RwSignal::new(None::<String>);
    let pair = Action::new_local(|(code, name): &(String, String)| {
        let (code, name) = (code.clone(), name.clone());
        async move { api::screen_pair(&code, &name).await.map(|_| name) }
    });
    Effect::new(move |_| match pair.value().get() {
        Some(Ok(paired)) => {
            code.set(String::new());
            name.set(String::new());
            errors.set(FieldErrors::default());
            done.set(Some(format!("Paired “{paired}”.")));
        }
        Some(Err(error)) => {
            let errors_now = match &error {
                api::ApiError::Server { status: 404, .. } => {
                    FieldErrors::one("code", error.message())
                }
                _ => FieldErrors::from_api(&error, &["code", "name"]),
            };
            errors.set(errors_now);
        }
        None => {}
    });
    let busy = pair.pending();
    view! {
        <section class="card control-card" aria-labelledby="pair-heading" data-testid="pair-form">
            <h2 id="pair-heading">"Pair a screen"</h2>
            <p class="muted">"Open /display on the screen: it shows a six-character code. Type it here and name the screen."</p>
            <form class="control-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                done.set(None);
                pair.dispatch((code.get_untracked(), name.get_untracked()));
            }>
                <label class="field">
                    <span>"Code on the screen"</span>
                    <input type="text" name="code" autocomplete="off" maxlength="12" data-testid="pair-code"
                        aria-describedby="pair-code-error"
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                    <FieldError id="pair-code-error" errors=errors field="code" />
                </label>
                <label class="field">
                    <span>"Name (e.g. Lobby 1, Press room)"</span>
                    <input type="text" name="name" maxlength="200" data-testid="pair-name"
                        aria-describedby="pair-name-error"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <FieldError id="pair-name-error" errors=errors field="name" />
                </label>
                <div class="control-actions">
                    <button type="submit" class="button button-primary" data-testid="pair-submit" disabled=move || busy.get()>"Pair"</button>
                </div>
                <FieldError id="pair-error" errors=errors field="" />
                {move || done.get().map(|text| view! { <p class="notice" role="status" data-testid="pair-done">{text}</p> })}
            </form>
        </section>
    }
}

#[component]
fn SafeSlidePanel() -> impl IntoView {
    let live = use_live();
    let errors = RwSignal::new(FieldErrors::default());
    let done = RwSignal::new(None::<String>);
    let (post, send) = poster(errors, done, &[]);
    let on = move || live.screens(|screens| screens.safe.is_some());
    let busy = post.pending();
    view! {
        <section class="card control-card" aria-labelledby="safe-heading" data-testid="safe-panel">
            <h2 id="safe-heading">"Safe slide"</h2>
            <p class="muted">"Puts every screen on a neutral slide at once, for the moment something on a screen must not be seen."</p>
            {move || if on() {
                view! {
                    <p class="warning" role="status" data-testid="safe-on">"Every screen shows the safe slide."</p>
                    <button type="button" class="button button-primary" data-testid="safe-off" disabled=move || busy.get()
                        on:click=move |_| send(fleet::safe_event(false))>"End the safe slide"</button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button button-danger button-large" data-testid="safe-on-button" disabled=move || busy.get()
                        on:click=move |_| send(fleet::safe_event(true))>"Safe slide on every screen"</button>
                }.into_any()
            }}
            <FieldError id="safe-error" errors=errors field="" />
        </section>
    }
}

#[component]
fn FleetTable() -> impl IntoView {
    let clock = use_clock();
    let fleet = LocalResource::new(api::screens);
    let live = use_live();
    // Heartbeats are not in the stream: ask again now and then, and at once
    // when the screens change in the log.
    #[cfg(target_arch = "wasm32")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || fleet.refetch(),
            std::time::Duration::from_millis(FLEET_REFRESH_MS),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = FLEET_REFRESH_MS;
    Effect::new(move |previous: Option<()>| {
        live.screens(|_| ());
        if previous.is_some() {
            fleet.refetch();
        }
    });
    let confirming = RwSignal::new(None::<u32>);
    let unpair = Action::new_local(|id: &u32| api::screen_unpair(*id));
    Effect::new(move |_| {
        if unpair.value().get().is_some() {
            fleet.refetch();
        }
    });
    let rows = move || {
        fleet
            .get()
            .and_then(Result::ok)
            .map(|fleet| fleet.screens)
            .unwrap_or_default()
    };
    view! {
        <section class="card control-card control-wide" aria-labelledby="fleet-heading" data-testid="fleet">
            <h2 id="fleet-heading">"Screens"</h2>
            {move || fleet.get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.message()}</p> })}
            {move || unpair.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.message()}</p> })}
            <Show when=move || !rows().is_empty() fallback=|| view! { <p class="empty" data-testid="fleet-empty">"No screen is paired yet."</p> }>
                <div class="table-scroll">
                    <table class="msel-table fleet-table">
                        <caption class="visually-hidden">"Paired screens"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Showing"</th>
                                <th scope="col">"Resolution"</th>
                                <th scope="col">"App"</th>
                                <th scope="col">"Data"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=rows key=|screen| (screen.screen, screen.last_seen, screen.directive.safe, screen.heartbeat.as_ref().map(|b| b.panel.clone())) let:screen>
                                {
                                    let id = screen.screen;
                                    let presence = fleet::presence(&screen, clock.now_untracked());
                                    let version = screen.heartbeat.as_ref().map(|beat| beat.version.clone()).unwrap_or_else(|| "—".into());
                                    view! {
                                        <tr data-testid="fleet-row" data-screen=id data-online=screen.online.to_string()>
                                            <td>{screen.name.clone()}</td>
                                            <td class:online=screen.online>{presence}</td>
                                            <td data-testid="fleet-showing">{fleet::showing(&screen)}</td>
                                            <td>{fleet::resolution(&screen)}</td>
                                            <td class="fleet-version">{version}</td>
                                            <td>{fleet::data_age(&screen)}</td>
                                            <td>
                                                <div class="msel-actions">
                                                    {move || if confirming.get() == Some(id) {
                                                        view! {
                                                            <button type="button" class="button button-small button-danger" data-testid="fleet-unpair-yes"
                                                                on:click=move |_| { confirming.set(None); unpair.dispatch(id); }>"Unpair it"</button>
                                                            <button type="button" class="button button-small" on:click=move |_| confirming.set(None)>"Cancel"</button>
                                                        }.into_any()
                                                    } else {
                                                        view! {
                                                            <button type="button" class="button button-small" data-testid="fleet-unpair"
                                                                aria-label=format!("Unpair screen {id}")
                                                                on:click=move |_| confirming.set(Some(id))>"Unpair"</button>
                                                        }.into_any()
                                                    }}
                                                </div>
                                            </td>
                                        </tr>
                                    }
                                }
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn SettingsForm() -> impl IntoView {
    let target = RwSignal::new(Target::all());
    let panels = RwSignal::new(String::from("status:20,nations:20,activity:20,about:20"));
    let seconds = RwSignal::new(String::from("20"));
    let errors = RwSignal::new(FieldErrors::default());
    let done = RwSignal::new(None::<String>);
    let (post, send) = poster(errors, done, &["screens", "query"]);
    let query = move || fleet::settings_query(&panels.get(), &seconds.get());
    let busy = post.pending();
    view! {
        <section class="card control-card" aria-labelledby="settings-heading" data-testid="screen-settings">
            <h2 id="settings-heading">"Panels and seconds"</h2>
            <form class="control-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                send(fleet::settings_event(&target.get_untracked(), query()));
            }>
                <TargetSelect target=target name="settings" />
                <label class="field">
                    <span>"Panels, each with its seconds (status, nations, activity, about)"</span>
                    <input type="text" data-testid="settings-panels" aria-describedby="settings-preview"
                        prop:value=move || panels.get() on:input=move |ev| panels.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"Seconds for a panel without its own"</span>
                    <input type="text" inputmode="numeric" data-testid="settings-seconds"
                        prop:value=move || seconds.get() on:input=move |ev| seconds.set(event_target_value(&ev)) />
                </label>
                <p id="settings-preview" class="muted" data-testid="settings-preview">{move || fleet::preview(query().as_deref())}</p>
                <div class="control-actions">
                    <button type="submit" class="button button-primary" data-testid="settings-submit" disabled=move || busy.get()>"Send to the screens"</button>
                    <button type="button" class="button" data-testid="settings-reset" disabled=move || busy.get()
                        on:click=move |_| send(fleet::settings_event(&target.get_untracked(), None))>"Back to their own URL"</button>
                </div>
                <FieldError id="settings-error" errors=errors field="" />
                <FieldError id="settings-query-error" errors=errors field="query" />
                <FieldError id="settings-screens-error" errors=errors field="screens" />
                {move || done.get().map(|text| view! { <p class="notice" role="status" data-testid="settings-done">{text}</p> })}
            </form>
        </section>
    }
}

#[component]
fn SlideForm() -> impl IntoView {
    let target = RwSignal::new(Target::all());
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let seconds = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let done = RwSignal::new(None::<String>);
    let (post, send) = poster(errors, done, &["screens", "title", "text", "seconds"]);
    let busy = post.pending();
    view! {
        <section class="card control-card" aria-labelledby="slide-heading" data-testid="slide-form">
            <h2 id="slide-heading">"Hold slide"</h2>
            <form class="control-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                match fleet::slide_event(&target.get_untracked(), &title.get_untracked(), &text.get_untracked(), &seconds.get_untracked()) {
                    Ok(body) => send(body),
                    Err(refusal) => errors.set(refusal),
                }
            }>
                <TargetSelect target=target name="slide" />
                <label class="field">
                    <span>"Title"</span>
                    <input type="text" maxlength="200" data-testid="slide-title" aria-describedby="slide-title-error"
                        placeholder="Press briefing 1400Z"
                        prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                    <FieldError id="slide-title-error" errors=errors field="title" />
                </label>
                <label class="field">
                    <span>"A line or two (optional)"</span>
                    <input type="text" maxlength="1000" data-testid="slide-text" placeholder="Room B"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"Seconds on screen (empty: until cleared)"</span>
                    <input type="text" inputmode="numeric" data-testid="slide-seconds" aria-describedby="slide-seconds-error"
                        prop:value=move || seconds.get() on:input=move |ev| seconds.set(event_target_value(&ev)) />
                    <FieldError id="slide-seconds-error" errors=errors field="seconds" />
                </label>
                <div class="control-actions">
                    <button type="submit" class="button button-primary" data-testid="slide-submit" disabled=move || busy.get()>"Show the slide"</button>
                    <button type="button" class="button" data-testid="slide-clear" disabled=move || busy.get()
                        on:click=move |_| send(fleet::clear_event(&target.get_untracked()))>"Clear"</button>
                </div>
                <FieldError id="slide-error" errors=errors field="" />
                <FieldError id="slide-screens-error" errors=errors field="screens" />
                {move || done.get().map(|text| view! { <p class="notice" role="status" data-testid="slide-done">{text}</p> })}
            </form>
        </section>
    }
}
