//! Benchmarks of the server: durable ingest, read throughput beside nginx,
//! and SSE fan-out.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::bare;
use crate::harness::{basic_exercise, Options, Server};
use crate::stats::{bytes, latency, ratio, summary, Section};
use watchfloor_server::Role;

const REPEATS: usize = 3;

fn status_event(n: usize) -> Value {
    let status = ["online", "degraded"][n % 2];
    let code = ["EST", "FIN", "UKR"][n % 3];
    json!({"type": "nation_status", "code": code, "status": status})
}

/// Events per second accepted by `posters` concurrent clients, each posting
/// `per_poster` requests of `batch` events.
async fn post_rate(server: &Server, posters: usize, per_poster: usize, batch: usize) -> f64 {
    let token = Arc::new(server.token(Role::Control));
    let url = Arc::new(server.url("/api/v1/events"));
    let client = reqwest::Client::new();
    let started = Instant::now();
    let tasks: Vec<_> = (0..posters)
        .map(|poster| {
            let (client, token, url) = (client.clone(), token.clone(), url.clone());
            tokio::spawn(async move {
                for request in 0..per_poster {
                    let body = if batch == 1 {
                        status_event(poster + request)
                    } else {
                        Value::Array(
                            (0..batch)
                                .map(|i| status_event(poster + request + i))
                                .collect(),
                        )
                    };
                    let response = client
                        .post(url.as_str())
                        .bearer_auth(token.as_str())
                        .json(&body)
                        .send()
                        .await
                        .expect("post");
                    assert_eq!(response.status().as_u16(), 201, "ingest refused");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("poster");
    }
    (posters * per_poster * batch) as f64 / started.elapsed().as_secs_f64()
}

/// The floor: plain SQLite inserts with the same durability settings, on the same disk.
fn sqlite_rate(dir: &Path, total: usize, batch: usize) -> f64 {
    let path = dir.join(format!("floor-{batch}.db"));
    let _ = std::fs::remove_file(&path);
    let connection = rusqlite::Connection::open(&path).expect("open floor db");
    connection
        .execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, type TEXT NOT NULL, visibility TEXT NOT NULL, body TEXT NOT NULL);",
        )
        .expect("floor schema");
    let body = status_event(1).to_string();
    let started = Instant::now();
    let mut connection = connection;
    for chunk in 0..total / batch {
        let transaction = connection.transaction().expect("transaction");
        for i in 0..batch {
            transaction
                .execute(
                    "INSERT INTO events (seq, at, type, visibility, body) VALUES (?1, ?2, 'nation_status', 'public', ?3)",
                    rusqlite::params![(chunk * batch + i + 1) as i64, chrono::Utc::now().to_rfc3339(), body],
                )
                .expect("insert");
        }
        transaction.commit().expect("commit");
    }
    total as f64 / started.elapsed().as_secs_f64()
}

pub async fn ingest() -> Section {
    let mut section = Section::new(
        "4. Ingest",
        "Events per second accepted durably (201 only after the fsync'd commit) over HTTP on loopback, \
         the server in-process; floor: a plain SQLite insert loop (WAL, `synchronous=FULL`, one \
         transaction per request) on the same disk, one thread.",
    );
    let floor_dir = tempfile::tempdir().expect("floor dir");
    let cases: [(&str, usize, usize, usize); 4] = [
        ("single events, 1 poster", 1, 300, 1),
        ("single events, 8 posters", 8, 100, 1),
        ("single events, 32 posters", 32, 40, 1),
        ("batches of 100, 4 posters", 4, 10, 100),
    ];
    for (what, posters, per_poster, batch) in cases {
        let (mut watchfloor, mut floor) = (Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            let server = Server::start(Options::default()).await;
            server.post(basic_exercise("Ingest")).await;
            watchfloor.push(post_rate(&server, posters, per_poster, batch).await);
            floor.push(sqlite_rate(
                floor_dir.path(),
                (posters * per_poster * batch).min(3000),
                batch,
            ));
        }
        let (w, f) = (summary(&watchfloor), summary(&floor));
        section.row(
            what,
            format!("{:.0} events/s ({:.0}–{:.0})", w.median, w.p25, w.p75),
            format!("{:.0} events/s", f.median),
            ratio(w.median, f.median),
        );
    }
    section
}

fn which(program: &str) -> Option<PathBuf> {
    ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.exists())
}

/// Requests per second that wrk reports for one URL.
fn wrk(url: &str) -> f64 {
    let output = Command::new(which("wrk").expect("wrk"))
        .args(["-t2", "-c64", "-d6s", url])
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find(|line| line.starts_with("Requests/sec:"))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(f64::NAN)
}

pub async fn read_throughput() -> Section {
    let mut section = Section::new(
        "5. Read throughput",
        "Requests per second from `wrk -t2 -c64 -d6s` on loopback (no `Accept-Encoding`), the server \
         in-process with the demo exercise, beside nginx (Debian, `worker_processes auto`, \
         `sendfile on`) serving the same bytes as static files; median of 3 alternating runs.",
    );
    let (Some(_), Some(nginx)) = (which("wrk"), which("nginx")) else {
        section.row(
            "skipped",
            "wrk and nginx are not installed",
            "`cargo xtask bench` installs them as root",
            "",
        );
        return section;
    };
    let server = Server::start(Options {
        scenario: Some(watchfloor_server::demo_scenario()),
        ..Options::default()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let client = reqwest::Client::new();
    let snapshot = client
        .get(server.url("/api/v1/snapshot"))
        .send()
        .await
        .expect("snapshot")
        .bytes()
        .await
        .expect("bytes");
    let health = client
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("healthz")
        .bytes()
        .await
        .expect("bytes");

    let dir = tempfile::tempdir().expect("nginx dir");
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).expect("www");
    std::fs::write(www.join("snapshot.json"), &snapshot).expect("snapshot file");
    std::fs::write(www.join("healthz.json"), &health).expect("healthz file");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "user root; worker_processes auto; daemon off; pid {dir}/nginx.pid; error_log {dir}/error.log;\n\
             events {{ worker_connections 4096; }}\n\
             http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;\n\
               server {{ listen 127.0.0.1:{port}; root {www}; default_type application/json; }} }}\n",
            dir = dir.path().display(),
            www = www.display()
        ),
    )
    .expect("nginx.conf");
    let mut nginx = Command::new(nginx)
        .args(["-c"])
        .arg(&conf)
        .args(["-p"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    tokio::time::sleep(Duration::from_millis(500)).await;

    for (what, path, static_path, size) in [
        (
            "`GET /api/v1/snapshot` (demo, public)",
            "/api/v1/snapshot",
            "/snapshot.json",
            snapshot.len(),
        ),
        ("`GET /healthz`", "/healthz", "/healthz.json", health.len()),
    ] {
        let (mut watchfloor, mut reference) = (Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            let url = server.url(path);
            watchfloor.push(
                tokio::task::spawn_blocking(move || wrk(&url))
                    .await
                    .expect("wrk"),
            );
            let url = format!("http://127.0.0.1:{port}{static_path}");
            reference.push(
                tokio::task::spawn_blocking(move || wrk(&url))
                    .await
                    .expect("wrk"),
            );
        }
        let (w, r) = (summary(&watchfloor), summary(&reference));
        section.row(
            format!("{what}, {}", bytes(size as u64)),
            format!("{:.0} req/s ({:.0}–{:.0})", w.median, w.p25, w.p75),
            format!("nginx: {:.0} req/s", r.median),
            ratio(w.median, r.median),
        );
    }
    let _ = nginx.kill();
    let _ = nginx.wait();
    section
}

fn server_binary() -> PathBuf {
    std::env::var_os("WATCHFLOOR_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/server/watchfloor-server")
        })
}

fn rss_kib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(f64::NAN)
}

/// Connects from one of 200 loopback addresses (127.0.1.x), so tens of
/// thousands of clients over several rounds do not run out of ephemeral ports
/// (closed client sockets linger in TIME_WAIT).
async fn connect_from(client: usize, addr: &str) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    let source = std::net::Ipv4Addr::new(127, 0, 1, (client % 200 + 1) as u8);
    socket.bind(std::net::SocketAddr::from((source, 0)))?;
    socket
        .connect(addr.parse().map_err(std::io::Error::other)?)
        .await
}

/// Opens one SSE client on a raw socket and reports when the awaited message
/// arrives: the line `id: <target>`, or with target 0 (the bare endpoint,
/// which sends no ids) the first `data:` line.
async fn sse_client(
    client: usize,
    addr: String,
    path: String,
    target: u64,
    ready: tokio::sync::mpsc::Sender<()>,
    done: tokio::sync::mpsc::Sender<Instant>,
) {
    let Ok(mut stream) = connect_from(client, &addr).await else {
        return;
    };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    let mut reader = BufReader::with_capacity(2048, stream);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let _ = ready.send(()).await;
    loop {
        line.clear();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let arrived = match line.trim().strip_prefix("id:") {
                    Some(id) => id.trim().parse::<u64>().ok() == Some(target),
                    None => target == 0 && line.starts_with("data:"),
                };
                if arrived {
                    let _ = done.send(Instant::now()).await;
                    return;
                }
            }
        }
    }
}

pub async fn fanout() -> Section {
    let mut section = Section::new(
        "6. Fan-out",
        "Concurrent SSE clients (raw sockets, one tokio task each) held by one `watchfloor-server` \
         process (built with the `server` profile); its resident memory per connection (VmRSS before \
         and after connecting); time from POST of one event to its arrival at every client. \
         Reference for the reach time: a bare axum SSE broadcast endpoint in the bench process.",
    );
    let binary = server_binary();
    if !binary.exists() {
        section.row(
            "skipped",
            format!("{} not built", binary.display()),
            "`cargo xtask bench` builds it",
            "",
        );
        return section;
    }
    let data_dir = tempfile::tempdir().expect("data dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(&binary)
        .args(["serve", "--addr", &addr, "--data-dir"])
        .arg(data_dir.path())
        // 10,000 streams from 200 loopback addresses (50 each), and the
        // rounds before may still be closing: caps well above that.
        .args([
            "--max-connections",
            "50000",
            "--max-connections-per-ip",
            "1000",
        ])
        .args(["--max-streams", "50000", "--max-streams-per-ip", "1000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start watchfloor-server");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut banner = vec![0u8; 256];
    let _ = tokio::time::timeout(Duration::from_secs(20), stdout.read(&mut banner)).await;
    tokio::spawn(async move {
        let mut sink = Vec::new();
        let _ = stdout.read_to_end(&mut sink).await;
    });
    let pid = child.id().expect("pid");
    let control = watchfloor_server::create_token(data_dir.path(), Role::Control, "bench")
        .expect("token")
        .1;
    let client = reqwest::Client::new();
    let post = |body: Value| {
        let request = client
            .post(format!("http://{addr}/api/v1/events"))
            .bearer_auth(&control)
            .json(&body);
        async move {
            let response = request.send().await.expect("post");
            let answer: Value = response.json().await.expect("json");
            answer["seq"]
                .as_array()
                .and_then(|seqs| seqs.last())
                .and_then(Value::as_u64)
                .expect("seq")
        }
    };
    let mut seq = post(basic_exercise("Fan-out")).await;

    let bare = bare::start().await;
    for clients in [1_000usize, 5_000, 10_000] {
        let before = rss_kib(pid);
        let (watchfloor_times, connected) = reach(
            &addr,
            clients,
            &format!("/api/v1/stream?after={seq}"),
            seq + 1,
            || post(status_event(clients)),
        )
        .await;
        let after_connect = rss_kib(pid);
        seq += 1;
        let (bare_times, bare_connected) =
            reach(&bare.addr.to_string(), clients, "/bare/stream", 0, || {
                bare.send("id-less".into());
                async { 0 }
            })
            .await;
        let w = summary(&watchfloor_times);
        let b = summary(&bare_times);
        section.row(
            format!("{clients} clients: connected"),
            format!("{connected}"),
            format!("bare: {bare_connected}"),
            "",
        );
        section.row(
            format!("{clients} clients: server memory per connection"),
            format!(
                "{:.1} KiB (RSS {:.0} → {:.0} MiB)",
                (after_connect - before) / clients as f64,
                before / 1024.0,
                after_connect / 1024.0
            ),
            "",
            "",
        );
        section.row(
            format!("{clients} clients: POST → event at every client"),
            format!(
                "{}; all by {:.1} ms",
                latency(w),
                w.p99.max(max(&watchfloor_times))
            ),
            format!(
                "bare: p50 {:.1} ms, all by {:.1} ms",
                b.median,
                max(&bare_times)
            ),
            ratio(max(&watchfloor_times), max(&bare_times)),
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let _ = child.kill().await;
    section
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}

/// Connects `clients` SSE clients, fires `trigger`, and returns each
/// client's delay (ms) from the trigger to the message, and how many connected.
async fn reach<F, Fut>(
    addr: &str,
    clients: usize,
    path: &str,
    target: u64,
    trigger: F,
) -> (Vec<f64>, usize)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    let (ready_sender, mut ready) = tokio::sync::mpsc::channel(clients);
    let (done_sender, mut done) = tokio::sync::mpsc::channel(clients);
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        tasks.push(tokio::spawn(sse_client(
            client,
            addr.to_string(),
            path.to_string(),
            target,
            ready_sender.clone(),
            done_sender.clone(),
        )));
    }
    drop(ready_sender);
    drop(done_sender);
    let mut connected = 0;
    while connected < clients {
        match tokio::time::timeout(Duration::from_secs(30), ready.recv()).await {
            Ok(Some(())) => connected += 1,
            _ => break,
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fired = Instant::now();
    trigger().await;
    let mut times = Vec::with_capacity(connected);
    while times.len() < connected {
        match tokio::time::timeout(Duration::from_secs(30), done.recv()).await {
            Ok(Some(at)) => times.push((at - fired).as_secs_f64() * 1000.0),
            _ => break,
        }
    }
    for task in tasks {
        task.abort();
    }
    (times, connected)
}

/// The body of event `index` of a long synthetic log: an exercise, 30
/// nations, then an incident opened every `open_every` events (a third
/// restricted, most from an inject) and, of every 10 events, three updates
/// of recent incidents, two nation responses and the rest status check-ins.
fn long_log_body(index: usize, open_every: usize, opened: &mut usize) -> Value {
    let code = |n: usize| format!("N{:02}", n % 30);
    if index == 0 {
        return json!({"type": "exercise_updated", "name": "Long", "startex": "2026-11-23T08:00:00Z", "endex": "2026-11-28T08:00:00Z"});
    }
    if index == 1 {
        return json!({"type": "phase_changed", "phase": "execution"});
    }
    if index < 32 {
        return json!({"type": "nation_joined", "code": code(index - 2), "name": format!("Nation {}", index - 2), "kind": "ally"});
    }
    let recent =
        |opened: usize, back: usize| opened.saturating_sub(1 + back % 20.min(opened.max(1)));
    if index % open_every == 0 {
        let n = *opened;
        *opened += 1;
        let inject = if n % 4 == 0 {
            Value::Null
        } else {
            json!({"id": format!("INJ-{n}"), "planned_at": null})
        };
        return json!({"type": "incident_opened", "id": format!("INC-{n}"), "title": format!("Incident {n}"),
                      "category": "ddos", "severity": "medium", "nations": [code(n), code(n + 7)],
                      "summary": "A summary of the incident", "detail": "Restricted detail",
                      "visibility": if n % 3 == 0 { "restricted" } else { "public" },
                      "inject": inject});
    }
    let status = if index % 2 == 0 { "online" } else { "degraded" };
    if *opened == 0 {
        return json!({"type": "nation_status", "code": code(index), "status": status});
    }
    match index % 10 {
        1 | 4 | 7 => {
            json!({"type": "incident_updated", "id": format!("INC-{}", recent(*opened, index)), "note": format!("Update {index}")})
        }
        2 | 5 => {
            let n = recent(*opened, index / 3);
            let milestone = ["detected", "reported", "contained"][index % 3];
            json!({"type": "nation_response", "id": format!("INC-{n}"), "code": code(n), "milestone": milestone})
        }
        _ => json!({"type": "nation_status", "code": code(index), "status": status}),
    }
}

/// The bodies of a `count`-event log with `incidents` incidents.
fn long_log_bodies(count: usize, incidents: usize) -> Vec<Value> {
    let open_every = (count / incidents.max(1)).max(10);
    let mut opened = 0;
    (0..count)
        .map(|index| long_log_body(index, open_every, &mut opened))
        .collect()
}

/// The same log as the store hands it to the hub: seqs, times 3 s apart, visibilities.
fn stored_log(bodies: &[Value]) -> Vec<watchfloor_server::store::StoredEvent> {
    let start: chrono::DateTime<chrono::Utc> = "2026-11-23T08:00:00Z".parse().expect("time");
    let mut state = watchfloor_model::State::default();
    bodies
        .iter()
        .enumerate()
        .map(|(index, body)| {
            let body: watchfloor_model::EventBody =
                serde_json::from_value(body.clone()).expect("event body");
            let visibility = state.visibility_of(&body);
            let event = watchfloor_model::Event {
                by: None,
                entry: None,
                seq: index as u64 + 1,
                at: start + chrono::Duration::seconds(3 * index as i64),
                body,
            };
            state.apply(&event).expect("a valid synthetic event");
            watchfloor_server::store::StoredEvent { event, visibility }
        })
        .collect()
}

fn self_rss_kib() -> f64 {
    rss_kib(std::process::id())
}

/// `count` seqs spread evenly over `1..=head`, each at a fixed offset within
/// its stretch, the same every run.
fn sample_seqs(head: u64, count: u64) -> Vec<u64> {
    let stretch = (head / count.max(1)).max(1);
    (0..count)
        .map(|n| (n * stretch + (n * 7_919) % stretch + 1).min(head))
        .collect()
}

/// Milliseconds of `hub.past` at `seqs`, for `audience`.
fn past_times(
    hub: &watchfloor_server::hub::Hub,
    audience: watchfloor_model::Audience,
    seqs: &[u64],
) -> Vec<f64> {
    let now = chrono::Utc::now();
    seqs.iter()
        .map(|&seq| {
            let started = Instant::now();
            let past = hub.past(audience, watchfloor_model::review::Point::Seq(seq), now);
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            assert!(past.state.seq <= seq);
            elapsed
        })
        .collect()
}

pub async fn review() -> Section {
    use watchfloor_server::hub::{Hub, CHECKPOINT_EVERY};
    const EVENTS: usize = 100_000;
    let mut section = Section::new(
        "7. The state at a moment",
        format!(
            "The state at a random seq of a {EVENTS}-event synthetic log (30 nations; an incident \
             opened every 100 or every 10 events; of every 10 events 3 incident updates, 2 nation \
             responses, the rest status check-ins): `Hub::past` (the nearest of the checkpoints kept \
             every {CHECKPOINT_EVERY} events, copied, then folded forward with `State::apply`) \
             beside folding the log from the start (a hub without checkpoints); then \
             `GET /api/v1/snapshot?at=<seq>` over HTTP on loopback (commander, sequential, the server \
             in-process). Checkpoint memory: their states serialised as JSON, and the bench \
             process's RSS after building the hub with checkpoints minus without."
        ),
    );
    let audience = watchfloor_model::Audience::Commander;
    for (incidents, reference_samples) in [(1_000usize, 50u64), (10_000, 10)] {
        let bodies = long_log_bodies(EVENTS, incidents);
        let log = stored_log(&bodies);
        let copy = |log: &[watchfloor_server::store::StoredEvent]| -> Vec<_> {
            log.iter()
                .map(|stored| watchfloor_server::store::StoredEvent {
                    event: stored.event.clone(),
                    visibility: stored.visibility,
                })
                .collect()
        };
        let now = chrono::Utc::now();
        let before = self_rss_kib();
        let started = Instant::now();
        let bare =
            Hub::rebuild_with_checkpoints(copy(&log), chrono::Duration::zero(), now, u64::MAX);
        let bare_rebuild = started.elapsed();
        let without = self_rss_kib();
        let reference = summary(&past_times(
            &bare,
            audience,
            &sample_seqs(EVENTS as u64, reference_samples),
        ));
        drop(bare);
        let started = Instant::now();
        let hub = Hub::rebuild(copy(&log), chrono::Duration::zero(), now);
        let rebuild = started.elapsed();
        let with = self_rss_kib();
        let stats = hub.checkpoint_stats();
        let times = summary(&past_times(
            &hub,
            audience,
            &sample_seqs(EVENTS as u64, 200),
        ));
        let public = summary(&past_times(
            &hub,
            watchfloor_model::Audience::Public,
            &sample_seqs(hub.released_head(), 200),
        ));
        let live = hub.live_state();
        let head_json = serde_json::to_vec(&*live).map_or(0, |json| json.len() as u64);
        let label = format!("{incidents} incidents");
        section.row(
            format!("{label}: state at a random seq (`Hub::past`, commander)"),
            format!(
                "{}; max {:.1} ms",
                latency(times),
                times_max(&hub, audience)
            ),
            format!("fold from zero: {}", latency(reference)),
            ratio(times.p99, reference.p99),
        );
        section.row(
            format!("{label}: state at a random public seq (public sequence)"),
            latency(public),
            "",
            "",
        );
        section.row(
            format!("{label}: checkpoints (live + public)"),
            format!(
                "{} + {}, {} as JSON (head state {}); RSS +{:.0} MiB ({:.0} → {:.0} MiB)",
                stats.live,
                stats.public,
                bytes(stats.json_bytes),
                bytes(head_json),
                (with - without).max(0.0) / 1024.0,
                without / 1024.0,
                with / 1024.0,
            ),
            format!(
                "no checkpoints: RSS {:.0} → {:.0} MiB",
                before / 1024.0,
                without / 1024.0
            ),
            "",
        );
        section.row(
            format!("{label}: rebuild at start"),
            format!("{rebuild:.1?}"),
            format!("without checkpoints: {bare_rebuild:.1?}"),
            ratio(rebuild.as_secs_f64(), bare_rebuild.as_secs_f64()),
        );
        drop(hub);
        if incidents == 1_000 {
            section.row(
                format!("{label}: `GET /api/v1/snapshot?at=<seq>`"),
                snapshot_at_over_http(&bodies).await,
                "",
                "",
            );
        }
    }
    section
}

/// The slowest of a second pass at the sampled seqs (the worst case: the
/// seqs just before each checkpoint).
fn times_max(hub: &watchfloor_server::hub::Hub, audience: watchfloor_model::Audience) -> f64 {
    let head = hub.head();
    let every = watchfloor_server::hub::CHECKPOINT_EVERY;
    let worst: Vec<u64> = (1..=head / every).map(|n| n * every - 1).collect();
    max(&past_times(hub, audience, &worst))
}

/// Posts the log to a server in batches, then times `snapshot?at=` at sampled seqs.
async fn snapshot_at_over_http(bodies: &[Value]) -> String {
    let server = Server::start(Options::default()).await;
    for batch in bodies.chunks(1_000) {
        server.post(Value::Array(batch.to_vec())).await;
    }
    let token = server.token(Role::Commander);
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    let mut size = 0;
    for seq in sample_seqs(bodies.len() as u64, 200) {
        let started = Instant::now();
        let body = client
            .get(server.url(&format!("/api/v1/snapshot?at={seq}")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("snapshot")
            .bytes()
            .await
            .expect("body");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        size = size.max(body.len());
    }
    format!(
        "{}; bodies up to {}",
        latency(summary(&times)),
        bytes(size as u64)
    )
}
