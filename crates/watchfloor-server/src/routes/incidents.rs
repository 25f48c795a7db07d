//! Incidents: `GET /api/v1/incidents` (filtered, newest first) and
//! `GET /api/v1/incidents/{id}` (with its timeline and responses).

use std::str::FromStr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;
use watchfloor_model::{Audience, Incident, IncidentStatus, IncidentSummary, Severity, Visibility};

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
    /// Words that must all appear (any case) in the id, title, summary or inject
    /// (and, for commanders and control, the restricted detail).
    pub q: Option<String>,
    /// At most this many incidents (the newest).
    pub limit: Option<String>,
    /// `public` reads as the public.
    pub audience: Option<String>,
}

/// The parsed filters; a pure function of the query, unit-tested below.
#[derive(Debug, Default, PartialEq)]
pub struct IncidentFilter {
    severity: Vec<Severity>,
    status: Vec<IncidentStatus>,
    nation: Vec<String>,
    category: Vec<String>,
    words: Vec<String>,
    limit: Option<usize>,
}

fn list<T>(
    field: &str,
    text: &Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            parse(item).map_err(|message| {
                Error::BadRequest(Problem::new("bad_filter", message).field(field))
            })
        })
        .collect()
}

impl IncidentFilter {
    /// Parses the query; a bad value is a 400 naming its parameter.
    pub fn parse(query: &IncidentQuery) -> Result<IncidentFilter> {
        let code = |item: &str| {
            watchfloor_model::state::check_nation_code("nation", item)
                .map(|()| item.to_owned())
                .map_err(|error| error.message)
        };
        let slug = |item: &str| {
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
        };
        let limit = query
            .limit
            .as_deref()
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
        Ok(IncidentFilter {
            severity: list("severity", &query.severity, Severity::from_str)?,
            status: list("status", &query.status, IncidentStatus::from_str)?,
            nation: list("nation", &query.nation, code)?,
            category: list("category", &query.category, slug)?,
            words: query
                .q
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_lowercase)
                .collect(),
            limit,
        })
    }

    /// Whether `incident` passes, for a reader who does (or does not) see restricted detail.
    pub fn matches(&self, incident: &Incident, sees_restricted: bool) -> bool {
        (self.severity.is_empty() || self.severity.contains(&incident.severity))
            && (self.status.is_empty() || self.status.contains(&incident.status))
            && (self.nation.is_empty()
                || incident
                    .nations
                    .iter()
                    .any(|code| self.nation.contains(code)))
            && (self.category.is_empty() || self.category.contains(&incident.category))
            && (self.words.is_empty() || {
                let mut text = format!("{} {} {}", incident.id, incident.title, incident.summary);
                if let Some(inject) = &incident.inject {
                    text.push(' ');
                    text.push_str(&inject.id);
                }
                if sees_restricted {
                    if let Some(detail) = &incident.detail {
                        text.push(' ');
                        text.push_str(detail);
                    }
                }
                let text = text.to_lowercase();
                self.words.iter().all(|word| text.contains(word.as_str()))
            })
    }
}

/// Whether `audience` may know `incident` exists.
fn visible(incident: &Incident, audience: Audience) -> bool {
    audience.sees_restricted() || incident.visibility == Visibility::Public
}

/// The incidents visible to the caller that pass the filters, newest first.
#[utoipa::path(
    get, path = "/api/v1/incidents", tag = "read",
    params(IncidentQuery),
    responses(
        (status = 200, description = "Incidents, newest first (by opening)", body = [IncidentSummary]),
        (status = 400, description = "A filter value is not valid", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn incidents_list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<IncidentQuery>, QueryRejection>,
) -> Result<Json<Vec<IncidentSummary>>> {
    let Query(query) = query
        .map_err(|rejection| Error::BadRequest(Problem::new("bad_query", rejection.body_text())))?;
    let filter = IncidentFilter::parse(&query)?;
    let audience = caller.audience;
    let snapshot = state.hub().state_for(audience);
    // The log keeps `at` non-decreasing, so the order of opening is newest last.
    let incidents = snapshot
        .incidents
        .iter()
        .rev()
        .filter(|incident| visible(incident, audience))
        .filter(|incident| filter.matches(incident, audience.sees_restricted()))
        .take(filter.limit.unwrap_or(usize::MAX))
        .map(|incident| {
            let mut summary = IncidentSummary::from(incident);
            if !audience.sees_restricted() {
                summary.detail = None;
            }
            summary
        })
        .collect();
    Ok(Json(incidents))
}

/// One incident with its timeline and each nation's milestones.
///
/// A restricted incident is a 404 for the public, exactly like one that does
/// not exist, so its existence is not revealed.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}", tag = "read",
    params(("id" = String, Path, description = "The incident id, e.g. CC-042"), super::AudienceParam),
    responses(
        (status = 200, description = "The incident", body = Incident),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
        (status = 404, description = "No such incident visible to the caller", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn incidents_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Incident>> {
    let audience = caller.audience;
    let snapshot = state.hub().state_for(audience);
    let incident = snapshot
        .incident(&id)
        .filter(|incident| visible(incident, audience))
        .ok_or_else(|| Error::NotFound(format!("there is no incident `{id}`")))?;
    let mut incident = incident.clone();
    if !audience.sees_restricted() {
        incident.detail = None;
    }
    Ok(Json(incident))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> IncidentQuery {
        let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        serde_json::from_value(serde_json::Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
                .collect(),
        ))
        .unwrap_or_else(|_| panic!("query {}", text.join("&")))
    }

    #[test]
    fn filters_take_comma_separated_lists() {
        let filter = IncidentFilter::parse(&query(&[
            ("severity", "high, critical"),
            ("nation", "EST,FIN"),
            ("q", "Breach  NET"),
        ]))
        .expect("valid");
        assert_eq!(filter.severity, [Severity::High, Severity::Critical]);
        assert_eq!(filter.nation, ["EST", "FIN"]);
        assert_eq!(filter.words, ["breach", "net"]);
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
            match IncidentFilter::parse(&query(&[(key, value)])) {
                Err(Error::BadRequest(problem)) => assert_eq!(problem.field.as_deref(), Some(key)),
                other => panic!("{key}={value}: {other:?}"),
            }
        }
    }
}
