//! Example-based tests of redaction and the snapshot, for what the
//! properties do not pin down.

use serde_json::json;
use watchfloor_model::redact::{self, Audience};
use watchfloor_model::types::Visibility;
use watchfloor_model::{Event, EventBody, Snapshot, State};

use crate::sequences::base;

fn fold(bodies: &[serde_json::Value]) -> (State, Vec<Event>) {
    let mut state = State::default();
    let mut events = Vec::new();
    for (index, body) in bodies.iter().enumerate() {
        let body: EventBody = serde_json::from_value(body.clone()).expect("event json");
        let event = Event {
            by: None,
            entry: None,
            seq: index as u64 + 1,
            at: base() + chrono::Duration::minutes(index as i64),
            body,
        };
        state.apply(&event).expect("valid event");
        events.push(event);
    }
    (state, events)
}

fn setup() -> Vec<serde_json::Value> {
    vec![
        json!({"type": "exercise_updated", "name": "Cyber Coalition"}),
        json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"}),
        json!({"type": "incident_opened", "id": "PUB", "title": "Public", "category": "ddos",
               "severity": "low", "nations": ["EST"], "summary": "press", "detail": "secret detail",
               "visibility": "public"}),
        json!({"type": "incident_opened", "id": "RES", "title": "Restricted", "category": "ddos",
               "severity": "high", "nations": ["EST"], "detail": "secret"}),
    ]
}

#[test]
fn a_public_snapshot_has_no_detail_field_and_no_restricted_incident() {
    let (state, _) = fold(&setup());
    let snapshot = Snapshot::new(&state.redacted(Audience::Public), Audience::Public, base());
    let json = serde_json::to_value(&snapshot).unwrap();
    let incidents = json["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["id"], "PUB");
    assert!(incidents[0].get("detail").is_none(), "{json}");
    let full = Snapshot::new(&state, Audience::Commander, base());
    assert_eq!(full.incidents.len(), 2);
    assert_eq!(full.incidents[0].detail.as_deref(), Some("secret detail"));
}

#[test]
fn unlabelled_incidents_and_their_events_are_restricted() {
    let (state, events) = fold(&setup());
    let opened = &events[3];
    assert_eq!(
        state.incident("RES").unwrap().visibility,
        Visibility::Restricted
    );
    let update: EventBody = serde_json::from_value(
        json!({"type": "incident_updated", "id": "RES", "status": "analysing"}),
    )
    .unwrap();
    assert_eq!(state.visibility_of(&update), Visibility::Restricted);
    let response: EventBody = serde_json::from_value(
        json!({"type": "nation_response", "id": "RES", "code": "EST", "milestone": "detected"}),
    )
    .unwrap();
    assert_eq!(state.visibility_of(&response), Visibility::Restricted);
    assert_eq!(
        redact::event(opened, Visibility::Restricted, Audience::Public),
        None
    );
    // An update naming an incident that does not exist is restricted too.
    let unknown: EventBody =
        serde_json::from_value(json!({"type": "incident_updated", "id": "NOPE", "note": "x"}))
            .unwrap();
    assert_eq!(state.visibility_of(&unknown), Visibility::Restricted);
}

#[test]
fn a_detail_only_update_leaves_no_public_trace() {
    let mut bodies = setup();
    bodies.push(json!({"type": "incident_updated", "id": "PUB", "detail": "more secret"}));
    let (state, events) = fold(&bodies);
    let update = events.last().unwrap();
    assert_eq!(
        redact::event(update, Visibility::Public, Audience::Public),
        None
    );
    let incident = state.incident("PUB").unwrap();
    assert_eq!(incident.detail.as_deref(), Some("more secret"));
    assert_eq!(
        incident.updated_at, events[2].at,
        "updated_at is public: unchanged"
    );
    assert_eq!(incident.timeline.len(), 1);
}

#[test]
fn a_public_update_keeps_everything_but_its_detail() {
    let mut bodies = setup();
    bodies.push(
        json!({"type": "incident_updated", "id": "PUB", "status": "analysing",
                       "note": "on it", "detail": "more secret"}),
    );
    let (_, events) = fold(&bodies);
    let redacted =
        redact::event(events.last().unwrap(), Visibility::Public, Audience::Public).unwrap();
    let EventBody::IncidentUpdated(update) = &redacted.body else {
        panic!("{redacted:?}")
    };
    assert_eq!(update.detail, None);
    assert_eq!(update.note.as_deref(), Some("on it"));
    assert_eq!(
        redacted.seq,
        events.last().unwrap().seq,
        "seq and time are kept"
    );
    assert!(!serde_json::to_string(&redacted).unwrap().contains("secret"));
}

#[test]
fn nation_and_exercise_events_are_public_and_unchanged() {
    let (state, events) = fold(&setup());
    for event in &events[..2] {
        let visibility = State::default().visibility_of(&event.body);
        assert_eq!(visibility, Visibility::Public);
        assert_eq!(
            redact::event(event, visibility, Audience::Public).as_ref(),
            Some(event)
        );
    }
    assert_eq!(state.redacted(Audience::Public).nations, state.nations);
    assert_eq!(state.redacted(Audience::Public).exercise, state.exercise);
}

#[test]
fn a_scenario_entry_with_an_unknown_field_is_refused() {
    use watchfloor_model::scenario::Scenario;
    // A misspelt field must not be dropped silently from a script.
    let text = r#"{"name": "t", "duration": "1d", "entries": [
        {"at": "1h", "type": "incident_updated", "id": "A", "severty": "high"}
    ]}"#;
    let problem = Scenario::parse(text).expect_err("unknown field");
    assert!(problem.message.contains("severty"), "{problem}");
}

#[test]
fn scenario_entries_round_trip_through_json() {
    use watchfloor_model::scenario::{Entry, Scenario};
    let body: EventBody = serde_json::from_value(json!({
        "type": "incident_opened", "id": "CC26-0001", "title": "t", "category": "ddos",
        "severity": "low", "nations": [], "visibility": "public",
        "inject": {"id": "INJ-0001"}
    }))
    .unwrap();
    let scenario = Scenario {
        name: "t".into(),
        duration: "1d".into(),
        start_at: None,
        entries: vec![Entry {
            at: "2h30m".into(),
            event: body,
        }],
    };
    let text = serde_json::to_string(&scenario).unwrap();
    assert!(
        text.contains(r#"{"at":"2h30m","type":"incident_opened""#),
        "{text}"
    );
    assert_eq!(Scenario::parse(&text).unwrap(), scenario);
    assert!(scenario.check().is_empty(), "{:?}", scenario.check());
}
