//! The frame around every dashboard page: the layout that owns the live
//! store, the header (navigation, exercise status, connection, session), the
//! sign-in page and the page for unknown paths; and what the app's three
//! entries share ([`entry`]).

pub mod app_header;
pub mod dashboard_layout;
pub mod entry;
pub mod exercise_status;
pub mod not_found_page;
pub mod sign_in_page;

pub use app_header::AppHeader;
pub use dashboard_layout::DashboardLayout;
pub use entry::{AppFrame, EntryFallback};
pub use exercise_status::ExerciseStatus;
pub use not_found_page::NotFoundPage;
pub use sign_in_page::SignInPage;
