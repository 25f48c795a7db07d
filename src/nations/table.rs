//! The nations table's filter and sort, read from the URL query.

use std::cmp::Ordering;

use watchfloor_model::{ConnectionStatus, Nation, NationKind};

use crate::ui::query::{parsed_list, QueryGet};

/// A column of the nations table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NationColumn {
    Code,
    Name,
    Kind,
    Participants,
    Teams,
    Status,
    LastSeen,
}

impl NationColumn {
    /// The columns in table order.
    pub const ALL: &'static [NationColumn] = &[
        NationColumn::Code,
        NationColumn::Name,
        NationColumn::Kind,
        NationColumn::Participants,
        NationColumn::Teams,
        NationColumn::Status,
        NationColumn::LastSeen,
    ];

    /// The URL spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NationColumn::Code => "code",
            NationColumn::Name => "name",
            NationColumn::Kind => "kind",
            NationColumn::Participants => "participants",
            NationColumn::Teams => "teams",
            NationColumn::Status => "status",
            NationColumn::LastSeen => "last_seen",
        }
    }

    /// The header text.
    pub fn label(self) -> &'static str {
        match self {
            NationColumn::Code => "Code",
            NationColumn::Name => "Name",
            NationColumn::Kind => "Kind",
            NationColumn::Participants => "Participants",
            NationColumn::Teams => "Teams",
            NationColumn::Status => "Status",
            NationColumn::LastSeen => "Last check-in",
        }
    }
}

/// The nations page's view: `?kind=ally&status=offline,degraded&sort=-participants`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NationQuery {
    pub kind: Vec<NationKind>,
    pub status: Vec<ConnectionStatus>,
    pub sort: NationColumn,
    pub descending: bool,
}

impl Default for NationQuery {
    fn default() -> Self {
        NationQuery {
            kind: Vec::new(),
            status: Vec::new(),
            sort: NationColumn::Code,
            descending: false,
        }
    }
}

impl NationQuery {
    /// Reads the view from a URL query; unknown values are ignored.
    pub fn from_query(query: &(impl QueryGet + ?Sized)) -> Self {
        let (sort, descending) = match query.value("sort") {
            Some(text) => {
                let (descending, name) = match text.strip_prefix('-') {
                    Some(name) => (true, name.to_string()),
                    None => (false, text),
                };
                match NationColumn::ALL
                    .iter()
                    .find(|column| column.as_str() == name)
                {
                    Some(column) => (*column, descending),
                    None => (NationColumn::Code, false),
                }
            }
            None => (NationColumn::Code, false),
        };
        NationQuery {
            kind: parsed_list(query, "kind"),
            status: parsed_list(query, "status"),
            sort,
            descending,
        }
    }

    /// The `sort` value of this view (`None` for the default, by code A→Z).
    pub fn sort_query(&self) -> Option<String> {
        (self.sort != NationColumn::Code || self.descending).then(|| {
            format!(
                "{}{}",
                if self.descending { "-" } else { "" },
                self.sort.as_str()
            )
        })
    }

    /// The view after clicking a column header: the same column flips; a new
    /// one starts with the largest numbers, the latest check-in, A→Z otherwise.
    pub fn sorted_by(&self, column: NationColumn) -> NationQuery {
        let descending = if self.sort == column {
            !self.descending
        } else {
            matches!(
                column,
                NationColumn::Participants | NationColumn::Teams | NationColumn::LastSeen
            )
        };
        NationQuery {
            sort: column,
            descending,
            ..self.clone()
        }
    }

    /// The nations that pass the filter, sorted.
    pub fn apply<'a>(&self, nations: &'a [Nation]) -> Vec<&'a Nation> {
        let mut shown: Vec<&Nation> = nations
            .iter()
            .filter(|nation| self.kind.is_empty() || self.kind.contains(&nation.kind))
            .filter(|nation| self.status.is_empty() || self.status.contains(&nation.status))
            .collect();
        shown.sort_by(|a, b| {
            let ordering = compare(self.sort, a, b).then_with(|| a.code.cmp(&b.code));
            if self.descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
        shown
    }
}

fn compare(column: NationColumn, a: &Nation, b: &Nation) -> Ordering {
    match column {
        NationColumn::Code => a.code.cmp(&b.code),
        NationColumn::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        NationColumn::Kind => a.kind.cmp(&b.kind),
        NationColumn::Participants => a.participants.cmp(&b.participants),
        NationColumn::Teams => a.teams.cmp(&b.teams),
        NationColumn::Status => a.status.cmp(&b.status),
        NationColumn::LastSeen => a.last_seen.cmp(&b.last_seen),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn nation(code: &str, kind: NationKind, status: ConnectionStatus, participants: u32) -> Nation {
        let last_seen: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("time");
        Nation {
            code: code.into(),
            name: format!("Nation {code}"),
            kind,
            participants,
            teams: 1,
            status,
            last_seen,
        }
    }

    fn sample() -> Vec<Nation> {
        vec![
            nation("FIN", NationKind::Ally, ConnectionStatus::Online, 30),
            nation("EST", NationKind::Ally, ConnectionStatus::Degraded, 60),
            nation("UKR", NationKind::Partner, ConnectionStatus::Offline, 20),
            nation(
                "EU-CDS",
                NationKind::Organisation,
                ConnectionStatus::Online,
                5,
            ),
        ]
    }

    fn check(query: &[(&str, &str)], expected: &[&str]) {
        let nations = sample();
        let view = NationQuery::from_query(query);
        let codes: Vec<&str> = view
            .apply(&nations)
            .iter()
            .map(|n| n.code.as_str())
            .collect();
        assert_eq!(codes, expected, "{query:?}");
    }

    #[test]
    fn nations_filter_by_kind_and_status_and_sort_by_any_column() {
        check(&[], &["EST", "EU-CDS", "FIN", "UKR"]);
        check(&[("kind", "ally")], &["EST", "FIN"]);
        check(&[("status", "offline,degraded")], &["EST", "UKR"]);
        check(&[("kind", "partner"), ("status", "online")], &[]);
        check(
            &[("sort", "-participants")],
            &["EST", "FIN", "UKR", "EU-CDS"],
        );
        check(&[("sort", "status")], &["EU-CDS", "FIN", "EST", "UKR"]);
        check(&[("sort", "bogus")], &["EST", "EU-CDS", "FIN", "UKR"]);
    }

    #[test]
    fn clicking_a_header_sorts_then_flips() {
        let view = NationQuery::default();
        assert_eq!(view.sort_query(), None);
        let by_participants = view.sorted_by(NationColumn::Participants);
        assert_eq!(
            by_participants.sort_query().as_deref(),
            Some("-participants")
        );
        let flipped = by_participants.sorted_by(NationColumn::Participants);
        assert_eq!(flipped.sort_query().as_deref(), Some("participants"));
        assert_eq!(
            view.sorted_by(NationColumn::Code).sort_query().as_deref(),
            Some("-code")
        );
    }
}
