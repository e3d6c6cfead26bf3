//! What the server counts for Prometheus, served at `/metrics` on its own listen address
//! (`METRICS_ADDR`; `server::metrics`), never on the site's.
//!
//! No label ever carries personal data: requests are counted by their route *pattern* (the
//! path as the router declares it, `/staff/candidates/{id}`, never the path asked for), by
//! method and by status; anything the router does not declare (static files, unknown
//! paths) counts under one label. Payment notifications are counted by outcome only.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Duration;

/// The route label of a request that matched no declared route (a static file, a 404).
pub const UNROUTED: &str = "(static or unknown)";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: String,
    pub status: u32,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: String,
}

/// How a payment notification from the platform ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum NotifyOutcome {
    /// Recorded as paid now.
    Applied,
    /// Already recorded (the platform repeated itself).
    Repeated,
    /// Paid for subjects that were released meanwhile: recorded, refund due.
    RefundDue,
    /// Unreadable, badly signed, an unknown order or a wrong amount: refused.
    Refused,
    /// Not applied (the database failed); the platform will try again.
    Failed,
}

impl NotifyOutcome {
    fn label(self) -> &'static str {
        match self {
            NotifyOutcome::Applied => "applied",
            NotifyOutcome::Repeated => "repeated",
            NotifyOutcome::RefundDue => "refund_due",
            NotifyOutcome::Refused => "refused",
            NotifyOutcome::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s, doubling: a cached page, a sign-in's hash, a slow PDF all fall inside.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0005, 2.0, 16))
}

/// The counters. Cheap to update from any thread (atomics; a label set's counter is found
/// under a read lock).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    seat_batch: Histogram,
    sign_in_queue: Gauge,
    notifications: Family<OutcomeLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "Requests answered, by route pattern, method and status", requests.clone());
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its response's head, by route pattern and method",
            latency.clone(),
        );
        // 1, 2, 4 … 64: the desk takes at most 64 choices per transaction.
        let seat_batch = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(1.0, 2.0, 7));
        registry.register(
            "seat_desk_batch_size",
            "Subject choices applied per transaction by the seat desk (SQLite)",
            seat_batch.clone(),
        );
        let sign_in_queue = Gauge::default();
        registry.register(
            "password_queue_depth",
            "Password hashes (sign-ins, sign-ups, resets) waiting for a hashing thread",
            sign_in_queue.clone(),
        );
        let notifications = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "payment_notifications",
            "Payment notifications from the platform, by outcome",
            notifications.clone(),
        );
        Self { registry, requests, latency, seat_batch, sign_in_queue, notifications }
    }

    /// One answered request. `route`: the declared pattern, or `None` (counted as `UNROUTED`).
    pub fn request(&self, route: Option<&str>, method: &str, status: u16, took: Duration) {
        let route = route.unwrap_or(UNROUTED).to_owned();
        let method = method.to_owned();
        self.latency
            .get_or_create(&RouteLabels { route: route.clone(), method: method.clone() })
            .observe(took.as_secs_f64());
        self.requests.get_or_create(&RequestLabels { route, method, status: u32::from(status) }).inc();
    }

    pub fn notification(&self, outcome: NotifyOutcome) {
        self.notifications.get_or_create(&OutcomeLabels { outcome: outcome.label() }).inc();
    }

    /// The seat desk's batch sizes (a handle it keeps).
    pub fn seat_batch(&self) -> Histogram {
        self.seat_batch.clone()
    }

    /// The password queue's depth (a handle `Passwords` keeps).
    pub fn password_queue(&self) -> Gauge {
        self.sign_in_queue.clone()
    }

    /// Everything, in the OpenMetrics text format (which Prometheus reads).
    pub fn render(&self) -> String {
        let mut text = String::with_capacity(16 * 1024);
        // Writing into a String cannot fail; an encoder error would leave a partial text.
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %e, "metrics not encoded");
        }
        text
    }
}

/// The content type of `Metrics::render`.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Shared by the state and the parts that count (the seat desk, the password threads).
pub type SharedMetrics = Arc<Metrics>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_what_was_counted() {
        let m = Metrics::new();
        m.request(Some("/status"), "GET", 200, Duration::from_millis(3));
        m.request(Some("/status"), "GET", 200, Duration::from_millis(5));
        m.request(None, "GET", 404, Duration::from_micros(300));
        m.notification(NotifyOutcome::Applied);
        m.notification(NotifyOutcome::Repeated);
        m.seat_batch().observe(12.0);
        m.password_queue().inc();
        let text = m.render();
        assert!(text.contains(r#"http_requests_total{route="/status",method="GET",status="200"} 2"#), "{text}");
        assert!(
            text.contains(r#"http_requests_total{route="(static or unknown)",method="GET",status="404"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"http_request_duration_seconds_count{route="/status",method="GET"} 2"#), "{text}");
        assert!(text.contains(r#"payment_notifications_total{outcome="applied"} 1"#), "{text}");
        assert!(text.contains(r#"payment_notifications_total{outcome="repeated"} 1"#), "{text}");
        assert!(text.contains("seat_desk_batch_size_count 1"), "{text}");
        assert!(text.contains("password_queue_depth 1"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
