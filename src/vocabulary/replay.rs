//! The replay in words: the banner, the scrubber's readouts of exercise
//! time and UTC, its marks (phases, pauses, injects), the playback speed
//! and state, and what the moment box accepts.

use chrono::{DateTime, Utc};
use watchfloor_model::time::{dtg, zulu_hms};
use watchfloor_model::{Exercise, Phase};

use crate::vocabulary::exercise::day_text;
use crate::vocabulary::time::{duration, Precision};
use crate::vocabulary::words::{phase_glyph, phase_label};

/// The banner over a replayed page: "Replay — state at 271430Z NOV 26 (seq 1234)".
pub fn banner(at: DateTime<Utc>, seq: u64) -> String {
    format!("Replay — state at {} (seq {seq})", dtg(at))
}

/// The banner while the first state of a replay is on its way.
pub fn banner_loading(moment: &str) -> String {
    format!("Replay — loading the state at {moment}…")
}

/// The banner when the state could not be read.
pub fn banner_failed(message: &str) -> String {
    format!("Replay — the state could not be read: {message}")
}

/// A speed as its control says it: "×60".
pub fn speed_label(factor: u32) -> String {
    format!("×{factor}")
}

/// A speed in words, for its option's title: "1 min of the exercise each second".
pub fn speed_meaning(factor: u32) -> String {
    if factor == 1 {
        return "real time".into();
    }
    format!(
        "{} of the exercise each second",
        duration(
            chrono::Duration::seconds(i64::from(factor)),
            Precision::Exact
        )
    )
}

/// What playback is doing: "Playing at ×60", "Paused", "Live".
pub fn playback_state(replaying: bool, playing: bool, factor: u32) -> String {
    match (replaying, playing) {
        (false, _) => "Live".into(),
        (true, true) => format!("Playing at {}", speed_label(factor)),
        (true, false) => "Paused".into(),
    }
}

/// The exercise clock at wall time `at`: "271430Z NOV 26 · Day 3 of 5";
/// before STARTEX "Before STARTEX"; with no STARTEX "No STARTEX set".
pub fn exercise_clock(exercise: &Exercise, at: DateTime<Utc>) -> String {
    let Some(time) = exercise.exercise_time(at) else {
        return "No STARTEX set".into();
    };
    match day_text(exercise, at) {
        Some(day) => format!("{} · {day}", dtg(time)),
        None => "Before STARTEX".into(),
    }
}

/// UTC to the second: "271430Z NOV 26 · 14:30:05Z".
pub fn utc(at: DateTime<Utc>) -> String {
    format!("{} · {}", dtg(at), zulu_hms(at))
}

/// Where the scrubber stands, for its `aria-valuetext`: "271430Z NOV 26,
/// 14:30:05Z, seq 1234"; "Live, now" at the live edge.
pub fn position(at: Option<(DateTime<Utc>, u64)>) -> String {
    match at {
        Some((at, seq)) => format!("{}, {}, seq {seq}", dtg(at), zulu_hms(at)),
        None => "Live, now".into(),
    }
}

/// A phase span's name on the track: "‖ Paused".
pub fn phase_mark(phase: Phase) -> String {
    format!("{} {}", phase_glyph(phase), phase_label(phase))
}

/// A phase span in full, for its title and the marks list: "Paused from
/// 241200Z NOV 26 to 241400Z NOV 26 (2 h)", "Execution since 241400Z NOV 26".
pub fn phase_span(phase: Phase, start: DateTime<Utc>, end: DateTime<Utc>, ongoing: bool) -> String {
    if ongoing {
        return format!("{} since {}", phase_label(phase), dtg(start));
    }
    format!(
        "{} from {} to {} ({})",
        phase_label(phase),
        dtg(start),
        dtg(end),
        duration(end - start, Precision::Rounded)
    )
}

/// An inject on the track: "Inject INJ-042 at 271430Z NOV 26: Ransomware at the port".
pub fn inject_mark(inject: &str, title: &str, at: DateTime<Utc>) -> String {
    format!("Inject {inject} at {}: {title}", dtg(at))
}

/// The seq on the scrubber's readout: "1234", "1234 · live".
pub fn seq(seq: u64, live: bool) -> String {
    if live {
        format!("{seq} · live")
    } else {
        seq.to_string()
    }
}

/// A replayed page while its first state is on its way.
pub const LOADING: &str = "Reading the exercise as it was…";

/// The banner for a link whose `?at=` is not a moment.
pub fn link_error(message: &str) -> String {
    format!("This link's moment is not understood ({message}); showing the live picture.")
}

/// The part of the track that has not happened yet.
pub const NOT_YET: &str = "Not yet";

/// What the moment box accepts.
pub const MOMENT_HELP: &str =
    "A seq (1234), a date-time group (271430Z NOV 26 or 271430Z) or a UTC time (2026-11-27T14:30:00Z).";

/// The marks list's summary: "Marks: 4 phases, 2 injects".
pub fn marks_summary(phases: usize, injects: usize) -> String {
    format!(
        "Marks: {}, {}",
        crate::vocabulary::words::counted(phases, "phase", "phases"),
        crate::vocabulary::words::counted(injects, "inject", "injects")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    #[test]
    fn the_banner_says_replay_and_when() {
        assert_eq!(
            banner(at("2026-11-27T14:30:05Z"), 1234),
            "Replay — state at 271430Z NOV 26 (seq 1234)"
        );
        assert_eq!(
            banner_loading("271430Z"),
            "Replay — loading the state at 271430Z…"
        );
        assert_eq!(
            banner_failed("no such moment"),
            "Replay — the state could not be read: no such moment"
        );
    }

    #[test]
    fn speeds_and_playback_read_as_words() {
        assert_eq!(speed_label(3600), "×3600");
        assert_eq!(speed_meaning(1), "real time");
        assert_eq!(speed_meaning(60), "1 min of the exercise each second");
        assert_eq!(speed_meaning(3600), "1 h of the exercise each second");
        assert_eq!(playback_state(true, true, 60), "Playing at ×60");
        assert_eq!(playback_state(true, false, 60), "Paused");
        assert_eq!(playback_state(false, false, 60), "Live");
    }

    #[test]
    fn exercise_time_and_utc_are_told_apart() {
        let exercise = Exercise {
            startex: Some(at("2026-11-23T08:00:00Z")),
            endex: Some(at("2026-11-28T08:00:00Z")),
            speed: 1.0,
            ..Exercise::default()
        };
        let now = at("2026-11-25T14:30:05Z");
        assert_eq!(
            exercise_clock(&exercise, now),
            "251430Z NOV 26 · Day 3 of 5"
        );
        assert_eq!(utc(now), "251430Z NOV 26 · 14:30:05Z");
        // A scenario played at an hour a minute: the exercise clock runs ahead.
        let fast = Exercise {
            speed: 60.0,
            endex: Some(at("2026-11-23T10:00:00Z")),
            ..exercise.clone()
        };
        assert_eq!(
            exercise_clock(&fast, at("2026-11-23T09:00:00Z")),
            "252000Z NOV 26 · Day 3 of 5"
        );
        assert_eq!(
            exercise_clock(&exercise, at("2026-11-22T08:00:00Z")),
            "Before STARTEX"
        );
        assert_eq!(exercise_clock(&Exercise::default(), now), "No STARTEX set");
    }

    #[test]
    fn marks_and_positions_read_as_words() {
        assert_eq!(
            position(Some((at("2026-11-27T14:30:05Z"), 12))),
            "271430Z NOV 26, 14:30:05Z, seq 12"
        );
        assert_eq!(position(None), "Live, now");
        assert_eq!(phase_mark(Phase::Paused), "‖ Paused");
        assert_eq!(
            phase_span(
                Phase::Paused,
                at("2026-11-24T12:00:00Z"),
                at("2026-11-24T14:00:00Z"),
                false
            ),
            "Paused from 241200Z NOV 26 to 241400Z NOV 26 (2 h 00 min)"
        );
        assert_eq!(
            phase_span(
                Phase::Execution,
                at("2026-11-24T14:00:00Z"),
                at("2026-11-25T14:00:00Z"),
                true
            ),
            "Execution since 241400Z NOV 26"
        );
        assert_eq!(
            inject_mark(
                "INJ-042",
                "Ransomware at the port",
                at("2026-11-27T14:30:00Z")
            ),
            "Inject INJ-042 at 271430Z NOV 26: Ransomware at the port"
        );
        assert_eq!(marks_summary(3, 1), "Marks: 3 phases, 1 inject");
        assert_eq!(seq(1234, false), "1234");
        assert_eq!(seq(1234, true), "1234 · live");
        assert!(link_error("`x` is not a moment").contains("showing the live picture"));
    }
}
