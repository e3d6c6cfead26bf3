//! Prometheus metrics: every request counted by route pattern, method and status
//! (`app::server::metrics`), and `/metrics` served on a listen address of its own
//! (`METRICS_ADDR`), so the site's public port never shows it.

use app::server::metrics::{Metrics, CONTENT_TYPE};
use app::server::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::header::CONTENT_TYPE as CONTENT_TYPE_HEADER;
use std::sync::Arc;
use std::time::Instant;

/// Counts one request once its response head is ready. Applied with `Router::layer`, so it
/// runs after routing and sees the matched pattern.
pub async fn count(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let method = req.method().clone();
    let res = next.run(req).await;
    metrics.request(route.as_deref(), method.as_str(), res.status().as_u16(), started.elapsed());
    res
}

async fn render(State(metrics): State<Arc<Metrics>>) -> Response {
    ([(CONTENT_TYPE_HEADER, CONTENT_TYPE)], metrics.render()).into_response()
}

/// The metrics listener's router: `/metrics`, nothing else.
pub fn router(state: &AppState) -> Router {
    Router::new().route("/metrics", get(render)).with_state(state.metrics.clone())
}

/// Serves `router` on `addr` until `shutdown` resolves.
pub async fn serve(
    addr: std::net::SocketAddr,
    state: &AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "metrics listening");
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
