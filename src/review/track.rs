//! The review scrubber's track: the exercise's span laid along a line, time
//! ↔ position on it, where the live edge falls, the steps the keyboard
//! takes, and what is marked on it (phases and pauses, injects).
//!
//! Positions are fractions of the track (0 at its start, 1 at its end); the
//! view turns them into percentages, so the maths does not depend on how
//! wide the screen is.

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::{Incident, Phase};

use crate::ui::time_axis::{step, TimeRange};

/// A phase change read from the log (`GET /api/v1/events?kind=phase_changed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseChange {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub phase: Phase,
}

/// The scrubber's track: the span it covers and the live edge inside it.
/// Everything right of the live edge has not happened yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Track {
    pub range: TimeRange,
    /// "Now", within the range: the state the live store shows.
    pub live: DateTime<Utc>,
}

/// How finely the arrow keys move along the track: at most this many steps
/// from one end to the other.
const KEY_STEPS: i64 = 200;

/// How many arrow steps Page Up / Page Down take.
const PAGE_STEPS: i32 = 10;

/// A key the track's thumb understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Arrow left or down: one step earlier.
    Back,
    /// Arrow right or up: one step later.
    Forward,
    /// Page Down: ten steps earlier.
    PageBack,
    /// Page Up: ten steps later.
    PageForward,
    /// Home: the start of the track.
    Start,
    /// End: live.
    End,
}

impl Key {
    /// The key of a `KeyboardEvent.key`, if the track uses it.
    pub fn from_name(name: &str) -> Option<Key> {
        Some(match name {
            "ArrowLeft" | "ArrowDown" => Key::Back,
            "ArrowRight" | "ArrowUp" => Key::Forward,
            "PageDown" => Key::PageBack,
            "PageUp" => Key::PageForward,
            "Home" => Key::Start,
            "End" => Key::End,
            _ => return None,
        })
    }
}

/// Where the scrubber was asked to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Back to the live picture.
    Live,
    /// The state at this instant.
    At(DateTime<Utc>),
}

impl Track {
    /// The track from STARTEX (or the first event, when the log starts
    /// earlier) to ENDEX (or now without one), stretched to hold the last
    /// event known (`last_known`, e.g. a hot wash after ENDEX). Never empty:
    /// an hour from the start when the schedule makes no sense. Without any
    /// of them, the day before now.
    pub fn new(
        startex: Option<DateTime<Utc>>,
        endex: Option<DateTime<Utc>>,
        first_event: Option<DateTime<Utc>>,
        last_known: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Track {
        let start = [startex, first_event]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now - Duration::days(1));
        let mut end = endex.unwrap_or(now);
        if let Some(last) = last_known {
            end = end.max(last);
        }
        if end <= start {
            end = start + Duration::hours(1);
        }
        Track {
            range: TimeRange::new(start, end),
            live: now.clamp(start, end),
        }
    }

    /// Where `at` falls on the track, 0..=1.
    pub fn fraction(&self, at: DateTime<Utc>) -> f64 {
        let length = self.range.length().num_milliseconds();
        if length <= 0 {
            return 0.0;
        }
        let offset = (at - self.range.start).num_milliseconds();
        (offset as f64 / length as f64).clamp(0.0, 1.0)
    }

    /// The same as a percentage, for the view's `left`/`width`.
    pub fn percent(&self, at: DateTime<Utc>) -> f64 {
        self.fraction(at) * 100.0
    }

    /// The instant at a fraction of the track (clamped to it), to the second.
    pub fn at(&self, fraction: f64) -> DateTime<Utc> {
        let fraction = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let length = self.range.length().num_milliseconds() as f64;
        let at = self.range.start + Duration::milliseconds((length * fraction).round() as i64);
        whole_second(at.clamp(self.range.start, self.range.end))
    }

    /// Where a press at `x` px on a track `width` px wide (from its left
    /// edge) asks to go: the live picture at or beyond the live edge, else
    /// that instant.
    pub fn target(&self, x: f64, width: f64) -> Target {
        let fraction = if width > 0.0 { x / width } else { 1.0 };
        self.target_at(self.at(fraction))
    }

    /// Live for an instant at or past the live edge, else the instant.
    pub fn target_at(&self, at: DateTime<Utc>) -> Target {
        if at >= self.live {
            Target::Live
        } else {
            Target::At(at.max(self.range.start))
        }
    }

    /// How far one arrow key moves: a whole step of the one time ladder
    /// (`ui::time_axis::step`), about a two-hundredth of the track.
    pub fn key_step(&self) -> Duration {
        step(self.range.length(), KEY_STEPS, Duration::minutes(1))
    }

    /// Where a key moves the thumb from `from`: to whole steps (14:00Z, not
    /// 14:07:31Z), kept on the track; End (or a step past the live edge)
    /// goes live.
    pub fn keyed(&self, from: DateTime<Utc>, key: Key) -> Target {
        let step_ms = self.key_step().num_milliseconds().max(1);
        let from_ms = from.timestamp_millis();
        let moved_ms = match key {
            Key::Start => return Target::At(self.range.start),
            Key::End => return Target::Live,
            Key::Back | Key::PageBack => {
                let steps = if key == Key::Back { 1 } else { PAGE_STEPS };
                // The whole step strictly before `from`, then further whole steps.
                let below = (from_ms - 1).div_euclid(step_ms) * step_ms;
                below - i64::from(steps - 1) * step_ms
            }
            Key::Forward | Key::PageForward => {
                let steps = if key == Key::Forward { 1 } else { PAGE_STEPS };
                let above = from_ms.div_euclid(step_ms) * step_ms + step_ms;
                above + i64::from(steps - 1) * step_ms
            }
        };
        let moved = DateTime::from_timestamp_millis(moved_ms).unwrap_or(from);
        self.target_at(moved.max(self.range.start))
    }
}

/// `at` without its fraction of a second.
pub fn whole_second(at: DateTime<Utc>) -> DateTime<Utc> {
    let ms = at.timestamp_millis();
    DateTime::from_timestamp_millis(ms - ms.rem_euclid(1000)).unwrap_or(at)
}

/// One stretch of the track in one phase.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseSpan {
    pub phase: Phase,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// It runs on to the live edge: the exercise is still in this phase.
    pub ongoing: bool,
    /// Where it starts on the track and how long it is, in percent.
    pub left: f64,
    pub width: f64,
}

/// The phases along the track, from the log's phase changes: planning until
/// the first change, then each phase until the next (the same phase twice
/// in a row is one span), the last running to the live edge. Only what lies
/// on the track, before the live edge, is drawn.
pub fn phase_spans(track: &Track, changes: &[PhaseChange]) -> Vec<PhaseSpan> {
    let mut changes = changes.to_vec();
    changes.sort_by_key(|change| change.seq);
    let mut stretches: Vec<(Phase, DateTime<Utc>)> = vec![(Phase::Planning, track.range.start)];
    for change in changes {
        let at = change.at.max(track.range.start);
        match stretches.last_mut() {
            Some((phase, _)) if *phase == change.phase => {}
            // A change at the very start replaces the assumed planning.
            Some((phase, start)) if *start >= at => *phase = change.phase,
            _ => stretches.push((change.phase, at)),
        }
    }
    stretches.dedup_by(|later, earlier| later.0 == earlier.0);
    let mut spans = Vec::new();
    for (index, (phase, start)) in stretches.iter().enumerate() {
        let next = stretches.get(index + 1).map(|(_, at)| *at);
        let end = next.unwrap_or(track.live).min(track.live);
        let start = (*start).min(track.live);
        if end <= start {
            continue;
        }
        let left = track.percent(start);
        spans.push(PhaseSpan {
            phase: *phase,
            start,
            end,
            ongoing: next.is_none(),
            left,
            width: (track.percent(end) - left).max(0.0),
        });
    }
    spans
}

/// An inject on the track: an incident opened from the exercise script.
#[derive(Clone, Debug, PartialEq)]
pub struct InjectMark {
    /// The incident it opened.
    pub incident: String,
    /// The inject's reference in the script (`INJ-042`).
    pub inject: String,
    pub title: String,
    /// When the incident entered the log.
    pub at: DateTime<Utc>,
    /// Where it falls on the track, in percent.
    pub left: f64,
}

/// The injects among `incidents` (those that carry `inject`), in time order.
pub fn inject_marks(track: &Track, incidents: &[Incident]) -> Vec<InjectMark> {
    let mut marks: Vec<InjectMark> = incidents
        .iter()
        .filter_map(|incident| {
            let inject = incident.inject.as_ref()?;
            Some(InjectMark {
                incident: incident.id.clone(),
                inject: inject.id.clone(),
                title: incident.title.clone(),
                at: incident.opened_at,
                left: track.percent(incident.opened_at),
            })
        })
        .collect();
    marks.sort_by(|a, b| (a.at, &a.incident).cmp(&(b.at, &b.incident)));
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_model::{IncidentStatus, Inject, Severity};

    fn time(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    fn track() -> Track {
        // 23 to 28 November 2026, now on the 25th at noon.
        Track::new(
            Some(time("2026-11-23T08:00:00Z")),
            Some(time("2026-11-28T08:00:00Z")),
            None,
            None,
            time("2026-11-25T12:00:00Z"),
        )
    }

    fn change(seq: u64, at: &str, phase: Phase) -> PhaseChange {
        PhaseChange {
            seq,
            at: time(at),
            phase,
        }
    }

    #[test]
    fn the_track_runs_from_startex_to_endex_with_the_live_edge_inside() {
        let track = track();
        assert_eq!(track.range.start, time("2026-11-23T08:00:00Z"));
        assert_eq!(track.range.end, time("2026-11-28T08:00:00Z"));
        assert_eq!(track.live, time("2026-11-25T12:00:00Z"));
        // A log that starts before STARTEX (nations joining) and a hot wash after ENDEX.
        let wider = Track::new(
            Some(time("2026-11-23T08:00:00Z")),
            Some(time("2026-11-28T08:00:00Z")),
            Some(time("2026-11-22T15:00:00Z")),
            Some(time("2026-11-28T10:00:00Z")),
            time("2026-12-01T00:00:00Z"),
        );
        assert_eq!(wider.range.start, time("2026-11-22T15:00:00Z"));
        assert_eq!(wider.range.end, time("2026-11-28T10:00:00Z"));
        assert_eq!(wider.live, wider.range.end, "all of it has happened");
        // No schedule: first event to now.
        let open = Track::new(
            None,
            None,
            Some(time("2026-11-25T09:00:00Z")),
            None,
            time("2026-11-25T12:00:00Z"),
        );
        assert_eq!(open.range.length(), Duration::hours(3));
        assert_eq!(open.live, open.range.end);
        // Nothing at all: the day before now, never empty.
        let bare = Track::new(None, None, None, None, time("2026-11-25T12:00:00Z"));
        assert_eq!(bare.range.length(), Duration::days(1));
        let odd = Track::new(
            Some(time("2026-11-25T12:00:00Z")),
            Some(time("2026-11-25T11:00:00Z")),
            None,
            None,
            time("2026-11-25T11:00:00Z"),
        );
        assert_eq!(odd.range.length(), Duration::hours(1));
    }

    #[test]
    fn time_and_position_convert_both_ways() {
        let track = track();
        assert_eq!(track.fraction(track.range.start), 0.0);
        assert_eq!(track.fraction(track.range.end), 1.0);
        assert_eq!(track.fraction(time("2026-11-25T20:00:00Z")), 0.5);
        assert_eq!(track.fraction(time("2026-11-20T00:00:00Z")), 0.0, "clamped");
        assert_eq!(track.at(0.5), time("2026-11-25T20:00:00Z"));
        assert_eq!(track.at(-3.0), track.range.start);
        assert_eq!(track.at(f64::NAN), track.range.start);
        // To the second: a pointer lands between seconds.
        assert_eq!(track.at(0.123_456_789).timestamp_subsec_millis(), 0);
        for fraction in [0.0, 0.1, 0.25, 0.333, 0.9] {
            let at = track.at(fraction);
            assert!((track.fraction(at) - fraction).abs() < 1e-5, "{fraction}");
        }
    }

    #[test]
    fn a_press_past_the_live_edge_goes_live() {
        let track = track();
        // 120 h long, live at 52 h: 43.3 % of the way.
        assert_eq!(
            track.target(25.0, 100.0),
            Target::At(time("2026-11-24T14:00:00Z"))
        );
        assert_eq!(track.target(44.0, 100.0), Target::Live);
        assert_eq!(track.target(100.0, 100.0), Target::Live);
        assert_eq!(track.target(-5.0, 100.0), Target::At(track.range.start));
        assert_eq!(track.target(5.0, 0.0), Target::Live, "an unmeasured track");
    }

    #[test]
    fn keys_move_by_whole_steps_and_end_goes_live() {
        let track = track();
        // 120 h in at most 200 steps: an hour a step.
        assert_eq!(track.key_step(), Duration::hours(1));
        let from = time("2026-11-24T14:20:00Z");
        let check = |key: Key, expected: Target| assert_eq!(track.keyed(from, key), expected);
        check(Key::Back, Target::At(time("2026-11-24T14:00:00Z")));
        check(Key::Forward, Target::At(time("2026-11-24T15:00:00Z")));
        check(Key::PageBack, Target::At(time("2026-11-24T05:00:00Z")));
        check(Key::PageForward, Target::At(time("2026-11-25T00:00:00Z")));
        check(Key::Start, Target::At(track.range.start));
        check(Key::End, Target::Live);
        // On a whole step already, a step is a whole step away.
        let whole = time("2026-11-24T14:00:00Z");
        assert_eq!(
            track.keyed(whole, Key::Back),
            Target::At(time("2026-11-24T13:00:00Z"))
        );
        assert_eq!(
            track.keyed(whole, Key::Forward),
            Target::At(time("2026-11-24T15:00:00Z"))
        );
        // Never before the start; past the live edge is live.
        assert_eq!(
            track.keyed(track.range.start, Key::PageBack),
            Target::At(track.range.start)
        );
        assert_eq!(
            track.keyed(time("2026-11-25T11:30:00Z"), Key::Forward),
            Target::Live
        );
        assert_eq!(Key::from_name("ArrowUp"), Some(Key::Forward));
        assert_eq!(Key::from_name("PageDown"), Some(Key::PageBack));
        assert_eq!(Key::from_name("a"), None);
    }

    #[test]
    fn phases_become_spans_up_to_the_live_edge() {
        let track = track();
        let spans = phase_spans(
            &track,
            &[
                change(2, "2026-11-23T08:00:00Z", Phase::Execution),
                change(9, "2026-11-24T12:00:00Z", Phase::Paused),
                change(10, "2026-11-24T14:00:00Z", Phase::Execution),
                // The same phase again changes nothing.
                change(11, "2026-11-24T15:00:00Z", Phase::Execution),
                // Not yet happened as far as the track goes: cut at live.
                change(12, "2026-11-26T08:00:00Z", Phase::Endex),
            ],
        );
        let summary: Vec<(Phase, DateTime<Utc>, DateTime<Utc>, bool)> = spans
            .iter()
            .map(|span| (span.phase, span.start, span.end, span.ongoing))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    Phase::Execution,
                    time("2026-11-23T08:00:00Z"),
                    time("2026-11-24T12:00:00Z"),
                    false
                ),
                (
                    Phase::Paused,
                    time("2026-11-24T12:00:00Z"),
                    time("2026-11-24T14:00:00Z"),
                    false
                ),
                (
                    Phase::Execution,
                    time("2026-11-24T14:00:00Z"),
                    time("2026-11-25T12:00:00Z"),
                    false
                ),
            ]
        );
        let pause = &spans[1];
        assert!((pause.left - 23.333).abs() < 0.01, "{}", pause.left);
        assert!((pause.width - 1.667).abs() < 0.01, "{}", pause.width);
        // Still executing: the last span is ongoing.
        let ongoing = phase_spans(
            &track,
            &[change(2, "2026-11-23T09:00:00Z", Phase::Execution)],
        );
        assert_eq!(ongoing.len(), 2);
        assert_eq!(ongoing[0].phase, Phase::Planning);
        assert!(ongoing[1].ongoing);
        assert_eq!(ongoing[1].end, track.live);
        // No changes at all: planning throughout.
        let planning = phase_spans(&track, &[]);
        assert_eq!(planning.len(), 1);
        assert_eq!(planning[0].phase, Phase::Planning);
    }

    #[test]
    fn injects_are_the_incidents_that_carry_one_in_time_order() {
        let track = track();
        let incident = |id: &str, opened: &str, inject: Option<&str>| -> Incident {
            let mut incident =
                crate::fixtures::incident(id, Severity::High, IncidentStatus::Detected);
            incident.title = format!("{id} title");
            incident.opened_at = time(opened);
            incident.inject = inject.map(|inject| Inject {
                id: inject.into(),
                planned_at: None,
            });
            incident
        };
        let marks = inject_marks(
            &track,
            &[
                incident("B", "2026-11-24T10:00:00Z", Some("INJ-2")),
                incident("FREE", "2026-11-23T10:00:00Z", None),
                incident("A", "2026-11-23T20:00:00Z", Some("INJ-1")),
            ],
        );
        let ids: Vec<(&str, &str)> = marks
            .iter()
            .map(|mark| (mark.incident.as_str(), mark.inject.as_str()))
            .collect();
        assert_eq!(ids, [("A", "INJ-1"), ("B", "INJ-2")]);
        assert_eq!(marks[0].left, 10.0);
        assert_eq!(marks[1].title, "B title");
    }
}
