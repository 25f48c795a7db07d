//! The domain types of an exercise as they travel over the wire.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Declares a closed, snake_case wire enum with its list of values, `as_str`,
/// `Display` and `FromStr` (used by query parameters and CLI flags).
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} `{}`: expected one of {}",
                        stringify!($name).to_lowercase(),
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

wire_enum! {
    /// Where the exercise stands. A paused exercise stops its clock and countdowns.
    Phase { Planning => "planning", Execution => "execution", Paused => "paused", Endex => "endex" }
}

wire_enum! {
    /// What kind of participant a nation is.
    NationKind { Ally => "ally", Partner => "partner", Organisation => "organisation" }
}

wire_enum! {
    /// A nation's connection to the exercise network.
    ConnectionStatus { Online => "online", Degraded => "degraded", Offline => "offline" }
}

wire_enum! {
    /// How bad an incident is; ordered from least to most severe.
    Severity { Low => "low", Medium => "medium", High => "high", Critical => "critical" }
}

wire_enum! {
    /// Where an incident is in its handling; ordered along the usual path.
    IncidentStatus {
        Detected => "detected",
        Reported => "reported",
        Analysing => "analysing",
        Contained => "contained",
        Resolved => "resolved",
    }
}

wire_enum! {
    /// A nation's own milestone in handling an incident.
    Milestone { Detected => "detected", Reported => "reported", Contained => "contained" }
}

wire_enum! {
    /// Whether something may be released to the press.
    Visibility { Public => "public", Restricted => "restricted" }
}

impl IncidentStatus {
    /// Contained and resolved incidents are no longer open.
    pub fn is_open(self) -> bool {
        !matches!(self, IncidentStatus::Contained | IncidentStatus::Resolved)
    }
}

// Not derived: `wire_enum!` variants cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for Phase {
    fn default() -> Self {
        Phase::Planning
    }
}

// Not derived: `wire_enum!` variants cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for Visibility {
    fn default() -> Self {
        Visibility::Public
    }
}

/// The exercise itself: its identity, schedule and clock.
///
/// `day` and `days` are not stored: they depend on the time of reading, see
/// [`Exercise::view`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exercise {
    pub name: String,
    pub edition: String,
    pub organiser: String,
    pub phase: Phase,
    pub startex: Option<DateTime<Utc>>,
    pub endex: Option<DateTime<Utc>>,
    /// Simulated exercise seconds per wall-clock second (1 for a live exercise,
    /// 60 for a scenario replayed at an hour a minute).
    #[serde(default = "one")]
    pub speed: f64,
    /// When the current pause began, if the exercise is paused.
    #[serde(default)]
    pub paused_at: Option<DateTime<Utc>>,
    /// Wall-clock milliseconds spent paused before the current pause.
    #[serde(default)]
    pub paused_ms: i64,
    /// Why the exercise is paused, if control said (restricted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_reason: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// The exercise as `GET /api/v1/exercise` and the snapshot show it, at one instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExerciseView {
    pub name: String,
    pub edition: String,
    pub organiser: String,
    pub phase: Phase,
    pub startex: Option<DateTime<Utc>>,
    pub endex: Option<DateTime<Utc>>,
    /// Exercise day, 1-based; 0 before STARTEX.
    pub day: u32,
    /// Exercise days in all.
    pub days: u32,
    pub speed: f64,
    pub paused_at: Option<DateTime<Utc>>,
    pub paused_ms: i64,
    /// Why the exercise is paused, if control said (restricted readers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_reason: Option<String>,
    /// The exercise clock (simulated time) at `as_of`.
    pub exercise_time: Option<DateTime<Utc>>,
    /// Wall-clock seconds until ENDEX at `as_of`, frozen while paused.
    pub endex_in_s: Option<i64>,
    /// The wall-clock instant this view was computed for.
    pub as_of: DateTime<Utc>,
}

/// A participant: an Ally, a Partner nation, or an organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Nation {
    /// ISO 3166-1 alpha-3 for countries, short upper-case codes for organisations.
    pub code: String,
    pub name: String,
    pub kind: NationKind,
    pub participants: u32,
    pub teams: u32,
    pub status: ConnectionStatus,
    /// The last check-in (join or status report).
    pub last_seen: DateTime<Utc>,
}

/// Where an incident came from in the scenario script.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Inject {
    /// The inject's reference in the exercise script (e.g. `INJ-042`).
    pub id: String,
    /// When the script planned it.
    pub planned_at: Option<DateTime<Utc>>,
}

/// One nation's milestones on one incident.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NationResponse {
    pub detected: Option<DateTime<Utc>>,
    pub reported: Option<DateTime<Utc>>,
    pub contained: Option<DateTime<Utc>>,
}

impl NationResponse {
    /// The time of one milestone.
    pub fn get(&self, milestone: Milestone) -> Option<DateTime<Utc>> {
        match milestone {
            Milestone::Detected => self.detected,
            Milestone::Reported => self.reported,
            Milestone::Contained => self.contained,
        }
    }

    pub(crate) fn slot(&mut self, milestone: Milestone) -> &mut Option<DateTime<Utc>> {
        match milestone {
            Milestone::Detected => &mut self.detected,
            Milestone::Reported => &mut self.reported,
            Milestone::Contained => &mut self.contained,
        }
    }
}

/// One entry of an incident's own timeline: what it became, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub status: IncidentStatus,
    pub severity: Severity,
    pub note: Option<String>,
    /// Who posted the change (`None`: the scenario player; never for the public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Something the defenders must handle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    pub id: String,
    pub title: String,
    /// A short snake_case slug, e.g. `classified_network_breach`.
    pub category: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub nations: Vec<String>,
    pub team: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When it was first contained or resolved; cleared if it reopens.
    pub closed_at: Option<DateTime<Utc>>,
    /// Releasable to the press when the incident is public.
    pub summary: String,
    /// Restricted detail: never sent to a public reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub visibility: Visibility,
    pub inject: Option<Inject>,
    /// Each affected nation's milestones, by nation code.
    #[serde(default)]
    pub responses: BTreeMap<String, NationResponse>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

impl Incident {
    /// Seconds from the inject (its planned time, else the opening) to each
    /// nation's milestone, for nations that reached it.
    pub fn response_times(&self, milestone: Milestone) -> Vec<ResponseTime> {
        let start = self
            .inject
            .as_ref()
            .and_then(|inject| inject.planned_at)
            .unwrap_or(self.opened_at);
        self.responses
            .iter()
            .filter_map(|(code, response)| {
                response.get(milestone).map(|at| ResponseTime {
                    nation: code.clone(),
                    seconds: (at - start).num_seconds(),
                })
            })
            .collect()
    }
}

/// How long one nation took from an inject to one of its milestones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseTime {
    /// The nation's code.
    pub nation: String,
    /// Seconds from the inject (its planned time, else the opening) to the milestone.
    pub seconds: i64,
}

/// The incident list's shape: an incident without its timeline and responses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentSummary {
    pub id: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub nations: Vec<String>,
    pub team: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub visibility: Visibility,
    pub inject: Option<Inject>,
}

impl From<&Incident> for IncidentSummary {
    fn from(incident: &Incident) -> Self {
        IncidentSummary {
            id: incident.id.clone(),
            title: incident.title.clone(),
            category: incident.category.clone(),
            severity: incident.severity,
            status: incident.status,
            nations: incident.nations.clone(),
            team: incident.team.clone(),
            opened_at: incident.opened_at,
            updated_at: incident.updated_at,
            closed_at: incident.closed_at,
            summary: incident.summary.clone(),
            detail: incident.detail.clone(),
            visibility: incident.visibility,
            inject: incident.inject.clone(),
        }
    }
}

/// Who the caller is, as `GET /api/v1/session` (and a sign-in) answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// What the caller reads (after any `?audience=public`).
    pub audience: crate::redact::Audience,
    /// The token's name as control gave it (e.g. "Battle captain, day shift"); absent for the public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Session {
    /// No session: the public picture.
    pub fn public() -> Self {
        Session {
            audience: crate::redact::Audience::Public,
            name: None,
        }
    }
}

/// Known incident categories: a label and a one-character icon. Any other
/// slug is shown as given.
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    (
        "classified_network_breach",
        "Breach attempt on a classified network",
        "🔓",
    ),
    (
        "critical_infrastructure_disruption",
        "Disruption of communications in critical infrastructure",
        "⚡",
    ),
    (
        "mobile_app_espionage",
        "Espionage through a smartphone application",
        "📱",
    ),
    ("ransomware", "Ransomware", "🔒"),
    ("ddos", "Distributed denial of service", "🌊"),
    ("data_exfiltration", "Data exfiltration", "📤"),
    ("disinformation", "Disinformation", "📰"),
    ("phishing", "Phishing campaign", "🎣"),
    ("supply_chain", "Supply-chain compromise", "📦"),
    ("insider_threat", "Insider threat", "👤"),
];

/// The human label of a category slug (the slug itself when unknown).
pub fn category_label(slug: &str) -> &str {
    CATEGORIES
        .iter()
        .find(|(known, _, _)| *known == slug)
        .map(|(_, label, _)| *label)
        .unwrap_or(slug)
}

/// The icon of a category slug (a generic marker when unknown).
pub fn category_icon(slug: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(known, _, _)| *known == slug)
        .map(|(_, _, icon)| *icon)
        .unwrap_or("◆")
}
