//! Incidents: `GET /api/v1/incidents` (filtered, newest first) and
//! `GET /api/v1/incidents/{id}` (with its timeline and responses).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;
use watchfloor_model::filter::query_value;
use watchfloor_model::{export, redact, Incident, IncidentFilter, IncidentSummary};

use super::review::{self, attachment, varies, AtParam, Format, CSV};
use crate::auth::Caller;
use crate::error::{Error, ErrorBody, Problem, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/incidents", get(incidents_list))
        .route("/api/v1/incidents/{id}", get(incidents_get))
}

/// The incident list's filters. Each takes one value or a comma-separated
/// list (any of them matches); filters combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// `low`, `medium`, `high`, `critical`, e.g. `high,critical`.
    pub severity: Option<String>,
    /// `detected`, `reported`, `analysing`, `contained`, `resolved`.
    pub status: Option<String>,
    /// Nation codes: incidents affecting any of them, e.g. `EST,FIN`.
    pub nation: Option<String>,
    /// Category slugs, e.g. `ransomware,ddos`.
    pub category: Option<String>,
    /// Words that must all appear (any case) in the id, title, summary, team,
    /// category (slug or label), nation codes or inject reference (and, for
    /// commanders and control, the restricted detail) — the same search as
    /// the app's incidents page.
    pub q: Option<String>,
    /// At most this many incidents (the newest).
    pub limit: Option<String>,
    /// `json` (the default) or `csv`; without it, `Accept: text/csv` asks for CSV.
    pub format: Option<String>,
    /// `public` reads as the public.
    pub audience: Option<String>,
}

/// The list's filter ([`IncidentFilter`], the one the app's page uses too)
/// and its limit; a bad value is a 400 naming its parameter.
fn parse_query(pairs: &[(String, String)]) -> Result<(IncidentFilter, Option<usize>)> {
    let (filter, problems) = IncidentFilter::parse(pairs);
    if let Some(problem) = problems.into_iter().next() {
        return Err(Error::BadRequest(
            Problem::new("bad_filter", problem.message).field(problem.field),
        ));
    }
    let limit = query_value(pairs, "limit")
        .map(|text| {
            text.trim().parse::<usize>().map_err(|_| {
                Error::BadRequest(
                    Problem::new(
                        "bad_filter",
                        format!("limit `{text}` must be a whole number, e.g. 50"),
                    )
                    .field("limit"),
                )
            })
        })
        .transpose()?;
    Ok((filter, limit))
}

/// The incidents visible to the caller that pass the filters, newest first.
///
/// With `?at=`, the list as it was at that moment. With `?format=csv` or
/// `Accept: text/csv`, the same list (same filters, same order) as a
/// spreadsheet-safe CSV attachment `watchfloor-incidents.csv` (RFC 4180,
/// CRLF line ends, one line per incident after the header; `detail` is
/// empty for the public); its columns are listed below.
#[utoipa::path(
    get, path = "/api/v1/incidents", tag = "read",
    params(IncidentQuery, AtParam),
    responses(
        (status = 200, description = "Incidents, newest first (by opening), as JSON summaries or as CSV (`text/csv; charset=utf-8`; text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with `'`)", content(
            (Vec<IncidentSummary> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A filter value is not valid (`bad_filter`), `at` is not a moment (`bad_moment`), a `format` other than `json` or `csv`, or an unknown `audience`", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn incidents_list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let pairs = review::pairs(query)?;
    let (filter, limit) = parse_query(&pairs)?;
    let format = review::format(&pairs, &headers, &[Format::Json, Format::Csv])?;
    let audience = caller.audience;
    let snapshot = review::state_at(&state, audience, &pairs)?;
    // The log keeps `at` non-decreasing, so the order of opening is newest last.
    // Each incident is redacted for the reader *before* it is matched, so a
    // public search never matches restricted text.
    let incidents: Vec<Incident> = snapshot
        .incidents
        .iter()
        .rev()
        .filter_map(|incident| redact::incident(incident, audience))
        .filter(|incident| filter.matches(incident))
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    Ok(match format {
        Format::Csv => attachment(
            CSV,
            "watchfloor-incidents.csv",
            export::incidents_csv(&incidents),
        ),
        _ => varies(
            Json(
                incidents
                    .iter()
                    .map(IncidentSummary::from)
                    .collect::<Vec<_>>(),
            )
            .into_response(),
        ),
    })
}

/// One incident with its timeline and each nation's milestones.
///
/// A restricted incident is a 404 for the public, exactly like one that does
/// not exist, so its existence is not revealed.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}", tag = "read",
    params(("id" = String, Path, description = "The incident id, e.g. CC-042"), AtParam, super::AudienceParam),
    responses(
        (status = 200, description = "The incident, now or as it was at `at`", body = Incident),
        (status = 400, description = "`bad_moment`: `at` is not a moment; or an unknown `audience` (only `?audience=public` lowers the reader)", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
        (status = 404, description = "No such incident visible to the caller (at `at`: none yet then)", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn incidents_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Incident>> {
    let pairs = review::pairs(query)?;
    let audience = caller.audience;
    let snapshot = review::state_at(&state, audience, &pairs)?;
    let incident = snapshot
        .incident(&id)
        .and_then(|incident| redact::incident(incident, audience))
        .ok_or_else(|| Error::NotFound(format!("there is no incident `{id}`")))?;
    Ok(Json(incident))
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_model::Severity;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn filters_take_comma_separated_lists() {
        let (filter, limit) = parse_query(&pairs(&[
            ("severity", "high, critical"),
            ("nation", "EST,FIN"),
            ("q", "Breach  NET"),
            ("limit", "5"),
        ]))
        .expect("valid");
        assert_eq!(filter.severity, [Severity::High, Severity::Critical]);
        assert_eq!(filter.nation, ["EST", "FIN"]);
        assert_eq!(filter.text, "Breach  NET");
        assert_eq!(limit, Some(5));
    }

    #[test]
    fn a_bad_filter_names_its_parameter() {
        for (key, value) in [
            ("severity", "extreme"),
            ("status", "open"),
            ("nation", "est"),
            ("category", "DDoS"),
            ("limit", "ten"),
        ] {
            match parse_query(&pairs(&[(key, value)])) {
                Err(Error::BadRequest(problem)) => assert_eq!(problem.field.as_deref(), Some(key)),
                other => panic!("{key}={value}: {other:?}"),
            }
        }
    }
}
