//! One cell of the nation × inject matrix: the nation's times on the inject
//! as text (D/R/C lines, "no response", or "—" for not affected), banded by
//! colour for quick reading — the band is said in words too.

use leptos::prelude::*;
use watchfloor_model::review::Cell;

use crate::review::matrix::{cell_lines, Band};

/// A `<td>` of the matrix; `label` names the inject for stacked (phone) cards
/// and `title` the nation and inject for a pointer's tooltip.
#[component]
pub fn MatrixCell(
    cell: Cell,
    /// The column's name ("INJ-004"), shown before the times on a phone.
    #[prop(into)]
    label: String,
    /// "EST on INJ-004".
    #[prop(into)]
    title: String,
) -> impl IntoView {
    let band = Band::of(&cell);
    let state = match cell {
        Cell::NotAffected => "not_affected",
        Cell::NoResponse => "no_response",
        Cell::Responded { .. } => "responded",
    };
    view! {
        <td
            class=format!("matrix-cell {}", band.class())
            data-testid="matrix-cell"
            data-state=state
            data-label=label
            title=format!("{title}: {}", band.label())
        >
            {
                let lines = cell_lines(&cell);
                let last = lines.len().saturating_sub(1);
                // A space after each line but the last: one line each on
                // screen, words apart when read aloud or copied.
                lines
                    .into_iter()
                    .enumerate()
                    .map(|(index, line)| {
                        let text = if index < last { format!("{line} ") } else { line };
                        view! { <span class="matrix-line">{text}</span> }
                    })
                    .collect_view()
            }
            {(band != Band::NoResponse).then(|| view! {
                <span class="visually-hidden">{format!(" ({})", band.label())}</span>
            })}
        </td>
    }
}
