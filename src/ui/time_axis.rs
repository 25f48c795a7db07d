//! The one time axis behind every chart over time: the exercise's time span,
//! steps chosen from one ladder of whole UTC units, buckets aligned to them
//! (the overview's activity chart, the display's activity panel) and tick
//! marks (the incidents timeline).

use chrono::{DateTime, Duration, Utc};

/// A stretch of time, `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeRange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl TimeRange {
    /// The range from `start` to `end` (an `end` before `start` is taken as `start`).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        TimeRange {
            start,
            end: end.max(start),
        }
    }

    /// How long it lasts.
    pub fn length(&self) -> Duration {
        self.end - self.start
    }
}

/// The exercise's time span — the one rule every chart and the timeline's
/// "whole exercise" zoom use: from STARTEX (else the first incident, else a
/// day before `now`) to ENDEX (else an hour after `now`), and never empty
/// (a day when the schedule makes no sense).
pub fn exercise_range(
    startex: Option<DateTime<Utc>>,
    endex: Option<DateTime<Utc>>,
    first_incident: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> TimeRange {
    let start = startex
        .or(first_incident)
        .unwrap_or(now - Duration::days(1));
    let end = endex.unwrap_or(now + Duration::hours(1));
    if end > start {
        TimeRange { start, end }
    } else {
        TimeRange::new(start, start + Duration::days(1))
    }
}

/// The part of the exercise's span that has happened by `now` (charts of
/// what has happened end here); the day before `now` when the exercise has
/// not begun.
pub fn elapsed_range(exercise: TimeRange, now: DateTime<Utc>) -> TimeRange {
    if exercise.start >= now {
        return TimeRange::new(now - Duration::days(1), now);
    }
    TimeRange::new(exercise.start, exercise.end.min(now))
}

/// Every step an axis may use, in minutes: whole UTC units from 5 minutes to 2 days.
const STEPS_MIN: &[i64] = &[5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880];

/// The smallest step of the ladder, at least `at_least`, that cuts `length`
/// into at most `max_count` pieces (the largest step when none does).
pub fn step(length: Duration, max_count: i64, at_least: Duration) -> Duration {
    let minutes = length.num_minutes().max(1);
    let max_count = max_count.max(1);
    let chosen = STEPS_MIN
        .iter()
        .copied()
        .filter(|step| *step >= at_least.num_minutes())
        .find(|step| minutes <= step * max_count)
        .unwrap_or(STEPS_MIN[STEPS_MIN.len() - 1]);
    Duration::minutes(chosen)
}

/// Equal buckets of one step, aligned to whole steps in UTC, covering a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buckets {
    first_ms: i64,
    end_ms: i64,
    step_ms: i64,
    count: usize,
}

/// Charts never draw more bars than this, whatever they are asked.
const MAX_BUCKETS: i64 = 1_000;

impl Buckets {
    /// Buckets of `step` from the whole step at or before `range.start` to
    /// the one holding `range.end`.
    pub fn new(range: TimeRange, step: Duration) -> Self {
        let step_ms = step.num_milliseconds().max(60_000);
        let first_ms = range.start.timestamp_millis().div_euclid(step_ms) * step_ms;
        let end_ms = range.end.timestamp_millis();
        let count = ((end_ms - first_ms) / step_ms + 1).clamp(1, MAX_BUCKETS) as usize;
        Buckets {
            first_ms,
            end_ms,
            step_ms,
            count,
        }
    }

    /// How many buckets there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none (never: a range always has its first bucket).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The size of one bucket.
    pub fn step(&self) -> Duration {
        Duration::milliseconds(self.step_ms)
    }

    /// When bucket `index` starts.
    pub fn start(&self, index: usize) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.first_ms + index as i64 * self.step_ms)
            .unwrap_or_default()
    }

    /// The bucket holding `at`, if `at` is inside the range.
    pub fn index(&self, at: DateTime<Utc>) -> Option<usize> {
        let ms = at.timestamp_millis();
        (ms >= self.first_ms && ms <= self.end_ms)
            .then(|| ((ms - self.first_ms) / self.step_ms) as usize)
            .filter(|index| *index < self.count)
    }
}

/// The instants of whole `step`s inside `range` (the first at or after its
/// start), at most `limit` of them: where an axis puts its ticks.
pub fn whole_steps(range: TimeRange, step: Duration, limit: usize) -> Vec<DateTime<Utc>> {
    let step_ms = step.num_milliseconds().max(60_000);
    let start_ms = range.start.timestamp_millis();
    let mut ms = start_ms.div_euclid(step_ms) * step_ms;
    if ms < start_ms {
        ms += step_ms;
    }
    let mut out = Vec::new();
    while ms <= range.end.timestamp_millis() && out.len() < limit {
        if let Some(at) = DateTime::from_timestamp_millis(ms) {
            out.push(at);
        }
        ms += step_ms;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    #[test]
    fn the_exercise_span_falls_back_sensibly() {
        let now = at("2026-11-25T12:00:00Z");
        let scheduled = exercise_range(
            Some(at("2026-11-23T08:00:00Z")),
            Some(at("2026-11-28T08:00:00Z")),
            None,
            now,
        );
        assert_eq!(
            scheduled,
            TimeRange::new(at("2026-11-23T08:00:00Z"), at("2026-11-28T08:00:00Z"))
        );
        assert_eq!(
            elapsed_range(scheduled, now),
            TimeRange::new(at("2026-11-23T08:00:00Z"), now)
        );
        assert_eq!(
            exercise_range(None, None, Some(at("2026-11-25T02:00:00Z")), now),
            TimeRange::new(at("2026-11-25T02:00:00Z"), at("2026-11-25T13:00:00Z"))
        );
        // ENDEX before STARTEX: a day from STARTEX rather than nothing.
        let odd = exercise_range(Some(now), Some(now - Duration::hours(1)), None, now);
        assert_eq!(odd.length(), Duration::days(1));
        // Not begun yet: the charts show the day before now.
        let future = exercise_range(Some(now + Duration::hours(2)), None, None, now);
        assert_eq!(
            elapsed_range(future, now),
            TimeRange::new(now - Duration::days(1), now)
        );
    }

    #[test]
    fn steps_come_from_one_ladder() {
        let hour = Duration::hours(1);
        assert_eq!(step(Duration::hours(24), 48, hour), Duration::hours(1));
        assert_eq!(step(Duration::hours(120), 48, hour), Duration::hours(3));
        assert_eq!(step(Duration::days(30), 48, hour), Duration::days(1));
        assert_eq!(step(Duration::days(90), 48, hour), Duration::days(2));
        assert_eq!(
            step(Duration::hours(6), 12, Duration::zero()),
            Duration::minutes(30)
        );
    }

    #[test]
    fn buckets_are_aligned_and_hold_the_range() {
        let range = TimeRange::new(at("2026-11-24T08:30:00Z"), at("2026-11-24T10:15:00Z"));
        let buckets = Buckets::new(range, Duration::hours(1));
        assert_eq!(buckets.len(), 3);
        assert_eq!(buckets.start(0), at("2026-11-24T08:00:00Z"));
        assert_eq!(buckets.index(at("2026-11-24T09:59:00Z")), Some(1));
        assert_eq!(buckets.index(at("2026-11-24T10:15:00Z")), Some(2));
        assert_eq!(buckets.index(at("2026-11-24T10:16:00Z")), None);
        assert_eq!(buckets.index(at("2026-11-24T07:59:00Z")), None);
    }

    #[test]
    fn whole_steps_start_at_or_after_the_range() {
        let range = TimeRange::new(at("2026-11-24T21:10:00Z"), at("2026-11-25T00:00:00Z"));
        assert_eq!(
            whole_steps(range, Duration::hours(1), 10),
            [
                at("2026-11-24T22:00:00Z"),
                at("2026-11-24T23:00:00Z"),
                at("2026-11-25T00:00:00Z")
            ]
        );
        assert_eq!(whole_steps(range, Duration::hours(1), 1).len(), 1);
    }
}
