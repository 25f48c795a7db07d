//! A column header's sort button: the label, a mark for the direction, and
//! the `aria-sort` value its header cell carries. The incident list and the
//! nations table both use it.

use leptos::prelude::*;

/// The direction of the column a table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortDirection {
    Ascending,
    Descending,
}

impl SortDirection {
    /// The direction of a sort that is `descending` or not.
    pub fn of(descending: bool) -> Self {
        if descending {
            SortDirection::Descending
        } else {
            SortDirection::Ascending
        }
    }

    /// The header cell's `aria-sort`.
    pub fn aria_sort(self) -> &'static str {
        match self {
            SortDirection::Ascending => "ascending",
            SortDirection::Descending => "descending",
        }
    }

    /// The mark beside the label.
    pub fn mark(self) -> &'static str {
        match self {
            SortDirection::Ascending => "▲",
            SortDirection::Descending => "▼",
        }
    }
}

/// The button inside a sortable column's header cell.
#[component]
pub fn SortButton(
    /// The column's name.
    #[prop(into)]
    label: String,
    /// The direction when this is the sorted column; `None` otherwise.
    #[prop(into)]
    direction: Signal<Option<SortDirection>>,
    /// Called when the button is pressed.
    on_press: Callback<()>,
    /// The button's `data-testid`, if tests find it.
    #[prop(optional)]
    test_id: Option<String>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="sort-button"
            data-testid=test_id
            on:click=move |_| on_press.run(())
        >
            {label}
            <span class="sort-mark" aria-hidden="true">
                {move || direction.get().map(SortDirection::mark).unwrap_or("")}
            </span>
        </button>
    }
}
