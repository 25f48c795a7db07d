//! Every read of every state the validator lets in succeeds: no event a
//! client can post makes a later snapshot, exercise view, day count,
//! countdown or response time panic (once, one accepted event with a huge
//! speed made every `/api/v1/snapshot` drop its connection).
//!
//! The sequences here aim at the edges rather than at realism: times
//! anywhere from before the validator's first year to after its last, `at`
//! going backwards and forwards by decades, the extreme speeds, pauses
//! decades long, and response milestones far from their inject's plan.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use watchfloor_model::event::*;
use watchfloor_model::limits::{MAX_SPEED, MIN_SPEED};
use watchfloor_model::redact::Audience;
use watchfloor_model::time::{clock_max, clock_min};
use watchfloor_model::types::*;
use watchfloor_model::{Event, IncidentFilter, Snapshot, State};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// 1998-01-01, a little before the first year the validator accepts.
const EARLY: i64 = 883_612_800;
/// 2102-01-01, a little after the last.
const LATE: i64 = 4_165_516_800;

fn time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("a time in range")
}

/// A time anywhere around the validator's range, its edges more often.
fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        6 => (EARLY..LATE).prop_map(time),
        1 => select(&[
            "2000-01-01T00:00:00Z",
            "2000-01-02T00:00:00Z",
            "2100-12-31T23:59:59Z",
            "1999-12-31T23:59:59Z",
            "2101-01-01T00:00:00Z",
            "2026-11-23T08:00:00Z",
        ][..])
        .prop_map(|text| text.parse::<DateTime<Utc>>().expect("a time")),
    ]
}

fn any_speed() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => select(&[
            MIN_SPEED,
            MAX_SPEED,
            1.0,
            60.0,
            100_000.0,
            f64::MAX,
            1e-9,
            0.0,
            -1.0,
        ][..]),
        1 => MIN_SPEED..MAX_SPEED,
    ]
}

const CODES: &[&str] = &["EST", "FIN", "LVA"];
const IDS: &[&str] = &["A-1", "A-2", "A-3"];

fn body() -> impl Strategy<Value = EventBody> {
    let exercise = (
        prop::option::of(any_time()),
        prop::option::of(any_time()),
        prop::option::of(any_speed()),
    )
        .prop_map(|(startex, endex, speed)| {
            EventBody::ExerciseUpdated(ExerciseUpdated {
                name: Some("Edge".into()),
                startex,
                endex,
                speed,
                ..ExerciseUpdated::default()
            })
        });
    let phase = select(Phase::ALL).prop_map(|phase| {
        EventBody::PhaseChanged(PhaseChanged {
            phase,
            reason: None,
        })
    });
    let join = select(CODES).prop_map(|code| {
        EventBody::NationJoined(NationJoined {
            code: code.into(),
            name: code.into(),
            kind: NationKind::Ally,
            participants: u32::MAX,
            teams: 1,
        })
    });
    let open = (
        select(IDS),
        select(Visibility::ALL),
        select(IncidentStatus::ALL),
        prop::collection::vec(select(CODES), 0..3),
        prop::option::of(prop::option::of(any_time())),
    )
        .prop_map(|(id, visibility, status, mut nations, planned)| {
            nations.dedup();
            EventBody::IncidentOpened(IncidentOpened {
                id: id.into(),
                title: "t".into(),
                category: "ddos".into(),
                severity: Severity::High,
                status,
                nations: nations.into_iter().map(String::from).collect(),
                team: None,
                summary: String::new(),
                detail: None,
                visibility,
                inject: planned.map(|planned_at| Inject {
                    id: "INJ-1".into(),
                    planned_at,
                }),
            })
        });
    let update = (select(IDS), select(IncidentStatus::ALL)).prop_map(|(id, status)| {
        EventBody::IncidentUpdated(IncidentUpdated {
            id: id.into(),
            status: Some(status),
            ..IncidentUpdated::default()
        })
    });
    let response =
        (select(IDS), select(CODES), select(Milestone::ALL)).prop_map(|(id, code, milestone)| {
            EventBody::NationResponse(NationResponseRecorded {
                id: id.into(),
                code: code.into(),
                milestone,
            })
        });
    prop_oneof![
        3 => exercise,
        3 => phase,
        2 => join,
        2 => open,
        2 => update,
        3 => response,
    ]
}

/// Events with their `at`: the first names the exercise, so most later ones
/// are possible.
fn events() -> impl Strategy<Value = Vec<(EventBody, DateTime<Utc>)>> {
    prop::collection::vec((body(), any_time()), 1..40)
}

/// Every read the server and the app make of a state, at `now`.
fn read_everything(state: &State, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let exercise = &state.exercise;
    let view = exercise.view(now);
    prop_assert_eq!(view.days, exercise.days());
    prop_assert_eq!(view.day, exercise.day(now));
    if let Some(clock) = exercise.exercise_time(now) {
        prop_assert!(clock >= clock_min() && clock <= clock_max(), "{}", clock);
    }
    if let Some(left) = exercise.endex_in(now) {
        prop_assert!(left >= Duration::zero());
    }
    let _ = exercise.paused_total(now);
    for audience in [Audience::Public, Audience::Commander, Audience::Control] {
        let redacted = state.redacted(audience);
        let snapshot = Snapshot::new(&redacted, audience, now);
        let text = serde_json::to_string(&snapshot).expect("a snapshot serialises");
        // What the app does with it (for a `now` a server's clock can have).
        if (2000..=2100).contains(&chrono::Datelike::year(&now)) {
            let back: Snapshot = serde_json::from_str(&text).expect("a snapshot parses back");
            // (serde_json's float parsing may move the speed's last digit.)
            prop_assert_eq!(back.exercise.exercise_time, snapshot.exercise.exercise_time);
            prop_assert_eq!(&back.incidents, &snapshot.incidents);
            let _ = back.into_state();
        }
        for incident in &redacted.incidents {
            for milestone in Milestone::ALL {
                let _ = incident.response_times(*milestone);
            }
            let _ = IncidentSummary::from(incident);
            let _ = IncidentFilter::open().matches(incident);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// For any sequence of events, the ones the validator accepts leave a
    /// state every read succeeds on, at any `now`: far past, the events'
    /// own times, today, the validator's last year, and far future.
    #[test]
    fn every_read_of_an_accepted_state_succeeds(events in events(), nows in prop::collection::vec(any_time(), 1..4)) {
        let mut state = State::default();
        let first = Event {
            by: None,
            entry: None,
            seq: 1,
            at: "2026-11-23T08:00:00Z".parse().expect("a time"),
            body: EventBody::ExerciseUpdated(ExerciseUpdated {
                name: Some("Edge".into()),
                ..ExerciseUpdated::default()
            }),
        };
        state.apply(&first).expect("the first event is valid");
        let mut accepted = 1;
        for (body, at) in events {
            let event = Event { by: None, entry: None, seq: state.seq + 1, at, body };
            if state.apply(&event).is_ok() {
                accepted += 1;
                read_everything(&state, at)?;
            }
        }
        let mut moments = vec![
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            time(0),
            "2026-11-23T08:00:00Z".parse().expect("a time"),
            "2100-12-31T23:59:59Z".parse().expect("a time"),
        ];
        moments.extend(nows);
        for now in moments {
            read_everything(&state, now)?;
        }
        prop_assert!(accepted >= 1);
    }
}
