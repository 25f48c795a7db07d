//! The HTTP error type — everything a request can meet — and the JSON body
//! extractor whose rejections use it.
//!
//! Only what a request can cause belongs here: a bad setting, an unreadable
//! file or an unusable data dir is the operator's, and is an
//! [`OperatorError`](crate::OperatorError) instead.
//!
//! Every failure leaves as `{"error": {"code", "message", "field"}}` with the
//! status the contract names. Client mistakes (4xx) say what to change; server
//! faults (5xx) are logged in full and answered with a generic message, so no
//! internal detail (paths, SQL) ever reaches a client.
//!
//! The body statuses, in the order they are checked:
//! - 413 `too_large`: the body is over the limit (1 MiB by default);
//! - 415 `unsupported_media_type`: the `Content-Type` is not JSON;
//! - 400 `malformed_json`: the body is not JSON at all (with line and column);
//! - 422: the body is JSON but not what the endpoint takes — an unknown event
//!   type, a missing or unknown field, a value of the wrong kind — or an event
//!   the exercise's state refuses (the model's validation, with its field);
//! - 409: a conflict with what exists (a duplicate incident id, an
//!   `Idempotency-Key` reused with another body).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The server's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What was wrong with a request, precisely enough for a person to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A stable machine-readable reason, e.g. `unknown_incident`.
    pub code: String,
    /// What is wrong and what to do about it.
    pub message: String,
    /// The field at fault (`severity`, `nations[1]`, `Idempotency-Key`), if one is.
    pub field: Option<String>,
    /// In a posted array, the position (0-based) of the event at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

impl Problem {
    /// A problem with no particular field.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            code: code.into(),
            message: message.into(),
            field: None,
            index: None,
        }
    }

    /// The same problem, blamed on `field`.
    pub fn field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    /// The same problem, at position `index` of a posted array.
    pub fn index(mut self, index: Option<usize>) -> Problem {
        self.index = index;
        self
    }
}

/// The body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: Problem,
}

/// Everything that can go wrong with a request, from a bad query parameter to a full disk.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400: the request cannot be understood (malformed JSON, a bad query parameter).
    #[error("bad request: {}", .0.message)]
    BadRequest(Problem),
    /// 401: credentials are missing, unknown or revoked.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 403: the credentials are valid but do not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: nothing here, or nothing this reader may know exists.
    #[error("not found: {0}")]
    NotFound(String),
    /// 409: conflicts with what already exists.
    #[error("conflict: {}", .0.message)]
    Conflict(Problem),
    /// 413: the body is larger than the limit.
    #[error("too large: {0}")]
    TooLarge(String),
    /// 415: the body is not `application/json`.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 422: valid JSON, but not a valid request or a possible event.
    #[error("unprocessable: {}", .0.message)]
    Invalid(Problem),
    /// 503: the server is shutting down.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 503 with `Retry-After`: a cap on open streams is reached.
    #[error("busy: {}", .0.message)]
    Busy(Problem),
    /// 408: the request body did not arrive within the body timeout.
    #[error("body timeout: {0}")]
    BodyTimeout(String),
    /// 500: the database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// 500: a bug or a broken invariant.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unavailable(_) | Error::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client is told.
    pub fn problem(&self) -> Problem {
        match self {
            Error::BadRequest(problem)
            | Error::Conflict(problem)
            | Error::Invalid(problem)
            | Error::Busy(problem) => problem.clone(),
            Error::BodyTimeout(message) => Problem::new("body_timeout", message.clone()),
            Error::Unauthorized(message) => Problem::new("unauthorized", message.clone()),
            Error::Forbidden(message) => Problem::new("forbidden", message.clone()),
            Error::NotFound(message) => Problem::new("not_found", message.clone()),
            Error::TooLarge(message) => Problem::new("too_large", message.clone()),
            Error::UnsupportedMediaType(message) => {
                Problem::new("unsupported_media_type", message.clone())
            }
            Error::Unavailable(message) => Problem::new("unavailable", message.clone()),
            Error::Database(_) | Error::Internal(_) => Problem::new(
                "internal",
                "the server failed to answer; its log has the details",
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let is_busy = matches!(self, Error::Busy(_));
        if status.is_server_error() && !is_busy {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (
            status,
            axum::Json(ErrorBody {
                error: self.problem(),
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"watchfloor\""),
            );
        }
        if is_busy {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::capacity::RETRY_AFTER.as_secs()),
            );
        }
        response
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(error: tokio::task::JoinError) -> Self {
        Error::Internal(format!("a background task failed: {error}"))
    }
}

/// A JSON request body: the raw bytes (for hashing) and the parsed value.
/// Checks size (413), content type (415) and syntax (400); what the value
/// must look like is left to [`Json`] or the handler.
pub struct JsonBody {
    pub bytes: Bytes,
    pub value: Value,
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if let Some(timeout) = body_timeout(&rejection) {
                Error::BodyTimeout(format!("{timeout}: send the whole body at once"))
            } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge(
                    "the body is larger than the server accepts (1 MiB by default): post fewer events at once"
                        .into(),
                )
            } else {
                Error::BadRequest(Problem::new("unreadable_body", rejection.body_text()))
            }
        })?;
        if !content_type.as_deref().is_some_and(is_json) {
            return Err(Error::UnsupportedMediaType(format!(
                "send the body as JSON with `Content-Type: application/json` (got {})",
                content_type
                    .as_deref()
                    .map_or("no Content-Type".into(), |given| format!("`{given}`"))
            )));
        }
        let value = serde_json::from_slice(&bytes).map_err(|error| {
            Error::BadRequest(Problem::new(
                "malformed_json",
                format!("the body is not valid JSON: {error}"),
            ))
        })?;
        Ok(JsonBody { bytes, value })
    }
}

/// The body timeout behind a failure to read the body, if that was the cause.
fn body_timeout<'a>(
    rejection: &'a (dyn std::error::Error + 'static),
) -> Option<&'a crate::serve::BodyTimeout> {
    let mut cause = Some(rejection);
    while let Some(error) = cause {
        if let Some(timeout) = error.downcast_ref::<crate::serve::BodyTimeout>() {
            return Some(timeout);
        }
        cause = error.source();
    }
    None
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A JSON body of type `T`; anything that is JSON but not a `T` is a 422
/// naming the field at fault.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let body = JsonBody::from_request(request, state).await?;
        parse_value::<T>(&body.value, &[])
            .map(Json)
            .map_err(Error::Invalid)
    }
}

/// Deserialises `value` as a `T`, or explains which field is wrong.
/// `protected` keys are never blamed by elimination (see [`locate_field`]).
pub fn parse_value<T: DeserializeOwned>(value: &Value, protected: &[&str]) -> Result<T, Problem> {
    T::deserialize(value).map_err(|error| {
        let field = locate_field::<T>(&error, value, protected);
        let reason = error.to_string();
        let code = if reason.starts_with("missing field") {
            "missing_field"
        } else if reason.starts_with("unknown field") {
            "unknown_field"
        } else if reason.starts_with("unknown variant") && field.as_deref() == Some("type") {
            "unknown_type"
        } else {
            "invalid_value"
        };
        let message = match (code, field.as_deref()) {
            ("unknown_field", Some(name @ ("at" | "seq"))) => {
                format!("`{name}` is assigned by the server when it appends the event: remove it")
            }
            ("unknown_type", _) => format!("{reason}: see the contract for the event types"),
            (_, Some(field)) => format!("`{field}`: {reason}"),
            (_, None) => reason,
        };
        let problem = Problem::new(code, message);
        match field {
            Some(field) => problem.field(field),
            None => problem,
        }
    })
}

/// Finds the field a serde error is about. serde_json does not track paths
/// through internally tagged enums, so: the field named in the message
/// (missing / unknown field), else the key holding the unknown variant, else
/// by elimination — the key whose removal changes the error. `type` (the tag)
/// and `protected` keys are only blamed by name, since removing them always
/// changes the error.
pub fn locate_field<T: DeserializeOwned>(
    error: &serde_json::Error,
    value: &Value,
    protected: &[&str],
) -> Option<String> {
    let reason = error.to_string();
    let quoted = reason.split('`').nth(1).map(str::to_owned);
    if reason.starts_with("missing field") || reason.starts_with("unknown field") {
        return quoted;
    }
    let object = value.as_object()?;
    if reason.starts_with("unknown variant") {
        let variant = quoted?;
        if object.get("type").and_then(Value::as_str) == Some(variant.as_str()) {
            return Some("type".into());
        }
        let holder = object.iter().find(|(_, held)| match held {
            Value::String(text) => *text == variant,
            Value::Array(items) => items.iter().any(|item| item.as_str() == Some(&variant)),
            _ => false,
        });
        if let Some((key, _)) = holder {
            return Some(key.clone());
        }
    }
    object
        .keys()
        .filter(|key| *key != "type" && !protected.contains(&key.as_str()))
        .find(|key| {
            let mut without = object.clone();
            without.remove(*key);
            match T::deserialize(&Value::Object(without)) {
                Ok(_) => true,
                Err(other) => other.to_string() != reason,
            }
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use watchfloor_model::EventBody;

    fn blame(value: Value) -> (String, Option<String>) {
        let problem = parse_value::<EventBody>(&value, &[]).expect_err("must fail");
        (problem.code, problem.field)
    }

    #[test]
    fn serde_errors_name_the_field_at_fault() {
        let cases = [
            (json!({"type": "launch"}), "unknown_type", Some("type")),
            (json!({"phase": "execution"}), "missing_field", Some("type")),
            (
                json!({"type": "phase_changed"}),
                "missing_field",
                Some("phase"),
            ),
            (
                json!({"type": "phase_changed", "phase": "execution", "at": "2026-01-01T00:00:00Z"}),
                "unknown_field",
                Some("at"),
            ),
            (
                json!({"type": "phase_changed", "phase": "sleeping"}),
                "invalid_value",
                Some("phase"),
            ),
            (
                json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally", "participants": "many"}),
                "invalid_value",
                Some("participants"),
            ),
            (
                json!({"type": "exercise_updated", "name": "x", "startex": "tomorrow"}),
                "invalid_value",
                Some("startex"),
            ),
            (
                json!({"type": "incident_opened", "id": "A", "title": "t", "category": "ddos", "severity": "extreme"}),
                "invalid_value",
                Some("severity"),
            ),
        ];
        for (value, code, field) in cases {
            assert_eq!(
                blame(value.clone()),
                (code.to_string(), field.map(str::to_string)),
                "{value}"
            );
        }
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
