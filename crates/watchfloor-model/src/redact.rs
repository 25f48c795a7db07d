//! Redaction: what each audience may see. The server applies it before
//! anything leaves it; a public reader never receives restricted incidents,
//! their events, or any `detail` text.

use serde::{Deserialize, Serialize};

use crate::event::{Event, EventBody};
use crate::state::State;
use crate::types::{Exercise, Incident, TimelineEntry, Visibility};

/// Who is reading. Ordered by what they may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Anyone without credentials, and every display screen.
    Public,
    /// Reads everything.
    Commander,
    /// Reads everything and posts events.
    Control,
}

impl Audience {
    /// Whether this audience may see restricted information.
    pub fn sees_restricted(self) -> bool {
        self >= Audience::Commander
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Commander => "commander",
            Audience::Control => "control",
        }
    }
}

/// `state` as `audience` may see it.
pub fn state(state: &State, audience: Audience) -> State {
    if audience.sees_restricted() {
        return state.clone();
    }
    State {
        seq: state.seq,
        exercise: Exercise {
            pause_reason: None,
            ..state.exercise.clone()
        },
        nations: state.nations.clone(),
        ..State::default()
    }
    .with_incidents(
        state
            .incidents
            .iter()
            .filter_map(|item| incident(item, audience))
            .collect(),
    )
}

/// `incident` as `audience` may see it: `None` when the reader may not know
/// it exists, else a copy without `detail` for the public.
pub fn incident(incident: &Incident, audience: Audience) -> Option<Incident> {
    if audience.sees_restricted() {
        return Some(incident.clone());
    }
    (incident.visibility == Visibility::Public).then(|| Incident {
        detail: None,
        timeline: incident
            .timeline
            .iter()
            .map(|entry| TimelineEntry {
                by: None,
                ..entry.clone()
            })
            .collect(),
        ..incident.clone()
    })
}

/// `event` (of the given visibility, see [`State::visibility_of`]) as
/// `audience` may see it; `None` when it must not reach that reader at all.
pub fn event(event: &Event, visibility: Visibility, audience: Audience) -> Option<Event> {
    if audience.sees_restricted() {
        return Some(event.clone());
    }
    if visibility == Visibility::Restricted {
        return None;
    }
    if event.body.is_control_only() {
        return None;
    }
    let mut event = Event {
        by: None,
        entry: None,
        ..event.clone()
    };
    match &mut event.body {
        EventBody::PhaseChanged(change) => change.reason = None,
        EventBody::IncidentOpened(opened) => opened.detail = None,
        EventBody::IncidentUpdated(update) => {
            update.detail = None;
            let nothing_left = update.status.is_none()
                && update.severity.is_none()
                && update.note.is_none()
                && update.nations.is_none()
                && update.team.is_none()
                && update.summary.is_none();
            if nothing_left {
                return None;
            }
        }
        _ => {}
    }
    Some(event)
}
