//! The matrix cell: each state (not affected, no response, a response in
//! each colour band) says itself in text, not only in colour.

use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use watchfloor::review::MatrixCell;
use watchfloor_model::review::{Cell, Times};

use crate::support::{all, at, mount, settle, text};

fn responded(detected: i64, reported: Option<i64>) -> Cell {
    Cell::Responded {
        times: Times {
            detected: Some(detected),
            reported,
            contained: None,
        },
    }
}

#[wasm_bindgen_test]
async fn every_matrix_cell_says_its_state_in_text() {
    let cells = [
        Cell::NotAffected,
        Cell::NoResponse,
        responded(600, Some(1200)),
        responded(2 * 3600, None),
        responded(6 * 3600, None),
    ];
    let root = mount(None, at(0), move || {
        view! {
            <table><tbody><tr>
                {cells
                    .into_iter()
                    .map(|cell| view! { <MatrixCell cell=cell label="INJ-1" title="EST on INJ-1" /> })
                    .collect_view()}
            </tr></tbody></table>
        }
    });
    settle().await;
    let found = all(&root, "matrix-cell");
    assert_eq!(found.len(), 5);
    let texts: Vec<String> = found.iter().map(text).collect();
    assert_eq!(texts[0], "— (not affected)");
    assert_eq!(texts[1], "no response");
    assert_eq!(texts[2], "D 10m R 20m C — (within 1 h)");
    assert_eq!(texts[3], "D 2h00 R — C — (1–4 h)");
    assert_eq!(texts[4], "D 6h00 R — C — (over 4 h)");
    // Five states, five different texts: nothing is told by colour alone.
    let distinct: std::collections::BTreeSet<&String> = texts.iter().collect();
    assert_eq!(distinct.len(), 5);
    let states: Vec<String> = found
        .iter()
        .filter_map(|cell| cell.get_attribute("data-state"))
        .collect();
    assert_eq!(
        states,
        [
            "not_affected",
            "no_response",
            "responded",
            "responded",
            "responded"
        ]
    );
    // The colour band is a class beside the text; the title names it too.
    assert!(found[4].class_name().contains("band-slow"));
    assert_eq!(
        found[1].get_attribute("title").as_deref(),
        Some("EST on INJ-1: no response")
    );
    assert_eq!(
        found[0].get_attribute("data-label").as_deref(),
        Some("INJ-1")
    );
}
