//! The one incident filter: read from a URL query, matched against incidents,
//! and written back to a query. The server's `GET /api/v1/incidents` and the
//! app's incidents page both use it, so the API and the page always agree on
//! what `?q=port&severity=high` means.
//!
//! `?severity=critical,high&status=analysing&category=ransomware&nation=EST&q=port`
//!
//! Each key takes one value or a comma-separated list (any of them matches);
//! keys combine with AND. Free text matches when every word appears, in any
//! case, somewhere in the incident's searchable text ([`IncidentFilter::searchable`]).

use std::str::FromStr;

use crate::state::check_nation_code;
use crate::types::{category_label, Incident, IncidentStatus, Severity};

/// The query keys the filter reads and writes, in URL order.
pub const KEYS: [&str; 5] = ["severity", "status", "category", "nation", "q"];

/// Which incidents to show. Empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub severity: Vec<Severity>,
    pub status: Vec<IncidentStatus>,
    /// Category slugs.
    pub category: Vec<String>,
    /// Nation codes: incidents affecting any of them.
    pub nation: Vec<String>,
    /// Free text; every word must appear.
    pub text: String,
}

/// A query value the filter could not read, naming its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterProblem {
    /// The query key at fault, e.g. `severity`.
    pub field: &'static str,
    pub message: String,
}

/// The last non-empty value of `key` among `pairs` (a later value wins, as browsers and axum read them).
pub fn query_value<'a, K, V>(pairs: &'a [(K, V)], key: &str) -> Option<&'a str>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    pairs
        .iter()
        .rev()
        .find(|(name, _)| name.as_ref() == key)
        .map(|(_, value)| value.as_ref())
        .filter(|value| !value.is_empty())
}

/// A comma-separated list: `critical, high` → `["critical", "high"]`.
pub fn query_list(value: Option<&str>) -> Vec<&str> {
    value
        .map(|value| {
            value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Parses every item of `key`'s list, keeping the first of duplicates;
/// items that do not parse become problems.
fn parse_list<T: PartialEq, K: AsRef<str>, V: AsRef<str>>(
    pairs: &[(K, V)],
    key: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
    problems: &mut Vec<FilterProblem>,
) -> Vec<T> {
    let mut values = Vec::new();
    for item in query_list(query_value(pairs, key)) {
        match parse(item) {
            Ok(value) if !values.contains(&value) => values.push(value),
            Ok(_) => {}
            Err(message) => problems.push(FilterProblem {
                field: key,
                message,
            }),
        }
    }
    values
}

fn slug(item: &str) -> Result<String, String> {
    if item
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(item.to_owned())
    } else {
        Err(format!(
            "category `{item}` is not a snake_case slug, e.g. ransomware"
        ))
    }
}

fn nation_code(item: &str) -> Result<String, String> {
    check_nation_code("nation", item)
        .map(|()| item.to_owned())
        .map_err(|error| error.message)
}

impl IncidentFilter {
    /// Reads the filter from query pairs. Values that do not parse are left
    /// out of the filter and returned as problems: the server refuses them
    /// (400 naming the key), the app ignores them (a stale link still opens).
    pub fn parse<K: AsRef<str>, V: AsRef<str>>(
        pairs: &[(K, V)],
    ) -> (IncidentFilter, Vec<FilterProblem>) {
        let mut problems = Vec::new();
        let filter = IncidentFilter {
            severity: parse_list(pairs, "severity", Severity::from_str, &mut problems),
            status: parse_list(pairs, "status", IncidentStatus::from_str, &mut problems),
            category: parse_list(pairs, "category", slug, &mut problems),
            nation: parse_list(pairs, "nation", nation_code, &mut problems),
            text: query_value(pairs, "q").unwrap_or_default().to_owned(),
        };
        (filter, problems)
    }

    /// The query pairs of this filter, in [`KEYS`] order; `None` for a key
    /// that filters nothing (it drops out of the URL).
    pub fn to_query(&self) -> [(&'static str, Option<String>); 5] {
        fn join<T: ToString>(items: &[T]) -> Option<String> {
            (!items.is_empty()).then(|| {
                items
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        }
        [
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

    /// The text free-text search looks in, lower-cased: id, title, summary,
    /// team, category (slug and label), nation codes, the inject's reference,
    /// and the restricted `detail` when the reader's copy carries it.
    ///
    /// Match against the incident *as the reader receives it*: the server
    /// redacts before matching, so a public search never touches restricted
    /// text, and the app only ever holds its reader's copy.
    pub fn searchable(incident: &Incident) -> String {
        let mut text = format!(
            "{} {} {} {} {} {} {}",
            incident.id,
            incident.title,
            incident.summary,
            incident.team.as_deref().unwrap_or(""),
            incident.category,
            category_label(&incident.category),
            incident.nations.join(" ")
        );
        if let Some(inject) = &incident.inject {
            text.push(' ');
            text.push_str(&inject.id);
        }
        if let Some(detail) = &incident.detail {
            text.push(' ');
            text.push_str(detail);
        }
        text.to_lowercase()
    }

    /// Whether `incident` (as the reader receives it) passes every part of the filter.
    pub fn matches(&self, incident: &Incident) -> bool {
        (self.severity.is_empty() || self.severity.contains(&incident.severity))
            && (self.status.is_empty() || self.status.contains(&incident.status))
            && (self.category.is_empty() || self.category.contains(&incident.category))
            && (self.nation.is_empty()
                || incident
                    .nations
                    .iter()
                    .any(|code| self.nation.contains(code)))
            && self.matches_text(incident)
    }

    fn matches_text(&self, incident: &Incident) -> bool {
        let mut words = self.text.split_whitespace().peekable();
        if words.peek().is_none() {
            return true;
        }
        let haystack = IncidentFilter::searchable(incident);
        words.all(|word| haystack.contains(word.to_lowercase().as_str()))
    }

    /// The open statuses (`detected,reported,analysing`): the filter behind
    /// every "open incidents" link.
    pub fn open() -> IncidentFilter {
        IncidentFilter {
            status: IncidentStatus::ALL
                .iter()
                .copied()
                .filter(|status| status.is_open())
                .collect(),
            ..IncidentFilter::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Inject, Visibility};
    use chrono::{DateTime, Utc};

    fn incident() -> Incident {
        let opened: DateTime<Utc> = "2026-11-24T08:00:00Z".parse().expect("time");
        Incident {
            id: "CC-001".into(),
            title: "Ransomware at the port authority".into(),
            category: "ddos".into(),
            severity: Severity::High,
            status: IncidentStatus::Analysing,
            nations: vec!["EST".into(), "FIN".into()],
            team: Some("Blue 3".into()),
            opened_at: opened,
            updated_at: opened,
            closed_at: None,
            summary: "Ships wait outside".into(),
            detail: Some("Beacon to 203.0.113.9".into()),
            visibility: Visibility::Public,
            inject: Some(Inject {
                id: "INJ-042".into(),
                planned_at: None,
            }),
            responses: Default::default(),
            timeline: Vec::new(),
        }
    }

    fn check(query: &[(&str, &str)], expected: bool) {
        let (filter, problems) = IncidentFilter::parse(query);
        assert!(problems.is_empty(), "{query:?}: {problems:?}");
        assert_eq!(filter.matches(&incident()), expected, "{query:?}");
    }

    #[test]
    fn free_text_searches_every_field_the_reader_has() {
        for word in [
            "cc-001",
            "PORT",
            "ships",
            "blue",
            "ddos",
            "denial",
            "fin",
            "inj-042",
            "203.0.113",
        ] {
            check(&[("q", word)], true);
        }
        check(&[("q", "port nothing")], false);
        let mut public_copy = incident();
        public_copy.detail = None;
        let (filter, _) = IncidentFilter::parse(&[("q", "beacon")]);
        assert!(!filter.matches(&public_copy), "no detail, no match");
    }

    #[test]
    fn keys_combine_with_and_and_values_with_or() {
        check(&[("severity", "critical,high")], true);
        check(&[("severity", "critical")], false);
        check(&[("severity", "high"), ("status", "resolved")], false);
        check(&[("nation", "LVA,FIN")], true);
        check(&[("category", "ransomware")], false);
        check(&[("q", ""), ("q", "authority")], true);
    }

    #[test]
    fn bad_values_are_left_out_and_named() {
        let (filter, problems) = IncidentFilter::parse(&[
            ("severity", "extreme,high"),
            ("status", "open"),
            ("nation", "est"),
            ("category", "DDoS"),
        ]);
        assert_eq!(filter.severity, [Severity::High]);
        assert!(filter.status.is_empty() && filter.nation.is_empty());
        let fields: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(fields, ["severity", "status", "category", "nation"]);
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
        let pairs: Vec<(&str, String)> = filter
            .to_query()
            .into_iter()
            .filter_map(|(key, value)| value.map(|value| (key, value)))
            .collect();
        assert_eq!(IncidentFilter::parse(&pairs), (filter, Vec::new()));
        assert!(IncidentFilter::default().is_empty());
        assert!(IncidentFilter::default()
            .to_query()
            .iter()
            .all(|(_, value)| value.is_none()));
        assert_eq!(
            IncidentFilter::open().to_query()[1].1.as_deref(),
            Some("detected,reported,analysing")
        );
    }
}
