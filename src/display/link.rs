//! A wall screen's link to the console, as plain data: where the screen
//! stands (not yet known, unpaired with a code to show, paired with what to
//! show), what covers the rotation (the safe slide, a hold slide, the
//! pairing code), and the settings a pushed query gives.

use chrono::{DateTime, Utc};
use watchfloor_model::screens::{Directive, Slide};

use crate::display::settings::DisplaySettings;
use crate::ui::query::getter;

/// Where the screen stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Link {
    /// Not yet asked.
    #[default]
    Unknown,
    /// Not a paired screen; `code` once the server gave one to show.
    Unpaired {
        code: Option<String>,
    },
    Paired(Directive),
}

/// What covers the rotation, if anything.
#[derive(Clone, Debug, PartialEq)]
pub enum Cover {
    /// The neutral slide: nothing of the exercise on screen.
    Safe,
    Slide(Slide),
    /// The code to type in the console, in large type.
    Code(String),
}

impl Link {
    /// The directive, when paired.
    pub fn directive(&self) -> Option<&Directive> {
        match self {
            Link::Paired(directive) => Some(directive),
            _ => None,
        }
    }

    /// What covers the rotation at `now`: the safe slide over a hold slide
    /// over the pairing code (shown only when `pairing` is wanted).
    pub fn cover(&self, now: DateTime<Utc>, pairing: bool) -> Option<Cover> {
        match self {
            Link::Paired(directive) if directive.safe => Some(Cover::Safe),
            Link::Paired(directive) => directive
                .slide
                .as_ref()
                .filter(|slide| slide.until.is_none_or(|until| now < until))
                .cloned()
                .map(Cover::Slide),
            Link::Unpaired { code: Some(code) } if pairing => Some(Cover::Code(code.clone())),
            _ => None,
        }
    }

    /// The settings to rotate by: the pushed query's, or the URL's.
    pub fn settings(&self, from_url: &DisplaySettings) -> DisplaySettings {
        match self
            .directive()
            .and_then(|directive| directive.query.as_deref())
        {
            Some(query) => DisplaySettings::from_query(&getter(&parse_query(query))),
            None => from_url.clone(),
        }
    }
}

/// A code as the screen shows it: `K7M4QX` → `K7M 4QX`.
pub fn spaced(code: &str) -> String {
    let (head, tail) = code.split_at(code.len().min(3));
    if tail.is_empty() {
        head.to_string()
    } else {
        format!("{head} {tail}")
    }
}

/// Whether a display opened with these URL pairs offers pairing: a bare
/// `/display`, or one that asks (`?pair`). A screen set up by a full URL
/// runs as its URL says.
pub fn offers_pairing(pairs: &[(String, String)]) -> bool {
    pairs.is_empty() || pairs.iter().any(|(key, _)| key == "pair")
}

/// `panels=status%3A10&seconds=20` → `[("panels", "status:10"), ("seconds", "20")]`.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (decode(key), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                match text
                    .get(index + 1..index + 3)
                    .map(|hex| u8::from_str_radix(hex, 16))
                {
                    Some(Ok(byte)) => {
                        out.push(byte);
                        index += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::settings::Panel;

    fn at(seconds: i64) -> DateTime<Utc> {
        "2026-11-24T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::seconds(seconds)
    }

    fn slide(until: Option<i64>) -> Slide {
        Slide {
            title: "Press briefing 1400Z".into(),
            text: "Room B".into(),
            since: at(0),
            until: until.map(at),
            seq: 3,
            by: None,
        }
    }

    #[test]
    fn the_safe_slide_covers_a_hold_slide_which_covers_the_rotation_until_it_runs_out() {
        let paired = |slide, safe| {
            Link::Paired(Directive {
                name: "Lobby".into(),
                query: None,
                slide,
                safe,
            })
        };
        assert_eq!(paired(None, false).cover(at(1), true), None);
        assert_eq!(
            paired(Some(slide(Some(60))), false).cover(at(10), true),
            Some(Cover::Slide(slide(Some(60))))
        );
        assert_eq!(
            paired(Some(slide(Some(60))), false).cover(at(60), true),
            None,
            "ran out"
        );
        assert_eq!(
            paired(Some(slide(None)), true).cover(at(10), false),
            Some(Cover::Safe)
        );
        let unpaired = Link::Unpaired {
            code: Some("K7M4QX".into()),
        };
        assert_eq!(
            unpaired.cover(at(0), true),
            Some(Cover::Code("K7M4QX".into()))
        );
        assert_eq!(
            unpaired.cover(at(0), false),
            None,
            "a URL-configured screen runs as set"
        );
        assert_eq!(Link::Unknown.cover(at(0), true), None);
    }

    #[test]
    fn a_pushed_query_replaces_the_url_s_settings_and_none_gives_them_back() {
        let url = DisplaySettings::from_query(&[("panels", "status")][..]);
        let pushed = Link::Paired(Directive {
            name: "Lobby".into(),
            query: Some("panels=about%3A30,nations&seconds=12".into()),
            slide: None,
            safe: false,
        });
        let settings = pushed.settings(&url);
        assert_eq!(settings.panels, [Panel::About, Panel::Nations]);
        assert_eq!(settings.periods_ms(), [30_000, 12_000]);
        assert_eq!(Link::Unknown.settings(&url), url);
    }

    #[test]
    fn queries_decode_and_codes_read_in_two_halves() {
        assert_eq!(
            parse_query("?panels=status%3A10,activity:30&seconds=20&lang=fr+en&x"),
            [
                ("panels".to_string(), "status:10,activity:30".to_string()),
                ("seconds".into(), "20".into()),
                ("lang".into(), "fr en".into()),
                ("x".into(), String::new()),
            ]
        );
        assert_eq!(
            parse_query("a=%zz%4"),
            [("a".to_string(), "%zz%4".to_string())]
        );
        assert_eq!(spaced("K7M4QX"), "K7M 4QX");
        assert_eq!(spaced("AB"), "AB");
        assert!(offers_pairing(&[]));
        assert!(offers_pairing(&[("pair".into(), String::new())]));
        assert!(!offers_pairing(&[("panels".into(), "status".into())]));
    }
}
