//! The overview's headline figures and activity chart, computed from the state.

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::{
    ConnectionStatus, Incident, IncidentStatus, Milestone, Nation, NationKind, Severity,
};

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

/// A nation's median time from inject to each milestone over the incidents it
/// reached it on, in the order detected, reported, contained.
pub fn response_medians(incidents: &[Incident], code: &str) -> [(Milestone, Option<Duration>); 3] {
    let median_of = |milestone: Milestone| {
        let mut times: Vec<Duration> = incidents
            .iter()
            .flat_map(|incident| incident.response_times(milestone))
            .filter(|(nation, _)| nation == code)
            .map(|(_, seconds)| Duration::seconds(seconds))
            .collect();
        median(&mut times)
    };
    [
        (Milestone::Detected, median_of(Milestone::Detected)),
        (Milestone::Reported, median_of(Milestone::Reported)),
        (Milestone::Contained, median_of(Milestone::Contained)),
    ]
}

/// Nations online, degraded and offline.
pub fn connection_counts(nations: &[Nation]) -> [(ConnectionStatus, usize); 3] {
    let count = |status| {
        nations
            .iter()
            .filter(|nation| nation.status == status)
            .count()
    };
    [
        (ConnectionStatus::Online, count(ConnectionStatus::Online)),
        (
            ConnectionStatus::Degraded,
            count(ConnectionStatus::Degraded),
        ),
        (ConnectionStatus::Offline, count(ConnectionStatus::Offline)),
    ]
}

/// One bucket of the activity chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub opened: usize,
    pub closed: usize,
}

const BUCKET_HOURS: &[i64] = &[1, 2, 3, 6, 12, 24];

/// The bucket size that keeps a chart of `span` to at most `max_buckets` bars.
pub fn bucket_size(span: Duration, max_buckets: i64) -> Duration {
    let hours = BUCKET_HOURS
        .iter()
        .copied()
        .find(|hours| span.num_minutes() <= hours * 60 * max_buckets)
        .unwrap_or(24);
    Duration::hours(hours)
}

/// Incidents opened and closed per bucket from `start` to `end`; buckets are
/// aligned to whole hours (of `size`) in UTC.
pub fn activity(
    incidents: &[Incident],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    size: Duration,
) -> Vec<Bucket> {
    let size_ms = size.num_milliseconds().max(60_000);
    let first = start.timestamp_millis().div_euclid(size_ms) * size_ms;
    let end_ms = end.timestamp_millis();
    if end_ms < first {
        return Vec::new();
    }
    let count = ((end_ms - first) / size_ms + 1).min(1_000) as usize;
    let mut buckets: Vec<Bucket> = (0..count)
        .map(|index| Bucket {
            start: DateTime::from_timestamp_millis(first + index as i64 * size_ms)
                .expect("bucket time in range"),
            opened: 0,
            closed: 0,
        })
        .collect();
    let slot = |at: DateTime<Utc>| -> Option<usize> {
        let ms = at.timestamp_millis();
        (ms >= first && ms <= end_ms)
            .then(|| ((ms - first) / size_ms) as usize)
            .filter(|index| *index < count)
    };
    for incident in incidents {
        if let Some(index) = slot(incident.opened_at) {
            buckets[index].opened += 1;
        }
        if let Some(index) = incident.closed_at.and_then(slot) {
            buckets[index].closed += 1;
        }
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::tests::incident;
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
        assert_eq!(
            connection_counts(&nations),
            [
                (ConnectionStatus::Online, 2),
                (ConnectionStatus::Degraded, 1),
                (ConnectionStatus::Offline, 0)
            ]
        );
    }

    #[test]
    fn response_medians_are_per_nation_and_milestone() {
        use watchfloor_model::NationResponse;
        let mut first = incident("A", V::High, S::Analysing);
        let mut second = incident("B", V::High, S::Analysing);
        for (incident, minutes) in [(&mut first, 10), (&mut second, 30)] {
            let detected = incident.opened_at + Duration::minutes(minutes);
            incident.responses.insert(
                "EST".into(),
                NationResponse {
                    detected: Some(detected),
                    ..NationResponse::default()
                },
            );
        }
        let medians = response_medians(&[first, second], "EST");
        assert_eq!(
            medians[0],
            (Milestone::Detected, Some(Duration::minutes(20)))
        );
        assert_eq!(medians[2], (Milestone::Contained, None));
        assert_eq!(response_medians(&[], "EST")[0].1, None);
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
        let buckets = activity(
            &incidents,
            at("2026-11-24T08:30:00Z"),
            at("2026-11-24T10:15:00Z"),
            Duration::hours(1),
        );
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

    #[test]
    fn bucket_sizes_keep_charts_readable() {
        assert_eq!(bucket_size(Duration::hours(24), 48), Duration::hours(1));
        assert_eq!(bucket_size(Duration::hours(120), 48), Duration::hours(3));
        assert_eq!(bucket_size(Duration::days(30), 48), Duration::hours(24));
    }
}
