//! Test fixtures shared by the app's native tests.

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::{Incident, IncidentStatus, Severity, Visibility};

/// A public incident `id` opened at 08:00Z on 24 November, closed two hours
/// later unless its status is open.
pub fn incident(id: &str, severity: Severity, status: IncidentStatus) -> Incident {
    let opened: DateTime<Utc> = "2026-11-24T08:00:00Z".parse().expect("time");
    Incident {
        id: id.into(),
        title: format!("Incident {id}"),
        category: "ransomware".into(),
        severity,
        status,
        nations: vec!["EST".into()],
        team: Some("Blue 3".into()),
        opened_at: opened,
        updated_at: opened,
        closed_at: (!status.is_open()).then(|| opened + Duration::hours(2)),
        summary: "A summary".into(),
        detail: None,
        visibility: Visibility::Public,
        inject: None,
        responses: Default::default(),
        timeline: Vec::new(),
    }
}
