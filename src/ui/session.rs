//! Who is signed in: the session context, loaded from `GET /api/v1/session`.
//!
//! The header reads it (the name beside the role, the sign-out button); the
//! sign-in page refetches it and reloads the live store for the new audience.

use leptos::prelude::*;

use watchfloor_model::Session;

use crate::api::{self, ApiError};

/// The session context: a resource over `GET /api/v1/session`.
#[derive(Clone, Copy)]
pub struct SessionContext {
    resource: LocalResource<Result<Session, ApiError>>,
}

impl SessionContext {
    /// The session resource, for `Transition` / `Suspend`.
    pub fn resource(&self) -> LocalResource<Result<Session, ApiError>> {
        self.resource
    }

    /// Asks the server again (after signing in or out).
    pub fn refetch(&self) {
        self.resource.refetch();
    }

    /// The session if loaded, without waiting (tracked).
    pub fn current(&self) -> Option<Session> {
        self.resource.get().and_then(Result::ok)
    }
}

/// Provides the session context; call once, under the app.
pub fn provide_session() -> SessionContext {
    let context = SessionContext {
        resource: LocalResource::new(api::session_get),
    };
    provide_context(context);
    context
}

/// The session context provided by [`provide_session`].
pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}
