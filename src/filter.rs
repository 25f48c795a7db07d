//! Filtering and sorting incidents, and the URL query that carries both.
//!
//! `?severity=critical,high&status=analysing&category=ransomware&nation=EST&q=port&sort=-opened`

use std::cmp::Ordering;

use watchfloor_model::{category_label, Incident, IncidentStatus, Severity};

use crate::query::{list, parsed_list, QueryGet};

/// Which incidents to show. Empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub severity: Vec<Severity>,
    pub status: Vec<IncidentStatus>,
    pub category: Vec<String>,
    pub nation: Vec<String>,
    /// Free text, matched case-insensitively against id, title, summary, team,
    /// category (slug and label) and nation codes.
    pub text: String,
}

impl IncidentFilter {
    /// Reads the filter from a URL query.
    pub fn from_query(query: &(impl QueryGet + ?Sized)) -> Self {
        IncidentFilter {
            severity: parsed_list(query, "severity"),
            status: parsed_list(query, "status"),
            category: list(query, "category"),
            nation: list(query, "nation"),
            text: query.value("q").unwrap_or_default(),
        }
    }

    /// The query pairs of this filter (empty values drop out of the URL).
    pub fn to_query(&self) -> Vec<(&'static str, Option<String>)> {
        fn join<T: ToString>(items: &[T]) -> Option<String> {
            (!items.is_empty()).then(|| {
                items
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        }
        vec![
            ("severity", join(&self.severity)),
            ("status", join(&self.status)),
            ("category", join(&self.category)),
            ("nation", join(&self.nation)),
            (
                "q",
                (!self.text.trim().is_empty()).then(|| self.text.clone()),
            ),
        ]
    }

    /// Whether nothing is filtered out.
    pub fn is_empty(&self) -> bool {
        self.severity.is_empty()
            && self.status.is_empty()
            && self.category.is_empty()
            && self.nation.is_empty()
            && self.text.trim().is_empty()
    }

    /// Whether `incident` passes every part of the filter.
    pub fn matches(&self, incident: &Incident) -> bool {
        (self.severity.is_empty() || self.severity.contains(&incident.severity))
            && (self.status.is_empty() || self.status.contains(&incident.status))
            && (self.category.is_empty() || self.category.contains(&incident.category))
            && (self.nation.is_empty()
                || incident
                    .nations
                    .iter()
                    .any(|code| self.nation.contains(code)))
            && matches_text(&self.text, incident)
    }
}

/// Every word of `text` appears somewhere in the incident's searchable fields.
pub fn matches_text(text: &str, incident: &Incident) -> bool {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return true;
    }
    let haystack = format!(
        "{} {} {} {} {} {} {}",
        incident.id,
        incident.title,
        incident.summary,
        incident.team.as_deref().unwrap_or(""),
        incident.category,
        category_label(&incident.category),
        incident.nations.join(" ")
    )
    .to_lowercase();
    words.iter().all(|word| haystack.contains(word.as_str()))
}

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
pub(crate) mod tests {
    use super::*;
    use chrono::{DateTime, Duration, Utc};
    use watchfloor_model::Visibility;

    pub(crate) fn incident(id: &str, severity: Severity, status: IncidentStatus) -> Incident {
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
        let filter = IncidentFilter::from_query(query);
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

    #[test]
    fn a_filter_survives_the_round_trip_through_the_url() {
        let filter = IncidentFilter {
            severity: vec![Severity::Critical],
            status: vec![IncidentStatus::Detected, IncidentStatus::Reported],
            category: vec!["ddos".into()],
            nation: vec!["EST".into()],
            text: "port".into(),
        };
        let pairs: Vec<(String, String)> = filter
            .to_query()
            .into_iter()
            .filter_map(|(key, value)| value.map(|value| (key.to_string(), value)))
            .collect();
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        assert_eq!(IncidentFilter::from_query(borrowed.as_slice()), filter);
        assert!(IncidentFilter::default().is_empty());
        assert!(IncidentFilter::default()
            .to_query()
            .iter()
            .all(|(_, value)| value.is_none()));
    }
}
