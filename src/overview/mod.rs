//! The overview (`/`): headline figures, incident activity, the open
//! incidents that matter most, nations' connections and the latest changes.
//!
//! Views: [`OverviewPage`] and its panels, one per file. Maths with native
//! tests: [`figures`] (headline figures, connection counts, activity buckets,
//! medians).

pub mod activity_chart;
pub mod figures;
pub mod headline_figures;
pub mod latest_changes;
pub mod open_incidents;
pub mod overview_page;

pub use activity_chart::ActivityChart;
pub use headline_figures::HeadlineFigures;
pub use latest_changes::LatestChanges;
pub use open_incidents::OpenIncidents;
pub use overview_page::OverviewPage;
