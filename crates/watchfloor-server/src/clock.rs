//! The server's one clock: every "now" the server reads (an event's `at`,
//! the embargo, the scenario player, session expiry, the time of a read)
//! comes from the `Clock` it was started with.
//!
//! In production that is the system clock. Tests hand the server a manual
//! clock and move it, so the embargo, the player, sessions and a clock that
//! jumps are tested without sleeping on the wall clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// See the module documentation. Cheap to clone: clones share one clock.
#[derive(Clone, Debug)]
pub struct Clock(Arc<Source>);

#[derive(Debug)]
enum Source {
    System,
    /// A clock that moves only when told to; the channel wakes sleepers.
    Manual(watch::Sender<DateTime<Utc>>),
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Source::System))
    }

    /// A clock stopped at `at`, moved by [`Clock::set`] and [`Clock::advance`].
    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(Source::Manual(watch::Sender::new(at))))
    }

    /// The time now.
    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Source::System => Utc::now(),
            Source::Manual(time) => *time.borrow(),
        }
    }

    /// Sets a manual clock (backwards too: a clock that jumps). Ignored by the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Source::Manual(time) = &*self.0 {
            time.send_replace(at);
        }
    }

    /// Moves a manual clock on by `by`. Ignored by the system clock.
    pub fn advance(&self, by: chrono::Duration) {
        if let Source::Manual(time) = &*self.0 {
            time.send_modify(|now| {
                *now = now.checked_add_signed(by).unwrap_or(*now);
            });
        }
    }

    /// Waits until the clock reads `at` or later: a sleep on the system
    /// clock; on a manual clock, until it is moved there.
    pub async fn sleep_until(&self, at: DateTime<Utc>) {
        match &*self.0 {
            Source::System => {
                let wait = (at - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
            }
            Source::Manual(time) => {
                let mut changes = time.subscribe();
                // The sender lives as long as this clock, so `wait_for` only
                // returns once the time has come.
                let _ = changes.wait_for(|now| *now >= at).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    #[tokio::test]
    async fn a_manual_clock_moves_only_when_told_and_wakes_sleepers() {
        let clock = Clock::manual(at("2026-11-25T12:00:00Z"));
        assert_eq!(clock.now(), at("2026-11-25T12:00:00Z"));
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_until(at("2026-11-25T12:10:00Z")).await })
        };
        clock.advance(chrono::Duration::minutes(5));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "not yet: 12:05");
        clock.set(at("2026-11-25T12:10:00Z"));
        tokio::time::timeout(std::time::Duration::from_secs(5), sleeper)
            .await
            .expect("woken")
            .expect("task");
        clock.set(at("2026-11-25T11:00:00Z"));
        assert_eq!(clock.now(), at("2026-11-25T11:00:00Z"), "it can jump back");
    }

    #[tokio::test]
    async fn the_system_clock_is_the_system_s() {
        let clock = Clock::system();
        let before = Utc::now();
        let now = clock.now();
        assert!(now >= before && now <= Utc::now());
        clock.set(at("2000-01-01T00:00:00Z"));
        assert!(
            clock.now() >= before,
            "setting the system clock does nothing"
        );
        clock.sleep_until(before).await;
    }
}
