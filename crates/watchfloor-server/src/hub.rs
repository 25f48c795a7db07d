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

use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use tokio::sync::watch;
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
    public_log: RwLock<Vec<PublicEntry>>,
    /// The public picture: the fold of the released public events, in the
    /// public sequence (its `seq` is the released public head).
    released: RwLock<Arc<State>>,
    /// The last public seq released to the public.
    released_head: watch::Sender<u64>,
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
        let cutoff = now - public_delay;
        let mut live = State::default();
        let mut released = State::default();
        let mut log = Vec::with_capacity(events.len());
        let mut public_log: Vec<PublicEntry> = Vec::new();
        for stored in events {
            fold(&mut live, &stored.event);
            let entry = LogEntry::new(stored);
            if let Some(public) = entry.public(public_log.len() as u64 + 1) {
                if public_delay.is_zero() || public.event.at <= cutoff {
                    fold(&mut released, &public.event);
                }
                public_log.push(public);
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
        if audience.sees_restricted() {
            let log = read(&self.log);
            let start = log.partition_point(|entry| entry.seq() <= after);
            return log[start..]
                .iter()
                .take_while(|entry| entry.seq() <= upto)
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
            .take(limit)
            .map(|entry| entry.out.clone())
            .collect()
    }

    /// Called by the writer after a durable commit: makes the new state and
    /// events visible, then wakes the streams.
    pub fn publish(&self, state: Arc<State>, entries: Vec<LogEntry>) {
        let head = state.seq;
        let new_public: Vec<Event> = {
            let mut public_log = write(&self.public_log);
            let mut new_public = Vec::new();
            for entry in &entries {
                if let Some(public) = entry.public(public_log.len() as u64 + 1) {
                    new_public.push(public.event.clone());
                    public_log.push(public);
                }
            }
            write(&self.log).extend(entries.into_iter().map(Arc::new));
            new_public
        };
        *write(&self.live) = state;
        // Without an embargo the new public events are released at once.
        if self.public_delay.is_zero() && !new_public.is_empty() {
            let public_head = self.fold_released(&new_public);
            self.released_head.send_replace(public_head);
        }
        self.live_head.send_replace(head);
    }

    /// Folds public events into the public picture (in place unless a reader
    /// still holds the old one: no whole-state copy per commit) and returns
    /// the new public head.
    fn fold_released<'a>(&self, events: impl IntoIterator<Item = &'a Event>) -> u64 {
        let mut released = write(&self.released);
        let picture = Arc::make_mut(&mut released);
        for event in events {
            fold(picture, event);
        }
        picture.seq
    }

    /// Releases to the public every public event at least `public_delay` old
    /// at `now`. Returns how many were released. A no-op without an embargo.
    pub fn release(&self, now: DateTime<Utc>) -> usize {
        if self.public_delay.is_zero() {
            return 0;
        }
        let cutoff = now - self.public_delay;
        let released_seq = self.released_head();
        let due: Vec<Event> = {
            let public_log = read(&self.public_log);
            let start = usize::try_from(released_seq)
                .unwrap_or(usize::MAX)
                .min(public_log.len());
            public_log[start..]
                .iter()
                .take_while(|entry| entry.event.at <= cutoff)
                .map(|entry| entry.event.clone())
                .collect()
        };
        if due.is_empty() {
            return 0;
        }
        let public_head = self.fold_released(&due);
        self.released_head.send_replace(public_head);
        due.len()
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
        format!(
            r#"{{"seq":{},"audience":"{}","generated_at":{},"public_delay_s":{},"exercise":{},{}}}"#,
            state.seq,
            audience.as_str(),
            serde_json::to_string(&now).expect("times serialise"),
            self.public_delay.num_seconds().max(0),
            serde_json::to_string(&state.exercise.view(now)).expect("views serialise"),
            tail
        )
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

/// The `"nations":[...],"incidents":[...]` part of a snapshot, redacted.
fn snapshot_tail(state: &State, audience: Audience) -> String {
    #[derive(serde::Serialize)]
    struct Tail<'a> {
        nations: &'a [watchfloor_model::Nation],
        incidents: &'a [watchfloor_model::Incident],
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
    use serde_json::json;
    use watchfloor_model::{EventBody, Snapshot};

    fn stored(seq: u64, minutes: i64, body: serde_json::Value) -> StoredEvent {
        let body: EventBody = serde_json::from_value(body).expect("event");
        let at = "2026-11-23T08:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time")
            + chrono::Duration::minutes(minutes);
        let visibility = State::default().visibility_of(&body);
        StoredEvent {
            event: Event { seq, at, body },
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
}
