//! The incidents timeline: lanes per nation or category, a bar per incident,
//! zoom and pan. [`layout`] is its pure maths (lanes, rows, time → x, ticks,
//! the window on screen, culling), tested natively; the components only draw
//! what it returns.

pub mod incident_timeline;
pub mod layout;
pub mod timeline_bar;
pub mod timeline_controls;

pub use incident_timeline::IncidentTimeline;
pub use timeline_bar::TimelineBar;
pub use timeline_controls::TimelineControls;
