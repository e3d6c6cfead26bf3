//! Settings from the environment. Every default works on a laptop with SQLite; see
//! `.env.sample` at the repository root for the full list.

use app::server::crypto::DataKey;
use leptos::config::get_configuration;
use leptos::prelude::LeptosOptions;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/ncre.db?mode=rwc";

#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Leptos' own settings (`LEPTOS_SITE_ADDR`, `LEPTOS_SITE_ROOT`, …).
    pub leptos: LeptosOptions,
    /// `APP_SECURE_COOKIES=true` when served over HTTPS.
    pub secure_cookies: bool,
    /// `APP_DATA_KEY`: 64 hex characters sealing personal data at rest. Needed to serve;
    /// `scripts/run` generates a development key under `data/`.
    pub data_key: Option<String>,
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Settings {
    /// In-process tests: the given database, defaults for everything else, no environment.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            leptos: LeptosOptions::builder().output_name("ncre").site_root("target/site").build(),
            secure_cookies: false,
            data_key: Some("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f".into()),
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let conf = get_configuration(None).map_err(|e| ConfigError(e.to_string()))?;
        let mut leptos = conf.leptos_options;
        if leptos.output_name.is_empty() {
            // Built without cargo-leptos (plain `cargo run`): use the workspace's name.
            leptos.output_name = "ncre".into();
        }
        Ok(Self {
            database_url: std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned()),
            leptos,
            secure_cookies: std::env::var("APP_SECURE_COOKIES").is_ok_and(|v| v == "true" || v == "1"),
            data_key: std::env::var("APP_DATA_KEY").ok(),
        })
    }

    /// The data key, parsed; serving without one is refused with a clear message.
    pub fn data_key(&self) -> Result<DataKey, ConfigError> {
        let hex = self.data_key.as_deref().ok_or_else(|| {
            ConfigError("APP_DATA_KEY is not set: 64 hex characters (scripts/run makes a development key)".into())
        })?;
        DataKey::from_hex(hex).map_err(|e| ConfigError(format!("APP_DATA_KEY: {e}")))
    }
}
