//! The browser's side of security: the headers every response carries, and
//! the same-origin check that keeps other sites from writing with a
//! signed-in browser's cookie (CSRF).
//!
//! Headers ([`layer`]):
//!
//! - `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` on
//!   every response.
//! - `Content-Security-Policy`: the app's `index.html` carries
//!   [`document_policy`], built from the hashes of the very bytes served
//!   (see `assets`), so its inline scripts run and nothing else inline does.
//!   Every other response (JSON, the app's files) carries [`NONE_POLICY`]:
//!   nothing at all may load or run should one be opened as a document.
//! - `Strict-Transport-Security` (a year, this host only) on every response
//!   over HTTPS (`--tls-cert`); none over plain HTTP.
//! - Everything that is not the app's files (`/api/`, `/healthz`,
//!   `/metrics`) is `Cache-Control: no-store` with `Vary: Cookie,
//!   Authorization`: what it says depends on who asks, and no cache may keep
//!   one reader's answer for another. The app's files keep their own caching
//!   (`no-cache` for `index.html`, a year for hashed names).
//!
//! Same origin ([`cross_origin`]): an unsafe method (anything but GET, HEAD,
//! OPTIONS, TRACE) without a bearer token must come from this server's own
//! pages: `Sec-Fetch-Site: same-origin`, or an `Origin` equal to this
//! server's own (its scheme and the request's `Host`). A request with a
//! foreign `Origin` or `Sec-Fetch-Site` is refused even without a cookie (a
//! sign-in from another site would plant the attacker's session: login
//! CSRF), and so is one that carries the session cookie but neither header:
//! every browser sends `Origin` on a POST or DELETE from a page, so a cookie
//! without it is not this app's. Bearer requests are not checked: a page on
//! another site cannot set `Authorization` (the server allows no CORS), and
//! scripts send no `Origin`.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::auth::session_cookie;
use crate::error::{ErrorBody, Problem};

/// The policy of every response that is not the app's page: nothing may load.
pub const NONE_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy of the app's page, allowing exactly the inline scripts whose
/// texts are given (by their SHA-256) and nothing else inline but style
/// attributes.
///
/// Style: the app sets `style="…"` attributes (Leptos writes `style=` as an
/// attribute: list windows, timeline bars, tile positions), which a bare
/// `style-src 'self'` blocks. `style-src-elem 'self'` keeps `<style>`
/// elements and foreign style sheets out; only attributes are allowed inline
/// (browsers without `style-src-elem` fall back to `style-src`).
pub fn document_policy<'a>(inline_scripts: impl IntoIterator<Item = &'a str>) -> String {
    let hashes: String = inline_scripts
        .into_iter()
        .map(|script| format!(" 'sha256-{}'", script_hash(script)))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; connect-src 'self'; \
         img-src 'self' data:; style-src 'self' 'unsafe-inline'; style-src-elem 'self'; \
         frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The CSP source hash of an inline script: base64 of the SHA-256 of its
/// text, after the newline normalisation the HTML parser does.
pub fn script_hash(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    base64(&Sha256::digest(text.as_bytes()))
}

/// The texts of a page's inline scripts (every `<script>` without `src`),
/// exactly as they stand between the tags.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<script") {
        let start = from + found + "<script".len();
        // `<scripts>` is not a script tag.
        if !lower[start..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/') {
            from = start;
            continue;
        }
        let Some((tag_end, has_src)) = open_tag(&lower[start..]) else {
            break;
        };
        let body_start = start + tag_end;
        let Some(length) = lower[body_start..].find("</script") else {
            break;
        };
        if !has_src {
            scripts.push(&html[body_start..body_start + length]);
        }
        from = body_start + length;
    }
    scripts
}

/// Reads a start tag's attributes up to its `>`: where the tag ends (just
/// after the `>`) and whether it has a `src` attribute. Quoted values may
/// hold `>`.
fn open_tag(rest: &str) -> Option<(usize, bool)> {
    let bytes = rest.as_bytes();
    let mut index = 0;
    let mut has_src = false;
    loop {
        while index < bytes.len() && (bytes[index].is_ascii_whitespace() || bytes[index] == b'/') {
            index += 1;
        }
        match bytes.get(index)? {
            b'>' => return Some((index + 1, has_src)),
            _ => {
                let name_start = index;
                while index < bytes.len()
                    && !bytes[index].is_ascii_whitespace()
                    && !matches!(bytes[index], b'=' | b'>' | b'/')
                {
                    index += 1;
                }
                has_src |= &rest[name_start..index] == "src";
                while index < bytes.len() && bytes[index].is_ascii_whitespace() {
                    index += 1;
                }
                if bytes.get(index) == Some(&b'=') {
                    index += 1;
                    while index < bytes.len() && bytes[index].is_ascii_whitespace() {
                        index += 1;
                    }
                    match bytes.get(index)? {
                        quote @ (b'"' | b'\'') => {
                            let quote = *quote;
                            index += 1;
                            while *bytes.get(index)? != quote {
                                index += 1;
                            }
                            index += 1;
                        }
                        _ => {
                            while index < bytes.len()
                                && !bytes[index].is_ascii_whitespace()
                                && bytes[index] != b'>'
                            {
                                index += 1;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let triple = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for (position, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if position <= chunk.len() {
                text.push(char::from(ALPHABET[((triple >> shift) & 63) as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// The middleware: refuses cross-origin writes, then sets the headers on
/// whatever the rest of the application answered.
pub async fn layer(request: Request, next: Next) -> Response {
    let reader_dependent = {
        let path = request.uri().path();
        path == "/api" || path.starts_with("/api/") || path == "/healthz" || path == "/metrics"
    };
    let over_https = https(&request);
    let mut response = match cross_origin(&request, over_https) {
        Some(problem) => (
            StatusCode::FORBIDDEN,
            axum::Json(ErrorBody { error: problem }),
        )
            .into_response(),
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NONE_POLICY),
        );
    }
    if over_https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(crate::tls::HSTS),
        );
    }
    if reader_dependent {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.append(
            header::VARY,
            HeaderValue::from_static("Cookie, Authorization"),
        );
    }
    response
}

/// Marks a request that came over HTTPS, so this server's own origin is
/// `https://…`: whatever serves TLS adds it to every request
/// (`serve` does, on a TLS listener). HTTP/2 requests also
/// say their scheme themselves.
#[derive(Clone, Copy, Debug)]
pub struct Https;

/// Whether the request came over HTTPS.
fn https(request: &Request) -> bool {
    over_https(request.uri(), request.extensions())
}

/// Whether a request with this URI and these extensions came over HTTPS.
pub fn over_https(uri: &Uri, extensions: &Extensions) -> bool {
    uri.scheme_str() == Some("https") || extensions.get::<Https>().is_some()
}

/// A handler's view of [`over_https`] (for the session cookie's name and
/// attributes).
#[derive(Clone, Copy, Debug)]
pub struct OverHttps(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for OverHttps {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(OverHttps(over_https(&parts.uri, &parts.extensions)))
    }
}

/// Why a request must be refused as a cross-origin write, if it must.
pub fn cross_origin(request: &Request, https: bool) -> Option<Problem> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return None;
    }
    let headers = request.headers();
    if headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|value| value.to_str().unwrap_or("?"));
    if fetch_site == Some("same-origin") {
        return None;
    }
    let own = own_origin(request, https);
    let refuse = |why: String| {
        Some(Problem::new(
            "cross_origin",
            format!(
                "{} {} is refused: {why}; only this server's own pages ({}) may send it with a browser's session, or send `Authorization: Bearer <token>` from a script",
                request.method(),
                request.uri().path(),
                own.as_deref().unwrap_or("its own origin"),
            ),
        ))
    };
    match headers.get(header::ORIGIN) {
        Some(origin) => {
            let origin = origin.to_str().unwrap_or("?");
            if own
                .as_deref()
                .is_some_and(|own| same_origin(origin, own, https))
            {
                None
            } else {
                refuse(format!("it comes from the origin `{origin}`"))
            }
        }
        None => match fetch_site {
            Some(site) => refuse(format!("the browser says it comes from a `{site}` page")),
            None if session_cookie(headers, https).is_some() => refuse(
                "it carries the session cookie but neither `Origin` nor `Sec-Fetch-Site`, which every browser sends from a page"
                    .into(),
            ),
            None => None,
        },
    }
}

/// This server's origin as the client addressed it: the scheme and the
/// `Host` header (or, in HTTP/2, the request's authority).
fn own_origin(request: &Request, https: bool) -> Option<String> {
    let host = request
        .uri()
        .authority()
        .map(|authority| authority.as_str().to_owned())
        .or_else(|| host(request.headers()))?;
    Some(format!("{}://{host}", if https { "https" } else { "http" }))
}

fn host(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether two origins are the same, ignoring case and a default port.
fn same_origin(origin: &str, own: &str, https: bool) -> bool {
    let default_port = if https { ":443" } else { ":80" };
    let normal = |text: &str| {
        let text = text.trim().to_ascii_lowercase();
        match text.strip_suffix(default_port) {
            Some(stripped) => stripped.to_owned(),
            None => text,
        }
    };
    normal(origin) == normal(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        // The CSP spec's own example: 'sha256-' of `alert('Hello, world.');`.
        assert_eq!(
            script_hash("alert('Hello, world.');"),
            "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="
        );
    }

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = "<html><head><SCRIPT>one()</SCRIPT><script src=/a.js></script>\
                    <script type=module data-x='a>b'>two()\n</script><scripts>no</scripts>\
                    <script\nsrc=\"/b.js\"></script><script defer>three</script></head></html>";
        assert_eq!(inline_scripts(html), vec!["one()", "two()\n", "three"]);
    }

    #[test]
    fn origins_compare_without_case_or_default_port() {
        assert!(same_origin(
            "http://Watchfloor:80",
            "http://watchfloor",
            false
        ));
        assert!(same_origin(
            "https://watchfloor",
            "https://watchfloor:443",
            true
        ));
        assert!(!same_origin(
            "http://watchfloor:8080",
            "http://watchfloor",
            false
        ));
        assert!(!same_origin(
            "https://watchfloor",
            "http://watchfloor",
            false
        ));
        assert!(!same_origin("null", "http://watchfloor", false));
    }
}
