//! The connection indicator and the stale-data marker, driven through their states.

use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::live::reconnect::Connection;
use watchfloor::ui::clock::system_now;
use watchfloor::ui::{ConnectionIndicator, StaleMarker};
use watchfloor_model::time::zulu_hm;

use crate::support::{all, at, mount, one, settle, text};

#[wasm_bindgen_test]
async fn the_indicator_goes_live_reconnecting_offline() {
    let state = RwSignal::new(Connection::Live);
    // The clock reads 14:33Z; the connection was lost two and a half minutes
    // ago (the reconnect loop keeps time by the platform's clock), so at 14:30Z.
    let lost = system_now() - chrono::Duration::seconds(150);
    let root = mount(None, at(6 * 60 + 33), move || {
        view! {
            <ConnectionIndicator connection=state />
            <StaleMarker connection=state />
        }
    });
    settle().await;
    let indicator = one(&root, "connection-status");
    assert_eq!(
        indicator.get_attribute("data-state").as_deref(),
        Some("live")
    );
    assert_eq!(text(&indicator).trim_start_matches('●').trim(), "live");
    assert!(
        all(&root, "stale-marker").is_empty(),
        "live data is not stale"
    );

    state.set(Connection::Reconnecting { since: lost });
    settle().await;
    assert_eq!(
        indicator.get_attribute("data-state").as_deref(),
        Some("reconnecting")
    );
    assert!(text(&indicator).ends_with("reconnecting"));
    assert!(text(&one(&root, "stale-marker")).contains("2 min old"));

    state.set(Connection::Offline { since: lost });
    settle().await;
    assert_eq!(
        indicator.get_attribute("data-state").as_deref(),
        Some("offline")
    );
    assert!(
        text(&indicator).ends_with(&format!("offline since {}", zulu_hm(lost))),
        "{}",
        text(&indicator)
    );
    let marker = text(&one(&root, "stale-marker"));
    assert!(marker.contains("Data as of 14:30Z"), "{marker}");

    state.set(Connection::Live);
    settle().await;
    assert!(all(&root, "stale-marker").is_empty());
}
