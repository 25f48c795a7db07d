//! The built app: files, each entry's HTML for its app routes, precompression and caching.

use crate::support::{check_error, TestServer};

#[tokio::test]
async fn the_app_is_served_for_files_and_every_app_route() {
    let dist = tempfile::tempdir().expect("dist");
    for (file, entry) in [
        ("index.html", "dashboard"),
        ("display.html", "display"),
        ("control.html", "control"),
    ] {
        let page = format!("<!doctype html><html><body>Watchfloor {entry}</body></html>");
        std::fs::write(dist.path().join(file), page).expect("write");
    }
    std::fs::write(
        dist.path().join("watchfloor-0123456789abcdef.js"),
        "console.log(1)",
    )
    .expect("write");
    std::fs::write(
        dist.path().join("watchfloor-0123456789abcdef.js.br"),
        "BROTLI",
    )
    .expect("write");
    std::fs::write(dist.path().join("favicon.svg"), "<svg/>").expect("write");
    let assets = dist.path().to_owned();
    let server = TestServer::with(move |config| config.assets = Some(assets)).await;

    for (path, entry) in [
        ("/", "dashboard"),
        ("/nations", "dashboard"),
        ("/nations/EST", "dashboard"),
        ("/incidents?severity=high", "dashboard"),
        ("/incidents/CC.042", "dashboard"),
        ("/signin", "dashboard"),
        ("/displays", "dashboard"),
        ("/index.html", "dashboard"),
        ("/display", "display"),
        ("/display?panels=status", "display"),
        ("/display.html", "display"),
        ("/control", "control"),
        ("/control/screens", "control"),
        ("/control.html", "control"),
    ] {
        let reply = server.get(path).send().await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.text.contains(&format!("Watchfloor {entry}")),
            "{path}: {}",
            reply.text
        );
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
        assert!(reply.header("content-security-policy").is_some(), "{path}");
    }
    let script = server.get("/watchfloor-0123456789abcdef.js").send().await;
    assert_eq!(script.text, "console.log(1)");
    assert_eq!(
        script.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let compressed = server
        .get("/watchfloor-0123456789abcdef.js")
        .header("accept-encoding", "br, gzip")
        .send()
        .await;
    assert_eq!(
        (
            compressed.header("content-encoding"),
            compressed.text.as_str()
        ),
        (Some("br"), "BROTLI")
    );
    assert_eq!(
        server
            .get("/favicon.svg")
            .send()
            .await
            .header("cache-control"),
        Some("no-cache")
    );
    // The API is never answered with the app.
    check_error(
        &server.get("/api/v1/nope").send().await,
        404,
        "not_found",
        None,
    );
    assert_eq!(server.get("/healthz").send().await.status, 200);
}

#[tokio::test]
async fn an_assets_dir_without_index_html_is_refused() {
    let empty = tempfile::tempdir().expect("dist");
    let dir = tempfile::tempdir().expect("data");
    let mut config = watchfloor_server::Config::new(dir.path());
    config.assets = Some(empty.path().to_owned());
    let error = watchfloor_server::AppState::start(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("index.html"), "{error}");
    // Each entry's page is needed: a build without the display's is refused too.
    std::fs::write(empty.path().join("index.html"), "<!doctype html>").expect("write");
    std::fs::write(empty.path().join("control.html"), "<!doctype html>").expect("write");
    let mut config = watchfloor_server::Config::new(dir.path());
    config.assets = Some(empty.path().to_owned());
    let error = watchfloor_server::AppState::start(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("display.html"), "{error}");
}
