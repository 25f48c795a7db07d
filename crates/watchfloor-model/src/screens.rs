//! The wall screens control runs: which screens are paired, the settings
//! and slides control pushed to them, and the safe slide — folded from the
//! log like everything else, so a restart keeps it and the review sees who
//! did what. Restricted through and through: the public picture has no
//! screens, and the public log none of these events.
//!
//! A screen is a paired browser with a `display` credential; its id is that
//! credential's token id. What one screen must show now is its
//! [`Directive`]: its settings (a query in the display URL's own words,
//! `panels=status:10,activity:30&seconds=20`, its own or the one for all),
//! the newest slide for it (its own or one for all) that has not run out,
//! and the safe slide over everything.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Screens one exercise may pair at most.
pub const MAX_SCREENS: usize = 1_000;
/// The longest settings query.
pub const MAX_QUERY: usize = 500;
/// The longest slide line(s).
pub const MAX_SLIDE_TEXT: usize = 1_000;
/// The longest a slide may be shown for by itself (a day); without a time
/// it stays until cleared.
pub const MAX_SLIDE_SECONDS: u32 = 86_400;

/// The server paired a screen (posted by the server when control types the
/// screen's code; never by a client).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreenPaired {
    pub screen: u32,
    pub name: String,
}

/// The server unpaired a screen (its credential is revoked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreenUnpaired {
    pub screen: u32,
}

/// What the listed screens (none listed: every screen) rotate through: a
/// display URL's query (`panels=status:10,activity:30&seconds=20`); `None`
/// or empty gives them back their own URL's settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreenSettings {
    #[serde(default)]
    pub screens: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// A hold slide on the listed screens (none listed: every screen), full
/// screen until cleared or for `seconds`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreenSlide {
    #[serde(default)]
    pub screens: Vec<u32>,
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
}

/// Clears the hold slide of the listed screens (none listed: every slide).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreenSlideCleared {
    #[serde(default)]
    pub screens: Vec<u32>,
}

/// Every screen on the neutral safe slide at once (`on`), or back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SafeSlide {
    pub on: bool,
}

/// A hold slide as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slide {
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    pub since: DateTime<Utc>,
    /// When it goes by itself; `None`: when cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl Slide {
    fn shows_at(&self, now: DateTime<Utc>) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

/// Since when, and by whom, the safe slide is on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Safe {
    pub since: DateTime<Utc>,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// One paired screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screen {
    pub name: String,
    pub paired_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Its own settings, over the ones for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slide: Option<Slide>,
}

/// Every paired screen and what control pushed to them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screens {
    /// By screen id (the display credential's token id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub screens: BTreeMap<u32, Screen>,
    /// The settings for every screen without its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The slide for every screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slide: Option<Slide>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe: Option<Safe>,
}

/// What one screen shows now, as its channel sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Directive {
    /// The screen's name.
    pub name: String,
    /// The settings query to rotate by; `None`: the screen's own URL's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The hold slide to show full screen, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slide: Option<Slide>,
    /// The neutral safe slide, over everything.
    #[serde(default)]
    pub safe: bool,
}

/// `POST /api/v1/screens/pairing`: a fresh code for an unpaired screen to
/// show, and the secret it claims its credential with once control has
/// typed the code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pairing {
    /// Six letters and digits, shown as `K7M 4QX`; case and spaces do not matter.
    pub code: String,
    /// Known only to the screen that asked: it claims the pairing with it.
    pub claim: String,
    pub expires_at: DateTime<Utc>,
}

/// Where a pairing stands, as the screen polls it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingState {
    /// `waiting` (no one has typed the code yet) or `paired` (the answer
    /// sets the screen's long-lived session cookie).
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A screen's heartbeat: what it shows and how it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// The panel on screen (`status`, …, or `slide`, `safe`).
    #[serde(default)]
    pub panel: String,
    #[serde(default)]
    pub width: u32,
    #[serde(default)]
    pub height: u32,
    /// The app build it runs (its wasm file's name).
    #[serde(default)]
    pub version: String,
    /// Seconds since its data was last known current; `None`: live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_age_s: Option<u64>,
}

/// The longest text a heartbeat field may hold.
pub const MAX_HEARTBEAT_TEXT: usize = 100;

/// One screen in the console's fleet view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenStatus {
    pub screen: u32,
    pub name: String,
    pub paired_at: DateTime<Utc>,
    /// A heartbeat within the last 15 s.
    pub online: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
    /// The last heartbeat, if any since the server started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat: Option<Heartbeat>,
    /// What it has been told to show.
    pub directive: Directive,
}

/// `GET /api/v1/screens`: every paired screen, and the settings for all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fleet {
    pub screens: Vec<ScreenStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slide: Option<Slide>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe: Option<Safe>,
}

impl Screens {
    pub fn is_empty(&self) -> bool {
        self.screens.is_empty()
            && self.query.is_none()
            && self.slide.is_none()
            && self.safe.is_none()
    }

    /// What screen `id` shows at `now`; `None` when it is not paired.
    pub fn directive(&self, id: u32, now: DateTime<Utc>) -> Option<Directive> {
        let screen = self.screens.get(&id)?;
        let slide = [screen.slide.as_ref(), self.slide.as_ref()]
            .into_iter()
            .flatten()
            .filter(|slide| slide.shows_at(now))
            .max_by_key(|slide| slide.seq)
            .cloned();
        Some(Directive {
            name: screen.name.clone(),
            query: screen.query.clone().or_else(|| self.query.clone()),
            slide,
            safe: self.safe.is_some(),
        })
    }

    /// When the directive of some screen next changes by itself (a slide
    /// running out), after `now`.
    pub fn next_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.screens
            .values()
            .filter_map(|screen| screen.slide.as_ref())
            .chain(self.slide.as_ref())
            .filter_map(|slide| slide.until)
            .filter(|until| *until > now)
            .min()
    }

    pub(crate) fn pair(&mut self, paired: &ScreenPaired, at: DateTime<Utc>, by: Option<String>) {
        self.screens.insert(
            paired.screen,
            Screen {
                name: paired.name.clone(),
                paired_at: at,
                by,
                query: None,
                slide: None,
            },
        );
    }

    pub(crate) fn unpair(&mut self, screen: u32) {
        self.screens.remove(&screen);
    }

    pub(crate) fn set(&mut self, settings: &ScreenSettings) {
        let query = settings
            .query
            .as_deref()
            .map(str::trim)
            .filter(|query| !query.is_empty())
            .map(str::to_string);
        if settings.screens.is_empty() {
            self.query = query;
            for screen in self.screens.values_mut() {
                screen.query = None;
            }
        } else {
            for id in &settings.screens {
                if let Some(screen) = self.screens.get_mut(id) {
                    screen.query = query.clone();
                }
            }
        }
    }

    pub(crate) fn show(
        &mut self,
        shown: &ScreenSlide,
        seq: u64,
        at: DateTime<Utc>,
        by: Option<String>,
    ) {
        let slide = Slide {
            title: shown.title.trim().to_string(),
            text: shown.text.trim().to_string(),
            since: at,
            until: shown.seconds.map(|seconds| {
                crate::time::saturating_shift(at, chrono::Duration::seconds(i64::from(seconds)))
            }),
            seq,
            by,
        };
        if shown.screens.is_empty() {
            self.slide = Some(slide);
        } else {
            for id in &shown.screens {
                if let Some(screen) = self.screens.get_mut(id) {
                    screen.slide = Some(slide.clone());
                }
            }
        }
    }

    pub(crate) fn clear(&mut self, cleared: &ScreenSlideCleared) {
        if cleared.screens.is_empty() {
            self.slide = None;
            for screen in self.screens.values_mut() {
                screen.slide = None;
            }
        } else {
            for id in &cleared.screens {
                if let Some(screen) = self.screens.get_mut(id) {
                    screen.slide = None;
                }
            }
        }
    }

    pub(crate) fn safe(
        &mut self,
        safe: &SafeSlide,
        seq: u64,
        at: DateTime<Utc>,
        by: Option<String>,
    ) {
        if !safe.on {
            self.safe = None;
        } else if self.safe.is_none() {
            self.safe = Some(Safe { since: at, seq, by });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        "2026-11-24T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::seconds(seconds)
    }

    fn paired() -> Screens {
        let mut screens = Screens::default();
        for (id, name) in [(1, "Lobby 1"), (2, "Press room")] {
            screens.pair(
                &ScreenPaired {
                    screen: id,
                    name: name.into(),
                },
                at(0),
                Some("white".into()),
            );
        }
        screens
    }

    fn slide(screens: Vec<u32>, title: &str, seconds: Option<u32>) -> ScreenSlide {
        ScreenSlide {
            screens,
            title: title.into(),
            text: String::new(),
            seconds,
        }
    }

    #[test]
    fn a_screen_s_own_settings_come_before_the_ones_for_all() {
        let mut screens = paired();
        assert_eq!(screens.directive(1, at(1)).unwrap().query, None);
        assert_eq!(screens.directive(3, at(1)), None, "not paired");
        screens.set(&ScreenSettings {
            screens: vec![],
            query: Some("panels=status:10".into()),
        });
        screens.set(&ScreenSettings {
            screens: vec![2],
            query: Some(" panels=about ".into()),
        });
        assert_eq!(
            screens.directive(1, at(1)).unwrap().query.as_deref(),
            Some("panels=status:10")
        );
        assert_eq!(
            screens.directive(2, at(1)).unwrap().query.as_deref(),
            Some("panels=about")
        );
        // Settings for all again: every screen follows them.
        screens.set(&ScreenSettings {
            screens: vec![],
            query: Some("panels=nations".into()),
        });
        assert_eq!(
            screens.directive(2, at(1)).unwrap().query.as_deref(),
            Some("panels=nations")
        );
        screens.set(&ScreenSettings::default());
        assert_eq!(
            screens.directive(2, at(1)).unwrap().query,
            None,
            "back to the URL's"
        );
    }

    #[test]
    fn the_newest_slide_shows_until_cleared_or_run_out_and_safe_covers_all() {
        let mut screens = paired();
        screens.show(&slide(vec![], "Briefing 1400Z", None), 10, at(0), None);
        screens.show(&slide(vec![2], "Press only", Some(60)), 11, at(5), None);
        let title = |screens: &Screens, id, now| {
            screens
                .directive(id, now)
                .unwrap()
                .slide
                .map(|slide| slide.title)
        };
        assert_eq!(
            title(&screens, 1, at(10)).as_deref(),
            Some("Briefing 1400Z")
        );
        assert_eq!(title(&screens, 2, at(10)).as_deref(), Some("Press only"));
        assert_eq!(screens.next_expiry(at(10)), Some(at(65)));
        assert_eq!(
            title(&screens, 2, at(65)).as_deref(),
            Some("Briefing 1400Z"),
            "ran out"
        );
        screens.clear(&ScreenSlideCleared { screens: vec![1] });
        assert_eq!(
            title(&screens, 1, at(10)).as_deref(),
            Some("Briefing 1400Z"),
            "the one for all stays"
        );
        screens.clear(&ScreenSlideCleared::default());
        assert_eq!(title(&screens, 1, at(10)), None);
        assert_eq!(title(&screens, 2, at(10)), None);
        screens.safe(&SafeSlide { on: true }, 12, at(20), Some("pa".into()));
        screens.safe(&SafeSlide { on: true }, 13, at(30), None);
        assert_eq!(
            screens.safe.as_ref().map(|safe| safe.seq),
            Some(12),
            "on since the first"
        );
        assert!(screens.directive(1, at(40)).unwrap().safe);
        screens.safe(&SafeSlide { on: false }, 14, at(50), None);
        assert!(!screens.directive(1, at(60)).unwrap().safe);
        screens.unpair(1);
        assert_eq!(screens.directive(1, at(60)), None);
    }
}
