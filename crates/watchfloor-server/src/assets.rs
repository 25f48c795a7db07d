//! The built app (Trunk's `dist/`): its files, and for every app route that
//! is not a file the HTML of the entry that owns it (`index.html`,
//! `display.html` or `control.html`, by `watchfloor_model::pages::Page`), so
//! reloads and pasted links work.
//!
//! Precompressed `.br` / `.gz` siblings are sent to clients that accept them.
//! `index.html` is `no-cache` (it names the current build's hashed files);
//! files whose names carry a content hash are cached for a year.
//!
//! The entries' HTML (`index.html` and its siblings) is read for every
//! request and sent with the
//! `Content-Security-Policy` built from the hashes of its own inline scripts
//! (`security::document_policy`), so the policy can never drift from the
//! page: not at start, not after a new build is deployed into the directory
//! while the server runs. (It is small; it is sent uncompressed, with an
//! `ETag` so a reload costs a 304.)

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::error::Error;
use crate::operator::OperatorError;
use crate::security;
use watchfloor_model::pages::Page;

type IndexService = BoxCloneSyncService<Request, Response, Infallible>;

/// The app's files.
#[derive(Clone)]
pub struct Assets {
    files: ServeDir<IndexService>,
    dir: Arc<PathBuf>,
}

impl Assets {
    /// Serves `dir`, which must hold the HTML of every entry (`index.html`,
    /// `display.html`, `control.html`).
    pub fn new(dir: &Path) -> Result<Assets, OperatorError> {
        for page in Page::ALL {
            if !dir.join(page.html_file()).is_file() {
                return Err(OperatorError::Setting(format!(
                    "--assets {}: there is no {} in it (build the app with `cargo xtask dist`)",
                    dir.display(),
                    page.html_file()
                )));
            }
        }
        let dir = Arc::new(dir.to_path_buf());
        let root = dir.clone();
        let fallback = BoxCloneSyncService::new(tower::service_fn(move |request: Request| {
            let (parts, _) = request.into_parts();
            let page = root.join(Page::for_path(parts.uri.path()).html_file());
            async move { Ok::<_, Infallible>(index_page(&page, &parts.method, &parts.headers).await) }
        }));
        let files = ServeDir::new(dir.as_path())
            .precompressed_br()
            .precompressed_gzip()
            // A directory (`/`) is an app route too: the fallback answers it.
            .append_index_html_on_directories(false)
            .fallback(fallback);
        Ok(Assets { files, dir })
    }

    /// Answers a request for a file or an app route.
    pub async fn serve(&self, request: Request) -> Response {
        let hashed = looks_hashed(request.uri().path());
        let entry = Page::ALL
            .into_iter()
            .find(|page| request.uri().path().strip_prefix('/') == Some(page.html_file()));
        let response = if let Some(page) = entry {
            let (parts, _) = request.into_parts();
            index_page(
                &self.dir.join(page.html_file()),
                &parts.method,
                &parts.headers,
            )
            .await
        } else {
            match self.files.clone().oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(error) => Error::Internal(format!("serving a file: {error}")).into_response(),
            }
        };
        with_cache_control(response, hashed)
    }
}

/// An entry's HTML as it is on disk now, with the policy of its own inline scripts.
async fn index_page(path: &Path, method: &Method, headers: &HeaderMap) -> Response {
    if !matches!(*method, Method::GET | Method::HEAD) {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let html = match tokio::fs::read_to_string(path).await {
        Ok(html) => html,
        Err(error) => {
            // Between two builds (Trunk empties the directory first): the
            // next reload finds the new page.
            tracing::warn!(path = %path.display(), %error, "the app's page cannot be read");
            return Error::Unavailable(format!(
                "the app's page cannot be read ({error}): a new version may be being deployed; reload in a moment"
            ))
            .into_response();
        }
    };
    let policy = security::document_policy(security::inline_scripts(&html));
    let etag = format!("\"{}\"", &crate::auth::sha256_hex(&html)[..32]);
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == etag || tag.trim() == "*");
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        html.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    match HeaderValue::from_str(&policy) {
        Ok(policy) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        Err(error) => {
            return Error::Internal(format!("the page's policy is not a header: {error}"))
                .into_response()
        }
    }
    response
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
/// (`watchfloor-1a2b3c4d5e6f7a8b_bg.wasm`): a run of at least 12 hex digits,
/// a digit among them. (Trunk writes a 64-bit hash without leading zeros, so
/// one in sixteen is 15 digits long or shorter.)
fn looks_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split(['-', '_', '.']).any(|part| {
        part.len() >= 12
            && part.chars().all(|c| c.is_ascii_hexdigit())
            && part.chars().any(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(looks_hashed("/watchfloor-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(looks_hashed("/style-0123456789abcdef.css"));
        assert!(looks_hashed("/watchfloor-control-caa5bc1c1f9e251_bg.wasm"));
        assert!(!looks_hashed("/deadbeefcafefeed.txt"));
        assert!(!looks_hashed("/index.html"));
        assert!(!looks_hashed("/incidents/CC-042"));
        assert!(!looks_hashed("/favicon.ico"));
    }
}
