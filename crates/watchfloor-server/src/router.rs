//! [`app`]: the whole HTTP application — every resource's routes, the
//! fallbacks that keep `/api/` answers in the error shape, and the layers
//! (request metrics, body limit, tracing).

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::error::{Error, ErrorBody, Problem};
use crate::routes;
use crate::state::AppState;

/// The whole HTTP application, for `serve` and for tests (`oneshot`, no socket).
pub fn app(state: AppState) -> Router {
    let body_limit = state.body_limit();
    Router::new()
        .merge(routes::exercise::router())
        .merge(routes::nations::router())
        .merge(routes::incidents::router())
        .merge(routes::stream::router())
        .merge(routes::events::router())
        .merge(routes::session::router())
        .merge(routes::meta::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), count_request))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Anything that is not an API route: the app (a file, or `index.html` for
/// an app route), or a JSON 404 under `/api/`.
async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return Error::NotFound(format!(
            "there is no endpoint {} {path}: see /api/v1/openapi.json",
            request.method()
        ))
        .into_response();
    }
    match state.assets() {
        Some(assets) => assets.serve(request).await,
        None => Error::NotFound(format!(
            "{path}: this server does not serve the app (start it with --assets DIR)"
        ))
        .into_response(),
    }
}

/// A known path with another method: 405 in the error shape, not axum's empty body.
async fn method_not_allowed(request: Request) -> Response {
    let problem = Problem::new(
        "method_not_allowed",
        format!(
            "{} is not allowed on {}: see /api/v1/openapi.json",
            request.method(),
            request.uri().path()
        ),
    );
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(ErrorBody { error: problem }),
    )
        .into_response()
}

/// Counts every answer by route template (not the raw path, which would make
/// one series per incident id), method and status.
async fn count_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().clone();
    let response = next.run(request).await;
    state
        .metrics()
        .request(&route, method.as_str(), response.status().as_u16());
    response
}
