//! Browser sessions: sign in with a token, ask who you are, sign out.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;
use watchfloor_model::{Audience, Session};

use crate::auth::{
    random_secret, session_clear_cookie, session_cookie, session_set_cookie, sha256_hex, Caller,
    SESSIONS_PER_TOKEN, SESSION_DAYS,
};
use crate::error::{Error, ErrorBody, Json, Result};
use crate::security::OverHttps;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/session",
        get(session_get).post(session_create).delete(session_delete),
    )
}

/// `POST /api/v1/session`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// A token from `watchfloor-server token create`.
    pub token: String,
}

/// Signs a browser in: exchanges a token for an HttpOnly, SameSite=Strict
/// session cookie. The token itself is never stored in the browser.
#[utoipa::path(
    post, path = "/api/v1/session", tag = "session",
    request_body(content = SignIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Signed in; the `watchfloor_session` cookie is set (over HTTPS `__Host-watchfloor_session`, `Secure`)", body = Session),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "The token is unknown or revoked", body = ErrorBody),
        (status = 403, description = "`cross_origin`: sent from another site's page (`Origin` or `Sec-Fetch-Site`)", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 408, description = "`body_timeout`: the body did not arrive within the body timeout (30 s by default) of the request's head", body = ErrorBody),
        (status = 422, description = "The body is not `{\"token\": \"...\"}`", body = ErrorBody),
    ),
)]
pub async fn session_create(
    State(state): State<AppState>,
    OverHttps(https): OverHttps,
    Json(sign_in): Json<SignIn>,
) -> Result<Response> {
    let store = state.store();
    let session_id = random_secret()?;
    let session_hash = sha256_hex(&session_id);
    let token_hash = sha256_hex(sign_in.token.trim());
    let now = state.now();
    let token = tokio::task::spawn_blocking(move || {
        let Some(token) = store.active_token(&token_hash)? else {
            return Ok(None);
        };
        let expires_at = now + chrono::Duration::days(SESSION_DAYS);
        store.create_session(&session_hash, token.id, now, expires_at, SESSIONS_PER_TOKEN)?;
        Ok::<_, Error>(Some(token))
    })
    .await??
    .ok_or_else(|| {
        Error::Unauthorized(
            "that token is unknown or revoked: check it, or ask exercise control for a new one"
                .into(),
        )
    })?;
    tracing::info!(token = token.id, name = %token.name, "signed in");
    let info = Session {
        audience: token.role.audience(),
        name: Some(token.name),
    };
    Ok((
        StatusCode::CREATED,
        [(header::SET_COOKIE, session_set_cookie(&session_id, https))],
        axum::Json(info),
    )
        .into_response())
}

/// Who am I: the caller's audience (after any `?audience=public`) and name.
#[utoipa::path(
    get, path = "/api/v1/session", tag = "session",
    params(super::AudienceParam),
    responses(
        (status = 200, description = "The caller; `{\"audience\": \"public\"}` when signed out", body = Session),
        (status = 400, description = "An unknown `audience` (only `?audience=public` lowers the reader)", body = ErrorBody),
        (status = 401, description = "An unknown or revoked bearer token", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn session_get(caller: Caller) -> axum::Json<Session> {
    let name = caller
        .identity
        .filter(|_| caller.audience != Audience::Public)
        .map(|identity| identity.token.name);
    axum::Json(Session {
        audience: caller.audience,
        name,
    })
}

/// Signs out: ends the server-side session and clears the cookie. Always 204.
#[utoipa::path(
    delete, path = "/api/v1/session", tag = "session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 403, description = "`cross_origin`: the session cookie sent from another site's page, or without `Origin` and `Sec-Fetch-Site`", body = ErrorBody),
    ),
)]
pub async fn session_delete(
    State(state): State<AppState>,
    OverHttps(https): OverHttps,
    headers: HeaderMap,
) -> Result<Response> {
    if let Some(session_id) = session_cookie(&headers, https) {
        let store = state.store();
        let hash = sha256_hex(session_id);
        tokio::task::spawn_blocking(move || store.delete_session(&hash)).await??;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_clear_cookie(https))],
    )
        .into_response())
}
