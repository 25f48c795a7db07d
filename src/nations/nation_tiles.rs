//! Nations as a map-like grid of tiles, placed roughly by geography and
//! marked by connection status (colour, glyph and border style).

use leptos::prelude::*;
use watchfloor_model::ConnectionStatus;

use crate::live::use_live;
use crate::nations::tiles::{tile_layout, TilePlacement, GRID_COLUMNS};
use crate::vocabulary::words::{connection_glyph, connection_label, kind_label};

/// One tile's content; a tile is redrawn only when this changes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Tile {
    code: String,
    name: String,
    kind: &'static str,
    status: ConnectionStatus,
    column: u32,
    row: u32,
    width: u32,
}

/// The tile grid; each tile links to its nation's page.
#[component]
pub fn NationTiles() -> impl IntoView {
    let live = use_live();
    let tiles = Memo::new(move |_| {
        live.nations(|nations| {
            tile_layout(nations)
                .into_iter()
                .map(
                    |TilePlacement {
                         position,
                         column,
                         row,
                         width,
                     }| {
                        let nation = &nations[position];
                        Tile {
                            code: nation.code.clone(),
                            name: nation.name.clone(),
                            kind: kind_label(nation.kind),
                            status: nation.status,
                            column,
                            row,
                            width,
                        }
                    },
                )
                .collect::<Vec<_>>()
        })
    });
    view! {
        <div class="nation-tiles-frame">
        <div
            class="nation-tiles"
            style=format!("--columns: {GRID_COLUMNS}")
            role="group"
            aria-label="Nations by connection status"
        >
            // Links, not list items: a link may not take the listitem role.
            <For each=move || tiles.get() key=|tile| tile.clone() let:tile>
                <a
                    class=format!("nation-tile connection-{}", tile.status.as_str())
                    data-testid="nation-tile"
                    data-code=tile.code.clone()
                    data-status=tile.status.as_str()
                    href=format!("/nations/{}", tile.code)
                    style=format!(
                        "grid-column: {} / span {}; grid-row: {}",
                        tile.column + 1,
                        tile.width,
                        tile.row + 1,
                    )
                    title=format!("{} ({}) · {}", tile.name, tile.kind, connection_label(tile.status))
                    aria-label=format!("{} ({}): {}", tile.name, tile.code, connection_label(tile.status))
                >
                    <span class="tile-code">{tile.code.clone()}</span>
                    <span class="glyph" aria-hidden="true">{connection_glyph(tile.status)}</span>
                </a>
            </For>
        </div>
        </div>
    }
}
