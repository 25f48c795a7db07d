//! Whether the server can do its job: what `/healthz` reports and what
//! stops the server.
//!
//! Two things make it unhealthy:
//!
//! - a **fatal** fault: the writer thread died, or a commit failed (an I/O
//!   error, a full disk). The server stops accepting writes at once, logs it,
//!   shuts down and exits non-zero so a supervisor restarts it; nothing
//!   acknowledged is lost, because nothing is acknowledged before its commit.
//! - a **clock behind the log** by more than [`MAX_CLOCK_SKEW`]: writes are
//!   refused (a clamped `at` would poison every later timestamp and the
//!   embargo) until the clock catches up. Not fatal: it heals itself.
//!
//! The reasons are words, never counts or seqs: `/healthz` is public.

use std::sync::Mutex;

use tokio::sync::watch;

/// How far the clock may be behind the last event's `at` before writes are
/// refused. Within it, `at` is held at the last event's (time never goes
/// backwards in the log); beyond it, something is wrong with the clock.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::seconds(5);

/// See the module documentation.
#[derive(Debug)]
pub struct Health {
    /// Set once, at the first fatal fault.
    fatal: watch::Sender<Option<String>>,
    /// Why writes are refused while the clock is behind the log.
    clock_behind: Mutex<Option<String>>,
    /// Why the server is not ready for viewers: it knows the shared log has
    /// events it has not read yet (see `/readyz`).
    behind: Mutex<Option<String>>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            fatal: watch::Sender::new(None),
            clock_behind: Mutex::new(None),
            behind: Mutex::new(None),
        }
    }
}

impl Health {
    /// Records a fatal fault (the first one wins) and logs it loudly.
    pub fn fail(&self, reason: impl Into<String>) {
        let reason = reason.into();
        self.fatal.send_if_modified(|fatal| {
            if fatal.is_some() {
                return false;
            }
            tracing::error!(%reason, "FATAL: the server can no longer write its event log; it stops accepting writes and shuts down");
            *fatal = Some(reason);
            true
        });
    }

    /// The fatal fault, if one happened.
    pub fn fatal(&self) -> Option<String> {
        self.fatal.borrow().clone()
    }

    /// Resolves once a fatal fault happens (never, if none does).
    pub async fn failed(&self) -> String {
        let mut fatal = self.fatal.subscribe();
        loop {
            if let Some(reason) = fatal.borrow_and_update().clone() {
                return reason;
            }
            if fatal.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Says whether the clock is behind the log (and why), as the writer last saw it.
    pub fn set_clock_behind(&self, reason: Option<String>) {
        if let Ok(mut behind) = self.clock_behind.lock() {
            if behind.is_none() && reason.is_some() {
                tracing::error!(
                    reason = reason.as_deref().unwrap_or_default(),
                    "writes refused: the clock is behind the event log"
                );
            } else if behind.is_some() && reason.is_none() {
                tracing::info!("the clock has caught up with the event log; writes accepted again");
            }
            *behind = reason;
        }
    }

    /// Says whether the server knows of events in the shared log it has not
    /// read yet (and why), as the writer last saw it.
    pub fn set_behind(&self, reason: Option<String>) {
        if let Ok(mut behind) = self.behind.lock() {
            *behind = reason;
        }
    }

    /// Why the server should not be sent viewers now, if so: a fatal fault,
    /// or a shared log it has not caught up with. A database that cannot be
    /// reached is not one: no server can read it then, and each serves what
    /// it holds.
    pub fn not_ready(&self) -> Option<String> {
        self.fatal()
            .or_else(|| self.behind.lock().ok().and_then(|behind| behind.clone()))
    }

    /// Why the server is unhealthy, if it is.
    pub fn problem(&self) -> Option<String> {
        self.fatal().or_else(|| {
            self.clock_behind
                .lock()
                .ok()
                .and_then(|behind| behind.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_fatal_fault_wins_and_wakes_the_waiters() {
        let health = std::sync::Arc::new(Health::default());
        assert_eq!(health.problem(), None);
        let waiter = {
            let health = health.clone();
            tokio::spawn(async move { health.failed().await })
        };
        health.set_clock_behind(Some("behind".into()));
        assert_eq!(health.problem().as_deref(), Some("behind"));
        health.fail("disk full");
        health.fail("something later");
        assert_eq!(health.problem().as_deref(), Some("disk full"));
        assert_eq!(waiter.await.expect("task"), "disk full");
        health.set_clock_behind(None);
        assert_eq!(health.fatal().as_deref(), Some("disk full"));
    }
}
