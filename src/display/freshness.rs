//! How current what the display shows is, in words a passer-by understands:
//! "Data as of 14:32Z — 6 min old" while the server cannot be reached, and
//! "Delayed by 15 min" while the server holds public events back.

use chrono::{DateTime, Datelike, Duration, Utc};
use watchfloor_model::time::{dtg, zulu_hm};

/// Seconds without a live connection before the display says its data is stale.
///
/// Short outages (a server restart for a deployment takes a few seconds) pass
/// without a word; anything longer is owned up to on screen.
pub const STALE_AFTER_S: i64 = 10;

/// Whether data that stopped being current at `since` counts as stale at `now`.
pub fn is_stale(since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    since.is_some_and(|since| now - since >= Duration::seconds(STALE_AFTER_S))
}

/// A length of time in the display's words, coarser as it grows: "45 s",
/// "6 min", "1 h 05 min", "2 d 4 h".
pub fn span(duration: Duration) -> String {
    let seconds = duration.num_seconds().max(0);
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
    );
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3600 {
        format!("{minutes} min")
    } else if days == 0 {
        format!("{hours} h {minutes:02} min")
    } else {
        format!("{days} d {hours} h")
    }
}

/// The stale marker's words: "Data as of 14:32Z — 6 min old"; the time is a
/// full date-time group once the data is from another day.
pub fn stale_text(as_of: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let when = if as_of.date_naive() == now.date_naive() && as_of.year() == now.year() {
        zulu_hm(as_of)
    } else {
        dtg(as_of)
    };
    format!("Data as of {when} — {} old", span(now - as_of))
}

/// An embargo in the display's words: "90 s", "15 min", "1 h", "1 h 30 min".
///
/// Exact, unlike [`span`]: it states a setting, so 90 seconds is "90 s" rather
/// than a rounded "1 min".
pub fn delay(seconds: u64) -> String {
    let (hours, minutes, secs) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if seconds < 60 || (hours == 0 && secs != 0 && seconds < 600) {
        format!("{seconds} s")
    } else if hours == 0 && secs == 0 {
        format!("{minutes} min")
    } else if hours == 0 {
        format!("{minutes} min {secs} s")
    } else if minutes == 0 {
        format!("{hours} h")
    } else {
        format!("{hours} h {minutes} min")
    }
}

/// "Delayed by 15 min" when the server holds public events back; nothing otherwise.
pub fn delay_notice(public_delay_s: u64) -> Option<String> {
    (public_delay_s > 0).then(|| format!("Delayed by {}", delay(public_delay_s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    #[test]
    fn stale_text_says_when_and_how_old() {
        let now = at("2026-11-25T14:38:30Z");
        assert_eq!(
            stale_text(at("2026-11-25T14:32:10Z"), now),
            "Data as of 14:32Z — 6 min old"
        );
        assert_eq!(
            stale_text(at("2026-11-25T14:38:00Z"), now),
            "Data as of 14:38Z — 30 s old"
        );
        assert_eq!(
            stale_text(at("2026-11-25T11:00:00Z"), now),
            "Data as of 11:00Z — 3 h 38 min old"
        );
        assert_eq!(
            stale_text(at("2026-11-23T09:15:00Z"), now),
            "Data as of 230915Z NOV 26 — 2 d 5 h old"
        );
    }

    #[test]
    fn data_turns_stale_after_a_short_outage_only() {
        let now = at("2026-11-25T14:38:30Z");
        assert!(!is_stale(None, now));
        assert!(!is_stale(
            Some(now - Duration::seconds(STALE_AFTER_S - 1)),
            now
        ));
        assert!(is_stale(Some(now - Duration::seconds(STALE_AFTER_S)), now));
    }

    #[test]
    fn delays_read_exactly() {
        assert_eq!(delay(30), "30 s");
        assert_eq!(delay(90), "90 s");
        assert_eq!(delay(900), "15 min");
        assert_eq!(delay(3600), "1 h");
        assert_eq!(delay(5400), "1 h 30 min");
        assert_eq!(delay(630), "10 min 30 s");
        assert_eq!(delay(86_400), "24 h");
        assert_eq!(delay_notice(0), None);
        assert_eq!(delay_notice(900).as_deref(), Some("Delayed by 15 min"));
    }

    #[test]
    fn spans_grow_coarser() {
        assert_eq!(span(Duration::seconds(-5)), "0 s");
        assert_eq!(span(Duration::seconds(59)), "59 s");
        assert_eq!(span(Duration::seconds(61)), "1 min");
        assert_eq!(span(Duration::minutes(65)), "1 h 05 min");
        assert_eq!(span(Duration::hours(52)), "2 d 4 h");
    }
}
