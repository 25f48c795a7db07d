//! Incidents: the list page (`/incidents`: filters, timeline, windowed list)
//! and one incident (`/incidents/:id`: details, responses, history).
//!
//! Views: the pages and their parts, one per file; the timeline in
//! [`timeline`] with its layout maths. Maths with native tests: [`sort`]
//! (order and selection; the filter itself is the model's
//! [`IncidentFilter`](watchfloor_model::IncidentFilter), shared with the API)
//! and [`timeline::layout`].

pub mod incident_details;
pub mod incident_filters;
pub mod incident_history;
pub mod incident_list;
pub mod incident_page;
pub mod incident_row;
pub mod incidents_page;
pub mod response_table;
pub mod sort;
pub mod timeline;

pub use incident_details::IncidentDetails;
pub use incident_filters::IncidentFilters;
pub use incident_history::IncidentHistory;
pub use incident_list::IncidentList;
pub use incident_page::IncidentPage;
pub use incident_row::IncidentRow;
pub use incidents_page::IncidentsPage;
pub use response_table::ResponseTable;
pub use timeline::{IncidentTimeline, TimelineBar, TimelineControls};
