//! Nations: the table page (`/nations`: the connection map and the sortable,
//! filterable table) and one nation (`/nations/:code`).
//!
//! Views: the pages and the tile grid, one per file. Maths with native tests:
//! [`table`] (filter and sort from the URL), [`tiles`] (where each tile sits
//! on the map-like grid, also used by the display), [`response`] (a nation's
//! median response times).

pub mod nation_page;
pub mod nation_tiles;
pub mod nations_page;
pub mod response;
pub mod table;
pub mod tiles;

pub use nation_page::NationPage;
pub use nation_tiles::NationTiles;
pub use nations_page::NationsPage;
