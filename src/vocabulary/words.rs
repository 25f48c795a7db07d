//! Words and glyphs for the model's enums, category names and counts.
//!
//! Severity, status and connection state are never shown by colour alone: each
//! has a word and a glyph of its own shape, chosen here once for every screen.

use watchfloor_model::{
    category_label, Audience, ConnectionStatus, IncidentStatus, NationKind, Phase, Severity,
    Visibility,
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

/// A shape per phase: diamond, play, pause, stop.
pub fn phase_glyph(phase: Phase) -> &'static str {
    match phase {
        Phase::Planning => "◇",
        Phase::Execution => "▶",
        Phase::Paused => "‖",
        Phase::Endex => "■",
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

/// A category's label: the known label, or the slug made readable
/// (`water_utility_outage` → "Water utility outage").
pub fn category_text(slug: &str) -> String {
    let label = category_label(slug);
    if label != slug {
        return label.to_string();
    }
    let words = slug.replace('_', " ");
    let mut characters = words.trim().chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// A count with thousands grouped for reading at a distance: `1,024`.
pub fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A count and its noun: "1 incident", "2 incidents", "1,024 nations".
pub fn counted(count: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        grouped(count as u64),
        if count == 1 { one } else { many }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn categories_read_as_words() {
        assert_eq!(category_text("ddos"), "Distributed denial of service");
        assert_eq!(
            category_text("water_utility_outage"),
            "Water utility outage"
        );
        assert_eq!(category_text(""), "");
    }

    #[test]
    fn counts_take_their_plural() {
        assert_eq!(counted(1, "inject", "injects"), "1 inject");
        assert_eq!(counted(0, "inject", "injects"), "0 injects");
        assert_eq!(counted(1029, "nation", "nations"), "1,029 nations");
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1024), "1,024");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
