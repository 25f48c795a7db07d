//! The end-to-end harness: a server, a ChromeDriver and a browser session per test.
//! (Also compiled into the benchmarks, which use a different subset of it.)
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use watchfloor_model::scenario::Scenario;
use watchfloor_server::{Config, Role, TlsConfig};

/// How long a test waits for something to appear before it fails. Generous:
/// these machines are shared; this bounds a hang, it does not time anything.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The built app, as `cargo xtask test` leaves it.
pub fn dist() -> PathBuf {
    let dist = std::env::var_os("WATCHFLOOR_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"));
    assert!(
        dist.join("index.html").exists(),
        "no built app at {}: run `cargo xtask dist` (or `cargo xtask test`) first",
        dist.display()
    );
    dist
}

/// axe-core's script: `WATCHFLOOR_AXE` (set by `cargo xtask test`, which
/// installs it from npm into its cache).
pub fn axe_source() -> String {
    let path = std::env::var("WATCHFLOOR_AXE").expect(
        "WATCHFLOOR_AXE names axe.min.js: run through `cargo xtask test`, which installs axe-core",
    );
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

/// What a test's server starts with.
pub struct Options {
    pub scenario: Option<Scenario>,
    pub public_delay: chrono::Duration,
    /// Serve HTTPS with this certificate ([`Tls::generate`]).
    pub tls: Option<Tls>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            scenario: None,
            public_delay: chrono::Duration::zero(),
            tls: None,
        }
    }
}

/// A certificate for 127.0.0.1 and localhost made at test time, signed by a
/// test CA, loaded as `--tls-cert`/`--tls-key` would load it.
pub struct Tls {
    pub config: TlsConfig,
    /// The test CA (PEM): the harness's own client trusts only it.
    pub ca_pem: String,
}

impl Tls {
    pub fn generate() -> Tls {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Watchfloor e2e CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
            .expect("CA certificate");
        let key = KeyPair::generate().expect("server key");
        let cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server params")
            .signed_by(&key, &ca)
            .expect("server certificate");
        let dir = tempfile::tempdir().expect("cert dir");
        let cert_file = dir.path().join("cert.pem");
        let key_file = dir.path().join("key.pem");
        std::fs::write(&cert_file, format!("{}{}", cert.pem(), ca.pem())).expect("write cert");
        std::fs::write(&key_file, key.serialize_pem()).expect("write key");
        Tls {
            config: TlsConfig::load(&cert_file, &key_file).expect("the certificate loads"),
            ca_pem: ca.pem(),
        }
    }
}

/// A running server on a free loopback port, with its data dir.
pub struct Server {
    pub addr: SocketAddr,
    pub data_dir: tempfile::TempDir,
    options_scenario: Option<Scenario>,
    public_delay: chrono::Duration,
    tls: Option<TlsConfig>,
    /// Speaks to the server (over HTTPS trusting only the test CA, with TLS).
    client: reqwest::Client,
    running: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Server {
    pub async fn start(options: Options) -> Server {
        let data_dir = tempfile::tempdir().expect("temp data dir");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let addr = listener.local_addr().expect("local addr");
        let mut client = reqwest::Client::builder();
        if let Some(tls) = &options.tls {
            client = client.add_root_certificate(
                reqwest::Certificate::from_pem(tls.ca_pem.as_bytes()).expect("CA certificate"),
            );
        }
        let mut server = Server {
            addr,
            data_dir,
            options_scenario: options.scenario,
            public_delay: options.public_delay,
            tls: options.tls.map(|tls| tls.config),
            client: client.build().expect("http client"),
            running: None,
        };
        server.spawn(listener);
        server.wait_until_ready().await;
        server
    }

    /// Waits for `/healthz`, so the data dir is fully set up before a test
    /// (or a token created beside the server) touches it.
    pub async fn wait_until_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if let Ok(response) = self.client.get(self.url("/healthz")).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the server at {} never answered /healthz", self.addr);
    }

    fn spawn(&mut self, listener: TcpListener) {
        let mut config = Config::new(self.data_dir.path());
        config.assets = Some(dist());
        config.scenario = self.options_scenario.clone();
        config.public_delay = self.public_delay;
        config.tls = self.tls.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            watchfloor_server::serve(listener, config, shutdown)
                .await
                .expect("server runs");
        });
        self.running = Some((stop, task));
    }

    /// Stops the server (the browser sees it go away).
    pub async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }

    /// Starts it again on the same address and data dir.
    pub async fn restart(&mut self) {
        self.stop().await;
        let started = Instant::now();
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => break listener,
                Err(error) if started.elapsed() < PATIENCE => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("cannot rebind {}: {error}", self.addr),
            }
        };
        self.spawn(listener);
        self.wait_until_ready().await;
    }

    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}{}", self.addr, path)
    }

    /// A fresh token for a role.
    pub fn token(&self, role: Role) -> String {
        watchfloor_server::create_token(self.data_dir.path(), role, "e2e")
            .expect("create token")
            .1
    }

    /// Posts events as control; panics unless the server accepts them.
    pub async fn post(&self, events: Value) -> Value {
        let token = self.token(Role::Control);
        let response = self
            .client
            .post(self.url("/api/v1/events"))
            .bearer_auth(token)
            .json(&events)
            .send()
            .await
            .expect("post events");
        let status = response.status();
        let body: Value = response.json().await.expect("json answer");
        assert_eq!(status.as_u16(), 201, "events refused: {body}");
        body
    }
}

impl Server {
    /// The seqs `post` appended `events` at.
    pub async fn post_seqs(&self, events: Value) -> Vec<u64> {
        let answer = self.post(events).await;
        answer["seq"]
            .as_array()
            .expect("the answer lists the seqs")
            .iter()
            .map(|seq| seq.as_u64().expect("a seq"))
            .collect()
    }

    /// The whole log as `GET /api/v1/events` gives it page by page to a
    /// reader with `token` (`None`: the public, in the public sequence).
    pub async fn events(&self, token: Option<&str>) -> Vec<watchfloor_model::Event> {
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let mut request = self
                .client
                .get(self.url(&format!("/api/v1/events?after={after}&limit=100")));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("read the log");
            assert!(
                response.status().is_success(),
                "events answered {}",
                response.status()
            );
            let page: watchfloor_model::review::EventsPage =
                response.json().await.expect("an events page");
            events.extend(page.events);
            match page.next {
                Some(next) => after = next,
                None => return events,
            }
        }
    }
}

/// A small exercise with nations and a public and a restricted incident.
pub fn basic_exercise(name: &str) -> Value {
    json!([
        {"type": "exercise_updated", "name": name, "edition": "E2E edition", "organiser": "Test cell",
         "startex": (chrono::Utc::now() - chrono::Duration::hours(30)).to_rfc3339(),
         "endex": (chrono::Utc::now() + chrono::Duration::hours(90)).to_rfc3339()},
        {"type": "phase_changed", "phase": "execution"},
        {"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally", "participants": 40, "teams": 3},
        {"type": "nation_joined", "code": "FIN", "name": "Finland", "kind": "ally", "participants": 35, "teams": 2},
        {"type": "nation_joined", "code": "UKR", "name": "Ukraine", "kind": "partner", "participants": 20, "teams": 1},
    ])
}

/// ChromeDriver on a free port and one headless Chromium session; both end on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_sized(1600, 1000).await
    }

    pub async fn start_sized(width: u32, height: u32) -> Browser {
        Browser::start_with(width, height, &[]).await
    }

    /// A browser that takes any certificate (for a server with a test
    /// certificate: [`Options::tls`]).
    pub async fn start_ignoring_certificate_errors() -> Browser {
        Browser::start_with(1600, 1000, &["--ignore-certificate-errors"]).await
    }

    /// A browser with more command-line arguments than the default ones.
    pub async fn start_with(width: u32, height: u32, extra_args: &[&str]) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("port")
            .port();
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {chromedriver}: {error}"));
        let profile = tempfile::tempdir().expect("chromium profile dir");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    // Exact heap figures and a callable gc() for the soak test and benchmarks.
                    "--enable-precise-memory-info", "--js-flags=--expose-gc",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let mut capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        if let Some(Value::Array(args)) = capabilities
            .get_mut("goog:chromeOptions")
            .and_then(|options| options.get_mut("args"))
        {
            args.extend(extra_args.iter().map(|arg| Value::from(*arg)));
        }
        // Headless Chromium's window is at least 500 px wide: a phone's
        // viewport is emulated instead (desktop rendering, scroll bars and
        // all, so the page is never zoomed out to fit).
        if width < 500 {
            if let Some(Value::Object(options)) = capabilities.get_mut("goog:chromeOptions") {
                options.insert(
                    "mobileEmulation".into(),
                    json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0,
                                             "mobile": false, "touch": false}}),
                );
            }
        }
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) if started.elapsed() < PATIENCE => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => panic!("cannot start a Chromium session via {chromedriver}: {error}"),
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The text of the first element with this test id, once it exists and satisfies `accept`.
    pub async fn text_when(&self, test_id: &str, accept: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        let mut last = String::from("<no such element>");
        let selector = css(test_id);
        while started.elapsed() < PATIENCE {
            if let Ok(element) = self.client.find(Locator::Css(&selector)).await {
                if let Ok(text) = element.text().await {
                    if accept(&text) {
                        return text;
                    }
                    last = text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("[data-testid={test_id}] never satisfied the test; last text: {last:?}");
    }

    /// The text of the first element with this test id.
    pub async fn text(&self, test_id: &str) -> String {
        self.text_when(test_id, |_| true).await
    }

    /// The path and query the browser is on: `/incidents?at=12`.
    pub async fn path_and_query(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The value of `?key=` in the browser's URL, if any.
    pub async fn query_value(&self, key: &str) -> Option<String> {
        let url = self.client.current_url().await.expect("url");
        url.query_pairs()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.into_owned())
    }

    /// Waits until the replay banner says the page shows the state after
    /// `seq`, and returns its words.
    pub async fn replay_shows(&self, seq: u64) -> String {
        let ending = format!("(seq {seq})");
        self.text_when("replay-moment", |text| text.ends_with(&ending))
            .await
    }

    /// Waits until no element has this test id.
    pub async fn gone(&self, test_id: &str) {
        self.until(
            &format!("[data-testid={test_id}] to go"),
            &format!(
                "return document.querySelector(\"{}\") === null;",
                css(test_id).replace('"', "\\\"")
            ),
        )
        .await;
    }

    /// The whole page's HTML source as the browser holds it now.
    pub async fn page_source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Runs a script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Waits until a script returns `true`.
    pub async fn until(&self, what: &str, script: &str) {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if self.eval(script).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("waited in vain for {what} ({script})");
    }

    /// The sorted, distinct `data-incident-id`s of the elements with this test id.
    pub async fn incident_ids(&self, test_id: &str) -> Vec<String> {
        let value = self
            .eval(&format!(
                "return Array.from(document.querySelectorAll(\"{}\")).map(e => e.dataset.incidentId).sort();",
                css(test_id).replace('"', "\\\"")
            ))
            .await;
        let mut ids: Vec<String> = value
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| id.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        ids.dedup();
        ids
    }

    /// Waits until the incident list's rows are exactly `expected` (sorted).
    pub async fn rows_become(&self, expected: &[&str]) {
        let started = Instant::now();
        let mut last = Vec::new();
        while started.elapsed() < PATIENCE {
            last = self.incident_ids("incident-row").await;
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("incident rows never became {expected:?}; last {last:?}");
    }

    /// Clicks the element `selector` finds, waiting for it to appear.
    pub async fn click(&self, selector: &str) {
        let started = Instant::now();
        loop {
            match self.client.find(Locator::Css(selector)).await {
                Ok(element) => {
                    element.click().await.expect("click");
                    return;
                }
                Err(error) if started.elapsed() > PATIENCE => {
                    panic!("no {selector} to click: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Types `text` into the field with this test id, after clearing it.
    pub async fn type_into(&self, test_id: &str, text: &str) {
        let field = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&css(test_id)))
            .await
            .unwrap_or_else(|error| panic!("no {test_id}: {error}"));
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Signs in as a person would, on the sign-in page the browser is on:
    /// types the token and presses the button.
    pub async fn sign_in_through_the_form(&self, token: &str) {
        let input = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&css("signin-token")))
            .await
            .expect("token field");
        input.send_keys(token).await.expect("type the token");
        self.click(&css("signin-submit")).await;
    }

    /// axe-core's WCAG 2.1 A/AA violations on the page shown, as
    /// `rule: target` lines (`axe` is its script, [`axe_source`]).
    pub async fn axe_violations(&self, axe: &str) -> Vec<String> {
        let script = format!(
            "{axe}\n;return axe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}}})\
               .then(r => r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' '))));"
        );
        let found = self.eval(&script).await;
        found
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("axe did not run: {found}")])
    }

    /// Signs the page's origin in with a token, as the sign-in page would:
    /// the server sets the session cookie. The browser must be on the server.
    pub async fn sign_in(&self, token: &str) {
        let status = self
            .eval(&format!(
                "return fetch('/api/v1/session', {{method: 'POST', credentials: 'same-origin', \
                 headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify({{token: '{token}'}})}}) \
                 .then(r => r.status);"
            ))
            .await;
        let status = status.as_u64().unwrap_or_default();
        assert!((200..300).contains(&status), "sign-in answered {status}");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// The CSS selector of a test id.
pub fn css(test_id: &str) -> String {
    format!("[data-testid='{test_id}']")
}
