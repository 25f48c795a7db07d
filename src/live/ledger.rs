//! The app's copy of the exercise: the model's `State`, folded with the model's
//! own reducer, plus what the views need to redraw only what changed.
//!
//! Each incident carries a revision (the seq of the last event that touched
//! it), so a list keyed by `(id, revision)` rebuilds exactly the rows that
//! changed. The feed of latest changes is kept here too, as plain data.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use watchfloor_model::{
    category_label, Audience, Event, EventBody, Incident, Snapshot, State, ValidationError,
};

use crate::vocabulary::words::{connection_label, phase_label, severity_label, status_label};

/// How many entries the feed of latest changes keeps.
pub const FEED_LENGTH: usize = 30;

/// What an applied event changed, so only those views are told.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    pub exercise: bool,
    pub nations: bool,
    /// The id of the incident it changed.
    pub incident: Option<String>,
}

/// The result of folding one stream event in.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Applied(Touched),
    /// At or below the seq already applied: a replay after reconnecting. Ignored.
    Duplicate,
    /// The reducer refused it: our copy has diverged from the server's and
    /// must be refetched.
    Refused(ValidationError),
}

/// What a feed entry links to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Exercise,
    Nation(String),
    Incident(String),
}

/// One line of the feed of latest changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub subject: Subject,
    /// The incident id, nation code or "Exercise".
    pub heading: String,
    /// What happened, in words.
    pub text: String,
    /// Who posted it (restricted readers only; `None` for the script's own).
    pub by: Option<String>,
}

/// The state, its lookup index, per-incident revisions and the feed.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    state: State,
    audience: Option<Audience>,
    /// Position of each incident in `state.incidents` (they are only ever appended).
    index: HashMap<String, usize>,
    revisions: HashMap<String, u64>,
    feed: VecDeque<Change>,
    generated_at: Option<DateTime<Utc>>,
    /// Seconds the server holds public events back from public readers (0: none).
    public_delay_s: u64,
}

impl Ledger {
    /// A ledger starting from a snapshot, with the feed rebuilt from the
    /// incidents' own timelines.
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        let audience = snapshot.audience;
        let generated_at = snapshot.generated_at;
        let public_delay_s = snapshot.public_delay_s;
        let state = snapshot.into_state();
        let index = state
            .incidents
            .iter()
            .enumerate()
            .map(|(position, incident)| (incident.id.clone(), position))
            .collect();
        let mut entries: Vec<Change> = state
            .incidents
            .iter()
            .flat_map(|incident| {
                incident.timeline.iter().map(move |entry| Change {
                    seq: entry.seq,
                    at: entry.at,
                    subject: Subject::Incident(incident.id.clone()),
                    heading: incident.id.clone(),
                    text: timeline_text(
                        incident,
                        entry.note.as_deref(),
                        entry.status,
                        entry.severity,
                    ),
                    by: entry.by.clone(),
                })
            })
            .collect();
        entries.sort_by_key(|change| std::cmp::Reverse(change.seq));
        entries.truncate(FEED_LENGTH);
        Ledger {
            state,
            audience: Some(audience),
            index,
            revisions: HashMap::new(),
            feed: entries.into(),
            generated_at: Some(generated_at),
            public_delay_s,
        }
    }

    /// The state as the reducer left it.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Whose view this is (`None` before the first snapshot).
    pub fn audience(&self) -> Option<Audience> {
        self.audience
    }

    /// When the server produced the snapshot this ledger started from.
    pub fn generated_at(&self) -> Option<DateTime<Utc>> {
        self.generated_at
    }

    /// The embargo on public events the snapshot announced, in seconds (0: none).
    pub fn public_delay_s(&self) -> u64 {
        self.public_delay_s
    }

    /// The seq of the last event applied.
    pub fn seq(&self) -> u64 {
        self.state.seq
    }

    /// An incident by id, without a linear search.
    pub fn incident(&self, id: &str) -> Option<&Incident> {
        self.index
            .get(id)
            .and_then(|position| self.state.incidents.get(*position))
    }

    /// The incident at a position of `state().incidents`.
    pub fn incident_at(&self, position: usize) -> Option<&Incident> {
        self.state.incidents.get(position)
    }

    /// The seq of the last event that changed this incident (0 if none since the snapshot).
    pub fn revision(&self, id: &str) -> u64 {
        self.revisions.get(id).copied().unwrap_or(0)
    }

    /// The latest changes, newest first.
    pub fn feed(&self) -> impl Iterator<Item = &Change> {
        self.feed.iter()
    }

    /// Folds one event in with the model's reducer.
    pub fn apply(&mut self, event: &Event) -> Outcome {
        if event.seq <= self.state.seq {
            return Outcome::Duplicate;
        }
        if let Err(error) = self.state.apply(event) {
            return if error.code == "stale" {
                Outcome::Duplicate
            } else {
                Outcome::Refused(error)
            };
        }
        let mut touched = Touched::default();
        match &event.body {
            EventBody::ExerciseUpdated(_) | EventBody::PhaseChanged(_) => touched.exercise = true,
            EventBody::NationJoined(_)
            | EventBody::NationStatus(_)
            | EventBody::NationParticipants(_) => touched.nations = true,
            EventBody::IncidentOpened(opened) => {
                let position = self.state.incidents.len() - 1;
                self.index.insert(opened.id.clone(), position);
                touched.incident = Some(opened.id.clone());
            }
            EventBody::IncidentUpdated(_) | EventBody::NationResponse(_) => {
                touched.incident = event.body.incident_id().map(str::to_string);
            }
            EventBody::ScenarioHeld(_)
            | EventBody::ScenarioResumed(_)
            | EventBody::ScenarioSkipped(_) => touched.exercise = true,
            // The screens are read with the exercise (the console's fleet).
            body if body.is_screen_control() => touched.exercise = true,
            _ => {}
        }
        // An event that plays a script entry changes the script's record,
        // which the console's MSEL reads with the exercise.
        if event.entry.is_some() {
            touched.exercise = true;
        }
        if let Some(id) = &touched.incident {
            self.revisions.insert(id.clone(), event.seq);
        }
        if let Some(change) = self.describe(event) {
            self.feed.push_front(change);
            self.feed.truncate(FEED_LENGTH);
        }
        Outcome::Applied(touched)
    }

    /// The feed line for an event just applied, if it is worth one.
    fn describe(&self, event: &Event) -> Option<Change> {
        let (subject, heading, text) = match &event.body {
            EventBody::ExerciseUpdated(_) => return None,
            EventBody::NationParticipants(_) => return None,
            EventBody::PhaseChanged(change) => (
                Subject::Exercise,
                "Exercise".to_string(),
                format!("Phase changed to {}", phase_label(change.phase)),
            ),
            EventBody::NationJoined(joined) => (
                Subject::Nation(joined.code.clone()),
                joined.code.clone(),
                format!("{} joined the exercise", joined.name),
            ),
            EventBody::NationStatus(change) => (
                Subject::Nation(change.code.clone()),
                change.code.clone(),
                format!(
                    "Connection {}",
                    connection_label(change.status).to_lowercase()
                ),
            ),
            EventBody::IncidentOpened(_) | EventBody::IncidentUpdated(_) => {
                let id = event.body.incident_id()?;
                let incident = self.incident(id)?;
                let note = match &event.body {
                    EventBody::IncidentUpdated(update) => update.note.as_deref(),
                    _ => Some("Opened"),
                };
                (
                    Subject::Incident(id.to_string()),
                    id.to_string(),
                    timeline_text(incident, note, incident.status, incident.severity),
                )
            }
            EventBody::NationResponse(response) => (
                Subject::Incident(response.id.clone()),
                response.id.clone(),
                format!("{} reached {}", response.code, response.milestone),
            ),
            _ => return None,
        };
        Some(Change {
            seq: event.seq,
            at: event.at,
            subject,
            heading,
            text,
            by: event.by.clone(),
        })
    }
}

fn timeline_text(
    incident: &Incident,
    note: Option<&str>,
    status: watchfloor_model::IncidentStatus,
    severity: watchfloor_model::Severity,
) -> String {
    let state = format!("{} · {}", status_label(status), severity_label(severity));
    match note {
        Some("Opened") => format!(
            "Opened: {} ({}) · {}",
            incident.title,
            category_label(&incident.category),
            state
        ),
        Some(note) => format!("{} — {} · {}", incident.title, note, state),
        None => format!("{} · {}", incident.title, state),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(minute: i64) -> DateTime<Utc> {
        "2026-11-24T08:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time")
            + chrono::Duration::minutes(minute)
    }

    fn event(seq: u64, body: serde_json::Value) -> Event {
        Event {
            by: None,
            entry: None,
            seq,
            at: at(seq as i64),
            body: serde_json::from_value(body).expect("event json"),
        }
    }

    fn ledger() -> Ledger {
        let mut state = State::default();
        for event in [
            event(
                1,
                json!({"type": "exercise_updated", "name": "Cyber Coalition", "edition": "2026"}),
            ),
            event(
                2,
                json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"}),
            ),
            event(
                3,
                json!({"type": "incident_opened", "id": "CC-1", "title": "Breach", "category": "ransomware",
                            "severity": "high", "nations": ["EST"], "visibility": "public"}),
            ),
        ] {
            state.apply(&event).expect("valid");
        }
        let snapshot = Snapshot::new(&state, Audience::Commander, at(10));
        Ledger::from_snapshot(snapshot)
    }

    #[test]
    fn a_snapshot_seeds_the_state_index_and_feed() {
        let ledger = ledger();
        assert_eq!(ledger.seq(), 3);
        assert_eq!(ledger.audience(), Some(Audience::Commander));
        assert_eq!(
            ledger.incident("CC-1").map(|i| i.title.as_str()),
            Some("Breach")
        );
        let feed: Vec<&str> = ledger.feed().map(|change| change.text.as_str()).collect();
        assert_eq!(feed, ["Opened: Breach (Ransomware) · Detected · High"]);
    }

    #[test]
    fn events_apply_with_the_model_reducer_and_say_what_they_touched() {
        let mut ledger = ledger();
        let outcome = ledger.apply(&event(
            4,
            json!({"type": "incident_updated", "id": "CC-1", "status": "analysing", "note": "On it"}),
        ));
        assert_eq!(
            outcome,
            Outcome::Applied(Touched {
                incident: Some("CC-1".into()),
                ..Touched::default()
            })
        );
        assert_eq!(ledger.revision("CC-1"), 4);
        assert_eq!(
            ledger.feed().next().map(|c| c.text.as_str()),
            Some("Breach — On it · Analysing · High")
        );

        let opened = ledger.apply(&event(
            5,
            json!({"type": "incident_opened", "id": "CC-2", "title": "<img src=x onerror=alert(1)>",
                   "category": "ddos", "severity": "critical", "visibility": "public"}),
        ));
        assert!(
            matches!(opened, Outcome::Applied(Touched { incident: Some(ref id), .. }) if id == "CC-2")
        );
        assert_eq!(
            ledger.incident("CC-2").map(|i| i.title.as_str()),
            Some("<img src=x onerror=alert(1)>")
        );

        let status = ledger.apply(&event(
            6,
            json!({"type": "nation_status", "code": "EST", "status": "degraded"}),
        ));
        assert_eq!(
            status,
            Outcome::Applied(Touched {
                nations: true,
                ..Touched::default()
            })
        );
        assert_eq!(
            ledger.feed().next().map(|c| c.subject.clone()),
            Some(Subject::Nation("EST".into()))
        );
    }

    #[test]
    fn replays_are_ignored_and_impossible_events_reported() {
        let mut ledger = ledger();
        let replay = event(
            3,
            json!({"type": "nation_status", "code": "EST", "status": "offline"}),
        );
        assert_eq!(ledger.apply(&replay), Outcome::Duplicate);
        let unknown = event(
            9,
            json!({"type": "incident_updated", "id": "NOPE", "status": "resolved"}),
        );
        assert!(
            matches!(ledger.apply(&unknown), Outcome::Refused(error) if error.code == "unknown_incident")
        );
        assert_eq!(ledger.seq(), 3, "nothing changed");
    }
}
