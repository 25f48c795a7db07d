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
use crate::error::{Error, Result};
use crate::operator::OperatorError;
use crate::store::{PlayerProgress, Store};
use crate::writer::{Pending, Request, Writer};

/// Requests queued at once while catching up.
const CATCH_UP_CHUNK: usize = 256;

/// The longest the player sleeps before looking at the wall clock again.
const LONGEST_SLEEP: StdDuration = StdDuration::from_secs(30);

/// A scenario being played.
pub struct Player {
    writer: Writer,
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
                let now = Utc::now().trunc_subsecs(3);
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
            for (index, answer) in answers {
                let answer = answer
                    .await
                    .map_err(|_| Error::Unavailable("the writer stopped".into()))?;
                refused_last = false;
                match answer {
                    Ok(_) => played += 1,
                    Err(error @ (Error::Invalid(_) | Error::Conflict(_))) => {
                        refused_last = true;
                        tracing::error!(
                            entry = ?self.schedule[index].entry,
                            %error,
                            "a scenario event was refused; skipped"
                        );
                    }
                    Err(error) => return Err(error),
                }
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

    /// Plays the rest live, sleeping until each event is due; returns after ENDEX.
    pub async fn run(mut self) {
        while let Some(item) = self.schedule.get(self.progress.next) {
            let wait = item.at - Utc::now();
            if wait > Duration::zero() {
                let wait = wait.to_std().unwrap_or(LONGEST_SLEEP).min(LONGEST_SLEEP);
                tokio::time::sleep(wait).await;
                continue;
            }
            if let Err(error) = self.catch_up(Utc::now()).await {
                tracing::error!(%error, "the scenario player stopped");
                return;
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
