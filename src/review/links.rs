//! Links followed during a replay keep the moment: a click on any link to
//! another dashboard page (the header's navigation, a row of the incident
//! list, a nation tile) goes to that page *as it was then*, with the same
//! `?at=`. Only "Back to live" leaves the replay.
//!
//! The pages keep writing plain links; the replay rewrites a followed link
//! at the moment of the click (`replay::LinkKeeper`), using [`keep_moment`].

use crate::ui::query::encode;

/// The dashboard's pages (those under `DashboardLayout`) that a replay
/// follows into; sign-in and the display are always live.
fn is_dashboard_page(path: &str) -> bool {
    let under = |prefix: &str| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    path == "/" || under("/nations") || under("/incidents") || under("/review")
}

/// `href` (a path with its query and fragment, as the router would follow
/// it) with `at=<moment>` added, when it goes to a dashboard page and does
/// not name a moment of its own; `None` to follow it as it is.
pub fn keep_moment(href: &str, at: &str) -> Option<String> {
    if !href.starts_with('/') || href.starts_with("//") || at.is_empty() {
        return None;
    }
    let (before_fragment, fragment) = match href.find('#') {
        Some(index) => href.split_at(index),
        None => (href, ""),
    };
    let (path, query) = match before_fragment.find('?') {
        Some(index) => (&before_fragment[..index], &before_fragment[index + 1..]),
        None => (before_fragment, ""),
    };
    if !is_dashboard_page(path) {
        return None;
    }
    let names_a_moment = query
        .split('&')
        .any(|pair| pair.split('=').next() == Some("at"));
    if names_a_moment {
        return None;
    }
    let joint = if query.is_empty() { "" } else { "&" };
    Some(format!("{path}?{query}{joint}at={}{fragment}", encode(at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_links_keep_the_moment() {
        let check = |href: &str, expected: Option<&str>| {
            assert_eq!(
                keep_moment(href, "271430Z NOV 26").as_deref(),
                expected,
                "{href}"
            )
        };
        check("/", Some("/?at=271430Z%20NOV%2026"));
        check("/nations", Some("/nations?at=271430Z%20NOV%2026"));
        check("/nations/EST", Some("/nations/EST?at=271430Z%20NOV%2026"));
        check(
            "/incidents?severity=critical&status=detected",
            Some("/incidents?severity=critical&status=detected&at=271430Z%20NOV%2026"),
        );
        check(
            "/incidents/CC-1#history",
            Some("/incidents/CC-1?at=271430Z%20NOV%2026#history"),
        );
        check(
            "/review/matrix",
            Some("/review/matrix?at=271430Z%20NOV%2026"),
        );
    }

    #[test]
    fn other_links_are_followed_as_they_are() {
        let check = |href: &str| assert_eq!(keep_moment(href, "1234"), None, "{href}");
        // Always live.
        check("/signin");
        check("/signin?next=/incidents");
        check("/display");
        check("/api/v1/snapshot");
        // Only the pages themselves, not lookalikes.
        check("/nationsx");
        check("/incidentsfoo/1");
        // A link that names its own moment.
        check("/incidents?at=12");
        check("/?q=x&at=2026-11-27T14:30:00Z");
        // Not a path of this app.
        check("https://example.org/");
        check("//example.org/");
        assert_eq!(keep_moment("/", ""), None, "no moment to keep");
        // A query key that merely starts with "at" is not a moment.
        assert_eq!(
            keep_moment("/incidents?attention=1", "5").as_deref(),
            Some("/incidents?attention=1&at=5")
        );
    }
}
