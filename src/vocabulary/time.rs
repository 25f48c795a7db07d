//! Time in words, said one way on every screen: lengths of time, ages,
//! offsets from an inject, countdowns, stamps, the exercise's dates, and how
//! current the data on screen is.
//!
//! Every length of time goes through [`duration`] (and so through the model's
//! one day/hour/minute/second split); the NATO date-time group and the month
//! names come from the model's `time` module.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use watchfloor_model::time::{day_hms, dtg, month_name, zulu_hm};

/// How exactly [`duration`] says a length of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// Coarser as it grows, for things that are measured: "45 s", "6 min",
    /// "1 h 05 min", "2 d 4 h".
    Rounded,
    /// Every part that is there, for things that are set: "90 s", "15 min",
    /// "10 min 30 s", "1 h 30 min", "2 d".
    Exact,
}

/// A length of time in words (negative counts as zero).
pub fn duration(length: Duration, precision: Precision) -> String {
    let (days, hours, minutes, seconds) = day_hms(length);
    let total = length.num_seconds().max(0);
    match precision {
        Precision::Rounded => {
            if total < 60 {
                format!("{total} s")
            } else if total < 3600 {
                format!("{minutes} min")
            } else if days == 0 {
                format!("{hours} h {minutes:02} min")
            } else {
                format!("{days} d {hours} h")
            }
        }
        Precision::Exact => {
            if total < 120 && total % 60 != 0 {
                return format!("{total} s");
            }
            let parts: Vec<String> = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
                .into_iter()
                .filter(|(value, _)| *value > 0)
                .map(|(value, unit)| format!("{value} {unit}"))
                .collect();
            if parts.is_empty() {
                "0 s".into()
            } else {
                parts.join(" ")
            }
        }
    }
}

/// A length of time in a table cell, in seconds: "45s", "6m", "1h05",
/// "2d04h"; negative (a milestone before the inject's planned time) with "−".
pub fn compact(seconds: i64) -> String {
    let sign = if seconds < 0 { "−" } else { "" };
    let (days, hours, minutes, rest) =
        day_hms(Duration::try_seconds(seconds.saturating_abs()).unwrap_or(Duration::MAX));
    let text = if days > 0 {
        format!("{days}d{hours:02}h")
    } else if hours > 0 {
        format!("{hours}h{minutes:02}")
    } else if minutes > 0 {
        format!("{minutes}m")
    } else {
        format!("{rest}s")
    };
    format!("{sign}{text}")
}

/// How old something seen at `then` is at `now`: "just now", "45 s old", "3 h 05 min old".
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let elapsed = now - then;
    if elapsed < Duration::seconds(5) {
        return "just now".into();
    }
    format!("{} old", duration(elapsed, Precision::Rounded))
}

/// A signed offset from a reference time (an inject): "+1 h 05 min", "−4 min".
pub fn offset(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let difference = to - from;
    if difference < Duration::zero() {
        format!("−{}", duration(-difference, Precision::Rounded))
    } else {
        format!("+{}", duration(difference, Precision::Rounded))
    }
}

/// A countdown that visibly ticks: "2 d 04:12:09", or "04:12:09" under a day.
pub fn countdown(left: Duration) -> String {
    let (days, hours, minutes, seconds) = day_hms(left);
    if days > 0 {
        format!("{days} d {hours:02}:{minutes:02}:{seconds:02}")
    } else {
        format!("{hours:02}:{minutes:02}:{seconds:02}")
    }
}

/// A compact UTC stamp for tables and axes: "25 1430Z" (day of month, hour, minute).
pub fn day_hm(at: DateTime<Utc>) -> String {
    format!("{:02} {:02}{:02}Z", at.day(), at.hour(), at.minute())
}

/// A day on an axis: "25 NOV".
pub fn day_month(at: DateTime<Utc>) -> String {
    format!(
        "{:02} {}",
        at.day(),
        watchfloor_model::time::month_abbreviation(at)
    )
}

/// "14:30Z", or "—" when there is no time.
pub fn maybe_zulu(at: Option<DateTime<Utc>>) -> String {
    at.map(zulu_hm).unwrap_or_else(|| "—".into())
}

/// A measured length of time, or "—" when there is none yet.
pub fn maybe_duration(length: Option<Duration>) -> String {
    length
        .map(|length| duration(length, Precision::Rounded))
        .unwrap_or_else(|| "—".into())
}

/// The exercise's dates as a visitor reads them: "23–28 November 2026",
/// "30 November – 4 December 2026", "30 December 2026 – 3 January 2027".
pub fn schedule_text(startex: DateTime<Utc>, endex: DateTime<Utc>) -> String {
    if startex.date_naive() == endex.date_naive() {
        format!(
            "{} {} {}",
            startex.day(),
            month_name(startex),
            startex.year()
        )
    } else if startex.year() != endex.year() {
        format!(
            "{} {} {} – {} {} {}",
            startex.day(),
            month_name(startex),
            startex.year(),
            endex.day(),
            month_name(endex),
            endex.year()
        )
    } else if startex.month() != endex.month() {
        format!(
            "{} {} – {} {} {}",
            startex.day(),
            month_name(startex),
            endex.day(),
            month_name(endex),
            endex.year()
        )
    } else {
        format!(
            "{}–{} {} {}",
            startex.day(),
            endex.day(),
            month_name(endex),
            endex.year()
        )
    }
}

/// Seconds without a live connection before a screen says its data is stale.
///
/// Short outages (a server restart for a deployment takes a few seconds) pass
/// without a word; anything longer is owned up to on screen.
pub const STALE_AFTER_S: i64 = 10;

/// Whether data that stopped being current at `since` counts as stale at `now`.
pub fn is_stale(since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    since.is_some_and(|since| now - since >= Duration::seconds(STALE_AFTER_S))
}

/// The stale marker's words: "Data as of 14:32Z — 6 min old"; the time is a
/// full date-time group once the data is from another day.
pub fn stale_text(as_of: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let when = if as_of.date_naive() == now.date_naive() {
        zulu_hm(as_of)
    } else {
        dtg(as_of)
    };
    format!(
        "Data as of {when} — {} old",
        duration(now - as_of, Precision::Rounded)
    )
}

/// The stale marker's words, if the data is stale: `since` is when the
/// connection was lost and `system_now` the platform's time (both from the
/// platform's clock, which the reconnect loop uses); `clock_now` is the time
/// on screen, perhaps corrected by the server's, in whose terms it is said.
pub fn stale_notice(
    since: Option<DateTime<Utc>>,
    system_now: DateTime<Utc>,
    clock_now: DateTime<Utc>,
) -> Option<String> {
    let since = since.filter(|since| is_stale(Some(*since), system_now))?;
    Some(stale_text(since + (clock_now - system_now), clock_now))
}

/// "Delayed by 15 min" when the server holds public events back; nothing otherwise.
pub fn delay_notice(public_delay_s: u64) -> Option<String> {
    (public_delay_s > 0).then(|| {
        let seconds = i64::try_from(public_delay_s).unwrap_or(i64::MAX);
        format!(
            "Delayed by {}",
            duration(Duration::seconds(seconds), Precision::Exact)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    #[test]
    fn compact_lengths_fit_a_cell() {
        assert_eq!(compact(45), "45s");
        assert_eq!(compact(6 * 60 + 5), "6m");
        assert_eq!(compact(3900), "1h05");
        assert_eq!(compact(2 * 86_400 + 4 * 3600), "2d04h");
        assert_eq!(compact(-300), "−5m");
        assert_eq!(compact(0), "0s");
        assert!(compact(i64::MIN).starts_with('−'));
    }

    #[test]
    fn rounded_durations_grow_coarser() {
        let check = |seconds: i64, words: &str| {
            assert_eq!(
                duration(Duration::seconds(seconds), Precision::Rounded),
                words
            )
        };
        check(-5, "0 s");
        check(59, "59 s");
        check(61, "1 min");
        check(65 * 60, "1 h 05 min");
        check(52 * 3600, "2 d 4 h");
    }

    #[test]
    fn exact_durations_keep_every_part() {
        let check = |seconds: i64, words: &str| {
            assert_eq!(
                duration(Duration::seconds(seconds), Precision::Exact),
                words
            )
        };
        check(0, "0 s");
        check(30, "30 s");
        check(90, "90 s");
        check(900, "15 min");
        check(3600, "1 h");
        check(5400, "1 h 30 min");
        check(630, "10 min 30 s");
        check(86_400, "1 d");
        check(2 * 86_400 + 3600, "2 d 1 h");
    }

    #[test]
    fn ages_and_offsets_read_like_a_person_would_say_them() {
        let now = at("2026-11-25T12:00:00Z");
        assert_eq!(age(at("2026-11-25T11:59:58Z"), now), "just now");
        assert_eq!(age(at("2026-11-25T11:59:15Z"), now), "45 s old");
        assert_eq!(age(at("2026-11-25T11:48:00Z"), now), "12 min old");
        assert_eq!(age(at("2026-11-25T08:55:00Z"), now), "3 h 05 min old");
        assert_eq!(offset(now, at("2026-11-25T13:05:00Z")), "+1 h 05 min");
        assert_eq!(offset(now, at("2026-11-25T11:55:50Z")), "−4 min");
        assert_eq!(maybe_zulu(None), "—");
        assert_eq!(maybe_zulu(Some(now)), "12:00Z");
        assert_eq!(day_hm(now), "25 1200Z");
        assert_eq!(day_month(now), "25 NOV");
        assert_eq!(maybe_duration(None), "—");
    }

    #[test]
    fn countdowns_tick_in_seconds_and_never_go_negative() {
        assert_eq!(
            countdown(Duration::seconds(2 * 86_400 + 4 * 3600 + 12 * 60 + 9)),
            "2 d 04:12:09"
        );
        assert_eq!(countdown(Duration::seconds(59)), "00:00:59");
        assert_eq!(countdown(Duration::seconds(-5)), "00:00:00");
    }

    #[test]
    fn schedules_name_each_month_and_year_once() {
        assert_eq!(
            schedule_text(at("2026-11-23T08:00:00Z"), at("2026-11-28T08:00:00Z")),
            "23–28 November 2026"
        );
        assert_eq!(
            schedule_text(at("2026-11-30T08:00:00Z"), at("2026-12-04T08:00:00Z")),
            "30 November – 4 December 2026"
        );
        assert_eq!(
            schedule_text(at("2026-12-30T08:00:00Z"), at("2027-01-03T08:00:00Z")),
            "30 December 2026 – 3 January 2027"
        );
        assert_eq!(
            schedule_text(at("2026-11-23T08:00:00Z"), at("2026-11-23T18:00:00Z")),
            "23 November 2026"
        );
    }

    #[test]
    fn stale_text_says_when_and_how_old() {
        let now = at("2026-11-25T14:38:30Z");
        assert_eq!(
            stale_text(at("2026-11-25T14:32:10Z"), now),
            "Data as of 14:32Z — 6 min old"
        );
        assert_eq!(
            stale_text(at("2026-11-25T11:00:00Z"), now),
            "Data as of 11:00Z — 3 h 38 min old"
        );
        assert_eq!(
            stale_text(at("2026-11-23T09:15:00Z"), now),
            "Data as of 230915Z NOV 26 — 2 d 5 h old"
        );
        assert!(!is_stale(None, now));
        assert!(!is_stale(
            Some(now - Duration::seconds(STALE_AFTER_S - 1)),
            now
        ));
        assert!(is_stale(Some(now - Duration::seconds(STALE_AFTER_S)), now));
    }

    #[test]
    fn the_notice_waits_out_a_short_outage_and_speaks_in_the_clock_s_terms() {
        let system = at("2026-11-25T14:38:30Z");
        // The screen's clock runs two minutes ahead of the platform's.
        let clock = system + Duration::minutes(2);
        assert_eq!(stale_notice(None, system, clock), None);
        assert_eq!(
            stale_notice(Some(system - Duration::seconds(3)), system, clock),
            None
        );
        assert_eq!(
            stale_notice(Some(system - Duration::minutes(6)), system, clock).as_deref(),
            Some("Data as of 14:34Z — 6 min old")
        );
    }

    #[test]
    fn delays_read_exactly() {
        assert_eq!(delay_notice(0), None);
        assert_eq!(delay_notice(900).as_deref(), Some("Delayed by 15 min"));
        assert_eq!(delay_notice(90).as_deref(), Some("Delayed by 90 s"));
    }
}
