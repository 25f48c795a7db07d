//! Browser hardening: the security headers on every kind of response, the
//! page's Content-Security-Policy built from its own inline scripts, and the
//! same-origin check on writes made with the session cookie (CSRF).

use std::time::Duration;

use serde_json::json;
use sha2::{Digest, Sha256};
use watchfloor_server::auth::SESSION_COOKIE;
use watchfloor_server::{create_token, Role};

use crate::support::{check, check_error, exercise, Reply, TestServer, Who};

/// A page like Trunk's: an inline script (with a CRLF, which the HTML
/// parser reads as LF), an inline module script, and an external one.
const PAGE: &str =
    "<!doctype html><html><head><script>window.early = fetch(`/api/v1/snapshot`);\r\n</script>\
    <script type=module>import init from '/watchfloor-0123456789abcdef.js';\nawait init();</script>\
    <script src=/other.js></script></head><body>Watchfloor app</body></html>";

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `'sha256-…'` of a script's text as the browser hashes it.
fn source_hash(script: &str) -> String {
    let text = script.replace("\r\n", "\n");
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// One directive of a policy, as its list of sources.
fn directive(policy: &str, name: &str) -> Option<Vec<String>> {
    policy.split(';').find_map(|part| {
        let mut words = part.split_whitespace();
        (words.next() == Some(name)).then(|| words.map(str::to_owned).collect())
    })
}

fn vary(reply: &Reply) -> String {
    reply
        .headers
        .get_all("vary")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
}

#[track_caller]
fn check_common(reply: &Reply, what: &str) {
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        reply.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    let policy = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    for required in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(
            policy.contains(required) || policy.contains("default-src 'none'"),
            "{what}: {required} in {policy}"
        );
    }
    assert!(
        !policy.contains(" 'unsafe-eval'") && !policy.contains("script-src 'unsafe-inline'"),
        "{what}: {policy}"
    );
}

#[track_caller]
fn check_private(reply: &Reply, what: &str) {
    check_common(reply, what);
    assert_eq!(reply.header("cache-control"), Some("no-store"), "{what}");
    let vary = vary(reply).to_ascii_lowercase();
    assert!(
        vary.contains("cookie") && vary.contains("authorization"),
        "{what}: Vary {vary:?}"
    );
    let policy = reply.header("content-security-policy").unwrap_or_default();
    assert!(policy.starts_with("default-src 'none'"), "{what}: {policy}");
}

async fn server_with_page() -> (TestServer, tempfile::TempDir) {
    let dist = tempfile::tempdir().expect("dist");
    for file in ["index.html", "display.html", "control.html"] {
        std::fs::write(dist.path().join(file), PAGE).expect("write");
    }
    std::fs::write(
        dist.path().join("watchfloor-0123456789abcdef.js"),
        "export default function init() {}",
    )
    .expect("write");
    let assets = dist.path().to_owned();
    let server = TestServer::with(move |config| config.assets = Some(assets)).await;
    (server, dist)
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (mut server, _dist) = server_with_page().await;
    let seqs = server.append(exercise()).await;

    for path in [
        "/api/v1/snapshot",
        "/api/v1/snapshot?audience=public",
        "/api/v1/exercise",
        "/api/v1/nations",
        "/api/v1/nations/EST",
        "/api/v1/incidents",
        "/api/v1/incidents/PUB-1",
        "/api/v1/session",
        "/api/v1/nope",
        "/healthz",
    ] {
        for who in [Who::Public, server.commander()] {
            let reply = server.get(path).by(who.clone()).send().await;
            check_private(&reply, &format!("{path} as {who:?}"));
        }
    }
    // A write, its refusal and an error answer alike.
    let posted = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "paused"}),
        )
        .by(server.control())
        .send()
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    check_private(&posted, "POST /api/v1/events");
    let refused = server
        .post("/api/v1/events", json!({"type": "nope"}))
        .by(server.control())
        .send()
        .await;
    check_private(&refused, "a refused POST");

    // The stream, over a real socket: its headers come before any event.
    let base = server.listen().await;
    let stream = reqwest::Client::new()
        .get(format!("{base}/api/v1/stream?after={}", seqs[0]))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);
    let header = |name: &str| {
        stream
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert_eq!(header("cache-control"), "no-store");
    assert!(header("vary").contains("Cookie, Authorization"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert!(header("content-security-policy").starts_with("default-src 'none'"));
    drop(stream);

    // The app's hashed files keep their long caching and vary on nothing the reader is.
    let script = server.get("/watchfloor-0123456789abcdef.js").send().await;
    assert_eq!(script.status, 200);
    check_common(&script, "a hashed file");
    assert_eq!(
        script.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(!vary(&script).to_ascii_lowercase().contains("cookie"));
}

#[tokio::test]
async fn the_page_policy_allows_exactly_its_own_inline_scripts() {
    let (server, dist) = server_with_page().await;
    let inline = [
        "window.early = fetch(`/api/v1/snapshot`);\r\n",
        "import init from '/watchfloor-0123456789abcdef.js';\nawait init();",
    ];
    for path in [
        "/",
        "/index.html",
        "/incidents/PUB-1",
        "/display",
        "/signin",
    ] {
        let reply = server.get(path).send().await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.text.contains("Watchfloor app"), "{path}");
        check_common(&reply, path);
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
        let policy = reply
            .header("content-security-policy")
            .expect("a policy")
            .to_owned();
        let scripts = directive(&policy, "script-src").expect("script-src");
        let mut expected = vec![
            "'self'".to_owned(),
            "'wasm-unsafe-eval'".to_owned(),
            source_hash(inline[0]),
            source_hash(inline[1]),
        ];
        expected.sort();
        let mut actual = scripts.clone();
        actual.sort();
        assert_eq!(actual, expected, "{path}: {policy}");
        assert!(!scripts.iter().any(|source| source == "'unsafe-inline'"));
        for (name, sources) in [
            ("default-src", "'self'"),
            ("connect-src", "'self'"),
            ("img-src", "'self' data:"),
            ("style-src-elem", "'self'"),
            ("frame-ancestors", "'none'"),
            ("object-src", "'none'"),
            ("base-uri", "'none'"),
            ("form-action", "'self'"),
        ] {
            assert_eq!(
                directive(&policy, name).map(|words| words.join(" ")),
                Some(sources.to_owned()),
                "{path}: {name} in {policy}"
            );
        }
    }

    // A reload revalidates cheaply.
    let first = server.get("/").send().await;
    let etag = first.header("etag").expect("an etag").to_owned();
    let again = server.get("/").header("if-none-match", &etag).send().await;
    assert_eq!(again.status, 304);
    assert!(again.header("content-security-policy").is_some());

    // A new build deployed while the server runs gets its own hashes at once.
    let deployed = PAGE.replace("await init();", "await init(); // v2");
    std::fs::write(dist.path().join("index.html"), &deployed).expect("deploy");
    let reply = server.get("/nations").send().await;
    assert!(reply.text.contains("// v2"));
    let policy = reply.header("content-security-policy").expect("a policy");
    assert!(
        policy.contains(&source_hash(
            "import init from '/watchfloor-0123456789abcdef.js';\nawait init(); // v2"
        )),
        "{policy}"
    );
    assert!(!policy.contains(&source_hash(inline[1])), "{policy}");
    let stale = server.get("/").header("if-none-match", &etag).send().await;
    assert_eq!(stale.status, 200, "the old ETag no longer matches");
}

/// Signs a browser in as control (a same-origin sign-in) and returns its session id.
async fn control_session(server: &TestServer) -> String {
    let (_, token) = create_token(&server.database, Role::Control, "white cell").expect("token");
    let reply = server
        .post("/api/v1/session", json!({"token": token}))
        .header("origin", "http://watchfloor.test:8080")
        .header("host", "watchfloor.test:8080")
        .send()
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let cookie = reply.header("set-cookie").expect("a cookie");
    cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_owned())
        .expect("a session id")
}

fn cookie(session: &str) -> String {
    format!("{SESSION_COOKIE}={session}")
}

#[tokio::test]
async fn a_write_with_the_cookie_must_come_from_this_origin() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let session = control_session(&server).await;
    let before = server.seq().await;
    let event = json!({"type": "phase_changed", "phase": "paused"});

    let foreign: [&[(&str, &str)]; 7] = [
        &[("origin", "https://evil.example")],
        &[("origin", "null")],
        // Same host, other port or scheme: another origin.
        &[("origin", "http://watchfloor.test:9090")],
        &[("origin", "https://watchfloor.test:8080")],
        &[("sec-fetch-site", "cross-site")],
        // A sibling subdomain is same-site, not same-origin.
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://other.watchfloor.test:8080"),
        ],
        // The cookie with neither header: no browser page sends that.
        &[],
    ];
    for headers in foreign {
        let mut call = server
            .post("/api/v1/events", event.clone())
            .header("cookie", &cookie(&session))
            .header("host", "watchfloor.test:8080");
        for (name, value) in headers {
            call = call.header(name, value);
        }
        let reply = call.send().await;
        check_error(&reply, 403, "cross_origin", None);
        check_common(&reply, "a refused write");
        assert_eq!(server.seq().await, before, "{headers:?} changed nothing");
    }

    // Signing out from another site is refused too: the session still holds.
    let out = server
        .delete("/api/v1/session")
        .header("cookie", &cookie(&session))
        .header("origin", "https://evil.example")
        .send()
        .await;
    check_error(&out, 403, "cross_origin", None);
    assert!(out.header("set-cookie").is_none());
    check(
        &server
            .get("/api/v1/session")
            .header("cookie", &cookie(&session))
            .send()
            .await,
        200,
        json!({"audience": "control"}),
    );

    // From the server's own page: by Origin against Host, or by Sec-Fetch-Site.
    let same = server
        .post("/api/v1/events", event.clone())
        .header("cookie", &cookie(&session))
        .header("host", "watchfloor.test:8080")
        .header("origin", "http://watchfloor.test:8080")
        .send()
        .await;
    check(&same, 201, json!({"seq": [before + 1]}));
    let fetched = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "execution"}),
        )
        .header("cookie", &cookie(&session))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await;
    check(&fetched, 201, json!({"seq": [before + 2]}));
    // A default port is the same origin.
    let default_port = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "paused"}),
        )
        .header("cookie", &cookie(&session))
        .header("host", "watchfloor.test")
        .header("origin", "http://WATCHFLOOR.test:80")
        .send()
        .await;
    check(&default_port, 201, json!({"seq": [before + 3]}));
}

#[tokio::test]
async fn bearer_writes_and_scripts_are_not_checked() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let before = server.seq().await;
    let reply = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "paused"}),
        )
        .by(server.control())
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await;
    check(&reply, 201, json!({"seq": [before + 1]}));
    // A script without credentials or Origin is answered as before (401).
    let anonymous = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "execution"}),
        )
        .send()
        .await;
    check_error(&anonymous, 401, "unauthorized", None);
}

#[tokio::test]
async fn signing_in_from_another_site_is_refused() {
    let server = TestServer::start().await;
    let (_, token) = create_token(&server.database, Role::Control, "white cell").expect("token");
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let reply = server
            .post("/api/v1/session", json!({"token": token}))
            .header("host", "watchfloor.test:8080")
            .header(name, value)
            .send()
            .await;
        check_error(&reply, 403, "cross_origin", None);
        assert!(reply.header("set-cookie").is_none(), "no session planted");
    }
    // A script signing in (no Origin) still works, and so does the page.
    for origin in [None, Some("http://watchfloor.test:8080")] {
        let mut call = server
            .post("/api/v1/session", json!({"token": token}))
            .header("host", "watchfloor.test:8080");
        if let Some(origin) = origin {
            call = call.header("origin", origin);
        }
        let reply = call.send().await;
        assert_eq!(reply.status, 201, "{origin:?}: {}", reply.text);
    }
}

#[tokio::test]
async fn over_a_socket_the_origin_is_checked_against_the_host() {
    let mut server = TestServer::start().await;
    server.append(exercise()).await;
    let session = control_session(&server).await;
    let base = server.listen().await;
    let client = reqwest::Client::new();
    let post = |origin: String| {
        client
            .post(format!("{base}/api/v1/events"))
            .header("cookie", cookie(&session))
            .header("origin", origin)
            .json(&json!({"type": "phase_changed", "phase": "paused"}))
            .timeout(Duration::from_secs(10))
            .send()
    };
    let foreign = post("http://127.0.0.2:1".into()).await.expect("answer");
    assert_eq!(foreign.status(), 403);
    let own = post(base.clone()).await.expect("answer");
    assert_eq!(own.status(), 201);
}

#[tokio::test]
async fn over_https_the_own_origin_is_https() {
    use tower::ServiceExt;
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let session = control_session(&server).await;
    // As a TLS listener serves the router.
    let router = watchfloor_server::app(server.state.clone())
        .layer(axum::Extension(watchfloor_server::security::Https));
    let post = |origin: &str| {
        axum::http::Request::post("/api/v1/events")
            .header("host", "watchfloor.test")
            .header("origin", origin)
            // Over HTTPS the session cookie is the `__Host-` one.
            .header(
                "cookie",
                format!(
                    "{}={session}",
                    watchfloor_server::auth::SECURE_SESSION_COOKIE
                ),
            )
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({"type": "phase_changed", "phase": "paused"}).to_string(),
            ))
            .expect("request")
    };
    let plain = router
        .clone()
        .oneshot(post("http://watchfloor.test"))
        .await
        .expect("answer");
    assert_eq!(plain.status(), 403, "an http page is another origin");
    let secure = router
        .oneshot(post("https://watchfloor.test:443"))
        .await
        .expect("answer");
    assert_eq!(secure.status(), 201);
}
