//! Which of the app's pages answers a path: the server sends that page's HTML
//! for a reload or a pasted link, and each page's app hands a link to a path
//! it does not own to the server (a full load) instead of showing "not found".
//!
//! The app is built as three entries so that a screen downloads only what it
//! shows: the dashboard (`index.html`), the wall display (`display.html`) and
//! the control cell's console (`control.html`).

/// One entry of the built app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The commanders' dashboard: `/`, `/nations`, `/incidents`, `/review/…`, `/signin`.
    Dashboard,
    /// The wall display: `/display` and anything under it.
    Display,
    /// Exercise control's console: `/control` and anything under it.
    Control,
}

impl Page {
    /// Every entry.
    pub const ALL: [Page; 3] = [Page::Dashboard, Page::Display, Page::Control];

    /// The entry that answers `path` (the URL's path, without query).
    pub fn for_path(path: &str) -> Page {
        let under = |root: &str| {
            path.strip_prefix(root)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/display") {
            Page::Display
        } else if under("/control") {
            Page::Control
        } else {
            Page::Dashboard
        }
    }

    /// Its name in words.
    pub fn name(self) -> &'static str {
        match self {
            Page::Dashboard => "dashboard",
            Page::Display => "display",
            Page::Control => "control console",
        }
    }

    /// The path it opens at.
    pub fn root(self) -> &'static str {
        match self {
            Page::Dashboard => "/",
            Page::Display => "/display",
            Page::Control => "/control",
        }
    }

    /// The app's cargo bin that builds it (`src/main.rs`, `src/bin/<bin>.rs`),
    /// and so the name of its wasm.
    pub fn bin(self) -> &'static str {
        match self {
            Page::Dashboard => "watchfloor",
            Page::Display => "watchfloor-display",
            Page::Control => "watchfloor-control",
        }
    }

    /// Its HTML file in the built app.
    pub fn html_file(self) -> &'static str {
        match self {
            Page::Dashboard => "index.html",
            Page::Display => "display.html",
            Page::Control => "control.html",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_to_their_entry() {
        assert_eq!(Page::for_path("/"), Page::Dashboard);
        assert_eq!(Page::for_path("/incidents/CC-1"), Page::Dashboard);
        assert_eq!(Page::for_path("/review/matrix"), Page::Dashboard);
        assert_eq!(Page::for_path("/display"), Page::Display);
        assert_eq!(Page::for_path("/display/"), Page::Display);
        assert_eq!(Page::for_path("/control"), Page::Control);
        assert_eq!(Page::for_path("/control/screens"), Page::Control);
        // A prefix of a word is not the entry.
        assert_eq!(Page::for_path("/displays"), Page::Dashboard);
        assert_eq!(Page::for_path("/controller"), Page::Dashboard);
    }

    #[test]
    fn each_entry_has_its_own_file_and_bin_and_owns_its_root() {
        let files: std::collections::BTreeSet<_> =
            Page::ALL.iter().map(|page| page.html_file()).collect();
        assert_eq!(files.len(), Page::ALL.len());
        let bins: std::collections::BTreeSet<_> = Page::ALL.iter().map(|page| page.bin()).collect();
        assert_eq!(bins.len(), Page::ALL.len());
        for page in Page::ALL {
            assert_eq!(Page::for_path(page.root()), page, "{page:?}");
        }
    }
}
