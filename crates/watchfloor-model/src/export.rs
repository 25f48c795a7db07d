//! Exports for spreadsheets: the incident list and the response matrix as
//! CSV (RFC 4180, CRLF line ends), with a fixed column order.
//!
//! Spreadsheet-safe: a text cell that begins with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is prefixed with `'`, so a title cannot run as a
//! formula when the file is opened (OWASP's "CSV injection"). Numbers the
//! export writes itself (seconds) are written as numbers.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::review::{Cell, Matrix};
use crate::types::Incident;

/// The incident CSV's columns, in order. `nations` is the affected nations'
/// codes separated by spaces; times are RFC 3339 UTC; an absent value is empty.
pub const INCIDENT_COLUMNS: &[&str] = &[
    "id",
    "title",
    "category",
    "severity",
    "status",
    "visibility",
    "nations",
    "team",
    "opened_at",
    "updated_at",
    "closed_at",
    "inject",
    "inject_planned_at",
    "summary",
    "detail",
];

/// The matrix CSV's columns, in order: one row per nation and inject, in
/// the matrix's row and column order. `state` is `not_affected`,
/// `no_response` or `responded`; the `_s` columns are seconds from the
/// inject's start to the milestone, empty when not reached.
pub const MATRIX_COLUMNS: &[&str] = &[
    "nation",
    "nation_name",
    "nation_kind",
    "inject",
    "incident",
    "incident_title",
    "category",
    "start",
    "state",
    "detected_s",
    "reported_s",
    "contained_s",
];

/// One text cell, escaped for a spreadsheet and quoted when it must be.
pub fn field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) || guarded.trim() != guarded {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The header line of a CSV with these columns.
pub fn header(columns: &[&str]) -> String {
    let mut line = columns.join(",");
    line.push_str("\r\n");
    line
}

/// The incidents, one row each, in the order given, after the header.
pub fn incidents_csv<'a>(incidents: impl IntoIterator<Item = &'a Incident>) -> String {
    let mut csv = header(INCIDENT_COLUMNS);
    for incident in incidents {
        csv.push_str(&incident_row(incident));
    }
    csv
}

/// One incident's row (with its line end).
pub fn incident_row(incident: &Incident) -> String {
    let inject = incident.inject.as_ref();
    let cells = [
        field(&incident.id),
        field(&incident.title),
        field(&incident.category),
        incident.severity.as_str().to_owned(),
        incident.status.as_str().to_owned(),
        incident.visibility.as_str().to_owned(),
        field(&incident.nations.join(" ")),
        field(incident.team.as_deref().unwrap_or_default()),
        time(Some(incident.opened_at)),
        time(Some(incident.updated_at)),
        time(incident.closed_at),
        field(inject.map(|inject| inject.id.as_str()).unwrap_or_default()),
        time(inject.and_then(|inject| inject.planned_at)),
        field(&incident.summary),
        field(incident.detail.as_deref().unwrap_or_default()),
    ];
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

/// The matrix in long form: one row per nation and inject.
pub fn matrix_csv(matrix: &Matrix) -> String {
    let mut csv = header(MATRIX_COLUMNS);
    for row in &matrix.rows {
        for (column, cell) in matrix.injects.iter().zip(&row.cells) {
            let (state, times) = match cell {
                Cell::NotAffected => ("not_affected", None),
                Cell::NoResponse => ("no_response", None),
                Cell::Responded { times } => ("responded", Some(times)),
            };
            let seconds = |value: Option<i64>| value.map(|s| s.to_string()).unwrap_or_default();
            let _ = write!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
                field(&row.code),
                field(&row.name),
                row.kind.as_str(),
                field(&column.inject),
                field(&column.incident),
                field(&column.title),
                field(&column.category),
                time(Some(column.start)),
                state,
                seconds(times.and_then(|t| t.detected)),
                seconds(times.and_then(|t| t.reported)),
                seconds(times.and_then(|t| t.contained)),
            );
        }
    }
    csv
}

fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_separators_quoted() {
        assert_eq!(field("Plain title"), "Plain title");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(field(" padded "), "\" padded \"");
        assert_eq!(field(""), "");
        assert_eq!(field("a = b"), "a = b");
    }

    #[test]
    fn the_header_is_the_documented_column_order() {
        assert_eq!(
            incidents_csv([]),
            "id,title,category,severity,status,visibility,nations,team,opened_at,updated_at,closed_at,inject,inject_planned_at,summary,detail\r\n"
        );
        assert!(matrix_csv(&Matrix::default()).starts_with("nation,nation_name,"));
    }
}
