//! The exercise in words: which day it is and the countdown to ENDEX (or to
//! STARTEX before it), held while the exercise is paused. The header of the
//! dashboard and the display's status panel both say it this way.

use chrono::{DateTime, Utc};
use watchfloor_model::{Exercise, Phase};

use crate::vocabulary::time::countdown as countdown_words;

/// "Day 3 of 5"; before STARTEX nothing (the countdown says when it starts).
pub fn day_text(exercise: &Exercise, now: DateTime<Utc>) -> Option<String> {
    match (exercise.day(now), exercise.days()) {
        (0, _) => None,
        (day, 0) => Some(format!("Day {day}")),
        (day, days) => Some(format!("Day {day} of {days}")),
    }
}

/// The countdown as the status panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Countdown {
    /// "ENDEX in", "STARTEX in", "ENDEX".
    pub label: &'static str,
    /// "3 d 04:12:05", "04:12:05", "Exercise complete".
    pub value: String,
    /// The exercise is paused: the countdown is frozen and says so.
    pub held: bool,
}

impl Countdown {
    /// The countdown in one line, for a header: "ENDEX in 3 d 04:12:05
    /// (paused)", "STARTEX in 01:30:00", "ENDEX · Exercise complete".
    pub fn sentence(&self) -> String {
        let joint = if self.label.ends_with(" in") {
            " "
        } else {
            " · "
        };
        let held = if self.held { " (paused)" } else { "" };
        format!("{}{joint}{}{held}", self.label, self.value)
    }
}

/// The countdown of `exercise` at `now`; `None` without a schedule.
pub fn countdown(exercise: &Exercise, now: DateTime<Utc>) -> Option<Countdown> {
    if exercise.phase == Phase::Endex {
        return Some(Countdown {
            label: "ENDEX",
            value: "Exercise complete".into(),
            held: false,
        });
    }
    if let Some(startex) = exercise.startex {
        if now < startex && exercise.phase == Phase::Planning {
            return Some(Countdown {
                label: "STARTEX in",
                value: countdown_words(startex - now),
                held: false,
            });
        }
    }
    let left = exercise.endex_in(now)?;
    Some(Countdown {
        label: "ENDEX in",
        value: countdown_words(left),
        held: exercise.phase == Phase::Paused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    fn exercise(phase: Phase) -> Exercise {
        Exercise {
            name: "Cyber Coalition".into(),
            phase,
            startex: Some(at("2026-11-23T08:00:00Z")),
            endex: Some(at("2026-11-28T08:00:00Z")),
            speed: 1.0,
            ..Exercise::default()
        }
    }

    #[test]
    fn the_day_counts_from_startex() {
        let running = exercise(Phase::Execution);
        assert_eq!(day_text(&running, at("2026-11-22T08:00:00Z")), None);
        assert_eq!(
            day_text(&running, at("2026-11-25T09:00:00Z")).as_deref(),
            Some("Day 3 of 5")
        );
        let open_ended = Exercise {
            endex: None,
            ..running
        };
        assert_eq!(
            day_text(&open_ended, at("2026-11-25T09:00:00Z")).as_deref(),
            Some("Day 3")
        );
    }

    #[test]
    fn the_countdown_runs_to_endex_and_holds_while_paused() {
        let now = at("2026-11-25T04:47:55Z");
        let running = countdown(&exercise(Phase::Execution), now).expect("scheduled");
        assert_eq!(
            (running.label, running.value.as_str(), running.held),
            ("ENDEX in", "3 d 03:12:05", false)
        );

        let mut paused = exercise(Phase::Paused);
        paused.paused_at = Some(at("2026-11-25T04:00:00Z"));
        let held = countdown(&paused, now).expect("scheduled");
        assert_eq!((held.value.as_str(), held.held), ("3 d 04:00:00", true));
        let later = countdown(&paused, now + Duration::hours(2)).expect("scheduled");
        assert_eq!(later, held, "frozen while paused");
        assert_eq!(held.sentence(), "ENDEX in 3 d 04:00:00 (paused)");
        assert_eq!(running.sentence(), "ENDEX in 3 d 03:12:05");
    }

    #[test]
    fn before_startex_it_counts_to_the_start_and_after_endex_it_says_so() {
        let planning =
            countdown(&exercise(Phase::Planning), at("2026-11-23T06:30:00Z")).expect("scheduled");
        assert_eq!(
            (planning.label, planning.value.as_str()),
            ("STARTEX in", "01:30:00")
        );
        let over = countdown(&exercise(Phase::Endex), at("2026-11-28T09:00:00Z")).expect("done");
        assert_eq!(over.value, "Exercise complete");
        assert_eq!(over.sentence(), "ENDEX · Exercise complete");
        let unscheduled = Exercise::default();
        assert_eq!(countdown(&unscheduled, at("2026-11-28T09:00:00Z")), None);
    }
}
