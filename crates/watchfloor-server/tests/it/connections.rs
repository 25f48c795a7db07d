//! Slow and greedy clients over real sockets: the caps on open connections
//! and streams (overall and per client address, `503` with `Retry-After`),
//! the header, idle and body timeouts, and a stream whose client does not
//! read. Clients connect from several loopback addresses (127.0.0.x) to tell
//! the per-address caps from the overall ones.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::{eventually, exercise, EventStream, TestServer, PATIENCE};

/// A connection from `source` (a loopback address) to the server.
async fn connect_from(source: [u8; 4], server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((source, 0)))
        .expect("bind a loopback source address");
    socket.connect(server).await.expect("connect")
}

async fn address_of(server: &mut TestServer) -> SocketAddr {
    let url = server.listen().await;
    url.trim_start_matches("http://").parse().expect("address")
}

/// An answer read off a raw socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| {
            panic!("not JSON ({error}): {}", self.body);
        })
    }
}

/// Reads an answer's head and, unless it is a stream, its body (by its length).
async fn read_answer(stream: &mut TcpStream) -> Answer {
    tokio::time::timeout(PATIENCE, async {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        let end = loop {
            if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                break end;
            }
            let read = stream.read(&mut chunk).await.expect("read the answer");
            assert!(read > 0, "the connection closed before an answer");
            buffer.extend_from_slice(&chunk[..read]);
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("a status line");
        let mut answer = Answer {
            status,
            head,
            body: String::new(),
        };
        let mut body = buffer[end + 4..].to_vec();
        if let Some(length) = answer.header("content-length") {
            let length: usize = length.parse().expect("a length");
            while body.len() < length {
                let read = stream.read(&mut chunk).await.expect("read the body");
                assert!(read > 0, "the connection closed inside the body");
                body.extend_from_slice(&chunk[..read]);
            }
        }
        answer.body = String::from_utf8_lossy(&body).into_owned();
        answer
    })
    .await
    .expect("an answer within the patience")
}

async fn send(stream: &mut TcpStream, request: &str) {
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
}

/// A plain request on a kept-alive connection.
async fn get(stream: &mut TcpStream, path: &str) -> Answer {
    send(
        stream,
        &format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n"),
    )
    .await;
    read_answer(stream).await
}

/// Opens an event stream on `stream` and reads the answer's head.
async fn open_stream(stream: &mut TcpStream) -> Answer {
    send(
        stream,
        "GET /api/v1/stream HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n",
    )
    .await;
    read_answer(stream).await
}

/// True once the server has closed the connection: reads (and drops) what
/// is left until the end, within the patience and a byte budget.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    tokio::time::timeout(PATIENCE, async {
        let mut chunk = vec![0u8; 64 * 1024];
        let mut drained = 0usize;
        while drained < 256 * 1024 * 1024 {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return true,
                Ok(read) => drained += read,
            }
        }
        false
    })
    .await
    .unwrap_or(false)
}

/// Checks a refusal: `503`, `Retry-After`, the error body with `code`, and
/// whose cap it was.
#[track_caller]
fn check_refused(answer: &Answer, code: &str, per_address: bool) {
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(
        answer.header("retry-after").as_deref(),
        Some("5"),
        "{answer:?}"
    );
    let error = &answer.json()["error"];
    assert_eq!(error["code"], code, "{answer:?}");
    let message = error["message"].as_str().expect("a message");
    let whose = if per_address {
        "from your address"
    } else {
        "in all"
    };
    assert!(message.contains(whose), "{message}");
}

#[tokio::test]
async fn connections_over_the_caps_are_answered_503_and_closed_and_room_comes_back() {
    let mut server = TestServer::with(|config| {
        config.max_connections_per_ip = 100;
        config.max_connections = 150;
    })
    .await;
    let address = address_of(&mut server).await;
    let mut open = Vec::new();
    // 120 from one address: 100 are served, 20 refused by the per-address cap.
    for attempt in 0..120 {
        let mut connection = connect_from([127, 0, 0, 1], address).await;
        let answer = get(&mut connection, "/api/v1/nations").await;
        if attempt < 100 {
            assert_eq!(answer.status, 200, "connection {attempt}: {answer:?}");
            open.push(connection);
        } else {
            check_refused(&answer, "too_many_connections", true);
            assert!(closed_by_server(&mut connection).await, "a refusal closes");
        }
    }
    // 80 from a second: 50 fill the server, 30 are refused by the overall cap.
    for attempt in 0..80 {
        let mut connection = connect_from([127, 0, 0, 2], address).await;
        let answer = get(&mut connection, "/api/v1/nations").await;
        if attempt < 50 {
            assert_eq!(answer.status, 200, "connection {attempt}: {answer:?}");
            open.push(connection);
        } else {
            check_refused(&answer, "too_many_connections", false);
            assert!(closed_by_server(&mut connection).await, "a refusal closes");
        }
    }
    assert_eq!(server.state.open_connections(), 150);
    // The kept-alive connections still answer.
    let answer = get(&mut open[0], "/api/v1/nations").await;
    assert_eq!(answer.status, 200);
    // Closing 30 makes room for 30 more, from anywhere.
    open.drain(..30);
    eventually("closed connections are given back", || async {
        server.state.open_connections() == 120
    })
    .await;
    for attempt in 0..31 {
        let mut connection = connect_from([127, 0, 0, 3], address).await;
        let answer = get(&mut connection, "/api/v1/nations").await;
        if attempt < 30 {
            assert_eq!(answer.status, 200, "connection {attempt}: {answer:?}");
            open.push(connection);
        } else {
            check_refused(&answer, "too_many_connections", false);
        }
    }
    drop(open);
    eventually("every connection is given back", || async {
        server.state.open_connections() == 0
    })
    .await;
}

#[tokio::test]
async fn a_client_sending_its_head_a_byte_at_a_time_is_cut_off_by_the_header_timeout() {
    let mut server = TestServer::with(|config| {
        config.header_timeout = Duration::from_secs(1);
        config.idle_timeout = Duration::from_secs(60);
    })
    .await;
    let address = address_of(&mut server).await;
    // A kept-alive connection may sit idle longer than the header timeout:
    // the header clock starts at the next request's first byte.
    let mut patient = connect_from([127, 0, 0, 1], address).await;
    assert_eq!(get(&mut patient, "/api/v1/nations").await.status, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(get(&mut patient, "/api/v1/nations").await.status, 200);
    drop(patient);

    let slow = connect_from([127, 0, 0, 1], address).await;
    let (mut reader, mut writer) = slow.into_split();
    let head = b"GET /api/v1/nations HTTP/1.1\r\nHost: test\r\nX-Slow: abcdefghijklmnopqrstuvwxyz0123456789\r\n\r\n";
    let dripping = tokio::spawn(async move {
        // A byte every 200 ms: the whole head would take 17 s.
        for (sent, byte) in head.iter().enumerate() {
            if writer.write_all(&[*byte]).await.is_err() {
                return sent;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        head.len()
    });
    let closed = tokio::time::timeout(PATIENCE, async {
        let mut chunk = [0u8; 1024];
        let mut answer = Vec::new();
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => return answer,
                Ok(read) => answer.extend_from_slice(&chunk[..read]),
            }
        }
    })
    .await
    .expect("the server closes the slow connection");
    assert!(
        !String::from_utf8_lossy(&closed).contains("200 OK"),
        "the slow request was never served"
    );
    dripping.abort();
    let _ = dripping.await;
    eventually("the slow connection is given back", || async {
        server.state.open_connections() == 0
    })
    .await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let mut server = TestServer::with(|config| {
        config.idle_timeout = Duration::from_secs(1);
    })
    .await;
    let address = address_of(&mut server).await;
    let mut idle = connect_from([127, 0, 0, 1], address).await;
    assert_eq!(get(&mut idle, "/api/v1/nations").await.status, 200);
    assert_eq!(server.state.open_connections(), 1);
    assert!(closed_by_server(&mut idle).await, "the server closes it");
    eventually("the idle connection is given back", || async {
        server.state.open_connections() == 0
    })
    .await;
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_a_408_and_changes_nothing() {
    let mut server = TestServer::with(|config| {
        config.body_timeout = Duration::from_secs(1);
    })
    .await;
    server.append(exercise()).await;
    let before = server.seq().await;
    let address = address_of(&mut server).await;
    let mut slow = connect_from([127, 0, 0, 1], address).await;
    let body = json!({"type": "phase_changed", "phase": "paused"}).to_string();
    send(
        &mut slow,
        &format!(
            "POST /api/v1/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
            server.control,
            body.len(),
            &body[..10]
        ),
    )
    .await;
    let answer = read_answer(&mut slow).await;
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "body_timeout", "{answer:?}");
    // The rest of the body comes too late: the connection is closed.
    let _ = slow.write_all(&body.as_bytes()[10..]).await;
    assert!(closed_by_server(&mut slow).await);
    assert_eq!(server.seq().await, before, "nothing was appended");
}

#[tokio::test]
async fn streams_over_the_caps_are_answered_503_and_room_comes_back() {
    let mut server = TestServer::with(|config| {
        config.max_streams_per_ip = 100;
        config.max_streams = 150;
    })
    .await;
    let address = address_of(&mut server).await;
    let mut streams = Vec::new();
    for attempt in 0..101 {
        let mut connection = connect_from([127, 0, 0, 1], address).await;
        let answer = open_stream(&mut connection).await;
        if attempt < 100 {
            assert_eq!(answer.status, 200, "stream {attempt}: {answer:?}");
            streams.push(connection);
        } else {
            check_refused(&answer, "too_many_streams", true);
            // The connection itself stays usable.
            assert_eq!(get(&mut connection, "/api/v1/nations").await.status, 200);
        }
    }
    for attempt in 0..51 {
        let mut connection = connect_from([127, 0, 0, 2], address).await;
        let answer = open_stream(&mut connection).await;
        if attempt < 50 {
            assert_eq!(answer.status, 200, "stream {attempt}: {answer:?}");
            streams.push(connection);
        } else {
            check_refused(&answer, "too_many_streams", false);
        }
    }
    assert_eq!(server.state.open_streams(), 150);
    // The streams are live.
    server.append(exercise()).await;
    let mut chunk = [0u8; 1024];
    let read = tokio::time::timeout(PATIENCE, streams[149].read(&mut chunk))
        .await
        .expect("an event")
        .expect("read");
    assert!(String::from_utf8_lossy(&chunk[..read]).contains("event: exercise_updated"));
    // Closing ten gives their room back.
    streams.drain(..10);
    eventually("closed streams are given back", || async {
        server.state.open_streams() == 140
    })
    .await;
    let mut connection = connect_from([127, 0, 0, 1], address).await;
    assert_eq!(open_stream(&mut connection).await.status, 200);
    drop(connection);
    drop(streams);
    eventually("every stream is given back", || async {
        server.state.open_streams() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_client_does_not_read_is_closed_and_readers_go_on() {
    let mut server = TestServer::with(|config| {
        config.stalled_stream_timeout = Duration::from_secs(2);
    })
    .await;
    server.append(exercise()).await;
    let address = address_of(&mut server).await;
    let url = server.listen().await;
    // A reader that keeps up, in a task of its own.
    let mut reader =
        EventStream::open(&format!("{url}/api/v1/stream"), server.commander(), &[]).await;
    let (seen_tx, seen) = tokio::sync::watch::channel(0u64);
    let reading = tokio::spawn(async move {
        while let Ok(Some(message)) = reader.next_within(PATIENCE).await {
            let _ = seen_tx.send(message.seq());
        }
    });
    // A client that opens a stream and never reads it, with a small window.
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("small buffer");
    let mut stalled = socket.connect(address).await.expect("connect");
    send(
        &mut stalled,
        &format!(
            "GET /api/v1/stream HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\r\n",
            server.commander
        ),
    )
    .await;
    eventually("both streams are open", || async {
        server.state.open_streams() == 2
    })
    .await;
    // Events until the server gives up on the client that does not read:
    // its socket buffers fill, then its writes stop making progress.
    let title = "Sustained scanning of a coalition logistics portal ".repeat(2);
    let summary = "Defenders observe a steady stream of probes against the portal. ".repeat(24);
    let started = std::time::Instant::now();
    let mut batches = 0;
    let mut last = 0;
    while server.state.open_streams() == 2 {
        assert!(
            batches < 400 && started.elapsed() < PATIENCE * 2,
            "the stalled stream was never closed ({batches} batches)"
        );
        let events: Vec<Value> = (0..50)
            .map(|index| {
                json!({"type": "incident_opened", "id": format!("SCAN-{batches}-{index}"),
                       "title": title.trim(), "category": "ddos", "severity": "low",
                       "nations": ["EST"], "summary": summary.trim(), "visibility": "public"})
            })
            .collect();
        last = *server.append(json!(events)).await.last().expect("seqs");
        batches += 1;
        // Not faster than the test needs: the buffers fill in a few dozen batches.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The reader that kept up is still served, to the last event.
    let mut seen = seen;
    tokio::time::timeout(PATIENCE, seen.wait_for(|seq| *seq >= last))
        .await
        .expect("the reading client gets every event")
        .expect("the reader runs");
    assert_eq!(server.state.open_streams(), 1);
    // And the stalled one was really closed by the server: after what was
    // buffered, its socket ends.
    assert!(closed_by_server(&mut stalled).await, "the server closed it");
    reading.abort();
}

#[tokio::test]
async fn shutting_down_ends_streams_and_kept_alive_connections_and_returns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(watchfloor_server::serve(
        listener,
        watchfloor_server::Config::new(dir.path()),
        async move {
            let _ = stopped.await;
        },
    ));
    // The server is up once it answers.
    let mut kept_alive = tokio::time::timeout(PATIENCE, async {
        loop {
            if let Ok(stream) = TcpStream::connect(address).await {
                return stream;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the server starts");
    assert_eq!(get(&mut kept_alive, "/api/v1/nations").await.status, 200);
    let mut stream = connect_from([127, 0, 0, 1], address).await;
    assert_eq!(open_stream(&mut stream).await.status, 200);
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, serving)
        .await
        .expect("serve returns")
        .expect("the task")
        .expect("served without error");
    assert!(closed_by_server(&mut stream).await, "the stream ended");
    assert!(
        closed_by_server(&mut kept_alive).await,
        "the connection closed"
    );
}
