//! Events: the only way anything in an exercise changes.
//!
//! Exercise control posts an [`EventBody`] (`{"type": "...", ...}`); the server
//! appends it to the log as an [`Event`], adding a strictly increasing `seq`
//! and the time `at`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::types::*;

/// One entry of the append-only log, as stored and as streamed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// Server-assigned, strictly increasing, never reused.
    pub seq: u64,
    /// When the event took effect (UTC).
    pub at: DateTime<Utc>,
    /// The name of the token (or the session's token) that posted it; `None`
    /// for the scenario player's own events. Never sent to the public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The scenario entry (0-based index into the script's `entries`) this
    /// event plays, fires by hand or skips. Set by the server only; never
    /// sent to the public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<u32>,
    #[serde(flatten)]
    pub body: EventBody,
}

impl Event {
    /// An event with no poster and no scenario entry.
    pub fn new(seq: u64, at: DateTime<Utc>, body: EventBody) -> Event {
        Event {
            seq,
            at,
            by: None,
            entry: None,
            body,
        }
    }
}

/// An event as exercise control posts it: `{"type": "<kind>", ...fields}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    ExerciseUpdated(ExerciseUpdated),
    PhaseChanged(PhaseChanged),
    NationJoined(NationJoined),
    NationStatus(NationStatusChanged),
    NationParticipants(NationParticipants),
    IncidentOpened(IncidentOpened),
    IncidentUpdated(IncidentUpdated),
    NationResponse(NationResponseRecorded),
    ScenarioHeld(ScenarioHeld),
    ScenarioResumed(ScenarioResumed),
    ScenarioSkipped(ScenarioSkipped),
    ScreenPaired(crate::screens::ScreenPaired),
    ScreenUnpaired(crate::screens::ScreenUnpaired),
    ScreenSettings(crate::screens::ScreenSettings),
    ScreenSlide(crate::screens::ScreenSlide),
    ScreenSlideCleared(crate::screens::ScreenSlideCleared),
    SafeSlide(crate::screens::SafeSlide),
}

/// The kind of an event, as the SSE `event:` line names it.
pub type EventKind = &'static str;

impl EventBody {
    /// The wire name of this event's type.
    pub fn kind(&self) -> EventKind {
        match self {
            EventBody::ExerciseUpdated(_) => "exercise_updated",
            EventBody::PhaseChanged(_) => "phase_changed",
            EventBody::NationJoined(_) => "nation_joined",
            EventBody::NationStatus(_) => "nation_status",
            EventBody::NationParticipants(_) => "nation_participants",
            EventBody::IncidentOpened(_) => "incident_opened",
            EventBody::IncidentUpdated(_) => "incident_updated",
            EventBody::NationResponse(_) => "nation_response",
            EventBody::ScenarioHeld(_) => "scenario_held",
            EventBody::ScenarioResumed(_) => "scenario_resumed",
            EventBody::ScenarioSkipped(_) => "scenario_skipped",
            EventBody::ScreenPaired(_) => "screen_paired",
            EventBody::ScreenUnpaired(_) => "screen_unpaired",
            EventBody::ScreenSettings(_) => "screen_settings",
            EventBody::ScreenSlide(_) => "screen_slide",
            EventBody::ScreenSlideCleared(_) => "screen_slide_cleared",
            EventBody::SafeSlide(_) => "safe_slide",
        }
    }

    /// Whether this event steers the scenario player (hold, resume, skip):
    /// always restricted, posted only through `/api/v1/scenario/…`, never
    /// part of a script.
    pub fn is_scenario_control(&self) -> bool {
        matches!(
            self,
            EventBody::ScenarioHeld(_)
                | EventBody::ScenarioResumed(_)
                | EventBody::ScenarioSkipped(_)
        )
    }

    /// Whether this event concerns the wall screens (pairing, settings,
    /// slides): always restricted, never part of a script.
    pub fn is_screen_control(&self) -> bool {
        matches!(
            self,
            EventBody::ScreenPaired(_)
                | EventBody::ScreenUnpaired(_)
                | EventBody::ScreenSettings(_)
                | EventBody::ScreenSlide(_)
                | EventBody::ScreenSlideCleared(_)
                | EventBody::SafeSlide(_)
        )
    }

    /// Whether only the server itself appends it (pairing a screen creates
    /// its credential; unpairing revokes it): never accepted from a client.
    pub fn is_server_owned(&self) -> bool {
        matches!(
            self,
            EventBody::ScreenPaired(_) | EventBody::ScreenUnpaired(_)
        )
    }

    /// Whether it is restricted whatever it says (it steers the script or
    /// the screens).
    pub fn is_control_only(&self) -> bool {
        self.is_scenario_control() || self.is_screen_control()
    }

    /// Every event type name.
    pub const KINDS: &'static [&'static str] = &[
        "exercise_updated",
        "phase_changed",
        "nation_joined",
        "nation_status",
        "nation_participants",
        "incident_opened",
        "incident_updated",
        "nation_response",
        "scenario_held",
        "scenario_resumed",
        "scenario_skipped",
        "screen_paired",
        "screen_unpaired",
        "screen_settings",
        "screen_slide",
        "screen_slide_cleared",
        "safe_slide",
    ];

    /// The incident this event concerns, if any.
    pub fn incident_id(&self) -> Option<&str> {
        match self {
            EventBody::IncidentOpened(opened) => Some(&opened.id),
            EventBody::IncidentUpdated(updated) => Some(&updated.id),
            EventBody::NationResponse(response) => Some(&response.id),
            _ => None,
        }
    }
}

/// Sets the exercise's identity or schedule; any subset of fields after the first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExerciseUpdated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organiser: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startex: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endex: Option<DateTime<Utc>>,
    /// Simulated seconds per wall-clock second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
}

/// Moves the exercise to another phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhaseChanged {
    pub phase: Phase,
    /// Why the exercise is paused (only with `paused`); restricted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A participant joins (or re-registers with new figures).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NationJoined {
    pub code: String,
    pub name: String,
    pub kind: NationKind,
    #[serde(default)]
    pub participants: u32,
    #[serde(default)]
    pub teams: u32,
}

/// A nation checks in with its connection status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NationStatusChanged {
    pub code: String,
    pub status: ConnectionStatus,
}

/// A nation's head count changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NationParticipants {
    pub code: String,
    pub participants: u32,
    pub teams: u32,
}

/// A new incident. Without `visibility` it is restricted: nothing is
/// released to the press unless control says so.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncidentOpened {
    pub id: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    #[serde(default = "detected")]
    pub status: IncidentStatus,
    #[serde(default)]
    pub nations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default = "restricted")]
    pub visibility: Visibility,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inject: Option<Inject>,
}

fn detected() -> IncidentStatus {
    IncidentStatus::Detected
}

fn restricted() -> Visibility {
    Visibility::Restricted
}

/// A change to an incident: `id` and at least one other field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncidentUpdated {
    pub id: String,
    /// A corrected or clarified title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IncidentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// New restricted detail; stripped for public readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A nation reaches a milestone on an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NationResponseRecorded {
    pub id: String,
    pub code: String,
    pub milestone: Milestone,
}

/// Control holds the scenario player: nothing scripted is played until it
/// is resumed (what falls due meanwhile is played at once on resume, unless
/// skipped).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScenarioHeld {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Control lets the held scenario player play on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScenarioResumed {}

/// A scenario entry (the event's `entry`) will not be played: skipped by
/// control, or refused when its time came (the note says why).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScenarioSkipped {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
