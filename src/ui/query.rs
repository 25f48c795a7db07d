//! The URL query as the home of every filter, sort, zoom and selection.
//!
//! Views parse what they need from the query with plain functions (tested
//! natively below and in each view's own module) and write changes back with
//! [`use_query_writer`], so back/forward, reload and a pasted link all give the
//! same view.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use watchfloor_model::filter::{query_list, query_value};

/// A query parameter's current value, read through a getter so that the
/// parsers work on the router's map in the browser and on plain pairs in tests.
pub trait QueryGet {
    /// The value of `key`, if present and not empty.
    fn value(&self, key: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> QueryGet for F {
    fn value(&self, key: &str) -> Option<String> {
        self(key).filter(|value| !value.is_empty())
    }
}

impl QueryGet for [(&str, &str)] {
    fn value(&self, key: &str) -> Option<String> {
        query_value(self, key).map(str::to_string)
    }
}

/// A comma-separated list: `severity=critical,high` → `["critical", "high"]`
/// (split as the model's incident filter splits it).
pub fn list(query: &(impl QueryGet + ?Sized), key: &str) -> Vec<String> {
    query_list(query.value(key).as_deref())
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// A list of values that parse; the rest are ignored (a stale link still opens).
pub fn parsed_list<T: std::str::FromStr + PartialEq>(
    query: &(impl QueryGet + ?Sized),
    key: &str,
) -> Vec<T> {
    let mut values = Vec::new();
    for item in list(query, key) {
        if let Ok(value) = item.parse::<T>() {
            if !values.contains(&value) {
                values.push(value);
            }
        }
    }
    values
}

/// Percent-encodes a query component, keeping `,` and `:` readable.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `?a=1&b=x%20y` from pairs, skipping empty values; `""` when nothing is left.
pub fn query_string(pairs: &[(String, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// `pairs` with `key` set to `value` (or removed when `None`), keeping the order of the others.
pub fn with_value(
    pairs: &[(String, String)],
    key: &str,
    value: Option<String>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len() + 1);
    let mut placed = false;
    for (name, current) in pairs {
        if name == key {
            if let (false, Some(value)) = (placed, &value) {
                out.push((name.clone(), value.clone()));
            }
            placed = true;
        } else {
            out.push((name.clone(), current.clone()));
        }
    }
    if let (false, Some(value)) = (placed, value) {
        out.push((key.to_string(), value));
    }
    out
}

/// The current query as a getter over the router's map, reactive when called in a reactive scope.
pub fn use_query() -> Memo<Vec<(String, String)>> {
    let map = use_query_map();
    Memo::new(move |_| {
        map.with(|map| {
            map.latest_values()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect()
        })
    })
}

/// Reads a pair list like the router's map: the last value of `key`.
pub fn getter(pairs: &[(String, String)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |key| {
        pairs
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
    }
}

/// How a query change enters the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum History {
    /// A new entry: back returns to the previous view (filters, zoom, sort).
    Push,
    /// Replace the current entry (typing in the text filter).
    Replace,
}

/// Navigation as the router offers it.
type Navigate = std::rc::Rc<dyn Fn(&str, NavigateOptions)>;

/// Writes changes of the current page's query into the URL (a `Copy` handle).
#[derive(Clone, Copy)]
pub struct QueryWriter {
    query: Memo<Vec<(String, String)>>,
    navigate: StoredValue<Navigate, LocalStorage>,
    path: Memo<String>,
}

impl QueryWriter {
    /// Sets several keys at once (`None` removes a key).
    pub fn set_many(&self, changes: &[(&str, Option<String>)], history: History) {
        let mut pairs = self.query.get_untracked();
        for (key, value) in changes {
            pairs = with_value(&pairs, key, value.clone());
        }
        let url = format!("{}{}", self.path.get_untracked(), query_string(&pairs));
        let navigate = self.navigate.get_value();
        navigate(
            &url,
            NavigateOptions {
                replace: history == History::Replace,
                scroll: false,
                ..Default::default()
            },
        );
    }

    /// Sets one key (`None` removes it).
    pub fn set(&self, key: &str, value: Option<String>, history: History) {
        self.set_many(&[(key, value)], history);
    }
}

/// A writer for the current route's query; must be called under the `Router`.
pub fn use_query_writer() -> QueryWriter {
    let location = use_location();
    let pathname = location.pathname;
    QueryWriter {
        query: use_query(),
        navigate: StoredValue::new_local(std::rc::Rc::new(use_navigate()) as Navigate),
        path: Memo::new(move |_| pathname.get()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_model::Severity;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn lists_parse_known_values_and_skip_the_rest() {
        let query: &[(&str, &str)] = &[("severity", "critical, high,bogus,critical")];
        assert_eq!(
            parsed_list::<Severity>(query, "severity"),
            [Severity::Critical, Severity::High]
        );
        assert!(list(query, "status").is_empty());
        let empty: &[(&str, &str)] = &[("q", "")];
        assert_eq!(empty.value("q"), None);
    }

    #[test]
    fn query_strings_encode_and_drop_empty_values() {
        let query = query_string(&pairs(&[
            ("q", "port authority & co"),
            ("severity", "critical,high"),
            ("from", "2026-11-25T12:00Z"),
            ("empty", ""),
        ]));
        assert_eq!(
            query,
            "?q=port%20authority%20%26%20co&severity=critical,high&from=2026-11-25T12:00Z"
        );
        assert_eq!(query_string(&[]), "");
    }

    #[test]
    fn setting_a_value_keeps_the_order_of_the_others() {
        let current = pairs(&[("a", "1"), ("b", "2"), ("c", "3")]);
        assert_eq!(
            with_value(&current, "b", Some("x".into())),
            pairs(&[("a", "1"), ("b", "x"), ("c", "3")])
        );
        assert_eq!(
            with_value(&current, "b", None),
            pairs(&[("a", "1"), ("c", "3")])
        );
        assert_eq!(
            with_value(&current, "d", Some("4".into())),
            pairs(&[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")])
        );
        let get = getter(&current);
        assert_eq!(get("c").as_deref(), Some("3"));
    }
}
