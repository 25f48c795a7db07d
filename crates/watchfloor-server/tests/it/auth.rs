//! Who may read and write: bearer tokens, browser sessions, revocation while
//! the server runs, and `?audience=public`.

use serde_json::json;
use watchfloor_server::{create_token, revoke_token, Role};

use crate::support::{check, check_error, exercise, TestServer, Who};

fn incident_count(reply: &crate::support::Reply) -> usize {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["incidents"]
        .as_array()
        .expect("incidents")
        .len()
}

#[tokio::test]
async fn without_credentials_a_reader_is_public() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let reply = server.get("/api/v1/snapshot").send().await;
    check(&reply, 200, json!({"audience": "public"}));
    assert_eq!(incident_count(&reply), 2, "only the public incidents");
    check(
        &server.get("/api/v1/session").send().await,
        200,
        json!({"audience": "public", "name": null}),
    );
}

#[tokio::test]
async fn a_wrong_token_is_refused_not_downgraded() {
    let server = TestServer::start().await;
    for path in [
        "/api/v1/snapshot",
        "/api/v1/incidents",
        "/api/v1/session",
        "/api/v1/stream",
    ] {
        let reply = server
            .get(path)
            .by(Who::Bearer("wf_0000".into()))
            .send()
            .await;
        check_error(&reply, 401, "unauthorized", None);
        assert!(reply
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer")));
    }
}

#[tokio::test]
async fn a_token_revoked_while_the_server_runs_stops_working_at_once() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let (id, token) =
        create_token(&server.database, Role::Commander, "short-lived").expect("token");
    let reader = Who::Bearer(token);
    check(
        &server
            .get("/api/v1/snapshot")
            .by(reader.clone())
            .send()
            .await,
        200,
        json!({"audience": "commander"}),
    );
    revoke_token(&server.database, id).expect("revoke");
    check_error(
        &server.get("/api/v1/snapshot").by(reader).send().await,
        401,
        "unauthorized",
        None,
    );
    // Revoking an unknown id says so.
    assert!(matches!(
        revoke_token(&server.database, 999),
        Err(watchfloor_server::OperatorError::UnknownToken(999))
    ));
}

#[tokio::test]
async fn a_browser_signs_in_with_a_cookie_and_out_again() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let reply = server
        .post("/api/v1/session", json!({"token": server.commander}))
        .send()
        .await;
    check(
        &reply,
        201,
        json!({"audience": "commander", "name": "commander"}),
    );
    let cookie = reply.header("set-cookie").expect("a cookie").to_owned();
    for attribute in [
        "watchfloor_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let session = cookie["watchfloor_session=".len()..]
        .split(';')
        .next()
        .expect("value")
        .to_owned();
    assert!(
        !cookie.contains(&server.commander),
        "the cookie is not the token"
    );
    let browser = Who::Cookie(session.clone());

    check(
        &server
            .get("/api/v1/session")
            .by(browser.clone())
            .send()
            .await,
        200,
        json!({"audience": "commander", "name": "commander"}),
    );
    assert_eq!(
        incident_count(
            &server
                .get("/api/v1/snapshot")
                .by(browser.clone())
                .send()
                .await
        ),
        3
    );
    // A commander's cookie cannot post.
    let post = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "paused"}),
        )
        .by(browser.clone())
        .send()
        .await;
    check_error(&post, 403, "forbidden", None);

    let out = server
        .delete("/api/v1/session")
        .by(browser.clone())
        .send()
        .await;
    assert_eq!(out.status, 204);
    assert!(out
        .header("set-cookie")
        .is_some_and(|c| c.contains("Max-Age=0")));
    // The old cookie now reads as public.
    check(
        &server
            .get("/api/v1/session")
            .by(browser.clone())
            .send()
            .await,
        200,
        json!({"audience": "public"}),
    );
    assert_eq!(
        incident_count(&server.get("/api/v1/snapshot").by(browser).send().await),
        2
    );
}

#[tokio::test]
async fn a_control_session_posts_and_dies_with_its_token() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let (id, token) = create_token(&server.database, Role::Control, "white cell").expect("token");
    let reply = server
        .post("/api/v1/session", json!({"token": token}))
        .send()
        .await;
    check(
        &reply,
        201,
        json!({"audience": "control", "name": "white cell"}),
    );
    let cookie = reply.header("set-cookie").expect("cookie");
    let browser = Who::Cookie(
        cookie["watchfloor_session=".len()..]
            .split(';')
            .next()
            .expect("value")
            .to_owned(),
    );
    let post = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "paused"}),
        )
        .by(browser.clone())
        .send()
        .await;
    check(&post, 201, json!({"seq": [12]}));
    revoke_token(&server.database, id).expect("revoke");
    check(
        &server
            .get("/api/v1/session")
            .by(browser.clone())
            .send()
            .await,
        200,
        json!({"audience": "public"}),
    );
    let post = server
        .post(
            "/api/v1/events",
            json!({"type": "phase_changed", "phase": "execution"}),
        )
        .by(browser)
        .send()
        .await;
    check_error(&post, 401, "unauthorized", None);
}

#[tokio::test]
async fn signing_in_needs_a_live_token_and_a_proper_body() {
    let server = TestServer::start().await;
    check_error(
        &server
            .post("/api/v1/session", json!({"token": "wf_guess"}))
            .send()
            .await,
        401,
        "unauthorized",
        None,
    );
    check_error(
        &server
            .post("/api/v1/session", json!({"secret": "x"}))
            .send()
            .await,
        422,
        "unknown_field",
        Some("secret"),
    );
    check_error(
        &server.post("/api/v1/session", json!({})).send().await,
        422,
        "missing_field",
        Some("token"),
    );
    check_error(
        &server
            .post_raw("/api/v1/session", "application/json", "{")
            .send()
            .await,
        400,
        "malformed_json",
        None,
    );
    check_error(
        &server
            .post_raw("/api/v1/session", "text/plain", "token")
            .send()
            .await,
        415,
        "unsupported_media_type",
        None,
    );
}

#[tokio::test]
async fn audience_public_lowers_any_caller_and_nothing_raises() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let lowered = server
        .get("/api/v1/snapshot?audience=public")
        .by(server.control())
        .send()
        .await;
    check(&lowered, 200, json!({"audience": "public"}));
    assert_eq!(incident_count(&lowered), 2);
    check(
        &server
            .get("/api/v1/session?audience=public")
            .by(server.control())
            .send()
            .await,
        200,
        json!({"audience": "public"}),
    );
    check_error(
        &server
            .get("/api/v1/incidents/RES-1?audience=public")
            .by(server.commander())
            .send()
            .await,
        404,
        "not_found",
        None,
    );
    let raised = server.get("/api/v1/snapshot?audience=control").send().await;
    check(&raised, 200, json!({"audience": "public"}));
    assert_eq!(incident_count(&raised), 2);
    check(
        &server
            .get("/api/v1/snapshot?audience=control")
            .by(server.commander())
            .send()
            .await,
        200,
        json!({"audience": "commander"}),
    );
}
