//! The wall screen's side of pairing and the console: finds out whether
//! this browser is a paired screen (its heartbeat answers), asks for a code
//! and polls for it to be typed when it is not, follows its channel once it
//! is, and sends a heartbeat every few seconds. [`ScreenCover`] draws what
//! covers the rotation: the safe slide, a hold slide or the code.

use leptos::prelude::*;

use crate::display::link::{spaced, Cover, Link};
use crate::ui::clock::use_clock;

/// Seconds between heartbeats of a paired screen.
pub const HEARTBEAT_SECONDS: u64 = 5;
/// Seconds between polls while a code waits to be typed.
pub const POLL_SECONDS: u64 = 2;

/// Starts the screen's link. `pairing`: whether this display offers a code
/// when it is not paired; `panel`: what it shows now (for the heartbeat).
pub fn start_link(pairing: bool, panel: Signal<&'static str>) -> RwSignal<Link> {
    let link = RwSignal::new(Link::Unknown);
    #[cfg(target_arch = "wasm32")]
    run(link, pairing, panel);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (pairing, panel);
    link
}

#[cfg(target_arch = "wasm32")]
fn run(link: RwSignal<Link>, pairing: bool, panel: Signal<&'static str>) {
    use crate::api::{self, ApiError, ChannelMessage, EventStream};
    use crate::live::use_live;
    use watchfloor_model::screens::Heartbeat;

    let live = use_live();
    let channel = StoredValue::new_local(None::<EventStream>);
    let claim = StoredValue::new_local(None::<String>);
    let busy = StoredValue::new_local(false);
    let version = document()
        .document_element()
        .map(|root| crate::display::deploy::asset_names(&root.outer_html()))
        .unwrap_or_default()
        .into_iter()
        .find(|name| name.ends_with(".wasm"))
        .unwrap_or_default();
    let version = StoredValue::new_local(version);

    let open_channel = move || {
        if channel.with_value(Option::is_some) {
            return;
        }
        let opened = api::open_channel(move |message| match message {
            ChannelMessage::Directive(directive) => link.set(Link::Paired(directive)),
            ChannelMessage::Unpaired => {
                channel.set_value(None);
                link.set(Link::Unpaired { code: None });
            }
        });
        if let Ok(stream) = opened {
            channel.set_value(Some(stream));
        }
    };
    let beat = move || {
        if busy.get_value() {
            return;
        }
        busy.set_value(true);
        leptos::task::spawn_local(async move {
            let window = window();
            let size = |value: Result<wasm_bindgen::JsValue, _>| {
                value.ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32
            };
            let data_age_s = live.connection().stale_since().map(|since| {
                (crate::ui::clock::system_now() - since)
                    .num_seconds()
                    .max(0) as u64
            });
            let heartbeat = Heartbeat {
                panel: panel.get_untracked().to_string(),
                width: size(window.inner_width()),
                height: size(window.inner_height()),
                version: version.get_value(),
                data_age_s,
            };
            match api::heartbeat(&heartbeat).await {
                Ok(directive) => {
                    if link.with_untracked(|link| link.directive() != Some(&directive)) {
                        link.set(Link::Paired(directive));
                    }
                    open_channel();
                }
                Err(ApiError::Server {
                    status: 401 | 403 | 404,
                    ..
                }) => {
                    channel.set_value(None);
                    if !matches!(link.get_untracked(), Link::Unpaired { .. }) {
                        link.set(Link::Unpaired { code: None });
                    }
                }
                Err(_) => {}
            }
            busy.set_value(false);
        });
    };
    let pair = move || {
        if busy.get_value() {
            return;
        }
        busy.set_value(true);
        leptos::task::spawn_local(async move {
            match claim.get_value() {
                None => {
                    if let Ok(pairing) = api::pairing_create().await {
                        claim.set_value(Some(pairing.claim));
                        link.set(Link::Unpaired {
                            code: Some(pairing.code),
                        });
                    }
                    busy.set_value(false);
                }
                Some(secret) => {
                    let answer = api::pairing_claim(&secret).await;
                    busy.set_value(false);
                    match answer {
                        Ok(state) if state.state == "paired" => {
                            claim.set_value(None);
                            beat();
                        }
                        Ok(_) => {}
                        Err(ApiError::Server { status: 404, .. }) => {
                            claim.set_value(None);
                            link.set(Link::Unpaired { code: None });
                        }
                        Err(_) => {}
                    }
                }
            }
        });
    };
    beat();
    let ticks = StoredValue::new_local(0u64);
    let tick = move || {
        let count = ticks.get_value() + 1;
        ticks.set_value(count);
        match link.get_untracked() {
            Link::Paired(_) if count % (HEARTBEAT_SECONDS / POLL_SECONDS).max(1) == 0 => beat(),
            Link::Unpaired { .. } if pairing => pair(),
            _ => {}
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(POLL_SECONDS))
    {
        on_cleanup(move || handle.clear());
    }
    on_cleanup(move || channel.set_value(None));
}

/// What covers the rotation: the safe slide, a hold slide, or the code.
#[component]
pub fn ScreenCover(link: RwSignal<Link>, pairing: bool) -> impl IntoView {
    let clock = use_clock();
    let cover = Memo::new(move |_| {
        let now = clock.now();
        link.with(|link| link.cover(now, pairing))
    });
    move || {
        cover.get().map(|cover| match cover {
            Cover::Safe => view! {
                <div class="display-cover display-safe" data-testid="display-safe">
                    <p class="display-safe-mark" aria-hidden="true">"◭"</p>
                    <p class="display-safe-name">"Watchfloor"</p>
                </div>
            }
            .into_any(),
            Cover::Slide(slide) => view! {
                <div class="display-cover display-slide" data-testid="display-slide" role="status">
                    <h1 class="display-slide-title" data-testid="display-slide-title">{slide.title}</h1>
                    {(!slide.text.is_empty()).then(|| view! {
                        <p class="display-slide-text">{slide.text}</p>
                    })}
                </div>
            }
            .into_any(),
            Cover::Code(code) => view! {
                <div class="display-cover display-pairing" data-testid="display-pairing">
                    <p class="display-pairing-lead">"Pair this screen"</p>
                    <p class="display-pair-code" data-testid="display-pair-code" data-code=code.clone()>
                        {spaced(&code)}
                    </p>
                    <p class="display-pairing-how">
                        "In Watchfloor, open Control → Screens and type this code."
                    </p>
                </div>
            }
            .into_any(),
        })
    }
}
