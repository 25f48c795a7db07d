//! The live store: the exercise as this screen knows it, kept current from the
//! server's event stream.
//!
//! It fetches the snapshot, then follows `/api/v1/stream?after=<seq>` and folds
//! each event in with the model's own reducer (`State::apply`, via
//! [`Ledger`]). The reconnect decisions live in the pure [`Supervisor`]; this
//! module only carries them out.
//!
//! # Fine-grained updates
//!
//! The state sits in a non-reactive holder. Views subscribe to one of four
//! revision counters (exercise, nations, incidents, feed) and read the state
//! through the store's accessors; lists key their rows by `(id, revision)`,
//! so an event about one incident redraws that incident's row and the figures
//! derived from the list, never the whole page.
//!
//! # Reuse
//!
//! `provide_live(LiveOptions { public_only: true })` gives a display screen the
//! same store reading `?audience=public`. Each store holds exactly one
//! stream; a tab hidden for a minute gives its connection back (browsers
//! allow about six per server across all tabs) and resumes when shown.

pub mod ledger;
pub mod reconnect;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use watchfloor_model::{Audience, Event, Exercise, Incident, Nation, Snapshot};

use crate::api::{self, EventStream, StreamMessage};
use crate::live::ledger::{Change, Ledger, Outcome};
use crate::live::reconnect::{Connection, Effect, Input, Supervisor};
use crate::ui::clock::{system_now, Clock};

/// How long a hidden tab keeps its stream open.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const HIDDEN_GRACE_MS: u64 = 60_000;

/// How a store reads the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveOptions {
    /// Ask for the public picture (`?audience=public`) whoever is signed in:
    /// the display mode's wall screens.
    pub public_only: bool,
}

/// The live store (a cheap `Copy` handle; provide it with [`provide_live`]).
#[derive(Clone, Copy)]
pub struct LiveStore {
    ledger: StoredValue<Ledger, LocalStorage>,
    exercise_revision: RwSignal<u64>,
    nations_revision: RwSignal<u64>,
    incidents_revision: RwSignal<u64>,
    feed_revision: RwSignal<u64>,
    ready: RwSignal<bool>,
    connection: RwSignal<Connection>,
    audience: RwSignal<Option<Audience>>,
    options: LiveOptions,
    reload: StoredValue<Option<Rc<dyn Fn()>>, LocalStorage>,
    /// Revisions to bump at the next animation frame (see [`LiveStore::apply_coalesced`]).
    pending: StoredValue<Pending, LocalStorage>,
}

/// Which views an animation frame's worth of events touched.
#[derive(Clone, Copy, Default)]
struct Pending {
    scheduled: bool,
    exercise: bool,
    nations: bool,
    incidents: bool,
    feed: bool,
}

impl LiveStore {
    /// A store with no connection: for component tests and previews, fed
    /// with [`LiveStore::load`] and [`LiveStore::apply`].
    pub fn detached(options: LiveOptions) -> Self {
        LiveStore {
            ledger: StoredValue::new_local(Ledger::default()),
            exercise_revision: RwSignal::new(0),
            nations_revision: RwSignal::new(0),
            incidents_revision: RwSignal::new(0),
            feed_revision: RwSignal::new(0),
            ready: RwSignal::new(false),
            connection: RwSignal::new(Connection::Reconnecting {
                since: system_now(),
            }),
            audience: RwSignal::new(None),
            options,
            reload: StoredValue::new_local(None),
            pending: StoredValue::new_local(Pending::default()),
        }
    }

    /// Replaces everything with a snapshot.
    pub fn load(&self, snapshot: Snapshot) {
        let audience = snapshot.audience;
        self.ledger.set_value(Ledger::from_snapshot(snapshot));
        for revision in [
            self.exercise_revision,
            self.nations_revision,
            self.incidents_revision,
            self.feed_revision,
        ] {
            revision.update(|value| *value += 1);
        }
        self.audience.set(Some(audience));
        self.ready.set(true);
        mark_first_data();
    }

    /// Folds one stream event in and tells the views it touched, at once.
    pub fn apply(&self, event: &Event) -> Outcome {
        let outcome = self.fold(event);
        if let Outcome::Applied(touched) = &outcome {
            if touched.exercise {
                self.exercise_revision.update(|value| *value += 1);
            }
            if touched.nations {
                self.nations_revision.update(|value| *value += 1);
            }
            if touched.incident.is_some() {
                self.incidents_revision.update(|value| *value += 1);
            }
            self.feed_revision.update(|value| *value += 1);
        }
        outcome
    }

    /// Folds one stream event in at once, but tells the views at the next
    /// animation frame, once for all the events that arrived before it: the
    /// thousand events replayed after a reconnect cost one redraw, not a
    /// thousand. The stream uses this; [`LiveStore::apply`] is for callers
    /// that want the views told immediately.
    pub fn apply_coalesced(&self, event: &Event) -> Outcome {
        let outcome = self.fold(event);
        if let Outcome::Applied(touched) = &outcome {
            let mut schedule = false;
            self.pending.update_value(|pending| {
                pending.exercise |= touched.exercise;
                pending.nations |= touched.nations;
                pending.incidents |= touched.incident.is_some();
                pending.feed = true;
                schedule = !pending.scheduled;
                pending.scheduled = true;
            });
            if schedule {
                let store = *self;
                request_animation_frame(move || store.flush());
            }
        }
        outcome
    }

    /// Tells the views about the events applied since the last frame.
    fn flush(&self) {
        let Some(pending) = self.pending.try_update_value(std::mem::take) else {
            return;
        };
        for (touched, revision) in [
            (pending.exercise, self.exercise_revision),
            (pending.nations, self.nations_revision),
            (pending.incidents, self.incidents_revision),
            (pending.feed, self.feed_revision),
        ] {
            if touched {
                revision.update(|value| *value += 1);
            }
        }
    }

    fn fold(&self, event: &Event) -> Outcome {
        self.ledger
            .try_update_value(|ledger| ledger.apply(event))
            .unwrap_or(Outcome::Duplicate)
    }

    /// Sets what the connection indicator shows (the supervisor's word).
    pub fn set_connection(&self, connection: Connection) {
        if self.connection.get_untracked() != connection {
            self.connection.set(connection);
        }
    }

    /// The connection state (tracked).
    pub fn connection(&self) -> Connection {
        self.connection.get()
    }

    /// The connection state as a signal, for components that take one.
    pub fn connection_signal(&self) -> Signal<Connection> {
        self.connection.into()
    }

    /// Whether the first snapshot has arrived (tracked).
    pub fn is_ready(&self) -> bool {
        self.ready.get()
    }

    /// Whose picture the store holds: the snapshot's audience (tracked).
    pub fn audience(&self) -> Option<Audience> {
        self.audience.get()
    }

    /// Whether this store asks for the public picture only.
    pub fn public_only(&self) -> bool {
        self.options.public_only
    }

    /// The seq of the last event applied.
    pub fn seq_untracked(&self) -> u64 {
        self.ledger.with_value(Ledger::seq)
    }

    /// Reads the exercise (re-runs when it changes).
    pub fn exercise<R>(&self, read: impl FnOnce(&Exercise) -> R) -> R {
        self.exercise_revision.track();
        self.ledger
            .with_value(|ledger| read(&ledger.state().exercise))
    }

    /// Reads what became of the scenario's entries, and the player's hold
    /// (re-runs with the exercise; empty for the public).
    pub fn script<R>(&self, read: impl FnOnce(&watchfloor_model::script::Script) -> R) -> R {
        self.exercise_revision.track();
        self.ledger
            .with_value(|ledger| read(&ledger.state().script))
    }

    /// Reads the wall screens and what control pushed to them (re-runs with
    /// the exercise; empty for the public).
    pub fn screens<R>(&self, read: impl FnOnce(&watchfloor_model::screens::Screens) -> R) -> R {
        self.exercise_revision.track();
        self.ledger
            .with_value(|ledger| read(&ledger.state().screens))
    }

    /// Reads the nations (re-runs when any changes).
    pub fn nations<R>(&self, read: impl FnOnce(&[Nation]) -> R) -> R {
        self.nations_revision.track();
        self.ledger
            .with_value(|ledger| read(&ledger.state().nations))
    }

    /// Reads the incidents through the ledger (re-runs when any changes).
    pub fn incidents<R>(&self, read: impl FnOnce(&Ledger) -> R) -> R {
        self.incidents_revision.track();
        self.ledger.with_value(read)
    }

    /// Reads the ledger without subscribing (rows that are keyed by revision).
    pub fn untracked<R>(&self, read: impl FnOnce(&Ledger) -> R) -> R {
        self.ledger.with_value(read)
    }

    /// One incident (re-runs when any incident changes).
    pub fn incident(&self, id: &str) -> Option<Incident> {
        self.incidents(|ledger| ledger.incident(id).cloned())
    }

    /// The latest changes, newest first (re-runs on each change).
    pub fn feed(&self, limit: usize) -> Vec<Change> {
        self.feed_revision.track();
        self.ledger
            .with_value(|ledger| ledger.feed().take(limit).cloned().collect())
    }

    /// What [`LiveStore::reload`] does for a detached store: the replay's
    /// store passes a reload (the reader signed in on a replayed page) on
    /// to the live store.
    pub fn on_reload(&self, reload: impl Fn() + 'static) {
        self.reload.set_value(Some(Rc::new(reload)));
    }

    /// Refetches the snapshot and reconnects: the reader signed in or out.
    pub fn reload(&self) {
        if let Some(reload) = self.reload.get_value() {
            reload();
        }
    }
}

/// Carries out the supervisor's effects in the browser.
struct Driver {
    store: LiveStore,
    clock: Option<Clock>,
    supervisor: RefCell<Supervisor>,
    stream: RefCell<Option<EventStream>>,
    alive: Cell<bool>,
    /// Counts visibility changes, so a stale "hidden for a minute" timer does nothing.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    visibility_epoch: Cell<u64>,
}

impl Driver {
    fn input(self: &Rc<Self>, input: Input) {
        if !self.alive.get() {
            return;
        }
        let random = random_unit();
        let (effects, connection) = {
            let mut supervisor = self.supervisor.borrow_mut();
            let effects = supervisor.handle(input, system_now(), random);
            (effects, supervisor.connection())
        };
        self.store.set_connection(connection);
        for effect in effects {
            self.run(effect);
        }
    }

    fn is_current(&self, generation: u64) -> bool {
        self.alive.get() && self.supervisor.borrow().is_current(generation)
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::FetchSnapshot { generation } => {
                let driver = Rc::downgrade(self);
                let public_only = self.store.options.public_only;
                leptos::task::spawn_local(async move {
                    let result = api::snapshot(public_only).await;
                    let Some(driver) = driver.upgrade() else {
                        return;
                    };
                    if !driver.is_current(generation) {
                        return;
                    }
                    match result {
                        Ok(snapshot) => {
                            if let Some(clock) = driver.clock {
                                clock.calibrate(snapshot.generated_at);
                            }
                            driver.store.load(snapshot);
                            driver.input(Input::SnapshotLoaded { generation });
                        }
                        Err(error) => {
                            log(&format!("snapshot failed: {error}"));
                            driver.input(Input::SnapshotFailed { generation });
                        }
                    }
                });
            }
            Effect::OpenStream { generation } => {
                let driver: Weak<Driver> = Rc::downgrade(self);
                let after = self.store.seq_untracked();
                let opened =
                    api::open_stream(after, self.store.options.public_only, move |message| {
                        if let Some(driver) = driver.upgrade() {
                            driver.on_stream(generation, message);
                        }
                    });
                match opened {
                    Ok(stream) => self.replace_stream(Some(stream)),
                    Err(error) => {
                        log(&format!("stream failed to open: {error}"));
                        let driver = Rc::downgrade(self);
                        // Not from inside `run`: the supervisor expects the failure later.
                        set_timeout(
                            move || {
                                if let Some(driver) = driver.upgrade() {
                                    driver.input(Input::StreamFailed { generation });
                                }
                            },
                            std::time::Duration::ZERO,
                        );
                    }
                }
            }
            Effect::CloseStream => self.replace_stream(None),
            Effect::Wait {
                generation,
                delay_ms,
            } => {
                let driver = Rc::downgrade(self);
                set_timeout(
                    move || {
                        if let Some(driver) = driver.upgrade() {
                            driver.input(Input::TimerFired { generation });
                        }
                    },
                    std::time::Duration::from_millis(delay_ms),
                );
            }
        }
    }

    /// Swaps the open stream. The old one may be the very stream whose
    /// callback is running, so it is dropped once that callback has returned.
    fn replace_stream(&self, stream: Option<EventStream>) {
        let old = self.stream.replace(stream);
        if let Some(old) = old {
            old.close();
            set_timeout(move || drop(old), std::time::Duration::ZERO);
        }
    }

    fn on_stream(self: &Rc<Self>, generation: u64, message: StreamMessage) {
        if !self.is_current(generation) {
            return;
        }
        match message {
            StreamMessage::Open => self.input(Input::StreamOpened { generation }),
            StreamMessage::Event(event) => {
                if let Outcome::Refused(error) = self.store.apply_coalesced(&event) {
                    log(&format!(
                        "event {} does not fit our state ({error}); refetching",
                        event.seq
                    ));
                    self.input(Input::Resync { generation });
                }
            }
            StreamMessage::Reset => self.input(Input::Resync { generation }),
            StreamMessage::Malformed(detail) => {
                log(&format!("unreadable event ({detail}); refetching"));
                self.input(Input::Resync { generation });
            }
            StreamMessage::Failed => self.input(Input::StreamFailed { generation }),
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    fn visibility_changed(self: &Rc<Self>, hidden: bool) {
        let epoch = self.visibility_epoch.get() + 1;
        self.visibility_epoch.set(epoch);
        if !hidden {
            self.input(Input::Resume);
            return;
        }
        let driver = Rc::downgrade(self);
        set_timeout(
            move || {
                if let Some(driver) = driver.upgrade() {
                    if driver.visibility_epoch.get() == epoch {
                        driver.input(Input::Suspend);
                    }
                }
            },
            std::time::Duration::from_millis(HIDDEN_GRACE_MS),
        );
    }
}

fn random_unit() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}

fn log(message: &str) {
    leptos::logging::warn!("watchfloor live: {message}");
}

/// Creates the live store, starts following the server, and provides it to
/// the views below. The stream closes when the providing owner is disposed.
pub fn provide_live(options: LiveOptions) -> LiveStore {
    let store = LiveStore::detached(options);
    provide_context(store);
    let driver = Rc::new(Driver {
        store,
        clock: use_context::<Clock>(),
        supervisor: RefCell::new(Supervisor::new(system_now())),
        stream: RefCell::new(None),
        alive: Cell::new(true),
        visibility_epoch: Cell::new(0),
    });
    let reload_driver = Rc::downgrade(&driver);
    store.reload.set_value(Some(Rc::new(move || {
        if let Some(driver) = reload_driver.upgrade() {
            driver.input(Input::Reload);
        }
    })));
    let listeners = BrowserListeners::attach(&driver);
    driver.input(Input::Start);
    // The owner holds the only strong references: disposing it drops the
    // driver (closing the stream) and the browser listeners. Everything
    // else (timers, fetches, stream callbacks) holds weak ones.
    StoredValue::new_local((driver, listeners));
    store
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.alive.set(false);
        if let Some(stream) = self.stream.get_mut().take() {
            stream.close();
        }
    }
}

/// The driver's browser listeners: the tab shown or hidden, the browser back online.
struct BrowserListeners {
    #[cfg(target_arch = "wasm32")]
    online: Option<WindowListenerHandle>,
    #[cfg(target_arch = "wasm32")]
    visibility: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>,
}

impl BrowserListeners {
    fn attach(driver: &Rc<Driver>) -> Self {
        #[cfg(target_arch = "wasm32")]
        {
            use wasm_bindgen::closure::Closure;
            use wasm_bindgen::JsCast;

            let weak = Rc::downgrade(driver);
            let online = window_event_listener_untyped("online", move |_| {
                if let Some(driver) = weak.upgrade() {
                    driver.input(Input::Resume);
                }
            });
            let weak = Rc::downgrade(driver);
            let visibility = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                if let Some(driver) = weak.upgrade() {
                    let hidden = document().visibility_state() == web_sys::VisibilityState::Hidden;
                    driver.visibility_changed(hidden);
                }
            });
            let _ = document().add_event_listener_with_callback(
                "visibilitychange",
                visibility.as_ref().unchecked_ref(),
            );
            BrowserListeners {
                online: Some(online),
                visibility,
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = driver;
            BrowserListeners {}
        }
    }
}

impl Drop for BrowserListeners {
    fn drop(&mut self) {
        #[cfg(target_arch = "wasm32")]
        {
            use wasm_bindgen::JsCast;
            if let Some(online) = self.online.take() {
                online.remove();
            }
            let _ = document().remove_event_listener_with_callback(
                "visibilitychange",
                self.visibility.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Provides an already-made store (component tests, previews).
pub fn provide_store(store: LiveStore) {
    provide_context(store);
}

/// The store provided by [`provide_live`].
pub fn use_live() -> LiveStore {
    expect_context::<LiveStore>()
}

thread_local! {
    static FIRST_DATA_MARKED: Cell<bool> = const { Cell::new(false) };
}

/// Performance API marks for `cargo xtask bench`: `watchfloor:first-data`
/// when the first snapshot is in the store, `watchfloor:rendered` at the next
/// animation frame, once the views have drawn it. Once per page load.
fn mark_first_data() {
    if cfg!(not(target_arch = "wasm32")) {
        return;
    }
    if FIRST_DATA_MARKED.with(|marked| marked.replace(true)) {
        return;
    }
    let mark = |name: &str| {
        if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
            let _ = performance.mark(name);
        }
    };
    mark("watchfloor:first-data");
    request_animation_frame(move || mark("watchfloor:rendered"));
}
