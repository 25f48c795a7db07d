//! The built app (Trunk's `dist/`): its files, and `index.html` for every
//! app route that is not a file, so reloads and pasted links work.
//!
//! Precompressed `.br` / `.gz` siblings are sent to clients that accept them.
//! `index.html` is `no-cache` (it names the current build's hashed files);
//! files whose names carry a content hash are cached for a year.

use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::operator::OperatorError;

/// The app's files.
#[derive(Clone)]
pub struct Assets {
    files: ServeDir<ServeFile>,
}

impl Assets {
    /// Serves `dir`, which must hold an `index.html`.
    pub fn new(dir: &Path) -> Result<Assets, OperatorError> {
        let index = dir.join("index.html");
        if !index.is_file() {
            return Err(OperatorError::Setting(format!(
                "--assets {}: there is no index.html in it (build the app with `cargo xtask dist`)",
                dir.display()
            )));
        }
        let files = ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(index)
                    .precompressed_br()
                    .precompressed_gzip(),
            );
        Ok(Assets { files })
    }

    /// Answers a request for a file or an app route.
    pub async fn serve(&self, request: Request) -> Response {
        let hashed = looks_hashed(request.uri().path());
        let response = match self.files.clone().oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        };
        with_cache_control(response, hashed)
    }
}

fn with_cache_control(mut response: Response, hashed: bool) -> Response {
    if !response.status().is_success() && response.status().as_u16() != 304 {
        return response;
    }
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let policy = if hashed && !html {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Whether a path's file name carries a content hash, as Trunk writes them
/// (`watchfloor-1a2b3c4d5e6f7a8b_bg.wasm`): a run of at least 16 hex digits.
fn looks_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split(['-', '_', '.'])
        .any(|part| part.len() >= 16 && part.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(looks_hashed("/watchfloor-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(looks_hashed("/style-0123456789abcdef.css"));
        assert!(!looks_hashed("/index.html"));
        assert!(!looks_hashed("/incidents/CC-042"));
        assert!(!looks_hashed("/favicon.ico"));
    }
}
