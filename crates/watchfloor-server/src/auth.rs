//! Who is asking: tokens, browser sessions, and the audience of each request.
//!
//! - Scripts send `Authorization: Bearer <token>`. An unknown or revoked token
//!   is a 401, never a silent downgrade to public: a script with a bad token
//!   must find out.
//! - Browsers sign in once (`POST /api/v1/session`) and then send an HttpOnly,
//!   SameSite=Strict cookie holding a random session id (EventSource cannot
//!   send headers). A cookie that no longer names a live session (signed out,
//!   expired, its token revoked) reads as public, so a display screen keeps
//!   working; `GET /api/v1/session` tells the app it is signed out.
//! - `?audience=public` lowers any caller to public; nothing raises one.
//!
//! Tokens and session ids are 32 random bytes; the database holds only their
//! SHA-256. Both are looked up in the database on every request that carries
//! one, so a token created or revoked by the CLI while the server runs takes
//! effect at once. Unauthenticated requests — every display screen — never
//! touch the database.

use std::collections::HashMap;
use std::str::FromStr;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use watchfloor_model::Audience;

use crate::error::{Error, Problem, Result};
use crate::store::TokenInfo;
use crate::AppState;

/// The session cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "watchfloor_session";

/// The session cookie's name over HTTPS: `__Host-` makes the browser keep it
/// only if it is `Secure`, from an HTTPS answer, with `Path=/` and no
/// `Domain`, so neither plain HTTP nor a sibling host can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-watchfloor_session";

/// The session cookie's name for a request over HTTPS or not.
pub fn session_cookie_name(https: bool) -> &'static str {
    if https {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// How long a browser session lasts: long enough for a display screen left
/// running through an exercise.
pub const SESSION_DAYS: i64 = 30;

/// The live browser sessions one token may have; signing in once more ends
/// its oldest, so sign-ins cannot grow the session table without bound.
pub const SESSIONS_PER_TOKEN: usize = 100;

/// Token texts start with this, so a leaked one is recognisable.
const TOKEN_PREFIX: &str = "wf_";

/// 32 random bytes as lowercase hex.
pub fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| Error::Internal(format!("no randomness from the OS: {error}")))?;
    Ok(hex(&bytes))
}

/// A new token's text.
pub fn new_token() -> Result<String> {
    Ok(format!("{TOKEN_PREFIX}{}", random_secret()?))
}

/// SHA-256 of `text`, as lowercase hex: how tokens and session ids are stored.
pub fn sha256_hex(text: impl AsRef<[u8]>) -> String {
    hex(&Sha256::digest(text.as_ref()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|byte| {
            [
                DIGITS[(byte >> 4) as usize] as char,
                DIGITS[(byte & 15) as usize] as char,
            ]
        })
        .collect()
}

/// How a caller proved who they are; kept so a long-lived stream can check
/// that it still holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The SHA-256 of a bearer token.
    Bearer(String),
    /// The SHA-256 of a session id.
    Session(String),
}

/// A signed-in caller.
#[derive(Clone, Debug)]
pub struct Identity {
    pub token: TokenInfo,
    pub credential: Credential,
}

impl Identity {
    /// Whether the credential is still live (token not revoked, session not
    /// ended). Fails closed: a stream whose credential cannot be checked
    /// ends — after [`OUTAGE_GRACE`] when the store is away (see [`Remembered`]).
    pub async fn still_valid(&self, state: &AppState) -> bool {
        matches!(lookup(state, &self.credential).await, Ok(Some(_)))
    }
}

/// How long a credential the store confirmed is taken on trust while the
/// store cannot be reached (a PostgreSQL restart): signed-in readers and
/// their open streams go on from memory meanwhile, and no longer. A token
/// revoked during an outage is refused once the store answers again, or
/// at the latest this long after its last check.
pub const OUTAGE_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Credentials remembered at most (by the hash presented, only ones the
/// store confirmed, so a stranger cannot fill it with guesses).
const REMEMBERED: usize = 4096;

/// The credentials the store last confirmed, and when: consulted only when
/// the store is away (`Error::Busy`), never instead of it.
#[derive(Debug, Default)]
pub struct Remembered(std::sync::Mutex<HashMap<String, (TokenInfo, std::time::Instant)>>);

impl Remembered {
    fn remember(&self, key: String, token: TokenInfo) {
        if let Ok(mut known) = self.0.lock() {
            if known.len() >= REMEMBERED && !known.contains_key(&key) {
                known.retain(|_, (_, checked)| checked.elapsed() < OUTAGE_GRACE);
                if known.len() >= REMEMBERED {
                    known.clear();
                }
            }
            known.insert(key, (token, std::time::Instant::now()));
        }
    }

    fn forget(&self, key: &str) {
        if let Ok(mut known) = self.0.lock() {
            known.remove(key);
        }
    }

    fn recall(&self, key: &str) -> Option<TokenInfo> {
        let known = self.0.lock().ok()?;
        let (token, checked) = known.get(key)?;
        (checked.elapsed() < OUTAGE_GRACE).then(|| token.clone())
    }
}

impl Credential {
    fn key(&self) -> String {
        match self {
            Credential::Bearer(hash) => format!("bearer:{hash}"),
            Credential::Session(hash) => format!("session:{hash}"),
        }
    }
}

/// The caller of a request: who, and what they may read.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The audience this request is answered for, after any `?audience=` lowering.
    pub audience: Audience,
    pub identity: Option<Identity>,
}

impl Caller {
    /// The name recorded as the poster of what this caller appends (its
    /// token's name, which its sessions share), cut to the model's limit.
    pub fn poster_name(&self) -> String {
        self.identity.as_ref().map_or_else(
            || "anonymous".to_string(),
            |identity| {
                identity
                    .token
                    .name
                    .chars()
                    .take(watchfloor_model::limits::MAX_NAME)
                    .collect()
            },
        )
    }

    /// The caller's identity when it holds `role` and reads as it (not
    /// lowered by `?audience=public`): 401 without credentials, 403 with
    /// another role or a lowered audience. `what` names the thing asked for.
    pub fn require_role(&self, role: Role, what: &str) -> Result<&Identity> {
        match &self.identity {
            None => Err(Error::Unauthorized(format!(
                "{what} needs a {} credential",
                role.as_str()
            ))),
            Some(identity) if identity.token.role != role => Err(Error::Forbidden(format!(
                "{what} needs a {} credential; the {} token `{}` cannot",
                role.as_str(),
                identity.token.role.as_str(),
                identity.token.name
            ))),
            Some(_) if self.audience != role.audience() => Err(Error::Forbidden(format!(
                "{what}: drop `?audience=public`, which lowers this credential"
            ))),
            Some(identity) => Ok(identity),
        }
    }

    /// Only control may write: 401 without credentials, 403 with lesser ones.
    pub fn require_control(&self) -> Result<()> {
        match (&self.identity, self.audience) {
            (_, Audience::Control) => Ok(()),
            (None, _) => Err(Error::Unauthorized(
                "posting events needs a control token: send `Authorization: Bearer <token>` (create one with `watchfloor-server token create --role control`)"
                    .into(),
            )),
            (Some(identity), _) if identity.token.role == Role::Control => Err(Error::Forbidden(
                "this request asked for `?audience=public`, which cannot post events: drop the parameter".into(),
            )),
            (Some(identity), _) => Err(Error::Forbidden(format!(
                "the {} token `{}` may read but not post events: use a control token",
                identity.token.role.as_str(),
                identity.token.name
            ))),
        }
    }
}

/// A caller allowed to write (control). As an extractor it runs before the
/// body is read, so a request without the right credentials is a 401/403
/// whatever its body.
#[derive(Clone, Debug)]
pub struct Control(pub Caller);

impl FromRequestParts<AppState> for Control {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_control()?;
        Ok(Control(caller))
    }
}

#[derive(Deserialize)]
struct AudienceQuery {
    audience: Option<String>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let requested = requested_audience(parts)?;
        // A display screen (`?audience=public`) reads as the public whatever
        // its cookie says: skip the lookup. A bearer token is still checked,
        // so a script with a bad token finds out.
        if requested == Some(Audience::Public) && !parts.headers.contains_key(header::AUTHORIZATION)
        {
            return Ok(Caller {
                audience: Audience::Public,
                identity: None,
            });
        }
        let identity = identify(parts, state).await?;
        let own = identity
            .as_ref()
            .map_or(Audience::Public, |identity| identity.token.role.audience());
        Ok(Caller {
            audience: requested.map_or(own, |requested| requested.min(own)),
            identity,
        })
    }
}

fn requested_audience(parts: &Parts) -> Result<Option<Audience>> {
    let Query(query) = Query::<AudienceQuery>::try_from_uri(&parts.uri).map_err(|rejection| {
        Error::BadRequest(Problem::new("bad_query", rejection.body_text()).field("audience"))
    })?;
    query
        .audience
        .map(|text| match text.as_str() {
            "public" => Ok(Audience::Public),
            "commander" => Ok(Audience::Commander),
            "control" => Ok(Audience::Control),
            other => Err(Error::BadRequest(
                Problem::new(
                    "bad_audience",
                    format!(
                        "unknown audience `{other}`: use `?audience=public` to read as the public"
                    ),
                )
                .field("audience"),
            )),
        })
        .transpose()
}

async fn identify(parts: &Parts, state: &AppState) -> Result<Option<Identity>> {
    if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
        let token = authorization
            .to_str()
            .ok()
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| token.trim().to_owned())
            })
            .ok_or_else(|| {
                Error::Unauthorized("the Authorization header must be `Bearer <token>`".into())
            })?;
        let credential = Credential::Bearer(sha256_hex(&token));
        return match lookup(state, &credential).await? {
            Some(token) => Ok(Some(Identity { token, credential })),
            None => Err(Error::Unauthorized(
                "the bearer token is unknown or revoked: ask exercise control for a new one".into(),
            )),
        };
    }
    let https = crate::security::over_https(&parts.uri, &parts.extensions);
    let Some(session) = session_cookie(&parts.headers, https) else {
        return Ok(None);
    };
    let credential = Credential::Session(sha256_hex(session));
    Ok(lookup(state, &credential)
        .await?
        .map(|token| Identity { token, credential }))
}

async fn lookup(state: &AppState, credential: &Credential) -> Result<Option<TokenInfo>> {
    let store = state.store();
    let key = credential.key();
    let credential = credential.clone();
    let now = state.now();
    let found = tokio::task::spawn_blocking(move || match &credential {
        Credential::Bearer(hash) => store.active_token(hash),
        Credential::Session(hash) => store.session(hash, now),
    })
    .await?;
    let remembered = state.remembered();
    match found {
        Ok(Some(token)) => {
            remembered.remember(key, token.clone());
            Ok(Some(token))
        }
        Ok(None) => {
            remembered.forget(&key);
            Ok(None)
        }
        Err(Error::Busy(problem)) => remembered
            .recall(&key)
            .map(Some)
            .ok_or(Error::Busy(problem)),
        Err(error) => Err(error),
    }
}

/// The session id in the request's cookies, if any: the cookie of the name
/// in use ([`session_cookie_name`]). Over HTTPS a plain `watchfloor_session`
/// is ignored: anyone on the network could have planted it over HTTP.
pub fn session_cookie(headers: &HeaderMap, https: bool) -> Option<String> {
    let wanted = session_cookie_name(https);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value that signs a browser in (`Secure` and
/// `__Host-`-prefixed over HTTPS).
pub fn session_set_cookie(session_id: &str, https: bool) -> String {
    format!(
        "{}={session_id}; Path=/; HttpOnly; SameSite=Strict;{} Max-Age={}",
        session_cookie_name(https),
        if https { " Secure;" } else { "" },
        SESSION_DAYS * 86_400
    )
}

/// The `Set-Cookie` value that signs a browser out.
pub fn session_clear_cookie(https: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict;{} Max-Age=0",
        session_cookie_name(https),
        if https { " Secure;" } else { "" },
    )
}

/// What a token allows; the token's holder reads as its [`Audience`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Reads everything.
    Commander,
    /// Reads everything and posts events.
    Control,
    /// A paired wall screen: reads only the public picture, reports its
    /// heartbeat and follows its screen channel; nothing else.
    Display,
}

impl Role {
    /// The audience a role reads as.
    pub fn audience(self) -> Audience {
        match self {
            Role::Commander => Audience::Commander,
            Role::Control => Audience::Control,
            Role::Display => Audience::Public,
        }
    }

    /// The wire and CLI spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Control => "control",
            Role::Display => "display",
        }
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "commander" => Ok(Role::Commander),
            "control" => Ok(Role::Control),
            "display" => Ok(Role::Display),
            other => Err(format!(
                "unknown role `{other}`: expected commander, control or display"
            )),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_stored_hashed() {
        let (first, second) = (new_token().expect("token"), new_token().expect("token"));
        assert_ne!(first, second);
        assert_eq!(first.len(), TOKEN_PREFIX.len() + 64);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let request = axum::http::Request::builder()
            .header(
                header::COOKIE,
                "theme=dark; watchfloor_session=abc123 ; x=y",
            )
            .body(())
            .expect("request");
        let (parts, _) = request.into_parts();
        assert_eq!(
            session_cookie(&parts.headers, false).as_deref(),
            Some("abc123")
        );
        // Over HTTPS only the `__Host-` cookie counts.
        assert_eq!(session_cookie(&parts.headers, true), None);
    }

    #[test]
    fn over_https_the_cookie_is_secure_and_host_prefixed() {
        let set = session_set_cookie("abc", true);
        assert!(
            set.starts_with("__Host-watchfloor_session=abc; Path=/;"),
            "{set}"
        );
        assert!(
            set.contains("; Secure;") && !set.contains("Domain"),
            "{set}"
        );
        let plain = session_set_cookie("abc", false);
        assert!(
            plain.starts_with("watchfloor_session=abc;") && !plain.contains("Secure"),
            "{plain}"
        );
        assert!(session_clear_cookie(true).starts_with("__Host-watchfloor_session=;"));
        let request = axum::http::Request::builder()
            .header(
                header::COOKIE,
                "watchfloor_session=planted; __Host-watchfloor_session=real",
            )
            .body(())
            .expect("request");
        let (parts, _) = request.into_parts();
        assert_eq!(
            session_cookie(&parts.headers, true).as_deref(),
            Some("real")
        );
        assert_eq!(
            session_cookie(&parts.headers, false).as_deref(),
            Some("planted")
        );
    }
}
