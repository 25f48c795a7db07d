//! The activity panel's figures: incidents by category and by severity, the
//! chart of incidents opened over time, and the latest summaries.
//!
//! Each result is bounded (a few categories, a fixed number of bars, a few
//! summaries) whatever the number of incidents, so a display that runs for a
//! week draws the same amount of DOM on its last day as on its first.

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::{Incident, Severity};

use crate::ui::time_axis::{step, Buckets, TimeRange};

/// Categories shown by name; the rest are summed as "other".
pub const TOP_CATEGORIES: usize = 6;
/// At most this many bars in the chart.
pub const MAX_BARS: i64 = 24;
/// Summaries in the latest list.
pub const LATEST: usize = 3;

/// Incidents of one category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryCount {
    /// The slug, or `None` for the sum of the categories not shown by name.
    pub slug: Option<String>,
    pub total: usize,
    pub open: usize,
}

/// Incidents by category, most first (then by slug), the top
/// [`TOP_CATEGORIES`] by name and the rest as one "other" line.
pub fn by_category<'a>(incidents: impl IntoIterator<Item = &'a Incident>) -> Vec<CategoryCount> {
    let mut counts: Vec<CategoryCount> = Vec::new();
    for incident in incidents {
        let slot = match counts
            .iter()
            .position(|count| count.slug.as_deref() == Some(incident.category.as_str()))
        {
            Some(position) => position,
            None => {
                counts.push(CategoryCount {
                    slug: Some(incident.category.clone()),
                    total: 0,
                    open: 0,
                });
                counts.len() - 1
            }
        };
        counts[slot].total += 1;
        if incident.status.is_open() {
            counts[slot].open += 1;
        }
    }
    counts.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.slug.cmp(&b.slug)));
    if counts.len() > TOP_CATEGORIES + 1 {
        let rest = counts.split_off(TOP_CATEGORIES);
        counts.push(CategoryCount {
            slug: None,
            total: rest.iter().map(|count| count.total).sum(),
            open: rest.iter().map(|count| count.open).sum(),
        });
    }
    counts
}

/// Incidents of one severity: open now, and in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeverityCount {
    pub severity: Severity,
    pub open: usize,
    pub total: usize,
}

/// Incidents by severity, most severe first.
pub fn by_severity<'a>(incidents: impl IntoIterator<Item = &'a Incident>) -> Vec<SeverityCount> {
    let mut counts: Vec<SeverityCount> = Severity::ALL
        .iter()
        .rev()
        .map(|severity| SeverityCount {
            severity: *severity,
            open: 0,
            total: 0,
        })
        .collect();
    for incident in incidents {
        if let Some(count) = counts
            .iter_mut()
            .find(|count| count.severity == incident.severity)
        {
            count.total += 1;
            if incident.status.is_open() {
                count.open += 1;
            }
        }
    }
    counts
}

/// One bar of the chart: incidents opened in `start..start + size`, by
/// their current severity (indexed like `Severity::ALL`, low → critical).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bar {
    pub start: DateTime<Utc>,
    pub opened: [usize; 4],
}

impl Bar {
    /// All incidents opened in this bar's time.
    pub fn total(&self) -> usize {
        self.opened.iter().sum()
    }
}

/// The chart of incidents opened during `range`, in at most [`MAX_BARS`]
/// bars (plus the partial one) aligned to whole UTC hours.
pub fn chart<'a>(incidents: impl IntoIterator<Item = &'a Incident>, range: TimeRange) -> Vec<Bar> {
    if range.length() <= Duration::zero() {
        return Vec::new();
    }
    let buckets = Buckets::new(range, step(range.length(), MAX_BARS, Duration::hours(1)));
    let mut bars: Vec<Bar> = (0..buckets.len())
        .map(|index| Bar {
            start: buckets.start(index),
            opened: [0; 4],
        })
        .collect();
    for incident in incidents {
        if let Some(bar) = buckets
            .index(incident.opened_at)
            .and_then(|index| bars.get_mut(index))
        {
            bar.opened[severity_index(incident.severity)] += 1;
        }
    }
    bars
}

fn severity_index(severity: Severity) -> usize {
    Severity::ALL
        .iter()
        .position(|known| *known == severity)
        .expect("every severity is in ALL")
}

/// The incidents changed most recently, newest first (ties: the later opened first).
pub fn latest<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    count: usize,
) -> Vec<&'a Incident> {
    let mut recent: Vec<&Incident> = incidents.into_iter().collect();
    recent.sort_by(|a, b| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| b.opened_at.cmp(&a.opened_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    recent.truncate(count);
    recent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::incident;
    use watchfloor_model::IncidentStatus;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    fn sample() -> Vec<Incident> {
        let categories = [
            "ransomware",
            "ddos",
            "ransomware",
            "phishing",
            "ddos",
            "ransomware",
            "a1",
            "a2",
            "a3",
            "a4",
            "a5",
        ];
        categories
            .iter()
            .enumerate()
            .map(|(index, category)| {
                let status = if index % 2 == 0 {
                    IncidentStatus::Analysing
                } else {
                    IncidentStatus::Resolved
                };
                let severity = Severity::ALL[index % 4];
                let mut incident = incident(&format!("INC-{index}"), severity, status);
                incident.category = category.to_string();
                incident.opened_at =
                    at("2026-11-24T08:00:00Z") + Duration::minutes(50 * index as i64);
                incident.updated_at = incident.opened_at + Duration::minutes(10);
                incident
            })
            .collect()
    }

    #[test]
    fn categories_are_counted_most_first_with_the_tail_as_other() {
        let counts = by_category(&sample());
        let shown: Vec<(Option<&str>, usize, usize)> = counts
            .iter()
            .map(|count| (count.slug.as_deref(), count.total, count.open))
            .collect();
        assert_eq!(
            shown,
            [
                (Some("ransomware"), 3, 2),
                (Some("ddos"), 2, 1),
                (Some("a1"), 1, 1),
                (Some("a2"), 1, 0),
                (Some("a3"), 1, 1),
                (Some("a4"), 1, 0),
                (None, 2, 1),
            ]
        );
        // Exactly one too many for the list is shown by name, not as "other: 1".
        let few: Vec<Incident> = sample().into_iter().take(10).collect();
        assert!(by_category(&few).iter().all(|count| count.slug.is_some()));
        assert!(by_category(std::iter::empty()).is_empty());
    }

    #[test]
    fn severities_count_open_and_all_most_severe_first() {
        let counts = by_severity(&sample());
        let shown: Vec<(Severity, usize, usize)> = counts
            .iter()
            .map(|count| (count.severity, count.open, count.total))
            .collect();
        assert_eq!(
            shown,
            [
                (Severity::Critical, 0, 2),
                (Severity::High, 3, 3),
                (Severity::Medium, 0, 3),
                (Severity::Low, 3, 3),
            ]
        );
    }

    #[test]
    fn the_chart_has_few_aligned_bars_whatever_the_span() {
        let incidents = sample();
        // 8:00 to 17:10 on one day: hourly bars from 8:00.
        let bars = chart(
            &incidents,
            TimeRange::new(at("2026-11-24T08:20:00Z"), at("2026-11-24T17:10:00Z")),
        );
        assert_eq!(bars.len(), 10);
        assert_eq!(bars[0].start, at("2026-11-24T08:00:00Z"));
        assert_eq!(bars.iter().map(Bar::total).sum::<usize>(), 11);
        assert_eq!(bars[0].opened, [1, 1, 0, 0], "08:00 low and 08:50 medium");
        // A five-day exercise: never more than MAX_BARS (+1 for the partial bar).
        let week = chart(
            &incidents,
            TimeRange::new(at("2026-11-23T08:00:00Z"), at("2026-11-28T08:00:00Z")),
        );
        assert!(week.len() as i64 <= MAX_BARS + 1, "{}", week.len());
        assert_eq!(week.iter().map(Bar::total).sum::<usize>(), 11);
        assert!(chart(
            &incidents,
            TimeRange::new(at("2026-11-24T08:00:00Z"), at("2026-11-24T08:00:00Z"))
        )
        .is_empty());
    }

    #[test]
    fn the_latest_are_the_most_recently_changed() {
        let mut incidents = sample();
        incidents[1].updated_at = at("2026-11-30T00:00:00Z");
        let ids: Vec<&str> = latest(&incidents, 3)
            .iter()
            .map(|incident| incident.id.as_str())
            .collect();
        assert_eq!(ids, ["INC-1", "INC-10", "INC-9"]);
        assert!(latest(std::iter::empty(), 3).is_empty());
    }
}
