//! All of the app's HTTP: typed async functions over the server's v1 API,
//! and the event stream. Nothing else in the app touches the network.
//!
//! Every function returns `Result<T, ApiError>`; a non-2xx answer becomes
//! [`ApiError::Server`] with the server's own `{"error": {code, message, field}}`.

use std::fmt;

use serde::{Deserialize, Serialize};
use watchfloor_model::review::EventsPage;
use watchfloor_model::script::ScriptView;
use watchfloor_model::{Event, EventBody, EventKind, Incident, Session, Snapshot};

/// Where the API lives (the app is served by the same server).
pub const BASE: &str = "/api/v1";

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status.
    Server {
        status: u16,
        /// The server's machine-readable reason, e.g. `unauthorised`.
        code: String,
        message: String,
        /// The request field at fault, if the server named one.
        field: Option<String>,
    },
    /// The server could not be reached.
    Network(String),
    /// The answer was not what the contract says.
    Decode(String),
}

impl ApiError {
    /// The HTTP status, for answers from the server.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Server { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A message for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::Server { message, .. } => message.clone(),
            ApiError::Network(detail) => format!("The server cannot be reached ({detail})."),
            ApiError::Decode(detail) => {
                format!("The server's answer was not understood ({detail}).")
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Server {
                status,
                code,
                message,
                ..
            } => write!(f, "{status} {code}: {message}"),
            ApiError::Network(detail) => write!(f, "network error: {detail}"),
            ApiError::Decode(detail) => write!(f, "unexpected answer: {detail}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// The error body of the contract.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
    #[serde(default)]
    field: Option<String>,
}

/// Turns a non-2xx answer's status and body into an [`ApiError`].
pub fn error_from(status: u16, body: &str) -> ApiError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => ApiError::Server {
            status,
            code: error.code,
            message: error.message,
            field: error.field.filter(|field| !field.is_empty()),
        },
        Err(_) => ApiError::Server {
            status,
            code: format!("http_{status}"),
            message: match status {
                401 => "Not signed in, or the token is not valid.".into(),
                403 => "Not allowed for this role.".into(),
                404 => "Not found (or not visible to you).".into(),
                503 => "The server is not ready; try again shortly.".into(),
                _ => format!("The server answered {status}."),
            },
            field: None,
        },
    }
}

/// `/api/v1/snapshot`, with `?audience=public` for public-only screens.
pub fn snapshot_url(public_only: bool) -> String {
    if public_only {
        format!("{BASE}/snapshot?audience=public")
    } else {
        format!("{BASE}/snapshot")
    }
}

/// `/api/v1/stream?after=<seq>`, with `&audience=public` for public-only screens.
pub fn stream_url(after: u64, public_only: bool) -> String {
    let audience = if public_only { "&audience=public" } else { "" };
    format!("{BASE}/stream?after={after}{audience}")
}

/// `/api/v1/snapshot?at=<moment>`: the state at a moment of the review
/// (the moment as `Moment`'s `Display` writes it).
pub fn snapshot_at_url(moment: &str) -> String {
    format!("{BASE}/snapshot?at={}", crate::ui::query::encode(moment))
}

/// Which page of the log to read: events after `after`, up to `until`
/// (inclusive), at most `limit` of them, of one kind only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventsQuery {
    pub after: u64,
    pub until: Option<u64>,
    /// 1..=10000; the server's default (1000) when `None`.
    pub limit: Option<u32>,
    /// One event type (`phase_changed`), as `EventBody::kind` names it.
    pub kind: Option<EventKind>,
}

/// `/api/v1/events?after=…[&until=…][&limit=…][&kind=…]`.
pub fn events_url(query: &EventsQuery) -> String {
    let mut url = format!("{BASE}/events?after={}", query.after);
    if let Some(until) = query.until {
        url.push_str(&format!("&until={until}"));
    }
    if let Some(limit) = query.limit {
        url.push_str(&format!("&limit={limit}"));
    }
    if let Some(kind) = query.kind {
        url.push_str(&format!("&kind={}", crate::ui::query::encode(kind)));
    }
    url
}

/// The URL of one incident.
pub fn incident_url(id: &str, public_only: bool) -> String {
    let audience = if public_only { "?audience=public" } else { "" };
    format!(
        "{BASE}/incidents/{}{audience}",
        crate::ui::query::encode(id)
    )
}

#[cfg(target_arch = "wasm32")]
mod http {
    use super::*;
    use gloo_net::http::{Request, RequestBuilder, Response};
    use serde::de::DeserializeOwned;

    pub async fn send(request: RequestBuilder) -> Result<Response, ApiError> {
        request
            .cache(web_sys::RequestCache::NoStore)
            .send()
            .await
            .map_err(|error| ApiError::Network(error.to_string()))
    }

    pub async fn checked(response: Response) -> Result<Response, ApiError> {
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        Err(error_from(status, &body))
    }

    pub async fn json<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiError> {
        json_response(send(request).await?).await
    }

    pub async fn json_response<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
        checked(response)
            .await?
            .json::<T>()
            .await
            .map_err(|error| ApiError::Decode(error.to_string()))
    }

    /// The snapshot that index.html's inline script began to fetch while the
    /// WebAssembly was still downloading: taken once, and only when it is for
    /// `url` (the page's first snapshot). Any failure falls back to a fetch.
    pub async fn early_snapshot(url: &str) -> Option<Response> {
        use wasm_bindgen::JsCast;
        let window = web_sys::window()?;
        let key = wasm_bindgen::JsValue::from_str("__watchfloorSnapshot");
        let promise = js_sys::Reflect::get(&window, &key).ok()?;
        let _ = js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &key);
        let promise: js_sys::Promise = promise.dyn_into().ok()?;
        let raw: web_sys::Response = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        raw.url().ends_with(url).then(|| Response::from(raw))
    }

    pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
        json(Request::get(url)).await
    }

    pub async fn post_json<B: Serialize>(url: &str, body: &B) -> Result<String, ApiError> {
        let request = Request::post(url)
            .cache(web_sys::RequestCache::NoStore)
            .json(body)
            .map_err(|error| ApiError::Decode(error.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|error| ApiError::Network(error.to_string()))?;
        let response = checked(response).await?;
        Ok(response.text().await.unwrap_or_default())
    }

    pub async fn delete(url: &str) -> Result<(), ApiError> {
        checked(send(Request::delete(url)).await?).await.map(|_| ())
    }
}

/// The state for the caller's audience (or the public's, if `public_only`) and its seq.
pub async fn snapshot(public_only: bool) -> Result<Snapshot, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        let url = snapshot_url(public_only);
        if let Some(response) = http::early_snapshot(&url).await {
            return http::json_response(response).await;
        }
        http::get(&url).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = public_only;
        Err(not_in_browser())
    }
}

/// The state as it was at a moment, for the caller's audience (in its own
/// sequence), with `generated_at` the moment's time.
pub async fn snapshot_at(moment: &str) -> Result<Snapshot, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        http::get(&snapshot_at_url(moment)).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = moment;
        Err(not_in_browser())
    }
}

/// One page of the log, redacted for the caller.
pub async fn events_page(query: EventsQuery) -> Result<EventsPage, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        http::get(&events_url(&query)).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = query;
        Err(not_in_browser())
    }
}

/// One incident with its timeline; 404 when it is not visible to the caller.
pub async fn incident(id: &str, public_only: bool) -> Result<Incident, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        http::get(&incident_url(id, public_only)).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (id, public_only);
        Err(not_in_browser())
    }
}

/// Who the session cookie belongs to; the public without one.
pub async fn session_get() -> Result<Session, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        match http::get::<Session>(&format!("{BASE}/session")).await {
            Err(ApiError::Server { status: 401, .. })
            | Err(ApiError::Server { status: 404, .. }) => Ok(Session::public()),
            other => other,
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Err(not_in_browser())
    }
}

/// Signs in with a token: the server sets the session cookie.
pub async fn sign_in(token: &str) -> Result<Session, ApiError> {
    #[derive(Serialize)]
    struct SignIn<'a> {
        token: &'a str,
    }
    #[cfg(target_arch = "wasm32")]
    {
        let body = http::post_json(&format!("{BASE}/session"), &SignIn { token }).await?;
        // The contract does not promise a body; ask when there is none.
        match serde_json::from_str::<Session>(&body) {
            Ok(session) => Ok(session),
            Err(_) => session_get().await,
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = SignIn { token };
        Err(not_in_browser())
    }
}

/// Signs out: the server drops the session and clears the cookie.
pub async fn sign_out() -> Result<(), ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        http::delete(&format!("{BASE}/session")).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Err(not_in_browser())
    }
}

/// The seqs a write appended.
#[derive(Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Appended {
    seq: Vec<u64>,
}

/// Posts events (all-or-nothing) with the control session; the seqs they
/// were appended at. A refusal names the field at fault (`ApiError::Server::field`).
pub async fn post_events(events: &[EventBody]) -> Result<Vec<u64>, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        let body = http::post_json(&format!("{BASE}/events"), &events).await?;
        serde_json::from_str::<Appended>(&body)
            .map(|appended| appended.seq)
            .map_err(|error| ApiError::Decode(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = events;
        Err(not_in_browser())
    }
}

/// The loaded scenario as planned, and what became of it (control only).
pub async fn scenario() -> Result<ScriptView, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        http::get(&format!("{BASE}/scenario")).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Err(not_in_browser())
    }
}

/// What control does to the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioAction {
    /// Play entry `index` now.
    Fire(u32),
    /// Never play entry `index`, with an optional note.
    Skip(u32, Option<String>),
    /// Hold the player, with an optional reason.
    Hold(Option<String>),
    Resume,
}

impl ScenarioAction {
    /// The endpoint and the JSON body it posts.
    pub fn request(&self) -> (String, serde_json::Value) {
        use serde_json::json;
        match self {
            ScenarioAction::Fire(index) => {
                (format!("{BASE}/scenario/entries/{index}/fire"), json!({}))
            }
            ScenarioAction::Skip(index, note) => (
                format!("{BASE}/scenario/entries/{index}/skip"),
                note.as_ref()
                    .map_or(json!({}), |note| json!({ "note": note })),
            ),
            ScenarioAction::Hold(reason) => (
                format!("{BASE}/scenario/hold"),
                reason
                    .as_ref()
                    .map_or(json!({}), |reason| json!({ "reason": reason })),
            ),
            ScenarioAction::Resume => (format!("{BASE}/scenario/resume"), json!({})),
        }
    }
}

/// Carries out a [`ScenarioAction`]; the seq of the event that records it.
pub async fn scenario_act(action: ScenarioAction) -> Result<Vec<u64>, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        let (url, body) = action.request();
        let answer = http::post_json(&url, &body).await?;
        serde_json::from_str::<Appended>(&answer)
            .map(|appended| appended.seq)
            .map_err(|error| ApiError::Decode(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = action.request();
        Err(not_in_browser())
    }
}

/// A new pairing code for this (unpaired) screen.
pub async fn pairing_create() -> Result<watchfloor_model::screens::Pairing, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        let body =
            http::post_json(&format!("{BASE}/screens/pairing"), &serde_json::json!({})).await?;
        serde_json::from_str(&body).map_err(|error| ApiError::Decode(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Err(not_in_browser())
    }
}

/// Whether this screen's code was typed; once it was, the server sets the
/// screen's session cookie.
pub async fn pairing_claim(
    claim: &str,
) -> Result<watchfloor_model::screens::PairingState, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        let body = http::post_json(
            &format!("{BASE}/screens/pairing/claim"),
            &serde_json::json!({ "claim": claim }),
        )
        .await?;
        serde_json::from_str(&body).map_err(|error| ApiError::Decode(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = claim;
        Err(not_in_browser())
    }
}

/// This screen's heartbeat; the answer is what it should show (401/403/404:
/// it is not a paired screen).
pub async fn heartbeat(
    beat: &watchfloor_model::screens::Heartbeat,
) -> Result<watchfloor_model::screens::Directive, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        let body = http::post_json(&format!("{BASE}/screens/heartbeat"), beat).await?;
        serde_json::from_str(&body).map_err(|error| ApiError::Decode(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = beat;
        Err(not_in_browser())
    }
}

/// The fleet of screens (control only).
pub async fn screens() -> Result<watchfloor_model::screens::Fleet, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        http::get(&format!("{BASE}/screens")).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Err(not_in_browser())
    }
}

/// Pairs the screen showing `code` as `name` (control only).
pub async fn screen_pair(code: &str, name: &str) -> Result<u32, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        let body = http::post_json(
            &format!("{BASE}/screens"),
            &serde_json::json!({ "code": code, "name": name }),
        )
        .await?;
        serde_json::from_str::<watchfloor_model::screens::ScreenPaired>(&body)
            .map(|paired| paired.screen)
            .map_err(|error| ApiError::Decode(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (code, name);
        Err(not_in_browser())
    }
}

/// Unpairs screen `id` (control only).
pub async fn screen_unpair(id: u32) -> Result<(), ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        http::delete(&format!("{BASE}/screens/{id}")).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = id;
        Err(not_in_browser())
    }
}

/// A message of this screen's channel.
#[derive(Clone, Debug, PartialEq)]
pub enum ChannelMessage {
    Directive(watchfloor_model::screens::Directive),
    /// The screen was unpaired: pair again.
    Unpaired,
}

/// Opens this screen's channel; `on_message` gets each directive. The
/// browser reconnects by itself after a drop.
pub fn open_channel(
    on_message: impl Fn(ChannelMessage) + 'static,
) -> Result<EventStream, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        use std::rc::Rc;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;

        let source = web_sys::EventSource::new(&format!("{BASE}/screens/channel"))
            .map_err(|error| ApiError::Network(format!("{error:?}")))?;
        let on_message = Rc::new(on_message);
        let mut listeners = Vec::new();
        for kind in ["directive", "unpaired"] {
            let on_message = on_message.clone();
            let closing = source.clone();
            let listener =
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    let Some(message) = event.dyn_ref::<web_sys::MessageEvent>() else {
                        return;
                    };
                    if kind == "unpaired" {
                        closing.close();
                        on_message(ChannelMessage::Unpaired);
                        return;
                    }
                    let data = message.data().as_string().unwrap_or_default();
                    if let Ok(directive) = serde_json::from_str(&data) {
                        on_message(ChannelMessage::Directive(directive));
                    }
                });
            source
                .add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref())
                .map_err(|error| ApiError::Network(format!("{error:?}")))?;
            listeners.push(listener);
        }
        Ok(EventStream {
            source,
            _listeners: listeners,
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = on_message;
        Err(not_in_browser())
    }
}

/// An entry's own HTML (`display.html`), never from a cache: the display
/// compares the files it names with the ones it runs, to notice a new
/// deployment.
pub async fn page_html(page: watchfloor_model::pages::Page) -> Result<String, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo_net::http::Request;
        let url = format!("/{}", page.html_file());
        let response = http::checked(http::send(Request::get(&url)).await?).await?;
        response
            .text()
            .await
            .map_err(|error| ApiError::Decode(error.to_string()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = page;
        Err(not_in_browser())
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn not_in_browser() -> ApiError {
    ApiError::Network("HTTP is only available in the browser".into())
}

/// One message of the event stream.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamMessage {
    /// The connection is open.
    Open,
    /// An event to apply (boxed: events are large, the other messages tiny).
    Event(Box<Event>),
    /// The server says the client must refetch the snapshot.
    Reset,
    /// An event that does not parse: the client can no longer follow.
    Malformed(String),
    /// The connection failed or dropped.
    Failed,
}

/// The event types the stream sends, plus `reset` and untyped messages.
pub fn stream_event_types() -> Vec<&'static str> {
    let mut kinds = watchfloor_model::EventBody::KINDS.to_vec();
    kinds.push("reset");
    kinds.push("message");
    kinds
}

/// Parses one stream message: `kind` from `event:`, `data` from `data:`,
/// `id` from `id:`. The event's `type` and `seq` are taken from the SSE
/// fields when the JSON leaves them out.
pub fn parse_stream_message(kind: &str, data: &str, id: &str) -> StreamMessage {
    if kind == "reset" {
        return StreamMessage::Reset;
    }
    let mut value: serde_json::Value = match serde_json::from_str(data) {
        Ok(value) => value,
        Err(error) => return StreamMessage::Malformed(format!("{kind}: {error}")),
    };
    if let Some(object) = value.as_object_mut() {
        if !object.contains_key("type") && kind != "message" {
            object.insert("type".into(), kind.into());
        }
        if !object.contains_key("seq") {
            if let Ok(seq) = id.parse::<u64>() {
                object.insert("seq".into(), seq.into());
            }
        }
    }
    match serde_json::from_value::<Event>(value) {
        Ok(event) => StreamMessage::Event(Box::new(event)),
        Err(error) => StreamMessage::Malformed(format!("{kind}: {error}")),
    }
}

/// An open event stream; dropping it closes the connection.
pub struct EventStream {
    #[cfg(target_arch = "wasm32")]
    source: web_sys::EventSource,
    #[cfg(target_arch = "wasm32")]
    _listeners: Vec<wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>>,
}

impl EventStream {
    /// Stops the connection now; the listeners go when the stream is dropped.
    pub fn close(&self) {
        #[cfg(target_arch = "wasm32")]
        self.source.close();
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        #[cfg(target_arch = "wasm32")]
        {
            self.source.set_onopen(None);
            self.source.set_onerror(None);
            self.source.close();
        }
    }
}

/// Opens the stream after `after`, calling `on_message` for each message in
/// the order they arrive.
///
/// This uses the browser's `EventSource` directly rather than gloo-net's
/// wrapper: gloo-net gives each event type its own channel, which loses the
/// order between types — and the reducer refuses an event older than the
/// last one applied. On the first error the source is closed, so the browser
/// does not retry on its own; `live.rs` decides when to try again.
pub fn open_stream(
    after: u64,
    public_only: bool,
    on_message: impl Fn(StreamMessage) + 'static,
) -> Result<EventStream, ApiError> {
    #[cfg(target_arch = "wasm32")]
    {
        use std::rc::Rc;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;

        let source = web_sys::EventSource::new(&stream_url(after, public_only))
            .map_err(|error| ApiError::Network(format!("{error:?}")))?;
        let on_message = Rc::new(on_message);
        let mut listeners = Vec::new();
        for kind in stream_event_types() {
            let on_message = on_message.clone();
            let listener =
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    let Some(message) = event.dyn_ref::<web_sys::MessageEvent>() else {
                        return;
                    };
                    let data = message.data().as_string().unwrap_or_default();
                    on_message(parse_stream_message(kind, &data, &message.last_event_id()));
                });
            source
                .add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref())
                .map_err(|error| ApiError::Network(format!("{error:?}")))?;
            listeners.push(listener);
        }
        let opened = on_message.clone();
        let open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| opened(StreamMessage::Open));
        source.set_onopen(Some(open.as_ref().unchecked_ref()));
        listeners.push(open);
        let failed_source = source.clone();
        let failed = on_message;
        let error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            failed_source.close();
            failed(StreamMessage::Failed)
        });
        source.set_onerror(Some(error.as_ref().unchecked_ref()));
        listeners.push(error);
        Ok(EventStream {
            source,
            _listeners: listeners,
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (after, public_only, on_message);
        Err(not_in_browser())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_become_typed_errors() {
        let error = error_from(
            422,
            r#"{"error":{"code":"unknown_nation","message":"no nation `XYZ`","field":"nations[1]"}}"#,
        );
        assert_eq!(
            error,
            ApiError::Server {
                status: 422,
                code: "unknown_nation".into(),
                message: "no nation `XYZ`".into(),
                field: Some("nations[1]".into()),
            }
        );
        let plain = error_from(401, "Unauthorized");
        assert_eq!(plain.status(), Some(401));
        assert_eq!(plain.message(), "Not signed in, or the token is not valid.");
    }

    #[test]
    fn urls_carry_the_resume_point_and_the_public_audience() {
        assert_eq!(stream_url(42, false), "/api/v1/stream?after=42");
        assert_eq!(
            stream_url(0, true),
            "/api/v1/stream?after=0&audience=public"
        );
        assert_eq!(snapshot_url(true), "/api/v1/snapshot?audience=public");
        assert_eq!(incident_url("CC 1", false), "/api/v1/incidents/CC%201");
        assert_eq!(
            snapshot_at_url("271430Z NOV 26"),
            "/api/v1/snapshot?at=271430Z%20NOV%2026"
        );
        assert_eq!(
            snapshot_at_url("2026-11-27T14:30:00+00:00"),
            "/api/v1/snapshot?at=2026-11-27T14:30:00%2B00:00"
        );
        assert_eq!(
            events_url(&EventsQuery {
                after: 12,
                ..EventsQuery::default()
            }),
            "/api/v1/events?after=12"
        );
        assert_eq!(
            events_url(&EventsQuery {
                after: 0,
                until: Some(40),
                limit: Some(10_000),
                kind: Some("phase_changed"),
            }),
            "/api/v1/events?after=0&until=40&limit=10000&kind=phase_changed"
        );
    }

    #[test]
    fn stream_messages_parse_with_or_without_type_and_seq_in_the_data() {
        let full = parse_stream_message(
            "phase_changed",
            r#"{"seq":7,"at":"2026-11-25T12:00:00Z","type":"phase_changed","phase":"paused"}"#,
            "7",
        );
        assert!(matches!(full, StreamMessage::Event(ref event) if event.seq == 7));
        let bare = parse_stream_message(
            "phase_changed",
            r#"{"at":"2026-11-25T12:00:00Z","phase":"paused"}"#,
            "8",
        );
        assert!(matches!(bare, StreamMessage::Event(ref event) if event.seq == 8));
        assert_eq!(parse_stream_message("reset", "", ""), StreamMessage::Reset);
        assert!(matches!(
            parse_stream_message("phase_changed", "{", "9"),
            StreamMessage::Malformed(_)
        ));
    }
}
