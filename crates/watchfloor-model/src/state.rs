//! The state of an exercise and its one reducer, [`State::apply`].
//!
//! The server and the app both fold the same events through this code, so they
//! cannot disagree about what an event means. Validation runs before any
//! change: an event that fails it changes nothing.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::event::*;
use crate::limits::*;
use crate::redact::Audience;
use crate::screens::{Screens, MAX_QUERY, MAX_SCREENS, MAX_SLIDE_SECONDS, MAX_SLIDE_TEXT};
use crate::script::{Handled, Hold, Script};
use crate::types::*;

/// Why an event cannot be applied: which field, and a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// A stable machine-readable reason, e.g. `unknown_incident`.
    pub code: String,
    /// The field at fault (`id`, `nations[2]`, `status`, ...).
    pub field: String,
    pub message: String,
}

impl ValidationError {
    fn new(code: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            code: code.into(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// A conflict with what already exists (HTTP 409) rather than an
    /// impossible event (HTTP 422).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self.code.as_str(),
            "duplicate_incident" | "entry_handled" | "already_held" | "not_held" | "screen_paired"
        )
    }
}

type Check = Result<(), ValidationError>;

/// Everything an exercise is at one point of its log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The seq of the last event folded in.
    pub seq: u64,
    pub exercise: Exercise,
    /// In order of joining.
    pub nations: Vec<Nation>,
    /// In order of opening. Changed only by [`State::apply`] (or rebuilt
    /// with [`State::with_incidents`]), which keeps the index below current.
    pub incidents: Vec<Incident>,
    /// Where each incident is in `incidents`, by a hash of its id: a lookup
    /// costs the same at 10 incidents or 10,000 (a fold of a long log is
    /// mostly lookups). Not part of the state's value: never serialised,
    /// ignored by `==`, and rebuilt when it does not cover the list (after
    /// deserialising).
    #[serde(skip)]
    pub(crate) index: IncidentIndex,
    /// What became of the scenario's entries, and whether the player is
    /// held (restricted: empty in the public picture).
    #[serde(default, skip_serializing_if = "Script::is_empty")]
    pub script: Script,
    /// The paired wall screens and what control pushed to them (restricted).
    #[serde(default, skip_serializing_if = "Screens::is_empty")]
    pub screens: Screens,
}

/// See [`State::index`](State): incident positions by id hash. A hash that
/// two ids share keeps one of them; the other is found by a scan.
#[derive(Clone, Default)]
pub(crate) struct IncidentIndex(HashMap<u64, usize>);

impl IncidentIndex {
    fn key(id: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        id.hash(&mut hasher);
        hasher.finish()
    }

    fn of(incidents: &[Incident]) -> IncidentIndex {
        IncidentIndex(
            incidents
                .iter()
                .enumerate()
                .map(|(position, incident)| (IncidentIndex::key(&incident.id), position))
                .collect(),
        )
    }

    /// The position of `id`: `Ok(Some)` found, `Ok(None)` certainly absent
    /// (the index covers the whole list), `Err(())` unknown (scan).
    fn find(&self, incidents: &[Incident], id: &str) -> Result<Option<usize>, ()> {
        match self.0.get(&IncidentIndex::key(id)) {
            Some(&position) if incidents.get(position).is_some_and(|i| i.id == id) => {
                Ok(Some(position))
            }
            None if self.0.len() == incidents.len() => Ok(None),
            _ => Err(()),
        }
    }
}

impl PartialEq for IncidentIndex {
    /// The index is derived from the list: two states are equal by their values.
    fn eq(&self, _: &IncidentIndex) -> bool {
        true
    }
}

impl std::fmt::Debug for IncidentIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IncidentIndex({} ids)", self.0.len())
    }
}

/// The state as `GET /api/v1/snapshot` serves it to one audience.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub seq: u64,
    pub audience: Audience,
    pub generated_at: DateTime<Utc>,
    /// Seconds public events are held back from public readers (0: none).
    #[serde(default)]
    pub public_delay_s: u64,
    pub exercise: ExerciseView,
    pub nations: Vec<Nation>,
    pub incidents: Vec<Incident>,
    /// What became of the scenario's entries (restricted readers only).
    #[serde(default, skip_serializing_if = "Script::is_empty")]
    pub script: Script,
    /// The wall screens (restricted readers only).
    #[serde(default, skip_serializing_if = "Screens::is_empty")]
    pub screens: Screens,
}

impl Snapshot {
    /// A snapshot of a state that is already redacted for `audience`.
    pub fn new(state: &State, audience: Audience, now: DateTime<Utc>) -> Self {
        Snapshot {
            seq: state.seq,
            audience,
            generated_at: now,
            public_delay_s: 0,
            exercise: state.exercise.view(now),
            nations: state.nations.clone(),
            incidents: state.incidents.clone(),
            script: state.script.clone(),
            screens: state.screens.clone(),
        }
    }

    /// The state to keep applying stream events to.
    pub fn into_state(self) -> State {
        State {
            seq: self.seq,
            exercise: self.exercise.into(),
            nations: self.nations,
            script: self.script,
            screens: self.screens,
            ..State::default()
        }
        .with_incidents(self.incidents)
    }
}

fn text(field: &str, value: &str, max: usize) -> Check {
    if value.trim().is_empty() {
        return Err(ValidationError::new(
            "empty",
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    optional_text(field, value, max)
}

fn optional_text(field: &str, value: &str, max: usize) -> Check {
    let length = value.chars().count();
    if length > max {
        return Err(ValidationError::new(
            "too_long",
            field,
            format!("`{field}` is {length} characters long; at most {max} are allowed"),
        ));
    }
    check_characters(field, value)
}

/// What a character would do on a wall screen, if it is one that must not
/// be in any text of an event.
enum Hazard {
    /// A control character (tab and newline aside), or a line or paragraph separator.
    Control,
    /// Reorders the text around it (bidi embeddings, overrides, isolates and marks).
    Bidi,
    /// Shows as nothing at all (zero-width characters, word joiners, tags).
    Invisible,
}

fn hazard(c: char) -> Option<Hazard> {
    match c {
        '\n' | '\t' => None,
        '\u{2028}' | '\u{2029}' => Some(Hazard::Control),
        c if c.is_control() => Some(Hazard::Control),
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => Some(Hazard::Bidi),
        '\u{200B}'..='\u{200D}'
        | '\u{2060}'..='\u{2064}'
        | '\u{206A}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{E0000}'..='\u{E007F}' => Some(Hazard::Invisible),
        _ => None,
    }
}

/// Combining marks (an approximation of general categories Mn and Me by
/// the blocks that hold the stackable ones).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// The one check of the characters of every text an event carries: text
/// shown to the press must say what it seems to say. Refuses control
/// characters, bidi controls (which can make a title read backwards),
/// invisible characters, and more than [`MAX_COMBINING_RUN`] combining marks
/// in a row.
fn check_characters(field: &str, value: &str) -> Check {
    let mut run = 0;
    for (position, c) in value.chars().enumerate() {
        let (code, what) = match hazard(c) {
            Some(Hazard::Control) => ("control_character", "a control character"),
            Some(Hazard::Bidi) => (
                "bidi_control",
                "a bidirectional control character (it reorders the text shown around it)",
            ),
            Some(Hazard::Invisible) => ("invisible_character", "an invisible character"),
            None => {
                run = if is_combining_mark(c) { run + 1 } else { 0 };
                if run > MAX_COMBINING_RUN {
                    return Err(ValidationError::new(
                        "combining_marks",
                        field,
                        format!(
                            "`{field}` has more than {MAX_COMBINING_RUN} combining marks in a row (at character {position})"
                        ),
                    ));
                }
                continue;
            }
        };
        return Err(ValidationError::new(
            code,
            field,
            format!(
                "`{field}` contains {what}: U+{:04X} at character {position}; remove it",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// An untrusted value as a message quotes it: at most [`MAX_ID`]
/// characters, anything invisible or reordering escaped.
fn quoted(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(MAX_ID)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().count() > MAX_ID {
        shown.push('…');
    }
    shown
}

/// Nation codes: ISO 3166-1 alpha-3 for countries, short upper-case codes
/// (letters, digits, `-`) for organisations.
pub fn check_nation_code(field: &str, code: &str) -> Check {
    let valid = (2..=MAX_NATION_CODE).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new(
            "bad_code",
            field,
            format!(
                "`{}` is not a nation code: use ISO 3166-1 alpha-3 (e.g. EST) or a short upper-case organisation code (e.g. EU-CDS)",
                quoted(code)
            ),
        ))
    }
}

fn check_incident_id(id: &str) -> Check {
    let valid = (1..=MAX_ID).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new(
            "bad_id",
            "id",
            format!(
                "incident id `{}` must be 1 to {MAX_ID} letters, digits, `-`, `_` or `.`",
                quoted(id)
            ),
        ))
    }
}

fn check_category(category: &str) -> Check {
    let valid = (1..=MAX_CATEGORY).contains(&category.len())
        && category
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new(
            "bad_category",
            "category",
            format!(
                "category `{}` must be a snake_case slug (a-z, 0-9, _), e.g. ransomware",
                quoted(category)
            ),
        ))
    }
}

fn check_time(field: &str, at: DateTime<Utc>) -> Check {
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&at.year()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            "time_out_of_range",
            field,
            format!("`{field}` ({at}) is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ))
    }
}

fn check_nation_count(field: &str, codes: &[String]) -> Check {
    if codes.len() > MAX_INCIDENT_NATIONS {
        return Err(ValidationError::new(
            "too_many",
            field,
            format!(
                "`{field}` lists {} nations; at most {MAX_INCIDENT_NATIONS} are allowed",
                codes.len()
            ),
        ));
    }
    Ok(())
}

/// Whether an incident may move from one status to another: forward along
/// the path, or from contained back to analysing when containment fails.
/// Resolved is final.
pub fn status_transition_allowed(from: IncidentStatus, to: IncidentStatus) -> bool {
    to >= from && from != IncidentStatus::Resolved
        || (from == IncidentStatus::Contained && to == IncidentStatus::Analysing)
        || from == to
}

impl State {
    /// A nation by code.
    pub fn nation(&self, code: &str) -> Option<&Nation> {
        self.nations.iter().find(|nation| nation.code == code)
    }

    /// This state with `incidents` as its incidents (and its index rebuilt).
    pub fn with_incidents(mut self, incidents: Vec<Incident>) -> State {
        self.index = IncidentIndex::of(&incidents);
        self.incidents = incidents;
        self
    }

    /// An incident by id.
    pub fn incident(&self, id: &str) -> Option<&Incident> {
        match self.index.find(&self.incidents, id) {
            Ok(position) => position.map(|position| &self.incidents[position]),
            Err(()) => self.incidents.iter().find(|incident| incident.id == id),
        }
    }

    fn incident_mut(&mut self, id: &str) -> Option<&mut Incident> {
        let position = match self.index.find(&self.incidents, id) {
            Ok(position) => position,
            Err(()) => self.incidents.iter().position(|incident| incident.id == id),
        };
        position.map(|position| &mut self.incidents[position])
    }

    fn nation_mut(&mut self, code: &str) -> Option<&mut Nation> {
        self.nations.iter_mut().find(|nation| nation.code == code)
    }

    /// The visibility an event has in this state: an incident's events share
    /// its visibility; everything else is public. Unknown incidents count as
    /// restricted, so a mistake can only hide, never release.
    pub fn visibility_of(&self, body: &EventBody) -> Visibility {
        match body {
            EventBody::IncidentOpened(opened) => opened.visibility,
            EventBody::IncidentUpdated(IncidentUpdated { id, .. })
            | EventBody::NationResponse(NationResponseRecorded { id, .. }) => self
                .incident(id)
                .map(|incident| incident.visibility)
                .unwrap_or(Visibility::Restricted),
            body if body.is_control_only() => Visibility::Restricted,
            _ => Visibility::Public,
        }
    }

    fn check_nations(&self, field: &str, codes: &[String]) -> Check {
        check_nation_count(field, codes)?;
        for (index, code) in codes.iter().enumerate() {
            let field = format!("{field}[{index}]");
            check_nation_code(&field, code)?;
            if self.nation(code).is_none() {
                return Err(ValidationError::new(
                    "unknown_nation",
                    field,
                    format!(
                        "nation `{code}` has not joined the exercise (post nation_joined first)"
                    ),
                ));
            }
            if codes[..index].contains(code) {
                return Err(ValidationError::new(
                    "duplicate_nation",
                    field,
                    format!("nation `{code}` is listed twice"),
                ));
            }
        }
        Ok(())
    }

    fn known_nation(&self, code: &str) -> Result<&Nation, ValidationError> {
        check_nation_code("code", code)?;
        self.nation(code).ok_or_else(|| {
            ValidationError::new(
                "unknown_nation",
                "code",
                format!("nation `{code}` has not joined the exercise (post nation_joined first)"),
            )
        })
    }

    /// Every listed screen is paired (and, when `listed`, no more than an
    /// exercise can pair are listed).
    fn known_screens(&self, field: &str, screens: &[u32], listed: bool) -> Check {
        if listed && screens.len() > MAX_SCREENS {
            return Err(ValidationError::new(
                "too_many",
                field,
                format!("at most {MAX_SCREENS} screens at once (none listed: every screen)"),
            ));
        }
        for (index, screen) in screens.iter().enumerate() {
            if !self.screens.screens.contains_key(screen) {
                let field = if listed {
                    format!("{field}[{index}]")
                } else {
                    field.to_string()
                };
                return Err(ValidationError::new(
                    "unknown_screen",
                    field,
                    format!("there is no paired screen {screen}"),
                ));
            }
        }
        Ok(())
    }

    fn known_incident(&self, id: &str) -> Result<&Incident, ValidationError> {
        check_incident_id(id)?;
        self.incident(id).ok_or_else(|| {
            ValidationError::new(
                "unknown_incident",
                "id",
                format!("there is no incident `{id}` (post incident_opened first)"),
            )
        })
    }

    /// Checks that `body`, taking effect at `at`, is possible in this state.
    pub fn validate(&self, body: &EventBody, at: DateTime<Utc>) -> Check {
        check_time("at", at)?;
        match body {
            EventBody::ExerciseUpdated(update) => self.validate_exercise(update),
            EventBody::PhaseChanged(PhaseChanged { phase, reason }) => {
                if let Some(reason) = reason {
                    if *phase != Phase::Paused {
                        return Err(ValidationError::new(
                            "reason_without_pause",
                            "reason",
                            "a reason goes with a pause (`phase: paused`) only",
                        ));
                    }
                    text("reason", reason, MAX_NOTE)?;
                }
                if self.exercise.phase == Phase::Endex && *phase != Phase::Endex {
                    return Err(ValidationError::new(
                        "phase_final",
                        "phase",
                        format!("the exercise is at ENDEX; it cannot return to {phase}"),
                    ));
                }
                if *phase == Phase::Paused && self.exercise.phase == Phase::Planning {
                    return Err(ValidationError::new(
                        "bad_transition",
                        "phase",
                        "an exercise in planning cannot be paused: start execution first",
                    ));
                }
                Ok(())
            }
            EventBody::NationJoined(joined) => {
                check_nation_code("code", &joined.code)?;
                text("name", &joined.name, MAX_NAME)?;
                if joined.teams > joined.participants && joined.participants > 0 {
                    return Err(ValidationError::new(
                        "bad_count",
                        "teams",
                        format!(
                            "{} teams cannot be formed from {} participants",
                            joined.teams, joined.participants
                        ),
                    ));
                }
                Ok(())
            }
            EventBody::NationStatus(status) => self.known_nation(&status.code).map(|_| ()),
            EventBody::NationParticipants(counts) => {
                self.known_nation(&counts.code)?;
                if counts.teams > counts.participants && counts.participants > 0 {
                    return Err(ValidationError::new(
                        "bad_count",
                        "teams",
                        format!(
                            "{} teams cannot be formed from {} participants",
                            counts.teams, counts.participants
                        ),
                    ));
                }
                Ok(())
            }
            EventBody::IncidentOpened(opened) => self.validate_opened(opened),
            EventBody::IncidentUpdated(update) => self.validate_updated(update),
            EventBody::ScenarioHeld(ScenarioHeld { reason }) => {
                if let Some(reason) = reason {
                    text("reason", reason, MAX_NOTE)?;
                }
                if let Some(hold) = &self.script.held {
                    return Err(ValidationError::new(
                        "already_held",
                        "type",
                        format!(
                            "the scenario player is already held (since seq {})",
                            hold.seq
                        ),
                    ));
                }
                Ok(())
            }
            EventBody::ScenarioResumed(ScenarioResumed {}) => {
                if self.script.held.is_none() {
                    return Err(ValidationError::new(
                        "not_held",
                        "type",
                        "the scenario player is not held",
                    ));
                }
                Ok(())
            }
            EventBody::ScenarioSkipped(ScenarioSkipped { note }) => match note {
                Some(note) => text("note", note, MAX_NOTE),
                None => Ok(()),
            },
            EventBody::ScreenPaired(paired) => {
                text("name", &paired.name, MAX_NAME)?;
                if self.screens.screens.contains_key(&paired.screen) {
                    return Err(ValidationError::new(
                        "screen_paired",
                        "screen",
                        format!("screen {} is already paired", paired.screen),
                    ));
                }
                if self.screens.screens.len() >= MAX_SCREENS {
                    return Err(ValidationError::new(
                        "too_many",
                        "screen",
                        format!("an exercise pairs at most {MAX_SCREENS} screens"),
                    ));
                }
                Ok(())
            }
            EventBody::ScreenUnpaired(unpaired) => {
                self.known_screens("screen", std::slice::from_ref(&unpaired.screen), false)
            }
            EventBody::ScreenSettings(settings) => {
                self.known_screens("screens", &settings.screens, true)?;
                if let Some(query) = &settings.query {
                    if query.chars().count() > MAX_QUERY || query.chars().any(char::is_control) {
                        return Err(ValidationError::new(
                            "bad_query",
                            "query",
                            format!("settings are a display URL's query of at most {MAX_QUERY} characters, e.g. `panels=status:10,activity:30&seconds=20`"),
                        ));
                    }
                }
                Ok(())
            }
            EventBody::ScreenSlide(slide) => {
                self.known_screens("screens", &slide.screens, true)?;
                text("title", &slide.title, MAX_TITLE)?;
                if slide.text.chars().count() > MAX_SLIDE_TEXT {
                    return Err(ValidationError::new(
                        "too_long",
                        "text",
                        format!("a slide's text is at most {MAX_SLIDE_TEXT} characters"),
                    ));
                }
                match slide.seconds {
                    Some(seconds) if !(1..=MAX_SLIDE_SECONDS).contains(&seconds) => {
                        Err(ValidationError::new(
                            "out_of_range",
                            "seconds",
                            format!("a slide shows for 1 to {MAX_SLIDE_SECONDS} seconds, or until cleared (no `seconds`)"),
                        ))
                    }
                    _ => Ok(()),
                }
            }
            EventBody::ScreenSlideCleared(cleared) => {
                self.known_screens("screens", &cleared.screens, true)
            }
            EventBody::SafeSlide(_) => Ok(()),
            EventBody::NationResponse(response) => {
                let incident = self.known_incident(&response.id)?;
                self.known_nation(&response.code)?;
                if !incident.nations.contains(&response.code) {
                    return Err(ValidationError::new(
                        "nation_not_affected",
                        "code",
                        format!(
                            "nation `{}` is not among incident `{}`'s nations ({}); add it with incident_updated first",
                            response.code,
                            response.id,
                            incident.nations.join(", ")
                        ),
                    ));
                }
                Ok(())
            }
        }
    }

    fn validate_exercise(&self, update: &ExerciseUpdated) -> Check {
        let ExerciseUpdated {
            name,
            edition,
            organiser,
            startex,
            endex,
            speed,
        } = update;
        if name.is_none()
            && edition.is_none()
            && organiser.is_none()
            && startex.is_none()
            && endex.is_none()
            && speed.is_none()
        {
            return Err(ValidationError::new(
                "no_change",
                "type",
                "exercise_updated must set at least one of name, edition, organiser, startex, endex, speed",
            ));
        }
        match name {
            Some(name) => text("name", name, MAX_NAME)?,
            None if self.exercise.name.is_empty() => {
                return Err(ValidationError::new(
                    "missing_field",
                    "name",
                    "the first exercise_updated must name the exercise",
                ))
            }
            None => {}
        }
        if let Some(edition) = edition {
            optional_text("edition", edition, MAX_NAME)?;
        }
        if let Some(organiser) = organiser {
            optional_text("organiser", organiser, MAX_NAME)?;
        }
        if let Some(speed) = speed {
            if !(speed.is_finite() && (MIN_SPEED..=MAX_SPEED).contains(speed)) {
                return Err(ValidationError::new(
                    "bad_speed",
                    "speed",
                    format!("speed {speed} must be between {MIN_SPEED} and {MAX_SPEED} simulated seconds per second"),
                ));
            }
        }
        if let Some(startex) = startex {
            check_time("startex", *startex)?;
        }
        if let Some(endex) = endex {
            check_time("endex", *endex)?;
        }
        if let (Some(startex), Some(endex)) = (
            startex.or(self.exercise.startex),
            endex.or(self.exercise.endex),
        ) {
            if endex <= startex {
                return Err(ValidationError::new(
                    "time_out_of_range",
                    if update.endex.is_some() {
                        "endex"
                    } else {
                        "startex"
                    },
                    format!("ENDEX ({endex}) must come after STARTEX ({startex})"),
                ));
            }
            if (endex - startex).num_days() > MAX_SCHEDULE_DAYS {
                return Err(ValidationError::new(
                    "time_out_of_range",
                    "endex",
                    format!("an exercise cannot last more than {MAX_SCHEDULE_DAYS} days"),
                ));
            }
            // The exercise clock must stay on the calendar: bound the
            // simulated span, speed times the wall-clock span.
            // A state that never set its speed runs at 1 (see `apply_valid`).
            let speed = Some(speed.unwrap_or(self.exercise.speed))
                .filter(|speed| *speed != 0.0)
                .unwrap_or(1.0);
            let simulated_days = (endex - startex).num_seconds() as f64 * speed / 86_400.0;
            if simulated_days > MAX_SIMULATED_DAYS as f64 {
                let field = if update.speed.is_some() {
                    "speed"
                } else if update.endex.is_some() {
                    "endex"
                } else {
                    "startex"
                };
                return Err(ValidationError::new(
                    "time_out_of_range",
                    field,
                    format!(
                        "at speed {speed}, STARTEX to ENDEX is {simulated_days:.0} days of exercise time; at most {MAX_SIMULATED_DAYS} are allowed (lower the speed or shorten the exercise)"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn validate_opened(&self, opened: &IncidentOpened) -> Check {
        check_incident_id(&opened.id)?;
        if self.incident(&opened.id).is_some() {
            return Err(ValidationError::new(
                "duplicate_incident",
                "id",
                format!(
                    "incident `{}` already exists; use incident_updated to change it",
                    opened.id
                ),
            ));
        }
        text("title", &opened.title, MAX_TITLE)?;
        check_category(&opened.category)?;
        self.check_nations("nations", &opened.nations)?;
        if let Some(team) = &opened.team {
            optional_text("team", team, MAX_NAME)?;
        }
        optional_text("summary", &opened.summary, MAX_SUMMARY)?;
        if let Some(detail) = &opened.detail {
            optional_text("detail", detail, MAX_DETAIL)?;
        }
        if let Some(inject) = &opened.inject {
            text("inject.id", &inject.id, MAX_ID)?;
            if let Some(planned_at) = inject.planned_at {
                check_time("inject.planned_at", planned_at)?;
            }
        }
        Ok(())
    }

    fn validate_updated(&self, update: &IncidentUpdated) -> Check {
        let incident = self.known_incident(&update.id)?;
        let IncidentUpdated {
            id: _,
            title,
            status,
            severity,
            note,
            nations,
            team,
            summary,
            detail,
        } = update;
        if title.is_none()
            && status.is_none()
            && severity.is_none()
            && note.is_none()
            && nations.is_none()
            && team.is_none()
            && summary.is_none()
            && detail.is_none()
        {
            return Err(ValidationError::new(
                "no_change",
                "id",
                "incident_updated needs at least one of title, status, severity, note, nations, team, summary, detail",
            ));
        }
        if let Some(status) = status {
            if !status_transition_allowed(incident.status, *status) {
                return Err(ValidationError::new(
                    "status_backwards",
                    "status",
                    format!(
                        "incident `{}` is {}; it cannot go back to {status}{}",
                        incident.id,
                        incident.status,
                        if incident.status == IncidentStatus::Resolved {
                            " (resolved is final: open a new incident)"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
        if let Some(title) = title {
            text("title", title, MAX_TITLE)?;
        }
        if let Some(note) = note {
            optional_text("note", note, MAX_NOTE)?;
        }
        if let Some(nations) = nations {
            self.check_nations("nations", nations)?;
        }
        if let Some(team) = team {
            optional_text("team", team, MAX_NAME)?;
        }
        if let Some(summary) = summary {
            optional_text("summary", summary, MAX_SUMMARY)?;
        }
        if let Some(detail) = detail {
            optional_text("detail", detail, MAX_DETAIL)?;
        }
        Ok(())
    }

    /// Checks that `event` (its body at its time, and the scenario entry it
    /// plays, if any) is possible in this state.
    pub fn validate_event(&self, event: &Event) -> Check {
        // The entry first: an entry played already is that, whatever its
        // event would now meet.
        self.validate_entry(event)?;
        self.validate(&event.body, event.at)?;
        if let Some(by) = &event.by {
            if by.chars().count() > MAX_NAME {
                return Err(ValidationError::new(
                    "too_long",
                    "by",
                    format!("a poster's name is at most {MAX_NAME} characters"),
                ));
            }
        }
        Ok(())
    }

    fn validate_entry(&self, event: &Event) -> Check {
        match event.entry {
            None if matches!(event.body, EventBody::ScenarioSkipped(_)) => {
                Err(ValidationError::new(
                    "missing",
                    "entry",
                    "a skip names the scenario entry it skips",
                ))
            }
            None => Ok(()),
            Some(_)
                if event.body.is_scenario_control()
                    && !matches!(event.body, EventBody::ScenarioSkipped(_)) =>
            {
                Err(ValidationError::new(
                    "unexpected",
                    "entry",
                    "holding and resuming the player concern no entry",
                ))
            }
            Some(entry) if entry as usize >= MAX_SCRIPT_ENTRIES => Err(ValidationError::new(
                "out_of_range",
                "entry",
                format!("a scenario has at most {MAX_SCRIPT_ENTRIES} entries"),
            )),
            Some(entry) if self.script.is_done(entry) => Err(ValidationError::new(
                "entry_handled",
                "entry",
                match self.script.handled.get(&entry) {
                    Some(handled) if handled.skipped => {
                        format!("scenario entry {entry} was skipped (seq {})", handled.seq)
                    }
                    Some(handled) => {
                        format!(
                            "scenario entry {entry} was already fired (seq {})",
                            handled.seq
                        )
                    }
                    None => format!("scenario entry {entry} has already been played"),
                },
            )),
            Some(_) => Ok(()),
        }
    }

    /// Folds one event into the state. An event at or below the current seq
    /// is refused (`stale`) so a replayed stream never applies anything twice;
    /// an invalid event is refused and changes nothing.
    pub fn apply(&mut self, event: &Event) -> Check {
        if event.seq <= self.seq {
            return Err(ValidationError::new(
                "stale",
                "seq",
                format!("event {} is not after {}", event.seq, self.seq),
            ));
        }
        if self.index.0.len() != self.incidents.len() {
            // Deserialised, or a hash shared by two ids: index the list again.
            self.index = IncidentIndex::of(&self.incidents);
        }
        self.validate_event(event)?;
        self.apply_valid(event);
        Ok(())
    }

    /// Folds in an event that was validated against this state.
    fn apply_valid(&mut self, event: &Event) {
        let at = event.at;
        self.seq = event.seq;
        match &event.body {
            EventBody::ExerciseUpdated(update) => {
                let exercise = &mut self.exercise;
                if let Some(name) = &update.name {
                    exercise.name = name.clone();
                }
                if let Some(edition) = &update.edition {
                    exercise.edition = edition.clone();
                }
                if let Some(organiser) = &update.organiser {
                    exercise.organiser = organiser.clone();
                }
                if update.startex.is_some() {
                    exercise.startex = update.startex;
                }
                if update.endex.is_some() {
                    exercise.endex = update.endex;
                }
                if let Some(speed) = update.speed {
                    exercise.speed = speed;
                }
                if exercise.speed == 0.0 {
                    exercise.speed = 1.0;
                }
            }
            EventBody::PhaseChanged(PhaseChanged { phase, reason }) => {
                let exercise = &mut self.exercise;
                exercise.pause_reason = match phase {
                    Phase::Paused => reason.clone(),
                    _ => None,
                };
                if exercise.speed == 0.0 {
                    exercise.speed = 1.0;
                }
                match (exercise.paused_at, *phase) {
                    (None, Phase::Paused) => exercise.paused_at = Some(at),
                    (Some(since), phase) if phase != Phase::Paused => {
                        exercise.paused_ms = exercise
                            .paused_ms
                            .saturating_add((at - since).num_milliseconds().max(0));
                        exercise.paused_at = None;
                    }
                    _ => {}
                }
                exercise.phase = *phase;
            }
            EventBody::NationJoined(joined) => {
                let nation = Nation {
                    code: joined.code.clone(),
                    name: joined.name.clone(),
                    kind: joined.kind,
                    participants: joined.participants,
                    teams: joined.teams,
                    status: ConnectionStatus::Online,
                    last_seen: at,
                };
                match self.nation_mut(&joined.code) {
                    Some(existing) => *existing = nation,
                    None => self.nations.push(nation),
                }
            }
            EventBody::NationStatus(change) => {
                if let Some(nation) = self.nation_mut(&change.code) {
                    nation.status = change.status;
                    nation.last_seen = at;
                }
            }
            EventBody::NationParticipants(counts) => {
                if let Some(nation) = self.nation_mut(&counts.code) {
                    nation.participants = counts.participants;
                    nation.teams = counts.teams;
                }
            }
            EventBody::IncidentOpened(opened) => {
                let closed_at = (!opened.status.is_open()).then_some(at);
                self.index
                    .0
                    .insert(IncidentIndex::key(&opened.id), self.incidents.len());
                self.incidents.push(Incident {
                    id: opened.id.clone(),
                    title: opened.title.clone(),
                    category: opened.category.clone(),
                    severity: opened.severity,
                    status: opened.status,
                    nations: opened.nations.clone(),
                    team: opened.team.clone(),
                    opened_at: at,
                    updated_at: at,
                    closed_at,
                    summary: opened.summary.clone(),
                    detail: opened.detail.clone(),
                    visibility: opened.visibility,
                    inject: opened.inject.clone(),
                    responses: Default::default(),
                    timeline: vec![TimelineEntry {
                        seq: event.seq,
                        at,
                        status: opened.status,
                        severity: opened.severity,
                        note: Some("Opened".into()),
                        by: event.by.clone(),
                    }],
                });
            }
            EventBody::IncidentUpdated(update) => {
                let Some(incident) = self.incident_mut(&update.id) else {
                    return;
                };
                if let Some(status) = update.status {
                    incident.status = status;
                    incident.closed_at = match (status.is_open(), incident.closed_at) {
                        (true, _) => None,
                        (false, Some(closed)) => Some(closed),
                        (false, None) => Some(at),
                    };
                }
                if let Some(severity) = update.severity {
                    incident.severity = severity;
                }
                if let Some(title) = &update.title {
                    incident.title = title.clone();
                }
                if let Some(nations) = &update.nations {
                    incident.nations = nations.clone();
                }
                if let Some(team) = &update.team {
                    incident.team = Some(team.clone());
                }
                if let Some(summary) = &update.summary {
                    incident.summary = summary.clone();
                }
                if let Some(detail) = &update.detail {
                    incident.detail = Some(detail.clone());
                }
                // A change of restricted detail alone leaves no public trace,
                // so that the public picture never depends on restricted input.
                let public_change = update.title.is_some()
                    || update.status.is_some()
                    || update.severity.is_some()
                    || update.note.is_some()
                    || update.nations.is_some()
                    || update.team.is_some()
                    || update.summary.is_some();
                if public_change {
                    incident.updated_at = at;
                }
                if update.status.is_some() || update.severity.is_some() || update.note.is_some() {
                    incident.timeline.push(TimelineEntry {
                        seq: event.seq,
                        at,
                        status: incident.status,
                        severity: incident.severity,
                        note: update.note.clone(),
                        by: event.by.clone(),
                    });
                }
            }
            EventBody::ScenarioHeld(ScenarioHeld { reason }) => {
                self.script.held = Some(Hold {
                    since: at,
                    seq: event.seq,
                    by: event.by.clone(),
                    reason: reason.clone(),
                });
            }
            EventBody::ScenarioResumed(ScenarioResumed {}) => self.script.held = None,
            EventBody::ScenarioSkipped(_) => {}
            EventBody::ScreenPaired(paired) => self.screens.pair(paired, at, event.by.clone()),
            EventBody::ScreenUnpaired(unpaired) => self.screens.unpair(unpaired.screen),
            EventBody::ScreenSettings(settings) => self.screens.set(settings),
            EventBody::ScreenSlide(slide) => {
                self.screens.show(slide, event.seq, at, event.by.clone())
            }
            EventBody::ScreenSlideCleared(cleared) => self.screens.clear(cleared),
            EventBody::SafeSlide(safe) => self.screens.safe(safe, event.seq, at, event.by.clone()),
            EventBody::NationResponse(response) => {
                let Some(incident) = self.incident_mut(&response.id) else {
                    return;
                };
                let slot = incident
                    .responses
                    .entry(response.code.clone())
                    .or_default()
                    .slot(response.milestone);
                // The first time a milestone is reached is the one that counts.
                if slot.is_none() {
                    *slot = Some(at);
                }
                incident.updated_at = at;
            }
        }
        if let Some(entry) = event.entry {
            self.script.mark(entry);
            let skipped = matches!(event.body, EventBody::ScenarioSkipped(_));
            if skipped || event.by.is_some() {
                let note = match &event.body {
                    EventBody::ScenarioSkipped(ScenarioSkipped { note }) => note.clone(),
                    _ => None,
                };
                self.script.handled.insert(
                    entry,
                    Handled {
                        seq: event.seq,
                        at,
                        skipped,
                        by: event.by.clone(),
                        note,
                    },
                );
            }
        }
    }

    /// The state redacted for `audience`: what that reader may see.
    pub fn redacted(&self, audience: Audience) -> State {
        crate::redact::state(self, audience)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        "2026-11-23T08:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::minutes(minute)
    }

    /// Folds `bodies` into a fresh state, one minute apart, panicking on the first refusal.
    pub(crate) fn fold(bodies: &[serde_json::Value]) -> State {
        let mut state = State::default();
        for (index, body) in bodies.iter().enumerate() {
            let body: EventBody = serde_json::from_value(body.clone()).expect("event json");
            let event = Event {
                by: None,
                entry: None,
                seq: index as u64 + 1,
                at: at(index as i64),
                body,
            };
            state.apply(&event).expect("valid event");
        }
        state
    }

    /// Applies `body` after `setup`, and checks the refusal's field and code.
    #[test]
    fn incidents_are_found_by_id_after_a_round_trip_and_with_a_stale_index() {
        let mut bodies = vec![];
        for n in 0..50 {
            bodies.push(
                serde_json::json!({"type": "incident_opened", "id": format!("CC-{n}"),
                "title": "T", "category": "ddos", "severity": "low"}),
            );
        }
        let state = fold(&bodies);
        assert_eq!(
            state.incident("CC-37").map(|i| i.id.as_str()),
            Some("CC-37")
        );
        assert!(state.incident("CC-50").is_none());
        // Deserialised: no index yet; lookups scan, the next apply indexes again.
        let mut copy: State =
            serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        assert_eq!(copy, state);
        assert_eq!(copy.incident("CC-3").map(|i| i.id.as_str()), Some("CC-3"));
        assert!(copy.incident("CC-99").is_none());
        let update = Event {
            by: None,
            entry: None,
            seq: 51,
            at: at(60),
            body: serde_json::from_value(
                serde_json::json!({"type": "incident_updated", "id": "CC-12", "severity": "high"}),
            )
            .unwrap(),
        };
        copy.apply(&update).expect("applies");
        assert_eq!(
            copy.incident("CC-12").map(|i| i.severity),
            Some(Severity::High)
        );
        let duplicate = Event {
            by: None,
            entry: None,
            seq: 52,
            at: at(61),
            body: serde_json::from_value(bodies[5].clone()).unwrap(),
        };
        assert_eq!(
            copy.apply(&duplicate).unwrap_err().code,
            "duplicate_incident"
        );
        // Redacted and snapshot states are indexed too.
        let public = copy.redacted(Audience::Public);
        assert!(public.incident("CC-12").is_none(), "restricted by default");
        let back = Snapshot::new(&copy, Audience::Commander, at(70)).into_state();
        assert_eq!(back.incident("CC-49").map(|i| i.id.as_str()), Some("CC-49"));
    }

    fn check_refused(
        setup: &[serde_json::Value],
        body: serde_json::Value,
        field: &str,
        code: &str,
    ) {
        let mut state = fold(setup);
        let before = state.clone();
        let body: EventBody = serde_json::from_value(body).expect("event json");
        let event = Event {
            by: None,
            entry: None,
            seq: state.seq + 1,
            at: at(100),
            body,
        };
        let error = state.apply(&event).expect_err("must be refused");
        assert_eq!(
            (error.field.as_str(), error.code.as_str()),
            (field, code),
            "{error}"
        );
        assert_eq!(state, before, "a refused event changes nothing");
    }

    fn setup() -> Vec<serde_json::Value> {
        use serde_json::json;
        vec![
            json!({"type": "exercise_updated", "name": "Cyber Coalition", "edition": "2026",
                   "startex": "2026-11-23T08:00:00Z", "endex": "2026-11-28T08:00:00Z"}),
            json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally", "participants": 40, "teams": 3}),
            json!({"type": "nation_joined", "code": "FIN", "name": "Finland", "kind": "ally", "participants": 30, "teams": 2}),
            json!({"type": "incident_opened", "id": "INC-1", "title": "Breach attempt", "category": "classified_network_breach",
                   "severity": "high", "nations": ["EST"], "summary": "Public words", "detail": "secret", "visibility": "public"}),
        ]
    }

    #[test]
    fn an_incident_moves_through_its_statuses_with_a_timeline() {
        use serde_json::json;
        let mut events = setup();
        events.push(json!({"type": "incident_updated", "id": "INC-1", "status": "analysing", "note": "Analysts on it"}));
        events.push(json!({"type": "nation_response", "id": "INC-1", "code": "EST", "milestone": "detected"}));
        events.push(json!({"type": "incident_updated", "id": "INC-1", "status": "contained", "severity": "medium"}));
        let state = fold(&events);
        let incident = state.incident("INC-1").unwrap();
        assert_eq!(incident.status, IncidentStatus::Contained);
        assert_eq!(incident.severity, Severity::Medium);
        assert_eq!(incident.closed_at, Some(at(6)));
        let statuses: Vec<_> = incident.timeline.iter().map(|entry| entry.status).collect();
        assert_eq!(
            statuses,
            [
                IncidentStatus::Detected,
                IncidentStatus::Analysing,
                IncidentStatus::Contained
            ]
        );
        assert_eq!(
            incident.response_times(Milestone::Detected),
            [crate::types::ResponseTime {
                nation: "EST".to_string(),
                seconds: 120
            }]
        );
    }

    #[test]
    fn impossible_events_are_refused_with_the_field_at_fault() {
        use serde_json::json;
        let s = setup();
        check_refused(
            &s,
            json!({"type": "incident_updated", "id": "NOPE", "status": "resolved"}),
            "id",
            "unknown_incident",
        );
        check_refused(
            &s,
            json!({"type": "incident_updated", "id": "INC-1"}),
            "id",
            "no_change",
        );
        check_refused(
            &s,
            json!({"type": "nation_status", "code": "XYZ", "status": "online"}),
            "code",
            "unknown_nation",
        );
        check_refused(
            &s,
            json!({"type": "nation_status", "code": "est", "status": "online"}),
            "code",
            "bad_code",
        );
        check_refused(
            &s,
            json!({"type": "incident_opened", "id": "INC-2", "title": "  ", "category": "ddos", "severity": "low"}),
            "title",
            "empty",
        );
        check_refused(
            &s,
            json!({"type": "incident_opened", "id": "INC-1", "title": "x", "category": "ddos", "severity": "low"}),
            "id",
            "duplicate_incident",
        );
        check_refused(
            &s,
            json!({"type": "incident_opened", "id": "INC-2", "title": "x", "category": "ddos", "severity": "low", "nations": ["EST", "GBR"]}),
            "nations[1]",
            "unknown_nation",
        );
        check_refused(
            &s,
            json!({"type": "incident_opened", "id": "INC-2", "title": "x", "category": "DDoS!", "severity": "low"}),
            "category",
            "bad_category",
        );
        check_refused(
            &s,
            json!({"type": "exercise_updated", "endex": "2026-11-01T00:00:00Z"}),
            "endex",
            "time_out_of_range",
        );
        check_refused(
            &s,
            json!({"type": "exercise_updated", "startex": "1970-01-01T00:00:00Z"}),
            "startex",
            "time_out_of_range",
        );
        check_refused(
            &s,
            json!({"type": "nation_response", "id": "INC-1", "code": "FIN", "milestone": "detected"}),
            "code",
            "nation_not_affected",
        );
        let mut resolved = s.clone();
        resolved.push(json!({"type": "incident_updated", "id": "INC-1", "status": "resolved"}));
        check_refused(
            &resolved,
            json!({"type": "incident_updated", "id": "INC-1", "status": "analysing"}),
            "status",
            "status_backwards",
        );
        let mut reported = s.clone();
        reported.push(json!({"type": "incident_updated", "id": "INC-1", "status": "reported"}));
        check_refused(
            &reported,
            json!({"type": "incident_updated", "id": "INC-1", "status": "detected"}),
            "status",
            "status_backwards",
        );
    }

    #[test]
    fn text_that_would_lie_on_a_wall_screen_is_refused_in_every_field() {
        use serde_json::json;
        let s = setup();
        let bad: &[(&str, &str)] = &[
            ("bidi_control", "Breach \u{202E}gnirts desrever"),
            ("bidi_control", "isolate \u{2066}x\u{2069}"),
            ("bidi_control", "mark \u{200F}"),
            ("bidi_control", "arabic mark \u{061C}"),
            ("invisible_character", "zero\u{200B}width"),
            ("invisible_character", "joiner\u{2060}"),
            ("invisible_character", "\u{FEFF}bom"),
            ("invisible_character", "tag\u{E0041}"),
            ("control_character", "bell\u{7}"),
            ("control_character", "line\u{2028}separator"),
            (
                "combining_marks",
                "Z\u{0336}\u{0337}\u{0338}\u{0334}\u{0335}algo",
            ),
            (
                "combining_marks",
                "x\u{20D0}\u{20D1}\u{1AB0}\u{1DC0}\u{FE20}",
            ),
        ];
        let open = |field: &str, value: &str| {
            let mut body = json!({"type": "incident_opened", "id": "INC-2", "title": "t",
                                  "category": "ddos", "severity": "low", "visibility": "public"});
            match field {
                "inject.id" => body["inject"] = json!({"id": value, "planned_at": null}),
                field => body[field] = json!(value),
            }
            body
        };
        for (code, value) in bad {
            for field in ["title", "summary", "detail", "team", "inject.id"] {
                check_refused(&s, open(field, value), field, code);
            }
            for field in ["note", "summary", "detail", "team"] {
                check_refused(
                    &s,
                    json!({"type": "incident_updated", "id": "INC-1", field: value}),
                    field,
                    code,
                );
            }
            for field in ["name", "edition", "organiser"] {
                check_refused(
                    &s,
                    json!({"type": "exercise_updated", field: value}),
                    field,
                    code,
                );
            }
            check_refused(
                &s,
                json!({"type": "nation_joined", "code": "LVA", "name": value, "kind": "ally"}),
                "name",
                code,
            );
            // Fields that are slugs or codes refuse them as malformed.
            check_refused(
                &s,
                json!({"type": "incident_opened", "id": value, "title": "t", "category": "ddos", "severity": "low"}),
                "id",
                "bad_id",
            );
            check_refused(&s, open("category", value), "category", "bad_category");
            check_refused(
                &s,
                json!({"type": "nation_status", "code": value, "status": "online"}),
                "code",
                "bad_code",
            );
            check_refused(
                &s,
                json!({"type": "nation_response", "id": value, "code": "EST", "milestone": "detected"}),
                "id",
                "bad_id",
            );
        }
    }

    #[test]
    fn ordinary_text_in_many_scripts_is_accepted() {
        use serde_json::json;
        let mut events = setup();
        for (index, title) in [
            "Küberrünnak Tallinnas",
            "Кібератака на порт",
            "هجوم إلكتروني",
            "サイバー攻撃",
            "e\u{0301} composed, a\u{0300}\u{0301}\u{0302}\u{0303} four marks",
            "Line one\nline two\ttabbed 🔒",
        ]
        .iter()
        .enumerate()
        {
            events.push(
                json!({"type": "incident_opened", "id": format!("OK-{index}"), "title": title,
                               "category": "ddos", "severity": "low"}),
            );
        }
        let state = fold(&events);
        assert_eq!(state.incidents.len(), 7);
    }

    #[test]
    fn every_text_and_list_has_its_maximum() {
        use serde_json::json;
        let s = setup();
        let long = |n: usize| "é".repeat(n + 1);
        let open = |field: &str, value: String| {
            let mut body = json!({"type": "incident_opened", "id": "INC-2", "title": "t",
                                  "category": "ddos", "severity": "low"});
            body[field] = json!(value);
            body
        };
        check_refused(&s, open("title", long(MAX_TITLE)), "title", "too_long");
        check_refused(
            &s,
            open("summary", long(MAX_SUMMARY)),
            "summary",
            "too_long",
        );
        check_refused(&s, open("detail", long(MAX_DETAIL)), "detail", "too_long");
        check_refused(&s, open("team", long(MAX_NAME)), "team", "too_long");
        check_refused(&s, open("id", "a".repeat(MAX_ID + 1)), "id", "bad_id");
        check_refused(
            &s,
            open("category", "a".repeat(MAX_CATEGORY + 1)),
            "category",
            "bad_category",
        );
        check_refused(
            &s,
            json!({"type": "incident_updated", "id": "INC-1", "note": long(MAX_NOTE)}),
            "note",
            "too_long",
        );
        check_refused(
            &s,
            json!({"type": "exercise_updated", "name": long(MAX_NAME)}),
            "name",
            "too_long",
        );
        // At the maximum is fine.
        let mut at_max = s.clone();
        at_max.push(open("title", "é".repeat(MAX_TITLE)));
        fold(&at_max);

        // Lists: more nations than an incident may list.
        let mut many = s.clone();
        let codes: Vec<String> = (0..=MAX_INCIDENT_NATIONS)
            .map(|n| format!("N{n:03}"))
            .collect();
        for code in &codes {
            many.push(json!({"type": "nation_joined", "code": code, "name": code, "kind": "ally"}));
        }
        let mut body = open("title", "t".into());
        body["nations"] = json!(codes);
        check_refused(&many, body, "nations", "too_many");
        check_refused(
            &many,
            json!({"type": "incident_updated", "id": "INC-1", "nations": codes}),
            "nations",
            "too_many",
        );
        let mut body = open("title", "t".into());
        body["nations"] = json!(codes[..MAX_INCIDENT_NATIONS]);
        many.push(body);
        fold(&many);
    }

    #[test]
    fn the_clock_is_bounded_by_speed_and_span() {
        use serde_json::json;
        // The event that once made every read panic.
        check_refused(
            &[],
            json!({"type": "exercise_updated", "name": "Overflow", "edition": "1st", "organiser": "x",
                   "startex": "2000-01-02T00:00:00Z", "speed": 100000}),
            "speed",
            "bad_speed",
        );
        let s = setup();
        check_refused(
            &s,
            json!({"type": "exercise_updated", "speed": MAX_SPEED * 1.01}),
            "speed",
            "bad_speed",
        );
        check_refused(
            &s,
            json!({"type": "exercise_updated", "speed": 0.0}),
            "speed",
            "bad_speed",
        );
        // Five wall days at an hour a second is 49 years of exercise time.
        check_refused(
            &s,
            json!({"type": "exercise_updated", "speed": 3600}),
            "speed",
            "time_out_of_range",
        );
        let mut fast = setup();
        fast[0] = json!({"type": "exercise_updated", "name": "Fast", "speed": 3600,
                         "startex": "2026-11-23T08:00:00Z"});
        check_refused(
            &fast,
            json!({"type": "exercise_updated", "endex": "2026-12-28T08:00:00Z"}),
            "endex",
            "time_out_of_range",
        );
        let mut ok = fast.clone();
        ok.push(json!({"type": "exercise_updated", "endex": "2026-11-24T08:00:00Z"}));
        assert_eq!(fold(&ok).exercise.days(), 3600);
        check_refused(
            &s,
            json!({"type": "exercise_updated", "endex": "2101-01-01T00:00:00Z"}),
            "endex",
            "time_out_of_range",
        );
    }

    #[test]
    fn containment_can_fail_back_to_analysis() {
        assert!(status_transition_allowed(
            IncidentStatus::Contained,
            IncidentStatus::Analysing
        ));
        assert!(!status_transition_allowed(
            IncidentStatus::Resolved,
            IncidentStatus::Contained
        ));
        assert!(status_transition_allowed(
            IncidentStatus::Detected,
            IncidentStatus::Resolved
        ));
    }

    #[test]
    fn stale_events_are_not_applied_twice() {
        let mut state = fold(&setup());
        let body: EventBody = serde_json::from_value(serde_json::json!(
            {"type": "nation_status", "code": "EST", "status": "degraded"}))
        .unwrap();
        let event = Event {
            by: None,
            entry: None,
            seq: state.seq,
            at: at(50),
            body,
        };
        assert_eq!(state.apply(&event).unwrap_err().code, "stale");
        assert_eq!(
            state.nation("EST").unwrap().status,
            ConnectionStatus::Online
        );
    }

    #[test]
    fn pauses_accumulate() {
        use serde_json::json;
        let mut events = setup();
        events.push(json!({"type": "phase_changed", "phase": "execution"}));
        events.push(json!({"type": "phase_changed", "phase": "paused"}));
        events.push(json!({"type": "phase_changed", "phase": "execution"}));
        let state = fold(&events);
        assert_eq!(state.exercise.paused_ms, 60_000);
        assert_eq!(state.exercise.paused_at, None);
    }

    #[test]
    fn unknown_fields_and_types_do_not_parse() {
        assert!(serde_json::from_str::<EventBody>(
            r#"{"type":"phase_changed","phase":"execution","x":1}"#
        )
        .is_err());
        assert!(serde_json::from_str::<EventBody>(r#"{"type":"launch_missiles"}"#).is_err());
        assert!(serde_json::from_str::<EventBody>(
            r#"{"type":"phase_changed","phase":"sleeping"}"#
        )
        .is_err());
        let opened: EventBody = serde_json::from_str(
            r#"{"type":"incident_opened","id":"A","title":"t","category":"ddos","severity":"low"}"#,
        )
        .unwrap();
        let EventBody::IncidentOpened(opened) = opened else {
            panic!()
        };
        assert_eq!(
            opened.visibility,
            Visibility::Restricted,
            "restricted unless control says public"
        );
    }

    #[test]
    fn stored_events_round_trip_with_seq_and_at() {
        let body: EventBody =
            serde_json::from_str(r#"{"type":"phase_changed","phase":"paused"}"#).unwrap();
        let event = Event {
            by: None,
            entry: None,
            seq: 7,
            at: at(0),
            body,
        };
        let text = serde_json::to_string(&event).unwrap();
        assert!(text.contains(r#""type":"phase_changed""#), "{text}");
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), event);
    }
}

#[cfg(test)]
mod script_tests {
    use super::*;
    use crate::script::EntryState;

    fn at(minute: i64) -> DateTime<Utc> {
        "2026-11-23T08:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time")
            + chrono::Duration::minutes(minute)
    }

    fn started() -> State {
        let mut state = State::default();
        for body in [
            EventBody::ExerciseUpdated(ExerciseUpdated {
                name: Some("CC".into()),
                ..ExerciseUpdated::default()
            }),
            EventBody::PhaseChanged(PhaseChanged {
                phase: Phase::Execution,
                reason: None,
            }),
        ] {
            let event = Event::new(state.seq + 1, at(0), body);
            state.apply(&event).expect("valid");
        }
        state
    }

    fn post(state: &mut State, by: Option<&str>, entry: Option<u32>, body: EventBody) -> Check {
        let event = Event {
            seq: state.seq + 1,
            at: at(state.seq as i64),
            by: by.map(str::to_owned),
            entry,
            body,
        };
        state.apply(&event)
    }

    fn pause(reason: Option<&str>) -> EventBody {
        EventBody::PhaseChanged(PhaseChanged {
            phase: Phase::Paused,
            reason: reason.map(str::to_owned),
        })
    }

    #[test]
    fn an_entry_is_played_fired_or_skipped_once() {
        let mut state = started();
        let status = || {
            EventBody::NationJoined(NationJoined {
                code: "EST".into(),
                name: "Estonia".into(),
                kind: NationKind::Ally,
                participants: 0,
                teams: 0,
            })
        };
        post(&mut state, None, Some(0), status()).expect("played");
        post(&mut state, Some("White cell"), Some(2), status()).expect("fired by hand");
        let skip = || EventBody::ScenarioSkipped(ScenarioSkipped { note: None });
        post(&mut state, Some("White cell"), Some(3), skip()).expect("skipped");
        for entry in [0, 2, 3] {
            let refused = post(&mut state, None, Some(entry), status()).expect_err("twice");
            assert_eq!(refused.code, "entry_handled");
            assert!(refused.is_conflict());
            let refused = post(&mut state, Some("X"), Some(entry), skip()).expect_err("twice");
            assert_eq!(refused.code, "entry_handled");
        }
        let refused = post(&mut state, Some("X"), None, skip()).expect_err("no entry");
        assert_eq!(
            (refused.code.as_str(), refused.field.as_str()),
            ("missing", "entry")
        );
        let states: Vec<EntryState> = (0..5)
            .map(|index| state.script.state_of(index, 5))
            .collect();
        use EntryState::*;
        assert_eq!(states, [Played, Next, Fired, Skipped, Upcoming]);
        assert_eq!(state.script.handled[&2].by.as_deref(), Some("White cell"));
        // The public picture knows nothing of the script.
        assert!(state.redacted(Audience::Public).script.is_empty());
        assert!(!state.redacted(Audience::Commander).script.is_empty());
    }

    #[test]
    fn the_player_is_held_once_and_resumed_once() {
        let mut state = started();
        let hold = || {
            EventBody::ScenarioHeld(ScenarioHeld {
                reason: Some("range down".into()),
            })
        };
        let resume = || EventBody::ScenarioResumed(ScenarioResumed {});
        assert_eq!(
            post(&mut state, Some("W"), None, resume())
                .unwrap_err()
                .code,
            "not_held"
        );
        post(&mut state, Some("W"), None, hold()).expect("held");
        assert_eq!(
            state
                .script
                .held
                .as_ref()
                .and_then(|hold| hold.reason.as_deref()),
            Some("range down")
        );
        assert_eq!(
            post(&mut state, Some("W"), None, hold()).unwrap_err().code,
            "already_held"
        );
        assert_eq!(
            post(&mut state, Some("W"), Some(1), resume())
                .unwrap_err()
                .code,
            "unexpected"
        );
        post(&mut state, Some("W"), None, resume()).expect("resumed");
        assert_eq!(state.script.held, None);
        assert_eq!(state.visibility_of(&hold()), Visibility::Restricted);
    }

    #[test]
    fn a_pause_keeps_its_reason_until_it_ends_and_only_for_restricted_readers() {
        let mut state = started();
        let refused = post(
            &mut state,
            None,
            None,
            EventBody::PhaseChanged(PhaseChanged {
                phase: Phase::Execution,
                reason: Some("why".into()),
            }),
        )
        .expect_err("a reason without a pause");
        assert_eq!(refused.field, "reason");
        post(
            &mut state,
            Some("W"),
            None,
            pause(Some("power cut in the range")),
        )
        .expect("paused");
        assert_eq!(
            state.exercise.pause_reason.as_deref(),
            Some("power cut in the range")
        );
        assert_eq!(state.redacted(Audience::Public).exercise.pause_reason, None);
        let view = Snapshot::new(&state, Audience::Control, at(10));
        assert_eq!(
            view.exercise.pause_reason.as_deref(),
            Some("power cut in the range")
        );
        post(
            &mut state,
            None,
            None,
            EventBody::PhaseChanged(PhaseChanged {
                phase: Phase::Execution,
                reason: None,
            }),
        )
        .expect("resumed");
        assert_eq!(state.exercise.pause_reason, None);
    }

    #[test]
    fn a_change_says_who_made_it_to_restricted_readers_only() {
        let mut state = started();
        let opened = EventBody::IncidentOpened(IncidentOpened {
            id: "INC-1".into(),
            title: "Breach".into(),
            category: "ransomware".into(),
            severity: Severity::High,
            status: IncidentStatus::Detected,
            nations: vec![],
            team: None,
            summary: String::new(),
            detail: None,
            visibility: Visibility::Public,
            inject: None,
        });
        post(&mut state, Some("White cell"), None, opened).expect("opened");
        assert_eq!(
            state.incidents[0].timeline[0].by.as_deref(),
            Some("White cell")
        );
        let public = state.redacted(Audience::Public);
        assert_eq!(public.incidents[0].timeline[0].by, None);
        let event = Event {
            by: Some("White cell".into()),
            entry: Some(4),
            ..Event::new(9, at(9), pause(Some("r")))
        };
        let redacted = crate::redact::event(&event, Visibility::Public, Audience::Public)
            .expect("a phase change is public");
        assert_eq!((redacted.by, redacted.entry), (None, None));
        let EventBody::PhaseChanged(change) = redacted.body else {
            unreachable!()
        };
        assert_eq!(change.reason, None);
    }
}
