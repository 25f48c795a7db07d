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

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use watchfloor_model::scenario::{Scenario, Scheduled};

use crate::auth::sha256_hex;
use crate::clock::Clock;
use crate::error::{Error, Result};
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
    clock: Clock,
    schedule: Vec<Scheduled>,
    progress: PlayerProgress,
}

impl Player {
    /// Prepares to play `scenario` on this data dir: resumes saved progress or
    /// places a fresh STARTEX. Refuses a scenario with problems, and a data
    /// dir that has played a different scenario.
    pub async fn prepare(
        store: std::sync::Arc<dyn Store>,
        writer: Writer,
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
            clock,
            schedule,
            progress,
        })
    }

    /// Whether every scheduled event has been played.
    pub fn finished(&self) -> bool {
        self.progress.next >= self.schedule.len()
    }

    /// Appends everything due at `now` (in chunks, each a group commit).
    pub async fn catch_up(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let mut played = 0;
        loop {
            let start = self.progress.next;
            let end = (start..self.schedule.len())
                .take(CATCH_UP_CHUNK)
                .take_while(|&index| self.schedule[index].at <= now)
                .last()
                .map_or(start, |last| last + 1);
            if end == start {
                return Ok(played);
            }
            // Queue the chunk in order first, then wait: the writer commits
            // what is queued together.
            let mut answers = Vec::with_capacity(end - start);
            for index in start..end {
                let item = &self.schedule[index];
                let request = Request {
                    events: vec![Pending {
                        body: item.event.clone(),
                        at: Some(item.at),
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
                    Err(error @ (Error::Invalid(_) | Error::Conflict(_))) if failure.is_none() => {
                        refused_last = true;
                        tracing::error!(
                            entry = ?self.schedule[index].entry,
                            %error,
                            "a scenario event was refused; skipped"
                        );
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
        while let Some(item) = self.schedule.get(self.progress.next) {
            let due = item.at;
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
