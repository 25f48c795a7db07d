//! Playing the log forward in the replay: the speeds, the review clock,
//! which events are due at a review time, when playback has caught up with
//! live, where each step goes, and which `?at=` values playback wrote itself.
//!
//! The replay folds the same events through the same reducer as the live
//! store; this module only decides *which* events and *when*.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::review::Moment;
use watchfloor_model::time::saturating_shift;
use watchfloor_model::Event;

/// How often playback moves the review clock, in ms of real time.
pub const TICK_MS: u64 = 200;

/// How often playback writes the moment into the URL (replacing the
/// history entry), in ms of real time: a reload during playback lands at
/// most this far back.
pub const URL_EVERY_MS: i64 = 1_000;

/// Events fetched per page while playing.
pub const PAGE_LIMIT: u32 = 1_000;

/// Fetch the next page when fewer than this many events are waiting.
pub const LOW_WATER: usize = 250;

/// A playback speed: review seconds per real second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Speed(u32);

impl Speed {
    /// Every speed offered, slowest first: real time up to an hour a second.
    pub const ALL: [Speed; 6] = [
        Speed(1),
        Speed(10),
        Speed(60),
        Speed(300),
        Speed(900),
        Speed(3600),
    ];

    /// A minute a second: a working day in eight minutes.
    pub const DEFAULT: Speed = Speed(60);

    /// Review seconds per real second.
    pub fn factor(self) -> u32 {
        self.0
    }

    /// One of [`Speed::ALL`] by its factor (a `<select>`'s value).
    pub fn from_factor(text: &str) -> Option<Speed> {
        let factor: u32 = text.trim().parse().ok()?;
        Speed::ALL.into_iter().find(|speed| speed.0 == factor)
    }
}

impl Default for Speed {
    fn default() -> Self {
        Speed::DEFAULT
    }
}

/// The review clock `elapsed` of real time later, at `speed`.
pub fn advance(review: DateTime<Utc>, elapsed: Duration, speed: Speed) -> DateTime<Utc> {
    let elapsed_ms = elapsed.num_milliseconds().max(0);
    let moved = elapsed_ms.saturating_mul(i64::from(speed.factor()));
    saturating_shift(review, Duration::milliseconds(moved))
}

/// How many of the waiting events (in seq order) are due at review time
/// `until`: those at or before it. The log's times never go backwards, so
/// the due ones are a prefix.
pub fn due(waiting: &VecDeque<Event>, until: DateTime<Utc>) -> usize {
    waiting.iter().take_while(|event| event.at <= until).count()
}

/// Whether the replay holds everything the live store does: playing on
/// would show nothing live does not.
pub fn caught_up(replay_seq: u64, live_seq: u64) -> bool {
    replay_seq >= live_seq
}

/// Whether playback should fetch the next page: few events are waiting and
/// the log goes on beyond the last one fetched.
pub fn wants_more(waiting: usize, last_fetched: u64, live_seq: u64) -> bool {
    waiting < LOW_WATER && last_fetched < live_seq
}

/// The moment one event back: the state before the last event applied.
pub fn previous_event(seq: u64) -> Option<Moment> {
    seq.checked_sub(1).map(Moment::Seq)
}

/// The first of `times` (sorted) after `at`: the next inject.
pub fn next_after(times: &[DateTime<Utc>], at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    times.iter().copied().find(|time| *time > at)
}

/// The last of `times` (sorted) before `at`: the previous inject.
pub fn last_before(times: &[DateTime<Utc>], at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    times.iter().rev().copied().find(|time| *time < at)
}

/// The `?at=` values playback and stepping wrote into the URL themselves.
/// The store already holds those states, so when the URL reports them
/// back the replay must not fetch them again; any other value is a jump
/// (a typed moment, a pasted link, back/forward) and forgets them all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Echoes {
    written: VecDeque<String>,
}

/// The most recent writes remembered (the URL reports each back once).
const ECHOES: usize = 8;

impl Echoes {
    /// Notes a value about to be written into the URL.
    pub fn remember(&mut self, text: String) {
        self.written.push_back(text);
        while self.written.len() > ECHOES {
            self.written.pop_front();
        }
    }

    /// Whether the URL's new value is one of ours (then it and every
    /// earlier write are spent); otherwise forgets them all.
    pub fn is_echo(&mut self, text: &str) -> bool {
        match self.written.iter().position(|written| written == text) {
            Some(position) => {
                self.written.drain(..=position);
                true
            }
            None => {
                self.written.clear();
                false
            }
        }
    }

    /// Forgets every write.
    pub fn clear(&mut self) {
        self.written.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn time(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    fn event(seq: u64, at: &str) -> Event {
        Event {
            by: None,
            entry: None,
            seq,
            at: time(at),
            body: serde_json::from_value(json!({"type": "phase_changed", "phase": "execution"}))
                .expect("event json"),
        }
    }

    #[test]
    fn speeds_run_from_real_time_to_an_hour_a_second() {
        assert_eq!(Speed::ALL.first().map(|s| s.factor()), Some(1));
        assert_eq!(Speed::ALL.last().map(|s| s.factor()), Some(3600));
        assert!(Speed::ALL.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(Speed::from_factor("60"), Some(Speed::DEFAULT));
        assert_eq!(Speed::from_factor("61"), None);
        assert_eq!(Speed::from_factor("fast"), None);
    }

    #[test]
    fn the_review_clock_moves_by_real_time_times_the_speed() {
        let start = time("2026-11-25T12:00:00Z");
        assert_eq!(
            advance(start, Duration::milliseconds(200), Speed(3600)),
            time("2026-11-25T12:12:00Z")
        );
        assert_eq!(
            advance(start, Duration::milliseconds(1500), Speed(1)),
            time("2026-11-25T12:00:01.500Z")
        );
        // A clock that jumped back does not rewind the review.
        assert_eq!(advance(start, Duration::seconds(-5), Speed(60)), start);
        // Nor does a huge jump overflow.
        assert!(advance(start, Duration::days(365 * 1000), Speed(3600)) > start);
    }

    #[test]
    fn events_at_or_before_the_review_time_are_due() {
        let waiting: VecDeque<Event> = [
            event(5, "2026-11-25T12:00:00Z"),
            event(6, "2026-11-25T12:00:00Z"),
            event(7, "2026-11-25T12:00:01Z"),
            event(8, "2026-11-25T13:00:00Z"),
        ]
        .into();
        let check = |until: &str, count: usize| assert_eq!(due(&waiting, time(until)), count);
        check("2026-11-25T11:59:59Z", 0);
        check("2026-11-25T12:00:00Z", 2);
        check("2026-11-25T12:00:00.999Z", 2);
        check("2026-11-25T12:30:00Z", 3);
        check("2026-11-26T00:00:00Z", 4);
        assert_eq!(due(&VecDeque::new(), time("2026-11-26T00:00:00Z")), 0);
    }

    #[test]
    fn playback_reaches_live_at_the_live_seq_and_fetches_ahead_until_then() {
        assert!(!caught_up(41, 42));
        assert!(caught_up(42, 42));
        assert!(caught_up(43, 42), "a live store behind the server");
        assert!(wants_more(0, 10, 42));
        assert!(!wants_more(LOW_WATER, 10, 42), "enough waiting");
        assert!(!wants_more(0, 42, 42), "nothing more to fetch");
    }

    #[test]
    fn steps_go_one_event_back_and_from_inject_to_inject() {
        assert_eq!(previous_event(12), Some(Moment::Seq(11)));
        assert_eq!(previous_event(1), Some(Moment::Seq(0)));
        assert_eq!(previous_event(0), None);
        let injects = [
            time("2026-11-24T10:00:00Z"),
            time("2026-11-24T14:00:00Z"),
            time("2026-11-25T09:00:00Z"),
        ];
        let at = time("2026-11-24T14:00:00Z");
        assert_eq!(next_after(&injects, at), Some(injects[2]));
        assert_eq!(
            last_before(&injects, at),
            Some(injects[0]),
            "not the one we are at"
        );
        assert_eq!(next_after(&injects, injects[2]), None);
        assert_eq!(last_before(&injects, injects[0]), None);
    }

    #[test]
    fn the_url_reporting_our_own_writes_back_is_not_a_jump() {
        let mut echoes = Echoes::default();
        echoes.remember("2026-11-25T12:00:01Z".into());
        echoes.remember("2026-11-25T12:00:02Z".into());
        // The router may report only the latest of two quick writes.
        assert!(echoes.is_echo("2026-11-25T12:00:02Z"));
        assert!(!echoes.is_echo("2026-11-25T12:00:01Z"), "spent");
        echoes.remember("40".into());
        assert!(!echoes.is_echo("39"), "a jump");
        assert!(!echoes.is_echo("40"), "a jump forgets our writes");
        for second in 0..20 {
            echoes.remember(format!("{second}"));
        }
        assert!(echoes.is_echo("19"));
    }
}
