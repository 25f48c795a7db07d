//! The master scenario event list as the console shows it: each entry with
//! what it does in words and where it stands (from the live state's script
//! record), the player's next step, and the table's filter and pages.

use chrono::{DateTime, Utc};
use watchfloor_model::script::{EntryState, Script, ScriptEntry, ScriptView};
use watchfloor_model::EventBody;

use crate::vocabulary::time::{duration, Precision};
use crate::vocabulary::words::{
    category_text, connection_label, phase_label, severity_label, status_label,
};

/// Rows on one page of the table.
pub const PAGE: usize = 50;

/// What an entry does, in a few words.
pub fn describe(event: &EventBody) -> String {
    match event {
        EventBody::ExerciseUpdated(update) => match update.speed {
            Some(speed) => format!("Exercise details (speed ×{speed})"),
            None => "Exercise details".into(),
        },
        EventBody::PhaseChanged(change) => format!("Phase → {}", phase_label(change.phase)),
        EventBody::NationJoined(joined) => format!("{} ({}) joins", joined.name, joined.code),
        EventBody::NationStatus(change) => format!(
            "{} connection {}",
            change.code,
            connection_label(change.status).to_lowercase()
        ),
        EventBody::NationParticipants(change) => format!("{} participants", change.code),
        EventBody::IncidentOpened(opened) => format!(
            "Opens {} · {} · {} · {}",
            opened.id,
            opened.title,
            category_text(&opened.category),
            severity_label(opened.severity)
        ),
        EventBody::IncidentUpdated(update) => {
            let mut parts = vec![format!("Updates {}", update.id)];
            if let Some(status) = update.status {
                parts.push(status_label(status).to_string());
            }
            if let Some(severity) = update.severity {
                parts.push(severity_label(severity).to_string());
            }
            if let Some(note) = &update.note {
                parts.push(note.clone());
            }
            parts.join(" · ")
        }
        EventBody::NationResponse(response) => format!(
            "{} reaches {} on {}",
            response.code, response.milestone, response.id
        ),
        EventBody::ScenarioHeld(_) => "Holds the player".into(),
        EventBody::ScenarioResumed(_) => "Resumes the player".into(),
        EventBody::ScenarioSkipped(_) => "Skips an entry".into(),
        other => format!("Screens: {}", other.kind().replace('_', " ")),
    }
}

/// The words for an entry's state.
pub fn state_label(state: EntryState) -> &'static str {
    match state {
        EntryState::Played => "Played",
        EntryState::Fired => "Fired by hand",
        EntryState::Skipped => "Skipped",
        EntryState::Next => "Next",
        EntryState::Upcoming => "Upcoming",
    }
}

/// Which rows the table shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Show {
    /// Not yet handled (the next and the upcoming).
    #[default]
    Upcoming,
    /// Played, fired or skipped.
    Handled,
    All,
}

impl Show {
    pub const ALL: [Show; 3] = [Show::Upcoming, Show::Handled, Show::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Show::Upcoming => "upcoming",
            Show::Handled => "handled",
            Show::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Show::Upcoming => "Still to play",
            Show::Handled => "Played, fired or skipped",
            Show::All => "All entries",
        }
    }

    pub fn parse(text: &str) -> Show {
        Show::ALL
            .into_iter()
            .find(|show| show.as_str() == text)
            .unwrap_or_default()
    }

    fn admits(self, state: EntryState) -> bool {
        let open = matches!(state, EntryState::Next | EntryState::Upcoming);
        match self {
            Show::Upcoming => open,
            Show::Handled => !open,
            Show::All => true,
        }
    }
}

/// The indices of the entries `show` and `search` let through, in order.
pub fn filtered(view: &ScriptView, script: &Script, show: Show, search: &str) -> Vec<u32> {
    let len = view.entries.len() as u32;
    let search = search.trim().to_lowercase();
    view.entries
        .iter()
        .filter(|entry| show.admits(script.state_of(entry.index, len)))
        .filter(|entry| {
            search.is_empty()
                || describe(&entry.event).to_lowercase().contains(&search)
                || entry.offset.to_lowercase().contains(&search)
        })
        .map(|entry| entry.index)
        .collect()
}

/// The pages `count` rows make (at least one).
pub fn page_count(count: usize) -> usize {
    count.div_ceil(PAGE).max(1)
}

/// The rows of page `page` (clamped to the last).
pub fn page_of(rows: &[u32], page: usize) -> &[u32] {
    let page = page.min(page_count(rows.len()) - 1);
    let start = page * PAGE;
    &rows[start.min(rows.len())..(start + PAGE).min(rows.len())]
}

/// What the player does next, in words: held, the next entry and when, or done.
pub fn next_step(view: &ScriptView, script: &Script, now: DateTime<Utc>) -> String {
    if let Some(hold) = &script.held {
        let reason = hold
            .reason
            .as_deref()
            .map(|reason| format!(": {reason}"))
            .unwrap_or_default();
        return format!(
            "The player is held{reason} (for {}). Nothing scripted plays until it is resumed.",
            duration(now - hold.since, Precision::Rounded)
        );
    }
    match next_entry(view, script) {
        None => "The script has been played to its end.".into(),
        Some(entry) if entry.due <= now => {
            format!("Playing now: #{} {}", entry.index, describe(&entry.event))
        }
        Some(entry) => format!(
            "Next: #{} {} in {}",
            entry.index,
            describe(&entry.event),
            duration(entry.due - now, Precision::Rounded)
        ),
    }
}

/// The first entry not handled yet.
pub fn next_entry<'a>(view: &'a ScriptView, script: &Script) -> Option<&'a ScriptEntry> {
    script
        .next(view.entries.len() as u32)
        .and_then(|index| view.entries.get(index as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_model::script::{Handled, Hold};

    fn at(minutes: i64) -> DateTime<Utc> {
        "2026-11-24T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::minutes(minutes)
    }

    fn view(count: u32) -> ScriptView {
        ScriptView {
            name: "t".into(),
            startex: at(0),
            speed: 1.0,
            entries: (0..count)
                .map(|index| ScriptEntry {
                    index,
                    offset: format!("{index}m"),
                    due: at(index as i64),
                    exercise_time: Some(at(index as i64)),
                    event: serde_json::from_value(serde_json::json!({
                        "type": "incident_updated", "id": format!("I-{index}"), "status": "analysing"
                    }))
                    .unwrap(),
                })
                .collect(),
            script: Script::default(),
            seq: 0,
        }
    }

    fn script(done: &[[u32; 2]], skipped: &[u32]) -> Script {
        Script {
            done: done.to_vec(),
            handled: skipped
                .iter()
                .map(|&index| {
                    (
                        index,
                        Handled {
                            seq: 9,
                            at: at(0),
                            skipped: true,
                            by: Some("white cell".into()),
                            note: None,
                        },
                    )
                })
                .collect(),
            held: None,
        }
    }

    #[test]
    fn entries_read_as_words() {
        let opened = serde_json::from_value(serde_json::json!({
            "type": "incident_opened", "id": "S-1", "title": "Pumps", "category": "ransomware", "severity": "high"
        }))
        .unwrap();
        assert_eq!(describe(&opened), "Opens S-1 · Pumps · Ransomware · High");
        assert_eq!(
            describe(&view(1).entries[0].event),
            "Updates I-0 · Analysing"
        );
        let phase =
            serde_json::from_value(serde_json::json!({"type": "phase_changed", "phase": "endex"}))
                .unwrap();
        assert_eq!(describe(&phase), "Phase → ENDEX");
    }

    #[test]
    fn the_filter_splits_still_to_play_from_handled_and_searches() {
        let view = view(6);
        let script = script(&[[0, 2], [4, 5]], &[4]);
        assert_eq!(filtered(&view, &script, Show::Upcoming, ""), [2, 3, 5]);
        assert_eq!(filtered(&view, &script, Show::Handled, ""), [0, 1, 4]);
        assert_eq!(filtered(&view, &script, Show::All, "i-3"), [3]);
        assert_eq!(filtered(&view, &script, Show::All, " 5M "), [5]);
        assert_eq!(script.state_of(4, 6), EntryState::Skipped);
        assert_eq!(script.state_of(2, 6), EntryState::Next);
        assert_eq!(Show::parse("handled"), Show::Handled);
        assert_eq!(Show::parse("nonsense"), Show::Upcoming);
    }

    #[test]
    fn pages_hold_fifty_rows_and_clamp() {
        let rows: Vec<u32> = (0..120).collect();
        assert_eq!(page_count(rows.len()), 3);
        assert_eq!(page_of(&rows, 0).len(), PAGE);
        assert_eq!(page_of(&rows, 2), &rows[100..]);
        assert_eq!(
            page_of(&rows, 9),
            &rows[100..],
            "past the end: the last page"
        );
        assert_eq!(page_count(0), 1);
        assert!(page_of(&[], 0).is_empty());
    }

    #[test]
    fn the_next_step_says_held_next_or_done() {
        let view = view(3);
        let played = script(&[[0, 1]], &[]);
        assert_eq!(
            next_step(&view, &played, at(0)),
            "Next: #1 Updates I-1 · Analysing in 1 min"
        );
        assert!(next_step(&view, &played, at(2)).starts_with("Playing now: #1"));
        assert_eq!(
            next_step(&view, &script(&[[0, 3]], &[]), at(5)),
            "The script has been played to its end."
        );
        let held = Script {
            held: Some(Hold {
                since: at(0),
                seq: 4,
                by: None,
                reason: Some("VIP visit".into()),
            }),
            ..played
        };
        assert_eq!(
            next_step(&view, &held, at(10)),
            "The player is held: VIP visit (for 10 min). Nothing scripted plays until it is resumed."
        );
    }
}
