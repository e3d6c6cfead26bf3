//! Probes for whoever runs the site (a load balancer, systemd, an orchestrator):
//!
//! - `GET /healthz`: the process is alive and answering. Touches nothing else, so a slow
//!   database never makes a healthy process look dead (and get restarted for it).
//! - `GET /readyz`: this server can serve: the database answers, and its schema is the one
//!   this build expects (no migration pending), and it has not been told to stop. A proxy
//!   sends traffic only while it is 200.
//!
//! Both answer in plain text, never with a database's own error (that goes to the log).

use app::server::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::header::CONTENT_TYPE;
use http::StatusCode;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::HashSet;

pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";

pub fn routes() -> Router<AppState> {
    Router::new().route(HEALTHZ, get(alive)).route(READYZ, get(ready))
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn alive() -> Response {
    text(StatusCode::OK, "ok\n")
}

/// Why this server is not ready, in the words the probe answers with.
#[derive(Debug, PartialEq, Eq)]
pub enum NotReady {
    /// Told to stop: finishing what it has, taking nothing new.
    Stopping,
    Database,
    MigrationsPending(usize),
}

/// The readiness verdict: one query on the reading handle, one on the migrations table.
pub async fn readiness(state: &AppState) -> Result<(), NotReady> {
    if state.stopping.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(NotReady::Stopping);
    }
    let db = state.db.read();
    if let Err(e) = db.execute_unprepared("SELECT 1").await {
        tracing::warn!(error = %e, "not ready: the database does not answer");
        return Err(NotReady::Database);
    }
    // Read directly, not with `get_pending_migrations`: that creates the table when it is
    // missing, and the reading handle cannot write (`query_only` on SQLite).
    let applied = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT version FROM seaql_migrations"))
        .await
        .and_then(|rows| rows.iter().map(|r| r.try_get::<String>("", "version")).collect::<Result<HashSet<_>, _>>());
    let applied = match applied {
        Ok(applied) => applied,
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the migrations table cannot be read");
            return Err(NotReady::Database);
        }
    };
    let pending = Migrator::migrations().iter().filter(|m| !applied.contains(m.name())).count();
    if pending > 0 {
        tracing::warn!(pending, "not ready: migrations pending");
        return Err(NotReady::MigrationsPending(pending));
    }
    Ok(())
}

async fn ready(State(state): State<AppState>) -> Response {
    match readiness(&state).await {
        Ok(()) => text(StatusCode::OK, "ready\n"),
        Err(NotReady::Stopping) => text(StatusCode::SERVICE_UNAVAILABLE, "stopping\n"),
        Err(NotReady::Database) => text(StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n"),
        Err(NotReady::MigrationsPending(_)) => text(StatusCode::SERVICE_UNAVAILABLE, "migrations pending\n"),
    }
}
