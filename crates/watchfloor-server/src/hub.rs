//! The hub: the live state, the in-memory log, and the fan-out to streams.
//!
//! The writer publishes here after each durable commit; readers never touch
//! the database. Two views are kept:
//!
//! - the *live* view, for commanders and control: every committed event;
//! - the *released* view, for the public: with an embargo (`--public-delay D`)
//!   the fold of only the events at least D old, advanced by [`Hub::release`]
//!   on a timer; with no embargo, the live view itself.
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
use watchfloor_model::{redact, Audience, Event, State, Visibility};

use crate::store::StoredEvent;

/// One event of the log, ready to send.
#[derive(Debug)]
pub struct LogEntry {
    pub event: Event,
    pub visibility: Visibility,
    /// The event as readers who see restricted information receive it.
    pub full_json: String,
    /// The event as the public receives it; `None` if the public may not see it.
    pub public_json: Option<String>,
}

impl LogEntry {
    /// Serialises an event once for each audience class.
    pub fn new(stored: StoredEvent) -> LogEntry {
        let StoredEvent { event, visibility } = stored;
        let full_json = serde_json::to_string(&event).expect("events serialise");
        let public_json = redact::event(&event, visibility, Audience::Public)
            .map(|public| serde_json::to_string(&public).expect("events serialise"));
        LogEntry {
            event,
            visibility,
            full_json,
            public_json,
        }
    }

    pub fn seq(&self) -> u64 {
        self.event.seq
    }

    /// The JSON `audience` may receive, if any.
    pub fn json_for(&self, audience: Audience) -> Option<&str> {
        if audience.sees_restricted() {
            Some(&self.full_json)
        } else {
            self.public_json.as_deref()
        }
    }
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
    /// The full state as of the last released event (equal to `live` with no embargo).
    released: RwLock<Arc<State>>,
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
        for stored in events {
            fold(&mut live, &stored.event);
            if !public_delay.is_zero() && stored.event.at <= cutoff {
                fold(&mut released, &stored.event);
            }
            log.push(Arc::new(LogEntry::new(stored)));
        }
        let head = live.seq;
        let live = Arc::new(live);
        let released = if public_delay.is_zero() {
            live.clone()
        } else {
            Arc::new(released)
        };
        let released_seq = released.seq;
        Hub {
            log: RwLock::new(log),
            live: RwLock::new(live),
            live_head: watch::Sender::new(head),
            released: RwLock::new(released),
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

    /// The last seq released to the public.
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

    /// The state `audience` reads from (not yet redacted).
    pub fn state_for(&self, audience: Audience) -> Arc<State> {
        if audience.sees_restricted() {
            self.live_state()
        } else {
            read(&self.released).clone()
        }
    }

    /// A receiver of the head seq `audience` may read up to.
    pub fn subscribe(&self, audience: Audience) -> watch::Receiver<u64> {
        if audience.sees_restricted() {
            self.live_head.subscribe()
        } else {
            self.released_head.subscribe()
        }
    }

    /// Up to `limit` entries with seqs in `(after, upto]`, in order.
    pub fn entries(&self, after: u64, upto: u64, limit: usize) -> Vec<Arc<LogEntry>> {
        let log = read(&self.log);
        let start = log.partition_point(|entry| entry.seq() <= after);
        log[start..]
            .iter()
            .take_while(|entry| entry.seq() <= upto)
            .take(limit)
            .cloned()
            .collect()
    }

    /// Called by the writer after a durable commit: makes the new state and
    /// events visible, then wakes the streams.
    pub fn publish(&self, state: Arc<State>, entries: Vec<LogEntry>) {
        let head = state.seq;
        {
            let mut log = write(&self.log);
            log.extend(entries.into_iter().map(Arc::new));
        }
        *write(&self.live) = state.clone();
        if self.public_delay.is_zero() {
            *write(&self.released) = state;
            self.released_head.send_replace(head);
        }
        self.live_head.send_replace(head);
    }

    /// Releases to the public every event at least `public_delay` old at
    /// `now`. Returns how many were released. A no-op without an embargo.
    pub fn release(&self, now: DateTime<Utc>) -> usize {
        if self.public_delay.is_zero() {
            return 0;
        }
        let cutoff = now - self.public_delay;
        let released_seq = self.released_head();
        let due: Vec<Arc<LogEntry>> = {
            let log = read(&self.log);
            let start = log.partition_point(|entry| entry.seq() <= released_seq);
            log[start..]
                .iter()
                .take_while(|entry| entry.event.at <= cutoff)
                .cloned()
                .collect()
        };
        let Some(last) = due.last() else {
            return 0;
        };
        let mut state = (*self.state_for(Audience::Public)).clone();
        for entry in &due {
            fold(&mut state, &entry.event);
        }
        *write(&self.released) = Arc::new(state);
        self.released_head.send_replace(last.seq());
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
            let expected = Snapshot::new(&hub.live_state().redacted(audience), audience, now);
            assert_eq!(spliced, expected, "{audience:?}");
            // A second read hits the cache and agrees.
            assert_eq!(
                hub.snapshot_json(audience, now),
                hub.snapshot_json(audience, now)
            );
        }
        assert!(!hub.snapshot_json(Audience::Public, now).contains("SECRET"));
    }

    #[test]
    fn an_embargo_releases_events_in_order_as_they_age() {
        let start: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().expect("time");
        let delay = chrono::Duration::minutes(10);
        let hub = Hub::rebuild(events(), delay, start + chrono::Duration::minutes(12));
        assert_eq!((hub.head(), hub.released_head()), (4, 3));
        assert_eq!(hub.state_for(Audience::Public).incidents.len(), 1);
        assert_eq!(hub.release(start + chrono::Duration::minutes(39)), 0);
        assert_eq!(hub.release(start + chrono::Duration::minutes(40)), 1);
        assert_eq!(hub.released_head(), 4);
        assert_eq!(
            hub.entries(1, 4, 2)
                .iter()
                .map(|e| e.seq())
                .collect::<Vec<_>>(),
            [2, 3]
        );
    }
}
