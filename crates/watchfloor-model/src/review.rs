//! After-action review: naming a moment of the exercise, a page of the log,
//! and the nation × inject response matrix.
//!
//! The state at any moment is the fold of the log up to it, so the review
//! needs no state of its own: a [`Moment`] says *which* fold, and
//! [`matrix`] reads one.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::state::State;
use crate::time::MONTH_NAMES;
use crate::types::{Exercise, Incident, Milestone, NationKind};

/// A moment of the exercise as a reviewer names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// After the event with this seq (in the reader's sequence): `1234` or `#1234`.
    Seq(u64),
    /// An instant: RFC 3339 (`2026-11-27T14:30:00Z`) or a full date-time
    /// group (`271430ZNOV26`, `271430Z NOV 26`).
    Time(DateTime<Utc>),
    /// A date-time group without month and year (`271430Z`): the day of the
    /// month within the exercise's schedule, see [`Moment::resolve`].
    DayTime { day: u32, hour: u32, minute: u32 },
}

/// A moment made definite: a seq or an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    Seq(u64),
    Time(DateTime<Utc>),
}

impl Moment {
    /// Reads a moment as typed or as written in a URL's `?at=`.
    pub fn parse(text: &str) -> Result<Moment, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("say a moment: a seq (1234), a date-time group (271430Z NOV 26) or a time (2026-11-27T14:30:00Z)".into());
        }
        let digits = text.strip_prefix('#').unwrap_or(text);
        if !digits.is_empty() && digits.len() <= 19 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return digits
                .parse()
                .map(Moment::Seq)
                .map_err(|_| format!("seq `{digits}` is too large"));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Moment::Time(at.with_timezone(&Utc)));
        }
        parse_dtg(text).ok_or_else(|| {
            format!(
                "`{}` is not a moment: expected a seq (1234), a date-time group (271430Z or 271430Z NOV 26) or a time (2026-11-27T14:30:00Z)",
                text.chars().take(40).collect::<String>()
            )
        })
    }

    /// Makes the moment definite. A bare day-time is the first such time on
    /// or after the day before STARTEX (an exercise is shorter than a
    /// month); without a STARTEX, the one nearest `fallback`.
    pub fn resolve(self, exercise: &Exercise, fallback: DateTime<Utc>) -> Point {
        match self {
            Moment::Seq(seq) => Point::Seq(seq),
            Moment::Time(at) => Point::Time(at),
            Moment::DayTime { day, hour, minute } => {
                let candidates = |around: DateTime<Utc>| {
                    let (year, month) = (around.year(), around.month());
                    [-1_i32, 0, 1].into_iter().filter_map(move |shift| {
                        let months = year * 12 + month as i32 - 1 + shift;
                        let date = NaiveDate::from_ymd_opt(
                            months.div_euclid(12),
                            months.rem_euclid(12) as u32 + 1,
                            day,
                        )?;
                        Some(Utc.from_utc_datetime(&date.and_hms_opt(hour, minute, 0)?))
                    })
                };
                let at = match exercise.startex {
                    Some(startex) => {
                        let from = (startex - Duration::days(1))
                            .date_naive()
                            .and_hms_opt(0, 0, 0)
                            .map(|midnight| Utc.from_utc_datetime(&midnight));
                        candidates(startex).find(|at| Some(*at) >= from)
                    }
                    None => candidates(fallback)
                        .min_by_key(|at| (*at - fallback).num_seconds().unsigned_abs()),
                };
                // Only a day no month near the exercise has (the 31st
                // around two short months) finds nothing: the fallback.
                Point::Time(at.unwrap_or(fallback))
            }
        }
    }
}

impl fmt::Display for Moment {
    /// The moment as `?at=` writes it; [`Moment::parse`] reads it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Seq(seq) => write!(f, "{seq}"),
            Moment::Time(at) => write!(
                f,
                "{}",
                at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ),
            Moment::DayTime { day, hour, minute } => write!(f, "{day:02}{hour:02}{minute:02}Z"),
        }
    }
}

/// `DDHHMMZ`, optionally followed by a month (three letters) and a
/// two-digit year, with or without spaces; case-insensitive.
fn parse_dtg(text: &str) -> Option<Moment> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let bytes = compact.as_bytes();
    if bytes.len() < 7 || !bytes[..6].iter().all(u8::is_ascii_digit) || bytes[6] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| compact[range].parse::<u32>().ok();
    let (day, hour, minute) = (number(0..2)?, number(2..4)?, number(4..6)?);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let rest = &compact[7..];
    if rest.is_empty() {
        return Some(Moment::DayTime { day, hour, minute });
    }
    if rest.len() != 5 || !rest.is_char_boundary(3) {
        return None;
    }
    let (month, year) = rest.split_at(3);
    let month = MONTH_NAMES
        .iter()
        .position(|name| name[..3].eq_ignore_ascii_case(month))? as u32
        + 1;
    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = 2000 + year.parse::<i32>().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(Moment::Time(
        Utc.from_utc_datetime(&date.and_hms_opt(hour, minute, 0)?),
    ))
}

/// One page of the log as `GET /api/v1/events` answers it, in the reader's sequence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventsPage {
    /// The events after `after`, in seq order, redacted for the reader.
    pub events: Vec<Event>,
    /// The reader's head seq when the page was read.
    pub head: u64,
    /// The `after` that asks for the next page; absent when this page
    /// reached `until` or the head.
    pub next: Option<u64>,
}

/// How long one nation took from an inject to its milestones, in seconds
/// (a milestone not reached is absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Times {
    pub detected: Option<i64>,
    pub reported: Option<i64>,
    pub contained: Option<i64>,
}

impl Times {
    /// The time to one milestone.
    pub fn get(&self, milestone: Milestone) -> Option<i64> {
        match milestone {
            Milestone::Detected => self.detected,
            Milestone::Reported => self.reported,
            Milestone::Contained => self.contained,
        }
    }

    /// The time to the first milestone the nation reached.
    pub fn first(&self) -> Option<i64> {
        [self.detected, self.reported, self.contained]
            .into_iter()
            .flatten()
            .min()
    }
}

/// One nation on one inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Cell {
    /// The inject did not concern this nation.
    NotAffected,
    /// Affected, and no milestone recorded (yet).
    NoResponse,
    /// Affected, with the milestones it reached.
    Responded { times: Times },
}

/// A nation and how long it took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NationTime {
    pub nation: String,
    pub seconds: i64,
}

/// One column of the matrix: an incident opened from a scripted inject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InjectColumn {
    /// The inject's reference in the script (`INJ-042`).
    pub inject: String,
    /// The incident it opened.
    pub incident: String,
    pub title: String,
    pub category: String,
    /// When the clock starts: the inject's planned time, else the opening.
    pub start: DateTime<Utc>,
    /// The nation first to reach its first milestone, and its time.
    pub fastest: Option<NationTime>,
    /// The nation last to reach its first milestone (of those that did).
    pub slowest: Option<NationTime>,
}

/// One row of the matrix: a nation, its cells in column order and its figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixRow {
    pub code: String,
    pub name: String,
    pub kind: NationKind,
    pub cells: Vec<Cell>,
    /// Injects that concerned the nation.
    pub affected: usize,
    /// Of those, how many it reached at least one milestone on.
    pub answered: usize,
    /// The median time to each milestone over the injects it reached it on.
    pub median: Times,
}

/// The nation × inject matrix of one state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    /// In inject order (start, then inject reference, then incident id).
    pub injects: Vec<InjectColumn>,
    /// In the order the nations joined.
    pub rows: Vec<MatrixRow>,
}

/// Every nation's times on every scripted inject of `state`.
///
/// A nation is affected by an inject's incident when the incident lists it
/// or it recorded a milestone on it. Times run from the inject's planned
/// time (else the incident's opening) to each milestone.
pub fn matrix(state: &State) -> Matrix {
    let mut incidents: Vec<&Incident> = state
        .incidents
        .iter()
        .filter(|incident| incident.inject.is_some())
        .collect();
    incidents.sort_by(|a, b| (start(a), inject_id(a), &a.id).cmp(&(start(b), inject_id(b), &b.id)));
    let cells: Vec<Vec<Cell>> = state
        .nations
        .iter()
        .map(|nation| {
            incidents
                .iter()
                .map(|incident| cell(incident, &nation.code))
                .collect()
        })
        .collect();
    let injects = incidents
        .iter()
        .enumerate()
        .map(|(column, incident)| {
            let mut firsts: Vec<NationTime> = state
                .nations
                .iter()
                .zip(&cells)
                .filter_map(|(nation, row)| match row[column] {
                    Cell::Responded { times } => times.first().map(|seconds| NationTime {
                        nation: nation.code.clone(),
                        seconds,
                    }),
                    _ => None,
                })
                .collect();
            firsts.sort_by(|a, b| (a.seconds, &a.nation).cmp(&(b.seconds, &b.nation)));
            InjectColumn {
                inject: inject_id(incident).to_owned(),
                incident: incident.id.clone(),
                title: incident.title.clone(),
                category: incident.category.clone(),
                start: start(incident),
                slowest: (firsts.len() > 1).then(|| firsts.last().cloned()).flatten(),
                fastest: firsts.into_iter().next(),
            }
        })
        .collect();
    let rows = state
        .nations
        .iter()
        .zip(cells)
        .map(|(nation, cells)| {
            let affected = cells
                .iter()
                .filter(|cell| !matches!(cell, Cell::NotAffected))
                .count();
            let responded: Vec<Times> = cells
                .iter()
                .filter_map(|cell| match cell {
                    Cell::Responded { times } => Some(*times),
                    _ => None,
                })
                .collect();
            let median_of = |milestone: Milestone| {
                median(
                    &mut responded
                        .iter()
                        .filter_map(|times| times.get(milestone))
                        .collect::<Vec<_>>(),
                )
            };
            MatrixRow {
                code: nation.code.clone(),
                name: nation.name.clone(),
                kind: nation.kind,
                affected,
                answered: responded.len(),
                median: Times {
                    detected: median_of(Milestone::Detected),
                    reported: median_of(Milestone::Reported),
                    contained: median_of(Milestone::Contained),
                },
                cells,
            }
        })
        .collect();
    Matrix { injects, rows }
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        values[middle - 1] / 2
            + values[middle] / 2
            + (values[middle - 1] % 2 + values[middle] % 2) / 2
    })
}

fn start(incident: &Incident) -> DateTime<Utc> {
    incident
        .inject
        .as_ref()
        .and_then(|inject| inject.planned_at)
        .unwrap_or(incident.opened_at)
}

fn inject_id(incident: &Incident) -> &str {
    incident
        .inject
        .as_ref()
        .map(|inject| inject.id.as_str())
        .unwrap_or_default()
}

fn cell(incident: &Incident, code: &str) -> Cell {
    let response = incident.responses.get(code);
    let listed = incident.nations.iter().any(|listed| listed == code);
    let Some(response) = response else {
        return if listed {
            Cell::NoResponse
        } else {
            Cell::NotAffected
        };
    };
    let since = |at: Option<DateTime<Utc>>| at.map(|at| (at - start(incident)).num_seconds());
    let times = Times {
        detected: since(response.detected),
        reported: since(response.reported),
        contained: since(response.contained),
    };
    if times.first().is_none() {
        Cell::NoResponse
    } else {
        Cell::Responded { times }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    fn exercise(startex: &str, endex: &str) -> Exercise {
        Exercise {
            startex: Some(at(startex)),
            endex: Some(at(endex)),
            ..Exercise::default()
        }
    }

    #[test]
    fn moments_are_read_in_every_form_and_written_back() {
        assert_eq!(Moment::parse("1234"), Ok(Moment::Seq(1234)));
        assert_eq!(Moment::parse(" #7 "), Ok(Moment::Seq(7)));
        assert_eq!(
            Moment::parse("2026-11-27T14:30:00Z"),
            Ok(Moment::Time(at("2026-11-27T14:30:00Z")))
        );
        assert_eq!(
            Moment::parse("2026-11-27T15:30:00+01:00"),
            Ok(Moment::Time(at("2026-11-27T14:30:00Z")))
        );
        for dtg in ["271430ZNOV26", "271430Z NOV 26", "271430z nov 26"] {
            assert_eq!(
                Moment::parse(dtg),
                Ok(Moment::Time(at("2026-11-27T14:30:00Z"))),
                "{dtg}"
            );
        }
        assert_eq!(
            Moment::parse("271430Z"),
            Ok(Moment::DayTime {
                day: 27,
                hour: 14,
                minute: 30
            })
        );
        for moment in [
            Moment::Seq(42),
            Moment::Time(at("2026-11-27T14:30:05Z")),
            Moment::DayTime {
                day: 3,
                hour: 9,
                minute: 5,
            },
        ] {
            assert_eq!(Moment::parse(&moment.to_string()), Ok(moment));
        }
    }

    #[test]
    fn a_bad_moment_says_what_is_expected() {
        for text in [
            "",
            "yesterday",
            "321430Z",
            "272430Z",
            "271460Z",
            "271430ZXYZ26",
            "271430ZNOV2026",
            "301200ZFEB26",
            "99999999999999999999",
            "#",
            "2026-11-27",
        ] {
            let error = Moment::parse(text).expect_err(text);
            assert!(!error.is_empty(), "{text}");
        }
        assert!(Moment::parse("yesterday")
            .unwrap_err()
            .contains("date-time group"));
    }

    #[test]
    fn a_bare_day_time_falls_in_the_exercise() {
        let november = exercise("2026-11-23T08:00:00Z", "2026-11-28T08:00:00Z");
        let now = at("2027-03-01T00:00:00Z");
        let resolve = |text: &str, exercise: &Exercise| {
            Moment::parse(text).expect("moment").resolve(exercise, now)
        };
        assert_eq!(
            resolve("271430Z", &november),
            Point::Time(at("2026-11-27T14:30:00Z"))
        );
        // The day before STARTEX still counts as the exercise's month.
        assert_eq!(
            resolve("220900Z", &november),
            Point::Time(at("2026-11-22T09:00:00Z"))
        );
        // An exercise across a month's end: the 2nd is in the next month.
        let across = exercise("2026-11-28T08:00:00Z", "2026-12-04T08:00:00Z");
        assert_eq!(
            resolve("020800Z", &across),
            Point::Time(at("2026-12-02T08:00:00Z"))
        );
        // No schedule: nearest the fallback.
        assert_eq!(
            resolve("281200Z", &Exercise::default()),
            Point::Time(at("2027-02-28T12:00:00Z"))
        );
        assert_eq!(resolve("#5", &november), Point::Seq(5));
    }

    #[test]
    fn medians_take_the_middle_and_never_overflow() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [30, 10, 20]), Some(20));
        assert_eq!(median(&mut [30, 10]), Some(20));
        assert_eq!(median(&mut [i64::MAX, i64::MAX]), Some(i64::MAX));
        assert_eq!(median(&mut [-3, -1]), Some(-2));
    }

    fn state(bodies: &[serde_json::Value]) -> State {
        let mut state = State::default();
        let start = at("2026-11-23T08:00:00Z");
        for (index, body) in bodies.iter().enumerate() {
            let event = Event {
                by: None,
                entry: None,
                seq: index as u64 + 1,
                at: start + Duration::minutes(10 * index as i64),
                body: serde_json::from_value(body.clone()).expect("event body"),
            };
            state.apply(&event).expect("valid event");
        }
        state
    }

    #[test]
    fn the_matrix_tells_not_affected_from_no_response() {
        use serde_json::json;
        let state = state(&[
            json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"}),
            json!({"type": "nation_joined", "code": "FIN", "name": "Finland", "kind": "partner"}),
            json!({"type": "nation_joined", "code": "LVA", "name": "Latvia", "kind": "ally"}),
            // 08:30: the second inject in the script, opened first.
            json!({"type": "incident_opened", "id": "B", "title": "Second", "category": "ddos", "severity": "low",
                   "nations": ["EST", "FIN"], "inject": {"id": "INJ-2", "planned_at": "2026-11-23T08:25:00Z"}}),
            // 08:40: the first inject, planned at 08:00.
            json!({"type": "incident_opened", "id": "A", "title": "First", "category": "ransomware", "severity": "high",
                   "nations": ["EST", "FIN", "LVA"], "inject": {"id": "INJ-1", "planned_at": "2026-11-23T08:00:00Z"}}),
            // Not from an inject: no column.
            json!({"type": "incident_opened", "id": "C", "title": "Walk-in", "category": "ddos", "severity": "low"}),
            // 09:00 EST detects A (60 min), 09:10 EST reports A (70 min).
            json!({"type": "nation_response", "id": "A", "code": "EST", "milestone": "detected"}),
            json!({"type": "nation_response", "id": "A", "code": "EST", "milestone": "reported"}),
            // 09:20 FIN detects A (80 min); 09:30 FIN detects B (65 min).
            json!({"type": "nation_response", "id": "A", "code": "FIN", "milestone": "detected"}),
            json!({"type": "nation_response", "id": "B", "code": "FIN", "milestone": "detected"}),
        ]);
        let matrix = matrix(&state);
        let columns: Vec<&str> = matrix.injects.iter().map(|c| c.inject.as_str()).collect();
        assert_eq!(
            columns,
            ["INJ-1", "INJ-2"],
            "in inject order, not opening order"
        );
        let row = |code: &str| {
            matrix
                .rows
                .iter()
                .find(|row| row.code == code)
                .expect("row")
        };
        let est = row("EST");
        assert_eq!(
            est.cells,
            [
                Cell::Responded {
                    times: Times {
                        detected: Some(3600),
                        reported: Some(4200),
                        contained: None
                    }
                },
                Cell::NoResponse
            ]
        );
        assert_eq!((est.affected, est.answered), (2, 1));
        assert_eq!(est.median.detected, Some(3600));
        let fin = row("FIN");
        assert_eq!((fin.affected, fin.answered), (2, 2));
        assert_eq!(fin.median.detected, Some((4800 + 3900) / 2));
        assert_eq!(fin.median.reported, None);
        let lva = row("LVA");
        assert_eq!(lva.cells, [Cell::NoResponse, Cell::NotAffected]);
        assert_eq!(
            (lva.affected, lva.answered, lva.kind),
            (1, 0, NationKind::Ally)
        );
        let first = &matrix.injects[0];
        assert_eq!(
            (first.fastest.clone(), first.slowest.clone()),
            (
                Some(NationTime {
                    nation: "EST".into(),
                    seconds: 3600
                }),
                Some(NationTime {
                    nation: "FIN".into(),
                    seconds: 4800
                })
            )
        );
        // One nation answered the second inject: fastest, and no slowest.
        assert_eq!(
            matrix.injects[1].fastest.as_ref().map(|t| t.seconds),
            Some(3900)
        );
        assert_eq!(matrix.injects[1].slowest, None);
        // The CSV has one line per nation and inject, after the header.
        let csv = crate::export::matrix_csv(&matrix);
        assert_eq!(csv.lines().count(), 1 + 3 * 2);
        assert!(csv.contains("EST,Estonia,ally,INJ-1,A,First,ransomware,2026-11-23T08:00:00Z,responded,3600,4200,\r\n"));
        assert!(csv.contains(
            "LVA,Latvia,ally,INJ-2,B,Second,ddos,2026-11-23T08:25:00Z,not_affected,,,\r\n"
        ));
    }
}
