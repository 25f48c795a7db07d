//! The participation panel: every nation and organisation as a tile on the
//! map-like grid (placed by the app's own [`tile_layout`]), its kind shown
//! by the tile's outline and its connection by colour, glyph and word, with
//! the totals beside it.

use leptos::prelude::*;
use watchfloor_model::{ConnectionStatus, NationKind};

use crate::live::LiveStore;
use crate::nations::tiles::{tile_layout, TilePlacement, GRID_COLUMNS};
use crate::overview::figures::{connection_counts, headline, ConnectionCount};
use crate::vocabulary::words::grouped;
use crate::vocabulary::words::{connection_glyph, connection_label};

/// One tile as drawn: everything that decides its look, so a keyed list
/// redraws a tile only when one of these changes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Tile {
    code: String,
    kind: NationKind,
    status: ConnectionStatus,
    column: u32,
    row: u32,
    /// In grid cells: organisations below the map get two.
    width: u32,
}

/// The participation panel; reads the live store from context.
#[component]
pub fn NationsPanel() -> impl IntoView {
    let store = expect_context::<LiveStore>();
    let tiles = Memo::new(move |_| {
        store.nations(|nations| {
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
                            kind: nation.kind,
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
    let rows = move || tiles.with(|tiles| tiles.iter().map(|tile| tile.row + 1).max().unwrap_or(1));
    let figures = Memo::new(move |_| store.nations(|nations| headline(nations, &[])));
    let connections = Memo::new(move |_| store.nations(connection_counts));

    view! {
        <section class="display-panel display-nations" data-testid="display-panel" data-panel="nations">
            <h2 class="display-panel-title">"Participation"</h2>
            <div class="display-nations-body">
                <div
                    class="display-map"
                    data-testid="display-map"
                    style:grid-template-columns=format!("repeat({GRID_COLUMNS}, minmax(0, 1fr))")
                    style:grid-template-rows=move || format!("repeat({}, minmax(0, 1fr))", rows())
                >
                    <For
                        each=move || tiles.get()
                        key=|tile| tile.clone()
                        children=move |tile| {
                            view! {
                                <div
                                    class="display-tile"
                                    data-testid="display-nation"
                                    data-code=tile.code.clone()
                                    data-kind=tile.kind.as_str()
                                    data-status=tile.status.as_str()
                                    style=format!(
                                        "grid-column:{} / span {};grid-row:{};--chars:{}",
                                        tile.column + 1,
                                        tile.width,
                                        tile.row + 1,
                                        tile.code.chars().count().max(3),
                                    )
                                >
                                    <span class="display-tile-code">{tile.code.clone()}</span>
                                    <span class="display-tile-glyph" aria-label=connection_label(tile.status)>
                                        {connection_glyph(tile.status)}
                                    </span>
                                </div>
                            }
                        }
                    />
                </div>
                <aside class="display-nations-facts">
                    <div class="display-big-figure" data-testid="display-nations-total">
                        <span class="display-big-number">{move || figures.with(|f| f.nations)}</span>
                        <span class="display-big-label">"nations and organisations"</span>
                    </div>
                    <ul class="display-kinds">
                        {[NationKind::Ally, NationKind::Partner, NationKind::Organisation]
                            .into_iter()
                            .map(|kind| {
                                let count = move || figures.with(|f| match kind {
                                    NationKind::Ally => f.allies,
                                    NationKind::Partner => f.partners,
                                    NationKind::Organisation => f.organisations,
                                });
                                view! {
                                    <li class="display-kind" data-kind=kind.as_str()>
                                        <span class="display-kind-swatch" aria-hidden="true"></span>
                                        <span class="display-kind-label">{kind_plural(kind)}</span>
                                        <span class="display-kind-count">{count}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <div class="display-big-figure" data-testid="display-participants">
                        <span class="display-big-number">
                            {move || figures.with(|f| grouped(f.participants))}
                        </span>
                        <span class="display-big-label">
                            {move || figures.with(|f| format!("participants in {} teams", grouped(f.teams)))}
                        </span>
                    </div>
                    <ul class="display-connections" data-testid="display-connections">
                        {move || {
                            connections
                                .get()
                                .into_iter()
                                .map(|ConnectionCount { status, nations: count }| {
                                    view! {
                                        <li class="display-connection" data-status=status.as_str()>
                                            <span class="display-connection-glyph">{connection_glyph(status)}</span>
                                            <span class="display-connection-count">{count}</span>
                                            <span class="display-connection-label">{connection_label(status)}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                </aside>
            </div>
        </section>
    }
}

/// "Allies", "Partner nations", "Organisations".
fn kind_plural(kind: NationKind) -> &'static str {
    match kind {
        NationKind::Ally => "Allies",
        NationKind::Partner => "Partner nations",
        NationKind::Organisation => "Organisations",
    }
}
