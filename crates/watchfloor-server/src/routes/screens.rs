//! The wall screens: pairing by a short code (no token on a TV), the
//! fleet view, unpairing, each screen's heartbeat, and the screen channel
//! that tells one screen what to show.
//!
//! Pairing: an unpaired `/display` asks for a code (`POST
//! /api/v1/screens/pairing`, no credentials) and shows it in large type;
//! control types it in the console with a name (`POST /api/v1/screens`),
//! which creates a `display` token of that name and appends
//! `screen_paired`; the screen, polling with its secret claim (`POST
//! /api/v1/screens/pairing/claim`), then gets a long-lived session cookie
//! for that token. A `display` credential reads only the public picture and
//! may do two things more: report its heartbeat and follow its channel.
//!
//! Settings, hold slides and the safe slide are ordinary events
//! (`screen_settings`, `screen_slide`, `screen_slide_cleared`,
//! `safe_slide`) posted by control to `POST /api/v1/events`; the channel
//! (`GET /api/v1/screens/channel`, server-sent events) sends the screen its
//! [`Directive`] whenever the log changes it, within a moment of the commit.
//! Unpairing (`DELETE /api/v1/screens/{id}`) revokes the token and appends
//! `screen_unpaired`: the channel says `unpaired` at once and the next
//! heartbeat gets a 401.
//!
//! Pending pairings and heartbeats are kept in memory only (a restart
//! forgets codes not yet typed, and when a screen was last seen).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration as StdDuration;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::sse::Event as SseEvent;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::watch;
use tokio::time::Interval;
use utoipa::ToSchema;
use watchfloor_model::screens::{
    Directive, Fleet, Heartbeat, Pairing, PairingState, ScreenPaired, ScreenStatus, ScreenUnpaired,
    MAX_HEARTBEAT_TEXT,
};
use watchfloor_model::{Audience, EventBody};

use crate::auth::{
    random_secret, session_set_cookie, sha256_hex, Caller, Identity, Role, SESSIONS_PER_TOKEN,
    SESSION_DAYS,
};
use crate::capacity::{ClientAddr, Slot};
use crate::error::{Error, ErrorBody, Json, Problem, Result};
use crate::security::OverHttps;
use crate::writer::{Pending as Append, Request};
use crate::AppState;

/// How long a code waits to be typed.
pub const PAIRING_MINUTES: i64 = 10;
/// Codes waiting at most; beyond, new screens are asked to try again.
const MAX_PENDING: usize = 256;
/// A screen is online while its last heartbeat is this recent.
pub const ONLINE_SECONDS: i64 = 15;
/// Letters and digits a code is made of (no 0/O, 1/I: read across a room).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH: usize = 6;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/screens", get(screens_list).post(screen_pair))
        .route("/api/v1/screens/{id}", delete(screen_unpair))
        .route("/api/v1/screens/pairing", post(pairing_create))
        .route("/api/v1/screens/pairing/claim", post(pairing_claim))
        .route("/api/v1/screens/heartbeat", post(heartbeat_post))
        .route("/api/v1/screens/channel", get(channel_get))
}

/// What the server remembers of screens between requests (memory only).
#[derive(Default)]
pub struct ScreenRegistry {
    inner: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    /// By normalised code.
    pending: HashMap<String, PendingPairing>,
    /// By screen id: the last heartbeat and when it came.
    seen: HashMap<u32, (DateTime<Utc>, Heartbeat)>,
}

struct PendingPairing {
    claim_sha256: String,
    expires_at: DateTime<Utc>,
    /// Set once control typed the code: the display token's id and name.
    paired: Option<(u32, String)>,
}

impl ScreenRegistry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A code as people type it: letters upper-cased, spaces and dashes gone.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .take(CODE_LENGTH + 1)
        .collect()
}

fn new_code() -> Result<String> {
    let mut bytes = [0u8; CODE_LENGTH];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| Error::Internal(format!("no randomness from the OS: {error}")))?;
    Ok(bytes
        .iter()
        .map(|byte| CODE_ALPHABET[usize::from(*byte) % CODE_ALPHABET.len()] as char)
        .collect())
}

/// A new pairing code for an unpaired screen to show.
#[utoipa::path(
    post, path = "/api/v1/screens/pairing", tag = "screens",
    responses(
        (status = 201, description = "A code to show, and the claim to poll with", body = Pairing),
        (status = 403, description = "`cross_origin`", body = ErrorBody),
        (status = 503, description = "`busy`: too many codes wait to be typed; try again shortly", body = ErrorBody),
    ),
)]
pub async fn pairing_create(State(state): State<AppState>) -> Result<Response> {
    let now = state.now();
    let claim = random_secret()?;
    let expires_at = now + chrono::Duration::minutes(PAIRING_MINUTES);
    let code = {
        let mut registry = state.screens().lock();
        registry
            .pending
            .retain(|_, pending| pending.expires_at > now);
        if registry.pending.len() >= MAX_PENDING {
            return Err(Error::Busy(Problem::new(
                "busy",
                "too many screens are waiting to be paired: try again in a minute",
            )));
        }
        let mut code = new_code()?;
        while registry.pending.contains_key(&code) {
            code = new_code()?;
        }
        registry.pending.insert(
            code.clone(),
            PendingPairing {
                claim_sha256: sha256_hex(&claim),
                expires_at,
                paired: None,
            },
        );
        code
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(Pairing {
            code,
            claim,
            expires_at,
        }),
    )
        .into_response())
}

/// `POST /api/v1/screens/pairing/claim`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub claim: String,
}

/// The screen asks whether its code was typed; once it was, the answer
/// sets its long-lived `display` session cookie (once: the pairing is then
/// spent).
#[utoipa::path(
    post, path = "/api/v1/screens/pairing/claim", tag = "screens",
    request_body(content = Claim, content_type = "application/json"),
    responses(
        (status = 200, description = "`waiting`, or `paired` with the session cookie set", body = PairingState),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "`cross_origin`", body = ErrorBody),
        (status = 404, description = "No such pairing (expired, or already claimed): ask for a new code", body = ErrorBody),
        (status = 408, description = "`body_timeout`", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "The body is not `{\"claim\": \"...\"}`", body = ErrorBody),
    ),
)]
pub async fn pairing_claim(
    State(state): State<AppState>,
    OverHttps(https): OverHttps,
    Json(claim): Json<Claim>,
) -> Result<Response> {
    let now = state.now();
    let hash = sha256_hex(claim.claim.trim());
    let found = {
        let mut registry = state.screens().lock();
        registry
            .pending
            .retain(|_, pending| pending.expires_at > now);
        let code = registry
            .pending
            .iter()
            .find(|(_, pending)| pending.claim_sha256 == hash)
            .map(|(code, pending)| (code.clone(), pending.paired.clone()));
        match code {
            Some((code, Some(paired))) => {
                registry.pending.remove(&code);
                Some(Some(paired))
            }
            Some((_, None)) => Some(None),
            None => None,
        }
    };
    let Some(found) = found else {
        return Err(Error::NotFound(
            "no such pairing: it expired or was claimed already; ask for a new code".into(),
        ));
    };
    let Some((screen, name)) = found else {
        return Ok(axum::Json(PairingState {
            state: "waiting".into(),
            name: None,
        })
        .into_response());
    };
    let session_id = random_secret()?;
    let session_hash = sha256_hex(&session_id);
    let store = state.store();
    tokio::task::spawn_blocking(move || {
        store.create_session(
            &session_hash,
            i64::from(screen),
            now,
            now + chrono::Duration::days(SESSION_DAYS),
            SESSIONS_PER_TOKEN,
        )
    })
    .await??;
    tracing::info!(screen, name = %name, "screen paired");
    Ok((
        [(header::SET_COOKIE, session_set_cookie(&session_id, https))],
        axum::Json(PairingState {
            state: "paired".into(),
            name: Some(name),
        }),
    )
        .into_response())
}

/// `POST /api/v1/screens`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// The code the screen shows.
    pub code: String,
    /// What to call the screen ("Lobby 1", "Press room").
    pub name: String,
}

/// Control pairs the screen showing `code` and names it: a `display` token
/// of that name is created and `screen_paired` appended.
#[utoipa::path(
    post, path = "/api/v1/screens", tag = "screens",
    request_body(content = Pair, content_type = "application/json"),
    responses(
        (status = 201, description = "Paired: the screen's id (its token's) and name", body = watchfloor_model::screens::ScreenPaired),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not control; or `cross_origin`", body = ErrorBody),
        (status = 404, description = "No screen shows that code (expired, or mistyped)", body = ErrorBody),
        (status = 408, description = "`body_timeout`", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "The body is not `{\"code\", \"name\"}`, or the name is empty or too long", body = ErrorBody),
        (status = 503, description = "Nothing was appended, try again later", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn screen_pair(
    State(state): State<AppState>,
    caller: Caller,
    Json(pair): Json<Pair>,
) -> Result<Response> {
    caller.require_role(Role::Control, "pairing a screen")?;
    let now = state.now();
    let code = normalise_code(&pair.code);
    let name = pair.name.trim().to_string();
    if name.is_empty() || name.chars().count() > watchfloor_model::limits::MAX_NAME {
        return Err(Error::Invalid(
            Problem::new(
                "bad_name",
                format!(
                    "name the screen (1 to {} characters), e.g. \"Lobby 1\"",
                    watchfloor_model::limits::MAX_NAME
                ),
            )
            .field("name"),
        ));
    }
    let waiting = {
        let mut registry = state.screens().lock();
        registry
            .pending
            .retain(|_, pending| pending.expires_at > now);
        registry
            .pending
            .get(&code)
            .is_some_and(|pending| pending.paired.is_none())
    };
    if !waiting {
        return Err(Error::NotFound(format!(
            "no screen shows the code `{}`: check it on the screen (codes last {PAIRING_MINUTES} minutes)",
            code.chars().take(CODE_LENGTH).collect::<String>()
        )));
    }
    let store = state.store();
    let token_name = name.clone();
    let token_hash = sha256_hex(random_secret()?);
    let id = tokio::task::spawn_blocking(move || {
        store.create_token(Role::Display, &token_name, &token_hash)
    })
    .await??;
    let screen = u32::try_from(id)
        .map_err(|_| Error::Internal("a token id beyond the screens' range".into()))?;
    let appended = state
        .writer()
        .append(Request {
            events: vec![Append::posted(
                EventBody::ScreenPaired(ScreenPaired {
                    screen,
                    name: name.clone(),
                }),
                &caller.poster_name(),
            )],
            ..Request::default()
        })
        .await;
    if let Err(error) = appended {
        // Not paired after all: the token must not outlive the refusal.
        let store = state.store();
        let _ = tokio::task::spawn_blocking(move || store.revoke_token(id)).await;
        return Err(error);
    }
    if let Some(pending) = state.screens().lock().pending.get_mut(&code) {
        pending.paired = Some((screen, name.clone()));
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(ScreenPaired { screen, name }),
    )
        .into_response())
}

/// Unpairs a screen: its credential is revoked and `screen_unpaired`
/// appended; the screen goes back to showing a code within seconds.
#[utoipa::path(
    delete, path = "/api/v1/screens/{id}", tag = "screens",
    params(("id" = u32, Path, description = "The screen's id")),
    responses(
        (status = 204, description = "Unpaired"),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not control; or `cross_origin`", body = ErrorBody),
        (status = 404, description = "No such paired screen", body = ErrorBody),
        (status = 503, description = "Nothing was appended, try again later", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn screen_unpair(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    caller.require_role(Role::Control, "unpairing a screen")?;
    let screen = id
        .parse::<u32>()
        .ok()
        .filter(|screen| {
            state
                .hub()
                .live_state()
                .screens
                .screens
                .contains_key(screen)
        })
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no paired screen `{}`",
                id.chars().take(20).collect::<String>()
            ))
        })?;
    let store = state.store();
    tokio::task::spawn_blocking(move || store.revoke_token(i64::from(screen))).await??;
    state
        .writer()
        .append(Request {
            events: vec![Append::posted(
                EventBody::ScreenUnpaired(ScreenUnpaired { screen }),
                &caller.poster_name(),
            )],
            ..Request::default()
        })
        .await?;
    state.screens().lock().seen.remove(&screen);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The fleet: every paired screen with its name, whether it is online, its
/// last heartbeat (panel, resolution, app version, age of its data) and
/// what it has been told to show.
#[utoipa::path(
    get, path = "/api/v1/screens", tag = "screens",
    responses(
        (status = 200, description = "Every paired screen", body = Fleet),
        (status = 400, description = "An unknown `audience`", body = ErrorBody),
        (status = 401, description = "No credentials, or an unknown or revoked token", body = ErrorBody),
        (status = 403, description = "Not control", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn screens_list(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    caller.require_role(Role::Control, "the fleet of screens")?;
    let now = state.now();
    let live = state.hub().live_state();
    let seen = state.screens().lock().seen.clone();
    let screens = live
        .screens
        .screens
        .iter()
        .map(|(id, screen)| {
            let last = seen.get(id);
            ScreenStatus {
                screen: *id,
                name: screen.name.clone(),
                paired_at: screen.paired_at,
                online: last
                    .is_some_and(|(at, _)| now - *at <= chrono::Duration::seconds(ONLINE_SECONDS)),
                last_seen: last.map(|(at, _)| *at),
                heartbeat: last.map(|(_, heartbeat)| heartbeat.clone()),
                directive: live.screens.directive(*id, now).unwrap_or_default(),
            }
        })
        .collect();
    let fleet = Fleet {
        screens,
        query: live.screens.query.clone(),
        slide: live.screens.slide.clone(),
        safe: live.screens.safe.clone(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(fleet)).into_response())
}

/// A screen reports how it is; the answer is what it should show.
#[utoipa::path(
    post, path = "/api/v1/screens/heartbeat", tag = "screens",
    request_body(content = Heartbeat, content_type = "application/json"),
    responses(
        (status = 200, description = "Noted; what the screen should show", body = Directive),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No credentials, or a revoked screen (unpaired): pair again", body = ErrorBody),
        (status = 403, description = "Not a `display` credential; or `cross_origin`", body = ErrorBody),
        (status = 404, description = "The screen is not paired", body = ErrorBody),
        (status = 408, description = "`body_timeout`", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "Not a heartbeat, or a field over 100 characters", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn heartbeat_post(
    State(state): State<AppState>,
    caller: Caller,
    Json(heartbeat): Json<Heartbeat>,
) -> Result<Response> {
    let identity = caller.require_role(Role::Display, "a heartbeat")?.clone();
    for (field, value) in [("panel", &heartbeat.panel), ("version", &heartbeat.version)] {
        if value.chars().count() > MAX_HEARTBEAT_TEXT {
            return Err(Error::Invalid(
                Problem::new(
                    "too_long",
                    format!("`{field}` is at most {MAX_HEARTBEAT_TEXT} characters"),
                )
                .field(field),
            ));
        }
    }
    let screen = screen_of(&identity)?;
    let now = state.now();
    let directive = state
        .hub()
        .live_state()
        .screens
        .directive(screen, now)
        .ok_or_else(|| Error::NotFound("this screen is not paired".into()))?;
    state.screens().lock().seen.insert(screen, (now, heartbeat));
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(directive)).into_response())
}

fn screen_of(identity: &Identity) -> Result<u32> {
    u32::try_from(identity.token.id)
        .map_err(|_| Error::Internal("a token id beyond the screens' range".into()))
}

/// The screen channel: `event: directive` with the screen's [`Directive`]
/// at once and whenever it changes (a setting, a slide shown, cleared or
/// run out, the safe slide); `event: unpaired` when the screen is unpaired,
/// then the stream ends. A comment heartbeat keeps it open.
#[utoipa::path(
    get, path = "/api/v1/screens/channel", tag = "screens",
    responses(
        (status = 200, description = "`text/event-stream` of `directive` (and at the end `unpaired`) events", content_type = "text/event-stream", body = String),
        (status = 400, description = "An unknown `audience`", body = ErrorBody),
        (status = 401, description = "No credentials, or a revoked screen", body = ErrorBody),
        (status = 403, description = "Not a `display` credential", body = ErrorBody),
        (status = 503, description = "`too_many_streams`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub async fn channel_get(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
) -> Result<Response> {
    let identity = caller
        .require_role(Role::Display, "the screen channel")?
        .clone();
    let screen = screen_of(&identity)?;
    let slot = state
        .capacity()
        .open_stream(client)
        .map_err(|refusal| Error::Busy(refusal.problem()))?;
    let hub = state.hub();
    let channel = Channel {
        head: hub.subscribe(Audience::Control),
        closing: hub.closing(),
        recheck: tokio::time::interval_at(
            tokio::time::Instant::now() + state.credential_recheck(),
            state.credential_recheck(),
        ),
        state: state.clone(),
        identity,
        screen,
        last: None,
        done: false,
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(channel, Channel::next);
    Ok(super::stream::sse_response(stream, state.heartbeat()))
}

/// The longest a channel waits before looking again by itself.
const CHANNEL_LOOK: StdDuration = StdDuration::from_secs(30);

struct Channel {
    state: AppState,
    identity: Identity,
    screen: u32,
    head: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
    recheck: Interval,
    last: Option<Directive>,
    done: bool,
    _slot: Slot,
}

impl Channel {
    fn unpaired(mut self) -> Option<(std::result::Result<SseEvent, Infallible>, Channel)> {
        self.done = true;
        Some((Ok(SseEvent::default().event("unpaired").data("{}")), self))
    }

    async fn next(mut self) -> Option<(std::result::Result<SseEvent, Infallible>, Channel)> {
        loop {
            if self.done || *self.closing.borrow() {
                return None;
            }
            self.head.borrow_and_update();
            let now = self.state.now();
            let live = self.state.hub().live_state();
            match live.screens.directive(self.screen, now) {
                None => return self.unpaired(),
                Some(directive) if self.last.as_ref() != Some(&directive) => {
                    let data = serde_json::to_string(&directive).unwrap_or_else(|_| "{}".into());
                    self.last = Some(directive);
                    return Some((Ok(SseEvent::default().event("directive").data(data)), self));
                }
                Some(_) => {}
            }
            // A slide that runs out changes the directive by itself.
            let look = live
                .screens
                .next_expiry(now)
                .and_then(|until| (until - now).to_std().ok())
                .map_or(CHANNEL_LOOK, |wait| {
                    wait.min(CHANNEL_LOOK) + StdDuration::from_millis(5)
                });
            drop(live);
            tokio::select! {
                changed = self.head.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                _ = self.closing.changed() => {}
                _ = self.recheck.tick() => {
                    if !self.identity.still_valid(&self.state).await {
                        return self.unpaired();
                    }
                }
                _ = tokio::time::sleep(look) => {}
            }
        }
    }
}
