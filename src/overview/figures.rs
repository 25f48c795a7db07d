//! The overview's headline figures, connection counts and activity chart,
//! computed from the state (the display's panels use the first two as well).

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::{ConnectionStatus, Incident, IncidentStatus, Nation, NationKind, Severity};

use crate::ui::time_axis::Buckets;

/// The numbers at the top of the overview.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headline {
    pub nations: usize,
    pub allies: usize,
    pub partners: usize,
    pub organisations: usize,
    pub participants: u64,
    pub teams: u64,
    /// Open incidents by severity, indexed like `Severity::ALL` (low → critical).
    pub open_by_severity: [usize; 4],
    pub contained: usize,
    pub resolved: usize,
    /// Median of opened → first contained/resolved over closed incidents.
    pub median_to_contain: Option<Duration>,
}

impl Headline {
    /// All open incidents.
    pub fn open(&self) -> usize {
        self.open_by_severity.iter().sum()
    }

    /// Open incidents of one severity.
    pub fn open_with(&self, severity: Severity) -> usize {
        self.open_by_severity[severity_index(severity)]
    }
}

fn severity_index(severity: Severity) -> usize {
    Severity::ALL
        .iter()
        .position(|known| *known == severity)
        .expect("every severity is in ALL")
}

/// The headline figures of a state's nations and incidents.
pub fn headline(nations: &[Nation], incidents: &[Incident]) -> Headline {
    let mut figures = Headline {
        nations: nations.len(),
        ..Headline::default()
    };
    for nation in nations {
        match nation.kind {
            NationKind::Ally => figures.allies += 1,
            NationKind::Partner => figures.partners += 1,
            NationKind::Organisation => figures.organisations += 1,
        }
        figures.participants += u64::from(nation.participants);
        figures.teams += u64::from(nation.teams);
    }
    let mut to_contain = Vec::new();
    for incident in incidents {
        match incident.status {
            IncidentStatus::Contained => figures.contained += 1,
            IncidentStatus::Resolved => figures.resolved += 1,
            open => {
                debug_assert!(open.is_open());
                figures.open_by_severity[severity_index(incident.severity)] += 1;
            }
        }
        if let Some(closed) = incident.closed_at {
            to_contain.push(closed - incident.opened_at);
        }
    }
    figures.median_to_contain = median(&mut to_contain);
    figures
}

/// The median of some durations (the mean of the middle two for an even count).
pub fn median(values: &mut [Duration]) -> Option<Duration> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2
    })
}

/// How many nations have one connection status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionCount {
    pub status: ConnectionStatus,
    pub nations: usize,
}

/// Nations online, degraded and offline, in that order.
pub fn connection_counts(nations: &[Nation]) -> Vec<ConnectionCount> {
    ConnectionStatus::ALL
        .iter()
        .map(|status| ConnectionCount {
            status: *status,
            nations: nations
                .iter()
                .filter(|nation| nation.status == *status)
                .count(),
        })
        .collect()
}

/// One bucket of the activity chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub opened: usize,
    pub closed: usize,
}

/// Incidents opened and closed per bucket of `buckets`.
pub fn activity(incidents: &[Incident], buckets: &Buckets) -> Vec<Bucket> {
    let mut counts: Vec<Bucket> = (0..buckets.len())
        .map(|index| Bucket {
            start: buckets.start(index),
            opened: 0,
            closed: 0,
        })
        .collect();
    for incident in incidents {
        if let Some(index) = buckets.index(incident.opened_at) {
            counts[index].opened += 1;
        }
        if let Some(index) = incident.closed_at.and_then(|at| buckets.index(at)) {
            counts[index].closed += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::incident;
    use crate::ui::time_axis::TimeRange;
    use watchfloor_model::{IncidentStatus as S, Severity as V};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    fn nation(code: &str, kind: NationKind, status: ConnectionStatus, participants: u32) -> Nation {
        Nation {
            code: code.into(),
            name: code.into(),
            kind,
            participants,
            teams: 2,
            status,
            last_seen: at("2026-11-25T12:00:00Z"),
        }
    }

    #[test]
    fn headline_counts_open_incidents_by_severity_and_the_median_to_contain() {
        let nations = [
            nation("EST", NationKind::Ally, ConnectionStatus::Online, 60),
            nation("UKR", NationKind::Partner, ConnectionStatus::Degraded, 20),
            nation(
                "EU-CDS",
                NationKind::Organisation,
                ConnectionStatus::Online,
                5,
            ),
        ];
        let mut incidents = vec![
            incident("A", V::Critical, S::Detected),
            incident("B", V::Critical, S::Analysing),
            incident("C", V::Low, S::Reported),
            incident("D", V::High, S::Contained),
            incident("E", V::High, S::Resolved),
            incident("F", V::Medium, S::Resolved),
        ];
        // Closed after 2h (D), 4h (E) and 30m (F): the median is 2h.
        incidents[4].closed_at = Some(incidents[4].opened_at + Duration::hours(4));
        incidents[5].closed_at = Some(incidents[5].opened_at + Duration::minutes(30));
        let figures = headline(&nations, &incidents);
        assert_eq!(
            (
                figures.nations,
                figures.allies,
                figures.partners,
                figures.organisations
            ),
            (3, 1, 1, 1)
        );
        assert_eq!((figures.participants, figures.teams), (85, 6));
        assert_eq!(figures.open_by_severity, [1, 0, 0, 2]);
        assert_eq!(figures.open(), 3);
        assert_eq!(figures.open_with(V::Critical), 2);
        assert_eq!((figures.contained, figures.resolved), (1, 1 + 1));
        assert_eq!(figures.median_to_contain, Some(Duration::hours(2)));
        let counts: Vec<(ConnectionStatus, usize)> = connection_counts(&nations)
            .iter()
            .map(|count| (count.status, count.nations))
            .collect();
        assert_eq!(
            counts,
            [
                (ConnectionStatus::Online, 2),
                (ConnectionStatus::Degraded, 1),
                (ConnectionStatus::Offline, 0)
            ]
        );
    }

    #[test]
    fn medians_of_even_and_empty_sets() {
        assert_eq!(median(&mut []), None);
        assert_eq!(
            median(&mut [Duration::minutes(30), Duration::minutes(10)]),
            Some(Duration::minutes(20))
        );
    }

    #[test]
    fn activity_buckets_count_openings_and_closings() {
        let mut incidents = vec![
            incident("A", V::High, S::Detected),
            incident("B", V::High, S::Resolved),
            incident("C", V::High, S::Detected),
        ];
        // All open at 08:00; B closes at 10:00; C opens at 09:59.
        incidents[2].opened_at = at("2026-11-24T09:59:00Z");
        let range = TimeRange::new(at("2026-11-24T08:30:00Z"), at("2026-11-24T10:15:00Z"));
        let buckets = activity(&incidents, &Buckets::new(range, Duration::hours(1)));
        let counts: Vec<(String, usize, usize)> = buckets
            .iter()
            .map(|bucket| {
                (
                    bucket.start.format("%H:%M").to_string(),
                    bucket.opened,
                    bucket.closed,
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("08:00".into(), 2, 0),
                ("09:00".into(), 1, 0),
                ("10:00".into(), 0, 1)
            ]
        );
    }
}
