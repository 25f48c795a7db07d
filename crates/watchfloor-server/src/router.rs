//! [`app`]: the whole HTTP application — every resource's routes, the
//! fallbacks that keep `/api/` answers in the error shape, and the layers
//! (a panic becomes a 500, request metrics, body limit, tracing).

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
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
        .merge(routes::review::router())
        .merge(routes::stream::router())
        .merge(routes::events::router())
        .merge(routes::scenario::router())
        .merge(routes::screens::router())
        .merge(routes::session::router())
        .merge(routes::meta::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(catch_panics())
        .layer(middleware::from_fn(crate::security::layer))
        .layer(middleware::from_fn_with_state(state.clone(), count_request))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What a panic inside a handler is answered with.
pub type PanicResponder = fn(Box<dyn std::any::Any + Send + 'static>) -> Response;

/// The layer that turns a panic inside a handler into a 500 in the error
/// shape (`internal`, no detail), logged with the panic's message: the
/// request fails, its connection and the server go on. It sits inside the
/// other layers, so the answer is counted, traced and carries the security
/// headers like any other. Needs `panic = "unwind"` (the `server` and test
/// profiles; the `release` profile aborts and is for the app's wasm only).
pub fn catch_panics() -> CatchPanicLayer<PanicResponder> {
    CatchPanicLayer::custom(answer_panic as PanicResponder)
}

fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    // `Error::Internal` is logged at error level and its detail hidden.
    Error::Internal(format!("a handler panicked: {message}")).into_response()
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
/// one series per incident id), method and status. Every path no route
/// matches counts as `fallback` and every made-up method as `other`, so the
/// number of series is fixed by the code, not by what clients send.
async fn count_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().clone();
    let response = next.run(request).await;
    state
        .metrics()
        .request(&route, &method, response.status().as_u16());
    response
}
