//! The console's forms as plain data: what a draft posts, which field an
//! error belongs to, and the clock's next steps. The console checks a draft
//! with the model's own validator against its copy of the state before
//! posting (the same messages the server would give), and shows the
//! server's refusal on the field it names.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use watchfloor_model::event::{
    ExerciseUpdated, IncidentOpened, IncidentUpdated, NationResponseRecorded, PhaseChanged,
};
use watchfloor_model::{
    EventBody, IncidentStatus, Milestone, Nation, Phase, Severity, State, ValidationError,
    Visibility,
};

use crate::api::ApiError;

/// Messages by form field (`title`, `nations`, …; `""` for the form as a whole).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<String> {
        self.0.get(field).cloned()
    }

    /// One message on one field (`""`: the whole form).
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        let mut errors = BTreeMap::new();
        errors.insert(field_key(field).to_string(), message.into());
        FieldErrors(errors)
    }

    /// The model's refusal, on its field.
    pub fn from_validation(error: &ValidationError) -> Self {
        FieldErrors::one(&error.field, error.message.clone())
    }

    /// The server's refusal: on its field when it names one the form has,
    /// else on the form.
    pub fn from_api(error: &ApiError, fields: &[&str]) -> Self {
        match error {
            ApiError::Server {
                field: Some(field), ..
            } if fields.contains(&field_key(field)) => FieldErrors::one(field, error.message()),
            _ => FieldErrors::one("", error.message()),
        }
    }
}

/// The form field a contract field belongs to: `nations[2]` → `nations`.
pub fn field_key(field: &str) -> &str {
    field.split(['[', '.']).next().unwrap_or(field)
}

/// A category slug from what was typed: `Water utility!` → `water_utility`.
pub fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
    }
    slug.trim_end_matches('_').to_string()
}

/// The first free id of the form `INC-001`, `INC-002`, … in `state`.
pub fn next_incident_id(state: &State) -> String {
    (1..)
        .map(|n| format!("INC-{n:03}"))
        .find(|id| state.incident(id).is_none())
        .unwrap_or_else(|| "INC-NEW".into())
}

/// The nations whose code or name contains `query` (any case), in order.
pub fn matching_nations<'a>(nations: &'a [Nation], query: &str) -> Vec<&'a Nation> {
    let query = query.trim().to_lowercase();
    nations
        .iter()
        .filter(|nation| {
            query.is_empty()
                || nation.code.to_lowercase().contains(&query)
                || nation.name.to_lowercase().contains(&query)
        })
        .collect()
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The composer's fields.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentDraft {
    pub id: String,
    pub title: String,
    /// A known slug, or what was typed for a new one (made a slug).
    pub category: String,
    pub severity: Severity,
    pub nations: Vec<String>,
    pub team: String,
    pub summary: String,
    pub detail: String,
    /// Restricted unless control says public.
    pub public: bool,
}

impl Default for IncidentDraft {
    fn default() -> Self {
        IncidentDraft {
            id: String::new(),
            title: String::new(),
            category: String::new(),
            severity: Severity::Medium,
            nations: Vec::new(),
            team: String::new(),
            summary: String::new(),
            detail: String::new(),
            public: false,
        }
    }
}

impl IncidentDraft {
    /// The `incident_opened` this draft posts.
    pub fn event(&self) -> EventBody {
        EventBody::IncidentOpened(IncidentOpened {
            id: self.id.trim().to_string(),
            title: self.title.trim().to_string(),
            category: slug(&self.category),
            severity: self.severity,
            status: IncidentStatus::Detected,
            nations: self.nations.clone(),
            team: optional(&self.team),
            summary: self.summary.trim().to_string(),
            detail: optional(&self.detail),
            visibility: if self.public {
                Visibility::Public
            } else {
                Visibility::Restricted
            },
            inject: None,
        })
    }

    /// The composer's field names, as the contract names them.
    pub const FIELDS: &'static [&'static str] = &[
        "id", "title", "category", "severity", "nations", "team", "summary", "detail",
    ];
}

/// The update form's fields: only what is set changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateDraft {
    pub id: String,
    pub status: Option<IncidentStatus>,
    pub severity: Option<Severity>,
    pub note: String,
    /// `Some`: the affected nations become these.
    pub nations: Option<Vec<String>>,
}

impl UpdateDraft {
    /// The `incident_updated` this draft posts.
    pub fn event(&self) -> EventBody {
        EventBody::IncidentUpdated(IncidentUpdated {
            id: self.id.trim().to_string(),
            status: self.status,
            severity: self.severity,
            note: optional(&self.note),
            nations: self.nations.clone(),
            ..IncidentUpdated::default()
        })
    }

    pub const FIELDS: &'static [&'static str] = &["id", "status", "severity", "note", "nations"];
}

/// A nation's response milestone on an incident.
pub fn milestone_event(id: &str, code: &str, milestone: Milestone) -> EventBody {
    EventBody::NationResponse(NationResponseRecorded {
        id: id.trim().to_string(),
        code: code.trim().to_string(),
        milestone,
    })
}

/// Checks `body` against the console's copy of the state, as the server will.
pub fn check(state: &State, body: &EventBody, now: DateTime<Utc>) -> Result<(), FieldErrors> {
    state
        .validate(body, now)
        .map_err(|error| FieldErrors::from_validation(&error))
}

/// What the clock can do next from `phase`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockStep {
    Startex,
    Pause,
    Resume,
    Endex,
}

impl ClockStep {
    /// The steps open from `phase`, in the order the console shows them.
    pub fn from_phase(phase: Phase) -> &'static [ClockStep] {
        match phase {
            Phase::Planning => &[ClockStep::Startex, ClockStep::Endex],
            Phase::Execution => &[ClockStep::Pause, ClockStep::Endex],
            Phase::Paused => &[ClockStep::Resume, ClockStep::Endex],
            Phase::Endex => &[],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockStep::Startex => "STARTEX",
            ClockStep::Pause => "Pause",
            ClockStep::Resume => "Resume",
            ClockStep::Endex => "ENDEX",
        }
    }

    /// Whether it cannot be undone, so the console asks first.
    pub fn needs_confirmation(self) -> bool {
        matches!(self, ClockStep::Endex)
    }

    /// The event it posts (a pause with its reason, if one was given).
    pub fn event(self, reason: &str) -> EventBody {
        let phase = match self {
            ClockStep::Startex | ClockStep::Resume => Phase::Execution,
            ClockStep::Pause => Phase::Paused,
            ClockStep::Endex => Phase::Endex,
        };
        EventBody::PhaseChanged(PhaseChanged {
            phase,
            reason: (phase == Phase::Paused).then(|| optional(reason)).flatten(),
        })
    }
}

/// Sets the exercise clock's speed.
pub fn speed_event(speed: f64) -> EventBody {
    EventBody::ExerciseUpdated(ExerciseUpdated {
        speed: Some(speed),
        ..ExerciseUpdated::default()
    })
}

/// Parses the speed field (`60`, `1.5`): a positive number.
pub fn parse_speed(text: &str) -> Result<f64, FieldErrors> {
    match text.trim().parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 => Ok(speed),
        _ => Err(FieldErrors::one(
            "speed",
            "the speed is exercise seconds per wall-clock second: a number above 0, e.g. 1 or 60",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_model::Event;

    fn at() -> DateTime<Utc> {
        "2026-11-24T08:00:00Z".parse().unwrap()
    }

    fn state() -> State {
        let mut state = State::default();
        for (seq, body) in [
            serde_json::json!({"type": "phase_changed", "phase": "execution"}),
            serde_json::json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"}),
            serde_json::json!({"type": "nation_joined", "code": "FIN", "name": "Finland", "kind": "ally"}),
            serde_json::json!({"type": "incident_opened", "id": "INC-001", "title": "First", "category": "ddos", "severity": "low", "nations": ["EST"]}),
        ]
        .into_iter()
        .enumerate()
        {
            let event = Event::new(seq as u64 + 1, at(), serde_json::from_value(body).unwrap());
            state.apply(&event).unwrap();
        }
        state
    }

    #[test]
    fn a_draft_posts_restricted_with_its_text_trimmed_and_a_slug_for_a_new_category() {
        let draft = IncidentDraft {
            id: " INC-002 ".into(),
            title: "  Water pumps stop ".into(),
            category: "Water utility!".into(),
            nations: vec!["EST".into()],
            team: " ".into(),
            ..IncidentDraft::default()
        };
        let EventBody::IncidentOpened(opened) = draft.event() else {
            panic!("an incident_opened");
        };
        assert_eq!(
            (opened.id.as_str(), opened.title.as_str()),
            ("INC-002", "Water pumps stop")
        );
        assert_eq!(opened.category, "water_utility");
        assert_eq!(opened.visibility, Visibility::Restricted);
        assert_eq!((opened.team, opened.detail), (None, None));
        assert!(check(&state(), &draft.event(), at()).is_ok());
        let public = IncidentDraft {
            public: true,
            ..draft
        };
        let EventBody::IncidentOpened(opened) = public.event() else {
            panic!();
        };
        assert_eq!(opened.visibility, Visibility::Public);
    }

    #[test]
    fn the_model_s_refusal_lands_on_the_field_it_names() {
        let draft = IncidentDraft {
            id: "INC-001".into(),
            title: "Again".into(),
            category: "ddos".into(),
            nations: vec!["EST".into()],
            ..IncidentDraft::default()
        };
        let errors = check(&state(), &draft.event(), at()).unwrap_err();
        assert!(
            errors
                .get("id")
                .is_some_and(|m| m.contains("already exists")),
            "{errors:?}"
        );
        let unknown = IncidentDraft {
            id: "INC-002".into(),
            nations: vec!["EST".into(), "XXX".into()],
            ..draft
        };
        let errors = check(&state(), &unknown.event(), at()).unwrap_err();
        assert!(
            errors.get("nations").is_some(),
            "nations[1] is the nations field: {errors:?}"
        );
    }

    #[test]
    fn a_server_refusal_goes_on_its_field_or_on_the_form() {
        let refusal = |field: Option<&str>| ApiError::Server {
            status: 422,
            code: "too_long".into(),
            message: "too long".into(),
            field: field.map(str::to_string),
        };
        let on = |error: &ApiError| FieldErrors::from_api(error, IncidentDraft::FIELDS);
        assert_eq!(
            on(&refusal(Some("title"))).get("title").as_deref(),
            Some("too long")
        );
        assert_eq!(
            on(&refusal(Some("nations[3]"))).get("nations").as_deref(),
            Some("too long")
        );
        assert_eq!(
            on(&refusal(Some("inject"))).get("").as_deref(),
            Some("too long")
        );
        assert_eq!(on(&refusal(None)).get("").as_deref(), Some("too long"));
        assert_eq!(on(&ApiError::Network("down".into())).0.len(), 1);
    }

    #[test]
    fn slugs_ids_and_the_nation_search() {
        assert_eq!(slug("DDoS"), "ddos");
        assert_eq!(slug("  supply -- chain  "), "supply_chain");
        assert_eq!(slug("!!"), "");
        assert_eq!(next_incident_id(&state()), "INC-002");
        assert_eq!(next_incident_id(&State::default()), "INC-001");
        let state = state();
        let codes = |query| {
            matching_nations(&state.nations, query)
                .iter()
                .map(|n| n.code.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(""), ["EST", "FIN"]);
        assert_eq!(codes("fin"), ["FIN"]);
        assert_eq!(codes("ONIA"), ["EST"]);
        assert!(codes("zz").is_empty());
    }

    #[test]
    fn an_update_sends_only_what_changes_and_the_model_checks_it() {
        let draft = UpdateDraft {
            id: "INC-001".into(),
            status: Some(IncidentStatus::Contained),
            note: " Isolated ".into(),
            ..UpdateDraft::default()
        };
        let json = serde_json::to_value(draft.event()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "incident_updated", "id": "INC-001", "status": "contained", "note": "Isolated"})
        );
        assert!(check(&state(), &draft.event(), at()).is_ok());
        let unknown = UpdateDraft {
            id: "INC-404".into(),
            ..draft
        };
        assert!(check(&state(), &unknown.event(), at())
            .unwrap_err()
            .get("id")
            .is_some());
        let milestone = milestone_event("INC-001", "FIN", Milestone::Detected);
        assert!(
            check(&state(), &milestone, at()).is_err(),
            "FIN is not affected"
        );
        let milestone = milestone_event("INC-001", "EST", Milestone::Detected);
        assert!(check(&state(), &milestone, at()).is_ok());
    }

    #[test]
    fn the_clock_offers_what_the_phase_allows_and_asks_before_endex() {
        assert_eq!(
            ClockStep::from_phase(Phase::Planning),
            [ClockStep::Startex, ClockStep::Endex]
        );
        assert_eq!(
            ClockStep::from_phase(Phase::Execution),
            [ClockStep::Pause, ClockStep::Endex]
        );
        assert_eq!(
            ClockStep::from_phase(Phase::Paused),
            [ClockStep::Resume, ClockStep::Endex]
        );
        assert!(ClockStep::from_phase(Phase::Endex).is_empty());
        assert!(ClockStep::Endex.needs_confirmation() && !ClockStep::Pause.needs_confirmation());
        let pause = serde_json::to_value(ClockStep::Pause.event(" Fire drill ")).unwrap();
        assert_eq!(
            pause,
            serde_json::json!({"type": "phase_changed", "phase": "paused", "reason": "Fire drill"})
        );
        let resume = serde_json::to_value(ClockStep::Resume.event("ignored")).unwrap();
        assert_eq!(
            resume,
            serde_json::json!({"type": "phase_changed", "phase": "execution"})
        );
        // Every step the console offers is one the model accepts.
        for phase in Phase::ALL {
            let mut state = State::default();
            state.exercise.phase = *phase;
            for step in ClockStep::from_phase(*phase) {
                assert!(
                    check(&state, &step.event("why"), at()).is_ok(),
                    "{phase:?} {step:?}"
                );
            }
        }
        assert_eq!(parse_speed(" 60 "), Ok(60.0));
        for bad in ["0", "-1", "fast", "NaN", "inf"] {
            assert!(
                parse_speed(bad).unwrap_err().get("speed").is_some(),
                "{bad}"
            );
        }
    }
}
