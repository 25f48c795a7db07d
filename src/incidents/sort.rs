//! The incident list's order (`?sort=-opened`), and the selection of
//! incidents a page shows: the model's [`IncidentFilter`] (the same one the
//! API uses), then this order.

use std::cmp::Ordering;

use watchfloor_model::{Incident, IncidentFilter};

use crate::ui::query::{query_string, QueryGet};

/// What the incident list is ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Opened,
    Updated,
    Severity,
    Status,
    Id,
    Title,
}

impl SortKey {
    /// Every key, in the order the list's headers show them.
    pub const ALL: &'static [SortKey] = &[
        SortKey::Id,
        SortKey::Title,
        SortKey::Severity,
        SortKey::Status,
        SortKey::Opened,
        SortKey::Updated,
    ];

    /// The URL spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Opened => "opened",
            SortKey::Updated => "updated",
            SortKey::Severity => "severity",
            SortKey::Status => "status",
            SortKey::Id => "id",
            SortKey::Title => "title",
        }
    }

    fn parse(text: &str) -> Option<SortKey> {
        SortKey::ALL
            .iter()
            .copied()
            .find(|key| key.as_str() == text)
    }
}

/// A sort key and its direction: `sort=-opened` is newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first, as the API lists them.
    fn default() -> Self {
        Sort {
            key: SortKey::Opened,
            descending: true,
        }
    }
}

impl Sort {
    /// Reads `sort` from a query; unknown keys fall back to the default.
    pub fn from_query(query: &(impl QueryGet + ?Sized)) -> Self {
        let Some(text) = query.value("sort") else {
            return Sort::default();
        };
        let (descending, name) = match text.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, text.as_str()),
        };
        SortKey::parse(name)
            .map(|key| Sort { key, descending })
            .unwrap_or_default()
    }

    /// The query value, or `None` for the default.
    pub fn to_query(self) -> Option<String> {
        (self != Sort::default()).then(|| {
            format!(
                "{}{}",
                if self.descending { "-" } else { "" },
                self.key.as_str()
            )
        })
    }

    /// Clicking a column: the same key flips direction; a new key starts with
    /// the direction a person expects (worst, newest first; names A→Z).
    pub fn toggled(self, key: SortKey) -> Sort {
        if self.key == key {
            Sort {
                key,
                descending: !self.descending,
            }
        } else {
            let descending = matches!(key, SortKey::Opened | SortKey::Updated | SortKey::Severity);
            Sort { key, descending }
        }
    }

    /// Compares two incidents; ties fall back to the id so the order is stable.
    pub fn compare(self, a: &Incident, b: &Incident) -> Ordering {
        let primary = match self.key {
            SortKey::Opened => a.opened_at.cmp(&b.opened_at),
            SortKey::Updated => a.updated_at.cmp(&b.updated_at),
            SortKey::Severity => a.severity.cmp(&b.severity),
            SortKey::Status => a.status.cmp(&b.status),
            SortKey::Id => a.id.cmp(&b.id),
            SortKey::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
        };
        let ordered = primary.then_with(|| a.id.cmp(&b.id));
        if self.descending {
            ordered.reverse()
        } else {
            ordered
        }
    }
}

/// The incidents page showing `filter` in `sort` order:
/// `/incidents?status=detected,reported,analysing&sort=-severity`.
pub fn incidents_link(filter: &IncidentFilter, sort: Sort) -> String {
    let pairs: Vec<(String, String)> = filter
        .to_query()
        .into_iter()
        .chain([("sort", sort.to_query())])
        .filter_map(|(key, value)| value.map(|value| (key.to_string(), value)))
        .collect();
    format!("/incidents{}", query_string(&pairs))
}

/// Positions in `incidents` of those that pass `filter`, in `sort` order.
pub fn select(incidents: &[Incident], filter: &IncidentFilter, sort: Sort) -> Vec<usize> {
    let mut selected: Vec<usize> = incidents
        .iter()
        .enumerate()
        .filter(|(_, incident)| filter.matches(incident))
        .map(|(index, _)| index)
        .collect();
    selected.sort_by(|a, b| sort.compare(&incidents[*a], &incidents[*b]));
    selected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::incident;
    use chrono::Duration;
    use watchfloor_model::{IncidentStatus, Severity};

    fn sample() -> Vec<Incident> {
        let mut a = incident("CC-001", Severity::High, IncidentStatus::Analysing);
        a.title = "Ransomware at the port authority".into();
        let mut b = incident("CC-002", Severity::Critical, IncidentStatus::Detected);
        b.category = "ddos".into();
        b.nations = vec!["FIN".into(), "EST".into()];
        b.opened_at += Duration::hours(1);
        let mut c = incident("CC-003", Severity::Low, IncidentStatus::Resolved);
        c.nations = vec!["LVA".into()];
        c.opened_at += Duration::hours(2);
        vec![a, b, c]
    }

    fn ids(incidents: &[Incident], selected: &[usize]) -> Vec<String> {
        selected
            .iter()
            .map(|index| incidents[*index].id.clone())
            .collect()
    }

    fn check(query: &[(&str, &str)], expected: &[&str]) {
        let incidents = sample();
        let (filter, _) = IncidentFilter::parse(query);
        let sort = Sort::from_query(query);
        assert_eq!(
            ids(&incidents, &select(&incidents, &filter, sort)),
            expected,
            "{query:?}"
        );
    }

    #[test]
    fn filters_combine_with_and_values_with_or() {
        check(&[], &["CC-003", "CC-002", "CC-001"]);
        check(&[("severity", "critical,high")], &["CC-002", "CC-001"]);
        check(&[("severity", "critical"), ("status", "analysing")], &[]);
        check(&[("status", "resolved,analysing")], &["CC-003", "CC-001"]);
        check(&[("category", "ddos")], &["CC-002"]);
        check(&[("nation", "EST")], &["CC-002", "CC-001"]);
        check(&[("nation", "LVA,FIN")], &["CC-003", "CC-002"]);
    }

    #[test]
    fn free_text_matches_every_word_anywhere() {
        check(&[("q", "PORT authority")], &["CC-001"]);
        check(&[("q", "denial")], &["CC-002"]);
        check(&[("q", "cc-003")], &["CC-003"]);
        check(&[("q", "fin")], &["CC-002"]);
        check(&[("q", "port nothing")], &[]);
    }

    #[test]
    fn links_carry_the_filter_and_the_order() {
        let worst_open = Sort {
            key: SortKey::Severity,
            descending: true,
        };
        assert_eq!(
            incidents_link(&IncidentFilter::open(), worst_open),
            "/incidents?status=detected,reported,analysing&sort=-severity"
        );
        assert_eq!(
            incidents_link(&IncidentFilter::default(), Sort::default()),
            "/incidents"
        );
    }

    #[test]
    fn sorting_is_stable_and_reversible() {
        check(&[("sort", "opened")], &["CC-001", "CC-002", "CC-003"]);
        check(&[("sort", "-severity")], &["CC-002", "CC-001", "CC-003"]);
        check(&[("sort", "title")], &["CC-002", "CC-003", "CC-001"]);
        check(&[("sort", "nonsense")], &["CC-003", "CC-002", "CC-001"]);
        let sort = Sort::default();
        assert_eq!(sort.to_query(), None);
        assert_eq!(
            sort.toggled(SortKey::Opened).to_query().as_deref(),
            Some("opened")
        );
        assert_eq!(
            sort.toggled(SortKey::Title).to_query().as_deref(),
            Some("title")
        );
        assert_eq!(
            sort.toggled(SortKey::Severity).to_query().as_deref(),
            Some("-severity")
        );
    }
}
