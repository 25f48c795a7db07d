//! After-action review: the exercise as it was at any moment, and what the
//! log says about it afterwards.
//!
//! - Replay, on every dashboard page (`?at=<moment>`): [`replay`] holds the
//!   state at the moment in a second, detached live store with a fixed
//!   clock, and plays the log forward into it; [`ReplayScope`] hands both
//!   to the page, [`ReplayBanner`] says it is a replay and of when,
//!   [`ReviewScrubber`] (with [`ScrubberTrack`], [`PlaybackControls`],
//!   [`MomentInput`], [`ReviewMarks`]) moves it, [`ReviewButton`] opens it
//!   from the header. The maths: [`track`] (time ↔ position, the marks),
//!   [`playback`] (speeds, what is due, when it is live again, the steps),
//!   [`links`] (links followed in a replay keep the moment).
//! - `matrix` / `MatrixPage` (`/review/matrix`): the nation × inject
//!   response matrix (the model's `review::matrix`), sorted and filtered
//!   from the URL; `MatrixCell` draws one cell, its state in text and colour.
//! - `report` / `ReportPage` (`/review/report`): the printable after-action
//!   summary.

pub mod links;
pub mod playback;
pub mod replay;
pub mod track;

pub mod moment_input;
pub mod playback_controls;
pub mod replay_banner;
pub mod replay_scope;
pub mod review_button;
pub mod review_marks;
pub mod review_scrubber;
pub mod scrubber_track;

pub mod matrix;
pub mod matrix_cell;
pub mod matrix_page;
pub mod report;
pub mod report_page;

pub use matrix_cell::MatrixCell;
pub use matrix_page::MatrixPage;
pub use moment_input::MomentInput;
pub use playback_controls::PlaybackControls;
pub use replay::{provide_replay, use_replay, Replay};
pub use replay_banner::ReplayBanner;
pub use replay_scope::ReplayScope;
pub use report_page::ReportPage;
pub use review_button::ReviewButton;
pub use review_marks::ReviewMarks;
pub use review_scrubber::ReviewScrubber;
pub use scrubber_track::ScrubberTrack;
