//! The wall clock every view reads: UTC, ticking once a second, corrected by
//! the server's clock (ops-room PCs on an isolated network drift).

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;

/// The current time from the platform's clock.
pub fn system_now() -> DateTime<Utc> {
    #[cfg(target_arch = "wasm32")]
    {
        let ms = js_sys::Date::now() as i64;
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let elapsed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        DateTime::from_timestamp_millis(elapsed.as_millis() as i64).unwrap_or_default()
    }
}

/// The clock context: `now` ticks every second; `minute` only when the
/// minute changes (for views too heavy to redraw every second, like the
/// timeline's open bars).
#[derive(Clone, Copy)]
pub struct Clock {
    now: RwSignal<DateTime<Utc>>,
    minute: Memo<DateTime<Utc>>,
    /// Server time minus our time, in ms.
    offset_ms: RwSignal<i64>,
    ticking: bool,
}

impl Clock {
    fn new(start: DateTime<Utc>, ticking: bool) -> Self {
        let now = RwSignal::new(start);
        let minute = Memo::new(move |_| {
            let now = now.get();
            let ms = now.timestamp_millis();
            DateTime::from_timestamp_millis(ms - ms.rem_euclid(60_000)).unwrap_or(now)
        });
        Clock {
            now,
            minute,
            offset_ms: RwSignal::new(0),
            ticking,
        }
    }

    /// A clock stopped at `at`, not provided to anything: the replay's
    /// clock, which the review sets to the moment on screen and hands to
    /// the pages below it (see `review::ReplayScope`).
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock::new(at, false)
    }

    /// The current UTC time (tracked: the caller re-runs every second).
    pub fn now(&self) -> DateTime<Utc> {
        self.now.get()
    }

    /// The current time without subscribing to it.
    pub fn now_untracked(&self) -> DateTime<Utc> {
        self.now.get_untracked()
    }

    /// The current time to the minute (tracked: re-runs once a minute).
    pub fn minute(&self) -> DateTime<Utc> {
        self.minute.get()
    }

    /// Corrects our clock by the server's: `server_time` was current when we received it.
    pub fn calibrate(&self, server_time: DateTime<Utc>) {
        if !self.ticking {
            return;
        }
        let offset = (server_time - system_now()).num_milliseconds();
        // Ignore small differences: they are network latency, not drift.
        let offset = if offset.abs() < 2_000 { 0 } else { offset };
        self.offset_ms.set(offset);
        self.tick();
    }

    /// Sets the time (a fixed clock in tests; the next tick for a running one).
    pub fn set(&self, at: DateTime<Utc>) {
        self.now.set(at);
    }

    fn tick(&self) {
        let at = system_now() + Duration::milliseconds(self.offset_ms.get_untracked());
        self.now.set(at);
    }
}

/// Provides a clock that ticks every second.
pub fn provide_clock() -> Clock {
    let clock = Clock::new(system_now(), true);
    #[cfg(target_arch = "wasm32")]
    {
        if let Ok(handle) =
            set_interval_with_handle(move || clock.tick(), std::time::Duration::from_secs(1))
        {
            on_cleanup(move || handle.clear());
        }
    }
    provide_context(clock);
    clock
}

/// Provides a clock stopped at `at` (component tests move it with [`Clock::set`]).
pub fn provide_fixed_clock(at: DateTime<Utc>) -> Clock {
    let clock = Clock::fixed(at);
    provide_context(clock);
    clock
}

/// The clock provided by [`provide_clock`].
pub fn use_clock() -> Clock {
    expect_context::<Clock>()
}
