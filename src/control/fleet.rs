//! The fleet view and the screen forms as plain data: a screen's state in
//! words, the settings query the console pushes (per-panel seconds, the
//! same spelling as the display URL's) and what it will make a screen do.

use chrono::{DateTime, Utc};
use watchfloor_model::event::EventBody;
use watchfloor_model::screens::{
    SafeSlide, ScreenSettings, ScreenSlide, ScreenSlideCleared, ScreenStatus,
};

use crate::control::forms::FieldErrors;
use crate::display::link::parse_query;
use crate::display::settings::DisplaySettings;
use crate::ui::query::getter;
use crate::vocabulary::time::age;

/// Which screens a push goes to: the listed ones, or (none listed) every screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target(pub Vec<u32>);

impl Target {
    /// Every screen.
    pub fn all() -> Target {
        Target(Vec::new())
    }

    pub fn is_all(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, id: u32) -> bool {
        self.0.contains(&id)
    }

    /// Adds or removes one screen (removing the last goes back to all).
    pub fn toggle(&mut self, id: u32) {
        match self.0.iter().position(|listed| *listed == id) {
            Some(at) => {
                self.0.remove(at);
            }
            None => {
                self.0.push(id);
                self.0.sort_unstable();
            }
        }
    }

    fn screens(&self) -> Vec<u32> {
        self.0.clone()
    }
}

/// "Online", or "Offline, last seen 3 min old", or "Never seen".
pub fn presence(screen: &ScreenStatus, now: DateTime<Utc>) -> String {
    match (screen.online, screen.last_seen) {
        (true, _) => "Online".into(),
        (false, Some(seen)) => format!("Offline · last seen {}", age(seen, now)),
        (false, None) => "Not seen since the server started".into(),
    }
}

/// "1920 × 1080", or "—".
pub fn resolution(screen: &ScreenStatus) -> String {
    match &screen.heartbeat {
        Some(beat) if beat.width > 0 && beat.height > 0 => {
            format!("{} × {}", beat.width, beat.height)
        }
        _ => "—".into(),
    }
}

/// How current the screen's data is: "live", "42 s behind", "—".
pub fn data_age(screen: &ScreenStatus) -> String {
    match &screen.heartbeat {
        None => "—".into(),
        Some(beat) => match beat.data_age_s {
            None => "live".into(),
            Some(seconds) => format!("{seconds} s behind"),
        },
    }
}

/// What it shows or has been told to: "Safe slide", "Slide: …", the panels.
pub fn showing(screen: &ScreenStatus) -> String {
    let told = &screen.directive;
    if told.safe {
        return "Safe slide".into();
    }
    if let Some(slide) = &told.slide {
        return format!("Slide: {}", slide.title);
    }
    let panel = screen
        .heartbeat
        .as_ref()
        .map(|beat| beat.panel.clone())
        .filter(|panel| !panel.is_empty())
        .unwrap_or_else(|| "—".into());
    match &told.query {
        Some(query) => format!("{panel} (pushed: {query})"),
        None => format!("{panel} (its own URL's settings)"),
    }
}

/// The settings query for a panel list (`status:10,activity:30`) and the
/// seconds of the others; an empty list gives the screens back their URL's.
pub fn settings_query(panels: &str, seconds: &str) -> Option<String> {
    let panels = panels.trim();
    let seconds = seconds.trim();
    let mut parts = Vec::new();
    if !panels.is_empty() {
        parts.push(format!("panels={}", panels.replace(' ', "")));
    }
    if !seconds.is_empty() {
        parts.push(format!("seconds={seconds}"));
    }
    (!parts.is_empty()).then(|| parts.join("&"))
}

/// What a query makes a screen do, in words: "Exercise status 10 s →
/// Incident activity 30 s". The display's own reading of it, so what is
/// previewed is what runs.
pub fn preview(query: Option<&str>) -> String {
    let Some(query) = query else {
        return "Each screen's own URL settings".into();
    };
    let settings = DisplaySettings::from_query(&getter(&parse_query(query)));
    settings
        .panels
        .iter()
        .zip(settings.periods_ms())
        .map(|(panel, ms)| format!("{} {} s", panel.title(), ms / 1000))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// `screen_settings` for `target`.
pub fn settings_event(target: &Target, query: Option<String>) -> EventBody {
    EventBody::ScreenSettings(ScreenSettings {
        screens: target.screens(),
        query,
    })
}

/// `screen_slide` for `target`, from the form's fields.
pub fn slide_event(
    target: &Target,
    title: &str,
    text: &str,
    seconds: &str,
) -> Result<EventBody, FieldErrors> {
    let seconds = match seconds.trim() {
        "" => None,
        given => Some(given.parse::<u32>().map_err(|_| {
            FieldErrors::one(
                "seconds",
                "seconds on screen: a whole number, or empty to show it until cleared",
            )
        })?),
    };
    Ok(EventBody::ScreenSlide(ScreenSlide {
        screens: target.screens(),
        title: title.trim().to_string(),
        text: text.trim().to_string(),
        seconds,
    }))
}

/// `screen_slide_cleared` for `target`.
pub fn clear_event(target: &Target) -> EventBody {
    EventBody::ScreenSlideCleared(ScreenSlideCleared {
        screens: target.screens(),
    })
}

/// The safe slide on or off.
pub fn safe_event(on: bool) -> EventBody {
    EventBody::SafeSlide(SafeSlide { on })
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_model::screens::{Directive, Heartbeat};

    fn at(seconds: i64) -> DateTime<Utc> {
        "2026-11-24T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::seconds(seconds)
    }

    fn screen(online: bool, heartbeat: Option<Heartbeat>) -> ScreenStatus {
        ScreenStatus {
            screen: 4,
            name: "Lobby 1".into(),
            paired_at: at(0),
            online,
            last_seen: heartbeat.as_ref().map(|_| at(0)),
            heartbeat,
            directive: Directive::default(),
        }
    }

    #[test]
    fn a_screen_reads_as_words() {
        let beat = Heartbeat {
            panel: "activity".into(),
            width: 3840,
            height: 2160,
            version: "v".into(),
            data_age_s: Some(42),
        };
        let live = screen(true, Some(beat.clone()));
        assert_eq!(presence(&live, at(5)), "Online");
        assert_eq!(resolution(&live), "3840 × 2160");
        assert_eq!(data_age(&live), "42 s behind");
        assert_eq!(showing(&live), "activity (its own URL's settings)");
        let gone = screen(false, Some(beat));
        assert_eq!(presence(&gone, at(180)), "Offline · last seen 3 min old");
        let never = screen(false, None);
        assert_eq!(presence(&never, at(5)), "Not seen since the server started");
        assert_eq!(
            (resolution(&never), data_age(&never)),
            ("—".into(), "—".into())
        );
        let mut safe = live.clone();
        safe.directive.safe = true;
        assert_eq!(showing(&safe), "Safe slide");
    }

    #[test]
    fn per_panel_seconds_go_out_in_the_display_url_s_words_and_preview_as_they_will_run() {
        let query = settings_query(" status:10, activity:30 ", "20");
        assert_eq!(
            query.as_deref(),
            Some("panels=status:10,activity:30&seconds=20")
        );
        assert_eq!(
            preview(query.as_deref()),
            "Exercise status 10 s → Incident activity 30 s"
        );
        assert_eq!(settings_query("", ""), None);
        assert_eq!(preview(None), "Each screen's own URL settings");
        assert_eq!(
            preview(Some("panels=bogus,about&seconds=7")),
            "About the exercise 7 s",
            "the display skips what it does not know"
        );
        let mut target = Target::all();
        target.toggle(7);
        target.toggle(4);
        let EventBody::ScreenSettings(settings) = settings_event(&target, query) else {
            panic!();
        };
        assert_eq!(settings.screens, [4, 7], "some screens");
        target.toggle(4);
        target.toggle(7);
        assert!(target.is_all(), "none listed: every screen");
    }

    #[test]
    fn a_slide_form_becomes_its_event() {
        let slide = slide_event(&Target::all(), " Press briefing 1400Z ", "Room B", "").unwrap();
        assert_eq!(
            serde_json::to_value(slide).unwrap(),
            serde_json::json!({"type": "screen_slide", "screens": [], "title": "Press briefing 1400Z", "text": "Room B"})
        );
        let timed = slide_event(&Target(vec![2]), "T", "", "90").unwrap();
        assert!(matches!(
            timed,
            EventBody::ScreenSlide(ScreenSlide {
                seconds: Some(90),
                ..
            })
        ));
        assert!(slide_event(&Target::all(), "T", "", "soon")
            .unwrap_err()
            .get("seconds")
            .is_some());
        assert_eq!(
            serde_json::to_value(safe_event(true)).unwrap(),
            serde_json::json!({"type": "safe_slide", "on": true})
        );
    }
}
