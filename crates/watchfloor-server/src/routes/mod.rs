//! The HTTP API, one module per resource; each exports `router()`.
//!
//! Handlers only translate between HTTP and the server's parts: the caller's
//! audience comes from [`Caller`](crate::auth::Caller), reads come from the
//! hub's in-memory state, writes go through the writer. Every response that
//! carries exercise data is redacted for its reader here, at the edge.

use serde::Deserialize;
use utoipa::IntoParams;

pub mod events;
pub mod exercise;
pub mod incidents;
pub mod meta;
pub mod nations;
pub mod review;
pub mod scenario;
pub mod screens;
pub mod session;
pub mod stream;

/// `?audience=public`, accepted by every read endpoint (documentation only:
/// [`Caller`](crate::auth::Caller) reads it).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AudienceParam {
    /// `public` reads as the public whatever the credentials; nothing raises an audience.
    audience: Option<String>,
}
