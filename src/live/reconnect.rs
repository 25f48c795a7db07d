//! The live connection's supervisor: a pure state machine deciding when to
//! fetch the snapshot, open the stream, wait, and what the connection
//! indicator says.
//!
//! It owns no I/O. `live.rs` feeds it [`Input`]s (a fetch finished, the stream
//! opened or failed, a timer fired, the tab was hidden) and carries out the
//! [`Effect`]s it returns. Every effect that starts something carries a
//! generation; inputs from an older generation (a late answer to a request
//! that was superseded) are ignored.
//!
//! The app keeps its own reconnect loop rather than relying on the browser's
//! EventSource retry: the browser gives up for good when a restarting server
//! answers 503 or 404, and never refetches the snapshot.

use chrono::{DateTime, Duration, Utc};
use watchfloor_model::time::zulu_hm;

/// Seconds of failed reconnecting before the indicator says "offline".
pub const OFFLINE_AFTER_S: i64 = 10;
/// A stream that fails sooner than this after opening counts as a failed attempt.
const FLAPPING_S: i64 = 10;
/// Resyncs closer together than this back off instead of refetching at once.
const RESYNC_GAP_S: i64 = 10;
/// The longest wait between attempts.
pub const MAX_BACKOFF_MS: u64 = 30_000;
const FIRST_BACKOFF_MS: u64 = 500;

/// What the connection indicator shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// The stream is open: what is on screen is current.
    Live,
    /// The stream dropped at `since`; trying again.
    Reconnecting { since: DateTime<Utc> },
    /// Unreachable since `since` for longer than [`OFFLINE_AFTER_S`]; still trying.
    Offline { since: DateTime<Utc> },
}

impl Connection {
    /// The `data-state` attribute: `live`, `reconnecting` or `offline`.
    pub fn data_state(self) -> &'static str {
        match self {
            Connection::Live => "live",
            Connection::Reconnecting { .. } => "reconnecting",
            Connection::Offline { .. } => "offline",
        }
    }

    /// The indicator's words: "live", "reconnecting", "offline since 14:30Z".
    pub fn label(self) -> String {
        match self {
            Connection::Live => "live".into(),
            Connection::Reconnecting { .. } => "reconnecting".into(),
            Connection::Offline { since } => format!("offline since {}", zulu_hm(since)),
        }
    }

    /// When the data on screen stopped being current, if it has.
    pub fn stale_since(self) -> Option<DateTime<Utc>> {
        match self {
            Connection::Live => None,
            Connection::Reconnecting { since } | Connection::Offline { since } => Some(since),
        }
    }
}

/// Something that happened, fed to [`Supervisor::handle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// The store was created.
    Start,
    SnapshotLoaded {
        generation: u64,
    },
    SnapshotFailed {
        generation: u64,
    },
    StreamOpened {
        generation: u64,
    },
    /// The stream could not be opened, or dropped.
    StreamFailed {
        generation: u64,
    },
    /// The server said `event: reset`, or an event did not fit our state:
    /// the snapshot must be fetched again.
    Resync {
        generation: u64,
    },
    TimerFired {
        generation: u64,
    },
    /// The reader changed (signed in or out): start again with their snapshot.
    Reload,
    /// The tab has been hidden a while: give the connection back.
    Suspend,
    /// The tab is visible again, or the browser came back online: try now.
    Resume,
}

/// Something the driver must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    FetchSnapshot {
        generation: u64,
    },
    /// Open the stream after the last seq applied.
    OpenStream {
        generation: u64,
    },
    CloseStream,
    /// Fire `TimerFired { generation }` after `delay_ms`.
    Wait {
        generation: u64,
        delay_ms: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Idle,
    Loading,
    Connecting,
    Open { since: DateTime<Utc> },
    Waiting,
    Suspended,
}

/// The reconnect loop's memory.
#[derive(Clone, Debug)]
pub struct Supervisor {
    generation: u64,
    step: Step,
    /// Failed attempts in a row.
    attempt: u32,
    /// The next attempt starts with the snapshot rather than resuming the stream.
    need_snapshot: bool,
    connection: Connection,
    lost_at: Option<DateTime<Utc>>,
    last_snapshot_at: Option<DateTime<Utc>>,
}

/// The wait before retry number `attempt` (0-based): doubling from 0.5 s up to
/// 30 s, with "equal jitter" (half fixed, half random) so that many screens
/// do not all come back at the same instant after a server restart.
/// `random` is in `0.0..1.0`.
pub fn backoff_ms(attempt: u32, random: f64) -> u64 {
    let ceiling = FIRST_BACKOFF_MS
        .saturating_mul(1u64 << attempt.min(16))
        .min(MAX_BACKOFF_MS);
    let random = random.clamp(0.0, 1.0);
    ceiling / 2 + (ceiling as f64 / 2.0 * random) as u64
}

impl Supervisor {
    /// A supervisor that has not started; the indicator says "reconnecting" until the first stream opens.
    pub fn new(now: DateTime<Utc>) -> Self {
        Supervisor {
            generation: 0,
            step: Step::Idle,
            attempt: 0,
            need_snapshot: true,
            connection: Connection::Reconnecting { since: now },
            lost_at: Some(now),
            last_snapshot_at: None,
        }
    }

    /// What the indicator shows now.
    pub fn connection(&self) -> Connection {
        self.connection
    }

    /// Whether an input of `generation` is still awaited (older ones are ignored).
    pub fn is_current(&self, generation: u64) -> bool {
        generation == self.generation
    }

    fn next(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    fn fetch(&mut self) -> Effect {
        self.step = Step::Loading;
        Effect::FetchSnapshot {
            generation: self.next(),
        }
    }

    fn open(&mut self) -> Effect {
        self.step = Step::Connecting;
        Effect::OpenStream {
            generation: self.next(),
        }
    }

    fn attempt_now(&mut self) -> Effect {
        if self.need_snapshot {
            self.fetch()
        } else {
            self.open()
        }
    }

    /// A failed attempt: say so, and wait longer each time.
    fn failed(&mut self, now: DateTime<Utc>, random: f64) -> Effect {
        let since = *self.lost_at.get_or_insert(now);
        self.connection = if now - since >= Duration::seconds(OFFLINE_AFTER_S) {
            Connection::Offline { since }
        } else {
            Connection::Reconnecting { since }
        };
        let delay_ms = backoff_ms(self.attempt, random);
        self.attempt = self.attempt.saturating_add(1);
        self.step = Step::Waiting;
        Effect::Wait {
            generation: self.next(),
            delay_ms,
        }
    }

    /// Folds one input in; returns what to do. `random` is in `0.0..1.0`.
    pub fn handle(&mut self, input: Input, now: DateTime<Utc>, random: f64) -> Vec<Effect> {
        match input {
            Input::Start => {
                if self.step != Step::Idle {
                    return Vec::new();
                }
                vec![self.fetch()]
            }
            Input::SnapshotLoaded { generation } => {
                if !self.is_current(generation) || self.step != Step::Loading {
                    return Vec::new();
                }
                self.need_snapshot = false;
                self.last_snapshot_at = Some(now);
                vec![self.open()]
            }
            Input::SnapshotFailed { generation } => {
                if !self.is_current(generation) || self.step != Step::Loading {
                    return Vec::new();
                }
                vec![self.failed(now, random)]
            }
            Input::StreamOpened { generation } => {
                if !self.is_current(generation) || self.step != Step::Connecting {
                    return Vec::new();
                }
                self.step = Step::Open { since: now };
                self.connection = Connection::Live;
                self.lost_at = None;
                Vec::new()
            }
            Input::StreamFailed { generation } => {
                if !self.is_current(generation) {
                    return Vec::new();
                }
                match self.step {
                    Step::Open { since } => {
                        // It worked and dropped: resume from the last seq at once.
                        if now - since >= Duration::seconds(FLAPPING_S) {
                            self.attempt = 0;
                        }
                        self.lost_at = Some(now);
                        vec![Effect::CloseStream, self.failed(now, random)]
                    }
                    Step::Connecting => {
                        // Resuming failed: the next try starts from a fresh snapshot.
                        self.need_snapshot = true;
                        vec![Effect::CloseStream, self.failed(now, random)]
                    }
                    _ => Vec::new(),
                }
            }
            Input::Resync { generation } => {
                if !self.is_current(generation) {
                    return Vec::new();
                }
                self.need_snapshot = true;
                let recent = self
                    .last_snapshot_at
                    .is_some_and(|at| now - at < Duration::seconds(RESYNC_GAP_S));
                if recent {
                    let delay_ms = backoff_ms(self.attempt, random);
                    self.attempt = self.attempt.saturating_add(1);
                    self.step = Step::Waiting;
                    vec![
                        Effect::CloseStream,
                        Effect::Wait {
                            generation: self.next(),
                            delay_ms,
                        },
                    ]
                } else {
                    vec![Effect::CloseStream, self.fetch()]
                }
            }
            Input::TimerFired { generation } => {
                if !self.is_current(generation) || self.step != Step::Waiting {
                    return Vec::new();
                }
                vec![self.attempt_now()]
            }
            Input::Reload => {
                self.need_snapshot = true;
                self.attempt = 0;
                vec![Effect::CloseStream, self.fetch()]
            }
            Input::Suspend => {
                if matches!(self.step, Step::Suspended | Step::Idle) {
                    return Vec::new();
                }
                self.step = Step::Suspended;
                self.next();
                if self.connection == Connection::Live {
                    self.lost_at = Some(now);
                    self.connection = Connection::Reconnecting { since: now };
                }
                vec![Effect::CloseStream]
            }
            Input::Resume => match self.step {
                Step::Suspended => {
                    self.attempt = 0;
                    vec![self.attempt_now()]
                }
                Step::Waiting => vec![self.attempt_now()],
                _ => Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> DateTime<Utc> {
        "2026-11-25T14:30:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time")
            + Duration::seconds(second)
    }

    /// Runs `inputs` (each at a second) through a fresh supervisor; returns
    /// every effect and the indicator after each step.
    struct Run {
        supervisor: Supervisor,
    }

    impl Run {
        fn new() -> Self {
            Run {
                supervisor: Supervisor::new(at(0)),
            }
        }

        fn step(&mut self, input: Input, second: i64) -> Vec<Effect> {
            self.supervisor.handle(input, at(second), 0.0)
        }

        fn generation(&self) -> u64 {
            self.supervisor.generation
        }
    }

    #[test]
    fn start_fetches_the_snapshot_then_follows_the_stream() {
        let mut run = Run::new();
        assert_eq!(
            run.step(Input::Start, 0),
            [Effect::FetchSnapshot { generation: 1 }]
        );
        assert_eq!(run.supervisor.connection().data_state(), "reconnecting");
        assert_eq!(
            run.step(Input::SnapshotLoaded { generation: 1 }, 0),
            [Effect::OpenStream { generation: 2 }]
        );
        assert_eq!(run.step(Input::StreamOpened { generation: 2 }, 1), []);
        assert_eq!(run.supervisor.connection(), Connection::Live);
    }

    #[test]
    fn a_dropped_stream_resumes_then_falls_back_to_the_snapshot() {
        let mut run = Run::new();
        run.step(Input::Start, 0);
        run.step(Input::SnapshotLoaded { generation: 1 }, 0);
        run.step(Input::StreamOpened { generation: 2 }, 0);
        // The server restarts at 60 s: resume (no snapshot) after the first backoff.
        assert_eq!(
            run.step(Input::StreamFailed { generation: 2 }, 60),
            [
                Effect::CloseStream,
                Effect::Wait {
                    generation: 3,
                    delay_ms: 250
                }
            ]
        );
        assert_eq!(
            run.supervisor.connection(),
            Connection::Reconnecting { since: at(60) }
        );
        assert_eq!(
            run.step(Input::TimerFired { generation: 3 }, 61),
            [Effect::OpenStream { generation: 4 }]
        );
        // Resuming fails (the server is still down): the next try fetches the snapshot.
        assert_eq!(
            run.step(Input::StreamFailed { generation: 4 }, 61),
            [
                Effect::CloseStream,
                Effect::Wait {
                    generation: 5,
                    delay_ms: 500
                }
            ]
        );
        assert_eq!(
            run.step(Input::TimerFired { generation: 5 }, 62),
            [Effect::FetchSnapshot { generation: 6 }]
        );
        assert_eq!(
            run.step(Input::SnapshotFailed { generation: 6 }, 75),
            [Effect::Wait {
                generation: 7,
                delay_ms: 1000
            }]
        );
        assert_eq!(
            run.supervisor.connection(),
            Connection::Offline { since: at(60) }
        );
        assert_eq!(run.supervisor.connection().label(), "offline since 14:31Z");
        // Back: snapshot, stream, live.
        run.step(Input::TimerFired { generation: 7 }, 76);
        run.step(Input::SnapshotLoaded { generation: 8 }, 76);
        run.step(Input::StreamOpened { generation: 9 }, 76);
        assert_eq!(run.supervisor.connection(), Connection::Live);
        assert_eq!(
            run.supervisor.attempt, 3,
            "counted until a stream stays open"
        );
    }

    #[test]
    fn late_answers_to_superseded_requests_are_ignored() {
        let mut run = Run::new();
        run.step(Input::Start, 0);
        assert_eq!(
            run.step(Input::Reload, 0),
            [Effect::CloseStream, Effect::FetchSnapshot { generation: 2 }]
        );
        assert_eq!(run.step(Input::SnapshotLoaded { generation: 1 }, 0), []);
        assert!(!run.supervisor.is_current(1));
        assert_eq!(
            run.step(Input::SnapshotLoaded { generation: 2 }, 0),
            [Effect::OpenStream { generation: 3 }]
        );
        assert_eq!(
            run.step(Input::TimerFired { generation: 3 }, 0),
            [],
            "not waiting"
        );
    }

    #[test]
    fn a_reset_refetches_but_not_in_a_tight_loop() {
        let mut run = Run::new();
        run.step(Input::Start, 0);
        run.step(Input::SnapshotLoaded { generation: 1 }, 0);
        run.step(Input::StreamOpened { generation: 2 }, 0);
        assert_eq!(
            run.step(Input::Resync { generation: 2 }, 30),
            [Effect::CloseStream, Effect::FetchSnapshot { generation: 3 }]
        );
        run.step(Input::SnapshotLoaded { generation: 3 }, 30);
        assert_eq!(
            run.step(Input::Resync { generation: 4 }, 31),
            [
                Effect::CloseStream,
                Effect::Wait {
                    generation: 5,
                    delay_ms: 250
                }
            ]
        );
        assert_eq!(
            run.step(Input::TimerFired { generation: 5 }, 32),
            [Effect::FetchSnapshot { generation: 6 }]
        );
    }

    #[test]
    fn a_hidden_tab_gives_its_connection_back_and_resumes_when_shown() {
        let mut run = Run::new();
        run.step(Input::Start, 0);
        run.step(Input::SnapshotLoaded { generation: 1 }, 0);
        run.step(Input::StreamOpened { generation: 2 }, 0);
        assert_eq!(run.step(Input::Suspend, 100), [Effect::CloseStream]);
        assert_eq!(
            run.step(Input::StreamFailed { generation: 2 }, 100),
            [],
            "its own close"
        );
        assert_eq!(
            run.step(Input::Resume, 200),
            [Effect::OpenStream {
                generation: run.generation()
            }]
        );
        assert_eq!(run.generation(), 4);
    }

    #[test]
    fn backoff_doubles_to_a_ceiling_with_jitter() {
        assert_eq!(backoff_ms(0, 0.0), 250);
        assert_eq!(backoff_ms(0, 1.0), 500);
        assert_eq!(backoff_ms(3, 0.5), 3000);
        assert_eq!(backoff_ms(10, 0.0), 15_000);
        assert_eq!(backoff_ms(40, 1.0), 30_000);
        assert_eq!(Connection::Live.label(), "live");
        assert_eq!(
            Connection::Reconnecting { since: at(0) }.data_state(),
            "reconnecting"
        );
        assert_eq!(
            Connection::Offline { since: at(0) }.stale_since(),
            Some(at(0))
        );
    }
}
