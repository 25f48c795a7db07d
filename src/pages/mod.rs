//! The app's pages, one per route; each name ends in `Page`.

pub mod incident_page;
pub mod incidents_page;
pub mod nation_page;
pub mod nations_page;
pub mod not_found_page;
pub mod overview_page;
pub mod sign_in_page;

pub use incident_page::IncidentPage;
pub use incidents_page::IncidentsPage;
pub use nation_page::NationPage;
pub use nations_page::NationsPage;
pub use not_found_page::NotFoundPage;
pub use overview_page::OverviewPage;
pub use sign_in_page::SignInPage;
