//! What the server holds open at once: connections and event streams, each
//! capped overall and per client address, and the timeouts that keep slow
//! clients from holding a connection for ever.
//!
//! A connection over its cap is answered `503` with `Retry-After` and closed
//! by the accept loop ([`crate::serve`]); a stream over its cap is answered
//! `503` with `Retry-After` by the stream handler. Each open connection and
//! stream holds a [`Slot`], given back when it is dropped, so the counts can
//! never drift; the per-address map only holds addresses with something open.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::config::Config;
use crate::error::Problem;

/// What a `503` for a full server tells the client to wait before trying again.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// The timeouts every connection is served with (see [`crate::serve`]).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// From the first byte of a request's head to its end.
    pub header: Duration,
    /// With no request under way and nothing read or written.
    pub idle: Duration,
    /// From a request's head to the end of its body.
    pub body: Duration,
    /// A write that makes no progress (the client does not read).
    pub stalled: Duration,
}

impl Timeouts {
    pub(crate) fn of(config: &Config) -> Timeouts {
        Timeouts {
            header: config.header_timeout,
            idle: config.idle_timeout,
            body: config.body_timeout,
            stalled: config.stalled_stream_timeout,
        }
    }
}

/// The open connections and streams, against their caps.
pub struct Capacity {
    connections: Arc<Counter>,
    streams: Arc<Counter>,
}

impl Capacity {
    pub(crate) fn of(config: &Config) -> Capacity {
        Capacity {
            connections: Arc::new(Counter::new(
                Kind::Connection,
                config.max_connections,
                config.max_connections_per_ip,
            )),
            streams: Arc::new(Counter::new(
                Kind::Stream,
                config.max_streams,
                config.max_streams_per_ip,
            )),
        }
    }

    /// A slot for a new connection from `ip`, or why not.
    pub(crate) fn open_connection(&self, ip: IpAddr) -> Result<Slot, Refusal> {
        self.connections.open(Some(ip))
    }

    /// A slot for a new stream from `ip` (unknown without a socket, as in
    /// tests through the router: then only the overall cap applies).
    pub(crate) fn open_stream(&self, ip: Option<IpAddr>) -> Result<Slot, Refusal> {
        self.streams.open(ip)
    }

    /// Connections open now.
    pub fn connections(&self) -> usize {
        self.connections.total()
    }

    /// Streams open now.
    pub fn streams(&self) -> usize {
        self.streams.total()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Connection,
    Stream,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Connection => "connections",
            Kind::Stream => "event streams",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Kind::Connection => "too_many_connections",
            Kind::Stream => "too_many_streams",
        }
    }
}

struct Counter {
    kind: Kind,
    max: usize,
    max_per_ip: usize,
    /// A std mutex: held for one update, never across an `.await`.
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

impl Counter {
    fn new(kind: Kind, max: usize, max_per_ip: usize) -> Counter {
        Counter {
            kind,
            max,
            max_per_ip,
            open: Mutex::new(Open::default()),
        }
    }

    fn open(self: &Arc<Self>, ip: Option<IpAddr>) -> Result<Slot, Refusal> {
        let ip = ip.map(|ip| ip.to_canonical());
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if open.total >= self.max {
            return Err(Refusal {
                kind: self.kind,
                per_address: false,
                max: self.max,
            });
        }
        if let Some(ip) = ip {
            let mine = open.per_ip.entry(ip).or_default();
            if *mine >= self.max_per_ip {
                return Err(Refusal {
                    kind: self.kind,
                    per_address: true,
                    max: self.max_per_ip,
                });
            }
            *mine += 1;
        }
        open.total += 1;
        Ok(Slot {
            counter: self.clone(),
            ip,
        })
    }

    fn close(&self, ip: Option<IpAddr>) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(ip) = ip {
            if let Some(mine) = open.per_ip.get_mut(&ip) {
                *mine = mine.saturating_sub(1);
                if *mine == 0 {
                    open.per_ip.remove(&ip);
                }
            }
        }
    }

    fn total(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .total
    }
}

/// One open connection or stream; given back when dropped.
pub struct Slot {
    counter: Arc<Counter>,
    ip: Option<IpAddr>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.counter.close(self.ip);
    }
}

/// Why a connection or stream was refused: a cap is reached.
#[derive(Debug)]
pub struct Refusal {
    kind: Kind,
    per_address: bool,
    max: usize,
}

impl Refusal {
    /// What the client is told (with `503` and `Retry-After`).
    pub fn problem(&self) -> Problem {
        let noun = self.kind.noun();
        let whose = if self.per_address {
            "from your address"
        } else {
            "in all"
        };
        Problem::new(
            self.kind.code(),
            format!(
                "the server already holds {} open {noun} {whose}, the most it allows: \
                 close one or retry after {} s",
                self.max,
                RETRY_AFTER.as_secs()
            ),
        )
    }

    #[cfg(test)]
    fn per_address(&self) -> bool {
        self.per_address
    }
}

/// The client's address, as the accept loop saw it (`None` without a socket).
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(address)| address.ip()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_count_per_address_and_overall_and_come_back_when_dropped() {
        let counter = Arc::new(Counter::new(Kind::Stream, 3, 2));
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "::ffff:10.0.0.2".parse().expect("ip");
        let first = counter.open(Some(a)).expect("first");
        let _second = counter.open(Some(a)).expect("second");
        let refused = counter.open(Some(a)).err().expect("a's cap");
        assert!(refused.per_address());
        let _third = counter.open(Some(b)).expect("b");
        let refused = counter.open(Some(b)).err().expect("the overall cap");
        assert!(!refused.per_address());
        assert_eq!(refused.problem().code, "too_many_streams");
        drop(first);
        assert_eq!(counter.total(), 2);
        let _again = counter.open(Some(a)).expect("a slot came back");
        // The mapped IPv6 form of 10.0.0.2 is the same client.
        let refused = counter
            .open(Some("10.0.0.2".parse().expect("ip")))
            .err()
            .expect("full");
        assert!(!refused.per_address());
    }

    #[test]
    fn addresses_with_nothing_open_are_forgotten() {
        let counter = Arc::new(Counter::new(Kind::Connection, 10, 10));
        for last in 1..=5u8 {
            drop(counter.open(Some(IpAddr::from([10, 0, 0, last]))));
        }
        let open = counter.open.lock().expect("lock");
        assert_eq!((open.total, open.per_ip.len()), (0, 0));
    }
}
