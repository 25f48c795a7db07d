//! The display mode, `/display`: a full-screen, hands-off view of the
//! exercise for wall screens in lobbies and press rooms.
//!
//! # Layout
//!
//! - [`DisplayPage`] (here) sets the display up: its settings from the URL, a
//!   live store of its own that reads the public picture only, the rotation
//!   timer and the watch for new deployments. [`DisplayScreen`] draws it.
//! - One file per panel: [`status_panel`], [`nations_panel`],
//!   [`activity_panel`], [`about_panel`].
//! - Plain logic with native tests: [`settings`] (the URL), [`rotation`],
//!   [`burn_in`], [`tally`] (the activity figures), [`deploy`]. Its words
//!   (day, countdown, dates, stale and embargo notices) are the app's one
//!   [`vocabulary`](crate::vocabulary), shared with the dashboard.
//!
//! # What it promises
//!
//! - Only releasable information, whoever's browser it runs in: its store asks
//!   for `?audience=public` on the snapshot and the stream, so the server
//!   redacts before anything leaves it, even when the browser holds a
//!   commander's cookie. The activity panel also considers public incidents
//!   only and never reads `detail`.
//! - Nothing to click and nothing to hover: no buttons, no cursor, no
//!   tooltips; the rotation and the progress cue run on their own.
//! - Runs for days: the store's reconnect loop survives restarts and network
//!   drops while the last data stays up, with its age once it is stale; a new
//!   deployment is picked up by reloading; the content drifts a few pixels
//!   against burn-in; only one panel is in the DOM at a time and every list
//!   on it is bounded, so memory does not grow with the event count.

pub mod about_panel;
pub mod activity_panel;
pub mod burn_in;
pub mod deploy;
pub mod link;
pub mod nations_panel;
pub mod rotation;
pub mod screen_link;
pub mod settings;
pub mod status_panel;
pub mod tally;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use watchfloor_model::pages::Page;
use watchfloor_model::time::zulu_hm;

use crate::live::{provide_live, LiveOptions, LiveStore};
use crate::shell::EntryFallback;
use crate::ui::clock::{provide_clock, system_now, use_clock, Clock};
use crate::ui::query::{getter, use_query};
use crate::ui::StaleMarker;
use crate::vocabulary::time::{delay_notice, stale_notice};

use self::about_panel::AboutPanel;
use self::activity_panel::ActivityPanel;
use self::nations_panel::NationsPanel;
use self::rotation::indicator;
use self::settings::{DisplaySettings, Panel};
use self::status_panel::{display_name, StatusPanel};

/// How often the rotation, its progress cue and the burn-in shift move on.
#[cfg(target_arch = "wasm32")]
const TICK_MS: u64 = 500;

/// The display's entry (`display.html`, `src/bin/watchfloor-display.rs`):
/// built apart from the dashboard, so a wall screen downloads only what it
/// shows. No session and no theme switch: it reads the public picture.
#[component]
pub fn App() -> impl IntoView {
    crate::ui::theme::apply(crate::ui::theme::stored(), false);
    view! {
        <Router>
            <Routes fallback=|| view! { <EntryFallback own=Page::Display /> }>
                <Route path=path!("display") view=DisplayPage />
            </Routes>
        </Router>
    }
}

/// The `/display` route: reads its settings from the URL, follows the public
/// picture with a live store of its own, and draws [`DisplayScreen`].
#[component]
pub fn DisplayPage() -> impl IntoView {
    let query = use_query();
    let from_url =
        Memo::new(move |_| query.with(|pairs| DisplaySettings::from_query(&getter(pairs))));
    let pairing = query.with_untracked(|pairs| link::offers_pairing(pairs));
    // The store calibrates the clock from the snapshot, so the clock comes first.
    if use_context::<Clock>().is_none() {
        provide_clock();
    }
    provide_live(LiveOptions { public_only: true });
    let elapsed_ms = use_elapsed_ms();
    watch_for_new_deployment();
    // Filled in below, once the link exists: what the screen shows now.
    let showing = RwSignal::new("status");
    let screen = screen_link::start_link(pairing, showing.into());
    // Settings pushed from the console win over the URL's, which are the default.
    let settings =
        Memo::new(move |_| screen.with(|screen| from_url.with(|url| screen.settings(url))));
    Effect::new(move |_| {
        let now_panel = settings.with(|settings| {
            let index = settings.rotation(elapsed_ms.get()).index;
            settings.panels.get(index).copied().unwrap_or(Panel::Status)
        });
        let shown = match screen.with(|screen| screen.cover(system_now(), false)) {
            Some(link::Cover::Safe) => "safe",
            Some(link::Cover::Slide(_)) => "slide",
            _ => now_panel.as_str(),
        };
        if showing.get_untracked() != shown {
            showing.set(shown);
        }
    });
    view! {
        <DisplayScreen settings=settings elapsed_ms=elapsed_ms />
        <screen_link::ScreenCover link=screen pairing=pairing />
    }
}

/// The display itself: the rotating panels in a frame that says whose
/// information this is, how current it is, and what comes next.
///
/// Reads the [`LiveStore`] and the [`Clock`] from context, so component
/// tests can feed it a detached store, a fixed clock and their own time.
#[component]
pub fn DisplayScreen(
    /// Which panels, in which order, and for how long each.
    #[prop(into)]
    settings: Signal<DisplaySettings>,
    /// Milliseconds since the display started: drives the rotation and the drift.
    #[prop(into)]
    elapsed_ms: Signal<u64>,
) -> impl IntoView {
    let store = expect_context::<LiveStore>();
    let clock = use_clock();
    let rotation =
        Memo::new(move |_| settings.with(|settings| settings.rotation(elapsed_ms.get())));
    let step = Memo::new(move |_| rotation.get().step);
    let count = Memo::new(move |_| settings.with(|settings| settings.panels.len()));
    let panel_at = move |offset: usize| {
        settings.with(|settings| {
            let count = settings.panels.len().max(1);
            settings
                .panels
                .get((rotation.get().index + offset) % count)
                .copied()
                .unwrap_or(Panel::Status)
        })
    };
    let panel = Memo::new(move |_| panel_at(0));
    let next = Memo::new(move |_| panel_at(1));
    let ready = Memo::new(move |_| store.is_ready());
    let name = Memo::new(move |_| store.exercise(|exercise| display_name(&exercise.name)));
    let delay = Memo::new(move |_| store.incidents(|ledger| ledger.public_delay_s()));
    let stale = Memo::new(move |_| {
        let now = clock.now();
        ready.get() && stale_notice(store.connection().stale_since(), system_now(), now).is_some()
    });
    let shift = move || burn_in::style(burn_in::shift(elapsed_ms.get()));

    view! {
        <div
            class="display"
            data-testid="display"
            data-audience=move || store.audience().map(|audience| audience.as_str()).unwrap_or("none")
            data-current=move || panel.get().as_str()
            data-stale=move || stale.get().to_string()
            data-memory=move || {
                step.track();
                memory_bytes().to_string()
            }
        >
            <div class="display-frame" style=shift>
                <header class="display-top">
                    <div class="display-brand">
                        <span class="display-exercise-tag">"Exercise"</span>
                        <span class="display-brand-name">{move || name.get()}</span>
                    </div>
                    <div class="display-top-right">
                        <StaleMarker
                            connection=store.connection_signal()
                            has_data=ready
                            class="display-stale"
                        />
                        <span class="display-top-clock" data-testid="display-top-clock">
                            {move || zulu_hm(clock.now())}
                        </span>
                    </div>
                </header>
                <main class="display-stage">
                    {move || {
                        if !ready.get() {
                            return view! {
                                <div class="display-connecting" data-testid="display-connecting">
                                    <p>"Connecting to the exercise…"</p>
                                </div>
                            }
                                .into_any();
                        }
                        match panel.get() {
                            Panel::Status => view! { <StatusPanel /> }.into_any(),
                            Panel::Nations => view! { <NationsPanel /> }.into_any(),
                            Panel::Activity => view! { <ActivityPanel /> }.into_any(),
                            Panel::About => view! { <AboutPanel /> }.into_any(),
                        }
                    }}
                </main>
                <footer class="display-bottom">
                    <p class="display-public" data-testid="display-public">
                        <span>"Public information"</span>
                        {move || {
                            delay_notice(delay.get())
                                .map(|text| {
                                    view! {
                                        <span class="display-delay" data-testid="display-delay">
                                            {text}
                                        </span>
                                    }
                                })
                        }}
                    </p>
                    <div class="display-rotation" data-testid="display-indicator" data-single=move || (count.get() < 2).to_string()>
                        <ol class="display-rotation-panels">
                            {move || {
                                settings
                                    .get()
                                    .panels
                                    .into_iter()
                                    .map(|item| {
                                        view! {
                                            <li
                                                class="display-rotation-panel"
                                                class:current=move || panel.get() == item
                                                data-panel=item.as_str()
                                            >
                                                {item.title()}
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </ol>
                        <span class="display-rotation-count">
                            {move || indicator(rotation.with(|rotation| rotation.index), count.get())}
                        </span>
                    </div>
                </footer>
                {move || {
                    let step = step.get();
                    view! {
                        <div
                            class="display-progress"
                            data-testid="display-progress"
                            data-step=step
                            data-next=move || next.get().as_str()
                            data-single=move || (count.get() < 2).to_string()
                            data-progress=move || format!("{:.3}", rotation.get().progress)
                            aria-hidden="true"
                        >
                            <div
                                class="display-progress-fill"
                                style:transform=move || format!("scaleX({:.4})", rotation.get().progress)
                            ></div>
                        </div>
                    }
                }}
            </div>
        </div>
    }
}

/// The app's WebAssembly memory in bytes, refreshed at each panel change: a
/// screen that runs for days shows here whether its memory stays flat (the
/// soak test reads it; linear memory never shrinks, so it records the peak).
fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size::<0>() * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// Milliseconds since the display started, moving on every [`TICK_MS`]; the
/// timer stops with the display.
fn use_elapsed_ms() -> Signal<u64> {
    let elapsed = RwSignal::new(0u64);
    #[cfg(target_arch = "wasm32")]
    {
        let started = performance_now();
        let tick = move || elapsed.set((performance_now() - started).max(0.0) as u64);
        if let Ok(handle) =
            set_interval_with_handle(tick, std::time::Duration::from_millis(TICK_MS))
        {
            on_cleanup(move || handle.clear());
        }
    }
    elapsed.into()
}

/// A monotonic clock in milliseconds: wall-clock corrections (NTP, the
/// server's calibration) never make the rotation jump.
#[cfg(target_arch = "wasm32")]
fn performance_now() -> f64 {
    window()
        .performance()
        .map(|performance| performance.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Every few minutes, compares the app files the page was loaded with to
/// those `display.html` names now, and reloads when a new version is deployed.
fn watch_for_new_deployment() {
    #[cfg(target_arch = "wasm32")]
    {
        // Before the display's own content is mounted, the document holds
        // only Trunk's tags: the names of the files this page runs.
        let loaded = document()
            .document_element()
            .map(|root| deploy::asset_names(&root.outer_html()))
            .unwrap_or_default();
        let loaded = StoredValue::new_local(loaded);
        let check = move || {
            leptos::task::spawn_local(async move {
                let Ok(html) = crate::api::page_html(Page::Display).await else {
                    // Unreachable now: the live store already says so; try next time.
                    return;
                };
                let served = deploy::asset_names(&html);
                let reload = loaded
                    .try_update_value(|loaded| {
                        if loaded.is_empty() {
                            // Nothing to compare with: take this version as ours.
                            *loaded = served.clone();
                            return false;
                        }
                        deploy::is_new_deployment(loaded, &served)
                    })
                    .unwrap_or(false);
                if reload {
                    leptos::logging::log!(
                        "watchfloor display: a new version is deployed; reloading"
                    );
                    let _ = window().location().reload();
                }
            });
        };
        if let Ok(handle) = set_interval_with_handle(
            check,
            std::time::Duration::from_millis(deploy::CHECK_EVERY_MS),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
}
