//! The hub: the live state, the in-memory log, and the fan-out to streams.
//!
//! The writer publishes here after each durable commit; readers never touch
//! the database. Two views are kept:
//!
//! - the *live* view, for commanders and control: every committed event;
//! - the *public* view: the fold of the public events only, each redacted
//!   and renumbered in the public's own dense sequence — public seq N is the
//!   N-th event a public reader can see — so nothing a public reader gets
//!   (snapshot `seq`, stream ids, `Last-Event-ID`/`?after=` resume, an
//!   incident's timeline entries) shows a gap where restricted activity
//!   happened. With an embargo (`--public-delay D`) only the public events at
//!   least D old are released, advanced by [`Hub::release`] on a timer.
//!
//! Fan-out is a `watch` channel per view carrying the head seq, not a
//! broadcast of events: a stream remembers the last seq it sent and, whenever
//! the head moves, reads the entries after it from the in-memory log. A slow
//! client therefore cannot lag out of a buffer and lose events, a resume
//! after any seq is the same code path as live delivery, and there can be no
//! gap and no duplicate by construction. Thousands of streams share one copy
//! of each event, pre-serialised once per audience class.
//!
//! After-action review reads the state at any earlier moment
//! ([`Hub::past`]): each sequence (the live one and the public one) keeps a
//! checkpoint — the folded state, shared behind an `Arc` — about every
//! [`CHECKPOINT_EVERY`] events, so a past state costs one copy of the
//! nearest checkpoint at or before it and at most that many folds forward
//! with the same `fold` the live state is built with.

use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use watchfloor_model::review::Point;
use watchfloor_model::{redact, Audience, Event, EventKind, State, Visibility};

use crate::store::StoredEvent;

/// One event as a stream sends it: its seq in the reader's sequence, its
/// type and its JSON, serialised once for every reader of that class.
#[derive(Debug)]
pub struct Outgoing {
    pub seq: u64,
    pub kind: EventKind,
    pub json: String,
}

impl Outgoing {
    fn of(event: &Event) -> Arc<Outgoing> {
        Arc::new(Outgoing {
            seq: event.seq,
            kind: event.body.kind(),
            json: serde_json::to_string(event).expect("events serialise"),
        })
    }
}

/// One event of the log, as committed.
#[derive(Debug)]
pub struct LogEntry {
    pub event: Event,
    pub visibility: Visibility,
    /// The event as readers who see restricted information receive it.
    pub full: Arc<Outgoing>,
}

impl LogEntry {
    /// Serialises an event once for the readers who see everything.
    pub fn new(stored: StoredEvent) -> LogEntry {
        let StoredEvent { event, visibility } = stored;
        let full = Outgoing::of(&event);
        LogEntry {
            event,
            visibility,
            full,
        }
    }

    pub fn seq(&self) -> u64 {
        self.event.seq
    }

    /// The event as the public may see it, numbered `public_seq`; `None` if
    /// the public may not see it at all.
    fn public(&self, public_seq: u64) -> Option<PublicEntry> {
        let mut event = redact::event(&self.event, self.visibility, Audience::Public)?;
        event.seq = public_seq;
        let out = Outgoing::of(&event);
        Some(PublicEntry { event, out })
    }
}

/// One event of the public log: redacted, in the public sequence.
#[derive(Debug)]
struct PublicEntry {
    event: Event,
    out: Arc<Outgoing>,
}

/// How many events apart the checkpoints of a sequence are, at least (a
/// group commit that crosses the mark is checkpointed at its end, so at most
/// a group's size more; a rebuild checkpoints exactly every this many).
///
/// Chosen by measurement (the ignored test `checkpoint_costs` below, and
/// `cargo xtask bench review`): in a 100,000-event log with 1,000 incidents
/// a past state costs p99 3.3 ms (a copy of a checkpoint and up to 5,000
/// folds) against p99 44 ms folding from the start, and the 20 + 16
/// checkpoints hold 56 MiB as JSON, 82 MiB of memory; with 10,000 incidents
/// p99 9.4 ms, 132 MiB as JSON (bench/results.md, section 7). 2,000 would
/// cut the time little and more than double the memory.
pub const CHECKPOINT_EVERY: u64 = 5_000;

/// The checkpoints of one sequence: states of its fold, in seq order, about
/// [`CHECKPOINT_EVERY`] events apart. Each is shared with whoever held it
/// when it was taken (the live state, the public picture), so taking one
/// copies nothing; the next change of that state copies it once instead of
/// changing it in place (one state copy every `CHECKPOINT_EVERY` events).
struct Checkpoints {
    /// Events apart, at least.
    every: u64,
    states: Vec<Arc<State>>,
}

impl Checkpoints {
    fn new(every: u64) -> Checkpoints {
        Checkpoints {
            every: every.max(1),
            states: Vec::new(),
        }
    }

    /// Keeps `state` if it is at least [`CHECKPOINT_EVERY`] events past the last checkpoint.
    fn offer(&mut self, state: &Arc<State>) {
        if self.due(state.seq) {
            self.states.push(state.clone());
        }
    }

    /// Whether a state at `seq` should be kept.
    fn due(&self, seq: u64) -> bool {
        let last = self.states.last().map_or(0, |state| state.seq);
        seq >= last.saturating_add(self.every)
    }

    /// The last checkpoint at or before `seq`.
    fn at_or_before(&self, seq: u64) -> Option<Arc<State>> {
        let after = self.states.partition_point(|state| state.seq <= seq);
        after.checked_sub(1).map(|index| self.states[index].clone())
    }
}

/// A past state as one reader may see it: see [`Hub::past`].
pub struct Past {
    /// The reader's state after the last event at or before the moment, in
    /// the reader's sequence (the public picture for the public).
    pub state: Arc<State>,
    /// The moment's time: for a seq, the time of the event at that seq (the
    /// first event's for seq 0, or `now` when there is none); for a time,
    /// that time. Never later than `now`.
    pub time: DateTime<Utc>,
}

/// What the checkpoints hold, for the benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckpointStats {
    /// Checkpoints of the live sequence and of the public one.
    pub live: usize,
    pub public: usize,
    /// The checkpoints' states serialised as JSON, summed: a proxy for the
    /// memory they hold (in memory they take roughly twice as much).
    pub json_bytes: u64,
}

/// A cached snapshot body: everything that does not depend on the time of reading.
struct CachedSnapshot {
    seq: u64,
    /// `"nations":[...],"incidents":[...]`.
    tail: Arc<str>,
}

/// See the module documentation.
pub struct Hub {
    /// Every event, in seq order. A std lock: held for a push or a slice copy,
    /// never across an await.
    log: RwLock<Vec<Arc<LogEntry>>>,
    live: RwLock<Arc<State>>,
    live_head: watch::Sender<u64>,
    /// Every public event, redacted, in the public sequence: entry `i` has
    /// public seq `i + 1`. Released or not (see `released_head`).
    public_log: RwLock<Vec<Arc<PublicEntry>>>,
    /// The public picture: the fold of the released public events, in the
    /// public sequence (its `seq` is the released public head).
    released: RwLock<Arc<State>>,
    /// The last public seq released to the public.
    released_head: watch::Sender<u64>,
    /// Checkpoints of the live fold (live seqs) and of the public picture
    /// (public seqs, released events only).
    live_checkpoints: RwLock<Checkpoints>,
    public_checkpoints: RwLock<Checkpoints>,
    public_delay: chrono::Duration,
    /// Pre-serialised snapshot tails: [public, restricted].
    snapshots: Mutex<[Option<CachedSnapshot>; 2]>,
    /// Set once when the server shuts down, so open streams end.
    closing: watch::Sender<bool>,
}

impl Hub {
    /// Folds the stored log into the live and released states.
    ///
    /// An event the reducer now refuses (written by an older build with
    /// looser rules) is logged and skipped, but stays in the log and keeps its
    /// seq: the log, not this build's opinion of it, is the record.
    pub fn rebuild(
        events: Vec<StoredEvent>,
        public_delay: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Hub {
        Hub::rebuild_with_checkpoints(events, public_delay, now, CHECKPOINT_EVERY)
    }

    /// [`Hub::rebuild`] with checkpoints `every` events instead of
    /// [`CHECKPOINT_EVERY`] (`u64::MAX`: none, every past state is folded
    /// from the start), for the benchmarks that chose it.
    pub fn rebuild_with_checkpoints(
        events: Vec<StoredEvent>,
        public_delay: chrono::Duration,
        now: DateTime<Utc>,
        every: u64,
    ) -> Hub {
        let cutoff = now - public_delay;
        let mut live = State::default();
        let mut released = State::default();
        let mut live_checkpoints = Checkpoints::new(every);
        let mut public_checkpoints = Checkpoints::new(every);
        let mut log = Vec::with_capacity(events.len());
        let mut public_log: Vec<Arc<PublicEntry>> = Vec::new();
        for stored in events {
            fold(&mut live, &stored.event);
            if live_checkpoints.due(live.seq) {
                live_checkpoints.offer(&Arc::new(live.clone()));
            }
            let entry = LogEntry::new(stored);
            if let Some(public) = entry.public(public_log.len() as u64 + 1) {
                if public_delay.is_zero() || public.event.at <= cutoff {
                    fold(&mut released, &public.event);
                    if public_checkpoints.due(released.seq) {
                        public_checkpoints.offer(&Arc::new(released.clone()));
                    }
                }
                public_log.push(Arc::new(public));
            }
            log.push(Arc::new(entry));
        }
        let head = live.seq;
        let released_seq = released.seq;
        Hub {
            log: RwLock::new(log),
            live: RwLock::new(Arc::new(live)),
            live_head: watch::Sender::new(head),
            public_log: RwLock::new(public_log),
            released: RwLock::new(Arc::new(released)),
            released_head: watch::Sender::new(released_seq),
            live_checkpoints: RwLock::new(live_checkpoints),
            public_checkpoints: RwLock::new(public_checkpoints),
            public_delay,
            snapshots: Mutex::new([None, None]),
            closing: watch::Sender::new(false),
        }
    }

    /// The embargo on public readers.
    pub fn public_delay(&self) -> chrono::Duration {
        self.public_delay
    }

    /// The last committed seq.
    pub fn head(&self) -> u64 {
        *self.live_head.borrow()
    }

    /// The last public seq released to the public (the public sequence counts
    /// only the events a public reader can see).
    pub fn released_head(&self) -> u64 {
        *self.released_head.borrow()
    }

    /// The time of the last event, if any (the writer keeps `at` non-decreasing).
    pub fn last_at(&self) -> Option<DateTime<Utc>> {
        read(&self.log).last().map(|entry| entry.event.at)
    }

    /// The live state, for the writer and restricted readers.
    pub fn live_state(&self) -> Arc<State> {
        read(&self.live).clone()
    }

    /// The state `audience` reads from: the live state for restricted
    /// readers; for the public, the public picture (already without
    /// restricted incidents and detail, in the public sequence — redacting
    /// it again changes nothing).
    pub fn state_for(&self, audience: Audience) -> Arc<State> {
        if audience.sees_restricted() {
            self.live_state()
        } else {
            read(&self.released).clone()
        }
    }

    /// A receiver of the head seq `audience` may read up to, in that reader's sequence.
    pub fn subscribe(&self, audience: Audience) -> watch::Receiver<u64> {
        if audience.sees_restricted() {
            self.live_head.subscribe()
        } else {
            self.released_head.subscribe()
        }
    }

    /// Up to `limit` events with seqs in `(after, upto]` of `audience`'s
    /// sequence, in order, as that reader receives them.
    pub fn entries_for(
        &self,
        audience: Audience,
        after: u64,
        upto: u64,
        limit: usize,
    ) -> Vec<Arc<Outgoing>> {
        self.entries_where(audience, after, upto, limit, |_| true)
    }

    /// The same, only the events whose type `wanted` accepts (the others are
    /// passed over and do not count towards `limit`).
    pub fn entries_where(
        &self,
        audience: Audience,
        after: u64,
        upto: u64,
        limit: usize,
        wanted: impl Fn(EventKind) -> bool,
    ) -> Vec<Arc<Outgoing>> {
        if audience.sees_restricted() {
            let log = read(&self.log);
            let start = log.partition_point(|entry| entry.seq() <= after);
            return log[start..]
                .iter()
                .take_while(|entry| entry.seq() <= upto)
                .filter(|entry| wanted(entry.full.kind))
                .take(limit)
                .map(|entry| entry.full.clone())
                .collect();
        }
        let log = read(&self.public_log);
        // Public seq `n` is entry `n - 1`.
        let start = usize::try_from(after).unwrap_or(usize::MAX).min(log.len());
        let end = usize::try_from(upto).unwrap_or(usize::MAX).min(log.len());
        log[start..end.max(start)]
            .iter()
            .filter(|entry| wanted(entry.out.kind))
            .take(limit)
            .map(|entry| entry.out.clone())
            .collect()
    }

    /// The head seq of `audience`'s sequence: the last committed seq for
    /// restricted readers, the last released public seq for the public.
    pub fn head_for(&self, audience: Audience) -> u64 {
        if audience.sees_restricted() {
            self.head()
        } else {
            self.released_head()
        }
    }

    /// Called by the writer after a durable commit: makes the new state and
    /// events visible, then wakes the streams.
    ///
    /// Every [`CHECKPOINT_EVERY`] events the new state is also kept as a
    /// checkpoint (shared, not copied: the writer copies it once when it
    /// next changes the state, instead of reusing it as its spare).
    pub fn publish(&self, state: Arc<State>, entries: Vec<LogEntry>) {
        let head = state.seq;
        let new_public: Vec<Arc<PublicEntry>> = {
            let mut public_log = write(&self.public_log);
            let mut new_public = Vec::new();
            for entry in &entries {
                if let Some(public) = entry.public(public_log.len() as u64 + 1) {
                    let public = Arc::new(public);
                    new_public.push(public.clone());
                    public_log.push(public);
                }
            }
            write(&self.log).extend(entries.into_iter().map(Arc::new));
            new_public
        };
        write(&self.live_checkpoints).offer(&state);
        *write(&self.live) = state;
        // Without an embargo the new public events are released at once.
        if self.public_delay.is_zero() && !new_public.is_empty() {
            let public_head = self.fold_released(new_public.iter().map(|entry| &entry.event));
            self.released_head.send_replace(public_head);
        }
        self.live_head.send_replace(head);
    }

    /// Folds public events into the public picture (in place unless a reader
    /// or a checkpoint still holds the old one: no whole-state copy per
    /// commit), keeps a checkpoint when one is due, and returns the new
    /// public head.
    fn fold_released<'a>(&self, events: impl IntoIterator<Item = &'a Event>) -> u64 {
        let mut released = write(&self.released);
        let picture = Arc::make_mut(&mut released);
        for event in events {
            fold(picture, event);
        }
        let seq = picture.seq;
        write(&self.public_checkpoints).offer(&released);
        seq
    }

    /// Releases to the public every public event at least `public_delay` old
    /// at `now`. Returns how many were released. A no-op without an embargo.
    pub fn release(&self, now: DateTime<Utc>) -> usize {
        if self.public_delay.is_zero() {
            return 0;
        }
        let cutoff = now - self.public_delay;
        let released_seq = self.released_head();
        let due: Vec<Arc<PublicEntry>> = {
            let public_log = read(&self.public_log);
            let start = usize::try_from(released_seq)
                .unwrap_or(usize::MAX)
                .min(public_log.len());
            public_log[start..]
                .iter()
                .take_while(|entry| entry.event.at <= cutoff)
                .cloned()
                .collect()
        };
        if due.is_empty() {
            return 0;
        }
        let public_head = self.fold_released(due.iter().map(|entry| &entry.event));
        self.released_head.send_replace(public_head);
        due.len()
    }

    /// The state `audience` reads from as it was at `point`, in that
    /// reader's sequence: after the event at that seq, or after the last
    /// event at or before that time. A seq beyond the reader's head is the
    /// head. The public only ever gets the fold of *released* public events
    /// in the public sequence, so a past public state, like the present one,
    /// says nothing about restricted or embargoed activity: a time between
    /// two restricted events gives the state at the public event before them.
    ///
    /// The nearest checkpoint at or before the target is copied and the
    /// events after it folded in with `fold`; the locks are held only to
    /// copy a few `Arc`s, never while folding.
    pub fn past(&self, audience: Audience, point: Point, now: DateTime<Utc>) -> Past {
        let (current, target, time, checkpoint, entries) = if audience.sees_restricted() {
            let current = self.live_state();
            let log = read(&self.log);
            // The log may already hold a group the live state has not reached yet.
            let within = &log[..log.partition_point(|entry| entry.seq() <= current.seq)];
            let (count, time) = locate(within, point, |entry| &entry.event, now);
            let target = count.checked_sub(1).map_or(0, |last| within[last].seq());
            let checkpoint = read(&self.live_checkpoints).at_or_before(target);
            let base = checkpoint.as_ref().map_or(0, |state| state.seq);
            let from = within.partition_point(|entry| entry.seq() <= base);
            let entries: Vec<Folding> = within[from..count]
                .iter()
                .cloned()
                .map(Folding::Live)
                .collect();
            (current, target, time, checkpoint, entries)
        } else {
            let current = self.state_for(audience);
            let log = read(&self.public_log);
            // Only what is released; public seq `n` is entry `n - 1`.
            let released = usize::try_from(current.seq)
                .unwrap_or(usize::MAX)
                .min(log.len());
            let within = &log[..released];
            let (count, time) = locate(within, point, |entry| &entry.event, now);
            let target = count as u64;
            let checkpoint = read(&self.public_checkpoints).at_or_before(target);
            let base = checkpoint.as_ref().map_or(0, |state| state.seq);
            let from = usize::try_from(base).unwrap_or(usize::MAX).min(count);
            let entries: Vec<Folding> = within[from..count]
                .iter()
                .cloned()
                .map(Folding::Public)
                .collect();
            (current, target, time, checkpoint, entries)
        };
        if target >= current.seq {
            return Past {
                state: current,
                time,
            };
        }
        let state = match checkpoint {
            Some(checkpoint) if entries.is_empty() => checkpoint,
            checkpoint => {
                let mut state = checkpoint.map(|state| (*state).clone()).unwrap_or_default();
                for entry in &entries {
                    fold(&mut state, entry.event());
                }
                Arc::new(state)
            }
        };
        debug_assert_eq!(state.seq, target);
        Past { state, time }
    }

    /// How many checkpoints there are and what they hold.
    pub fn checkpoint_stats(&self) -> CheckpointStats {
        let live = read(&self.live_checkpoints).states.clone();
        let public = read(&self.public_checkpoints).states.clone();
        let json_bytes = live
            .iter()
            .chain(&public)
            .map(|state| serde_json::to_vec(&**state).map_or(0, |json| json.len() as u64))
            .sum();
        CheckpointStats {
            live: live.len(),
            public: public.len(),
            json_bytes,
        }
    }

    /// The snapshot JSON for `audience` of a past state (see [`Hub::past`]):
    /// the same shape as [`Hub::snapshot_json`], with `generated_at` and the
    /// exercise's day, clock and countdown as they were at the moment's time.
    /// Not cached: review reads are rare and each is of another moment.
    pub fn snapshot_at_json(&self, audience: Audience, past: &Past) -> String {
        snapshot_body(
            &past.state,
            audience,
            past.time,
            self.public_delay,
            &snapshot_tail(&past.state, audience),
        )
    }

    /// The snapshot JSON for `audience` at `now`.
    ///
    /// Nations and incidents are serialised once per seq and audience class
    /// and cached; the exercise view (day, clock, countdown) depends on the
    /// time of reading, so it is computed on each request — it is small.
    pub fn snapshot_json(&self, audience: Audience, now: DateTime<Utc>) -> String {
        let state = self.state_for(audience);
        let class = usize::from(audience.sees_restricted());
        let tail = {
            let mut cache = self.snapshots.lock().expect("snapshot cache lock");
            match &cache[class] {
                Some(cached) if cached.seq == state.seq => cached.tail.clone(),
                _ => {
                    let tail: Arc<str> = snapshot_tail(&state, audience).into();
                    cache[class] = Some(CachedSnapshot {
                        seq: state.seq,
                        tail: tail.clone(),
                    });
                    tail
                }
            }
        };
        snapshot_body(&state, audience, now, self.public_delay, &tail)
    }

    /// Tells every open stream to end (at shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// A receiver that turns true when the server shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

/// One event to fold into a past state, from either log.
enum Folding {
    Live(Arc<LogEntry>),
    Public(Arc<PublicEntry>),
}

impl Folding {
    fn event(&self) -> &Event {
        match self {
            Folding::Live(entry) => &entry.event,
            Folding::Public(entry) => &entry.event,
        }
    }
}

/// How many of `entries` (in seq order, `at` non-decreasing) are at or
/// before `point`, and the point's time (see [`Past::time`]).
fn locate<T>(
    entries: &[T],
    point: Point,
    event: impl Fn(&T) -> &Event,
    now: DateTime<Utc>,
) -> (usize, DateTime<Utc>) {
    let (count, time) = match point {
        Point::Seq(seq) => {
            let count = entries.partition_point(|entry| event(entry).seq <= seq);
            // Before the first event: the log's beginning.
            let shown = count.saturating_sub(1);
            let time = entries.get(shown).map_or(now, |entry| event(entry).at);
            (count, time)
        }
        Point::Time(at) => (entries.partition_point(|entry| event(entry).at <= at), at),
    };
    (count, time.min(now))
}

/// A whole snapshot body around a serialised tail.
fn snapshot_body(
    state: &State,
    audience: Audience,
    time: DateTime<Utc>,
    public_delay: chrono::Duration,
    tail: &str,
) -> String {
    format!(
        r#"{{"seq":{},"audience":"{}","generated_at":{},"public_delay_s":{},"exercise":{},{}}}"#,
        state.seq,
        audience.as_str(),
        serde_json::to_string(&time).expect("times serialise"),
        public_delay.num_seconds().max(0),
        serde_json::to_string(&state.exercise.view(time)).expect("views serialise"),
        tail
    )
}

/// The `"nations":[...],"incidents":[...]` part of a snapshot, redacted
/// (and the script's record, for restricted readers, when there is one).
fn snapshot_tail(state: &State, audience: Audience) -> String {
    #[derive(serde::Serialize)]
    struct Tail<'a> {
        nations: &'a [watchfloor_model::Nation],
        incidents: &'a [watchfloor_model::Incident],
        #[serde(skip_serializing_if = "watchfloor_model::script::Script::is_empty")]
        script: &'a watchfloor_model::script::Script,
        #[serde(skip_serializing_if = "watchfloor_model::screens::Screens::is_empty")]
        screens: &'a watchfloor_model::screens::Screens,
    }
    let redacted;
    let state = if audience.sees_restricted() {
        state
    } else {
        redacted = state.redacted(audience);
        &redacted
    };
    let object = serde_json::to_string(&Tail {
        nations: &state.nations,
        incidents: &state.incidents,
        script: &state.script,
        screens: &state.screens,
    })
    .expect("state serialises");
    // Strip the braces: the tail is spliced into the snapshot object.
    object[1..object.len() - 1].to_owned()
}

/// Folds one logged event; see [`Hub::rebuild`] for why a refusal is skipped.
fn fold(state: &mut State, event: &Event) {
    if let Err(error) = state.apply(event) {
        tracing::error!(seq = event.seq, %error, "a logged event is refused by the reducer; skipped");
        state.seq = state.seq.max(event.seq);
    }
}

/// Poisoning only follows a panic elsewhere; the data is still consistent
/// (every writer replaces whole values), so keep serving.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Checks a spliced snapshot against the model's own [`Snapshot`].
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use watchfloor_model::{EventBody, Snapshot};

    fn stored(seq: u64, minutes: i64, body: serde_json::Value) -> StoredEvent {
        let body: EventBody = serde_json::from_value(body).expect("event");
        let at = "2026-11-23T08:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time")
            + chrono::Duration::minutes(minutes);
        let visibility = State::default().visibility_of(&body);
        StoredEvent {
            event: Event {
                by: None,
                entry: None,
                seq,
                at,
                body,
            },
            visibility,
        }
    }

    fn events() -> Vec<StoredEvent> {
        vec![
            stored(
                1,
                0,
                json!({"type": "exercise_updated", "name": "CC", "startex": "2026-11-23T08:00:00Z", "endex": "2026-11-28T08:00:00Z"}),
            ),
            stored(
                2,
                1,
                json!({"type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"}),
            ),
            stored(
                3,
                2,
                json!({"type": "incident_opened", "id": "A", "title": "Public", "category": "ddos", "severity": "low", "visibility": "public", "detail": "SECRET"}),
            ),
            stored(
                4,
                30,
                json!({"type": "incident_opened", "id": "B", "title": "SECRET", "category": "ddos", "severity": "low"}),
            ),
        ]
    }

    #[test]
    fn the_spliced_snapshot_equals_the_models_snapshot() {
        let hub = Hub::rebuild(events(), chrono::Duration::zero(), Utc::now());
        let now = Utc::now();
        for audience in [Audience::Public, Audience::Commander, Audience::Control] {
            let spliced: Snapshot =
                serde_json::from_str(&hub.snapshot_json(audience, now)).expect("json");
            let expected =
                Snapshot::new(&hub.state_for(audience).redacted(audience), audience, now);
            assert_eq!(spliced, expected, "{audience:?}");
            // The public picture is the live one redacted, but in the public sequence.
            let live = Snapshot::new(&hub.live_state().redacted(audience), audience, now);
            assert_eq!(spliced.incidents.len(), live.incidents.len());
            assert_eq!(spliced.nations, live.nations);
            // A second read hits the cache and agrees.
            assert_eq!(
                hub.snapshot_json(audience, now),
                hub.snapshot_json(audience, now)
            );
        }
        assert!(!hub.snapshot_json(Audience::Public, now).contains("SECRET"));
    }

    #[test]
    fn the_public_sequence_counts_only_what_the_public_sees() {
        let mut events = events();
        // Restricted activity between two public events, and a public event after it.
        events.push(stored(
            5,
            31,
            json!({"type": "incident_updated", "id": "B", "status": "analysing", "note": "SECRET"}),
        ));
        let mut update = stored(
            6,
            32,
            json!({"type": "incident_updated", "id": "A", "status": "reported", "note": "Public note"}),
        );
        // An update has its incident's visibility (A is public).
        update.visibility = Visibility::Public;
        events.push(update);
        let hub = Hub::rebuild(events, chrono::Duration::zero(), Utc::now());
        assert_eq!((hub.head(), hub.released_head()), (6, 4));
        let public: Vec<(u64, String)> = hub
            .entries_for(Audience::Public, 0, 100, 100)
            .iter()
            .map(|entry| (entry.seq, entry.json.clone()))
            .collect();
        let seqs: Vec<u64> = public.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4], "dense, with no gap where 4 and 5 were");
        for (seq, json) in &public {
            let event: Event = serde_json::from_str(json).expect("event json");
            assert_eq!(event.seq, *seq, "the JSON carries the public seq");
            assert!(!json.contains("SECRET"));
        }
        let picture = hub.state_for(Audience::Public);
        assert_eq!(picture.seq, 4);
        let timeline: Vec<u64> = picture.incidents[0]
            .timeline
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(
            timeline,
            [3, 4],
            "timeline entries are in the public sequence too"
        );
        let snapshot: serde_json::Value =
            serde_json::from_str(&hub.snapshot_json(Audience::Public, Utc::now())).expect("json");
        assert_eq!(snapshot["seq"], 4);
        // Restricted readers keep the live sequence.
        assert_eq!(hub.entries_for(Audience::Commander, 0, 100, 100).len(), 6);
        // Resuming after public seq 2 gives public seqs 3 and 4.
        let resumed: Vec<u64> = hub
            .entries_for(Audience::Public, 2, 4, 100)
            .iter()
            .map(|entry| entry.seq)
            .collect();
        assert_eq!(resumed, [3, 4]);
    }

    #[test]
    fn an_embargo_releases_events_in_order_as_they_age() {
        let start: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().expect("time");
        let delay = chrono::Duration::minutes(10);
        let hub = Hub::rebuild(events(), delay, start + chrono::Duration::minutes(12));
        assert_eq!((hub.head(), hub.released_head()), (4, 3));
        assert_eq!(hub.state_for(Audience::Public).incidents.len(), 1);
        assert_eq!(hub.release(start + chrono::Duration::minutes(39)), 0);
        // Event 4 is restricted: the public never learns of it, not even as a seq.
        assert_eq!(hub.release(start + chrono::Duration::minutes(40)), 0);
        assert_eq!(hub.released_head(), 3);
        assert_eq!(
            hub.entries_for(Audience::Commander, 1, 4, 2)
                .iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>(),
            [2, 3]
        );
    }

    /// The fold of `events` up to `seq`, from nothing.
    fn folded(events: &[Event], seq: u64) -> State {
        let mut state = State::default();
        for event in events.iter().take_while(|event| event.seq <= seq) {
            fold(&mut state, event);
        }
        state
    }

    /// A long log: an exercise, 30 nations, then an incident opened every
    /// `open_every` events (a third restricted, most from an inject), and of
    /// every 10 events three updates of recent incidents, two nation
    /// responses and the rest status check-ins; one event every 3 s.
    pub(crate) fn long_log(count: usize, open_every: usize) -> Vec<StoredEvent> {
        let start: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().expect("time");
        let code = |n: usize| format!("N{:02}", n % 30);
        let mut state = State::default();
        let mut log = Vec::with_capacity(count);
        let mut opened = 0usize;
        for index in 0..count {
            let body = if index == 0 {
                json!({"type": "exercise_updated", "name": "Long", "startex": "2026-11-23T08:00:00Z", "endex": "2026-11-28T08:00:00Z"})
            } else if index == 1 {
                json!({"type": "phase_changed", "phase": "execution"})
            } else if index < 32 {
                json!({"type": "nation_joined", "code": code(index - 2), "name": format!("Nation {}", index - 2), "kind": "ally"})
            } else {
                let recent = |back: usize| opened.saturating_sub(1 + back % 20.min(opened.max(1)));
                match index % 10 {
                    _ if index.is_multiple_of(open_every) => {
                        opened += 1;
                        let n = opened - 1;
                        json!({"type": "incident_opened", "id": format!("INC-{n}"), "title": format!("Incident {n}"),
                               "category": "ddos", "severity": "medium", "nations": [code(n), code(n + 7)],
                               "summary": "A summary of the incident", "detail": "Restricted detail",
                               "visibility": if n.is_multiple_of(3) { "restricted" } else { "public" },
                               "inject": if n.is_multiple_of(4) { Value::Null } else { json!({"id": format!("INJ-{n}"), "planned_at": null}) }})
                    }
                    _ if opened == 0 => {
                        json!({"type": "nation_status", "code": code(index), "status": "online"})
                    }
                    1 | 4 | 7 => {
                        json!({"type": "incident_updated", "id": format!("INC-{}", recent(index)), "note": format!("Update {index}")})
                    }
                    2 | 5 => {
                        let n = recent(index / 3);
                        let milestone = ["detected", "reported", "contained"][index % 3];
                        json!({"type": "nation_response", "id": format!("INC-{n}"), "code": code(n), "milestone": milestone})
                    }
                    _ => {
                        json!({"type": "nation_status", "code": code(index), "status": if index.is_multiple_of(2) { "online" } else { "degraded" }})
                    }
                }
            };
            let body: EventBody = serde_json::from_value(body).expect("event body");
            let visibility = state.visibility_of(&body);
            let event = Event {
                by: None,
                entry: None,
                seq: index as u64 + 1,
                at: start + chrono::Duration::seconds(3 * index as i64),
                body,
            };
            state
                .apply(&event)
                .unwrap_or_else(|error| panic!("event {index}: {error:?}"));
            log.push(StoredEvent { event, visibility });
        }
        log
    }

    #[test]
    fn a_past_state_is_the_fold_up_to_it_in_each_sequence() {
        let log = long_log(3_000, 10);
        let live_events: Vec<Event> = log.iter().map(|stored| stored.event.clone()).collect();
        // Small checkpoints, so many pasts start from one.
        let hub = Hub::rebuild_with_checkpoints(log, chrono::Duration::zero(), Utc::now(), 250);
        let stats = hub.checkpoint_stats();
        assert_eq!(stats.live, 12, "{stats:?}");
        assert!(stats.public > 5 && stats.json_bytes > 0, "{stats:?}");
        let now = Utc::now();
        for seq in [
            0, 1, 31, 249, 250, 251, 999, 1_000, 2_345, 2_999, 3_000, 5_000,
        ] {
            let past = hub.past(Audience::Commander, Point::Seq(seq), now);
            assert_eq!(*past.state, folded(&live_events, seq), "live seq {seq}");
        }
        // The public sequence: the public log's own events, folded.
        let public_events: Vec<Event> = hub
            .entries_for(Audience::Public, 0, u64::MAX, usize::MAX)
            .iter()
            .map(|entry| serde_json::from_str(&entry.json).expect("event"))
            .collect();
        let public_head = hub.released_head();
        assert_eq!(public_events.len() as u64, public_head);
        for seq in [
            0,
            1,
            100,
            250,
            251,
            1_234,
            public_head - 1,
            public_head,
            u64::MAX,
        ] {
            let past = hub.past(Audience::Public, Point::Seq(seq), now);
            assert_eq!(*past.state, folded(&public_events, seq), "public seq {seq}");
            assert!(past
                .state
                .incidents
                .iter()
                .all(|incident| incident.detail.is_none()));
        }
        // A time: the last event at or before it; its time is the time asked.
        let at = live_events[1_500].at + chrono::Duration::seconds(1);
        let past = hub.past(Audience::Control, Point::Time(at), now);
        assert_eq!((past.state.seq, past.time), (1_501, at));
        let past = hub.past(Audience::Control, Point::Seq(1_501), now);
        assert_eq!(past.time, live_events[1_500].at);
        // Never later than now; seq 0 is the log's beginning.
        let early = live_events[0].at;
        assert_eq!(hub.past(Audience::Control, Point::Seq(0), now).time, early);
        assert_eq!(
            hub.past(Audience::Control, Point::Seq(10), early).time,
            early
        );
    }

    #[test]
    fn a_public_past_counts_only_released_events() {
        let start: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().expect("time");
        let delay = chrono::Duration::minutes(10);
        // At 08:12 the events of 08:00, 08:01 and 08:02 are released; 08:30 is restricted.
        let hub = Hub::rebuild_with_checkpoints(
            events(),
            delay,
            start + chrono::Duration::minutes(12),
            1,
        );
        let now = start + chrono::Duration::minutes(12);
        assert_eq!(hub.past(Audience::Public, Point::Seq(99), now).state.seq, 3);
        // A time after the restricted event: the public state at its last public event.
        let late = hub.past(
            Audience::Public,
            Point::Time(start + chrono::Duration::minutes(45)),
            now,
        );
        assert_eq!(late.state.seq, 3);
        assert_eq!(late.time, now, "never later than now");
        let live = hub.past(
            Audience::Commander,
            Point::Time(start + chrono::Duration::minutes(45)),
            now,
        );
        assert_eq!(live.state.seq, 4);
    }

    /// Not a test: what checkpoints cost and save in a 100,000-event log
    /// (`cargo test -p watchfloor-server --profile server --lib -- --ignored
    /// --nocapture checkpoint_costs`). `cargo xtask bench review` measures
    /// the same over HTTP.
    #[test]
    #[ignore = "a measurement; run it with --ignored in an optimised build"]
    fn checkpoint_costs() {
        let incidents: usize = std::env::var("INCIDENTS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1_000);
        let log = long_log(100_000, 100_000 / incidents);
        let now = Utc::now();
        let everies: Vec<u64> = std::env::var("EVERY")
            .ok()
            .map(|list| list.split(',').filter_map(|n| n.parse().ok()).collect())
            .unwrap_or_else(|| vec![1_000, 2_000, 5_000, u64::MAX]);
        for every in everies {
            let started = std::time::Instant::now();
            let hub = Hub::rebuild_with_checkpoints(
                log.iter()
                    .map(|stored| StoredEvent {
                        event: stored.event.clone(),
                        visibility: stored.visibility,
                    })
                    .collect(),
                chrono::Duration::zero(),
                now,
                every,
            );
            let rebuilt = started.elapsed();
            let stats = hub.checkpoint_stats();
            let mut times = Vec::new();
            for n in 0..200u64 {
                let seq = 1 + (n * 7_919 * 13) % 99_999;
                let started = std::time::Instant::now();
                let past = hub.past(Audience::Commander, Point::Seq(seq), now);
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(past.state.seq, seq);
            }
            times.sort_by(f64::total_cmp);
            let clone_started = std::time::Instant::now();
            let copy = (*hub.live_state()).clone();
            let clone = clone_started.elapsed();
            println!(
                "every {every}: rebuild {rebuilt:.0?}, {} + {} checkpoints, {:.1} MiB JSON; past p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; head state {} incidents, clone {clone:.1?}",
                stats.live,
                stats.public,
                stats.json_bytes as f64 / 1024.0 / 1024.0,
                times[100],
                times[197],
                times[199],
                copy.incidents.len(),
            );
        }
    }
}
