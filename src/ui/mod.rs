//! What every feature shares: the contexts (clock, session, theme), the URL
//! query as the home of view state, the one time axis, list windowing, and
//! the small components every page uses (badges, the stale marker, the
//! connection indicator, sort buttons, the clock, the store gate).
//!
//! Pure logic with native tests: [`query`], [`time_axis`], [`window`],
//! [`theme`]. Components: one per file.

pub mod clock;
pub mod query;
pub mod session;
pub mod theme;
pub mod time_axis;
pub mod window;

pub mod audience_badge;
pub mod connection_indicator;
pub mod nation_status_badge;
pub mod session_controls;
pub mod severity_badge;
pub mod sort_button;
pub mod stale_marker;
pub mod status_badge;
pub mod store_gate;
pub mod theme_toggle;
pub mod utc_clock;

pub use audience_badge::AudienceBadge;
pub use connection_indicator::ConnectionIndicator;
pub use nation_status_badge::NationStatusBadge;
pub use session_controls::SessionControls;
pub use severity_badge::SeverityBadge;
pub use sort_button::{SortButton, SortDirection};
pub use stale_marker::StaleMarker;
pub use status_badge::StatusBadge;
pub use store_gate::StoreGate;
pub use theme_toggle::ThemeToggle;
pub use utc_clock::UtcClock;
