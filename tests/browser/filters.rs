//! The incident filters: they show the filter they are given and report changes.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::incidents::IncidentFilters;
use watchfloor::ui::query::History;
use watchfloor_model::IncidentFilter;
use watchfloor_model::{IncidentStatus, Severity};

use crate::support::{at, mount, one, settle};

fn checkbox(root: &web_sys::Element, group: &str, value: &str) -> web_sys::HtmlInputElement {
    one(root, group)
        .query_selector(&format!("input[value=\"{value}\"]"))
        .expect("selector")
        .expect("checkbox")
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn filters_show_the_url_state_and_report_each_change() {
    let filter = RwSignal::new(IncidentFilter {
        severity: vec![Severity::Critical],
        ..IncidentFilter::default()
    });
    let changes = RwSignal::new(Vec::<(IncidentFilter, History)>::new());
    let on_change = Callback::new(move |change: (IncidentFilter, History)| {
        changes.update(|changes| changes.push(change.clone()));
        // The page writes the URL, which feeds the filter back.
        filter.set(change.0);
    });
    let categories = Signal::derive(|| vec!["ransomware".to_string(), "ddos".to_string()]);
    let nations = Signal::derive(|| vec![("EST".to_string(), "Estonia".to_string())]);
    let root = mount(None, at(0), move || {
        view! { <IncidentFilters filter=filter on_change=on_change categories=categories nations=nations /> }
    });
    settle().await;
    assert!(checkbox(&root, "filter-severity", "critical").checked());
    assert!(!checkbox(&root, "filter-severity", "high").checked());

    checkbox(&root, "filter-severity", "high").click();
    settle().await;
    let (last, history) =
        changes.with_untracked(|changes| changes.last().cloned().expect("a change"));
    assert_eq!(
        last.severity,
        [Severity::High, Severity::Critical],
        "kept in severity order"
    );
    assert_eq!(history, History::Push);

    checkbox(&root, "filter-status", "analysing").click();
    settle().await;
    assert_eq!(filter.get_untracked().status, [IncidentStatus::Analysing]);

    let select: web_sys::HtmlSelectElement = one(&root, "filter-category").unchecked_into();
    select.set_value("ddos");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    settle().await;
    assert_eq!(filter.get_untracked().category, ["ddos"]);

    let input: web_sys::HtmlInputElement = one(&root, "filter-text").unchecked_into();
    input.set_value("port authority");
    input
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
    settle().await;
    let (last, history) =
        changes.with_untracked(|changes| changes.last().cloned().expect("a change"));
    assert_eq!(last.text, "port authority");
    assert_eq!(
        history,
        History::Replace,
        "typing does not flood the history"
    );

    let clear: web_sys::HtmlElement = one(&root, "filter-clear").unchecked_into();
    clear.click();
    settle().await;
    assert!(filter.get_untracked().is_empty());
    assert!(!checkbox(&root, "filter-severity", "critical").checked());
}
