//! Prometheus metrics, kept with atomics and rendered as text by `/metrics`.
//!
//! No metrics crate: the handful of counters, one gauge and two histograms
//! the server needs do not justify a dependency tree.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::hub::Hub;

/// Upper bounds, in seconds, of the latency histograms' buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// A cumulative latency histogram.
#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// The server's metrics.
#[derive(Default)]
pub struct Metrics {
    events_appended: AtomicU64,
    commits: AtomicU64,
    commit_seconds: Histogram,
    append_seconds: Histogram,
    stream_clients: AtomicI64,
    /// By (route, method, status). A std mutex: held for one map update.
    requests: Mutex<BTreeMap<(String, &'static str, u16), u64>>,
    snapshot_bytes: [AtomicU64; 2],
}

impl Metrics {
    /// A group commit wrote `events` events in `elapsed` (validation included).
    pub fn committed(&self, events: usize, elapsed: Duration) {
        self.events_appended
            .fetch_add(events as u64, Ordering::Relaxed);
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.commit_seconds.observe(elapsed);
    }

    /// A poster waited `elapsed` for its events to be durable.
    pub fn appended(&self, elapsed: Duration) {
        self.append_seconds.observe(elapsed);
    }

    /// One HTTP request answered. `route` is a route template (or the one
    /// label the router gives every unmatched path) and the method is folded
    /// by [`method_label`], so no request can add a series of its own making.
    pub fn request(&self, route: &str, method: &axum::http::Method, status: u16) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((route.to_owned(), method_label(method), status))
                .or_default() += 1;
        }
    }

    /// The size of the last snapshot served to a class of readers.
    pub fn snapshot_served(&self, restricted: bool, bytes: usize) {
        self.snapshot_bytes[usize::from(restricted)].store(bytes as u64, Ordering::Relaxed);
    }

    /// Counts an open stream until the guard is dropped.
    pub fn stream_opened(self: &std::sync::Arc<Self>) -> StreamGuard {
        self.stream_clients.fetch_add(1, Ordering::Relaxed);
        StreamGuard(self.clone())
    }

    /// The Prometheus text exposition.
    pub fn render(&self, hub: &Hub) -> String {
        let mut out = String::new();
        let mut gauge = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        gauge(
            "watchfloor_events_total",
            "gauge",
            "Events in the log (the last seq).",
            hub.head().to_string(),
        );
        gauge(
            "watchfloor_public_released_seq",
            "gauge",
            "The last seq released to public readers (behind the log by the embargo).",
            hub.released_head().to_string(),
        );
        gauge(
            "watchfloor_events_appended_total",
            "counter",
            "Events appended since the server started.",
            self.events_appended.load(Ordering::Relaxed).to_string(),
        );
        gauge(
            "watchfloor_commits_total",
            "counter",
            "Group commits (durable transactions) since the server started.",
            self.commits.load(Ordering::Relaxed).to_string(),
        );
        gauge(
            "watchfloor_stream_clients",
            "gauge",
            "Open event streams.",
            self.stream_clients.load(Ordering::Relaxed).to_string(),
        );
        let _ = writeln!(
            out,
            "# HELP watchfloor_snapshot_bytes Size of the last snapshot served, by audience class.\n# TYPE watchfloor_snapshot_bytes gauge"
        );
        for (class, bytes) in ["public", "restricted"].iter().zip(&self.snapshot_bytes) {
            let _ = writeln!(
                out,
                "watchfloor_snapshot_bytes{{audience=\"{class}\"}} {}",
                bytes.load(Ordering::Relaxed)
            );
        }
        self.commit_seconds.render(
            &mut out,
            "watchfloor_commit_duration_seconds",
            "Time to validate and durably commit one group of requests.",
        );
        self.append_seconds.render(
            &mut out,
            "watchfloor_append_duration_seconds",
            "Time a POST /api/v1/events waited for its events to be durable.",
        );
        let _ = writeln!(
            out,
            "# HELP watchfloor_http_requests_total HTTP requests answered, by route, method and status.\n# TYPE watchfloor_http_requests_total counter"
        );
        if let Ok(requests) = self.requests.lock() {
            for ((route, method, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "watchfloor_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out
    }
}

/// The `method` label: one of the standard methods, or `other` for any
/// extension method a client makes up (`FOO1`, `FOO2`, …), so the number of
/// series stays bounded whatever is sent.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Keeps `watchfloor_stream_clients` counting one stream while it lives.
pub struct StreamGuard(std::sync::Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.stream_clients.fetch_sub(1, Ordering::Relaxed);
    }
}
