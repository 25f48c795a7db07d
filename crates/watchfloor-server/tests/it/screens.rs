//! Wall screens: pairing by a code, the display credential that reads only
//! the public picture, heartbeats in the fleet view, the screen channel
//! following settings, slides and the safe slide, and unpairing.

use serde_json::{json, Value};
use watchfloor_server::{create_token, Role};

use crate::support::{check_error, exercise, EventStream, TestServer, Who};

/// The session id in a `Set-Cookie` answer.
fn session_of(reply: &crate::support::Reply) -> String {
    let cookie = reply.header("set-cookie").expect("a session cookie");
    cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_string())
        .expect("name=value")
}

async fn claim(server: &TestServer, claim: &str) -> crate::support::Reply {
    server
        .post("/api/v1/screens/pairing/claim", json!({ "claim": claim }))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
}

/// Pairs a new screen named `name`; its id and its session.
async fn paired(server: &TestServer, name: &str) -> (u64, String) {
    let pairing = server
        .post("/api/v1/screens/pairing", json!({}))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await;
    assert_eq!(pairing.status, 201, "{}", pairing.text);
    let pairing = pairing.json();
    let code = pairing["code"].as_str().expect("code").to_string();
    let secret = pairing["claim"].as_str().expect("claim").to_string();
    assert_eq!(code.len(), 6);
    assert_eq!(claim(server, &secret).await.json()["state"], "waiting");
    // Typed as people do: lower case, with a space.
    let typed = format!("{} {}", &code[..3], &code[3..]).to_lowercase();
    let pair = server
        .post("/api/v1/screens", json!({"code": typed, "name": name}))
        .by(server.control())
        .send()
        .await;
    assert_eq!(pair.status, 201, "{}", pair.text);
    let screen = pair.json()["screen"].as_u64().expect("screen id");
    let answer = claim(server, &secret).await;
    assert_eq!(answer.json(), json!({"state": "paired", "name": name}));
    let session = session_of(&answer);
    check_error(&claim(server, &secret).await, 404, "not_found", None);
    (screen, session)
}

async fn heartbeat(server: &TestServer, who: Who, panel: &str) -> crate::support::Reply {
    server
        .post(
            "/api/v1/screens/heartbeat",
            json!({"panel": panel, "width": 1920, "height": 1080, "version": "watchfloor-abc", "data_age_s": 3}),
        )
        .by(who)
        .send()
        .await
}

#[tokio::test]
async fn a_screen_pairs_by_its_code_and_shows_in_the_fleet_with_its_heartbeat() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let (screen, session) = paired(&server, "Lobby 1").await;
    let fleet = server
        .get("/api/v1/screens")
        .by(server.control())
        .send()
        .await
        .json();
    assert_eq!(fleet["screens"][0]["name"], "Lobby 1");
    assert_eq!(fleet["screens"][0]["online"], false, "no heartbeat yet");
    let beat = heartbeat(&server, Who::Cookie(session.clone()), "status").await;
    assert_eq!(beat.status, 200, "{}", beat.text);
    assert_eq!(beat.json()["name"], "Lobby 1");
    let fleet = server
        .get("/api/v1/screens")
        .by(server.control())
        .send()
        .await
        .json();
    let status = &fleet["screens"][0];
    assert_eq!(status["screen"].as_u64(), Some(screen));
    assert_eq!(status["online"], true);
    assert_eq!(
        (
            &status["heartbeat"]["panel"],
            &status["heartbeat"]["width"],
            &status["heartbeat"]["version"]
        ),
        (&json!("status"), &json!(1920), &json!("watchfloor-abc"))
    );
    // Who paired it is in the log, for restricted readers only.
    let log = server
        .get("/api/v1/events?kind=screen_paired")
        .by(server.control())
        .send()
        .await
        .json();
    assert_eq!(log["events"][0]["by"], "control");
    assert_eq!(log["events"][0]["name"], "Lobby 1");
    let public = server.get("/api/v1/events?limit=10000").send().await.text;
    assert!(
        !public.contains("screen_") && !public.contains("Lobby 1"),
        "{public}"
    );
    let snapshot = server.get("/api/v1/snapshot").send().await.json();
    assert!(snapshot.get("screens").is_none());
    // Restricted readers' snapshots carry the screens, so their copy of the
    // state can take the screens' events from the stream.
    let snapshot = server
        .get("/api/v1/snapshot")
        .by(server.commander())
        .send()
        .await
        .json();
    assert_eq!(
        snapshot["screens"]["screens"][screen.to_string()]["name"],
        "Lobby 1"
    );

    // A mistyped code, an empty name, a commander: refused, nothing paired.
    check_error(
        &server
            .post("/api/v1/screens", json!({"code": "ZZZZZZ", "name": "X"}))
            .by(server.control())
            .send()
            .await,
        404,
        "not_found",
        None,
    );
    check_error(
        &server
            .post("/api/v1/screens", json!({"code": "ZZZZZZ", "name": " "}))
            .by(server.control())
            .send()
            .await,
        422,
        "bad_name",
        Some("name"),
    );
    check_error(
        &server
            .post("/api/v1/screens", json!({"code": "ZZZZZZ", "name": "X"}))
            .by(server.commander())
            .send()
            .await,
        403,
        "forbidden",
        None,
    );
    check_error(
        &server
            .get("/api/v1/screens")
            .by(server.commander())
            .send()
            .await,
        403,
        "forbidden",
        None,
    );
    // Nobody posts pairing events by hand.
    check_error(
        &server
            .post(
                "/api/v1/events",
                json!({"type": "screen_paired", "screen": 99, "name": "Fake"}),
            )
            .by(server.control())
            .send()
            .await,
        422,
        "server_owned",
        Some("type"),
    );
}

#[tokio::test]
async fn a_display_credential_reads_only_the_public_picture_and_posts_nothing() {
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let (_, session) = paired(&server, "Press room").await;
    let (_, token) =
        create_token(&server.database, Role::Display, "Scripted screen").expect("token");
    for who in [Who::Cookie(session), Who::Bearer(token)] {
        let snapshot = server.get("/api/v1/snapshot").by(who.clone()).send().await;
        assert_eq!(snapshot.json()["audience"], "public");
        assert!(
            !snapshot.text.contains(crate::support::SECRET),
            "restricted text reached a screen"
        );
        assert_eq!(
            server
                .get("/api/v1/incidents/RES-1")
                .by(who.clone())
                .send()
                .await
                .status,
            404
        );
        let events = server
            .get("/api/v1/events?limit=10000")
            .by(who.clone())
            .send()
            .await
            .text;
        assert!(!events.contains(crate::support::SECRET));
        let post = server
            .post(
                "/api/v1/events",
                json!({"type": "phase_changed", "phase": "paused"}),
            )
            .by(who.clone())
            .send()
            .await;
        check_error(&post, 403, "forbidden", None);
        for path in ["/api/v1/scenario", "/api/v1/screens"] {
            assert_eq!(
                server.get(path).by(who.clone()).send().await.status,
                403,
                "{path}"
            );
        }
        let slide = server
            .post("/api/v1/events", json!({"type": "safe_slide", "on": true}))
            .by(who.clone())
            .send()
            .await;
        check_error(&slide, 403, "forbidden", None);
    }
    // The token screen is not paired: its heartbeat says so.
    let (_, unpaired) = create_token(&server.database, Role::Display, "Loose").expect("token");
    check_error(
        &heartbeat(&server, Who::Bearer(unpaired), "status").await,
        404,
        "not_found",
        None,
    );
    // Control and commanders cannot send heartbeats.
    check_error(
        &heartbeat(&server, server.commander(), "status").await,
        403,
        "forbidden",
        None,
    );
}

/// Reads the channel until a `directive` satisfying `accept` arrives.
async fn directive_where(channel: &mut EventStream, accept: impl Fn(&Value) -> bool) -> Value {
    loop {
        let message = channel.next().await.expect("the channel stays open");
        assert_eq!(message.event.as_deref(), Some("directive"), "{message:?}");
        let directive = message.json();
        if accept(&directive) {
            return directive;
        }
    }
}

#[tokio::test]
async fn the_channel_follows_settings_slides_and_the_safe_slide_and_unpairing_ends_it() {
    let mut server = TestServer::start().await;
    server.append(exercise()).await;
    let (lobby, session) = paired(&server, "Lobby 1").await;
    let (press, _) = paired(&server, "Press room").await;
    let base = server.listen().await;
    let url = format!("{base}/api/v1/screens/channel");
    let mut channel = EventStream::open(&url, Who::Cookie(session.clone()), &[]).await;
    assert_eq!(channel.status, 200);
    let first = directive_where(&mut channel, |_| true).await;
    assert_eq!(first, json!({"name": "Lobby 1", "safe": false}));

    // Settings for all, then for the press room only: the lobby keeps the ones for all.
    server
        .append(json!({"type": "screen_settings", "query": "panels=status:10,activity:30"}))
        .await;
    let set = directive_where(&mut channel, |d| d.get("query").is_some()).await;
    assert_eq!(set["query"], "panels=status:10,activity:30");
    server
        .append(json!({"type": "screen_settings", "screens": [press], "query": "panels=about"}))
        .await;
    // A hold slide on the lobby.
    server
        .append(json!({"type": "screen_slide", "screens": [lobby], "title": "Press briefing 1400Z", "text": "Room B"}))
        .await;
    let slide = directive_where(&mut channel, |d| d.get("slide").is_some()).await;
    assert_eq!(slide["slide"]["title"], "Press briefing 1400Z");
    assert_eq!(slide["slide"]["by"], "control");
    assert_eq!(slide["query"], "panels=status:10,activity:30");
    server.append(json!({"type": "screen_slide_cleared"})).await;
    directive_where(&mut channel, |d| d.get("slide").is_none()).await;
    // The safe slide covers every screen.
    server
        .append(json!({"type": "safe_slide", "on": true}))
        .await;
    directive_where(&mut channel, |d| d["safe"] == true).await;
    let fleet = server
        .get("/api/v1/screens")
        .by(server.control())
        .send()
        .await
        .json();
    assert!(fleet["screens"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["directive"]["safe"] == true));
    assert_eq!(fleet["screens"][1]["directive"]["query"], "panels=about");
    server
        .append(json!({"type": "safe_slide", "on": false}))
        .await;
    directive_where(&mut channel, |d| d["safe"] == false).await;
    // A slide to an unknown screen is refused on its field.
    check_error(
        &server
            .post(
                "/api/v1/events",
                json!({"type": "screen_slide", "screens": [lobby, 999], "title": "X"}),
            )
            .by(server.control())
            .send()
            .await,
        422,
        "unknown_screen",
        Some("screens[1]"),
    );

    // Unpairing: the channel says so at once, the heartbeat is refused.
    let gone = server
        .delete(&format!("/api/v1/screens/{lobby}"))
        .by(server.control())
        .send()
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let last = channel.next().await.expect("a last message");
    assert_eq!(last.event.as_deref(), Some("unpaired"));
    assert_eq!(channel.next().await, None, "the channel ends");
    assert_eq!(
        heartbeat(&server, Who::Cookie(session), "status")
            .await
            .status,
        401
    );
    let fleet = server
        .get("/api/v1/screens")
        .by(server.control())
        .send()
        .await
        .json();
    assert_eq!(fleet["screens"].as_array().map(Vec::len), Some(1));
    check_error(
        &server
            .delete(&format!("/api/v1/screens/{lobby}"))
            .by(server.control())
            .send()
            .await,
        404,
        "not_found",
        None,
    );
}
