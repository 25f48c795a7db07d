//! The incident details: restricted detail only when present, its own
//! timeline, and server text shown as text.

use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::incidents::IncidentDetails;

use crate::support::{all, at, mount, one, settle, text, Script};

#[wasm_bindgen_test]
async fn details_show_detail_only_when_present_and_the_timeline() {
    let mut script = Script::new();
    script.apply(10, json!({"type": "incident_opened", "id": "CC-7", "title": "<script>alert(1)</script>",
        "category": "mobile_app_espionage", "severity": "high", "nations": ["EST", "LVA"],
        "summary": "An app leaks locations.", "detail": "Implant hash 0xdeadbeef", "visibility": "public"}));
    script.apply(
        20,
        json!({"type": "nation_response", "id": "CC-7", "code": "EST", "milestone": "detected"}),
    );
    script.apply(40, json!({"type": "incident_updated", "id": "CC-7", "status": "analysing", "note": "Reverse engineering"}));
    let incident = script.state.incident("CC-7").expect("incident").clone();
    let mut public = incident.clone();
    public.detail = None;

    let root = mount(
        None,
        at(60),
        move || view! { <IncidentDetails incident=incident /> },
    );
    settle().await;
    assert_eq!(
        text(&one(&root, "incident-title")),
        "<script>alert(1)</script>"
    );
    assert!(root.query_selector("script").expect("selector").is_none());
    assert!(text(&one(&root, "incident-detail")).contains("0xdeadbeef"));
    let entries = all(&root, "incident-timeline-entry");
    assert_eq!(entries.len(), 2);
    assert!(text(&entries[1]).contains("Reverse engineering"));
    assert!(
        text(&entries[1]).contains("+30 min"),
        "{}",
        text(&entries[1])
    );
    let responses = all(&root, "response-row");
    assert_eq!(responses.len(), 2, "one row per affected nation");
    assert!(text(&responses[0]).contains("+10 min"));

    let public_root = mount(
        None,
        at(60),
        move || view! { <IncidentDetails incident=public /> },
    );
    settle().await;
    assert!(
        all(&public_root, "incident-detail").is_empty(),
        "no restricted block without detail"
    );
}
