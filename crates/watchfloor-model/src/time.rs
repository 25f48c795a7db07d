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
    Duration::try_seconds(total).ok_or_else(|| format!("duration `{text}` is too long"))
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

/// `milliseconds` as a duration, saturating at the longest one chrono has.
pub fn saturating_milliseconds(milliseconds: i64) -> Duration {
    Duration::try_milliseconds(milliseconds).unwrap_or(if milliseconds < 0 {
        Duration::MIN
    } else {
        Duration::MAX
    })
}

/// The earliest instant the exercise clock reads: 0000-01-01T00:00:00Z.
pub fn clock_min() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(0, 1, 1)
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .expect("year 0 is a date")
        .and_utc()
}

/// The latest instant the exercise clock reads: the end of
/// [`LATEST_CLOCK_YEAR`](crate::limits::LATEST_CLOCK_YEAR).
pub fn clock_max() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(crate::limits::LATEST_CLOCK_YEAR, 12, 31)
        .and_then(|date| date.and_hms_milli_opt(23, 59, 59, 999))
        .expect("the latest clock year is a date")
        .and_utc()
}

/// `at` moved by `by`, saturating at [`clock_min`] and [`clock_max`]
/// instead of overflowing.
pub fn saturating_shift(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    match at.checked_add_signed(by) {
        Some(moved) => moved.clamp(clock_min(), clock_max()),
        None if by < Duration::zero() => clock_min(),
        None => clock_max(),
    }
}

impl Exercise {
    /// Wall-clock time spent paused up to `now`, the current pause included.
    pub fn paused_total(&self, now: DateTime<Utc>) -> Duration {
        let current = self
            .paused_at
            .map(|since| (now - since).max(Duration::zero()))
            .unwrap_or_else(Duration::zero);
        saturating_milliseconds(self.paused_ms.max(0))
            .checked_add(&current)
            .unwrap_or(Duration::MAX)
    }

    /// The exercise clock at wall time `now`: STARTEX plus the unpaused time
    /// since, scaled by the speed. `None` without a STARTEX. Whatever `now`
    /// and the speed, the clock stays within [`clock_min`]..=[`clock_max`].
    pub fn exercise_time(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let startex = self.startex?;
        let running = (now - startex)
            .checked_sub(&self.paused_total(now))
            .unwrap_or(Duration::MIN);
        if running < Duration::zero() {
            return Some(saturating_shift(startex, running));
        }
        // Float to integer casts saturate (and NaN becomes 0): no overflow.
        let scaled_ms = (running.num_milliseconds() as f64 * self.speed) as i64;
        Some(saturating_shift(
            startex,
            saturating_milliseconds(scaled_ms),
        ))
    }

    /// Exercise days in all (of simulated time), rounded up.
    pub fn days(&self) -> u32 {
        match (self.startex, self.endex) {
            (Some(startex), Some(endex)) if endex > startex => {
                let simulated = (endex - startex).num_seconds() as f64 * self.speed;
                // Saturating cast; validation keeps it to a few thousand.
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
        let day = u32::try_from((time - startex).num_seconds() / 86_400 + 1).unwrap_or(u32::MAX);
        match self.days() {
            0 => day,
            days => day.min(days),
        }
    }

    /// Wall-clock time left until ENDEX, which moves back by every pause.
    /// Frozen while paused; never negative.
    pub fn endex_in(&self, now: DateTime<Utc>) -> Option<Duration> {
        let endex = self.endex?;
        let left = match endex.checked_add_signed(self.paused_total(now)) {
            Some(moved) => moved - now,
            None => Duration::MAX,
        };
        Some(left.max(Duration::zero()))
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
            pause_reason: self.pause_reason.clone(),
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
            pause_reason: view.pause_reason,
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
    fn no_exercise_state_makes_a_read_overflow() {
        // The state the Overflow event used to leave, and worse: every read
        // saturates instead of panicking.
        let far_past = DateTime::<Utc>::MIN_UTC;
        let far_future = DateTime::<Utc>::MAX_UTC;
        for speed in [100_000.0, f64::MAX, f64::INFINITY, f64::NAN, -1.0, 0.0] {
            for paused_ms in [0, i64::MAX, i64::MIN] {
                for paused_at in [None, Some(far_past), Some(far_future)] {
                    let exercise = Exercise {
                        name: "Overflow".into(),
                        startex: Some(at("2000-01-02T00:00:00Z")),
                        endex: [None, Some(far_future)][usize::from(paused_ms == 0)],
                        speed,
                        paused_at,
                        paused_ms,
                        ..Exercise::default()
                    };
                    for now in [far_past, at("2026-11-23T08:00:00Z"), far_future] {
                        let view = exercise.view(now);
                        if let Some(time) = view.exercise_time {
                            assert!((clock_min()..=clock_max()).contains(&time), "{time}");
                        }
                        assert!(view.endex_in_s.unwrap_or(0) >= 0);
                    }
                }
            }
        }
        let overflow = Exercise {
            name: "Overflow".into(),
            startex: Some(at("2000-01-02T00:00:00Z")),
            speed: 100_000.0,
            ..Exercise::default()
        };
        let view = overflow.view(at("2026-11-23T08:00:00Z"));
        assert_eq!(view.exercise_time, Some(clock_max()), "the clock saturates");
        let text = serde_json::to_string(&view).expect("serialises");
        let back: ExerciseView = serde_json::from_str(&text).expect("round-trips");
        assert_eq!(back, view);
    }

    #[test]
    fn a_duration_too_long_for_the_clock_is_an_error() {
        assert!(parse_duration("9999999999999999s")
            .unwrap_err()
            .contains("too long"));
        assert!(parse_duration("99999999999999999999d").is_err());
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
