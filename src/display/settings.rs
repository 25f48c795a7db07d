//! The display's settings, read from its URL:
//! `/display?panels=status,nations,activity,about&seconds=20`. A panel may
//! carry its own time: `panels=status:10,activity:30` (seconds; the others
//! take `seconds`).
//!
//! `start=activity` makes the rotation begin at that panel, so screens side by
//! side can show different panels at the same time.
//!
//! A screen in a lobby is set up once by pasting a link, so anything odd in
//! the link falls back to something sensible instead of an error page:
//! unknown panel names are skipped, an empty list means every panel, and the
//! time per panel is kept between 5 seconds (readable at all) and 10 minutes.

use crate::display::rotation::Rotation;
use crate::ui::query::{list, QueryGet};

/// One of the display's rotating panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Panel {
    /// Name, phase, day, the UTC clock and the countdown to ENDEX.
    Status,
    /// Nations on the map-like grid, by kind and connection status.
    Nations,
    /// Incident counts, the chart over time and the latest public summaries.
    Activity,
    /// What the exercise is.
    About,
}

impl Panel {
    /// Every panel, in the default order.
    pub const ALL: &'static [Panel] =
        &[Panel::Status, Panel::Nations, Panel::Activity, Panel::About];

    /// The URL spelling, also the `data-panel` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Panel::Status => "status",
            Panel::Nations => "nations",
            Panel::Activity => "activity",
            Panel::About => "about",
        }
    }

    /// The panel's title, as the rotation indicator names it.
    pub fn title(self) -> &'static str {
        match self {
            Panel::Status => "Exercise status",
            Panel::Nations => "Participation",
            Panel::Activity => "Incident activity",
            Panel::About => "About the exercise",
        }
    }

    /// Reads a panel name; a few words people naturally write are accepted too.
    pub fn parse(name: &str) -> Option<Panel> {
        match name.trim().to_ascii_lowercase().as_str() {
            "status" | "exercise" => Some(Panel::Status),
            "nations" | "participation" | "participants" => Some(Panel::Nations),
            "activity" | "incidents" => Some(Panel::Activity),
            "about" => Some(Panel::About),
            _ => None,
        }
    }
}

/// Seconds per panel when the URL does not say.
pub const DEFAULT_SECONDS: u32 = 20;
/// The shortest time per panel: less cannot be read from across a room.
pub const MIN_SECONDS: u32 = 5;
/// The longest time per panel.
pub const MAX_SECONDS: u32 = 600;

/// Which panels the display rotates through, in order, and for how long each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplaySettings {
    /// Never empty, no panel twice.
    pub panels: Vec<Panel>,
    /// Seconds a panel stays up unless it has its own time, in `MIN_SECONDS..=MAX_SECONDS`.
    pub seconds: u32,
    /// Each panel's own seconds (`panels=status:10`), beside `panels`; `None`: `seconds`.
    pub times: Vec<Option<u32>>,
    /// The index in `panels` of the panel the rotation begins with.
    pub start: usize,
}

impl Default for DisplaySettings {
    fn default() -> Self {
        DisplaySettings {
            panels: Panel::ALL.to_vec(),
            seconds: DEFAULT_SECONDS,
            times: vec![None; Panel::ALL.len()],
            start: 0,
        }
    }
}

impl DisplaySettings {
    /// Reads `panels` and `seconds` from a URL query, falling back to the
    /// defaults for anything missing or unreadable.
    pub fn from_query(query: &(impl QueryGet + ?Sized)) -> Self {
        let mut panels = Vec::new();
        let mut times = Vec::new();
        for item in list(query, "panels") {
            let (name, time) = match item.split_once(':') {
                Some((name, time)) => (name, parse_seconds(time)),
                None => (item.as_str(), None),
            };
            if let Some(panel) = Panel::parse(name) {
                if !panels.contains(&panel) {
                    panels.push(panel);
                    times.push(time);
                }
            }
        }
        if panels.is_empty() {
            panels = Panel::ALL.to_vec();
            times = vec![None; panels.len()];
        }
        let seconds = query
            .value("seconds")
            .and_then(|text| parse_seconds(&text))
            .unwrap_or(DEFAULT_SECONDS);
        let start = query
            .value("start")
            .and_then(|name| Panel::parse(&name))
            .and_then(|first| panels.iter().position(|panel| *panel == first))
            .unwrap_or(0);
        DisplaySettings {
            panels,
            seconds,
            times,
            start,
        }
    }

    /// How long a panel without its own time stays up, in milliseconds.
    pub fn period_ms(&self) -> u64 {
        u64::from(self.seconds) * 1000
    }

    /// How long each panel stays up, in milliseconds, in panel order.
    pub fn periods_ms(&self) -> Vec<u64> {
        (0..self.panels.len())
            .map(|index| {
                u64::from(
                    self.times
                        .get(index)
                        .copied()
                        .flatten()
                        .unwrap_or(self.seconds),
                ) * 1000
            })
            .collect()
    }

    /// Where the rotation stands `elapsed_ms` after the display started.
    pub fn rotation(&self, elapsed_ms: u64) -> Rotation {
        let periods = self.periods_ms();
        let offset: u64 = periods.iter().take(self.start).sum();
        Rotation::cycle(elapsed_ms.saturating_add(offset), &periods)
    }
}

/// Seconds per panel from text (`12.6` → 13), kept in `MIN_SECONDS..=MAX_SECONDS`.
fn parse_seconds(text: &str) -> Option<u32> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite())
        .map(|seconds| {
            seconds
                .round()
                .clamp(MIN_SECONDS as f64, MAX_SECONDS as f64) as u32
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &[(&str, &str)], panels: &[Panel], seconds: u32) {
        let settings = DisplaySettings::from_query(query);
        assert_eq!(
            (settings.panels.as_slice(), settings.seconds),
            (panels, seconds),
            "{query:?}"
        );
    }

    #[test]
    fn defaults_are_every_panel_for_twenty_seconds() {
        use Panel::*;
        check(&[], &[Status, Nations, Activity, About], 20);
        check(
            &[("panels", ""), ("seconds", "")],
            &[Status, Nations, Activity, About],
            20,
        );
        assert_eq!(DisplaySettings::default().period_ms(), 20_000);
    }

    #[test]
    fn panels_come_in_the_order_given_and_unknown_names_are_skipped() {
        use Panel::*;
        check(&[("panels", "nations,status")], &[Nations, Status], 20);
        check(
            &[("panels", "activity, bogus ,ABOUT,activity")],
            &[Activity, About],
            20,
        );
        check(
            &[("panels", "participation,incidents")],
            &[Nations, Activity],
            20,
        );
        check(
            &[("panels", "bogus,,")],
            &[Status, Nations, Activity, About],
            20,
        );
    }

    #[test]
    fn seconds_are_clamped_and_nonsense_falls_back() {
        use Panel::*;
        let all = &[Status, Nations, Activity, About];
        check(&[("seconds", "5")], all, 5);
        check(&[("seconds", "1")], all, 5);
        check(&[("seconds", "0")], all, 5);
        check(&[("seconds", "-30")], all, 5);
        check(&[("seconds", "45")], all, 45);
        check(&[("seconds", "12.6")], all, 13);
        check(&[("seconds", "86400")], all, 600);
        check(&[("seconds", "soon")], all, 20);
        check(&[("seconds", "NaN")], all, 20);
        check(&[("seconds", "inf")], all, 20);
    }

    #[test]
    fn the_rotation_can_start_at_any_listed_panel() {
        let settings = DisplaySettings::from_query(&[("start", "activity"), ("seconds", "10")][..]);
        assert_eq!(settings.start, 2);
        assert_eq!(settings.rotation(0).index, 2);
        assert_eq!(settings.rotation(10_000).index, 3);
        assert_eq!(settings.rotation(20_000).index, 0);
        let unlisted =
            DisplaySettings::from_query(&[("panels", "status,nations"), ("start", "about")][..]);
        assert_eq!((unlisted.start, unlisted.rotation(0).index), (0, 0));
        assert_eq!(DisplaySettings::default().rotation(25_000).index, 1);
    }

    #[test]
    fn each_panel_may_have_its_own_time() {
        use Panel::*;
        let settings = DisplaySettings::from_query(
            &[
                ("panels", "status:10, activity:30,nations,about:2"),
                ("seconds", "15"),
            ][..],
        );
        assert_eq!(settings.panels, [Status, Activity, Nations, About]);
        assert_eq!(settings.periods_ms(), [10_000, 30_000, 15_000, 5_000]);
        let at = |ms| {
            let rotation = settings.rotation(ms);
            (rotation.index, rotation.step)
        };
        assert_eq!(at(0), (0, 0));
        assert_eq!(at(9_999), (0, 0));
        assert_eq!(at(10_000), (1, 1));
        assert_eq!(at(39_999), (1, 1));
        assert_eq!(at(40_000), (2, 2));
        assert_eq!(at(55_000), (3, 3));
        assert_eq!(at(60_000), (0, 4), "a whole cycle is 60 s");
        assert_eq!(at(60_000 * 1000 + 12_000), (1, 4001));
        assert!((settings.rotation(25_000).progress - 0.5).abs() < 1e-9);
        // Nonsense times fall back to `seconds`; a panel named twice keeps its first time.
        let odd = DisplaySettings::from_query(&[("panels", "status:soon,status:7,about:")][..]);
        assert_eq!(odd.panels, [Status, About]);
        assert_eq!(odd.periods_ms(), [20_000, 20_000]);
        let started = DisplaySettings::from_query(
            &[("panels", "status:10,about:30"), ("start", "about")][..],
        );
        assert_eq!(started.rotation(0).index, 1);
        assert_eq!(started.rotation(30_000).index, 0);
    }

    #[test]
    fn every_panel_reads_back_from_its_own_name() {
        for panel in Panel::ALL {
            assert_eq!(Panel::parse(panel.as_str()), Some(*panel));
            assert!(!panel.title().is_empty());
        }
    }
}
