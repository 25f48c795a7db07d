//! Words and glyphs for the model's enums, and small time formats.
//!
//! Severity, status and connection state are never shown by colour alone: each
//! has a word and a glyph of its own shape, chosen here once for every screen.

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::time::{format_duration, zulu_hm};
use watchfloor_model::{
    Audience, ConnectionStatus, IncidentStatus, NationKind, Phase, Severity, Visibility,
};

/// "Critical", "High", ...
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// A shape per severity: circle, square, triangle, diamond.
pub fn severity_glyph(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "●",
        Severity::Medium => "■",
        Severity::High => "▲",
        Severity::Critical => "◆",
    }
}

/// One letter per severity, for the narrow bars of the timeline.
pub fn severity_letter(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "L",
        Severity::Medium => "M",
        Severity::High => "H",
        Severity::Critical => "C",
    }
}

/// "Detected", "Analysing", ...
pub fn status_label(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Detected => "Detected",
        IncidentStatus::Reported => "Reported",
        IncidentStatus::Analysing => "Analysing",
        IncidentStatus::Contained => "Contained",
        IncidentStatus::Resolved => "Resolved",
    }
}

/// A pie that fills along the usual path of an incident.
pub fn status_glyph(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Detected => "○",
        IncidentStatus::Reported => "◔",
        IncidentStatus::Analysing => "◑",
        IncidentStatus::Contained => "◕",
        IncidentStatus::Resolved => "●",
    }
}

/// "Online", "Degraded", "Offline".
pub fn connection_label(status: ConnectionStatus) -> &'static str {
    match status {
        ConnectionStatus::Online => "Online",
        ConnectionStatus::Degraded => "Degraded",
        ConnectionStatus::Offline => "Offline",
    }
}

/// Full, half, cross.
pub fn connection_glyph(status: ConnectionStatus) -> &'static str {
    match status {
        ConnectionStatus::Online => "●",
        ConnectionStatus::Degraded => "◐",
        ConnectionStatus::Offline => "✕",
    }
}

/// "Ally", "Partner", "Organisation".
pub fn kind_label(kind: NationKind) -> &'static str {
    match kind {
        NationKind::Ally => "Ally",
        NationKind::Partner => "Partner",
        NationKind::Organisation => "Organisation",
    }
}

/// "Planning", "Execution", "Paused", "ENDEX".
pub fn phase_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Planning => "Planning",
        Phase::Execution => "Execution",
        Phase::Paused => "Paused",
        Phase::Endex => "ENDEX",
    }
}

/// "Public", "Commander", "Control".
pub fn audience_label(audience: Audience) -> &'static str {
    match audience {
        Audience::Public => "Public",
        Audience::Commander => "Commander",
        Audience::Control => "Control",
    }
}

/// "Public" or "Restricted".
pub fn visibility_label(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Public => "Public",
        Visibility::Restricted => "Restricted",
    }
}

/// How old something seen at `then` is at `now`, in words: "just now", "45s old", "12m old", "3h 05m old".
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let elapsed = now - then;
    if elapsed < Duration::seconds(5) {
        return "just now".into();
    }
    if elapsed < Duration::minutes(1) {
        return format!("{}s old", elapsed.num_seconds());
    }
    if elapsed < Duration::hours(1) {
        return format!("{}m old", elapsed.num_minutes());
    }
    format!("{} old", format_duration(elapsed))
}

/// A signed offset from a reference time: "+1h 05m" (or "−4m 10s" before it).
pub fn offset(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let difference = to - from;
    if difference < Duration::zero() {
        format!("−{}", format_duration(-difference))
    } else {
        format!("+{}", format_duration(difference))
    }
}

/// A countdown that visibly ticks: `2d 04:12:09`, or `04:12:09` under a day.
pub fn countdown(left: Duration) -> String {
    let (days, hours, minutes, secs) = watchfloor_model::time::day_hms(left);
    if days > 0 {
        format!("{days}d {hours:02}:{minutes:02}:{secs:02}")
    } else {
        format!("{hours:02}:{minutes:02}:{secs:02}")
    }
}

/// A compact UTC stamp for tables: `25 1430Z` (day of month, hour, minute).
pub fn day_hm(at: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!("{:02} {:02}{:02}Z", at.day(), at.hour(), at.minute())
}

/// `14:30Z`, or `—` when there is no time.
pub fn maybe_zulu(at: Option<DateTime<Utc>>) -> String {
    at.map(zulu_hm).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    #[test]
    fn every_severity_and_status_has_a_distinct_glyph() {
        let glyphs: std::collections::BTreeSet<_> =
            Severity::ALL.iter().map(|s| severity_glyph(*s)).collect();
        assert_eq!(glyphs.len(), Severity::ALL.len());
        let glyphs: std::collections::BTreeSet<_> = IncidentStatus::ALL
            .iter()
            .map(|s| status_glyph(*s))
            .collect();
        assert_eq!(glyphs.len(), IncidentStatus::ALL.len());
        let glyphs: std::collections::BTreeSet<_> = ConnectionStatus::ALL
            .iter()
            .map(|s| connection_glyph(*s))
            .collect();
        assert_eq!(glyphs.len(), ConnectionStatus::ALL.len());
    }

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        let now = at("2026-11-25T12:00:00Z");
        assert_eq!(age(at("2026-11-25T11:59:58Z"), now), "just now");
        assert_eq!(age(at("2026-11-25T11:59:15Z"), now), "45s old");
        assert_eq!(age(at("2026-11-25T11:48:00Z"), now), "12m old");
        assert_eq!(age(at("2026-11-25T08:55:00Z"), now), "3h 05m old");
    }

    #[test]
    fn offsets_are_signed() {
        let inject = at("2026-11-25T12:00:00Z");
        assert_eq!(offset(inject, at("2026-11-25T13:05:00Z")), "+1h 05m");
        assert_eq!(offset(inject, at("2026-11-25T11:55:50Z")), "−4m 10s");
        assert_eq!(maybe_zulu(None), "—");
        assert_eq!(maybe_zulu(Some(inject)), "12:00Z");
        assert_eq!(day_hm(inject), "25 1200Z");
    }

    #[test]
    fn countdowns_tick_in_seconds() {
        assert_eq!(
            countdown(Duration::seconds(2 * 86_400 + 4 * 3600 + 12 * 60 + 9)),
            "2d 04:12:09"
        );
        assert_eq!(countdown(Duration::seconds(59)), "00:00:59");
        assert_eq!(countdown(Duration::seconds(-5)), "00:00:00");
    }
}
