//! The single writer: the one place events are validated, numbered, made
//! durable and published, in that order.
//!
//! Posted events and the scenario player's both come here, through
//! [`Writer::append`]. One thread owns the write path. It takes every request
//! waiting in its channel, validates each against the state left by the ones
//! before it (a batch is all-or-nothing), writes all the accepted ones in one
//! transaction (group commit: one fsync for many requests, so concurrent
//! posting stays fast while every acknowledgement is durable), and only after
//! that commit returns does it publish to the hub (streams, snapshots) and
//! answer each request. A request refused by validation changes nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::{mpsc, oneshot};
use watchfloor_model::{Event, EventBody, State, ValidationError};

use crate::clock::Clock;
use crate::error::{Error, Problem, Result};
use crate::health::{Health, MAX_CLOCK_SKEW};
use crate::hub::{Hub, LogEntry};
use crate::metrics::Metrics;
use crate::store::{Commit, IdempotencyRecord, PlayerProgress, Store, StoredEvent};

/// Requests taken into one group commit at most.
const MAX_GROUP: usize = 1024;

/// Requests waiting for the writer at most; posters wait beyond that.
const QUEUE: usize = 4096;

/// One event to append.
#[derive(Clone, Debug)]
pub struct Pending {
    pub body: EventBody,
    /// When it took effect. `None` (posted events): now. The player sets its
    /// scheduled time. Either way the writer never lets `at` go backwards.
    pub at: Option<DateTime<Utc>>,
    /// The name of the token or session that posted it; `None` for the
    /// scenario player's own events.
    pub by: Option<String>,
    /// The script entry it plays, for the player's events and the control
    /// cell's fire-now and skip (the model refuses an entry played twice).
    pub entry: Option<u32>,
}

impl Pending {
    /// An event posted now by `by`.
    pub fn posted(body: EventBody, by: &str) -> Pending {
        Pending {
            body,
            at: None,
            by: Some(by.to_string()),
            entry: None,
        }
    }
}

/// An `Idempotency-Key` with the SHA-256 of the body it came with, the
/// token that sent it (keys are per token) and how long it is remembered.
#[derive(Clone, Debug)]
pub struct Idempotency {
    pub token_id: i64,
    pub key: String,
    pub body_sha256: String,
    /// A key first used longer ago than this is forgotten: the request is a
    /// new one, and the old record is deleted.
    pub window: chrono::Duration,
}

/// What an append did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    pub seqs: Vec<u64>,
    /// True when an `Idempotency-Key` was seen before and nothing was appended.
    pub replayed: bool,
}

/// One request: a batch (all-or-nothing), with what to record alongside it.
#[derive(Debug, Default)]
pub struct Request {
    pub events: Vec<Pending>,
    pub idempotency: Option<Idempotency>,
    /// The player's progress, written in the same transaction as the events.
    pub progress: Option<PlayerProgress>,
}

enum Message {
    Append(Request, oneshot::Sender<Result<Appended>>),
    /// Another server appended (the head it notified, if known): read the
    /// log from this server's head and publish what is new.
    Follow(Option<u64>),
    Stop,
}

/// The handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    sender: mpsc::Sender<Message>,
    thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer thread, continuing from the hub's live state; fails
    /// only if the operating system will not start a thread.
    pub fn start(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
        clock: Clock,
        health: Arc<Health>,
    ) -> std::io::Result<Writer> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let state = hub.live_state();
        let worker = Worker {
            head: state.seq,
            last_at: hub.last_at().unwrap_or(DateTime::<Utc>::MIN_UTC),
            state,
            spare: None,
            store,
            hub,
            metrics,
            clock,
            health: health.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("watchfloor-writer".into())
            .spawn(move || {
                // A writer that dies (a panic) or stops without being told
                // to leaves a server that can no longer write: say so, so it
                // shuts down and a supervisor restarts it.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    worker.run(receiver)
                })) {
                    Ok(Ended::Stopped) => {}
                    Ok(Ended::Failed(reason)) => health.fail(reason),
                    Err(panic) => {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|text| text.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "a panic".into());
                        health.fail(format!("the writer thread died: {what}"));
                    }
                }
            })?;
        Ok(Writer {
            sender,
            thread: Arc::new(Mutex::new(Some(thread))),
        })
    }

    /// Queues a request; the receiver answers once it is durable (or refused).
    /// Requests are processed in the order they are queued.
    pub async fn submit(&self, request: Request) -> Result<oneshot::Receiver<Result<Appended>>> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Message::Append(request, reply))
            .await
            .map_err(|_| shutting_down())?;
        Ok(answer)
    }

    /// Appends a request and waits until it is durable (or refused).
    pub async fn append(&self, request: Request) -> Result<Appended> {
        let answer = self.submit(request).await?;
        answer.await.map_err(|_| shutting_down())?
    }

    /// Wakes the writer to read what other servers appended (a store
    /// shared with them only). Never waits: with the queue full the writer
    /// is busy appending, and each append catches up under the lock anyway.
    pub fn follow(&self, head: Option<u64>) {
        let _ = self.sender.try_send(Message::Follow(head));
    }

    /// Finishes every request queued so far, then stops the thread.
    pub async fn stop(&self) {
        let _ = self.sender.send(Message::Stop).await;
        let thread = self.thread.lock().ok().and_then(|mut thread| thread.take());
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

/// The answer to a write the log could not take: nothing was appended.
fn cannot_write(reason: &str) -> Error {
    Error::Busy(Problem::new(
        "log_unwritable",
        format!("{reason}; nothing was appended, and the server is stopping to be restarted"),
    ))
}

fn shutting_down() -> Error {
    Error::Unavailable("the server is shutting down: try again in a moment".into())
}

struct Worker {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    /// The committed state, shared with the hub.
    state: Arc<State>,
    /// A private copy equal to `state`, so a group need not copy the whole
    /// state (9 ms at 10,000 incidents) before it applies its events: after
    /// each commit the previous state, once no reader holds it, is caught up
    /// by applying the group's events again. `None` when no copy is at hand.
    spare: Option<State>,
    /// The last seq in the log (the state's seq).
    head: u64,
    /// The `at` of the last event in the log.
    last_at: DateTime<Utc>,
    clock: Clock,
    health: Arc<Health>,
}

/// Why the writer's loop ended.
enum Ended {
    /// Told to stop, or every sender is gone.
    Stopped,
    /// A commit failed: the log can no longer be written.
    Failed(String),
}

/// The work of one group, before it is committed.
struct Group {
    /// A copy of the state with the group's accepted events applied; taken
    /// (the spare, or a fresh copy) on the first event, so a group of
    /// refusals and replays costs no copy.
    working: Option<State>,
    /// The worker's spare, lent to this group.
    spare: Option<State>,
    head: u64,
    last_at: DateTime<Utc>,
    commit: Commit,
    /// Keys first used in this group (not yet in the store), by token and key.
    keys: HashMap<(i64, String), IdempotencyRecord>,
}

impl Worker {
    fn run(mut self, mut receiver: mpsc::Receiver<Message>) -> Ended {
        while let Some(message) = receiver.blocking_recv() {
            let mut group = Vec::new();
            let mut stop = false;
            let mut follow = None;
            let mut next = Some(message);
            while let Some(message) = next.take() {
                match message {
                    Message::Append(request, reply) => group.push((request, reply)),
                    // The highest head notified; `None` (a poll) reads anyway.
                    Message::Follow(head) => follow = Some(follow.flatten().max(head)),
                    Message::Stop => stop = true,
                }
                if !stop && group.len() < MAX_GROUP {
                    next = receiver.try_recv().ok();
                }
            }
            // An append catches up under the lock; only a wake alone reads.
            if let (Some(head), true) = (follow, group.is_empty()) {
                if let Err(reason) = self.follow(head) {
                    return Ended::Failed(reason);
                }
            }
            if !group.is_empty() {
                if let Err(reason) = self.commit_group(group) {
                    // Answer what is queued, then stop: posters see 503s at
                    // once rather than wait on a writer that cannot write.
                    receiver.close();
                    while let Ok(message) = receiver.try_recv() {
                        if let Message::Append(_, reply) = message {
                            let _ = reply.send(Err(cannot_write(&reason)));
                        }
                    }
                    return Ended::Failed(reason);
                }
            }
            if stop {
                break;
            }
        }
        tracing::debug!("writer stopped");
        Ended::Stopped
    }

    /// Whether the clock is behind the log by more than the skew allowed:
    /// then nothing is written, instead of clamping `at` to a time the clock
    /// has not reached (one jump forward would otherwise hold every later
    /// event, and the embargo, at the jumped-to time).
    fn clock_behind(&self, now: DateTime<Utc>) -> Option<String> {
        let behind = self.last_at - now;
        if behind <= MAX_CLOCK_SKEW {
            self.health.set_clock_behind(None);
            return None;
        }
        // The reason is public (`/healthz`): no times, which would date the
        // last (perhaps restricted) event; the log has them.
        if !self
            .health
            .problem()
            .is_some_and(|reason| reason.starts_with("the server's clock"))
        {
            tracing::error!(now = %now, last_event_at = %self.last_at, "the clock is behind the event log");
        }
        let reason = format!(
            "the server's clock is behind the last event in the log by more than {} s; writes are refused until the clock is right again (check NTP)",
            MAX_CLOCK_SKEW.num_seconds()
        );
        self.health.set_clock_behind(Some(reason.clone()));
        Some(reason)
    }

    /// Commits one group; `Err` when the log could not be written (fatal).
    fn commit_group(
        &mut self,
        requests: Vec<(Request, oneshot::Sender<Result<Appended>>)>,
    ) -> std::result::Result<(), String> {
        let started = Instant::now();
        let now = self.clock.now().trunc_subsecs(3);
        if let Some(reason) = self.clock_behind(now) {
            for (_, reply) in requests {
                let _ = reply.send(Err(Error::Busy(Problem::new(
                    "clock_behind",
                    reason.clone(),
                ))));
            }
            return Ok(());
        }
        // Under the store's write lock: catch up with what other servers
        // appended (none on SQLite), then validate and number the group
        // against that state. `build` runs once.
        let store = self.store.clone();
        let mut requests = Some(requests);
        let mut processed = None;
        let result = store.append(self.head, &mut |others| {
            self.catch_up(others)?;
            let requests = requests
                .take()
                .ok_or_else(|| Error::Internal("a group was built twice".into()))?;
            let mut group = Group {
                working: None,
                spare: self.spare.take(),
                head: self.head,
                last_at: self.last_at,
                commit: Commit::default(),
                keys: HashMap::new(),
            };
            let answers: Vec<_> = requests
                .into_iter()
                .map(|(request, reply)| {
                    let answer = self.process(&mut group, request, now);
                    (reply, answer)
                })
                .collect();
            let commit = std::mem::take(&mut group.commit);
            processed = Some((group, answers));
            Ok(commit)
        });
        let commit = match result {
            Ok(commit) => commit,
            Err(error) => {
                // Nothing of the group was appended. A store that is away
                // (PostgreSQL restarting) is answered 503 and the writer
                // goes on: the next append catches up from the log, which
                // also settles a commit whose outcome was lost (a retry with
                // its Idempotency-Key finds it). Any other failure (an I/O
                // error, a full disk) stops the server (see `crate::health`).
                let transient = match &error {
                    Error::Busy(problem) => Some(problem.clone()),
                    _ => None,
                };
                let reason = format!("the event log could not be written: {error}");
                let answer = || match &transient {
                    Some(problem) => Error::Busy(problem.clone()),
                    None => cannot_write(&reason),
                };
                let replies: Vec<_> = match processed {
                    Some((_, answers)) => answers
                        .into_iter()
                        .map(|(reply, answer_was)| (reply, answer_was.and(Err(answer()))))
                        .collect(),
                    None => requests
                        .into_iter()
                        .flatten()
                        .map(|(_, reply)| (reply, Err(answer())))
                        .collect(),
                };
                for (reply, answer) in replies {
                    let _ = reply.send(answer);
                }
                if transient.is_some() {
                    tracing::warn!(%error, "a group was not appended");
                    return Ok(());
                }
                return Err(reason);
            }
        };
        let (mut group, answers) =
            processed.ok_or_else(|| "a group was never built".to_string())?;
        if commit.is_empty() {
            // Refusals and replays leave a taken copy as it was: keep it.
            self.spare = group.working.take().or(group.spare.take());
        } else {
            let appended = commit.events.len();
            if let Some(working) = group.working.take() {
                self.publish(working, commit.events);
                self.head = group.head;
                self.last_at = group.last_at;
            }
            self.metrics.committed(appended, started.elapsed());
        }
        for (reply, answer) in answers {
            let _ = reply.send(answer);
        }
        Ok(())
    }

    /// Makes `working` (the state after `events`) the live state and
    /// publishes the events; the previous state, once no reader holds it,
    /// becomes the next spare.
    fn publish(&mut self, working: State, events: Vec<StoredEvent>) {
        let state = Arc::new(working);
        let replay: Vec<Event> = events.iter().map(|stored| stored.event.clone()).collect();
        let entries = events.into_iter().map(LogEntry::new).collect();
        let previous = std::mem::replace(&mut self.state, state.clone());
        self.hub.publish(state, entries);
        self.spare = Arc::try_unwrap(previous).ok().and_then(|mut spare| {
            replay
                .iter()
                .all(|event| spare.apply(event).is_ok())
                .then_some(spare)
        });
    }

    /// Folds and publishes events other servers appended after this
    /// server's head. They are in the log already (committed): a server
    /// that cannot fold them (a gap, or a model that refuses what another
    /// accepted — a different version) cannot go on.
    fn catch_up(&mut self, events: Vec<StoredEvent>) -> Result<()> {
        let Some(last) = events.last() else {
            return Ok(());
        };
        let (head, last_at) = (last.event.seq, last.event.at);
        let mut state = self.spare.take().unwrap_or_else(|| (*self.state).clone());
        for (expected, stored) in (self.head + 1..).zip(&events) {
            if stored.event.seq != expected {
                return Err(Error::Internal(format!(
                    "the shared log skips from seq {} to {}",
                    expected - 1,
                    stored.event.seq
                )));
            }
            state.apply(&stored.event).map_err(|refusal| {
                Error::Internal(format!(
                    "event {expected} in the shared log is refused by this server's model ({}): is another server running a different version?",
                    refusal.message
                ))
            })?;
        }
        self.publish(state, events);
        self.head = head;
        self.last_at = self.last_at.max(last_at);
        Ok(())
    }

    /// Reads and publishes what other servers appended (woken by the
    /// follower). A store that is away is retried at the next wake; a log
    /// this server cannot fold stops it.
    fn follow(&mut self, notified: Option<u64>) -> std::result::Result<(), String> {
        if notified.is_some_and(|head| head <= self.head) {
            self.health.set_behind(None);
            return Ok(());
        }
        match self.store.events_after(self.head) {
            Ok(events) => {
                if let Err(error) = self.catch_up(events) {
                    return Err(error.to_string());
                }
                self.health.set_behind(None);
            }
            Err(error) => {
                tracing::debug!(%error, "the shared log cannot be read now");
                if notified.is_some() {
                    self.health
                        .set_behind(Some("catching up with the shared event log".into()));
                }
            }
        }
        Ok(())
    }

    fn process(&self, group: &mut Group, request: Request, now: DateTime<Utc>) -> Result<Appended> {
        let Request {
            events,
            idempotency,
            progress,
        } = request;
        if let Some(idempotency) = &idempotency {
            let not_before = now
                .checked_sub_signed(idempotency.window)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            let earlier = match group
                .keys
                .get(&(idempotency.token_id, idempotency.key.clone()))
            {
                Some(record) => Some(record.clone()),
                None => {
                    self.store
                        .idempotency(idempotency.token_id, &idempotency.key, not_before)?
                }
            };
            if let Some(earlier) = earlier {
                return if earlier.body_sha256 == idempotency.body_sha256 {
                    Ok(Appended {
                        seqs: earlier.seqs,
                        replayed: true,
                    })
                } else {
                    Err(Error::Conflict(
                        Problem::new(
                            "idempotency_key_reused",
                            format!(
                                "Idempotency-Key `{}` was already used with a different body (events {:?}); use a new key for new events",
                                idempotency.key, earlier.seqs
                            ),
                        )
                        .field("Idempotency-Key"),
                    ))
                };
            }
        }
        let stored = if events.is_empty() {
            Vec::new()
        } else {
            if group.working.is_none() {
                let copy = group.spare.take().unwrap_or_else(|| (*self.state).clone());
                group.working = Some(copy);
            }
            let working = group.working.as_mut().expect("set just above");
            match apply_batch(working, events, &mut group.head, &mut group.last_at, now) {
                Ok(stored) => stored,
                Err(Refused {
                    error,
                    partly_applied,
                }) => {
                    if partly_applied {
                        // Rare: rebuild the group's copy rather than copy the
                        // state before every batch in case of a refusal.
                        let mut rebuilt = (*self.state).clone();
                        for stored in &group.commit.events {
                            rebuilt.apply(&stored.event).expect(
                                "an event this group accepted applies again to the same state",
                            );
                        }
                        group.working = Some(rebuilt);
                    }
                    return Err(error);
                }
            }
        };
        let seqs: Vec<u64> = stored.iter().map(|stored| stored.event.seq).collect();
        if let Some(idempotency) = idempotency {
            let record = IdempotencyRecord {
                token_id: idempotency.token_id,
                key: idempotency.key.clone(),
                body_sha256: idempotency.body_sha256,
                seqs: seqs.clone(),
                created_at: now,
            };
            // Expired keys go in the same transaction as new ones, so the
            // table holds about one window's keys.
            let forget = now
                .checked_sub_signed(idempotency.window)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            group.commit.forget_keys_before = Some(
                group
                    .commit
                    .forget_keys_before
                    .map_or(forget, |before| before.min(forget)),
            );
            group
                .keys
                .insert((idempotency.token_id, idempotency.key), record.clone());
            group.commit.idempotency.push(record);
        }
        if progress.is_some() {
            group.commit.progress = progress;
        }
        group.commit.events.extend(stored);
        Ok(Appended {
            seqs,
            replayed: false,
        })
    }
}

/// A batch the model refused: the error names the event's index; when
/// events before it were applied, `state` must be rebuilt by the caller.
struct Refused {
    error: Error,
    partly_applied: bool,
}

/// Applies a batch to `state`, numbering and timing each event. On a refusal
/// `head` and `last_at` are as before, and `state` too unless the refusal
/// says it was partly applied (`State::apply` changes nothing when it refuses,
/// so a refused first event leaves it as it was).
fn apply_batch(
    state: &mut State,
    events: Vec<Pending>,
    head: &mut u64,
    last_at: &mut DateTime<Utc>,
    now: DateTime<Utc>,
) -> std::result::Result<Vec<StoredEvent>, Refused> {
    let (head_before, last_at_before) = (*head, *last_at);
    let mut stored = Vec::with_capacity(events.len());
    for (index, pending) in events.into_iter().enumerate() {
        let at = pending
            .at
            .map_or(now, |at| at.trunc_subsecs(3))
            .max(*last_at);
        let visibility = state.visibility_of(&pending.body);
        let event = Event {
            by: pending.by,
            entry: pending.entry,
            seq: *head + 1,
            at,
            body: pending.body,
        };
        if let Err(refusal) = state.apply(&event) {
            *head = head_before;
            *last_at = last_at_before;
            return Err(Refused {
                error: refused(refusal, index),
                partly_applied: index > 0,
            });
        }
        *head = event.seq;
        *last_at = at;
        stored.push(StoredEvent { event, visibility });
    }
    Ok(stored)
}

/// The model's refusal as an HTTP error: 409 for a conflict with what
/// exists, 422 for an impossible event.
fn refused(refusal: ValidationError, index: usize) -> Error {
    let conflict = refusal.is_conflict();
    let problem = Problem::new(refusal.code, refusal.message)
        .field(refusal.field)
        .index(Some(index));
    if conflict {
        Error::Conflict(problem)
    } else {
        Error::Invalid(problem)
    }
}
