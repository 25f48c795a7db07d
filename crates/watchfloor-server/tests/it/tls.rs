//! HTTPS served directly (`--tls-cert`, `--tls-key`): a certificate made at
//! test time, the real server on a loopback socket, a client that trusts
//! only the test's CA.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use watchfloor_server::{create_token, Config, Role, TlsConfig};

use crate::support::{Process, PATIENCE};

/// A test CA and a server certificate it signed for 127.0.0.1 and
/// localhost, written as PEM files.
pub struct TestCert {
    pub dir: tempfile::TempDir,
    /// The server's chain: its certificate, then the CA's.
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// The CA, the client's only root.
    pub ca_pem: String,
}

impl TestCert {
    pub fn new() -> TestCert {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Watchfloor test CA");
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
        TestCert {
            dir,
            cert_file,
            key_file,
            ca_pem: ca.pem(),
        }
    }

    pub fn load(&self) -> TlsConfig {
        TlsConfig::load(&self.cert_file, &self.key_file).expect("the test certificate loads")
    }

    /// A client that trusts only the test CA.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).expect("CA certificate"),
            )
            .timeout(PATIENCE)
            .build()
            .expect("client")
    }
}

/// The real server over HTTPS on a loopback port (`serve_with_ready`, as
/// `main` runs it), with a 1 s header timeout.
struct HttpsServer {
    data_dir: tempfile::TempDir,
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl HttpsServer {
    async fn start(cert: &TestCert) -> HttpsServer {
        let data_dir = tempfile::tempdir().expect("data dir");
        let mut config = Config::new(data_dir.path());
        config.tls = Some(cert.load());
        config.header_timeout = Duration::from_secs(1);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready, is_ready) = oneshot::channel::<SocketAddr>();
        tokio::spawn(async move {
            watchfloor_server::serve_with_ready(
                listener,
                config,
                async move {
                    let _ = stopped.await;
                },
                move |address| {
                    let _ = ready.send(address);
                },
            )
            .await
            .expect("the server runs");
        });
        let address = tokio::time::timeout(PATIENCE, is_ready)
            .await
            .expect("the server starts in time")
            .expect("the server starts");
        HttpsServer {
            data_dir,
            address,
            _stop: stop,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.address)
    }

    fn origin(&self) -> String {
        format!("https://{}", self.address)
    }

    fn token(&self, role: Role) -> String {
        create_token(self.data_dir.path(), role, "tls test")
            .expect("token")
            .1
    }

    /// Signs in with a token; the session cookie's `Set-Cookie` value.
    async fn sign_in(&self, client: &reqwest::Client, token: &str) -> String {
        let response = client
            .post(self.url("/api/v1/session"))
            .header("origin", self.origin())
            .json(&json!({"token": token}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), 201);
        response
            .headers()
            .get("set-cookie")
            .expect("a session cookie")
            .to_str()
            .expect("text")
            .to_owned()
    }
}

/// `name=value` of a `Set-Cookie` value.
fn cookie_pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().expect("a name=value").trim()
}

#[tokio::test]
async fn https_answers_with_hsts_and_plain_http_keeps_none() {
    let cert = TestCert::new();
    let server = HttpsServer::start(&cert).await;
    let response = cert
        .client()
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("GET /healthz over https");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("strict-transport-security")
            .and_then(|value| value.to_str().ok()),
        Some("max-age=31536000")
    );

    // Without TLS nothing changes: no HSTS, the plain cookie name.
    let mut plain = crate::support::TestServer::start().await;
    let base = plain.listen().await;
    let response = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("GET /healthz over http");
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("strict-transport-security")
        .is_none());
    let signed_in = plain
        .post("/api/v1/session", json!({"token": plain.commander}))
        .send()
        .await;
    let set_cookie = signed_in.header("set-cookie").expect("cookie");
    assert!(
        set_cookie.starts_with("watchfloor_session=") && !set_cookie.contains("Secure"),
        "{set_cookie}"
    );
}

#[tokio::test]
async fn the_session_cookie_is_secure_host_prefixed_and_authenticates_over_https() {
    let cert = TestCert::new();
    let server = HttpsServer::start(&cert).await;
    let client = cert.client();
    let set_cookie = server
        .sign_in(&client, &server.token(Role::Commander))
        .await;
    assert!(
        set_cookie.starts_with("__Host-watchfloor_session="),
        "{set_cookie}"
    );
    let attributes: Vec<&str> = set_cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{set_cookie}");
    assert!(attributes.contains(&"Path=/"), "{set_cookie}");
    assert!(attributes.contains(&"HttpOnly"), "{set_cookie}");
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain="),
        "{set_cookie}"
    );
    let cookie = cookie_pair(&set_cookie).to_owned();

    let who: Value = client
        .get(server.url("/api/v1/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("who am I")
        .json()
        .await
        .expect("json");
    assert_eq!(who["audience"], "commander", "{who}");

    // The same session id under the plain name counts for nothing over
    // HTTPS: it could have been planted over HTTP.
    let session_id = cookie.split_once('=').expect("name=value").1;
    let who: Value = client
        .get(server.url("/api/v1/session"))
        .header("cookie", format!("watchfloor_session={session_id}"))
        .send()
        .await
        .expect("who am I")
        .json()
        .await
        .expect("json");
    assert_eq!(who["audience"], "public", "{who}");
}

#[tokio::test]
async fn a_cookie_write_from_the_https_origin_is_accepted_and_from_http_refused() {
    let cert = TestCert::new();
    let server = HttpsServer::start(&cert).await;
    let client = cert.client();
    let set_cookie = server.sign_in(&client, &server.token(Role::Control)).await;
    let cookie = cookie_pair(&set_cookie).to_owned();
    let event = json!({"type": "phase_changed", "phase": "execution"});

    // The server's own origin is https://…: the page's POST goes through.
    let response = client
        .post(server.url("/api/v1/events"))
        .header("cookie", &cookie)
        .header("origin", server.origin())
        .json(&event)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 201, "{:?}", response.text().await);

    // The same host over http:// is another origin.
    let response = client
        .post(server.url("/api/v1/events"))
        .header("cookie", &cookie)
        .header("origin", format!("http://{}", server.address))
        .json(&event)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "cross_origin", "{body}");

    // Signing out over HTTPS clears the `__Host-` cookie.
    let response = client
        .delete(server.url("/api/v1/session"))
        .header("cookie", &cookie)
        .header("origin", server.origin())
        .send()
        .await
        .expect("sign out");
    assert_eq!(response.status(), 204);
    let cleared = response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .expect("a clearing cookie");
    assert!(
        cleared.starts_with("__Host-watchfloor_session=;") && cleared.contains("Secure"),
        "{cleared}"
    );
}

/// Reads until the server closes the connection (or resets it); what it sent.
/// Panics if it stays open for `PATIENCE`.
async fn read_until_closed(socket: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(PATIENCE, async {
        let mut buffer = [0u8; 4096];
        loop {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept the connection open");
    received
}

#[tokio::test]
async fn plain_http_to_the_https_port_gets_no_http_answer() {
    let cert = TestCert::new();
    let server = HttpsServer::start(&cert).await;
    let mut socket = TcpStream::connect(server.address).await.expect("connect");
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("send");
    let received = read_until_closed(&mut socket).await;
    assert!(
        !received.starts_with(b"HTTP/"),
        "answered in plain HTTP: {:?}",
        String::from_utf8_lossy(&received)
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_the_handshake_is_dropped_after_the_header_timeout() {
    let cert = TestCert::new();
    let server = HttpsServer::start(&cert).await;
    // Sends nothing at all.
    let mut silent = TcpStream::connect(server.address).await.expect("connect");
    // Starts a ClientHello record and stops.
    let mut partial = TcpStream::connect(server.address).await.expect("connect");
    partial
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .await
        .expect("send");
    // The header timeout is 1 s; PATIENCE bounds the wait.
    assert!(read_until_closed(&mut silent).await.is_empty());
    read_until_closed(&mut partial).await;

    // The server still serves.
    let response = cert
        .client()
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("GET /healthz");
    assert_eq!(response.status(), 200);
}

fn serve_args(data_dir: &Path, tls: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_watchfloor-server"))
        .arg("serve")
        .arg("--addr=127.0.0.1:0")
        .arg("--data-dir")
        .arg(data_dir)
        .args(tls)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn tls_flags_come_together_and_a_bad_file_is_named() {
    let cert = TestCert::new();
    let data = tempfile::tempdir().expect("data dir");
    let cert_file = cert.cert_file.to_str().expect("path");
    let key_file = cert.key_file.to_str().expect("path");

    let (code, stderr) = serve_args(data.path(), &["--tls-cert", cert_file]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("--tls-cert and --tls-key go together"),
        "{stderr}"
    );
    let (code, stderr) = serve_args(data.path(), &["--tls-key", key_file]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("--tls-cert and --tls-key go together"),
        "{stderr}"
    );

    let missing = cert.dir.path().join("missing.pem");
    let missing = missing.to_str().expect("path");
    let (code, stderr) = serve_args(data.path(), &["--tls-cert", missing, "--tls-key", key_file]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("--tls-cert {missing}: cannot read it")),
        "{stderr}"
    );

    // Not PEM at all; a certificate where the key should be; a key that is
    // not the certificate's.
    let junk = cert.dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").expect("write");
    let junk = junk.to_str().expect("path");
    let (code, stderr) = serve_args(data.path(), &["--tls-cert", junk, "--tls-key", key_file]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&format!("--tls-cert {junk}:")), "{stderr}");
    let (code, stderr) = serve_args(
        data.path(),
        &["--tls-cert", cert_file, "--tls-key", cert_file],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("--tls-key {cert_file}:")),
        "{stderr}"
    );
    let other = TestCert::new();
    let other_key = other.key_file.to_str().expect("path");
    let (code, stderr) = serve_args(
        data.path(),
        &["--tls-cert", cert_file, "--tls-key", other_key],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("--tls-key {other_key}: does not fit")),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_binary_says_it_listens_on_https() {
    let cert = TestCert::new();
    let data = tempfile::tempdir().expect("data dir");
    let server = Process::start_with(
        data.path(),
        &[
            "--tls-cert".as_ref(),
            cert.cert_file.as_os_str(),
            "--tls-key".as_ref(),
            cert.key_file.as_os_str(),
        ],
    );
    let url = server.url.clone();
    let answer = cert.client().get(format!("{url}/healthz")).send().await;
    drop(server);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(answer.expect("GET /healthz").status(), 200);
}
