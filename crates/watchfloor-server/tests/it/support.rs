//! The test harness: a real server (real SQLite file in a temp dir, the real
//! router), requests that read as features, and `check`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tempfile::TempDir;
use tower::ServiceExt;
use watchfloor_server::{app, create_token, AppState, Config, Database, Role};

/// How long a test waits for something that should happen at once.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Planted in restricted text; must never reach a public reader.
pub const SECRET: &str = "SECRET-MARKER-7f3a";

/// The suite runs on SQLite, and again on PostgreSQL when this names a
/// server to make test databases on (`cargo xtask test` starts a private one).
pub const DATABASE_URL: &str = "WATCHFLOOR_TEST_DATABASE_URL";

/// Whether this run of the suite is the PostgreSQL one.
pub fn on_postgres() -> bool {
    std::env::var_os(DATABASE_URL).is_some()
}

/// The store a test server on `dir` uses: SQLite in the dir, or in the
/// PostgreSQL run a database of its own named after the dir (so a restart
/// on the same dir finds it again), made on first use.
pub async fn database(dir: &std::path::Path) -> Database {
    let Ok(admin) = std::env::var(DATABASE_URL) else {
        return Database::Sqlite(dir.to_owned());
    };
    let name = format!(
        "wf_{}",
        dir.file_name()
            .expect("a temp dir has a name")
            .as_encoded_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    );
    let url = {
        let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let base = base.rsplit_once('/').map_or(base, |(base, _)| base);
        if query.is_empty() {
            format!("{base}/{name}")
        } else {
            format!("{base}/{name}?{query}")
        }
    };
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .expect("the test PostgreSQL server answers");
        match client.batch_execute(&format!("CREATE DATABASE {name}")) {
            Ok(()) => {}
            Err(error) if error.code() == Some(&postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            Err(error) => panic!("cannot make test database {name}: {error}"),
        }
    })
    .await
    .expect("database made");
    Database::Postgres(url)
}

/// A configuration for a server on `dir`, on this run's store.
pub async fn config(dir: &std::path::Path) -> Config {
    let mut config = Config::new(dir);
    config.database = database(dir).await;
    config
}

/// A running server on a temp data dir, with a token for each role.
pub struct TestServer {
    pub dir: TempDir,
    /// Where its store is (the data dir, or its PostgreSQL database).
    pub database: Database,
    pub state: AppState,
    pub control: String,
    pub commander: String,
    address: Option<SocketAddr>,
}

/// Who sends a request.
#[derive(Clone, Debug)]
pub enum Who {
    Public,
    Bearer(String),
    Cookie(String),
}

impl TestServer {
    /// A server with the default configuration.
    pub async fn start() -> TestServer {
        TestServer::with(|_| {}).await
    }

    /// A server with a configuration adjusted by `adjust`.
    pub async fn with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        TestServer::on(dir, adjust).await
    }

    /// A server on an existing data dir (a restart).
    pub async fn on(dir: TempDir, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let database = database(dir.path()).await;
        TestServer::on_store(dir, database, adjust).await
    }

    /// A server on SQLite in `dir`, in either run of the suite.
    pub async fn on_sqlite(dir: TempDir) -> TestServer {
        let database = Database::Sqlite(dir.path().to_owned());
        TestServer::on_store(dir, database, |_| {}).await
    }

    /// A server on `dir` and the given store.
    pub async fn on_store(
        dir: TempDir,
        database: Database,
        adjust: impl FnOnce(&mut Config),
    ) -> TestServer {
        let mut config = Config::new(dir.path());
        config.database = database;
        adjust(&mut config);
        let database = config.database.clone();
        let state = AppState::start(config).await.expect("server starts");
        let tokens = database.clone();
        let (control, commander) = tokio::task::spawn_blocking(move || {
            (
                create_token(&tokens, Role::Control, "control")
                    .expect("token")
                    .1,
                create_token(&tokens, Role::Commander, "commander")
                    .expect("token")
                    .1,
            )
        })
        .await
        .expect("tokens");
        TestServer {
            dir,
            database,
            state,
            control,
            commander,
            address: None,
        }
    }

    /// Runs a query on the server's store beside it (SQLite in WAL mode, or
    /// PostgreSQL: readers block no one) and returns every row's columns as text.
    pub async fn sql(&self, query: &str) -> Vec<Vec<String>> {
        let database = self.database.clone();
        let query = query.to_owned();
        tokio::task::spawn_blocking(move || match database {
            Database::Sqlite(dir) => {
                let connection =
                    rusqlite::Connection::open(dir.join("watchfloor.db")).expect("the database");
                let mut statement = connection.prepare(&query).expect("query");
                let columns = statement.column_count();
                statement
                    .query_map([], |row| {
                        (0..columns)
                            .map(|column| {
                                Ok(match row.get::<_, rusqlite::types::Value>(column)? {
                                    rusqlite::types::Value::Integer(n) => n.to_string(),
                                    rusqlite::types::Value::Real(x) => x.to_string(),
                                    rusqlite::types::Value::Text(text) => text,
                                    other => format!("{other:?}"),
                                })
                            })
                            .collect()
                    })
                    .expect("rows")
                    .collect::<rusqlite::Result<Vec<Vec<String>>>>()
                    .expect("rows")
            }
            Database::Postgres(url) => {
                let mut client =
                    postgres::Client::connect(&url, postgres::NoTls).expect("the database");
                client
                    .simple_query(&query)
                    .expect("query")
                    .into_iter()
                    .filter_map(|message| match message {
                        postgres::SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|column| row.get(column).unwrap_or_default().to_owned())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
        })
        .await
        .expect("query ran")
    }

    /// Another server on the same store (PostgreSQL only: SQLite's data dir
    /// takes one server), with the same tokens.
    pub async fn beside(&self) -> TestServer {
        self.beside_with(|_| {}).await
    }

    /// [`TestServer::beside`] with a configuration adjusted by `adjust`.
    pub async fn beside_with(&self, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::new(dir.path());
        adjust(&mut config);
        config.database = self.database.clone();
        let state = AppState::start(config)
            .await
            .expect("a second server starts");
        TestServer {
            dir,
            database: self.database.clone(),
            state,
            control: self.control.clone(),
            commander: self.commander.clone(),
            address: None,
        }
    }

    /// Stops the server and hands back its data dir, for a restart.
    pub async fn stop(self) -> TempDir {
        self.state.shutdown().await;
        self.dir
    }

    pub fn control(&self) -> Who {
        Who::Bearer(self.control.clone())
    }

    pub fn commander(&self) -> Who {
        Who::Bearer(self.commander.clone())
    }

    /// A request through the router, without a socket.
    pub fn get(&self, path: &str) -> Call<'_> {
        Call::new(self, Method::GET, path)
    }

    pub fn post(&self, path: &str, body: Value) -> Call<'_> {
        Call::new(self, Method::POST, path).json(body)
    }

    /// A POST with a raw body and content type.
    pub fn post_raw(&self, path: &str, content_type: &str, body: impl Into<Body>) -> Call<'_> {
        Call::new(self, Method::POST, path).raw(content_type, body)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        Call::new(self, Method::DELETE, path)
    }

    /// Posts events as control and returns their seqs; panics on refusal.
    pub async fn append(&self, events: Value) -> Vec<u64> {
        let reply = self
            .post("/api/v1/events", events)
            .by(self.control())
            .send()
            .await;
        assert_eq!(reply.status, 201, "events refused: {}", reply.text);
        reply.json()["seq"]
            .as_array()
            .expect("seqs")
            .iter()
            .map(|seq| seq.as_u64().expect("seq"))
            .collect()
    }

    /// The last seq in the log, as control's snapshot says (`/healthz`
    /// tells the public nothing about the log).
    pub async fn seq(&self) -> u64 {
        self.get("/api/v1/snapshot")
            .by(self.control())
            .send()
            .await
            .json()["seq"]
            .as_u64()
            .expect("seq")
    }

    /// Serves the router on a free loopback port (once), through the
    /// server's own accept loop (its caps and timeouts), and returns its base URL.
    pub async fn listen(&mut self) -> String {
        if self.address.is_none() {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            self.address = Some(listener.local_addr().expect("address"));
            tokio::spawn(watchfloor_server::serve_app(
                listener,
                self.state.clone(),
                std::future::pending(),
            ));
        }
        format!("http://{}", self.address.expect("listening"))
    }
}

/// A request being built.
pub struct Call<'a> {
    server: &'a TestServer,
    request: axum::http::request::Builder,
    body: Body,
}

impl<'a> Call<'a> {
    fn new(server: &'a TestServer, method: Method, path: &str) -> Call<'a> {
        Call {
            server,
            request: Request::builder().method(method).uri(path),
            body: Body::empty(),
        }
    }

    pub fn json(mut self, body: Value) -> Self {
        self.request = self
            .request
            .header(header::CONTENT_TYPE, "application/json");
        self.body = Body::from(body.to_string());
        self
    }

    /// A raw body with a content type.
    pub fn raw(mut self, content_type: &str, body: impl Into<Body>) -> Self {
        self.request = self.request.header(header::CONTENT_TYPE, content_type);
        self.body = body.into();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.header(name, value);
        self
    }

    pub fn by(mut self, who: Who) -> Self {
        self.request = match who {
            Who::Public => self.request,
            Who::Bearer(token) => self
                .request
                .header(header::AUTHORIZATION, format!("Bearer {token}")),
            // As the app's own page sends it: a same-origin fetch (the
            // browser adds `Sec-Fetch-Site`; see `security.rs` for tests of
            // requests from elsewhere).
            Who::Cookie(session) => self
                .request
                .header(header::COOKIE, format!("watchfloor_session={session}"))
                .header("sec-fetch-site", "same-origin"),
        };
        self
    }

    pub async fn send(self) -> Reply {
        let request = self.request.body(self.body).expect("request");
        let response = app(self.server.state.clone())
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// A response, fully read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Checks a reply's status and that its JSON includes `expected` (objects
/// may have more keys; arrays must match element by element).
#[track_caller]
pub fn check(reply: &Reply, status: u16, expected: Value) {
    assert_eq!(reply.status, status, "status of: {}", reply.text);
    let actual = reply.json();
    assert!(
        includes(&actual, &expected),
        "expected to include:\n{expected:#}\nactual:\n{actual:#}"
    );
}

/// Checks an error reply: its status, code and field.
#[track_caller]
pub fn check_error(reply: &Reply, status: u16, code: &str, field: Option<&str>) {
    check(
        reply,
        status,
        json!({"error": {"code": code, "field": field}}),
    );
    let message = reply.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.len() > 10, "an actionable message: {message:?}");
}

pub fn includes(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => expected.iter().all(|(key, value)| {
            actual.get(key).is_some_and(|found| includes(found, value))
                || (value.is_null() && !actual.contains_key(key))
        }),
        (Value::Array(actual), Value::Array(expected)) => {
            actual.len() == expected.len()
                && actual.iter().zip(expected).all(|(a, e)| includes(a, e))
        }
        _ => actual == expected,
    }
}

/// A small exercise: three nations, a public incident with restricted
/// detail, and a restricted incident — both carrying [`SECRET`] where only
/// commanders may read it.
pub fn exercise() -> Value {
    let now = chrono::Utc::now();
    json!([
        {"type": "exercise_updated", "name": "Cyber Coalition Test", "edition": "2026", "organiser": "Test cell",
         "startex": (now - chrono::Duration::hours(30)).to_rfc3339(),
         "endex": (now + chrono::Duration::hours(90)).to_rfc3339()},
        {"type": "phase_changed", "phase": "execution"},
        {"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally", "participants": 40, "teams": 3},
        {"type": "nation_joined", "code": "FIN", "name": "Finland", "kind": "ally", "participants": 35, "teams": 2},
        {"type": "nation_joined", "code": "UKR", "name": "Ukraine", "kind": "partner", "participants": 20, "teams": 1},
        {"type": "incident_opened", "id": "PUB-1", "title": "Breach attempt on a classified network",
         "category": "classified_network_breach", "severity": "high", "nations": ["EST"],
         "summary": "Defenders detected a breach attempt.", "detail": format!("Attacker IP 10.0.0.1 {SECRET}"),
         "visibility": "public", "inject": {"id": "INJ-001", "planned_at": null}},
        {"type": "incident_opened", "id": "RES-1", "title": format!("Espionage app {SECRET}"),
         "category": "mobile_app_espionage", "severity": "critical", "nations": ["FIN", "UKR"],
         "summary": "Not for release", "detail": format!("Implant details {SECRET}")},
        {"type": "incident_updated", "id": "PUB-1", "status": "analysing", "note": "Analysts on it",
         "detail": format!("More detail {SECRET}")},
        {"type": "incident_updated", "id": "RES-1", "status": "reported", "note": format!("Reported {SECRET}")},
        {"type": "nation_response", "id": "PUB-1", "code": "EST", "milestone": "detected"},
        {"type": "incident_opened", "id": "PUB-2", "title": "DDoS on a port authority", "category": "ddos",
         "severity": "medium", "nations": ["FIN"], "summary": "Traffic flood", "visibility": "public"},
    ])
}

/// One server-sent event.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

impl Message {
    pub fn seq(&self) -> u64 {
        self.id.as_deref().expect("an id").parse().expect("a seq")
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).expect("event JSON")
    }
}

/// An SSE client over a real socket.
pub struct EventStream {
    body: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>,
    >,
    buffer: String,
    pub status: u16,
    pub content_type: String,
}

impl EventStream {
    pub async fn open(url: &str, who: Who, headers: &[(&str, &str)]) -> EventStream {
        EventStream::try_open(url, who, headers)
            .await
            .expect("stream request")
    }

    /// [`EventStream::open`], or `None` when the server cannot be reached.
    pub async fn try_open(url: &str, who: Who, headers: &[(&str, &str)]) -> Option<EventStream> {
        let mut request = reqwest::Client::new().get(url);
        request = match who {
            Who::Public => request,
            Who::Bearer(token) => request.bearer_auth(token),
            Who::Cookie(session) => {
                request.header("cookie", format!("watchfloor_session={session}"))
            }
        };
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Some(EventStream {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
            status,
            content_type,
        })
    }

    /// The next message, or `None` when the stream ends. Panics after `PATIENCE`.
    pub async fn next(&mut self) -> Option<Message> {
        self.next_within(PATIENCE)
            .await
            .expect("a message within the patience")
    }

    /// The next message within `wait`: `Err(())` on timeout.
    pub async fn next_within(&mut self, wait: Duration) -> Result<Option<Message>, ()> {
        tokio::time::timeout(wait, self.read())
            .await
            .map_err(|_| ())
    }

    async fn read(&mut self) -> Option<Message> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut message = Message {
                    id: None,
                    event: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        message.id = Some(value.trim().to_owned());
                        any = true;
                    } else if let Some(value) = line.strip_prefix("event:") {
                        message.event = Some(value.trim().to_owned());
                        any = true;
                    } else if let Some(value) = line.strip_prefix("data:") {
                        message
                            .data
                            .push_str(value.strip_prefix(' ').unwrap_or(value));
                        any = true;
                    }
                }
                if any {
                    return Some(message);
                }
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// Messages until (and including) the one with seq `last`.
    pub async fn until(&mut self, last: u64) -> Vec<Message> {
        let mut messages = Vec::new();
        loop {
            let message = self.next().await.expect("the stream stays open");
            let seq = message.seq();
            messages.push(message);
            if seq >= last {
                return messages;
            }
        }
    }
}

/// Polls `condition` until it holds or the patience runs out.
pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !condition().await {
        assert!(started.elapsed() < PATIENCE, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The state as control reads it, without what moves with the time of
/// reading (`generated_at`, and the exercise's clock, day and countdown):
/// what must not change when a request is refused, or across a restart.
pub async fn observed(server: &TestServer) -> Value {
    let reply = server
        .get("/api/v1/snapshot")
        .by(server.control())
        .send()
        .await;
    assert_eq!(reply.status, 200, "snapshot: {}", reply.text);
    let mut snapshot = reply.json();
    let object = snapshot.as_object_mut().expect("a snapshot object");
    object.remove("generated_at");
    if let Some(exercise) = object.get_mut("exercise").and_then(Value::as_object_mut) {
        for timed in ["as_of", "exercise_time", "endex_in_s", "day"] {
            exercise.remove(timed);
        }
    }
    snapshot
}

/// The real binary, serving a data dir on a free port; killed when dropped.
pub struct Process {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT` (or `https://…`), from the ready line, without a trailing `/`.
    pub url: String,
}

impl Process {
    /// `watchfloor-server serve` on `data_dir`, once it says it listens.
    pub fn start(data_dir: &std::path::Path) -> Process {
        Process::start_with(data_dir, &[] as &[&std::ffi::OsStr])
    }

    /// The same with more flags of `serve`.
    pub fn start_with(
        data_dir: &std::path::Path,
        flags: &[impl AsRef<std::ffi::OsStr>],
    ) -> Process {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_watchfloor-server"))
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(flags)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the server binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the ready line");
        let url = line
            .trim()
            .strip_prefix("Watchfloor listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Process { child, url }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL on Unix: no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
