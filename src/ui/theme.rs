//! Dark (the ops-room default) and light themes: the choice is kept in
//! localStorage and applied as `data-theme` on `<html>`, where the style
//! sheet's colour variables pick it up.

/// The localStorage key of the chosen theme.
pub const STORAGE_KEY: &str = "watchfloor.theme";

/// A colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

impl Theme {
    /// The `data-theme` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }

    /// Reads a stored value; anything unknown is the default.
    pub fn parse(text: Option<&str>) -> Theme {
        match text {
            Some("light") => Theme::Light,
            _ => Theme::Dark,
        }
    }

    /// The other theme.
    pub fn toggled(self) -> Theme {
        match self {
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Dark,
        }
    }
}

/// The theme kept in localStorage (dark when none, or when storage is unavailable).
pub fn stored() -> Theme {
    #[cfg(target_arch = "wasm32")]
    {
        let value = web_sys::window()
            .and_then(|window| window.local_storage().ok().flatten())
            .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten());
        Theme::parse(value.as_deref())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Theme::Dark
    }
}

/// Applies `theme` to the page and remembers it.
pub fn apply(theme: Theme, remember: bool) {
    #[cfg(target_arch = "wasm32")]
    {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(root) = window
            .document()
            .and_then(|document| document.document_element())
        {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
        if remember {
            if let Some(storage) = window.local_storage().ok().flatten() {
                let _ = storage.set_item(STORAGE_KEY, theme.as_str());
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (theme, remember);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_is_the_default_and_light_is_kept() {
        assert_eq!(Theme::parse(None), Theme::Dark);
        assert_eq!(Theme::parse(Some("neon")), Theme::Dark);
        assert_eq!(Theme::parse(Some("light")), Theme::Light);
        assert_eq!(Theme::Dark.toggled().as_str(), "light");
    }
}
