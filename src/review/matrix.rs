//! The nation × inject matrix page's maths: which columns and rows the URL
//! asks for (`?category=ddos&kind=ally&sort=-inject:INJ-004`), in which
//! order, and what each cell says and how it is banded.
//!
//! The matrix itself is the model's [`watchfloor_model::review::matrix`]:
//! the server's CSV export and this page read the same figures.

use std::cmp::Ordering;

use watchfloor_model::review::{Cell, InjectColumn, Matrix, MatrixRow, Times};
use watchfloor_model::{Milestone, NationKind};

use crate::ui::query::{list, parsed_list, QueryGet};
use crate::vocabulary::time::compact;

/// A first milestone within this many seconds of the inject is "fast".
pub const FAST_S: i64 = 3600;
/// … and beyond this many, "slow".
pub const SLOW_S: i64 = 4 * 3600;

/// What the rows can be sorted by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatrixSort {
    /// The nation's code, A→Z (the default).
    Nation,
    /// How many of its injects the nation answered.
    Answered,
    /// The nation's median time to a milestone.
    Median(Milestone),
    /// The nation's time to its first milestone on one inject (by its reference).
    Inject(String),
}

impl MatrixSort {
    /// The URL spelling (`nation`, `answered`, `median_reported`, `inject:INJ-004`).
    pub fn as_query(&self) -> String {
        match self {
            MatrixSort::Nation => "nation".into(),
            MatrixSort::Answered => "answered".into(),
            MatrixSort::Median(milestone) => format!("median_{}", milestone.as_str()),
            MatrixSort::Inject(inject) => format!("inject:{inject}"),
        }
    }

    fn parse(text: &str) -> Option<MatrixSort> {
        if let Some(inject) = text.strip_prefix("inject:") {
            return (!inject.is_empty()).then(|| MatrixSort::Inject(inject.to_string()));
        }
        if let Some(milestone) = text.strip_prefix("median_") {
            return milestone.parse().ok().map(MatrixSort::Median);
        }
        match text {
            "nation" => Some(MatrixSort::Nation),
            "answered" => Some(MatrixSort::Answered),
            _ => None,
        }
    }
}

/// The matrix page's view, from the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixQuery {
    /// Only injects of these categories (all when empty).
    pub category: Vec<String>,
    /// Only nations of these kinds (all when empty).
    pub kind: Vec<NationKind>,
    pub sort: MatrixSort,
    pub descending: bool,
}

impl Default for MatrixQuery {
    fn default() -> Self {
        MatrixQuery {
            category: Vec::new(),
            kind: Vec::new(),
            sort: MatrixSort::Nation,
            descending: false,
        }
    }
}

impl MatrixQuery {
    /// Reads the view; unknown values are ignored (a stale link still opens).
    pub fn from_query(query: &(impl QueryGet + ?Sized)) -> Self {
        let (sort, descending) = match query.value("sort") {
            Some(text) => {
                let (descending, name) = match text.strip_prefix('-') {
                    Some(name) => (true, name),
                    None => (false, text.as_str()),
                };
                match MatrixSort::parse(name) {
                    Some(sort) => (sort, descending),
                    None => (MatrixSort::Nation, false),
                }
            }
            None => (MatrixSort::Nation, false),
        };
        MatrixQuery {
            category: list(query, "category"),
            kind: parsed_list(query, "kind"),
            sort,
            descending,
        }
    }

    /// The `sort` value (`None` for the default, by nation A→Z).
    pub fn sort_query(&self) -> Option<String> {
        (self.sort != MatrixSort::Nation || self.descending).then(|| {
            format!(
                "{}{}",
                if self.descending { "-" } else { "" },
                self.sort.as_query()
            )
        })
    }

    /// The view after pressing a header: the same sort flips; a new one
    /// starts with the most answered, A→Z, or the fastest first.
    pub fn sorted_by(&self, sort: MatrixSort) -> MatrixQuery {
        let descending = if self.sort == sort {
            !self.descending
        } else {
            sort == MatrixSort::Answered
        };
        MatrixQuery {
            sort,
            descending,
            ..self.clone()
        }
    }

    /// The columns shown: indices into `matrix.injects`, in inject order.
    pub fn columns(&self, matrix: &Matrix) -> Vec<usize> {
        matrix
            .injects
            .iter()
            .enumerate()
            .filter(|(_, column)| {
                self.category.is_empty() || self.category.contains(&column.category)
            })
            .map(|(index, _)| index)
            .collect()
    }

    /// The rows shown: indices into `matrix.rows`, sorted.
    pub fn rows(&self, matrix: &Matrix) -> Vec<usize> {
        let mut rows: Vec<usize> = matrix
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| self.kind.is_empty() || self.kind.contains(&row.kind))
            .map(|(index, _)| index)
            .collect();
        let column = match &self.sort {
            MatrixSort::Inject(inject) => matrix.injects.iter().position(|c| &c.inject == inject),
            _ => None,
        };
        let key = |row: &MatrixRow| -> Option<i64> {
            match &self.sort {
                MatrixSort::Nation => None,
                MatrixSort::Answered => Some(row.answered as i64),
                MatrixSort::Median(milestone) => row.median.get(*milestone),
                MatrixSort::Inject(_) => column.and_then(|column| first(&row.cells[column])),
            }
        };
        rows.sort_by(|&a, &b| {
            let (a, b) = (&matrix.rows[a], &matrix.rows[b]);
            let order = match (&self.sort, key(a), key(b)) {
                (MatrixSort::Nation, _, _) => a.code.cmp(&b.code),
                // Nations without a figure go last whichever way the sort runs.
                (_, Some(x), Some(y)) => x.cmp(&y),
                (_, Some(_), None) => return Ordering::Less,
                (_, None, Some(_)) => return Ordering::Greater,
                (_, None, None) => return a.code.cmp(&b.code),
            };
            let order = if self.descending {
                order.reverse()
            } else {
                order
            };
            order.then_with(|| a.code.cmp(&b.code))
        });
        rows
    }
}

fn first(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Responded { times } => times.first(),
        _ => None,
    }
}

/// A cell's colour band, always said in text as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    NotAffected,
    NoResponse,
    /// First milestone within [`FAST_S`].
    Fast,
    Steady,
    /// First milestone after [`SLOW_S`].
    Slow,
}

impl Band {
    pub fn of(cell: &Cell) -> Band {
        match cell {
            Cell::NotAffected => Band::NotAffected,
            Cell::NoResponse => Band::NoResponse,
            Cell::Responded { times } => match times.first() {
                Some(seconds) if seconds <= FAST_S => Band::Fast,
                Some(seconds) if seconds > SLOW_S => Band::Slow,
                _ => Band::Steady,
            },
        }
    }

    /// The CSS class of the band.
    pub fn class(self) -> &'static str {
        match self {
            Band::NotAffected => "band-none",
            Band::NoResponse => "band-missing",
            Band::Fast => "band-fast",
            Band::Steady => "band-steady",
            Band::Slow => "band-slow",
        }
    }

    /// The band in words, for the legend and screen readers.
    pub fn label(self) -> &'static str {
        match self {
            Band::NotAffected => "not affected",
            Band::NoResponse => "no response",
            Band::Fast => "within 1 h",
            Band::Steady => "1–4 h",
            Band::Slow => "over 4 h",
        }
    }
}

/// The short letter of a milestone in a cell: D, R, C.
pub fn milestone_letter(milestone: Milestone) -> &'static str {
    match milestone {
        Milestone::Detected => "D",
        Milestone::Reported => "R",
        Milestone::Contained => "C",
    }
}

/// A cell's lines: "D 1h00", "R 1h10", "C —"; or the state in words.
pub fn cell_lines(cell: &Cell) -> Vec<String> {
    match cell {
        Cell::NotAffected => vec!["—".into()],
        Cell::NoResponse => vec!["no response".into()],
        Cell::Responded { times } => times_lines(times),
    }
}

/// One line per milestone: "D 1h00", or "D —" when not reached.
pub fn times_lines(times: &Times) -> Vec<String> {
    Milestone::ALL
        .iter()
        .map(|milestone| {
            format!(
                "{} {}",
                milestone_letter(*milestone),
                times
                    .get(*milestone)
                    .map(compact)
                    .unwrap_or_else(|| "—".into())
            )
        })
        .collect()
}

/// A column's footer: "EST 1h00" for its fastest or slowest nation, or "—".
pub fn extreme_text(column: &InjectColumn, fastest: bool) -> String {
    let extreme = if fastest {
        &column.fastest
    } else {
        &column.slowest
    };
    extreme
        .as_ref()
        .map(|time| format!("{} {}", time.nation, compact(time.seconds)))
        .unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_model::review::NationTime;

    fn row(code: &str, kind: NationKind, answered: usize, cells: Vec<Cell>) -> MatrixRow {
        MatrixRow {
            code: code.into(),
            name: code.into(),
            kind,
            cells,
            affected: 2,
            answered,
            median: Times {
                detected: Some(answered as i64 * 100),
                ..Times::default()
            },
        }
    }

    fn responded(seconds: i64) -> Cell {
        Cell::Responded {
            times: Times {
                detected: Some(seconds),
                ..Times::default()
            },
        }
    }

    fn column(inject: &str, category: &str) -> InjectColumn {
        InjectColumn {
            inject: inject.into(),
            incident: format!("CC-{inject}"),
            title: inject.into(),
            category: category.into(),
            start: "2026-11-24T08:00:00Z".parse().expect("time"),
            fastest: Some(NationTime {
                nation: "EST".into(),
                seconds: 600,
            }),
            slowest: None,
        }
    }

    fn matrix() -> Matrix {
        Matrix {
            injects: vec![column("INJ-1", "ddos"), column("INJ-2", "ransomware")],
            rows: vec![
                row(
                    "FIN",
                    NationKind::Partner,
                    1,
                    vec![responded(7200), Cell::NoResponse],
                ),
                row(
                    "EST",
                    NationKind::Ally,
                    2,
                    vec![responded(600), responded(900)],
                ),
                row(
                    "LVA",
                    NationKind::Ally,
                    0,
                    vec![Cell::NotAffected, Cell::NoResponse],
                ),
            ],
        }
    }

    fn query(pairs: &[(&str, &str)]) -> MatrixQuery {
        MatrixQuery::from_query(pairs)
    }

    fn codes(matrix: &Matrix, query: &MatrixQuery) -> Vec<String> {
        query
            .rows(matrix)
            .into_iter()
            .map(|index| matrix.rows[index].code.clone())
            .collect()
    }

    #[test]
    fn rows_sort_by_any_column_with_the_unanswered_last() {
        let matrix = matrix();
        assert_eq!(codes(&matrix, &query(&[])), ["EST", "FIN", "LVA"]);
        assert_eq!(
            codes(&matrix, &query(&[("sort", "-nation")])),
            ["LVA", "FIN", "EST"]
        );
        assert_eq!(
            codes(&matrix, &query(&[("sort", "-answered")])),
            ["EST", "FIN", "LVA"]
        );
        assert_eq!(
            codes(&matrix, &query(&[("sort", "inject:INJ-1")])),
            ["EST", "FIN", "LVA"]
        );
        // Slowest first, and still nobody without a time before those with one.
        assert_eq!(
            codes(&matrix, &query(&[("sort", "-inject:INJ-1")])),
            ["FIN", "EST", "LVA"]
        );
        assert_eq!(
            codes(&matrix, &query(&[("sort", "-inject:INJ-2")])),
            ["EST", "FIN", "LVA"]
        );
        assert_eq!(
            codes(&matrix, &query(&[("sort", "median_detected")])),
            ["LVA", "FIN", "EST"]
        );
        // A stale link sorts by nation.
        assert_eq!(query(&[("sort", "inject:")]).sort, MatrixSort::Nation);
        assert_eq!(query(&[("sort", "median_lunch")]).sort, MatrixSort::Nation);
    }

    #[test]
    fn the_sort_round_trips_and_flips() {
        let start = MatrixQuery::default();
        assert_eq!(start.sort_query(), None);
        let by_inject = start.sorted_by(MatrixSort::Inject("INJ-2".into()));
        assert_eq!(by_inject.sort_query().as_deref(), Some("inject:INJ-2"));
        let flipped = by_inject.sorted_by(MatrixSort::Inject("INJ-2".into()));
        assert_eq!(flipped.sort_query().as_deref(), Some("-inject:INJ-2"));
        assert_eq!(
            query(&[("sort", "-inject:INJ-2")]),
            flipped,
            "the URL reads back the same view"
        );
        assert!(start.sorted_by(MatrixSort::Answered).descending);
    }

    #[test]
    fn filters_pick_columns_by_category_and_rows_by_kind() {
        let matrix = matrix();
        assert_eq!(query(&[("category", "ransomware")]).columns(&matrix), [1]);
        assert_eq!(query(&[]).columns(&matrix), [0, 1]);
        assert_eq!(codes(&matrix, &query(&[("kind", "ally")])), ["EST", "LVA"]);
        assert_eq!(
            codes(&matrix, &query(&[("kind", "organisation")])),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_cell_says_its_state_in_text() {
        assert_eq!(cell_lines(&Cell::NotAffected), ["—"]);
        assert_eq!(cell_lines(&Cell::NoResponse), ["no response"]);
        assert_eq!(
            cell_lines(&Cell::Responded {
                times: Times {
                    detected: Some(3600),
                    reported: Some(4200),
                    contained: None
                }
            }),
            ["D 1h00", "R 1h10", "C —"]
        );
        assert_eq!(Band::of(&responded(3600)), Band::Fast);
        assert_eq!(Band::of(&responded(3601)), Band::Steady);
        assert_eq!(Band::of(&responded(4 * 3600 + 1)), Band::Slow);
        assert_eq!(Band::of(&Cell::NoResponse), Band::NoResponse);
        let labels: std::collections::BTreeSet<_> = [
            Band::NotAffected,
            Band::NoResponse,
            Band::Fast,
            Band::Steady,
            Band::Slow,
        ]
        .iter()
        .map(|band| band.label())
        .collect();
        assert_eq!(labels.len(), 5);
        let column = column("INJ-1", "ddos");
        assert_eq!(extreme_text(&column, true), "EST 10m");
        assert_eq!(extreme_text(&column, false), "—");
    }
}
