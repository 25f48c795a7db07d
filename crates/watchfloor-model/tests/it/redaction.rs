//! Properties of redaction over random event sequences (see [`crate::sequences`]).

use proptest::prelude::*;
use watchfloor_model::redact::{self, Audience};
use watchfloor_model::types::Visibility;
use watchfloor_model::{Snapshot, State};

use crate::sequences::{base, ops, run, without_seq, MARKER};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // No regression files in the source tree: a failure prints its case.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Redacting after applying equals applying the redacted events to the
    /// redacted state: what the server sends a public reader as a snapshot
    /// is exactly what that reader builds from the public stream.
    ///
    /// The seqs differ, and only they may: the full state's seq is the last
    /// event's, while a public reader skips the events redaction drops
    /// (restricted incidents, detail-only changes), so its state stops at the
    /// last public event's seq.
    #[test]
    fn redacting_after_applying_equals_applying_redacted_events(ops in ops()) {
        let run = run(&ops);
        let mut public = State::default();
        for step in &run.steps {
            if let Some(event) = &step.public {
                let applied = public.apply(event);
                prop_assert!(
                    applied.is_ok(),
                    "the public state refused redacted event {:?}: {:?}",
                    event,
                    applied
                );
            }
            prop_assert_eq!(
                without_seq(&redact::state(&step.full, Audience::Public)),
                without_seq(&public),
                "after event {:?}",
                step.event
            );
        }
    }

    /// A public reader that takes a snapshot at any point (through JSON, as
    /// the app does) and then follows the stream ends where the server is.
    #[test]
    fn a_snapshot_then_the_stream_reaches_the_redacted_state(
        ops in ops(),
        cut in any::<prop::sample::Index>(),
    ) {
        let run = run(&ops);
        let cut = cut.index(run.steps.len());
        let at_cut = redact::state(&run.steps[cut].full, Audience::Public);
        let snapshot = Snapshot::new(&at_cut, Audience::Public, base());
        let json = serde_json::to_string(&snapshot).unwrap();
        let mut reader = serde_json::from_str::<Snapshot>(&json).unwrap().into_state();
        prop_assert_eq!(&reader, &at_cut, "a snapshot survives JSON");
        for step in &run.steps[cut + 1..] {
            if let Some(event) = &step.public {
                // Through JSON too, as the stream sends it.
                let event = serde_json::from_str(&serde_json::to_string(event).unwrap()).unwrap();
                prop_assert!(reader.apply(&event).is_ok());
            }
        }
        let last = &run.steps.last().unwrap().full;
        prop_assert_eq!(
            without_seq(&reader),
            without_seq(&redact::state(last, Audience::Public))
        );
    }

    /// No restricted text survives redaction: neither the redacted state nor
    /// any redacted event carries a marker, in any field, as JSON.
    #[test]
    fn no_restricted_text_survives_redaction(ops in ops()) {
        let run = run(&ops);
        for step in &run.steps {
            if let Some(event) = &step.public {
                let json = serde_json::to_string(event).unwrap();
                prop_assert!(!json.contains(MARKER), "leaked by event: {}", json);
            }
            if step.visibility == Visibility::Restricted {
                prop_assert!(step.public.is_none(), "restricted event streamed: {:?}", step.event);
            }
        }
        if let Some(step) = run.steps.last() {
            let public = redact::state(&step.full, Audience::Public);
            let json = serde_json::to_string(&Snapshot::new(&public, Audience::Public, base())).unwrap();
            prop_assert!(!json.contains(MARKER), "leaked by snapshot: {}", json);
        }
    }

    /// Commanders and control see everything: their redaction is the identity.
    #[test]
    fn commander_and_control_redaction_is_the_identity(ops in ops()) {
        let run = run(&ops);
        for step in &run.steps {
            for audience in [Audience::Commander, Audience::Control] {
                prop_assert_eq!(&redact::state(&step.full, audience), &step.full);
                for visibility in Visibility::ALL {
                    let redacted = redact::event(&step.event, *visibility, audience);
                    prop_assert_eq!(redacted.as_ref(), Some(&step.event));
                }
            }
        }
    }

    /// The generator is useful: sequences do exercise restricted and public
    /// incidents, refusals and dropped events (checked loosely, per sequence).
    #[test]
    fn sequences_are_mostly_valid(ops in ops()) {
        let run = run(&ops);
        prop_assert!(run.steps.len() + run.refused == ops.len() + 1);
        prop_assert!(!run.steps.is_empty(), "the opening event is always accepted");
    }
}

/// Over many sequences, the interesting cases all occur (so the properties
/// above are not vacuous).
#[test]
fn sequences_cover_the_interesting_cases() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut codes = std::collections::BTreeMap::<String, usize>::new();
    let (mut public, mut restricted, mut dropped_public, mut refused, mut accepted) =
        (0, 0, 0, 0, 0);
    for _ in 0..200 {
        let ops = ops().new_tree(&mut runner).unwrap().current();
        let run = run(&ops);
        refused += run.refused;
        for code in &run.refusals {
            *codes.entry(code.clone()).or_insert(0) += 1;
        }
        accepted += run.steps.len();
        for step in &run.steps {
            if let watchfloor_model::EventBody::IncidentOpened(opened) = &step.event.body {
                match opened.visibility {
                    Visibility::Public => public += 1,
                    Visibility::Restricted => restricted += 1,
                }
            }
            if step.visibility == Visibility::Public && step.public.is_none() {
                dropped_public += 1;
            }
        }
    }
    println!(
        "{accepted} accepted, {refused} refused; {public} public and {restricted} restricted \
         incidents; {dropped_public} public events dropped; refusals: {codes:?}"
    );
    assert!(
        public > 50 && restricted > 50,
        "{public} public, {restricted} restricted incidents"
    );
    assert!(
        dropped_public > 10,
        "{dropped_public} detail-only updates of public incidents"
    );
    assert!(accepted > refused, "{accepted} accepted, {refused} refused");
    assert!(refused > 100, "{refused} refused");
}
