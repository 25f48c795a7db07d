//! [`serve()`]: runs the server on a listener the caller bound, until the
//! caller's shutdown future resolves — so tests and the e2e harness bind
//! `127.0.0.1:0` and stop it at will.
//!
//! The accept loop is the server's own (HTTP/1.1 through hyper), because
//! `axum::serve` has no timeouts and no caps:
//!
//! - **Connection caps.** Past `max_connections` open connections, or
//!   `max_connections_per_ip` from one address, a new connection is answered
//!   with a minimal `503` (`Retry-After`, the error body) and closed.
//! - **Timeouts**, kept by a watchdog beside each connection that watches
//!   its socket: the request head must arrive within `header_timeout` of its
//!   first byte (or of the connection's start); a connection with no request
//!   under way is closed after `idle_timeout` without a byte; a request body
//!   must arrive within `body_timeout` of the head (`408`); and a write that
//!   makes no progress for `stalled_stream_timeout` (a client that does not
//!   read its stream) closes the connection.
//! - **Bounded memory per connection.** Streams are pulled: hyper asks the
//!   stream for its next event only when its write buffer (at most
//!   [`MAX_BUF`]) has room, so a client that does not read holds at most that
//!   much, plus the kernel's socket buffers and the stream's own read-ahead
//!   (at most one chunk of the log), until the stalled timeout.
//!
//! - **TLS** (`Config::tls`): the handshake runs over the watched socket
//!   under the same watchdog (the header timeout, from the connection's
//!   start, bounds the handshake and the first request's head together);
//!   requests carry `security::Https`, and refused connections get their
//!   `503` after a handshake within the refusal's linger.
//!
//! Not hyper's `header_read_timeout` (it runs from when a connection starts
//! waiting for a head, so it would also cut every idle kept-alive connection
//! at the header timeout), nor tower-http's `RequestBodyTimeoutLayer` (it
//! limits the pause between chunks, so a body sent a byte at a time would
//! never time out): the watchdog and `DeadlineBody` keep total deadlines.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::Router;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::time::{Instant, Sleep};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::capacity::{Refusal, Slot, Timeouts, RETRY_AFTER};
use crate::config::Config;
use crate::error::ErrorBody;
use crate::operator::OperatorError;
use crate::router::app;
use crate::security::Https;
use crate::state::AppState;
use crate::tls::TlsConfig;

/// The most a connection buffers for writing (and for reading a request
/// head) before it waits for the socket.
pub const MAX_BUF: usize = 64 * 1024;

/// Refused connections being answered at once; past this they are closed
/// without an answer, so refusing costs nothing under a flood.
const MAX_REFUSING: usize = 1024;

/// How long a refused connection may take to get its `503`.
const REFUSAL_LINGER: Duration = Duration::from_secs(2);

/// Serves until `shutdown` resolves, then ends open streams, finishes queued
/// appends and returns.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), OperatorError> {
    serve_with_ready(listener, config, shutdown, |_| {}).await
}

/// [`serve()`], calling `ready` with the bound address once the log is loaded
/// and the scenario caught up, just before the first request is accepted.
pub async fn serve_with_ready(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), OperatorError> {
    let address = listener.local_addr().map_err(|source| OperatorError::Io {
        action: "read the listening socket's address".into(),
        source,
    })?;
    raise_open_file_limit(config.max_connections);
    let tls = config.tls.as_ref().map(TlsConfig::acceptor);
    let state = AppState::start(config).await?;
    ready(address);
    // A fatal fault (the writer died, the log cannot be written) ends serving
    // as a shutdown would, and the caller learns it: `main` exits non-zero so
    // a supervisor restarts the server.
    let health = state.health().clone();
    let stop = async move {
        tokio::select! {
            () = shutdown => {}
            _ = health.failed() => {}
        }
    };
    serve_listener(listener, state.clone(), tls, stop).await;
    state.shutdown().await;
    match state.health().fatal() {
        Some(reason) => Err(OperatorError::Fatal(reason)),
        None => Ok(()),
    }
}

/// Serves a started server's [`app`] on `listener` with its caps and
/// timeouts until `shutdown` resolves; then stops accepting, ends open
/// streams and waits for every connection to finish. (`serve` starts the
/// state and calls this; tests call it on a state they hold.)
pub async fn serve_app(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    serve_listener(listener, state, None, shutdown).await;
}

/// [`serve_app`], over TLS when `tls` is given (every connection's
/// handshake goes through it).
async fn serve_listener(
    listener: TcpListener,
    state: AppState,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let router = app(state.clone());
    let timeouts = state.timeouts();
    let (stop, stopping) = watch::channel(false);
    let refusing = Arc::new(AtomicUsize::new(0));
    let mut refusals = Throttle::default();
    let mut accept_errors = Throttle::default();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (socket, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                // Out of file descriptors, typically: wait, rather than spin.
                if accept_errors.allows() {
                    tracing::error!(%error, "accepting a connection failed");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        match state.capacity().open_connection(remote.ip()) {
            Ok(slot) => {
                tokio::spawn(serve_connection(
                    socket,
                    remote,
                    slot,
                    router.clone(),
                    tls.clone(),
                    timeouts,
                    stopping.clone(),
                ));
            }
            Err(refusal) => {
                if refusals.allows() {
                    tracing::warn!(
                        client = %remote.ip(),
                        "refusing connections: {}",
                        refusal.problem().message
                    );
                }
                refuse(socket, tls.clone(), timeouts, &refusal, &refusing);
            }
        }
    }
    tracing::info!("shutting down");
    drop(listener);
    // Streams never end by themselves; the connections wait for them.
    state.hub().close();
    let _ = stop.send(true);
    drop(stopping);
    stop.closed().await;
}

/// Raises the soft open-file limit to the hard one (each connection is a
/// file descriptor), and warns when `--max-connections` is above it.
fn raise_open_file_limit(max_connections: usize) {
    #[cfg(unix)]
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            tracing::info!(limit, "open-file limit");
            // The database, the listener and the log take a few more.
            if (max_connections as u64).saturating_add(64) > limit {
                tracing::warn!(
                    limit,
                    max_connections,
                    "--max-connections is above the open-file limit: raise the hard limit \
                     (ulimit -Hn, LimitNOFILE=) or lower --max-connections"
                );
            }
        }
        Err(error) => tracing::warn!(%error, "could not raise the open-file limit"),
    }
    #[cfg(not(unix))]
    let _ = max_connections;
}

/// Errors of one connection that say nothing about the listener.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// At most one log line per ten seconds for a repeated condition.
#[derive(Default)]
struct Throttle(Option<Instant>);

impl Throttle {
    fn allows(&mut self) -> bool {
        let now = Instant::now();
        if self
            .0
            .is_some_and(|last| now.duration_since(last) < Duration::from_secs(10))
        {
            return false;
        }
        self.0 = Some(now);
        true
    }
}

/// Answers a connection over its cap with a `503` and closes it (over TLS,
/// after the handshake, within the same linger).
fn refuse(
    socket: TcpStream,
    tls: Option<TlsAcceptor>,
    timeouts: Timeouts,
    refusal: &Refusal,
    refusing: &Arc<AtomicUsize>,
) {
    if refusing.fetch_add(1, Ordering::Relaxed) >= MAX_REFUSING {
        refusing.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    let answer = refusal_answer(refusal, tls.is_some());
    let refusing = refusing.clone();
    tokio::spawn(async move {
        let linger = match &tls {
            Some(_) => REFUSAL_LINGER.min(timeouts.header),
            None => REFUSAL_LINGER,
        };
        let _ = tokio::time::timeout(linger, async {
            match tls {
                Some(tls) => answer_refusal(tls.accept(socket).await?, &answer).await,
                None => answer_refusal(socket, &answer).await,
            }
        })
        .await;
        refusing.fetch_sub(1, Ordering::Relaxed);
    });
}

/// Writes a refused connection's answer, then drains what the client sent.
async fn answer_refusal<S>(mut socket: S, answer: &[u8]) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    socket.write_all(answer).await?;
    socket.shutdown().await?;
    // Read what the client sent before closing, so that the close does not
    // reset the connection before the client reads the answer.
    let mut sink = [0u8; 1024];
    let mut drained = 0;
    while drained < MAX_BUF {
        match socket.read(&mut sink).await? {
            0 => break,
            read => drained += read,
        }
    }
    Ok(())
}

/// The whole HTTP/1.1 answer to a refused connection (with HSTS over TLS).
fn refusal_answer(refusal: &Refusal, https: bool) -> Vec<u8> {
    let body = serde_json::to_string(&ErrorBody {
        error: refusal.problem(),
    })
    .expect("an error body serialises");
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: {}\r\ncache-control: no-store\r\nconnection: close\r\n{}\
         content-length: {}\r\n\r\n{body}",
        RETRY_AFTER.as_secs(),
        if https {
            format!("strict-transport-security: {}\r\n", crate::tls::HSTS)
        } else {
            String::new()
        },
        body.len()
    )
    .into_bytes()
}

/// Serves one connection until it ends, a timeout closes it, or the server
/// stops (then it finishes the request under way and closes).
#[allow(clippy::too_many_arguments)]
async fn serve_connection(
    socket: TcpStream,
    remote: SocketAddr,
    slot: Slot,
    router: Router,
    tls: Option<TlsAcceptor>,
    timeouts: Timeouts,
    mut stopping: watch::Receiver<bool>,
) {
    let _slot = slot;
    // Events are small and must leave at once.
    let _ = socket.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let watched = Watched {
        inner: socket,
        activity: activity.clone(),
    };
    let Some(tls) = tls else {
        serve_http(watched, activity, remote, router, false, timeouts, stopping).await;
        return;
    };
    // The handshake runs over `watched`, so the watchdog sees the socket
    // itself: it must end within the header timeout of the connection's
    // start (the first request's head too: the head's deadline runs from
    // the connection's start), and a client that stops reading is cut as
    // a stalled one.
    let handshake = tls.accept(watched);
    tokio::pin!(handshake);
    let stream = tokio::select! {
        stream = &mut handshake => match stream {
            Ok(stream) => stream,
            Err(error) => {
                tracing::debug!(client = %remote, %error, "TLS handshake failed");
                return;
            }
        },
        expiry = watchdog(&activity, timeouts) => {
            tracing::debug!(client = %remote, "closing the connection during the TLS handshake: {expiry}");
            return;
        }
        _ = stopping.wait_for(|stop| *stop) => return,
    };
    serve_http(stream, activity, remote, router, true, timeouts, stopping).await;
}

/// Serves HTTP/1.1 on one connection's `io` (whose socket reports to
/// `activity`) under the watchdog, until it ends; `https`: `io` is a TLS
/// stream, and every request says so ([`Https`]).
async fn serve_http<I>(
    io: I,
    activity: Arc<Activity>,
    remote: SocketAddr,
    router: Router,
    https: bool,
    timeouts: Timeouts,
    mut stopping: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let in_flight = requests.begin_request();
        let router = router.clone();
        let mut request = request.map(|body| Body::new(DeadlineBody::new(body, timeouts.body)));
        request.extensions_mut().insert(ConnectInfo(remote));
        if https {
            request.extensions_mut().insert(Https);
        }
        async move {
            let response = router
                .oneshot(request)
                .await
                .unwrap_or_else(|never| match never {});
            Ok::<_, Infallible>(response.map(|body| Tracked {
                body,
                _in_flight: in_flight,
            }))
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.keep_alive(true).max_buf_size(MAX_BUF);
    let connection = http.serve_connection(io, service);
    tokio::pin!(connection);
    let mut stop = *stopping.borrow();
    if stop {
        connection.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(client = %remote, %error, "connection ended");
                }
                return;
            }
            expiry = watchdog(&activity, timeouts) => {
                tracing::debug!(client = %remote, "closing the connection: {expiry}");
                return;
            }
            _ = stopping.changed(), if !stop => {
                stop = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Resolves when one of the connection's timeouts has passed. It sleeps
/// until the earliest one that applies, or until the connection says a new
/// one applies (so a stream being read costs no wake-ups at all).
async fn watchdog(activity: &Activity, timeouts: Timeouts) -> Expiry {
    loop {
        match activity.due(&timeouts) {
            Some((at, expiry)) if at <= Instant::now() => return expiry,
            Some((at, _)) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = activity.changed.notified() => {}
                }
            }
            None => activity.changed.notified().await,
        }
    }
}

/// Which timeout closed a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expiry {
    Header,
    Idle,
    Stalled,
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expiry::Header => "the request head did not arrive in time",
            Expiry::Idle => "idle",
            Expiry::Stalled => "the client stopped reading",
        })
    }
}

/// What a connection's socket and requests have done, for its watchdog.
struct Activity {
    seen: Mutex<Seen>,
    /// Told when a timeout starts to apply (the watchdog may sleep past it).
    changed: Notify,
}

struct Seen {
    /// The last byte read or written.
    last: Instant,
    /// Requests whose answer is not yet all handed to the socket.
    in_flight: usize,
    /// With no request under way: when the next request's head began (its
    /// first byte, or the connection's start).
    head_since: Option<Instant>,
    /// Since when a write has been waiting for the socket.
    blocked_since: Option<Instant>,
}

impl Activity {
    fn new() -> Activity {
        let now = Instant::now();
        Activity {
            seen: Mutex::new(Seen {
                last: now,
                in_flight: 0,
                head_since: Some(now),
                blocked_since: None,
            }),
            changed: Notify::new(),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn read(&self) {
        let now = Instant::now();
        let mut seen = self.seen();
        seen.last = now;
        if seen.in_flight == 0 && seen.head_since.is_none() {
            seen.head_since = Some(now);
            drop(seen);
            self.changed.notify_one();
        }
    }

    fn wrote(&self) {
        let mut seen = self.seen();
        seen.last = Instant::now();
        seen.blocked_since = None;
    }

    fn write_waits(&self) {
        let mut seen = self.seen();
        if seen.blocked_since.is_none() {
            seen.blocked_since = Some(Instant::now());
            drop(seen);
            self.changed.notify_one();
        }
    }

    fn begin_request(self: &Arc<Self>) -> InFlight {
        let mut seen = self.seen();
        seen.in_flight += 1;
        seen.head_since = None;
        seen.last = Instant::now();
        InFlight(self.clone())
    }

    /// The earliest timeout that applies now, and when it falls.
    fn due(&self, timeouts: &Timeouts) -> Option<(Instant, Expiry)> {
        let seen = self.seen();
        let mut due: Option<(Instant, Expiry)> = None;
        let mut consider = |at: Instant, expiry| {
            if due.is_none_or(|(earliest, _)| at < earliest) {
                due = Some((at, expiry));
            }
        };
        if let Some(since) = seen.blocked_since {
            consider(since + timeouts.stalled, Expiry::Stalled);
        }
        if seen.in_flight == 0 {
            match seen.head_since {
                Some(since) => consider(since + timeouts.header, Expiry::Header),
                None => consider(seen.last + timeouts.idle, Expiry::Idle),
            }
        }
        due
    }
}

/// One request under way on a connection, until its answer's body is done.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut seen = self.0.seen();
        seen.in_flight = seen.in_flight.saturating_sub(1);
        seen.last = Instant::now();
        let idle = seen.in_flight == 0;
        drop(seen);
        if idle {
            self.0.changed.notify_one();
        }
    }
}

/// A socket that tells its connection's [`Activity`] what it does.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl Watched {
    fn written(&self, poll: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match &poll {
            Poll::Ready(Ok(written)) if *written > 0 => self.activity.wrote(),
            Poll::Pending => self.activity.write_waits(),
            Poll::Ready(_) => {}
        }
        poll
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, data);
        self.written(poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.written(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        if poll.is_pending() {
            self.activity.write_waits();
        }
        poll
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// An answer's body, marking its request done when hyper drops it.
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The request body did not arrive within the body timeout.
#[derive(Debug)]
pub(crate) struct BodyTimeout(pub Duration);

impl fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the request body did not arrive within {} s of its head",
            self.0.as_secs_f64()
        )
    }
}

impl StdError for BodyTimeout {}

/// A request body that fails once `timeout` has passed since its request's
/// head: a total deadline, not a pause between chunks, so a body sent a
/// byte at a time cannot hold a connection for long.
struct DeadlineBody {
    inner: Incoming,
    timeout: Duration,
    deadline: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
    expired: bool,
}

impl DeadlineBody {
    fn new(inner: Incoming, timeout: Duration) -> DeadlineBody {
        DeadlineBody {
            inner,
            timeout,
            deadline: Instant::now() + timeout,
            sleep: None,
            expired: false,
        }
    }
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn StdError + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                this.expired = true;
                Poll::Ready(Some(Err(Box::new(BodyTimeout(this.timeout)))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.expired || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
