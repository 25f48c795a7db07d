//! The scenario player: plays a scripted exercise on the exercise clock
//! through the same writer as posted events, so every scripted event is
//! validated, durable, in the log and streamed like any other.
//!
//! On a fresh data dir STARTEX is placed so that the scenario's `start_at`
//! jump-in point is now: everything scripted before it is appended at once,
//! with its scheduled (past) times, and the rest follows live. Progress
//! (scenario hash, STARTEX, speed, next schedule index) is written in the same
//! transaction as each event, so a restart on the same data dir resumes
//! exactly where it stopped — nothing twice, and whatever fell due while the
//! server was down is appended at once. After the last entry (ENDEX) the
//! player stops and the final state stays served.
//!
//! Control steers it through the log (see `routes::scenario`): an entry
//! fired by hand or skipped is done, and the player passes over it; while
//! the log says the player is held (`scenario_held`) it plays nothing, and
//! on `scenario_resumed` it plays what fell due meanwhile at once. An entry
//! the reducer refuses when its time comes is recorded as skipped, with the
//! reason, so the console shows why it did not play. Pausing the exercise
//! clock (`phase_changed` to `paused`) is a different thing: it stops
//! exercise time, not the script.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use watchfloor_model::event::ScenarioSkipped;
use watchfloor_model::scenario::{Scenario, Scheduled};
use watchfloor_model::script::ScriptEntry;
use watchfloor_model::{Audience, EventBody, State};

use crate::auth::sha256_hex;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::operator::OperatorError;
use crate::store::{PlayerProgress, Store};
use crate::writer::{Pending, Request, Writer};

/// Requests queued at once while catching up.
const CATCH_UP_CHUNK: usize = 256;

/// How long the player waits after its `failures`-th failure in a row to
/// append: 1 s, doubling, at most a minute.
pub fn retry_pause(failures: u32) -> StdDuration {
    let seconds = 1u64 << failures.saturating_sub(1).min(6);
    StdDuration::from_secs(seconds.min(60))
}

/// The longest the player sleeps before looking at the wall clock again.
const LONGEST_SLEEP: StdDuration = StdDuration::from_secs(30);

/// A scenario being played.
pub struct Player {
    writer: Writer,
    hub: Arc<Hub>,
    clock: Clock,
    schedule: Vec<Scheduled>,
    progress: PlayerProgress,
    loaded: Arc<LoadedScript>,
    /// Whether the progress came from the store (the script has started).
    resumed: bool,
}

/// The script as this server plays it, for the console's endpoints.
#[derive(Debug)]
pub struct LoadedScript {
    pub name: String,
    pub startex: DateTime<Utc>,
    pub speed: f64,
    pub entries: Vec<ScriptEntry>,
}

impl Player {
    /// Prepares to play `scenario` on this data dir: resumes saved progress or
    /// places a fresh STARTEX. Refuses a scenario with problems, and a data
    /// dir that has played a different scenario.
    pub async fn prepare(
        store: Arc<dyn Store>,
        writer: Writer,
        hub: Arc<Hub>,
        clock: Clock,
        scenario: &Scenario,
        speed: f64,
    ) -> Result<Player, OperatorError> {
        let unplayable = |problems| OperatorError::ScenarioProblems {
            name: scenario.name.clone(),
            problems,
        };
        let problems = scenario.check();
        if !problems.is_empty() {
            return Err(unplayable(problems));
        }
        let scenario_sha256 =
            sha256_hex(serde_json::to_vec(scenario).expect("scenarios serialise"));
        let saved = tokio::task::spawn_blocking(move || store.player_progress()).await??;
        let resumed = saved.is_some();
        let progress = match saved {
            Some(saved) if saved.scenario_sha256 == scenario_sha256 => {
                if saved.speed != speed {
                    tracing::warn!(
                        saved = saved.speed,
                        asked = speed,
                        "resuming at the speed this data dir started with"
                    );
                }
                saved
            }
            Some(saved) => {
                return Err(OperatorError::OtherScenario {
                    played: saved.scenario,
                })
            }
            None => {
                let jump_in = scenario
                    .start_offset()
                    .map_err(|problem| unplayable(vec![problem]))?;
                // Saturating: an absurd `start_at` gives a STARTEX the
                // schedule's validation refuses, not an overflow.
                let wall = watchfloor_model::time::saturating_milliseconds(
                    (jump_in.num_milliseconds() as f64 / speed) as i64,
                );
                let now = clock.now().trunc_subsecs(3);
                PlayerProgress {
                    scenario: scenario.name.clone(),
                    scenario_sha256,
                    startex: working_day_start(
                        watchfloor_model::time::saturating_shift(now, -wall),
                        speed,
                    ),
                    speed,
                    next: 0,
                }
            }
        };
        let schedule = scenario
            .schedule(progress.startex, progress.speed)
            .map_err(unplayable)?;
        let loaded = Arc::new(LoadedScript {
            name: scenario.name.clone(),
            startex: progress.startex,
            speed: progress.speed,
            entries: scenario
                .planned(progress.startex, progress.speed)
                .map_err(unplayable)?,
        });
        tracing::info!(
            scenario = %scenario.name,
            startex = %progress.startex,
            speed = progress.speed,
            next = progress.next,
            of = schedule.len(),
            "scenario player ready"
        );
        Ok(Player {
            writer,
            hub,
            clock,
            schedule,
            progress,
            loaded,
            resumed,
        })
    }

    /// Whether the store held this script's progress (it has been started,
    /// here or by another server), so its schedule is the one played.
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// The script as planned on this server's schedule.
    pub fn loaded(&self) -> Arc<LoadedScript> {
        self.loaded.clone()
    }

    /// Whether every scheduled event has been played.
    pub fn finished(&self) -> bool {
        self.progress.next >= self.schedule.len()
    }

    /// Whether schedule item `index` was already fired by hand or skipped.
    fn done(&self, state: &State, index: usize) -> bool {
        self.schedule[index]
            .entry
            .and_then(|entry| u32::try_from(entry).ok())
            .is_some_and(|entry| state.script.is_done(entry))
    }

    /// The first schedule item from `progress.next` not done yet, passing
    /// over the ones that are; `None` at the end.
    fn next_due(&mut self, state: &State) -> Option<DateTime<Utc>> {
        while self.progress.next < self.schedule.len() && self.done(state, self.progress.next) {
            self.progress.next += 1;
        }
        self.schedule.get(self.progress.next).map(|item| item.at)
    }

    /// Appends everything due at `now` (in chunks, each a group commit).
    pub async fn catch_up(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let mut played = 0;
        loop {
            // What control did since (held, fired, skipped) is in the live state.
            let state = self.hub.live_state();
            if state.script.held.is_some() {
                return Ok(played);
            }
            let mut batch = Vec::new();
            let mut end = self.progress.next;
            while end < self.schedule.len() && batch.len() < CATCH_UP_CHUNK {
                if !self.done(&state, end) {
                    if self.schedule[end].at > now {
                        break;
                    }
                    batch.push(end);
                }
                end += 1;
            }
            if batch.is_empty() {
                // Only entries already done: nothing to write (passing over
                // them again after a restart is the same).
                self.progress.next = end;
                return Ok(played);
            }
            // Queue the chunk in order first, then wait: the writer commits
            // what is queued together.
            let mut answers = Vec::with_capacity(batch.len());
            for index in batch {
                let item = &self.schedule[index];
                let request = Request {
                    events: vec![Pending {
                        body: item.event.clone(),
                        at: Some(item.at),
                        by: None,
                        entry: item.entry.and_then(|entry| u32::try_from(entry).ok()),
                    }],
                    idempotency: None,
                    progress: Some(PlayerProgress {
                        next: index + 1,
                        ..self.progress.clone()
                    }),
                };
                answers.push((index, self.writer.submit(request).await?));
            }
            let mut refused_last = false;
            let mut refused = Vec::new();
            // The first entry the writer could not append (busy, the clock
            // behind the log, a store error): the player resumes from it.
            let mut failure: Option<(usize, Error)> = None;
            for (index, answer) in answers {
                let answer = answer
                    .await
                    .map_err(|_| Error::Unavailable("the writer stopped".into()))?;
                match answer {
                    Ok(_) => {
                        played += 1;
                        refused_last = false;
                        if let Some((failed, _)) = &failure {
                            tracing::error!(
                                entry = ?self.schedule[*failed].entry,
                                "a later scenario event was appended before this one could be; it is skipped"
                            );
                        }
                        self.progress.next = index + 1;
                    }
                    Err(Error::Conflict(problem))
                        if failure.is_none() && problem.code == "entry_handled" =>
                    {
                        // Fired or skipped by control while it was queued.
                        refused_last = true;
                        self.progress.next = index + 1;
                    }
                    Err(error @ (Error::Invalid(_) | Error::Conflict(_))) if failure.is_none() => {
                        refused_last = true;
                        tracing::error!(
                            entry = ?self.schedule[index].entry,
                            %error,
                            "a scenario event was refused; skipped"
                        );
                        refused.push((index, error));
                        self.progress.next = index + 1;
                    }
                    Err(error) => {
                        if failure.is_none() {
                            failure = Some((index, error));
                        }
                    }
                }
            }
            if let Some((_, error)) = failure {
                // `progress.next` is the first entry not appended: tried again.
                return Err(error);
            }
            self.progress.next = end;
            for (index, error) in refused {
                // Said in the log, so the console shows why it did not play.
                let Some(entry) = self.schedule[index]
                    .entry
                    .and_then(|entry| u32::try_from(entry).ok())
                else {
                    continue;
                };
                let why = match &error {
                    Error::Invalid(problem) | Error::Conflict(problem) => problem.message.clone(),
                    other => other.to_string(),
                };
                let note: String = format!("not played: {why}")
                    .chars()
                    .take(watchfloor_model::limits::MAX_NOTE)
                    .collect();
                let skipped = self
                    .writer
                    .append(Request {
                        events: vec![Pending {
                            body: EventBody::ScenarioSkipped(ScenarioSkipped { note: Some(note) }),
                            at: None,
                            by: None,
                            entry: Some(entry),
                        }],
                        idempotency: None,
                        progress: Some(self.progress.clone()),
                    })
                    .await;
                match skipped {
                    Ok(_) => refused_last = false,
                    Err(error) => {
                        tracing::warn!(%error, entry, "the refused entry could not be marked skipped")
                    }
                }
            }
            if refused_last {
                // A refused request records nothing; record that it was tried.
                self.writer
                    .append(Request {
                        progress: Some(self.progress.clone()),
                        ..Request::default()
                    })
                    .await?;
            }
        }
    }

    /// Plays the rest live, sleeping until each event is due; returns after
    /// ENDEX. A failure to append (the writer busy, the clock behind the log,
    /// a store error) is retried with a growing pause rather than ending the
    /// exercise's script for good; what was not appended is tried again, so
    /// nothing is skipped and nothing is played twice.
    pub async fn run(mut self) {
        let mut failures: u32 = 0;
        loop {
            // Subscribed before the state is read, so a change after it wakes us.
            let mut changes = self.hub.subscribe(Audience::Control);
            let state = self.hub.live_state();
            if state.script.held.is_some() {
                // Held: wait for the log to change (a resume), looking again
                // now and then.
                if tokio::time::timeout(LONGEST_SLEEP, changes.changed())
                    .await
                    .is_ok_and(|changed| changed.is_err())
                {
                    tokio::time::sleep(LONGEST_SLEEP).await;
                }
                continue;
            }
            let Some(due) = self.next_due(&state) else {
                break;
            };
            if due > self.clock.now() {
                // Never sleep long without looking at the clock again.
                let wake = self
                    .clock
                    .now()
                    .checked_add_signed(Duration::from_std(LONGEST_SLEEP).unwrap_or_default())
                    .map_or(due, |wake| wake.min(due));
                self.clock.sleep_until(wake).await;
                continue;
            }
            match self.catch_up(self.clock.now()).await {
                Ok(_) => failures = 0,
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let pause = retry_pause(failures);
                    tracing::error!(%error, retry_in_s = pause.as_secs(), "the scenario player could not append; it tries again");
                    tokio::time::sleep(pause).await;
                }
            }
        }
        tracing::info!("the scenario has been played to its end");
    }
}

/// At real speed, STARTEX moves back to the 08:00Z before the jump-in point,
/// so the script's working-day rhythm falls on the working day of the wall
/// clock (the demo then joins between `start_at` and a day after it).
fn working_day_start(startex: chrono::DateTime<Utc>, speed: f64) -> chrono::DateTime<Utc> {
    if speed != 1.0 {
        return startex;
    }
    let eight = startex
        .date_naive()
        .and_hms_opt(8, 0, 0)
        .expect("08:00 exists")
        .and_utc();
    if eight <= startex {
        eight
    } else {
        eight - Duration::days(1)
    }
}

#[cfg(test)]
mod working_day_tests {
    use super::*;

    #[test]
    fn failures_are_retried_with_a_growing_pause() {
        let pauses: Vec<u64> = (1..=9).map(|n| retry_pause(n).as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn real_time_demos_start_at_eight_zulu() {
        let at = |text: &str| text.parse::<chrono::DateTime<Utc>>().expect("time");
        assert_eq!(
            working_day_start(at("2026-11-25T22:25:04Z"), 1.0),
            at("2026-11-25T08:00:00Z")
        );
        assert_eq!(
            working_day_start(at("2026-11-25T07:59:00Z"), 1.0),
            at("2026-11-24T08:00:00Z")
        );
        assert_eq!(
            working_day_start(at("2026-11-25T22:25:04Z"), 60.0),
            at("2026-11-25T22:25:04Z")
        );
    }
}
