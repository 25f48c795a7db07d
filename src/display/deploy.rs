//! Picking up a new deployment without anyone touching the screen.
//!
//! Trunk names the app's files after their content (`watchfloor-<hash>.js`,
//! `watchfloor-<hash>_bg.wasm`, `main-<hash>.css`), and `display.html` names the
//! ones that belong together. The display compares the names the page was
//! loaded with to the names in a freshly fetched `display.html`: when they
//! differ, a new version is deployed and the page reloads itself.

use std::collections::BTreeSet;

/// How often the display looks for a new deployment.
pub const CHECK_EVERY_MS: u64 = 5 * 60 * 1000;

/// The app's own files that an HTML text refers to: the file names (without
/// their folder) of every path ending in `.wasm`, `.js` or `.css`.
///
/// It reads the minified `display.html` the server sends (unquoted attributes,
/// `href=/main-1a2b.css`) and the browser's own serialisation of the page it
/// runs (`href="/main-1a2b.css"`) alike, so the two can be compared. Only
/// paths count (a `/` in them): a word like `notes.js` in text is not a file.
pub fn asset_names(html: &str) -> BTreeSet<String> {
    let delimiter = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | '=' | '<' | '>' | '(' | ')' | ',' | ';' | '{' | '}'
            )
    };
    html.split(delimiter)
        .filter(|token| token.contains('/') && token.len() <= 300)
        .filter_map(|token| {
            let path = token.split(['?', '#']).next().unwrap_or_default();
            let name = path.rsplit('/').next().unwrap_or_default();
            let is_asset = [".wasm", ".js", ".css"]
                .iter()
                .any(|extension| name.len() > extension.len() && name.ends_with(extension));
            is_asset.then(|| name.to_string())
        })
        .collect()
}

/// Whether the page, loaded with `loaded`, should reload to get `served`.
///
/// Only for a real app page: an error or maintenance page served in between
/// (no WebAssembly named in it) must not make every screen reload into it.
pub fn is_new_deployment(loaded: &BTreeSet<String>, served: &BTreeSet<String>) -> bool {
    let serves_the_app = served.iter().any(|name| name.ends_with(".wasm"));
    serves_the_app && !loaded.is_empty() && loaded != served
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trunk_page(hash: &str) -> String {
        format!(
            r#"<!DOCTYPE html><html lang="en"><head>
<link rel="stylesheet" href="/main-{hash}.css" integrity="sha384-abc"/>
<link rel="modulepreload" href="/watchfloor-{hash}.js" crossorigin="anonymous" integrity="sha384-def">
<link rel="preload" href="/watchfloor-{hash}_bg.wasm" crossorigin="anonymous" as="fetch" type="application/wasm">
<script type="module">
import init, * as bindings from '/watchfloor-{hash}.js';
const wasm = await init({{ module_or_path: '/watchfloor-{hash}_bg.wasm' }});
window.wasmBindings = bindings;
</script></head><body><p title="see notes.js for why">x</p></body></html>"#
        )
    }

    fn names(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn the_page_names_its_script_module_and_styles() {
        assert_eq!(
            asset_names(&trunk_page("1a2b")),
            names(&[
                "main-1a2b.css",
                "watchfloor-1a2b.js",
                "watchfloor-1a2b_bg.wasm"
            ])
        );
        assert!(asset_names("<html>no assets here, not even 'notes.js'</html>").is_empty());
        assert_eq!(
            asset_names(r#"<script src="/js/app.js?v=3"></script>"#),
            names(&["app.js"])
        );
    }

    #[test]
    fn the_minified_page_and_the_live_document_name_the_same_files() {
        // What Trunk serves, minified: attributes without quotes.
        let served = r#"<!doctype html><html data-theme=dark lang=en><title>Watchfloor</title><script type=module>import init, * as bindings from '/watchfloor-7e19.js';
const wasm = await init({ module_or_path: '/watchfloor-7e19_bg.wasm' });</script><link href=/main-5036.css integrity=sha384-Uhd6 rel=stylesheet><link href=/display-8556.css rel=stylesheet><link crossorigin href=/watchfloor-7e19.js rel=modulepreload><link as=fetch crossorigin href=/watchfloor-7e19_bg.wasm rel=preload type=application/wasm></head><body><noscript>Watchfloor needs JavaScript and WebAssembly.</noscript></body></html>"#;
        // The same page as the browser serialises it, with the app mounted.
        let live = r#"<html data-theme="dark" lang="en"><head><title>Watchfloor</title><script type="module">import init, * as bindings from '/watchfloor-7e19.js';
const wasm = await init({ module_or_path: '/watchfloor-7e19_bg.wasm' });</script><link href="/main-5036.css" rel="stylesheet"><link href="/display-8556.css" rel="stylesheet"><link crossorigin="" href="/watchfloor-7e19.js" rel="modulepreload"><link as="fetch" crossorigin="" href="/watchfloor-7e19_bg.wasm" rel="preload" type="application/wasm"></head><body><div>Updated: see notes.js</div></body></html>"#;
        let expected = names(&[
            "display-8556.css",
            "main-5036.css",
            "watchfloor-7e19.js",
            "watchfloor-7e19_bg.wasm",
        ]);
        assert_eq!(asset_names(served), expected);
        assert_eq!(asset_names(live), expected);
        assert!(!is_new_deployment(&asset_names(live), &asset_names(served)));
    }

    #[test]
    fn only_a_different_app_page_is_a_new_deployment() {
        let loaded = asset_names(&trunk_page("1a2b"));
        assert!(!is_new_deployment(
            &loaded,
            &asset_names(&trunk_page("1a2b"))
        ));
        assert!(is_new_deployment(
            &loaded,
            &asset_names(&trunk_page("9f8e"))
        ));
        let maintenance = asset_names(r#"<link rel="stylesheet" href="/sorry.css">"#);
        assert!(!is_new_deployment(&loaded, &maintenance), "not an app page");
        assert!(
            !is_new_deployment(&BTreeSet::new(), &loaded),
            "nothing to compare with"
        );
    }
}
