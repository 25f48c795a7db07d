//! The OpenAPI 3 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the model's schemas, so it cannot drift from the code.
//! (A test also calls every documented operation on the real router.)

use std::sync::OnceLock;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    events, exercise, incidents, meta, nations, review, scenario, screens, session, stream,
};

/// The API's document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Watchfloor",
        description = "The live dashboard of a multinational cyber defence exercise: one append-only \
event log, read as snapshots and a server-sent event stream, redacted for each reader.\n\n\
Audiences: `public` (no credentials), `commander` (reads everything), `control` (reads everything, \
posts events). Scripts authenticate with `Authorization: Bearer <token>`, browsers with the session \
cookie from `POST /api/v1/session`. `?audience=public` lowers any caller to public.\n\n\
Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`.",
    ),
    paths(
        exercise::snapshot_get,
        exercise::exercise_get,
        nations::nations_list,
        incidents::incidents_list,
        incidents::incidents_get,
        stream::stream_get,
        events::events_list,
        events::events_create,
        review::matrix_get,
        scenario::scenario_get,
        scenario::entry_fire,
        scenario::entry_skip,
        scenario::scenario_hold,
        scenario::scenario_resume,
        screens::pairing_create,
        screens::pairing_claim,
        screens::screen_pair,
        screens::screen_unpair,
        screens::screens_list,
        screens::heartbeat_post,
        screens::channel_get,
        session::session_create,
        session::session_get,
        session::session_delete,
        meta::openapi_get,
        meta::health_get,
        meta::ready_get,
        meta::metrics_get,
    ),
    // The stream's `data:` payload: an event as stored, with `seq` and `at`.
    components(schemas(watchfloor_model::Event)),
    modifiers(&Security, &CsvColumns),
    tags(
        (name = "read", description = "The exercise as the caller may see it"),
        (name = "review", description = "After-action review: the log read back, and the response matrix at any moment"),
        (name = "write", description = "Exercise control's event log"),
        (name = "control", description = "Exercise control's hold on the scenario (MSEL): fire, skip, hold, resume"),
        (name = "screens", description = "Wall screens: pairing by code, the fleet, heartbeats and each screen's channel (settings, slides and the safe slide are events posted to /api/v1/events)"),
        (name = "session", description = "Browser sign-in"),
        (name = "meta", description = "The server itself"),
    ),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `watchfloor-server token create`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Set by `POST /api/v1/session` (HttpOnly, SameSite=Strict)",
            ))),
        );
    }
}

/// Names each CSV export's columns, in order, in its operation's
/// description — from the model's own lists, so the document cannot drift
/// from the files.
struct CsvColumns;

impl Modify for CsvColumns {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use watchfloor_model::export::{INCIDENT_COLUMNS, MATRIX_COLUMNS};
        for (path, columns, notes) in [
            (
                "/api/v1/incidents",
                INCIDENT_COLUMNS,
                "`nations` is the affected nations' codes separated by spaces; times are RFC 3339 UTC; an absent value is empty.",
            ),
            (
                "/api/v1/review/matrix",
                MATRIX_COLUMNS,
                "One line per nation and inject, in the matrix's row and column order; `state` is `not_affected`, `no_response` or `responded`; the `_s` columns are seconds from the inject's start to the milestone, empty when not reached.",
            ),
        ] {
            let Some(operation) = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.get.as_mut())
            else {
                continue;
            };
            let listed: Vec<String> = columns.iter().map(|column| format!("`{column}`")).collect();
            let description = operation.description.get_or_insert_with(String::new);
            description.push_str(&format!(
                "\n\nCSV columns, in this order: {}. {notes}",
                listed.join(", ")
            ));
        }
    }
}

/// The document as JSON, built once.
pub fn document_json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serialises")
    })
}
