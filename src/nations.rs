//! The nations table's filter and sort (from the URL query), and where each
//! nation's tile sits on the map-like grid.

use std::cmp::Ordering;

use watchfloor_model::{ConnectionStatus, Nation, NationKind};

use crate::query::{parsed_list, QueryGet};

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

/// Grid cells (column, row) of countries, placed roughly as on a map of the
/// North Atlantic and Europe; Asia-Pacific partners sit at the right edge.
const PLACES: &[(&str, u32, u32)] = &[
    ("ISL", 2, 0),
    ("NOR", 5, 0),
    ("SWE", 6, 0),
    ("FIN", 7, 0),
    ("CAN", 0, 1),
    ("IRL", 2, 1),
    ("GBR", 3, 1),
    ("DNK", 5, 1),
    ("EST", 8, 1),
    ("JPN", 11, 1),
    ("USA", 0, 2),
    ("NLD", 4, 2),
    ("DEU", 5, 2),
    ("POL", 6, 2),
    ("LTU", 7, 2),
    ("LVA", 8, 2),
    ("KOR", 11, 2),
    ("BEL", 4, 3),
    ("LUX", 5, 3),
    ("CZE", 6, 3),
    ("SVK", 7, 3),
    ("UKR", 8, 3),
    ("FRA", 4, 4),
    ("CHE", 5, 4),
    ("AUT", 6, 4),
    ("HUN", 7, 4),
    ("ROU", 8, 4),
    ("MDA", 9, 4),
    ("GEO", 10, 4),
    ("PRT", 2, 5),
    ("ESP", 3, 5),
    ("ITA", 5, 5),
    ("SVN", 6, 5),
    ("HRV", 7, 5),
    ("SRB", 8, 5),
    ("BGR", 9, 5),
    ("BIH", 7, 6),
    ("MNE", 8, 6),
    ("MKD", 9, 6),
    ("TUR", 10, 6),
    ("ALB", 8, 7),
    ("GRC", 9, 7),
    ("CYP", 10, 7),
    ("MLT", 6, 7),
    ("AUS", 11, 7),
    ("NZL", 11, 8),
];

/// Columns of the tile grid.
pub const GRID_COLUMNS: u32 = 12;

/// Where each nation's tile goes, one cell each: known countries on the map
/// grid, then the rest (organisations and unplaced countries) in rows right
/// below the lowest country present, in the order given. Returns `(position in nations, column, row)`.
pub fn tile_positions(nations: &[Nation]) -> Vec<(usize, u32, u32)> {
    place(nations, 1)
        .into_iter()
        .map(|(position, column, row, _)| (position, column, row))
        .collect()
}

/// Like [`tile_positions`], but the tiles below the map are two cells wide
/// (organisation codes such as `CERT-EU` are long). Returns
/// `(position in nations, column, row, width in cells)`.
pub fn tile_layout(nations: &[Nation]) -> Vec<(usize, u32, u32, u32)> {
    place(nations, 2)
}

fn place(nations: &[Nation], overflow_width: u32) -> Vec<(usize, u32, u32, u32)> {
    let known = |nation: &Nation| {
        (nation.kind != NationKind::Organisation)
            .then(|| PLACES.iter().find(|(code, _, _)| *code == nation.code))
            .flatten()
    };
    // The rest start right below the lowest country present (no empty rows between).
    let map_rows = nations
        .iter()
        .filter_map(|nation| known(nation).map(|(_, _, row)| row + 1))
        .max()
        .unwrap_or(0);
    let per_row = GRID_COLUMNS / overflow_width;
    let mut placed = Vec::with_capacity(nations.len());
    let mut overflow = 0u32;
    for (position, nation) in nations.iter().enumerate() {
        match known(nation) {
            Some((_, column, row)) => placed.push((position, *column, *row, 1)),
            None => {
                placed.push((
                    position,
                    overflow % per_row * overflow_width,
                    map_rows + overflow / per_row,
                    overflow_width,
                ));
                overflow += 1;
            }
        }
    }
    placed
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

    #[test]
    fn tiles_sit_on_the_map_and_the_rest_below_it() {
        let nations = sample();
        assert_eq!(
            tile_positions(&nations),
            [(0, 7, 0), (1, 8, 1), (2, 8, 3), (3, 0, 4)]
        );
        let mut more = nations.clone();
        more.push(nation(
            "NCIRC",
            NationKind::Organisation,
            ConnectionStatus::Online,
            5,
        ));
        assert_eq!(tile_layout(&more)[3..], [(3, 0, 4, 2), (4, 2, 4, 2)]);
        let cells: std::collections::BTreeSet<(u32, u32)> = PLACES
            .iter()
            .map(|(_, column, row)| (*column, *row))
            .collect();
        assert_eq!(cells.len(), PLACES.len(), "no two countries share a cell");
        assert!(PLACES.iter().all(|(_, column, _)| *column < GRID_COLUMNS));
    }
}
