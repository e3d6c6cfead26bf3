//! What every request handler can reach.

use super::assets::Assets;
use super::crypto::DataKey;
use super::db::Db;
use super::journey::catalogue::Catalogue;
use super::limits::{RateLimits, TrustedProxies};
use super::mail::Mailer;
use super::passes::password::Passwords;
use super::payment::Payments;
use super::photos::store::PhotoStore;
use super::seats::SeatDesk;
use super::Clock;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Cloned for every request and every render (axum state, Leptos context): one reference
/// count, not one per field (profiled: cloning and dropping the fields was ~2 % of a page).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Debug)]
pub struct Shared {
    /// Reads on `db.read()`, writes on `db.write()` (see `db.rs`).
    pub db: Db,
    /// Where confirmed subject choices are applied (seats).
    pub seats: SeatDesk,
    pub clock: Clock,
    pub leptos_options: LeptosOptions,
    /// Seals personal data at rest.
    pub data_key: Arc<DataKey>,
    /// Mark cookies `Secure` (on whenever the site is served over HTTPS).
    pub secure_cookies: bool,
    pub passwords: Passwords,
    pub limits: RateLimits,
    pub trusted_proxies: Arc<TrustedProxies>,
    pub mailer: Mailer,
    /// The site's address as mailed links use it (`http://127.0.0.1:3000`).
    pub public_url: Arc<str>,
    /// Where photos are kept (local files or an S3-compatible bucket).
    pub photos: Arc<dyn PhotoStore>,
    /// The payment platform.
    pub payments: Payments,
    /// The static files, in memory, and the hashed names pages link them by.
    pub assets: Arc<Assets>,
    /// The open session's configuration, held in memory for a few seconds at a time.
    pub catalogue: Arc<Catalogue>,
    /// Tickets and printouts as PDF: fonts, the ticket key, the cache of finished files.
    pub printing: Arc<crate::server::printing::Printing>,
    /// What `/metrics` reports (served on its own address by the server binary).
    pub metrics: Arc<crate::server::metrics::Metrics>,
    /// Set when the server has been told to stop (SIGTERM): `/readyz` says so, so a load
    /// balancer sends no more, while the requests already sent are still served.
    pub stopping: std::sync::atomic::AtomicBool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
