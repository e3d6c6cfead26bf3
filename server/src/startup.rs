//! Builds the application: database connection, the router (without a port, so tests can
//! drive it in-process), and the listener.

use app::server::assets::Assets;
use app::server::call::resolve_session;
use app::server::db::Db;
use app::server::limits::{RateLimits, TrustedProxies};
use app::server::mail::Mailer;
use app::server::passes::password::Passwords;
use app::server::seats::SeatDesk;
use app::server::{AppState, Clock};
use app::{shell, App};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::serve::ListenerExt;
use axum::Router;
use http::header::{HeaderName, HeaderValue, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use http::{Method, StatusCode};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use migration::{Migrator, MigratorTrait};
use sea_orm::DbErr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::{ConfigError, Settings};
use crate::{security, telemetry};

/// Opens the database: a read pool and the writer (one connection on SQLite; `app::server::db`).
pub async fn connect(url: &str) -> Result<Db, DbErr> {
    Db::connect(url).await
}

pub async fn migrate(db: &Db) -> Result<(), DbErr> {
    Migrator::up(db.write(), None).await
}

/// The shared state. Must be called inside a Tokio runtime (the seat desk starts a task).
pub fn state(db: Db, settings: &Settings, clock: Clock) -> Result<AppState, ConfigError> {
    let trusted_proxies =
        TrustedProxies::parse(&settings.trusted_proxies).map_err(|e| ConfigError(format!("TRUSTED_PROXIES: {e}")))?;
    let mailer = Mailer::new(&settings.smtp_url, &settings.mail_from).map_err(|e| ConfigError(e.to_string()))?;
    let metrics = Arc::new(app::server::metrics::Metrics::new());
    Ok(AppState::new(app::server::state::Shared {
        seats: SeatDesk::new(&db, &metrics).map_err(|e| ConfigError(format!("seat desk: {e}")))?,
        db,
        clock,
        leptos_options: settings.leptos.clone(),
        data_key: Arc::new(settings.data_key()?),
        secure_cookies: settings.secure_cookies,
        // One hash per core at a time: more would only queue inside the blocking pool.
        passwords: Passwords::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
            metrics.password_queue(),
        ),
        limits: RateLimits::new(settings.rate_limit_factor),
        trusted_proxies: Arc::new(trusted_proxies),
        mailer,
        public_url: settings.public_url.trim_end_matches('/').into(),
        photos: app::server::photos::store::from_config(&settings.photo_store)
            .map_err(|e| ConfigError(format!("photo store: {e}")))?,
        payments: settings.payments()?,
        catalogue: Arc::new(app::server::journey::catalogue::Catalogue::new(
            app::server::journey::catalogue::DEFAULT_TTL,
        )),
        printing: Arc::new(app::server::printing::Printing::new(
            &settings.font_dir,
            settings.ticket_keys()?,
            app::server::printing::DEFAULT_CACHE_BYTES,
        )),
        metrics,
        stopping: Default::default(),
        assets: Arc::new(
            Assets::load(std::path::Path::new(settings.leptos.site_root.as_ref()))
                .map_err(|e| ConfigError(format!("static files under {}: {e}", settings.leptos.site_root)))?,
        ),
    }))
}

/// The app's route list, generated once per process. Generating it renders the app with
/// resource loading suppressed by a process-global flag; a page rendered by another thread
/// meanwhile would wait forever on its resources (leptos#4773). Servers build one router at
/// start-up, but tests build one each, concurrently.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build_router(state: AppState) -> Router {
    let routes = route_list();
    let options = state.leptos_options.clone();
    let pay_origin: Arc<str> = state.payments.gateway.origin().into();
    let context_state = state.clone();
    let metrics = state.metrics.clone();
    Router::new()
        // No-JS form posts to the page URLs (GET of the same paths is the Leptos route).
        .merge(app::server::forms::routes())
        .merge(app::server::photos::upload::routes())
        .merge(app::server::journey::ticket::routes())
        .merge(app::server::staff::printouts::routes())
        .merge(app::server::staff::export::routes())
        .merge(app::server::staff::rosters::routes())
        .merge(app::server::payment::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || leptos::prelude::provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        // Every route above (pages, server functions, form posts) learns who is signed in
        // once per request; static files (the fallback) never touch the database.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), resolve_session))
        // The probes need no session (added after the layer above, so they skip it).
        .merge(crate::health::routes())
        .fallback(static_file_or_not_found)
        .layer(SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(axum::middleware::from_fn_with_state(pay_origin, security::content_security_policy))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cache-control"),
            HeaderValue::from_static("no-store"),
        ))
        .layer(axum::middleware::from_fn(security::reject_cross_site))
        .layer(compression())
        // After routing (`Router::layer`), so each request is counted by its route pattern.
        .layer(axum::middleware::from_fn_with_state(metrics, crate::metrics::count))
        .layer(axum::middleware::from_fn(telemetry::request_context))
        .with_state(state)
}

/// Pages and JSON compressed on the fly for browsers that accept it: a page of 10–20 KB
/// becomes 3–5 KB, a few round trips fewer on a slow mobile link. Gzip only, by zlib-rs
/// (server/Cargo.toml), at level 2: on the information page (10.6 KB) 42 µs and 3,573 B,
/// against 61 µs and 3,442 B at level 4, 28 µs but 4,129 B at level 1, and 220 µs with the
/// miniz backend at level 4 (docs/PERFORMANCE.md). Brotli saved under 1 % more and cost
/// ~17 % of the page rate. Static files come pre-compressed, brotli included (their
/// `Content-Encoding` is set, so they pass through untouched).
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    let predicate = SizeAbove::new(1024)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("application/wasm"))
        // PDFs are compressed inside already (fonts, pages; photos are JPEG).
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::SSE);
    CompressionLayer::new().quality(CompressionLevel::Precise(2)).compress_when(predicate)
}

/// Static files from memory (`app::server::assets`); anything else is the 404 page.
async fn static_file_or_not_found(State(state): State<AppState>, req: Request) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        if let Some(res) = state.assets.respond(req.uri().path(), req.headers()) {
            return res;
        }
    }
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || leptos::prelude::provide_context(state.clone()),
        move || shell(options.clone()),
    );
    let mut res = render(req).await;
    *res.status_mut() = StatusCode::NOT_FOUND;
    res
}

/// The file of a `sqlite:` database URL (`None` for PostgreSQL or an in-memory database).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// One serving process per SQLite file: SQLite has one writer, and this server keeps it
/// busy from one connection (the seat desk batches on it); a second process on the same
/// file would meet "database is locked" on its writes. Several servers need PostgreSQL.
/// The lock (on `FILE.serve-lock`) is held until the process ends, however it ends.
fn lock_sqlite(file: &std::path::Path) -> Result<std::fs::File, ConfigError> {
    let path = std::path::PathBuf::from(format!("{}.serve-lock", file.display()));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| ConfigError(format!("cannot open {}: {e}", path.display())))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(ConfigError(format!(
            "another server is already serving the SQLite database {}; several servers need PostgreSQL \
             (docs/OPERATIONS.md)",
            file.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(ConfigError(format!("cannot lock {}: {e}", path.display()))),
    }
}

pub async fn serve(settings: Settings) -> Result<(), Box<dyn std::error::Error>> {
    let _one_server = sqlite_file(&settings.database_url).map(|f| lock_sqlite(&f)).transpose()?;
    let db = connect(&settings.database_url).await?;
    let addr = settings.leptos.site_addr;
    let state = state(db, &settings, Clock::System)?;
    let (db, clock) = (state.db.clone(), state.clock.clone());
    let every = settings.reconcile_every;
    tokio::spawn(reconciling(state.clone(), every));
    // Passes made before migration 10 get the hash 考生查询 finds a masked number by.
    let (backfill_db, key) = (state.db.clone(), state.data_key.clone());
    tokio::spawn(async move {
        match app::server::passes::backfill_masked(backfill_db.write(), &key).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(passes = n, "masked-number hashes filled in"),
            Err(e) => tracing::error!(error = %e, "masked-number hashes not filled in"),
        }
    });
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            // Forget rate-limit buckets that are full again, so the table stays small.
            match app::server::limits::tidy(db.write(), clock.now()).await {
                Ok(n) if n > 0 => tracing::debug!(forgotten = n, "rate limits tidied"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "rate limits not tidied"),
            }
            // Rule 7: release unpaid subjects past their 24 hours (idempotent; several
            // servers may run it at once).
            match app::server::seats::sweeper::sweep(db.write(), clock.now(), 500).await {
                Ok(s) if s.released > 0 => tracing::info!(released = s.released, "sweep"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "sweep failed"),
            }
        }
    });
    // One stop for both listeners. On the signal `/readyz` turns 503 at once; the server
    // goes on serving for `shutdown_delay` (a load balancer's health check sees the 503 and
    // sends no more), then stops accepting and finishes what is in flight.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (stopping_state, delay) = (state.clone(), settings.shutdown_delay);
    tokio::spawn(async move {
        shutdown_signal().await;
        stopping_state.stopping.store(true, std::sync::atomic::Ordering::Relaxed);
        tracing::info!(delay_secs = delay.as_secs(), "stopping: /readyz answers 503");
        tokio::time::sleep(delay).await;
        tracing::info!("stopping: no new connections; finishing the requests in flight");
        let _ = stop.send(true);
    });
    let on_stop = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    if let Some(metrics_addr) = settings.metrics_addr {
        let (state, stopped) = (state.clone(), stopped.clone());
        tokio::spawn(async move {
            if let Err(e) = crate::metrics::serve(metrics_addr, &state, on_stop(stopped)).await {
                tracing::error!(error = %e, %metrics_addr, "metrics listener failed");
            }
        });
    }
    let app = build_router(state);
    // TCP_NODELAY: a response written in two parts (headers, then a body that was not ready
    // with them) must not wait for the client's delayed ACK. Without it each such response
    // stalled ~40 ms under Nagle's algorithm: the stylesheet served from disk managed 850
    // requests/s with the machine mostly idle (docs/PERFORMANCE.md).
    let listener = tokio::net::TcpListener::bind(addr).await?.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
    });
    tracing::info!(%addr, "listening");
    let serving = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(on_stop(stopped.clone()));
    // Requests still running `shutdown_grace` after the signal are cut off. Every write is a
    // transaction, so a cut-off request leaves nothing half-done; its client got no answer.
    let grace = settings.shutdown_grace;
    let overdue = async move {
        on_stop(stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = serving => served?,
        () = overdue => tracing::warn!(grace_secs = grace.as_secs(), "requests still running at the end of the grace period; stopping anyway"),
    }
    // Every confirmed subject choice was answered after the seat desk committed it, so with
    // the requests finished the desk has nothing left to apply.
    tracing::info!("stopped");
    Ok(())
}

/// Asks the platform about open orders: at once (a restart between a payment and its
/// notification resolves it), then every `every`.
async fn reconciling(state: AppState, every: Duration) {
    match app::server::payment::reconcile_on_start(&state).await {
        Ok(n) => tracing::info!(settled = n, "start-up reconciliation"),
        Err(e) => tracing::error!(error = %e, "start-up reconciliation failed"),
    }
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        match app::server::payment::reconcile(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(settled = n, "reconciliation"),
            Err(e) => tracing::error!(error = %e, "reconciliation failed"),
        }
    }
}

/// Resolves on Ctrl+C or SIGTERM (the site and the sandbox stop gracefully on either).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(sqlite_file("sqlite://data/ncre.db?mode=rwc"), Some("data/ncre.db".into()));
        assert_eq!(sqlite_file("sqlite:///srv/ncre/ncre.db"), Some("/srv/ncre/ncre.db".into()));
        assert_eq!(sqlite_file("sqlite:ncre.db"), Some("ncre.db".into()));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://ncre@127.0.0.1/ncre"), None);
    }
}
