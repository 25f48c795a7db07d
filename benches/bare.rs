//! The floor: bare pages and a bare SSE endpoint with no Watchfloor in them,
//! measured the same way as Watchfloor in the same run.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::Router;
use futures_util::stream::Stream;
use tokio::sync::broadcast;

#[derive(Clone)]
struct Bare {
    snapshot: Arc<RwLock<Bytes>>,
    messages: broadcast::Sender<String>,
}

/// A running bare server.
pub struct BareServer {
    pub addr: SocketAddr,
    snapshot: Arc<RwLock<Bytes>>,
    messages: broadcast::Sender<String>,
}

impl BareServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The JSON the floor pages load (a copy of a Watchfloor snapshot).
    pub fn set_snapshot(&self, bytes: Bytes) {
        *self.snapshot.write().expect("snapshot lock") = bytes;
    }

    /// Sends one message to every bare SSE page.
    pub fn send(&self, text: String) {
        let _ = self.messages.send(text);
    }
}

pub async fn start() -> BareServer {
    let (messages, _) = broadcast::channel(1024);
    let state = Bare {
        snapshot: Arc::new(RwLock::new(Bytes::from_static(b"{}"))),
        messages: messages.clone(),
    };
    let snapshot = state.snapshot.clone();
    let app = Router::new()
        .route("/bare/sse-page", get(|| async { Html(SSE_PAGE) }))
        .route("/bare/stream", get(stream))
        .route("/bare/event", post(event))
        .route("/bare/first", get(|| async { Html(FIRST_PAGE) }))
        .route("/bare/big", get(|| async { Html(BIG_PAGE) }))
        .route("/bare/snapshot.json", get(snapshot_json))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind bare server");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("bare server");
    });
    BareServer {
        addr,
        snapshot,
        messages,
    }
}

async fn stream(State(bare): State<Bare>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = bare.messages.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(text) => return Some((Ok(Event::default().data(text)), receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn event(State(bare): State<Bare>, body: String) -> impl IntoResponse {
    let _ = bare.messages.send(body);
    "ok"
}

async fn snapshot_json(State(bare): State<Bare>) -> impl IntoResponse {
    let bytes = bare.snapshot.read().expect("snapshot lock").clone();
    ([("content-type", "application/json")], bytes)
}

const SSE_PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>bare sse</title></head><body>
<script>
const source = new EventSource('/bare/stream');
source.onmessage = (message) => {
  const row = document.createElement('div');
  row.textContent = message.data;
  document.body.appendChild(row);
};
</script></body></html>"#;

const FIRST_PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>bare first</title></head><body>
<h1 id="name"></h1>
<script>
fetch('/bare/snapshot.json').then((r) => r.json()).then((snapshot) => {
  document.getElementById('name').textContent = snapshot.exercise.name;
  performance.mark('watchfloor:first-data');
});
</script></body></html>"#;

const BIG_PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>bare big</title>
<style>#list{height:900px;overflow:auto;position:relative}.row{position:absolute;height:32px;left:0;right:0}</style></head><body>
<div id="list"><div id="spacer"></div></div>
<script>
fetch('/bare/snapshot.json').then((r) => r.text()).then((text) => {
  const snapshot = JSON.parse(text);
  const incidents = snapshot.incidents;
  const list = document.getElementById('list');
  document.getElementById('spacer').style.height = (incidents.length * 32) + 'px';
  const render = () => {
    const first = Math.floor(list.scrollTop / 32);
    const last = Math.min(incidents.length, first + Math.ceil(900 / 32) + 1);
    list.querySelectorAll('.row').forEach((row) => row.remove());
    for (let i = first; i < last; i++) {
      const incident = incidents[i];
      const row = document.createElement('div');
      row.className = 'row';
      row.style.top = (i * 32) + 'px';
      row.textContent = incident.id + ' ' + incident.title + ' ' + incident.severity + ' ' + incident.status;
      list.appendChild(row);
    }
  };
  render();
  list.addEventListener('scroll', render);
  requestAnimationFrame(() => performance.mark('watchfloor:rendered'));
});
</script></body></html>"#;
