//! Structured logs. Every line written while a request is handled carries its request id
//! (the `request` span); document numbers are logged only through their masked `Display`.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use std::time::Instant;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

pub use app::server::call::REQUEST_ID_HEADER;

/// `LOG_FORMAT=json` for machine-read logs, a JSON object a line; `RUST_LOG` filters
/// (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    // Colours only on a terminal: log files stay plain text (and greppable).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(ansi);
    let result = if std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json") {
        builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

/// A fresh random id for each request. Any id the client sent is replaced: it would
/// otherwise let a client write into our logs.
fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => hex::encode(bytes),
        Err(_) => format!("{:016x}", Instant::now().elapsed().as_nanos()),
    }
}

pub async fn request_context(mut req: Request, next: Next) -> Response {
    let id = new_request_id();
    let header = HeaderValue::from_str(&id).ok();
    if let Some(h) = &header {
        req.headers_mut().insert(REQUEST_ID_HEADER, h.clone());
    }
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    async move {
        let started = Instant::now();
        let mut res = next.run(req).await;
        tracing::info!(status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "response");
        if let Some(h) = header {
            res.headers_mut().insert(REQUEST_ID_HEADER, h);
        }
        res
    }
    .instrument(span)
    .await
}
