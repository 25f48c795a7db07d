//! The replay: the exercise as it was at the URL's `?at=` moment, held in a
//! second, detached [`LiveStore`] with a fixed [`Clock`] set to the moment's
//! time, and the playback that folds the log forward into it.
//!
//! `DashboardLayout` provides it with [`provide_replay`]; while `?at=` names
//! a moment, [`ReplayScope`](super::ReplayScope) hands its store and clock
//! to the page, so every page reads the replay through `use_live()` /
//! `use_clock()` without knowing. The live store keeps following the stream
//! underneath, so back to live is instant.
//!
//! - A new `?at=` (typed, clicked on the track, a pasted link, back and
//!   forward) fetches `snapshot?at=` and loads it; an older answer than the
//!   latest request is dropped.
//! - Playing fetches pages of the log after the replay's seq and folds
//!   every event whose time is at or before the review clock with the same
//!   reducer as the live store; the review clock runs at the chosen speed.
//!   It never touches the live stream. Reaching the live store's seq
//!   returns to live (removes `?at=`).
//! - Playback and the event steps write the moment they reached into the
//!   URL themselves ([`Echoes`]), so a reload opens the same state, without
//!   fetching what the store already holds.
//! - Links followed during a replay keep `?at=` ([`links`](super::links)).

use std::collections::VecDeque;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use watchfloor_model::review::Moment;
use watchfloor_model::{Audience, Event, Phase, Snapshot};

use crate::api::{self, EventsQuery};
use crate::live::ledger::Outcome;
use crate::live::LiveStore;
use crate::review::playback::{
    advance, caught_up, due, last_before, next_after, previous_event, wants_more, Echoes, Speed,
    PAGE_LIMIT, URL_EVERY_MS,
};
use crate::review::track::{PhaseChange, Target, Track};
use crate::ui::clock::{system_now, use_clock, Clock};
use crate::ui::query::{getter, use_query, use_query_writer, History};

/// How many pages of phase changes the marks read at most (10,000 each).
const PHASE_PAGES: usize = 10;

/// What the replay's store holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shown {
    /// The seq of the last event folded in, in the reader's sequence.
    pub seq: u64,
    /// The moment's time: the replay's clock.
    pub at: DateTime<Utc>,
}

/// Where the replay stands, for the views that switch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No `?at=` (or one that does not parse): the live picture.
    Live,
    /// A moment is asked for and its first state is on its way (or failed).
    Loading,
    /// The store holds the state at the moment.
    Ready,
}

/// Writes `?at=` (`None` removes it), keeping the page's other parameters.
type Navigate = Rc<dyn Fn(Option<String>, History)>;

/// Playback's bookkeeping; not reactive.
#[derive(Default)]
struct Engine {
    /// Bumped by every jump and stop: answers to older requests are dropped.
    generation: u64,
    /// Events fetched and not yet due, in seq order.
    waiting: VecDeque<Event>,
    fetching: bool,
    /// The review clock while playing, to the millisecond.
    review: Option<DateTime<Utc>>,
    /// The platform's time at the last tick and the last URL write.
    last_tick: Option<DateTime<Utc>>,
    last_url: Option<DateTime<Utc>>,
    echoes: Echoes,
    timer: Option<IntervalHandle>,
}

/// The replay (a cheap `Copy` handle; provided by [`provide_replay`]).
#[derive(Clone, Copy)]
pub struct Replay {
    /// The exercise as it was at the moment: loaded from `snapshot?at=`,
    /// then played forward.
    pub store: LiveStore,
    /// Fixed at the moment's time.
    pub clock: Clock,
    live: LiveStore,
    live_clock: Clock,
    /// The URL's `?at=`, as written.
    requested: Signal<Option<String>>,
    moment: Memo<Option<Result<Moment, String>>>,
    shown: RwSignal<Option<Shown>>,
    loading: RwSignal<bool>,
    failure: RwSignal<Option<String>>,
    /// Whether the scrubber is shown.
    open: RwSignal<bool>,
    playing: RwSignal<bool>,
    speed: RwSignal<Speed>,
    phases: RwSignal<Vec<PhaseChange>>,
    first_event: RwSignal<Option<DateTime<Utc>>>,
    /// Where the thumb is while it is dragged or moved by keys, before the
    /// state there has been asked for.
    preview: RwSignal<Option<DateTime<Utc>>>,
    engine: StoredValue<Engine, LocalStorage>,
    navigate: StoredValue<Navigate, LocalStorage>,
    /// Whether it talks to the server (a detached replay in component tests does not).
    connected: bool,
}

impl Replay {
    fn build(
        live: LiveStore,
        live_clock: Clock,
        requested: Signal<Option<String>>,
        navigate: Navigate,
        connected: bool,
    ) -> Replay {
        let moment = Memo::new(move |_| requested.get().map(|text| Moment::parse(&text)));
        Replay {
            store: LiveStore::detached(Default::default()),
            clock: Clock::fixed(live_clock.now_untracked()),
            live,
            live_clock,
            requested,
            moment,
            shown: RwSignal::new(None),
            loading: RwSignal::new(false),
            failure: RwSignal::new(None),
            open: RwSignal::new(false),
            playing: RwSignal::new(false),
            speed: RwSignal::new(Speed::DEFAULT),
            phases: RwSignal::new(Vec::new()),
            first_event: RwSignal::new(None),
            preview: RwSignal::new(None),
            engine: StoredValue::new_local(Engine::default()),
            navigate: StoredValue::new_local(navigate),
            connected,
        }
    }

    /// A replay that never talks to the server, for component tests: its
    /// `?at=` is `requested`, its URL writes go to `navigate`, and the test
    /// loads its states with [`Replay::load_snapshot`].
    pub fn detached(
        live: LiveStore,
        live_clock: Clock,
        requested: Signal<Option<String>>,
        navigate: impl Fn(Option<String>, History) + 'static,
    ) -> Replay {
        Replay::build(live, live_clock, requested, Rc::new(navigate), false)
    }

    /// Provides it to the views below (component tests; [`provide_replay`] does this itself).
    pub fn provide(self) {
        provide_context(self);
    }

    // ----- reading -----

    /// The live store underneath.
    pub fn live(&self) -> LiveStore {
        self.live
    }

    /// The live clock (now).
    pub fn live_clock(&self) -> Clock {
        self.live_clock
    }

    /// Whether a moment is being replayed (tracked).
    pub fn replaying(&self) -> bool {
        matches!(self.moment.get(), Some(Ok(_)))
    }

    fn replaying_untracked(&self) -> bool {
        matches!(self.moment.get_untracked(), Some(Ok(_)))
    }

    /// Live, loading or ready (tracked).
    pub fn mode(&self) -> Mode {
        match (self.replaying(), self.shown.with(Option::is_some)) {
            (false, _) => Mode::Live,
            (true, false) => Mode::Loading,
            (true, true) => Mode::Ready,
        }
    }

    /// The URL's `?at=` as written (tracked).
    pub fn requested(&self) -> Option<String> {
        self.requested.get()
    }

    /// Why the URL's `?at=` is not a moment, if it is not (tracked).
    pub fn link_error(&self) -> Option<String> {
        match self.moment.get() {
            Some(Err(message)) => Some(message),
            _ => None,
        }
    }

    /// What the replay's store holds (tracked).
    pub fn shown(&self) -> Option<Shown> {
        self.shown.get()
    }

    /// Whether a state is on its way (tracked).
    pub fn loading(&self) -> bool {
        self.loading.get()
    }

    /// Why the last read failed (tracked).
    pub fn failure(&self) -> Option<String> {
        self.failure.get()
    }

    /// Whether the scrubber is shown (tracked).
    pub fn is_open(&self) -> bool {
        self.open.get()
    }

    /// Shows or hides the scrubber.
    pub fn set_open(&self, open: bool) {
        self.open.set(open);
    }

    /// Whether playback runs (tracked).
    pub fn playing(&self) -> bool {
        self.playing.get()
    }

    /// The playback speed (tracked).
    pub fn speed(&self) -> Speed {
        self.speed.get()
    }

    /// Changes the playback speed (playing on at the new one).
    pub fn set_speed(&self, speed: Speed) {
        self.speed.set(speed);
    }

    /// The log's phase changes (tracked).
    pub fn phases(&self) -> Vec<PhaseChange> {
        self.phases.get()
    }

    /// Sets the phase changes (the marks' fetch; component tests).
    pub fn set_phases(&self, phases: Vec<PhaseChange>) {
        self.phases.set(phases);
    }

    /// Sets the time of the log's first event (the marks' fetch; component tests).
    pub fn set_first_event(&self, at: Option<DateTime<Utc>>) {
        self.first_event.set(at);
    }

    /// Where the thumb is shown: the dragged position, else the state's
    /// time; `None` at the live edge (tracked).
    pub fn position(&self) -> Option<DateTime<Utc>> {
        if !self.replaying() {
            return self.preview.get();
        }
        self.preview
            .get()
            .or_else(|| self.shown.with(|shown| shown.map(|shown| shown.at)))
    }

    /// Moves the thumb without asking for the state there yet (a drag, keys).
    pub fn set_preview(&self, at: Option<DateTime<Utc>>) {
        self.preview.set(at);
    }

    /// The track under the scrubber: the live exercise's schedule, the
    /// log's first event and the last mark, to now (tracked, once a minute).
    pub fn track(&self) -> Track {
        let (startex, endex) = self
            .live
            .exercise(|exercise| (exercise.startex, exercise.endex));
        let last_phase = self
            .phases
            .with(|phases| phases.iter().map(|change| change.at).max());
        let last_inject = self.inject_times().last().copied();
        let last_known = last_phase.max(last_inject);
        Track::new(
            startex,
            endex,
            self.first_event.get(),
            last_known,
            self.live_clock
                .minute()
                .max(self.live_clock.now_untracked()),
        )
    }

    /// When each inject's incident was opened, in order (from the live
    /// store, which holds every incident the reader may see; tracked).
    pub fn inject_times(&self) -> Vec<DateTime<Utc>> {
        let mut times: Vec<DateTime<Utc>> = self.live.incidents(|ledger| {
            ledger
                .state()
                .incidents
                .iter()
                .filter(|incident| incident.inject.is_some())
                .map(|incident| incident.opened_at)
                .collect()
        });
        times.sort();
        times
    }

    /// The time the steps count from: the state's, else now (tracked).
    fn step_from(&self) -> DateTime<Utc> {
        self.shown
            .with(|shown| shown.map(|shown| shown.at))
            .filter(|_| self.replaying())
            .unwrap_or_else(|| self.live_clock.now())
    }

    /// The seq the event steps count from (tracked).
    fn seq(&self) -> u64 {
        match self.shown.get().filter(|_| self.replaying()) {
            Some(shown) => shown.seq,
            None => self.live.incidents(|ledger| ledger.seq()),
        }
    }

    /// Whether there is an event to step back to (tracked).
    pub fn can_step_back(&self) -> bool {
        previous_event(self.seq()).is_some()
    }

    /// Whether there is an inject before / after the position (tracked).
    pub fn has_inject(&self, forward: bool) -> bool {
        let times = self.inject_times();
        let from = self.step_from();
        if forward {
            self.replaying() && next_after(&times, from).is_some()
        } else {
            last_before(&times, from).is_some()
        }
    }

    // ----- going somewhere -----

    /// Goes where the scrubber was asked to.
    pub fn go(&self, target: Target) {
        match target {
            Target::Live => self.go_live(History::Push),
            Target::At(at) => self.jump(Moment::Time(at)),
        }
    }

    /// Asks for the state at `moment` (through the URL, like a link would).
    pub fn jump(&self, moment: Moment) {
        self.halt();
        self.preview.set(None);
        self.write_url(Some(moment.to_string()), History::Push, false);
    }

    /// Reads a typed moment and goes there; the parser's message when it is not one.
    pub fn submit(&self, text: &str) -> Result<(), String> {
        let moment = Moment::parse(text)?;
        self.jump(moment);
        Ok(())
    }

    /// Back to the live picture: removes `?at=`.
    pub fn go_live(&self, history: History) {
        self.halt();
        self.preview.set(None);
        self.write_url(None, history, false);
    }

    /// One event back: the state before the last event applied.
    pub fn step_back(&self) {
        let seq = self.seq_untracked();
        if let Some(moment) = previous_event(seq) {
            self.jump(moment);
        }
    }

    /// One event forward: the next event of the log folded in, the clock at
    /// its time; at the live head, back to live.
    pub fn step_forward(&self) {
        if !self.replaying_untracked() {
            return;
        }
        self.halt();
        let next = self
            .engine
            .try_update_value(|engine| engine.waiting.pop_front())
            .flatten();
        if let Some(event) = next {
            self.take_step(event);
            return;
        }
        let seq = self.store.seq_untracked();
        if caught_up(seq, self.live.seq_untracked()) {
            self.go_live(History::Push);
            return;
        }
        if !self.connected {
            return;
        }
        let generation = self.generation();
        let replay = *self;
        leptos::task::spawn_local(async move {
            let page = api::events_page(EventsQuery {
                after: seq,
                limit: Some(1),
                ..EventsQuery::default()
            })
            .await;
            if !replay.is_current(generation) {
                return;
            }
            match page {
                Ok(page) => match page.events.into_iter().next() {
                    Some(event) => replay.take_step(event),
                    None => replay.go_live(History::Push),
                },
                Err(error) => replay.failure.set(Some(error.message())),
            }
        });
    }

    /// The next inject after the position (replaying only).
    pub fn next_inject(&self) {
        if !self.replaying_untracked() {
            return;
        }
        let from = self.step_from_untracked();
        if let Some(at) = next_after(&untrack(|| self.inject_times()), from) {
            self.jump(Moment::Time(at));
        }
    }

    /// The last inject before the position (or before now, when live).
    pub fn previous_inject(&self) {
        let from = self.step_from_untracked();
        if let Some(at) = last_before(&untrack(|| self.inject_times()), from) {
            self.jump(Moment::Time(at));
        }
    }

    fn step_from_untracked(&self) -> DateTime<Utc> {
        untrack(|| self.step_from())
    }

    fn seq_untracked(&self) -> u64 {
        untrack(|| self.seq())
    }

    fn take_step(&self, event: Event) {
        let (seq, at) = (event.seq, event.at);
        match self.store.apply(&event) {
            Outcome::Refused(error) => {
                log(&format!(
                    "event {seq} does not fit the replay ({error}); rereading"
                ));
                self.fetch(Moment::Seq(seq));
            }
            Outcome::Applied(_) | Outcome::Duplicate => {
                self.clock.set(at);
                self.shown.set(Some(Shown {
                    seq: self.store.seq_untracked(),
                    at,
                }));
                self.write_url(Some(Moment::Seq(seq).to_string()), History::Push, true);
            }
        }
    }

    /// Writes `?at=`; `echo`: the store already holds that state.
    fn write_url(&self, at: Option<String>, history: History, echo: bool) {
        if let (true, Some(text)) = (echo, &at) {
            self.engine
                .update_value(|engine| engine.echoes.remember(text.clone()));
        }
        let navigate = self.navigate.get_value();
        navigate(at, history);
    }

    // ----- playing -----

    /// Plays forward from the state on screen at the chosen speed.
    pub fn play(&self) {
        if !self.replaying_untracked() || self.playing.get_untracked() {
            return;
        }
        let Some(shown) = self.shown.get_untracked() else {
            return;
        };
        if caught_up(self.store.seq_untracked(), self.live.seq_untracked()) {
            self.go_live(History::Replace);
            return;
        }
        let now = system_now();
        self.engine.update_value(|engine| {
            engine.review = Some(shown.at);
            engine.last_tick = Some(now);
            engine.last_url = Some(now);
        });
        self.playing.set(true);
        self.start_timer();
        self.tick();
    }

    /// Pauses, leaving the moment reached in the URL.
    pub fn pause(&self) {
        if !self.playing.get_untracked() {
            return;
        }
        self.halt();
        if let Some(shown) = self.shown.get_untracked() {
            self.write_url(
                Some(Moment::Time(shown.at).to_string()),
                History::Replace,
                true,
            );
        }
    }

    /// Play or pause.
    pub fn toggle_playing(&self) {
        if self.playing.get_untracked() {
            self.pause();
        } else {
            self.play();
        }
    }

    /// Stops playback where it is, writing nothing.
    fn halt(&self) {
        if self.playing.try_get_untracked() == Some(true) {
            self.playing.set(false);
        }
        self.stop_timer();
    }

    fn start_timer(&self) {
        #[cfg(target_arch = "wasm32")]
        {
            let replay = *self;
            let every = std::time::Duration::from_millis(crate::review::playback::TICK_MS);
            if let Ok(handle) = set_interval_with_handle(move || replay.tick(), every) {
                self.engine.update_value(|engine| {
                    if let Some(old) = engine.timer.replace(handle) {
                        old.clear();
                    }
                });
            }
        }
    }

    fn stop_timer(&self) {
        if let Some(Some(timer)) = self.engine.try_update_value(|engine| engine.timer.take()) {
            timer.clear();
        }
    }

    /// One step of playback: move the review clock, fold in what is due,
    /// fetch ahead, return to live at the head, now and then write the URL.
    fn tick(&self) {
        if self.playing.try_get_untracked() != Some(true) {
            return;
        }
        let now = system_now();
        let speed = self.speed.get_untracked();
        let live_now = self.live_clock.now_untracked();
        let Some((review, due_events, write_url)) = self.engine.try_update_value(|engine| {
            let last_tick = engine.last_tick.unwrap_or(now);
            let review = advance(engine.review.unwrap_or(now), now - last_tick, speed)
                .min(live_now.max(engine.review.unwrap_or(live_now)));
            engine.review = Some(review);
            engine.last_tick = Some(now);
            let write_url = engine
                .last_url
                .is_none_or(|last| (now - last).num_milliseconds() >= URL_EVERY_MS);
            if write_url {
                engine.last_url = Some(now);
            }
            let count = due(&engine.waiting, review);
            let due_events: Vec<Event> = engine.waiting.drain(..count).collect();
            (review, due_events, write_url)
        }) else {
            return;
        };
        for event in &due_events {
            if let Outcome::Refused(error) = self.store.apply_coalesced(event) {
                log(&format!(
                    "event {} does not fit the replay ({error}); rereading",
                    event.seq
                ));
                self.fetch(Moment::Time(review));
                return;
            }
        }
        self.clock.set(review);
        let seq = self.store.seq_untracked();
        self.shown.set(Some(Shown { seq, at: review }));
        let (waiting, last_fetched) = self.engine.with_value(|engine| {
            (
                engine.waiting.len(),
                engine.waiting.back().map_or(seq, |event| event.seq),
            )
        });
        let live_seq = self.live.seq_untracked();
        if waiting == 0 && caught_up(seq, live_seq) {
            self.go_live(History::Replace);
            return;
        }
        if wants_more(waiting, last_fetched, live_seq) {
            self.fetch_more(last_fetched);
        }
        if write_url {
            self.write_url(
                Some(Moment::Time(review).to_string()),
                History::Replace,
                true,
            );
        }
    }

    /// Fetches the page of the log after `after` for playback.
    fn fetch_more(&self, after: u64) {
        if !self.connected {
            return;
        }
        let started = self
            .engine
            .try_update_value(|engine| !std::mem::replace(&mut engine.fetching, true))
            .unwrap_or(false);
        if !started {
            return;
        }
        let generation = self.generation();
        let replay = *self;
        leptos::task::spawn_local(async move {
            let page = api::events_page(EventsQuery {
                after,
                limit: Some(PAGE_LIMIT),
                ..EventsQuery::default()
            })
            .await;
            if !replay.is_current(generation) {
                return;
            }
            replay.engine.update_value(|engine| engine.fetching = false);
            match page {
                Ok(page) => replay.engine.update_value(|engine| {
                    for event in page.events {
                        let last = engine.waiting.back().map_or(after, |event| event.seq);
                        if event.seq > last {
                            engine.waiting.push_back(event);
                        }
                    }
                }),
                Err(error) => {
                    replay.failure.set(Some(error.message()));
                    replay.pause();
                }
            }
        });
    }

    // ----- loading -----

    /// Replaces the replay's state with a snapshot (the fetch's answer;
    /// component tests call it directly).
    pub fn load_snapshot(&self, snapshot: Snapshot) {
        let shown = Shown {
            seq: snapshot.seq,
            at: snapshot.generated_at,
        };
        self.clock.set(shown.at);
        self.store.load(snapshot);
        self.shown.set(Some(shown));
        self.preview.set(None);
    }

    fn generation(&self) -> u64 {
        self.engine
            .try_with_value(|engine| engine.generation)
            .unwrap_or_default()
    }

    /// Whether an answer to a request made at `generation` is still wanted.
    fn is_current(&self, generation: u64) -> bool {
        self.engine
            .try_with_value(|engine| engine.generation == generation)
            .unwrap_or(false)
    }

    /// Drops whatever was on its way or waiting: a new moment, or live.
    fn forget(&self) -> u64 {
        self.engine
            .try_update_value(|engine| {
                engine.generation += 1;
                engine.waiting.clear();
                engine.fetching = false;
                engine.generation
            })
            .unwrap_or_default()
    }

    /// Fetches and loads the state at `moment`.
    fn fetch(&self, moment: Moment) {
        self.halt();
        let generation = self.forget();
        self.failure.set(None);
        if !self.connected {
            return;
        }
        self.loading.set(true);
        let replay = *self;
        leptos::task::spawn_local(async move {
            let answer = api::snapshot_at(&moment.to_string()).await;
            if !replay.is_current(generation) {
                return;
            }
            replay.loading.set(false);
            match answer {
                Ok(snapshot) => replay.load_snapshot(snapshot),
                Err(error) => replay.failure.set(Some(error.message())),
            }
        });
    }

    /// Back to live: nothing on its way, nothing shown.
    fn stop(&self) {
        self.halt();
        self.forget();
        self.engine.update_value(|engine| engine.echoes.clear());
        self.loading.set(false);
        self.failure.set(None);
        self.shown.set(None);
        self.preview.set(None);
    }

    /// Follows the URL and the reader: a new `?at=` loads its state (unless
    /// playback wrote it), no `?at=` stops, a new audience rereads the
    /// moment, and the marks are read when the scrubber is first needed.
    fn follow(&self) {
        let replay = *self;
        Effect::new(move |_| {
            let moment = replay.moment.get();
            let text = replay.requested.get_untracked().unwrap_or_default();
            match moment {
                Some(Ok(moment)) => {
                    let echo = replay
                        .engine
                        .try_update_value(|engine| engine.echoes.is_echo(&text))
                        .unwrap_or(false);
                    if !echo {
                        replay.fetch(moment);
                    }
                }
                _ => replay.stop(),
            }
        });
        Effect::new(move |_| {
            if replay.replaying() || replay.link_error().is_some() {
                replay.open.set(true);
            }
        });
        // Signing in or out changes what the moment looked like to this reader.
        Effect::new(move |previous: Option<Option<Audience>>| {
            let audience = replay.live.audience();
            if let (Some(Some(before)), Some(now)) = (previous, audience) {
                if before != now && replay.replaying_untracked() {
                    if let Some(Ok(moment)) = replay.moment.get_untracked() {
                        replay.fetch(moment);
                    }
                }
            }
            audience
        });
        Effect::new(move |_| {
            let wanted = replay.open.get() || replay.replaying();
            let audience = replay.live.audience();
            // A phase change (or a new schedule) adds a mark.
            let _phase: Phase = replay.live.exercise(|exercise| exercise.phase);
            if wanted && audience.is_some() {
                replay.fetch_marks();
            }
        });
    }

    /// Reads the phase changes and the log's first event for the track.
    fn fetch_marks(&self) {
        let replay = *self;
        leptos::task::spawn_local(async move {
            let mut changes = Vec::new();
            let mut after = 0;
            for _ in 0..PHASE_PAGES {
                let page = api::events_page(EventsQuery {
                    after,
                    limit: Some(10_000),
                    kind: Some("phase_changed"),
                    ..EventsQuery::default()
                })
                .await;
                let Ok(page) = page else {
                    break;
                };
                changes.extend(page.events.iter().filter_map(|event| match &event.body {
                    watchfloor_model::EventBody::PhaseChanged(change) => Some(PhaseChange {
                        seq: event.seq,
                        at: event.at,
                        phase: change.phase,
                    }),
                    _ => None,
                }));
                match page.next {
                    Some(next) if next > after => after = next,
                    _ => break,
                }
            }
            let first = api::events_page(EventsQuery {
                after: 0,
                limit: Some(1),
                ..EventsQuery::default()
            })
            .await
            .ok()
            .and_then(|page| page.events.first().map(|event| event.at));
            if replay.phases.try_set(changes).is_some() {
                return;
            }
            let _ = replay.first_event.try_set(first);
        });
    }
}

fn log(message: &str) {
    leptos::logging::warn!("watchfloor replay: {message}");
}

/// Creates the replay for the dashboard's pages, follows the URL's `?at=`,
/// keeps `?at=` on links followed during a replay, and provides it. Under
/// the `Router`, after the live store.
pub fn provide_replay(live: LiveStore) -> Replay {
    let query = use_query();
    let requested = Signal::derive(move || {
        query
            .with(|pairs| getter(pairs)("at"))
            .filter(|text| !text.trim().is_empty())
    });
    let writer = use_query_writer();
    let navigate: Navigate = Rc::new(move |at, history| writer.set("at", at, history));
    let replay = Replay::build(live, use_clock(), requested, navigate, true);
    // Signing in on a replayed page reloads the live store; the audience
    // effect then rereads the replay.
    replay.store.on_reload(move || live.reload());
    provide_context(replay);
    replay.follow();
    #[cfg(target_arch = "wasm32")]
    {
        let keeper = link_keeper::LinkKeeper::attach(replay, leptos_router::hooks::use_navigate());
        StoredValue::new_local(keeper);
    }
    on_cleanup(move || replay.stop_timer());
    replay
}

/// The replay provided by [`provide_replay`].
pub fn use_replay() -> Replay {
    expect_context::<Replay>()
}

/// The replay, where there is one (the header outside a dashboard layout has none).
pub fn try_use_replay() -> Option<Replay> {
    use_context::<Replay>()
}

#[cfg(target_arch = "wasm32")]
mod link_keeper {
    //! The click listener that keeps `?at=` on links followed during a replay.

    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    use super::Replay;
    use crate::review::links::keep_moment;

    /// A capturing click listener on the window: it runs before the
    /// router's own, and when it rewrites a link it navigates itself and
    /// marks the click handled, so the router leaves it alone.
    pub struct LinkKeeper {
        listener: Closure<dyn FnMut(web_sys::MouseEvent)>,
    }

    impl LinkKeeper {
        pub fn attach(
            replay: Replay,
            navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
        ) -> LinkKeeper {
            let listener = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(
                move |event: web_sys::MouseEvent| {
                    if let Some(url) = rewritten(replay, &event) {
                        event.prevent_default();
                        navigate(&url, Default::default());
                    }
                },
            );
            if let Some(window) = web_sys::window() {
                let _ = window.add_event_listener_with_callback_and_bool(
                    "click",
                    listener.as_ref().unchecked_ref(),
                    true,
                );
            }
            LinkKeeper { listener }
        }
    }

    /// The link's new address, if the click follows an app link the replay keeps.
    fn rewritten(replay: Replay, event: &web_sys::MouseEvent) -> Option<String> {
        if !replay.replaying_untracked() {
            return None;
        }
        let at = replay.requested.try_get_untracked()??;
        if event.default_prevented()
            || event.button() != 0
            || event.meta_key()
            || event.alt_key()
            || event.ctrl_key()
            || event.shift_key()
        {
            return None;
        }
        // The outermost anchor on the event's path, as the router picks it.
        let path = event.composed_path();
        let anchor = (0..path.length()).rev().find_map(|index| {
            path.get(index)
                .dyn_into::<web_sys::HtmlAnchorElement>()
                .ok()
        })?;
        let rel = anchor.get_attribute("rel").unwrap_or_default();
        if !anchor.target().is_empty()
            || anchor.has_attribute("download")
            || rel.split_whitespace().any(|part| part == "external")
            || anchor.get_attribute("href").is_none()
        {
            return None;
        }
        let origin = web_sys::window()?.location().origin().ok()?;
        if anchor.origin() != origin {
            return None;
        }
        let href = format!("{}{}{}", anchor.pathname(), anchor.search(), anchor.hash());
        keep_moment(&href, &at)
    }

    impl Drop for LinkKeeper {
        fn drop(&mut self) {
            if let Some(window) = web_sys::window() {
                let _ = window.remove_event_listener_with_callback_and_bool(
                    "click",
                    self.listener.as_ref().unchecked_ref(),
                    true,
                );
            }
        }
    }
}
