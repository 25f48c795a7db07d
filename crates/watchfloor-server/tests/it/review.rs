//! After-action review: the state at any moment (`?at=` on the snapshot,
//! the incident list, one incident and the matrix), the log read back
//! (`GET /api/v1/events`, paged or as JSON Lines), and the CSV exports — each
//! redacted for its reader, the public's in its own sequence of released
//! events, so nothing restricted can be read or inferred from them.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use watchfloor_model::export::{INCIDENT_COLUMNS, MATRIX_COLUMNS};
use watchfloor_model::{Audience, Event, Snapshot, State};
use watchfloor_server::Clock;

use crate::support::{check_error, eventually, Reply, TestServer, Who, SECRET};

/// STARTEX of the fixture, and where its manual clock starts.
fn t0() -> DateTime<Utc> {
    "2026-11-23T08:00:00Z".parse().expect("time")
}

fn minutes(minute: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minute)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A server on a manual clock at [`t0`].
async fn server(adjust: impl FnOnce(&mut watchfloor_server::Config)) -> TestServer {
    TestServer::with(|config| {
        config.clock = Clock::manual(t0());
        adjust(config);
    })
    .await
}

/// The review fixture, each group posted at its minute after STARTEX.
/// Live seqs: 1–2 at 0, 3–5 at 1, PUB-1 opened 6 at 5, RES-1 opened 7 at 10,
/// PUB-1 retitled 8 at 15, EST detects PUB-1 9 at 20, RES-1 updated 10 at 25,
/// FIN detects RES-1 11 at 30, PUB-2 opened 12 at 40, PUB-3 opened 13 at 45.
/// Without `restricted`, the same without RES-1's events (7, 10, 11).
/// The public sees 10 events: public seqs 1–6, 7 (the retitle), 8, 9, 10.
fn fixture(restricted: bool) -> Vec<(i64, Value)> {
    let mut groups = vec![
        (
            0,
            json!([
                {"type": "exercise_updated", "name": "Review Test", "edition": "2026", "organiser": "Test cell",
                 "startex": rfc3339(t0()), "endex": rfc3339(t0() + Duration::days(5))},
                {"type": "phase_changed", "phase": "execution"},
            ]),
        ),
        (
            1,
            json!([
                {"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally", "participants": 40, "teams": 3},
                {"type": "nation_joined", "code": "FIN", "name": "Finland", "kind": "ally", "participants": 35, "teams": 2},
                {"type": "nation_joined", "code": "UKR", "name": "Ukraine", "kind": "partner", "participants": 20, "teams": 1},
            ]),
        ),
        (
            5,
            json!({"type": "incident_opened", "id": "PUB-1", "title": "Old title", "category": "ddos",
                   "severity": "high", "nations": ["EST", "FIN"], "summary": "Traffic flood",
                   "detail": format!("Attacker {SECRET}"), "visibility": "public",
                   "inject": {"id": "INJ-001", "planned_at": rfc3339(minutes(4))}}),
        ),
        (
            10,
            json!({"type": "incident_opened", "id": "RES-1", "title": format!("Espionage {SECRET}"),
                   "category": "mobile_app_espionage", "severity": "critical", "nations": ["FIN"],
                   "summary": "Not for release", "detail": format!("Implant {SECRET}"),
                   "inject": {"id": "INJ-002", "planned_at": null}}),
        ),
        (
            15,
            json!({"type": "incident_updated", "id": "PUB-1", "title": "New title", "note": "Retitled"}),
        ),
        (
            20,
            json!({"type": "nation_response", "id": "PUB-1", "code": "EST", "milestone": "detected"}),
        ),
        (
            25,
            json!({"type": "incident_updated", "id": "RES-1", "status": "reported", "note": format!("Reported {SECRET}")}),
        ),
        (
            30,
            json!({"type": "nation_response", "id": "RES-1", "code": "FIN", "milestone": "detected"}),
        ),
        (
            40,
            json!({"type": "incident_opened", "id": "PUB-2", "title": "=SUM(A1)+1", "category": "ddos",
                   "severity": "medium", "nations": ["FIN"], "summary": "Said \"flood\", twice",
                   "visibility": "public"}),
        ),
        (
            45,
            json!({"type": "incident_opened", "id": "PUB-3", "title": "@import, -1", "category": "phishing",
                   "severity": "low", "nations": ["UKR"], "summary": "-2 mailboxes", "visibility": "public"}),
        ),
    ];
    if !restricted {
        groups.retain(|(_, body)| !body.to_string().contains("RES-1"));
    }
    groups
}

/// Posts the fixture, then sets the clock to `now_minute`.
async fn post_fixture(server: &TestServer, restricted: bool, now_minute: i64) {
    for (minute, body) in fixture(restricted) {
        server.state.clock().set(minutes(minute));
        server.append(body).await;
    }
    server.state.clock().set(minutes(now_minute));
}

async fn reviewed() -> TestServer {
    let server = server(|_| {}).await;
    post_fixture(&server, true, 60).await;
    server
}

async fn get(server: &TestServer, path: &str, who: Who) -> Reply {
    let reply = server.get(path).by(who).send().await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply
}

async fn json_of(server: &TestServer, path: &str, who: Who) -> Value {
    get(server, path, who).await.json()
}

/// The caller's snapshot at `moment`.
async fn snapshot_at(server: &TestServer, moment: &str, who: Who) -> Value {
    json_of(server, &format!("/api/v1/snapshot?at={moment}"), who).await
}

fn title_of(snapshot: &Value, id: &str) -> Option<String> {
    snapshot["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .find(|incident| incident["id"] == id)
        .map(|incident| incident["title"].as_str().expect("title").to_owned())
}

/// Every event the reader gets from `GET /api/v1/events`, page by page
/// (`limit` each), checking the paging as it goes.
async fn all_events(server: &TestServer, who: Who, query: &str, limit: usize) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    loop {
        let page = json_of(
            server,
            &format!("/api/v1/events?after={after}&limit={limit}{query}"),
            who.clone(),
        )
        .await;
        pages += 1;
        assert!(pages < 1_000, "paging does not end");
        let batch = page["events"].as_array().expect("events").clone();
        assert!(batch.len() <= limit, "{page}");
        let last = batch
            .last()
            .map(|event| event["seq"].as_u64().expect("seq"));
        events.extend(batch);
        match page["next"].as_u64() {
            Some(next) => {
                assert_eq!(Some(next), last, "next is the page's last seq");
                after = next;
            }
            None => {
                assert!(page["next"].is_null(), "{page}");
                return events;
            }
        }
    }
}

fn seqs(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|event| event["seq"].as_u64().expect("seq"))
        .collect()
}

/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF line ends.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    assert!(text.ends_with("\r\n"), "ends with CRLF: {text:?}");
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(
                    field.is_empty(),
                    "a quote inside an unquoted field: {text:?}"
                );
                quoted = true;
            }
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => assert_eq!(chars.next(), Some('\n'), "CR only before LF"),
            '\n' => panic!("a bare LF outside quotes: {text:?}"),
            c => field.push(c),
        }
        if c == '\r' {
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
        }
    }
    assert!(!quoted, "an unterminated quote");
    rows
}

/// The CSV's rows as maps from column to value, after checking the header.
fn csv_records(text: &str, columns: &[&str]) -> Vec<std::collections::BTreeMap<String, String>> {
    let rows = parse_csv(text);
    let (header, rows) = rows.split_first().expect("a header");
    assert_eq!(header, columns, "the documented column order");
    rows.iter()
        .map(|row| {
            assert_eq!(row.len(), columns.len(), "{row:?}");
            columns
                .iter()
                .map(|column| column.to_string())
                .zip(row.iter().cloned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_snapshot_at_a_seq_shows_the_title_as_it_was() {
    let server = reviewed().await;
    let at = |moment: &'static str| snapshot_at(&server, moment, server.commander());
    let before = at("7").await;
    assert_eq!(before["seq"], 7);
    assert_eq!(title_of(&before, "PUB-1").as_deref(), Some("Old title"));
    let after = at("8").await;
    assert_eq!(title_of(&after, "PUB-1").as_deref(), Some("New title"));
    assert_eq!(at("%238").await, after, "`#8` is seq 8 too");
    // The time of reading is the event's, so the clock and countdown are as they were.
    assert_eq!(after["generated_at"], rfc3339(minutes(15)));
    assert_eq!(after["exercise"]["as_of"], rfc3339(minutes(15)));
    assert_eq!(after["exercise"]["endex_in_s"], 5 * 86_400 - 15 * 60);
    assert_eq!(after["exercise"]["day"], 1);
    assert_eq!(after["audience"], "commander");
    // Before the first event: nothing yet, at the log's beginning.
    let start = at("0").await;
    assert_eq!(
        (start["seq"].as_u64(), start["incidents"].clone()),
        (Some(0), json!([]))
    );
    assert_eq!(start["generated_at"], rfc3339(t0()));
    // Beyond the head: the head.
    let head = at("999999").await;
    assert_eq!(head["seq"], 13);
    assert_eq!(head["generated_at"], rfc3339(minutes(45)));
    // It is the model's own type.
    serde_json::from_value::<Snapshot>(after).expect("a Snapshot");
    // The public, in its own sequence: public seq 7 is the retitle.
    let public = |moment: &'static str| snapshot_at(&server, moment, Who::Public);
    assert_eq!(
        title_of(&public("6").await, "PUB-1").as_deref(),
        Some("Old title")
    );
    let retitled = public("7").await;
    assert_eq!(title_of(&retitled, "PUB-1").as_deref(), Some("New title"));
    assert_eq!(retitled["generated_at"], rfc3339(minutes(15)));
    // Without `at`, today's snapshot.
    let now = json_of(&server, "/api/v1/snapshot", server.commander()).await;
    assert_eq!(
        (now["seq"].as_u64(), now["generated_at"].clone()),
        (Some(13), json!(rfc3339(minutes(60))))
    );
}

#[tokio::test]
async fn a_snapshot_at_a_time_or_a_date_time_group() {
    let server = reviewed().await;
    let at = |moment: &'static str| snapshot_at(&server, moment, server.commander());
    // 08:12: after RES-1 opened (08:10), before the retitle (08:15).
    let twelve = at("2026-11-23T08:12:00Z").await;
    assert_eq!(twelve["seq"], 7);
    assert_eq!(twelve["generated_at"], rfc3339(minutes(12)));
    assert_eq!(twelve["exercise"]["endex_in_s"], 5 * 86_400 - 12 * 60);
    assert_eq!(title_of(&twelve, "PUB-1").as_deref(), Some("Old title"));
    // The same moment as a full date-time group, spaced or not, and as a
    // bare day-time (the 23rd within the exercise's schedule).
    for moment in [
        "230812ZNOV26",
        "230812Z%20NOV%2026",
        "230812z%20nov%2026",
        "230812Z",
    ] {
        assert_eq!(at(moment).await, twelve, "{moment}");
    }
    // At the second an event happened, it is in.
    assert_eq!(at("2026-11-23T08:15:00Z").await["seq"], 8);
    // Before the log: nothing; after now: the head, read now.
    let early = at("2026-11-22T00:00:00Z").await;
    assert_eq!(
        (early["seq"].as_u64(), early["generated_at"].clone()),
        (Some(0), json!("2026-11-22T00:00:00Z"))
    );
    let future = at("2027-01-01T00:00:00Z").await;
    assert_eq!(future["seq"], 13);
    assert_eq!(
        future["generated_at"],
        rfc3339(minutes(60)),
        "never later than now"
    );
}

#[tokio::test]
async fn a_bad_moment_is_a_400_naming_at() {
    let server = reviewed().await;
    for path in [
        "/api/v1/snapshot",
        "/api/v1/incidents",
        "/api/v1/incidents/PUB-1",
        "/api/v1/review/matrix",
    ] {
        for moment in ["yesterday", "321430Z", "2026-11-27", "%23"] {
            let reply = server.get(&format!("{path}?at={moment}")).send().await;
            check_error(&reply, 400, "bad_moment", Some("at"));
            assert!(
                reply.json()["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("date-time group") || m.contains("moment")),
                "the parser's message: {}",
                reply.text
            );
        }
    }
}

#[tokio::test]
async fn the_snapshot_at_each_seq_is_the_fold_of_the_events_up_to_it() {
    let server = reviewed().await;
    for (who, audience) in [
        (server.commander(), Audience::Commander),
        (Who::Public, Audience::Public),
    ] {
        let events = all_events(&server, who.clone(), "", 3).await;
        let head = events.len() as u64;
        assert_eq!(head, if audience == Audience::Public { 10 } else { 13 });
        let mut folded = State::default();
        for seq in 0..=head {
            if seq > 0 {
                let event: Event =
                    serde_json::from_value(events[seq as usize - 1].clone()).expect("an Event");
                folded
                    .apply(&event)
                    .unwrap_or_else(|error| panic!("{audience:?} seq {seq}: {error:?}"));
            }
            let reply = json_of(&server, &format!("/api/v1/snapshot?at={seq}"), who.clone()).await;
            let served: Snapshot = serde_json::from_value(reply).expect("a Snapshot");
            let expected = Snapshot::new(&folded.redacted(audience), audience, served.generated_at);
            assert_eq!(served, expected, "{audience:?} at seq {seq}");
            let at = events[(seq as usize).max(1) - 1]["at"]
                .as_str()
                .expect("at");
            assert_eq!(
                rfc3339(served.generated_at),
                at,
                "{audience:?} seq {seq} read at its event's time"
            );
        }
    }
}

#[tokio::test]
async fn paging_with_next_covers_the_log_exactly_once() {
    let server = reviewed().await;
    let whole = json_of(&server, "/api/v1/events?limit=10000", server.control()).await;
    assert_eq!(
        (whole["head"].as_u64(), whole["next"].clone()),
        (Some(13), Value::Null)
    );
    let whole = whole["events"].as_array().expect("events").clone();
    assert_eq!(seqs(&whole), (1..=13).collect::<Vec<_>>());
    for limit in [1, 2, 5, 13, 1_000] {
        assert_eq!(
            all_events(&server, server.control(), "", limit).await,
            whole,
            "limit {limit}"
        );
    }
    // The events are the stream's: the model's `Event`, with a type.
    assert_eq!(whole[7]["type"], "incident_updated");
    assert_eq!(whole[7]["title"], "New title");
    serde_json::from_value::<Vec<Event>>(Value::Array(whole.clone())).expect("Events");
    // A range: `after < seq <= until`.
    let range = json_of(&server, "/api/v1/events?after=2&until=5", server.control()).await;
    assert_eq!(seqs(range["events"].as_array().expect("events")), [3, 4, 5]);
    assert_eq!(
        (range["head"].as_u64(), range["next"].clone()),
        (Some(13), Value::Null)
    );
    let full = json_of(
        &server,
        "/api/v1/events?after=2&until=5&limit=3",
        server.control(),
    )
    .await;
    assert_eq!(full["next"], Value::Null, "the page reached `until`");
    let part = json_of(
        &server,
        "/api/v1/events?after=2&until=5&limit=2",
        server.control(),
    )
    .await;
    assert_eq!(
        (
            seqs(part["events"].as_array().expect("events")),
            part["next"].clone()
        ),
        (vec![3, 4], json!(4))
    );
    let beyond = json_of(&server, "/api/v1/events?after=13", server.control()).await;
    assert_eq!(
        (beyond["events"].clone(), beyond["next"].clone()),
        (json!([]), Value::Null)
    );
    // The public pages its own dense sequence.
    let public = all_events(&server, Who::Public, "", 4).await;
    assert_eq!(seqs(&public), (1..=10).collect::<Vec<_>>());
    assert_eq!(
        json_of(&server, "/api/v1/events", Who::Public).await["head"],
        10
    );
}

#[tokio::test]
async fn the_kind_filter_takes_event_types() {
    let server = reviewed().await;
    let page = json_of(
        &server,
        "/api/v1/events?kind=phase_changed,exercise_updated",
        server.commander(),
    )
    .await;
    let types: Vec<&str> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect();
    assert_eq!(types, ["exercise_updated", "phase_changed"]);
    let opened = json_of(
        &server,
        "/api/v1/events?kind=incident_opened&limit=2",
        server.commander(),
    )
    .await;
    assert_eq!(
        (
            seqs(opened["events"].as_array().expect("events")),
            opened["next"].clone()
        ),
        (vec![6, 7], json!(7))
    );
    assert_eq!(
        seqs(&all_events(&server, server.commander(), "&kind=incident_opened", 2).await),
        [6, 7, 12, 13]
    );
    // The public: its own seqs, and RES-1's opening is not among them.
    assert_eq!(
        seqs(&all_events(&server, Who::Public, "&kind=incident_opened", 1).await),
        [6, 9, 10]
    );
    for kind in ["nope", "incident_opened,bogus", "Incident_Opened"] {
        check_error(
            &server
                .get(&format!("/api/v1/events?kind={kind}"))
                .send()
                .await,
            400,
            "bad_query",
            Some("kind"),
        );
    }
}

#[tokio::test]
async fn bad_ranges_and_limits_are_refused() {
    let server = reviewed().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("limit=ten", "limit"),
        ("limit=-1", "limit"),
        ("after=x", "after"),
        ("after=-1", "after"),
        ("until=1.5", "until"),
        ("format=xml", "format"),
        ("format=jsonl&limit=0", "limit"),
    ] {
        check_error(
            &server.get(&format!("/api/v1/events?{query}")).send().await,
            400,
            "bad_query",
            Some(field),
        );
    }
    assert_eq!(
        json_of(&server, "/api/v1/events?limit=10000", Who::Public).await["events"]
            .as_array()
            .map(Vec::len),
        Some(10)
    );
    for (path, field) in [
        ("/api/v1/incidents?format=jsonl", "format"),
        ("/api/v1/review/matrix?format=xml", "format"),
    ] {
        check_error(
            &server.get(path).send().await,
            400,
            "bad_query",
            Some(field),
        );
    }
}

/// The lines of a JSON Lines answer, checked for its headers.
fn jsonl(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"watchfloor-events.jsonl\"")
    );
    assert!(reply.text.is_empty() || reply.text.ends_with('\n'));
    reply
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

#[tokio::test]
async fn json_lines_are_the_pages_one_event_a_line() {
    let server = reviewed().await;
    for who in [server.commander(), Who::Public] {
        let pages = all_events(&server, who.clone(), "", 4).await;
        let lines = jsonl(&get(&server, "/api/v1/events?format=jsonl", who.clone()).await);
        assert_eq!(lines, pages);
        let accepted = server
            .get("/api/v1/events")
            .header("accept", "application/x-ndjson")
            .by(who.clone())
            .send()
            .await;
        assert_eq!(jsonl(&accepted), pages);
        // A range, a limit and a filter, as for pages.
        let some = jsonl(
            &get(
                &server,
                "/api/v1/events?format=jsonl&after=2&until=9&limit=3",
                who.clone(),
            )
            .await,
        );
        assert_eq!(seqs(&some), [3, 4, 5]);
        let opened = jsonl(
            &get(
                &server,
                "/api/v1/events?format=jsonl&kind=incident_opened",
                who.clone(),
            )
            .await,
        );
        assert!(opened
            .iter()
            .all(|event| event["type"] == "incident_opened"));
        assert_eq!(
            jsonl(&get(&server, "/api/v1/events?format=jsonl&after=99", who).await),
            Vec::<Value>::new()
        );
    }
    // `format=json` wins over `Accept`.
    let page = server
        .get("/api/v1/events?format=json")
        .header("accept", "application/x-ndjson")
        .send()
        .await;
    assert_eq!(page.header("content-type"), Some("application/json"));
    assert!(
        page.headers
            .get_all("vary")
            .iter()
            .any(|vary| vary == "Accept"),
        "the answer varies with Accept: {:?}",
        page.headers
    );
}

const CODES: [&str; 3] = ["EST", "FIN", "UKR"];

#[tokio::test]
async fn a_long_log_comes_as_json_lines_in_chunks_with_every_event_once() {
    let server = reviewed().await;
    let statuses: Vec<Value> = (0..1_200)
        .map(|n| json!({"type": "nation_status", "code": CODES[n % 3], "status": if n.is_multiple_of(2) { "degraded" } else { "online" }}))
        .collect();
    server.append(Value::Array(statuses[..600].to_vec())).await;
    server.append(Value::Array(statuses[600..].to_vec())).await;
    let lines = jsonl(&get(&server, "/api/v1/events?format=jsonl", server.commander()).await);
    assert_eq!(seqs(&lines), (1..=1_213).collect::<Vec<_>>());
    let public = jsonl(&get(&server, "/api/v1/events?format=jsonl", Who::Public).await);
    assert_eq!(seqs(&public), (1..=1_210).collect::<Vec<_>>());
    // The default page is 1,000 events.
    let page = json_of(&server, "/api/v1/events", server.commander()).await;
    assert_eq!(
        (
            page["events"].as_array().map(Vec::len),
            page["next"].clone()
        ),
        (Some(1_000), json!(1_000))
    );
}

/// The CSV export of a list, checked for its headers.
fn csv_reply(reply: &Reply, filename: &str) -> String {
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        reply.header("content-disposition").map(str::to_owned),
        Some(format!("attachment; filename=\"{filename}\""))
    );
    reply.text.clone()
}

#[tokio::test]
async fn the_incident_csv_is_the_json_list_spreadsheet_safe() {
    let server = reviewed().await;
    for (who, query) in [
        (server.commander(), ""),
        (server.commander(), "severity=high,critical"),
        (server.commander(), "q=title&limit=1"),
        (Who::Public, ""),
        (Who::Public, "nation=FIN"),
    ] {
        let list = json_of(&server, &format!("/api/v1/incidents?{query}"), who.clone()).await;
        let ids: Vec<&str> = list
            .as_array()
            .expect("list")
            .iter()
            .map(|i| i["id"].as_str().expect("id"))
            .collect();
        let text = csv_reply(
            &get(
                &server,
                &format!("/api/v1/incidents?format=csv&{query}"),
                who.clone(),
            )
            .await,
            "watchfloor-incidents.csv",
        );
        let records = csv_records(&text, INCIDENT_COLUMNS);
        let csv_ids: Vec<&str> = records.iter().map(|record| record["id"].as_str()).collect();
        assert_eq!(csv_ids, ids, "{query}: same list, same order");
        for (record, summary) in records.iter().zip(list.as_array().expect("list")) {
            for column in [
                "title",
                "severity",
                "status",
                "visibility",
                "opened_at",
                "summary",
            ] {
                let expected = summary[column].as_str().expect("text");
                let expected = if expected.starts_with(['=', '+', '-', '@']) {
                    format!("'{expected}")
                } else {
                    expected.to_owned()
                };
                assert_eq!(record[column], expected, "{query} {column}");
            }
        }
        let accepted = server
            .get(&format!("/api/v1/incidents?{query}"))
            .header("accept", "text/csv")
            .by(who.clone())
            .send()
            .await;
        assert_eq!(csv_reply(&accepted, "watchfloor-incidents.csv"), text);
    }
    let text = csv_reply(
        &get(&server, "/api/v1/incidents?format=csv", server.commander()).await,
        "watchfloor-incidents.csv",
    );
    let records = csv_records(&text, INCIDENT_COLUMNS);
    let by_id = |id: &str| {
        records
            .iter()
            .find(|record| record["id"] == id)
            .expect("row")
            .clone()
    };
    // Formulas are defused, separators and quotes survive.
    assert_eq!(by_id("PUB-2")["title"], "'=SUM(A1)+1");
    assert_eq!(by_id("PUB-2")["summary"], "Said \"flood\", twice");
    assert_eq!(by_id("PUB-3")["title"], "'@import, -1");
    assert_eq!(by_id("PUB-3")["summary"], "'-2 mailboxes");
    assert!(text.contains("\"'@import, -1\""));
    assert!(!text.contains(",=SUM") && !text.contains(",@import"));
    assert_eq!(by_id("PUB-1")["nations"], "EST FIN");
    assert_eq!(by_id("PUB-1")["inject"], "INJ-001");
    assert_eq!(by_id("PUB-1")["inject_planned_at"], rfc3339(minutes(4)));
    assert!(
        by_id("PUB-1")["detail"].contains(SECRET),
        "commanders get the detail"
    );
    // As it was at seq 7: RES-1 and PUB-1, under its old title.
    let then = csv_records(
        &csv_reply(
            &get(
                &server,
                "/api/v1/incidents?format=csv&at=7",
                server.commander(),
            )
            .await,
            "watchfloor-incidents.csv",
        ),
        INCIDENT_COLUMNS,
    );
    let titles: Vec<(&str, &str)> = then
        .iter()
        .map(|r| (r["id"].as_str(), r["title"].as_str()))
        .collect();
    assert_eq!(titles[1], ("PUB-1", "Old title"));
    assert_eq!(then[0]["id"], "RES-1");
    let listed = json_of(
        &server,
        "/api/v1/incidents?at=2026-11-23T08:14:59Z",
        server.commander(),
    )
    .await;
    assert_eq!(listed[1]["title"], "Old title");
    // The public's CSV: no restricted incident and no detail.
    let public = csv_reply(
        &get(&server, "/api/v1/incidents?format=csv", Who::Public).await,
        "watchfloor-incidents.csv",
    );
    assert!(
        !public.contains(SECRET) && !public.contains("RES-1"),
        "{public}"
    );
    assert!(csv_records(&public, INCIDENT_COLUMNS)
        .iter()
        .all(|record| record["detail"].is_empty()));
}

#[tokio::test]
async fn one_incident_as_it_was() {
    let server = reviewed().await;
    let incident = |path: &str, who: Who| server.get(path).by(who).send();
    let then = incident("/api/v1/incidents/PUB-1?at=7", server.commander()).await;
    assert_eq!(then.status, 200);
    assert_eq!(then.json()["title"], "Old title");
    assert_eq!(then.json()["timeline"].as_array().map(Vec::len), Some(1));
    let now = incident("/api/v1/incidents/PUB-1", server.commander())
        .await
        .json();
    assert_eq!(now["title"], "New title");
    check_error(
        &incident("/api/v1/incidents/PUB-1?at=5", server.commander()).await,
        404,
        "not_found",
        None,
    );
    check_error(
        &incident(
            "/api/v1/incidents/PUB-2?at=2026-11-23T08:39:00Z",
            Who::Public,
        )
        .await,
        404,
        "not_found",
        None,
    );
    assert_eq!(
        incident("/api/v1/incidents/PUB-2?at=9", Who::Public)
            .await
            .status,
        200
    );
    for moment in ["7", "11", "999", "2026-11-23T08:31:00Z"] {
        let reply = incident(&format!("/api/v1/incidents/RES-1?at={moment}"), Who::Public).await;
        check_error(&reply, 404, "not_found", None);
        assert!(!reply.text.contains(SECRET));
    }
}

#[tokio::test]
async fn the_matrix_at_a_moment_as_json_and_csv() {
    let server = reviewed().await;
    let matrix = json_of(&server, "/api/v1/review/matrix", server.commander()).await;
    let injects: Vec<&str> = matrix["injects"]
        .as_array()
        .expect("injects")
        .iter()
        .map(|c| c["inject"].as_str().expect("id"))
        .collect();
    assert_eq!(injects, ["INJ-001", "INJ-002"]);
    let est = &matrix["rows"][0];
    assert_eq!(est["code"], "EST");
    // Planned at 08:04, detected at 08:20.
    assert_eq!(
        est["cells"][0],
        json!({"state": "responded", "times": {"detected": 960, "reported": null, "contained": null}})
    );
    assert_eq!(est["cells"][1], json!({"state": "not_affected"}));
    serde_json::from_value::<watchfloor_model::review::Matrix>(matrix.clone()).expect("a Matrix");
    // Before EST's response (seq 9): no response yet.
    let then = json_of(&server, "/api/v1/review/matrix?at=8", server.commander()).await;
    assert_eq!(then["rows"][0]["cells"][0], json!({"state": "no_response"}));
    assert_eq!(then["injects"].as_array().map(Vec::len), Some(2));
    let text = csv_reply(
        &get(
            &server,
            "/api/v1/review/matrix?format=csv",
            server.commander(),
        )
        .await,
        "watchfloor-matrix.csv",
    );
    let records = csv_records(&text, MATRIX_COLUMNS);
    assert_eq!(records.len(), 3 * 2, "one line per nation and inject");
    assert_eq!(
        (
            records[0]["nation"].as_str(),
            records[0]["inject"].as_str(),
            records[0]["state"].as_str(),
            records[0]["detected_s"].as_str()
        ),
        ("EST", "INJ-001", "responded", "960")
    );
    let accepted = server
        .get("/api/v1/review/matrix")
        .header("accept", "text/csv")
        .by(server.commander())
        .send()
        .await;
    assert_eq!(csv_reply(&accepted, "watchfloor-matrix.csv"), text);
    // The public's: the public inject only.
    let public = json_of(&server, "/api/v1/review/matrix", Who::Public).await;
    assert_eq!(public["injects"].as_array().map(Vec::len), Some(1));
    let public_csv = csv_reply(
        &get(&server, "/api/v1/review/matrix?format=csv", Who::Public).await,
        "watchfloor-matrix.csv",
    );
    assert_eq!(csv_records(&public_csv, MATRIX_COLUMNS).len(), 3);
    for text in [public.to_string(), public_csv] {
        assert!(
            !text.contains(SECRET) && !text.contains("RES-1") && !text.contains("INJ-002"),
            "{text}"
        );
    }
}

/// Every review read a public reader can make of the fixture.
fn public_review_paths() -> Vec<String> {
    let mut paths: Vec<String> = [
        "/api/v1/events",
        "/api/v1/events?limit=3",
        "/api/v1/events?after=3&limit=2",
        "/api/v1/events?kind=incident_opened,incident_updated,nation_response",
        "/api/v1/events?format=jsonl",
        "/api/v1/incidents?format=csv",
        "/api/v1/incidents?q=espionage&format=csv",
        "/api/v1/review/matrix",
        "/api/v1/review/matrix?format=csv",
        "/api/v1/incidents/RES-1?at=999",
        "/api/v1/incidents/PUB-1?at=8",
    ]
    .map(str::to_owned)
    .to_vec();
    for seq in 0..=12 {
        paths.push(format!("/api/v1/snapshot?at={seq}"));
        paths.push(format!("/api/v1/review/matrix?at={seq}"));
        paths.push(format!("/api/v1/incidents?format=csv&at={seq}"));
    }
    // Every minute of the fixture, and each between the restricted events.
    for minute in (0..=50).step_by(1) {
        let at = rfc3339(minutes(minute) + Duration::seconds(30));
        paths.push(format!("/api/v1/snapshot?at={at}"));
        paths.push(format!("/api/v1/incidents?at={at}"));
        paths.push(format!("/api/v1/review/matrix?at={at}&format=csv"));
    }
    paths
}

#[tokio::test]
async fn public_review_reads_carry_nothing_restricted() {
    let server = reviewed().await;
    for path in public_review_paths() {
        for who in [Who::Public, Who::Cookie("stale".into())] {
            let reply = server.get(&path).by(who).send().await;
            assert!(
                reply.status == 200 || reply.status == 404,
                "{path}: {}",
                reply.text
            );
            assert!(!reply.text.contains(SECRET), "{path} leaks: {}", reply.text);
            assert!(
                !reply.text.contains("RES-1") || reply.status == 404,
                "{path} reveals RES-1: {}",
                reply.text
            );
            assert!(
                !reply.text.contains("INJ-002") && !reply.text.contains("Implant"),
                "{path}: {}",
                reply.text
            );
        }
        let lowered = server
            .get(&format!(
                "{path}{}audience=public",
                if path.contains('?') { '&' } else { '?' }
            ))
            .by(server.commander())
            .send()
            .await;
        assert!(
            !lowered.text.contains(SECRET),
            "{path}&audience=public leaks"
        );
    }
    // The public's events: dense public seqs, no detail, the model's events.
    let events = all_events(&server, Who::Public, "", 1_000).await;
    assert_eq!(seqs(&events), (1..=10).collect::<Vec<_>>());
    assert!(events.iter().all(|event| event.get("detail").is_none()));
}

/// The public cannot tell from any review read how much restricted activity
/// happened or when: a server whose log also holds restricted events answers
/// every public review read byte for byte like one whose log does not —
/// including a moment between two restricted events, which reads as the
/// public event before them.
#[tokio::test]
async fn public_reviews_look_the_same_with_or_without_restricted_activity() {
    let with = reviewed().await;
    let without = server(|_| {}).await;
    post_fixture(&without, false, 60).await;
    let mut compared = 0;
    for path in public_review_paths() {
        let (a, b) = (
            with.get(&path).send().await,
            without.get(&path).send().await,
        );
        assert_eq!((a.status, &a.text), (b.status, &b.text), "{path}");
        compared += 1;
    }
    assert!(compared > 100);
    // Between the restricted events of 08:25 and 08:30: the public state of
    // the public event before them (08:20, public seq 8), read at that time.
    let between = with
        .get("/api/v1/snapshot?at=2026-11-23T08:27:00Z")
        .send()
        .await
        .json();
    let before = with.get("/api/v1/snapshot?at=8").send().await.json();
    assert_eq!(between["seq"], 8);
    let untimed = |mut snapshot: Value| {
        let object = snapshot.as_object_mut().expect("object");
        object.remove("generated_at");
        let exercise = object
            .get_mut("exercise")
            .and_then(Value::as_object_mut)
            .expect("exercise");
        for timed in ["as_of", "exercise_time", "endex_in_s", "day"] {
            exercise.remove(timed);
        }
        snapshot
    };
    assert_eq!(untimed(between.clone()), untimed(before));
    assert_eq!(
        between["generated_at"], "2026-11-23T08:27:00Z",
        "the time asked, not a restricted event's"
    );
}

#[tokio::test]
async fn an_embargoed_event_is_in_no_public_review() {
    let server = server(|config| {
        config.public_delay = Duration::minutes(10);
        config.embargo_tick = std::time::Duration::from_millis(20);
    })
    .await;
    // At 08:52 everything up to 08:42 is released; PUB-3 (08:45) is not.
    post_fixture(&server, true, 52).await;
    eventually("the embargo releases up to 08:42", || async {
        server.get("/api/v1/snapshot").send().await.json()["seq"] == 9
    })
    .await;
    let events = all_events(&server, Who::Public, "", 4).await;
    assert_eq!(seqs(&events), (1..=9).collect::<Vec<_>>());
    let lines = jsonl(&get(&server, "/api/v1/events?format=jsonl", Who::Public).await);
    assert_eq!(lines, events);
    assert_eq!(
        json_of(&server, "/api/v1/events", Who::Public).await["head"],
        9
    );
    for path in [
        "/api/v1/events?after=8&until=99",
        "/api/v1/events?format=jsonl&after=8",
        "/api/v1/snapshot?at=999",
        "/api/v1/snapshot?at=2026-11-23T08:50:00Z",
        "/api/v1/incidents?format=csv",
        "/api/v1/incidents?at=10",
        "/api/v1/review/matrix?at=2030-01-01T00:00:00Z",
    ] {
        let reply = get(&server, path, Who::Public).await;
        assert!(
            !reply.text.contains("PUB-3") && !reply.text.contains("@import"),
            "{path}: {}",
            reply.text
        );
    }
    assert_eq!(
        json_of(&server, "/api/v1/snapshot?at=999", Who::Public).await["seq"],
        9
    );
    check_error(
        &server.get("/api/v1/incidents/PUB-3?at=999").send().await,
        404,
        "not_found",
        None,
    );
    // Commanders are not embargoed.
    assert_eq!(
        json_of(&server, "/api/v1/incidents/PUB-3?at=13", server.commander()).await["id"],
        "PUB-3"
    );
    assert_eq!(
        json_of(&server, "/api/v1/events", server.commander()).await["head"],
        13
    );
}

#[tokio::test]
async fn the_openapi_document_names_the_csv_columns_in_order() {
    let server = TestServer::start().await;
    let document = server.get("/api/v1/openapi.json").send().await.json();
    for (path, columns) in [
        ("/api/v1/incidents", INCIDENT_COLUMNS),
        ("/api/v1/review/matrix", MATRIX_COLUMNS),
    ] {
        let operation = &document["paths"][path]["get"];
        let description = operation["description"].as_str().expect("a description");
        let mut from = 0;
        for column in columns {
            let quoted = format!("`{column}`");
            let found = description[from..].find(&quoted).unwrap_or_else(|| {
                panic!("{path}: {quoted} after position {from} in {description}")
            });
            from += found + quoted.len();
        }
        let listed: Vec<String> = columns.iter().map(|column| format!("`{column}`")).collect();
        assert!(
            description.contains(&listed.join(", ")),
            "{path}: {description}"
        );
        let content = operation["responses"]["200"]["content"]
            .as_object()
            .expect("content");
        assert!(
            content.contains_key("text/csv") && content.contains_key("application/json"),
            "{path}"
        );
    }
    let events = &document["paths"]["/api/v1/events"];
    assert!(events.get("get").is_some() && events.get("post").is_some());
    assert!(events["get"]["responses"]["200"]["content"]
        .get("application/x-ndjson")
        .is_some());
    for schema in ["EventsPage", "Matrix"] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "schema {schema}"
        );
    }
}
