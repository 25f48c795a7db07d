//! A cluster for real: a PostgreSQL of its own, three `watchfloor-server`
//! processes on it, posters writing to random servers with idempotency
//! keys and an SSE reader on every server — while one server is killed
//! with SIGKILL and PostgreSQL crashes (`pg_ctl restart -m immediate`).
//! Every reader sees the same gapless sequence from 1, with the payloads the
//! log holds, and every acknowledged post is in the log exactly once. (The
//! scenario player's takeover is `shared.rs`'s.)
//!
//! Runs in the PostgreSQL run of the suite, where the xtask names the
//! PostgreSQL programs (`WATCHFLOOR_TEST_POSTGRES_BIN`); elsewhere it
//! returns at once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use watchfloor_server::{create_token, Database, Role};

use crate::support::{exercise, EventStream, Process, Who, PATIENCE};

/// A PostgreSQL server this test starts, crashes and stops.
struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// Who runs it (PostgreSQL refuses to run as root).
    user: Option<String>,
}

impl PrivatePostgres {
    fn start() -> Option<PrivatePostgres> {
        let bin = PathBuf::from(std::env::var_os("WATCHFLOOR_TEST_POSTGRES_BIN")?);
        let user = std::env::var("WATCHFLOOR_TEST_POSTGRES_USER").ok();
        let mut random = [0u8; 6];
        getrandom::getrandom(&mut random).expect("random");
        let name: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("watchfloor-cluster-test-{name}"));
        std::fs::create_dir_all(&dir).expect("dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let server = PrivatePostgres {
            bin,
            dir,
            port,
            user,
        };
        if let Some(user) = &server.user {
            let owned = std::process::Command::new("chown")
                .arg(format!("{user}:{user}"))
                .arg(&server.dir)
                .status()
                .expect("chown");
            assert!(owned.success());
        }
        let data = server.dir.join("data");
        server.run(
            "initdb",
            &[
                "-D",
                data.to_str().expect("path"),
                "-A",
                "trust",
                "-U",
                "watchfloor",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        server.pg_ctl("start");
        Some(server)
    }

    fn url(&self) -> String {
        format!("postgres://watchfloor@127.0.0.1:{}/postgres", self.port)
    }

    /// A PostgreSQL program, run as its user, in its directory, quietly.
    fn command(&self, tool: &str, args: &[&str]) -> std::process::Command {
        let program = self.bin.join(tool);
        let mut command = match &self.user {
            Some(user) => {
                let mut command = std::process::Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&program);
                command
            }
            None => std::process::Command::new(&program),
        };
        command
            .args(args)
            .current_dir(&self.dir)
            .stdout(std::process::Stdio::null());
        command
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let status = self
            .command(tool, args)
            .status()
            .expect("a PostgreSQL program runs");
        assert!(status.success(), "{tool} {args:?} failed");
    }

    /// `pg_ctl start`, `restart -m immediate` (a crash: no checkpoint, every
    /// connection cut) or `stop -m immediate`.
    fn pg_ctl(&self, action: &str) {
        let data = self.dir.join("data");
        let log = self.dir.join("server.log");
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let mut args = vec![
            "-D",
            data.to_str().expect("path"),
            "-l",
            log.to_str().expect("path"),
            "-w",
            "-t",
            "60",
            "-o",
            &options,
        ];
        args.extend(action.split(' '));
        self.run("pg_ctl", &args);
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let stop = |args: &[&str]| {
            let _ = self.command("pg_ctl", args).status();
        };
        stop(&[
            "-D",
            data.to_str().unwrap_or_default(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The servers, by index; `None` once killed.
type Servers = Arc<Mutex<Vec<Option<String>>>>;

fn alive(servers: &Servers) -> Vec<String> {
    servers
        .lock()
        .expect("servers")
        .iter()
        .flatten()
        .cloned()
        .collect()
}

/// Posts one event with its own key until a server acknowledges it (a
/// server that is down, or a database that is, is retried elsewhere).
async fn post_until_acknowledged(
    client: &reqwest::Client,
    servers: &Servers,
    token: &str,
    key: &str,
    body: &Value,
    retried: &std::sync::atomic::AtomicUsize,
) -> u64 {
    let started = Instant::now();
    let mut attempt = 0usize;
    loop {
        assert!(
            started.elapsed() < PATIENCE * 6,
            "never acknowledged: {key}"
        );
        let urls = alive(servers);
        let url = &urls[attempt % urls.len()];
        if attempt > 0 {
            retried.fetch_add(1, Ordering::SeqCst);
        }
        attempt += 1;
        let reply = client
            .post(format!("{url}/api/v1/events"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .timeout(Duration::from_secs(15))
            .send()
            .await;
        if let Ok(reply) = reply {
            let status = reply.status().as_u16();
            if status == 201 || status == 200 {
                let answer: Value = reply.json().await.expect("json");
                return answer["seq"][0].as_u64().expect("seq");
            }
            assert_eq!(status, 503, "only 'try again' is expected");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads the stream from `first` (its index), moving on to the next live
/// server by `Last-Event-ID` whenever one ends; returns every message by
/// seq once `done` is set and the head is reached.
async fn read_everything(
    servers: Servers,
    first: usize,
    token: String,
    head: Arc<std::sync::atomic::AtomicU64>,
    done: Arc<AtomicBool>,
) -> Vec<(u64, String)> {
    let mut received: Vec<(u64, String)> = Vec::new();
    let mut at = first;
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < PATIENCE * 12,
            "the reader never finished"
        );
        let url = servers.lock().expect("servers")[at % 3].clone();
        let Some(url) = url else {
            at += 1;
            continue;
        };
        let last = received.last().map_or(0, |(seq, _)| *seq);
        let Some(mut stream) = EventStream::try_open(
            &format!("{url}/api/v1/stream?after=0"),
            Who::Bearer(token.clone()),
            &[("last-event-id", &last.to_string())],
        )
        .await
        else {
            // Killed just now: on to the next one.
            at += 1;
            continue;
        };
        loop {
            if done.load(Ordering::SeqCst) && last_seq(&received) >= head.load(Ordering::SeqCst) {
                return received;
            }
            match stream.next_within(Duration::from_millis(500)).await {
                Ok(Some(message)) => {
                    if message.event.as_deref() == Some("reset") {
                        panic!("a reset: {message:?}");
                    }
                    received.push((message.seq(), message.data));
                }
                // Ended (the server was killed): on to the next one.
                Ok(None) => break,
                Err(()) => {}
            }
        }
        at += 1;
    }
}

fn last_seq(received: &[(u64, String)]) -> u64 {
    received.last().map_or(0, |(seq, _)| *seq)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cluster_loses_and_repeats_nothing_through_a_killed_server_and_a_crashed_database() {
    let Some(database_server) = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .expect("started")
    else {
        return;
    };
    let url = database_server.url();
    let database = Database::Postgres(url.clone());
    let token = create_token(&database, Role::Control, "poster")
        .expect("token")
        .1;
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().expect("dir")).collect();
    let mut processes: Vec<Option<Process>> = dirs
        .iter()
        .map(|dir| {
            Some(Process::start_with(
                dir.path(),
                &["--database-url", url.as_str()],
            ))
        })
        .collect();
    let servers: Servers = Arc::new(Mutex::new(
        processes
            .iter()
            .map(|process| process.as_ref().map(|process| process.url.clone()))
            .collect(),
    ));
    let client = reqwest::Client::new();
    let setup = alive(&servers)[0].clone();
    let opened = client
        .post(format!("{setup}/api/v1/events"))
        .bearer_auth(&token)
        .json(&exercise())
        .send()
        .await
        .expect("setup");
    assert_eq!(opened.status(), 201);
    let opened: Value = opened.json().await.expect("json");
    let setup_events = opened["seq"].as_array().expect("seqs").len();

    let head = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|first| {
            tokio::spawn(read_everything(
                servers.clone(),
                first,
                token.clone(),
                head.clone(),
                done.clone(),
            ))
        })
        .collect();

    const POSTERS: usize = 4;
    let posted = Arc::new(Mutex::new(BTreeMap::new()));
    let progress = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let retried = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let posters: Vec<_> = (0..POSTERS)
        .map(|poster| {
            let (client, servers, token, posted, progress, retried, stop) = (
                client.clone(),
                servers.clone(),
                token.clone(),
                posted.clone(),
                progress.clone(),
                retried.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let key = format!("poster-{poster}-{n}");
                    let status = ["degraded", "online"][n % 2];
                    let code = ["EST", "FIN", "UKR"][poster % 3];
                    let body = json!({"type": "nation_status", "code": code, "status": status});
                    let seq =
                        post_until_acknowledged(&client, &servers, &token, &key, &body, &retried)
                            .await;
                    posted.lock().expect("posted").insert(key, seq);
                    progress.fetch_add(1, Ordering::SeqCst);
                    n += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
        })
        .collect();

    let wait_for = |count: usize| {
        let progress = progress.clone();
        async move {
            tokio::time::timeout(PATIENCE * 3, async {
                while progress.load(Ordering::SeqCst) < count {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await
            .expect("the posters go on");
        }
    };
    wait_for(30).await;
    // SIGKILL one server: its readers move on, its posters retry elsewhere.
    servers.lock().expect("servers")[0] = None;
    processes[0].take().expect("running").kill();
    wait_for(60).await;
    // PostgreSQL crashes and comes back while the posters keep posting.
    let crash = tokio::task::spawn_blocking(move || {
        database_server.pg_ctl("restart -m immediate");
        database_server
    });
    let database_server = crash.await.expect("restarted");
    let after_crash = progress.load(Ordering::SeqCst);
    wait_for(after_crash + 30).await;
    stop.store(true, Ordering::SeqCst);
    for poster in posters {
        poster.await.expect("poster");
    }
    let acknowledged = progress.load(Ordering::SeqCst);
    eprintln!(
        "cluster: {acknowledged} posts acknowledged, {} attempts retried",
        retried.load(Ordering::SeqCst)
    );
    assert!(
        retried.load(Ordering::SeqCst) > 0,
        "the killed server and the crash were felt by the posters"
    );

    let posted = posted.lock().expect("posted").clone();
    let mut seqs: Vec<u64> = posted.values().copied().collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        acknowledged,
        "every acknowledged post has its own seq"
    );
    let last = *seqs.last().expect("seqs");
    head.store(last, Ordering::SeqCst);
    done.store(true, Ordering::SeqCst);

    // The log: gapless from 1, and every acknowledged post in it once.
    let live = alive(&servers)[0].clone();
    let page: Value = client
        .get(format!("{live}/api/v1/events?limit=1000"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("events")
        .json()
        .await
        .expect("json");
    let log: Vec<(u64, String)> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| (event["seq"].as_u64().expect("seq"), event.to_string()))
        .collect();
    assert_eq!(
        log.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        (1..=last).collect::<Vec<_>>(),
        "one gapless sequence"
    );
    assert_eq!(
        log.len() - setup_events,
        acknowledged,
        "nothing appended twice (the exercise's events and the posts)"
    );
    let in_db: i64 = tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        let count = client
            .query_one("SELECT count(*) FROM events", &[])
            .expect("count")
            .get(0);
        drop(database_server);
        count
    })
    .await
    .expect("counted");
    assert_eq!(in_db as u64, last, "the database holds exactly that log");
    for reader in readers {
        let received = tokio::time::timeout(PATIENCE * 3, reader)
            .await
            .expect("the reader finishes")
            .expect("reader");
        let received: Vec<(u64, Value)> = received
            .into_iter()
            .map(|(seq, data)| (seq, serde_json::from_str(&data).expect("json")))
            .collect();
        let expected: Vec<(u64, Value)> = log
            .iter()
            .map(|(seq, json)| (*seq, serde_json::from_str(json).expect("json")))
            .collect();
        assert_eq!(
            received, expected,
            "a reader saw the log, once and in order"
        );
    }
    drop(processes);
}
