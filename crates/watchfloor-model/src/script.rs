//! The scenario as control runs it: which entries of the master scenario
//! event list (MSEL) have been played, fired by hand or skipped, and whether
//! the player is held. All of it is folded from the log (events carrying an
//! `entry`, and `scenario_held` / `scenario_resumed` / `scenario_skipped`),
//! so a restart keeps it and after-action review sees it. Restricted: the
//! public picture's script is always empty.
//!
//! [`ScriptView`] is what `GET /api/v1/scenario` answers: the entries as
//! planned. The live part (what each entry became) is the state's
//! [`Script`], so the console's table follows the stream.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::EventBody;

/// How one scenario entry was handled other than by the player on time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handled {
    /// The event that fired or skipped it.
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// `true`: skipped; `false`: fired by hand.
    pub skipped: bool,
    /// Who did it (`None`: the player, skipping an entry it was refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The player is held.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hold {
    pub since: DateTime<Utc>,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What became of the script so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Script {
    /// Every entry handled (played, fired or skipped), as sorted, disjoint,
    /// non-adjacent half-open ranges of indices: a script played in order
    /// is one range, however long.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done: Vec<[u32; 2]>,
    /// The entries fired by hand or skipped, by index.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub handled: BTreeMap<u32, Handled>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Hold>,
}

/// Where one entry of the MSEL stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Played by the player at its time.
    Played,
    /// Fired by hand before (or instead of) its time.
    Fired,
    Skipped,
    /// The first entry not yet handled: what the player plays next.
    Next,
    Upcoming,
}

impl Script {
    /// Whether nothing is recorded (the public's script, and a posted-only exercise).
    pub fn is_empty(&self) -> bool {
        self.done.is_empty() && self.handled.is_empty() && self.held.is_none()
    }

    /// Whether entry `index` has been handled.
    pub fn is_done(&self, index: u32) -> bool {
        let at = self.done.partition_point(|range| range[1] <= index);
        self.done.get(at).is_some_and(|range| range[0] <= index)
    }

    /// Marks entry `index` handled (it was not).
    pub(crate) fn mark(&mut self, index: u32) {
        let end = index.saturating_add(1);
        let at = self.done.partition_point(|range| range[1] < index);
        // `at` is the first range that ends at or after `index`: it may touch
        // the new one on the left; the one after it may touch it on the right.
        match self.done.get(at).copied() {
            Some(range) if range[0] <= end => {
                let merged = [range[0].min(index), range[1].max(end)];
                self.done[at] = merged;
                if let Some(next) = self.done.get(at + 1).copied() {
                    if next[0] <= merged[1] {
                        self.done[at] = [merged[0], next[1].max(merged[1])];
                        self.done.remove(at + 1);
                    }
                }
            }
            _ => self.done.insert(at, [index, end]),
        }
    }

    /// The first entry not yet handled, among `len` entries.
    pub fn next(&self, len: u32) -> Option<u32> {
        let first = match self.done.first() {
            Some(range) if range[0] == 0 => range[1],
            _ => 0,
        };
        (first < len).then_some(first)
    }

    /// Entries handled, in all.
    pub fn done_count(&self) -> u64 {
        self.done
            .iter()
            .map(|range| u64::from(range[1] - range[0]))
            .sum()
    }

    /// Where entry `index` of a script of `len` entries stands.
    pub fn state_of(&self, index: u32, len: u32) -> EntryState {
        match self.handled.get(&index) {
            Some(handled) if handled.skipped => EntryState::Skipped,
            Some(_) => EntryState::Fired,
            None if self.is_done(index) => EntryState::Played,
            None if self.next(len) == Some(index) => EntryState::Next,
            None => EntryState::Upcoming,
        }
    }
}

/// One entry of the loaded script, as planned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScriptEntry {
    /// Its index in the script's `entries`.
    pub index: u32,
    /// Its offset from STARTEX in exercise time, as the script writes it (`2d6h`).
    pub offset: String,
    /// When the player plays it (UTC, on this server's schedule).
    pub due: DateTime<Utc>,
    /// The exercise time it is planned for.
    pub exercise_time: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub event: EventBody,
}

/// `GET /api/v1/scenario`: the loaded script, as planned. What became of
/// each entry is the state's [`Script`] (in the snapshot and the stream).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScriptView {
    pub name: String,
    /// The wall-clock STARTEX the schedule was placed from.
    pub startex: DateTime<Utc>,
    pub speed: f64,
    pub entries: Vec<ScriptEntry>,
    /// The script as it stands now (the state's, at `seq`).
    pub script: Script,
    pub seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(indices: &[u32]) -> Script {
        let mut script = Script::default();
        for &index in indices {
            assert!(!script.is_done(index), "{index} twice");
            script.mark(index);
        }
        script
    }

    #[test]
    fn entries_played_in_order_are_one_range() {
        let script = marked(&(0..3000).collect::<Vec<_>>());
        assert_eq!(script.done, vec![[0, 3000]]);
        assert_eq!(script.next(3007), Some(3000));
        assert_eq!(script.next(3000), None);
        assert_eq!(script.done_count(), 3000);
    }

    #[test]
    fn ranges_merge_from_either_side_and_in_the_middle() {
        let script = marked(&[5, 3, 9, 4, 7, 8, 6, 0]);
        assert_eq!(script.done, vec![[0, 1], [3, 10]]);
        assert!(script.is_done(3) && script.is_done(9) && !script.is_done(10));
        assert!(!script.is_done(1) && !script.is_done(2));
        assert_eq!(script.next(20), Some(1));
        let script = marked(&[2, 0, 1]);
        assert_eq!(script.done, vec![[0, 3]]);
        let script = marked(&[u32::MAX - 1, u32::MAX]);
        assert!(script.is_done(u32::MAX - 1));
    }

    #[test]
    fn every_order_of_marking_gives_the_same_ranges() {
        // Every permutation of a small set, against a plain set.
        let indices = [0u32, 1, 2, 4, 5, 7];
        let mut order: Vec<u32> = indices.to_vec();
        let mut count = 0;
        permute(&mut order, 0, &mut |order| {
            count += 1;
            let script = marked(order);
            assert_eq!(script.done, vec![[0, 3], [4, 6], [7, 8]], "{order:?}");
            for probe in 0..10 {
                assert_eq!(script.is_done(probe), indices.contains(&probe));
            }
        });
        assert_eq!(count, 720);
    }

    fn permute(items: &mut Vec<u32>, from: usize, visit: &mut impl FnMut(&[u32])) {
        if from == items.len() {
            visit(items);
            return;
        }
        for swap in from..items.len() {
            items.swap(from, swap);
            permute(items, from + 1, visit);
            items.swap(from, swap);
        }
    }

    #[test]
    fn an_entry_says_where_it_stands() {
        let mut script = marked(&[0, 1, 3]);
        let at = "2026-11-30T08:00:00Z".parse().expect("time");
        script.handled.insert(
            3,
            Handled {
                seq: 9,
                at,
                skipped: true,
                by: Some("White cell".into()),
                note: None,
            },
        );
        script.handled.insert(
            1,
            Handled {
                seq: 8,
                at,
                skipped: false,
                by: Some("White cell".into()),
                note: None,
            },
        );
        let states: Vec<EntryState> = (0..5).map(|index| script.state_of(index, 5)).collect();
        assert_eq!(
            states,
            [
                EntryState::Played,
                EntryState::Fired,
                EntryState::Next,
                EntryState::Skipped,
                EntryState::Upcoming
            ]
        );
    }
}
