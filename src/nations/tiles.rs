//! Where each nation's tile sits on the map-like grid: the dashboard's
//! connection map and the display's participation panel both use it.

use watchfloor_model::{Nation, NationKind};

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

/// Where one nation's tile sits on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TilePlacement {
    /// The nation's position in the list given to [`tile_layout`].
    pub position: usize,
    pub column: u32,
    pub row: u32,
    /// In grid cells: one on the map, two below it (organisation codes such
    /// as `CERT-EU` are long).
    pub width: u32,
}

/// Where each nation's tile goes: known countries on their cell of the map
/// grid, then the rest (organisations and unplaced countries) two cells wide
/// in rows right below the lowest country present, in the order given.
pub fn tile_layout(nations: &[Nation]) -> Vec<TilePlacement> {
    const OVERFLOW_WIDTH: u32 = 2;
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
    let per_row = GRID_COLUMNS / OVERFLOW_WIDTH;
    let mut placed = Vec::with_capacity(nations.len());
    let mut overflow = 0u32;
    for (position, nation) in nations.iter().enumerate() {
        match known(nation) {
            Some((_, column, row)) => placed.push(TilePlacement {
                position,
                column: *column,
                row: *row,
                width: 1,
            }),
            None => {
                placed.push(TilePlacement {
                    position,
                    column: overflow % per_row * OVERFLOW_WIDTH,
                    row: map_rows + overflow / per_row,
                    width: OVERFLOW_WIDTH,
                });
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
    use watchfloor_model::ConnectionStatus;

    fn nation(code: &str, kind: NationKind) -> Nation {
        let last_seen: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("time");
        Nation {
            code: code.into(),
            name: format!("Nation {code}"),
            kind,
            participants: 1,
            teams: 1,
            status: ConnectionStatus::Online,
            last_seen,
        }
    }

    fn sample() -> Vec<Nation> {
        vec![
            nation("FIN", NationKind::Ally),
            nation("EST", NationKind::Ally),
            nation("UKR", NationKind::Partner),
            nation("EU-CDS", NationKind::Organisation),
        ]
    }

    #[test]
    fn tiles_sit_on_the_map_and_the_rest_below_it() {
        let nations = sample();
        let cells = |nations: &[Nation]| -> Vec<(usize, u32, u32, u32)> {
            tile_layout(nations)
                .iter()
                .map(|tile| (tile.position, tile.column, tile.row, tile.width))
                .collect()
        };
        assert_eq!(
            cells(&nations),
            [(0, 7, 0, 1), (1, 8, 1, 1), (2, 8, 3, 1), (3, 0, 4, 2)]
        );
        let mut more = nations.clone();
        more.push(nation("NCIRC", NationKind::Organisation));
        assert_eq!(cells(&more)[3..], [(3, 0, 4, 2), (4, 2, 4, 2)]);
        let cells: std::collections::BTreeSet<(u32, u32)> = PLACES
            .iter()
            .map(|(_, column, row)| (*column, *row))
            .collect();
        assert_eq!(cells.len(), PLACES.len(), "no two countries share a cell");
        assert!(PLACES.iter().all(|(_, column, _)| *column < GRID_COLUMNS));
    }
}
