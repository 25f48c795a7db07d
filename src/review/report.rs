//! The after-action summary's figures: participation, incidents by
//! severity and by category, the slowest chains of detection and reporting,
//! and the incidents in the order they happened.

use watchfloor_model::review::{Cell, Matrix, Times};
use watchfloor_model::{Incident, Nation, NationKind, Severity};

/// Who took part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participation {
    /// Nations of each kind, in [`NationKind::ALL`] order.
    pub by_kind: Vec<(NationKind, usize)>,
    pub participants: u64,
    pub teams: u64,
}

pub fn participation(nations: &[Nation]) -> Participation {
    Participation {
        by_kind: NationKind::ALL
            .iter()
            .map(|kind| (*kind, nations.iter().filter(|n| n.kind == *kind).count()))
            .collect(),
        participants: nations.iter().map(|n| u64::from(n.participants)).sum(),
        teams: nations.iter().map(|n| u64::from(n.teams)).sum(),
    }
}

/// Incidents of each severity, most severe first, and how many of them are closed.
pub fn by_severity(incidents: &[Incident]) -> Vec<(Severity, usize, usize)> {
    Severity::ALL
        .iter()
        .rev()
        .map(|severity| {
            let of: Vec<&Incident> = incidents
                .iter()
                .filter(|i| i.severity == *severity)
                .collect();
            let closed = of.iter().filter(|i| !i.status.is_open()).count();
            (*severity, of.len(), closed)
        })
        .collect()
}

/// Incidents of each category, most first (then by slug).
pub fn by_category(incidents: &[Incident]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for incident in incidents {
        match counts
            .iter_mut()
            .find(|(slug, _)| *slug == incident.category)
        {
            Some((_, count)) => *count += 1,
            None => counts.push((incident.category.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// One nation's chain on one inject, as the slowest-chains table lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub nation: String,
    pub inject: String,
    pub incident: String,
    /// `None` when the nation recorded nothing on it.
    pub times: Option<Times>,
}

impl Chain {
    /// Where the chain broke: the first milestone not reached.
    pub fn broke_at(&self) -> Option<watchfloor_model::Milestone> {
        use watchfloor_model::Milestone;
        let times = self.times.unwrap_or_default();
        Milestone::ALL
            .iter()
            .copied()
            .find(|milestone| times.get(*milestone).is_none())
    }
}

/// The `limit` slowest chains: those that never reported first (no
/// response at all before a response without a report), then the longest
/// times to report; ties by nation and inject.
pub fn slowest_chains(matrix: &Matrix, limit: usize) -> Vec<Chain> {
    let mut chains: Vec<(u8, i64, Chain)> = Vec::new();
    for row in &matrix.rows {
        for (column, cell) in matrix.injects.iter().zip(&row.cells) {
            let times = match cell {
                Cell::NotAffected => continue,
                Cell::NoResponse => None,
                Cell::Responded { times } => Some(*times),
            };
            let (rank, seconds) = match times.and_then(|t| t.reported) {
                Some(reported) => (2, reported),
                None if times.is_some() => (1, 0),
                None => (0, 0),
            };
            chains.push((
                rank,
                seconds,
                Chain {
                    nation: row.code.clone(),
                    inject: column.inject.clone(),
                    incident: column.incident.clone(),
                    times,
                },
            ));
        }
    }
    chains.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| b.1.cmp(&a.1))
            .then_with(|| (&a.2.nation, &a.2.inject).cmp(&(&b.2.nation, &b.2.inject)))
    });
    chains
        .into_iter()
        .take(limit)
        .map(|(_, _, chain)| chain)
        .collect()
}

/// The incidents in the order they were opened (the log keeps `at` in order).
pub fn chronology(incidents: &[Incident]) -> Vec<&Incident> {
    let mut ordered: Vec<&Incident> = incidents.iter().collect();
    ordered.sort_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)));
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::incident;
    use watchfloor_model::review::{InjectColumn, MatrixRow};
    use watchfloor_model::{IncidentStatus as S, Milestone, Severity as V};

    #[test]
    fn incidents_are_counted_by_severity_and_category() {
        let mut ddos = incident("C", V::Low, S::Detected);
        ddos.category = "ddos".into();
        let incidents = vec![
            incident("A", V::Critical, S::Resolved),
            incident("B", V::Critical, S::Analysing),
            ddos,
        ];
        let severities = by_severity(&incidents);
        assert_eq!(severities[0], (V::Critical, 2, 1));
        assert_eq!(severities[3], (V::Low, 1, 0));
        assert_eq!(
            by_category(&incidents),
            [("ransomware".to_string(), 2), ("ddos".to_string(), 1)]
        );
    }

    #[test]
    fn the_slowest_chains_put_the_broken_ones_first() {
        let column = |inject: &str| InjectColumn {
            inject: inject.into(),
            incident: format!("CC-{inject}"),
            title: inject.into(),
            category: "ddos".into(),
            start: "2026-11-24T08:00:00Z".parse().expect("time"),
            fastest: None,
            slowest: None,
        };
        let reported = |detected: i64, reported: i64| Cell::Responded {
            times: Times {
                detected: Some(detected),
                reported: Some(reported),
                contained: None,
            },
        };
        let row = |code: &str, cells: Vec<Cell>| MatrixRow {
            code: code.into(),
            name: code.into(),
            kind: NationKind::Ally,
            cells,
            affected: 2,
            answered: 2,
            median: Times::default(),
        };
        let matrix = Matrix {
            injects: vec![column("INJ-1"), column("INJ-2")],
            rows: vec![
                row("EST", vec![reported(60, 600), reported(60, 9000)]),
                row(
                    "FIN",
                    vec![
                        Cell::Responded {
                            times: Times {
                                detected: Some(60),
                                ..Times::default()
                            },
                        },
                        Cell::NotAffected,
                    ],
                ),
                row("LVA", vec![Cell::NoResponse, reported(60, 300)]),
            ],
        };
        let chains = slowest_chains(&matrix, 4);
        let order: Vec<(&str, &str)> = chains
            .iter()
            .map(|c| (c.nation.as_str(), c.inject.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("LVA", "INJ-1"),
                ("FIN", "INJ-1"),
                ("EST", "INJ-2"),
                ("EST", "INJ-1")
            ]
        );
        assert_eq!(chains[0].broke_at(), Some(Milestone::Detected));
        assert_eq!(chains[1].broke_at(), Some(Milestone::Reported));
        assert_eq!(chains[2].broke_at(), Some(Milestone::Contained));
        assert_eq!(
            slowest_chains(&matrix, 100).len(),
            5,
            "not-affected cells are no chain"
        );
    }

    #[test]
    fn participation_adds_up_by_kind() {
        let nation = |code: &str, kind: NationKind, participants: u32| Nation {
            code: code.into(),
            name: code.into(),
            kind,
            participants,
            teams: 2,
            status: watchfloor_model::ConnectionStatus::Online,
            last_seen: "2026-11-24T08:00:00Z".parse().expect("time"),
        };
        let figures = participation(&[
            nation("EST", NationKind::Ally, 40),
            nation("FIN", NationKind::Partner, 30),
            nation("LVA", NationKind::Ally, 20),
        ]);
        assert_eq!(
            figures.by_kind,
            [
                (NationKind::Ally, 2),
                (NationKind::Partner, 1),
                (NationKind::Organisation, 0)
            ]
        );
        assert_eq!((figures.participants, figures.teams), (90, 6));
    }
}
