//! After-action review: `GET /api/v1/review/matrix`, and what every review
//! read shares — `?at=<moment>` (the state as it was then) and the choice of
//! format (`?format=` or `Accept`) with its attachment headers.
//!
//! A moment is the model's [`Moment`] (`1234`, `#1234`, an RFC 3339 time, a
//! date-time group `271430ZNOV26`, or a bare `271430Z` within the exercise's
//! schedule); the hub answers the reader's state at it ([`Hub::past`]), in
//! the reader's own sequence, so the public gets the past of the released
//! public picture and nothing else.
//!
//! [`Hub::past`]: crate::hub::Hub::past

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;
use watchfloor_model::filter::query_value;
use watchfloor_model::review::{matrix, Matrix, Moment};
use watchfloor_model::{export, Audience};

use crate::auth::Caller;
use crate::error::{Error, ErrorBody, Problem, Result};
use crate::hub::Past;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/review/matrix", get(matrix_get))
}

/// `?at=`, accepted by the snapshot, the incident list, one incident and
/// the matrix (documentation only: [`past_at`] reads it).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AtParam {
    /// The moment to read the state at, in the reader's sequence: a seq
    /// (`1234` or `#1234`: after that event; beyond the head, the head), an
    /// RFC 3339 time (`2026-11-27T14:30:00Z`: after the last event at or
    /// before it), a date-time group (`271430ZNOV26`, `271430Z NOV 26`), or a
    /// bare `271430Z` (that day of the month within the exercise's
    /// schedule). Absent: now.
    at: Option<String>,
}

/// The query of a read, or a 400.
pub(crate) fn pairs(
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Vec<(String, String)>> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|rejection| Error::BadRequest(Problem::new("bad_query", rejection.body_text())))
}

/// The caller's state at `?at=`, or `None` without one; a moment that does
/// not parse is a 400 `bad_moment` naming `at`.
pub(crate) fn past_at(
    state: &AppState,
    audience: Audience,
    pairs: &[(String, String)],
) -> Result<Option<Past>> {
    let Some(text) = query_value(pairs, "at") else {
        return Ok(None);
    };
    let moment = Moment::parse(text)
        .map_err(|message| Error::BadRequest(Problem::new("bad_moment", message).field("at")))?;
    let hub = state.hub();
    let now = state.now();
    let point = moment.resolve(&hub.state_for(audience).exercise, now);
    Ok(Some(hub.past(audience, point, now)))
}

/// The caller's state at `?at=`, or now.
pub(crate) fn state_at(
    state: &AppState,
    audience: Audience,
    pairs: &[(String, String)],
) -> Result<Arc<watchfloor_model::State>> {
    Ok(match past_at(state, audience, pairs)? {
        Some(past) => past.state,
        None => state.hub().state_for(audience),
    })
}

/// What a read answers in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Csv,
    Jsonl,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }

    fn media_types(self) -> &'static [&'static str] {
        match self {
            Format::Json => &["application/json"],
            Format::Csv => &["text/csv"],
            Format::Jsonl => &["application/x-ndjson", "application/jsonl"],
        }
    }
}

/// The format asked for among `offered` (the first is the default):
/// `?format=` if given (anything else offered is a 400 `bad_query` naming
/// `format`), else the `Accept` media type with the highest `q` among the
/// offered ones (the first listed on a tie), else the default.
pub(crate) fn format(
    pairs: &[(String, String)],
    headers: &HeaderMap,
    offered: &[Format],
) -> Result<Format> {
    if let Some(asked) = query_value(pairs, "format") {
        let asked = asked.trim();
        return offered
            .iter()
            .copied()
            .find(|format| format.name().eq_ignore_ascii_case(asked))
            .ok_or_else(|| {
                let names: Vec<&str> = offered.iter().map(|format| format.name()).collect();
                Error::BadRequest(
                    Problem::new(
                        "bad_query",
                        format!(
                            "format `{}` is not offered here: use {}",
                            asked.chars().take(40).collect::<String>(),
                            names.join(" or ")
                        ),
                    )
                    .field("format"),
                )
            });
    }
    let mut best: Option<(f32, Format)> = None;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for range in value.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(format) = offered
                .iter()
                .copied()
                .find(|format| format.media_types().contains(&media.as_str()))
            else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(best_q, _)| q > best_q) {
                best = Some((q, format));
            }
        }
    }
    Ok(best.map_or(offered[0], |(_, format)| format))
}

/// An answer whose format follows `Accept`: caches must key on it.
pub(crate) fn varies(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// A download: `content_type`, saved as `filename`.
pub(crate) fn attachment(
    content_type: &'static str,
    filename: &'static str,
    body: impl Into<Body>,
) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    varies(
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition).expect("a plain file name"),
                ),
            ],
            body.into(),
        )
            .into_response(),
    )
}

/// The CSV media type the exports are sent as.
pub(crate) const CSV: &str = "text/csv; charset=utf-8";

/// `?format=` of the matrix.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MatrixQuery {
    /// `json` (the default) or `csv`; without it, `Accept: text/csv` asks for CSV.
    format: Option<String>,
}

/// The nation × inject response matrix of the caller's state, now or at `?at=`.
///
/// One column per incident opened from a scripted inject (in inject order),
/// one row per nation (in order of joining); each cell says whether the
/// inject concerned the nation and how many seconds it took to each
/// milestone. The public's matrix holds only public incidents. As CSV
/// (`?format=csv` or `Accept: text/csv`) it is one line per nation and
/// inject, an attachment `watchfloor-matrix.csv`; its columns are listed
/// below.
#[utoipa::path(
    get, path = "/api/v1/review/matrix", tag = "review",
    params(AtParam, MatrixQuery, super::AudienceParam),
    responses(
        (status = 200, description = "The matrix (JSON), or its CSV export (`text/csv; charset=utf-8`, RFC 4180, CRLF line ends, text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return prefixed with `'`)", content(
            (Matrix = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`bad_moment`: `at` is not a moment; `bad_query`: a `format` other than `json` or `csv`, or a query that is not a query; or an unknown `audience`", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn matrix_get(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let pairs = pairs(query)?;
    let format = format(&pairs, &headers, &[Format::Json, Format::Csv])?;
    let audience = caller.audience;
    let reader = state_at(&state, audience, &pairs)?;
    // The public picture holds nothing restricted; redacting it again is
    // cheap insurance, as for the snapshot.
    let matrix: Matrix = if audience.sees_restricted() {
        matrix(&reader)
    } else {
        matrix(&reader.redacted(audience))
    };
    Ok(match format {
        Format::Csv => attachment(CSV, "watchfloor-matrix.csv", export::matrix_csv(&matrix)),
        _ => varies(axum::Json(matrix).into_response()),
    })
}
