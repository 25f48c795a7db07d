//! Time as exercise staff use it: UTC ("Zulu"), NATO date-time groups,
//! month names, short durations, and the exercise clock with its pauses and speed.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};

use crate::types::{Exercise, ExerciseView};

/// The months' names; every other spelling of a month (the date-time
/// group's `NOV`, a tick's `25 NOV`, "23–28 November 2026") comes from here.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month's name: "November".
pub fn month_name(at: DateTime<Utc>) -> &'static str {
    MONTH_NAMES[at.month0() as usize]
}

/// The month as a date-time group writes it: the first three letters in
/// capitals, "NOV".
pub fn month_abbreviation(at: DateTime<Utc>) -> String {
    month_name(at)[..3].to_uppercase()
}

/// A NATO date-time group: `281430Z NOV 26` (day, hour, minute, zone, month, year).
pub fn dtg(at: DateTime<Utc>) -> String {
    format!(
        "{:02}{:02}{:02}Z {} {:02}",
        at.day(),
        at.hour(),
        at.minute(),
        month_abbreviation(at),
        at.year() % 100
    )
}

/// `14:30Z`.
pub fn zulu_hm(at: DateTime<Utc>) -> String {
    format!("{:02}:{:02}Z", at.hour(), at.minute())
}

/// `14:30:05Z`.
pub fn zulu_hms(at: DateTime<Utc>) -> String {
    format!("{:02}:{:02}:{:02}Z", at.hour(), at.minute(), at.second())
}

/// Parses a short duration: `90s`, `15m`, `1h`, `2d4h30m`, or `0`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::zero());
    }
    if text.is_empty() {
        return Err("empty duration: expected e.g. 90s, 15m, 1h or 2d4h".into());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for character in text.chars() {
        if character.is_ascii_digit() {
            number.push(character);
            continue;
        }
        let unit = match character {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            other => {
                return Err(format!(
                    "bad duration `{text}`: unknown unit `{other}` (use s, m, h or d)"
                ))
            }
        };
        let value: i64 = number.parse().map_err(|_| {
            format!("bad duration `{text}`: a number must come before `{character}`")
        })?;
        total = value
            .checked_mul(unit)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(|| format!("duration `{text}` is too long"))?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(format!(
            "bad duration `{text}`: `{number}` has no unit (use s, m, h or d)"
        ));
    }
    Ok(Duration::seconds(total))
}

/// A duration as whole days, hours, minutes and seconds (negative counts as zero).
pub fn day_hms(duration: Duration) -> (i64, i64, i64, i64) {
    let seconds = duration.num_seconds().max(0);
    (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    )
}

impl Exercise {
    /// Wall-clock time spent paused up to `now`, the current pause included.
    pub fn paused_total(&self, now: DateTime<Utc>) -> Duration {
        let current = self
            .paused_at
            .map(|since| (now - since).max(Duration::zero()))
            .unwrap_or_else(Duration::zero);
        Duration::milliseconds(self.paused_ms) + current
    }

    /// The exercise clock at wall time `now`: STARTEX plus the unpaused time
    /// since, scaled by the speed. `None` without a STARTEX.
    pub fn exercise_time(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let startex = self.startex?;
        let running = now - startex - self.paused_total(now);
        if running < Duration::zero() {
            return Some(startex + running);
        }
        let scaled_ms = (running.num_milliseconds() as f64 * self.speed) as i64;
        Some(startex + Duration::milliseconds(scaled_ms))
    }

    /// Exercise days in all (of simulated time), rounded up.
    pub fn days(&self) -> u32 {
        match (self.startex, self.endex) {
            (Some(startex), Some(endex)) if endex > startex => {
                let simulated = (endex - startex).num_seconds() as f64 * self.speed;
                (simulated / 86_400.0).ceil().max(1.0) as u32
            }
            _ => 0,
        }
    }

    /// The exercise day at `now`: 0 before STARTEX, then 1..=days.
    pub fn day(&self, now: DateTime<Utc>) -> u32 {
        let (Some(startex), Some(time)) = (self.startex, self.exercise_time(now)) else {
            return 0;
        };
        if time < startex {
            return 0;
        }
        let day = ((time - startex).num_seconds() / 86_400 + 1) as u32;
        match self.days() {
            0 => day,
            days => day.min(days),
        }
    }

    /// Wall-clock time left until ENDEX, which moves back by every pause.
    /// Frozen while paused; never negative.
    pub fn endex_in(&self, now: DateTime<Utc>) -> Option<Duration> {
        let endex = self.endex?;
        Some((endex + self.paused_total(now) - now).max(Duration::zero()))
    }

    /// The exercise as seen at `now`.
    pub fn view(&self, now: DateTime<Utc>) -> ExerciseView {
        ExerciseView {
            name: self.name.clone(),
            edition: self.edition.clone(),
            organiser: self.organiser.clone(),
            phase: self.phase,
            startex: self.startex,
            endex: self.endex,
            day: self.day(now),
            days: self.days(),
            speed: self.speed,
            paused_at: self.paused_at,
            paused_ms: self.paused_ms,
            exercise_time: self.exercise_time(now),
            endex_in_s: self.endex_in(now).map(|left| left.num_seconds()),
            as_of: now,
        }
    }
}

impl From<ExerciseView> for Exercise {
    fn from(view: ExerciseView) -> Self {
        Exercise {
            name: view.name,
            edition: view.edition,
            organiser: view.organiser,
            phase: view.phase,
            startex: view.startex,
            endex: view.endex,
            speed: view.speed,
            paused_at: view.paused_at,
            paused_ms: view.paused_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Phase;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    #[test]
    fn dtg_is_nato_form() {
        assert_eq!(dtg(at("2026-11-28T14:30:59Z")), "281430Z NOV 26");
        assert_eq!(dtg(at("2027-01-02T03:04:00Z")), "020304Z JAN 27");
        assert_eq!(dtg(at("2026-09-02T03:04:00Z")), "020304Z SEP 26");
    }

    #[test]
    fn durations_parse_and_reject() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::seconds(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::minutes(15));
        assert_eq!(parse_duration("1h").unwrap(), Duration::hours(1));
        assert_eq!(
            parse_duration("2d4h30m").unwrap(),
            Duration::minutes(2 * 1440 + 270)
        );
        assert!(parse_duration("15").unwrap_err().contains("no unit"));
        assert!(parse_duration("5w").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("").is_err());
    }

    fn exercise() -> Exercise {
        Exercise {
            name: "CC".into(),
            phase: Phase::Execution,
            startex: Some(at("2026-11-23T08:00:00Z")),
            endex: Some(at("2026-11-28T08:00:00Z")),
            speed: 1.0,
            ..Exercise::default()
        }
    }

    #[test]
    fn day_of_n_follows_the_clock() {
        let exercise = exercise();
        assert_eq!(exercise.days(), 5);
        assert_eq!(exercise.day(at("2026-11-22T08:00:00Z")), 0);
        assert_eq!(exercise.day(at("2026-11-23T08:00:00Z")), 1);
        assert_eq!(exercise.day(at("2026-11-25T09:00:00Z")), 3);
        assert_eq!(exercise.day(at("2026-12-25T09:00:00Z")), 5);
    }

    #[test]
    fn a_pause_stops_the_clock_and_the_countdown() {
        let mut exercise = exercise();
        exercise.paused_at = Some(at("2026-11-24T08:00:00Z"));
        let frozen = exercise.endex_in(at("2026-11-24T09:00:00Z"));
        assert_eq!(frozen, exercise.endex_in(at("2026-11-24T12:00:00Z")));
        assert_eq!(frozen, Some(Duration::days(4)));
        assert_eq!(
            exercise.exercise_time(at("2026-11-24T12:00:00Z")),
            Some(at("2026-11-24T08:00:00Z"))
        );
    }

    #[test]
    fn speed_scales_simulated_time() {
        let mut exercise = exercise();
        exercise.speed = 60.0;
        exercise.endex = Some(at("2026-11-23T10:00:00Z"));
        assert_eq!(exercise.days(), 5);
        assert_eq!(exercise.day(at("2026-11-23T08:30:00Z")), 2);
    }
}
