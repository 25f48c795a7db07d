//! Scripted exercises: a list of events, each at an offset from STARTEX in
//! exercise time. The server's scenario player plays them on the exercise
//! clock through the same validation and log as posted events.
//!
//! ```json
//! {"name": "Cyber Coalition demo", "duration": "5d", "start_at": "2d6h",
//!  "entries": [{"at": "0s", "type": "nation_joined", "code": "EST", ...}, ...]}
//! ```

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{Event, EventBody, ExerciseUpdated};
use crate::script::ScriptEntry;
use crate::state::State;
use crate::time::parse_duration;

/// A scripted exercise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Exercise time from STARTEX to ENDEX, e.g. `5d`.
    pub duration: String,
    /// Where a demo joins the script: entries before it are played at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    pub entries: Vec<Entry>,
}

/// One scripted event at an offset from STARTEX (exercise time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: String,
    #[serde(flatten)]
    pub event: EventBody,
}

/// One problem in a scenario: which entry (0-based; `None` for the header), which field, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub entry: Option<usize>,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.entry {
            Some(entry) => write!(f, "entry {entry}: {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

/// One event of a scenario placed on the wall clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduled {
    /// The entry's index; `None` for the player's own opening `exercise_updated`.
    pub entry: Option<usize>,
    pub at: DateTime<Utc>,
    pub event: EventBody,
}

impl Scheduled {
    /// The event this item appends as `seq`, carrying its entry's index.
    pub fn to_event(&self, seq: u64) -> Event {
        Event {
            seq,
            at: self.at,
            by: None,
            entry: self.entry.and_then(|index| u32::try_from(index).ok()),
            body: self.event.clone(),
        }
    }
}

impl Scenario {
    /// Parses a scenario file's text, with the JSON position of any syntax error.
    pub fn parse(text: &str) -> Result<Scenario, Problem> {
        serde_json::from_str(text).map_err(|error| Problem {
            entry: None,
            field: format!("line {} column {}", error.line(), error.column()),
            message: error.to_string(),
        })
    }

    /// Exercise time from STARTEX to ENDEX.
    pub fn duration(&self) -> Result<Duration, Problem> {
        parse_duration(&self.duration).map_err(|message| Problem {
            entry: None,
            field: "duration".into(),
            message,
        })
    }

    /// The offset of the demo's jump-in point (zero when unset).
    pub fn start_offset(&self) -> Result<Duration, Problem> {
        match &self.start_at {
            None => Ok(Duration::zero()),
            Some(text) => parse_duration(text).map_err(|message| Problem {
                entry: None,
                field: "start_at".into(),
                message,
            }),
        }
    }

    /// Places every entry on the wall clock for an exercise starting at
    /// `startex` and played at `speed` simulated seconds per second. The first
    /// event sets the schedule and speed.
    pub fn schedule(
        &self,
        startex: DateTime<Utc>,
        speed: f64,
    ) -> Result<Vec<Scheduled>, Vec<Problem>> {
        let mut problems = Vec::new();
        let duration = self.duration().map_err(|problem| vec![problem])?;
        // Saturating: an absurd duration or speed gives a time validation
        // refuses (a problem reported), never an overflow.
        let wall = |offset: Duration| {
            crate::time::saturating_shift(
                startex,
                crate::time::saturating_milliseconds(
                    (offset.num_milliseconds() as f64 / speed) as i64,
                ),
            )
        };
        // ENDEX is set so that the countdown reaches zero at the script's end:
        // the exercise clock stands still through the script's own pauses.
        let endex = wall(
            duration
                .checked_sub(&self.scripted_pauses())
                .unwrap_or(Duration::MIN),
        );
        let mut scheduled = vec![Scheduled {
            entry: None,
            at: startex,
            event: EventBody::ExerciseUpdated(ExerciseUpdated {
                name: Some(self.name.clone()),
                startex: Some(startex),
                endex: Some(endex),
                speed: Some(speed),
                ..ExerciseUpdated::default()
            }),
        }];
        let mut previous = Duration::zero();
        for (index, entry) in self.entries.iter().enumerate() {
            match parse_duration(&entry.at) {
                Err(message) => problems.push(Problem {
                    entry: Some(index),
                    field: "at".into(),
                    message,
                }),
                Ok(offset) if offset < previous => problems.push(Problem {
                    entry: Some(index),
                    field: "at".into(),
                    message: format!(
                        "`{}` comes before the previous entry: entries must be in time order",
                        entry.at
                    ),
                }),
                Ok(offset) if offset > duration => problems.push(Problem {
                    entry: Some(index),
                    field: "at".into(),
                    message: format!("`{}` is after ENDEX (duration {})", entry.at, self.duration),
                }),
                Ok(offset) => {
                    previous = offset;
                    scheduled.push(Scheduled {
                        entry: Some(index),
                        at: wall(offset),
                        event: entry.event.clone(),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(scheduled)
        } else {
            Err(problems)
        }
    }

    /// The entries as planned on a schedule placed at `startex` and `speed`:
    /// when each is due, and the exercise time it falls on (its offset less
    /// the script's own pauses before it, during which the exercise clock
    /// stands still).
    pub fn planned(
        &self,
        startex: DateTime<Utc>,
        speed: f64,
    ) -> Result<Vec<ScriptEntry>, Vec<Problem>> {
        let schedule = self.schedule(startex, speed)?;
        let mut paused = Duration::zero();
        let mut paused_since: Option<Duration> = None;
        let mut planned = Vec::with_capacity(self.entries.len());
        for (scheduled, (index, entry)) in schedule[1..].iter().zip(self.entries.iter().enumerate())
        {
            let offset = parse_duration(&entry.at).unwrap_or_else(|_| Duration::zero());
            let running_pause = paused_since.map_or(Duration::zero(), |since| offset - since);
            let exercise = offset
                .checked_sub(&paused)
                .and_then(|running| running.checked_sub(&running_pause))
                .unwrap_or_else(Duration::zero);
            if let EventBody::PhaseChanged(change) = &entry.event {
                match (paused_since, change.phase) {
                    (None, crate::types::Phase::Paused) => paused_since = Some(offset),
                    (Some(since), phase) if phase != crate::types::Phase::Paused => {
                        paused = paused
                            .checked_add(&(offset - since))
                            .unwrap_or(Duration::MAX);
                        paused_since = None;
                    }
                    _ => {}
                }
            }
            planned.push(ScriptEntry {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                offset: entry.at.clone(),
                due: scheduled.at,
                exercise_time: startex.checked_add_signed(exercise),
                event: entry.event.clone(),
            });
        }
        Ok(planned)
    }

    /// Script time spent paused: from each `phase_changed` to `paused` to the
    /// next `phase_changed` to another phase.
    pub fn scripted_pauses(&self) -> Duration {
        let mut total = Duration::zero();
        let mut paused_since = None;
        for entry in &self.entries {
            let (EventBody::PhaseChanged(change), Ok(offset)) =
                (&entry.event, parse_duration(&entry.at))
            else {
                continue;
            };
            match (paused_since, change.phase) {
                (None, crate::types::Phase::Paused) => paused_since = Some(offset),
                (Some(since), phase) if phase != crate::types::Phase::Paused => {
                    total = total
                        .checked_add(&(offset - since))
                        .unwrap_or(Duration::MAX);
                    paused_since = None;
                }
                _ => {}
            }
        }
        total
    }

    /// Every problem in the scenario: bad offsets, and each event that the
    /// reducer would refuse at its place in the script.
    pub fn check(&self) -> Vec<Problem> {
        let startex: DateTime<Utc> = "2026-01-05T08:00:00Z".parse().expect("fixed time");
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(Problem {
                entry: None,
                field: "name".into(),
                message: "the scenario needs a name".into(),
            });
        }
        if let Err(problem) = self.start_offset() {
            problems.push(problem);
        }
        let scheduled = match self.schedule(startex, 1.0) {
            Ok(scheduled) => scheduled,
            Err(mut found) => {
                problems.append(&mut found);
                return problems;
            }
        };
        if self.entries.len() > crate::limits::MAX_SCRIPT_ENTRIES {
            problems.push(Problem {
                entry: None,
                field: "entries".into(),
                message: format!(
                    "{} entries: a scenario has at most {}",
                    self.entries.len(),
                    crate::limits::MAX_SCRIPT_ENTRIES
                ),
            });
            return problems;
        }
        let mut state = State::default();
        for item in scheduled {
            if item.event.is_control_only() {
                problems.push(Problem {
                    entry: item.entry,
                    field: "type".into(),
                    message: format!(
                        "`{}` is control's, from the console; it cannot be scripted",
                        item.event.kind()
                    ),
                });
                continue;
            }
            let event = item.to_event(state.seq + 1);
            if let Err(error) = state.apply(&event) {
                problems.push(Problem {
                    entry: item.entry,
                    field: error.field,
                    message: error.message,
                });
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_with_its_entry() {
        let scenario = Scenario::parse(
            r#"{"name": "t", "duration": "1d", "entries": [
                {"at": "0s", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"},
                {"at": "1h", "type": "nation_status", "code": "XYZ", "status": "online"},
                {"at": "2h", "type": "incident_updated", "id": "NOPE", "status": "resolved"}
            ]}"#,
        )
        .unwrap();
        let problems = scenario.check();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].entry, Some(1));
        assert_eq!(problems[0].field, "code");
        assert_eq!(problems[1].entry, Some(2));
        assert_eq!(problems[1].field, "id");
    }

    #[test]
    fn planned_entries_are_due_on_the_schedule_and_stand_still_through_scripted_pauses() {
        let scenario = Scenario::parse(
            r#"{"name": "t", "duration": "1d", "entries": [
                {"at": "0s", "type": "phase_changed", "phase": "execution"},
                {"at": "2h", "type": "phase_changed", "phase": "paused"},
                {"at": "3h", "type": "phase_changed", "phase": "execution"},
                {"at": "5h", "type": "phase_changed", "phase": "endex"}
            ]}"#,
        )
        .unwrap();
        let startex: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
        let planned = scenario.planned(startex, 2.0).unwrap();
        let hours = |entry: &ScriptEntry| {
            (
                (entry.due - startex).num_minutes(),
                (entry.exercise_time.unwrap() - startex).num_hours(),
            )
        };
        // Due at half the offset (speed 2); the hour paused is not exercise time.
        assert_eq!(
            planned.iter().map(hours).collect::<Vec<_>>(),
            [(0, 0), (60, 2), (90, 2), (150, 4)]
        );
        assert_eq!(planned[3].index, 3);
        assert_eq!(planned[3].offset, "5h");
    }

    #[test]
    fn offsets_must_be_in_order_and_inside_the_exercise() {
        let scenario = Scenario::parse(
            r#"{"name": "t", "duration": "1d", "entries": [
                {"at": "2h", "type": "phase_changed", "phase": "execution"},
                {"at": "1h", "type": "phase_changed", "phase": "paused"},
                {"at": "2d", "type": "phase_changed", "phase": "endex"}
            ]}"#,
        )
        .unwrap();
        let problems = scenario.check();
        assert_eq!(
            problems.iter().map(|p| p.entry).collect::<Vec<_>>(),
            [Some(1), Some(2)]
        );
    }

    #[test]
    fn speed_compresses_the_wall_clock() {
        let scenario = Scenario::parse(
            r#"{"name": "t", "duration": "5d", "entries": [
                {"at": "1h", "type": "phase_changed", "phase": "execution"}
            ]}"#,
        )
        .unwrap();
        let start: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
        let scheduled = scenario.schedule(start, 60.0).unwrap();
        assert_eq!(scheduled[1].at, start + Duration::minutes(1));
        let EventBody::ExerciseUpdated(opening) = &scheduled[0].event else {
            panic!()
        };
        assert_eq!(opening.endex, Some(start + Duration::hours(2)));
    }

    #[test]
    fn endex_allows_for_the_scripts_pauses() {
        let scenario = Scenario::parse(
            r#"{"name": "t", "duration": "1d", "entries": [
                {"at": "0s", "type": "phase_changed", "phase": "execution"},
                {"at": "2h", "type": "phase_changed", "phase": "paused"},
                {"at": "2h20m", "type": "phase_changed", "phase": "execution"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(scenario.scripted_pauses(), Duration::minutes(20));
        let start: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
        let EventBody::ExerciseUpdated(opening) = &scenario.schedule(start, 1.0).unwrap()[0].event
        else {
            panic!()
        };
        assert_eq!(
            opening.endex,
            Some(start + Duration::hours(24) - Duration::minutes(20))
        );
    }
}
