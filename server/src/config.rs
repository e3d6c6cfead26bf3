//! Settings from the environment. Every default works on a laptop with SQLite; see
//! `.env.sample` at the repository root for the full list.

use app::server::crypto::DataKey;
use app::server::payment::gateway::SandboxGateway;
use app::server::payment::Payments;
use app::server::photos::store::{self, PhotoStoreConfig, S3Config};
use leptos::config::get_configuration;
use leptos::prelude::LeptosOptions;
use pay_protocol::{SigningKey, VerifyingKey};

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
    /// `SMTP_URL`: where mail goes (`smtp://127.0.0.1:2525`, the local catcher, by default).
    pub smtp_url: String,
    /// `MAIL_FROM`: the sender of the site's mails.
    pub mail_from: String,
    /// `APP_PUBLIC_URL`: the site's address in mailed links (default `http://` + site address).
    pub public_url: String,
    /// `TRUSTED_PROXIES`: addresses or CIDR ranges whose `X-Forwarded-For` is believed.
    pub trusted_proxies: String,
    /// `APP_RATE_LIMIT_FACTOR`: scales every rate limit (1 = defaults; 0 = off, for benchmarks).
    pub rate_limit_factor: u32,
    /// `PHOTO_STORE` (`local`, default, or `s3`), `PHOTO_DIR`, `S3_ENDPOINT`, `S3_BUCKET`,
    /// `S3_REGION`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`.
    pub photo_store: PhotoStoreConfig,
    /// The payment platform: `PAY_GATEWAY_URL` (default `http://127.0.0.1:3100`, the
    /// sandbox), `PAY_MERCHANT_ID` (`NCRE65`), `PAY_MERCHANT_KEY` (PKCS#8 hex; or the file
    /// `PAY_MERCHANT_KEY_FILE`, default `data/pay/merchant.key`) and
    /// `PAY_PLATFORM_PUBLIC_KEY` (hex; or `PAY_PLATFORM_PUBLIC_KEY_FILE`, default
    /// `data/pay/platform.pub`). `scripts/run` generates development keys.
    pub pay: PaySettings,
    /// `PAY_RECONCILE_SECS`: how often open orders are checked with the platform (60).
    pub reconcile_every: std::time::Duration,
    /// `TICKET_SIGNING_KEY`: the Ed25519 key (PKCS#8 hex; or the file
    /// `TICKET_SIGNING_KEY_FILE`) signing the tickets' QR codes. Unset, a key derived from
    /// the data key (the same on every server sharing the data key).
    pub ticket_key: Option<String>,
    /// `PDF_FONT_DIR`: where Noto Sans CJK's collections are (Debian's fonts-noto-cjk).
    pub font_dir: std::path::PathBuf,
    /// `METRICS_ADDR`: where `/metrics` (Prometheus) is served, apart from the site
    /// (`127.0.0.1:9464`, say). Unset: no metrics listener.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `SHUTDOWN_GRACE_SECS`: after SIGTERM, how long requests in flight may take to finish
    /// before the server exits anyway (25; keep it under the supervisor's stop timeout).
    pub shutdown_grace: std::time::Duration,
    /// `SHUTDOWN_DELAY_SECS`: after SIGTERM, how long the server goes on accepting while
    /// `/readyz` answers 503 (0; behind a load balancer, more than its health-check interval).
    pub shutdown_delay: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct PaySettings {
    pub gateway_url: String,
    /// `PAY_CALLBACK_URL`: where the platform notifies and sends browsers back (default
    /// `APP_PUBLIC_URL`).
    pub callback_url: Option<String>,
    pub merchant_id: String,
    pub merchant_key: Option<String>,
    pub platform_public_key: Option<String>,
}

pub const DEFAULT_PAY_URL: &str = "http://127.0.0.1:3100";
pub const DEFAULT_MERCHANT_ID: &str = "NCRE65";

pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 25;

pub const DEFAULT_SMTP_URL: &str = "smtp://127.0.0.1:2525";
pub const DEFAULT_MAIL_FROM: &str = "NCRE考试报名系统 <noreply@ncre.example.cn>";

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
            smtp_url: DEFAULT_SMTP_URL.into(),
            mail_from: DEFAULT_MAIL_FROM.into(),
            public_url: "http://ncre.test".into(),
            trusted_proxies: String::new(),
            rate_limit_factor: 1,
            photo_store: PhotoStoreConfig::Local {
                dir: std::env::temp_dir().join(format!("ncre-test-photos-{}", std::process::id())),
            },
            pay: PaySettings {
                gateway_url: "http://127.0.0.1:9".into(),
                callback_url: None,
                merchant_id: DEFAULT_MERCHANT_ID.into(),
                merchant_key: Some(SigningKey::generate_hex()),
                platform_public_key: Some(
                    SigningKey::from_hex(&SigningKey::generate_hex())
                        .map_or_else(|_| String::new(), |k| k.public().to_hex()),
                ),
            },
            reconcile_every: std::time::Duration::from_secs(60),
            ticket_key: None,
            font_dir: app::server::printing::DEFAULT_FONT_DIR.into(),
            metrics_addr: None,
            shutdown_grace: std::time::Duration::from_secs(DEFAULT_SHUTDOWN_GRACE_SECS),
            shutdown_delay: std::time::Duration::ZERO,
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let conf = get_configuration(None).map_err(|e| ConfigError(e.to_string()))?;
        let mut leptos = conf.leptos_options;
        if leptos.output_name.is_empty() {
            // Built without cargo-leptos (plain `cargo run`): use the workspace's name.
            leptos.output_name = "ncre".into();
        }
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let rate_limit_factor = match var("APP_RATE_LIMIT_FACTOR") {
            None => 1,
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| ConfigError(format!("APP_RATE_LIMIT_FACTOR: `{v}` is not a whole number")))?,
        };
        let photo_store = match var("PHOTO_STORE").as_deref().map(str::trim) {
            None | Some("local") => PhotoStoreConfig::Local {
                dir: var("PHOTO_DIR").unwrap_or_else(|| store::DEFAULT_DIR.to_owned()).into(),
            },
            Some("s3") => {
                let need = |name: &str| var(name).ok_or_else(|| ConfigError(format!("PHOTO_STORE=s3 needs {name}")));
                let endpoint = var("S3_ENDPOINT");
                PhotoStoreConfig::S3(S3Config {
                    allow_http: endpoint.as_deref().is_some_and(|e| e.starts_with("http://")),
                    endpoint,
                    bucket: need("S3_BUCKET")?,
                    region: var("S3_REGION").unwrap_or_else(|| store::DEFAULT_REGION.to_owned()),
                    access_key_id: need("S3_ACCESS_KEY_ID")?,
                    secret_access_key: need("S3_SECRET_ACCESS_KEY")?.into(),
                })
            }
            Some(other) => return Err(ConfigError(format!("PHOTO_STORE: `{other}` is not `local` or `s3`"))),
        };
        let from_file = |name: &str, default: &str| {
            var(name).or_else(|| {
                std::fs::read_to_string(var(&format!("{name}_FILE")).unwrap_or_else(|| default.into())).ok()
            })
        };
        let reconcile_every = match var("PAY_RECONCILE_SECS") {
            None => 60,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError(format!("PAY_RECONCILE_SECS: `{v}` is not a positive whole number")))?,
        };
        let metrics_addr = match var("METRICS_ADDR") {
            None => None,
            Some(v) => Some(v.trim().parse().map_err(|_| {
                ConfigError(format!("METRICS_ADDR: `{v}` is not an address and port (127.0.0.1:9464)"))
            })?),
        };
        let seconds = |name: &str, default: u64| match var(name) {
            None => Ok(default),
            Some(v) => v.trim().parse::<u64>().map_err(|_| ConfigError(format!("{name}: `{v}` is not a whole number"))),
        };
        let shutdown_grace = seconds("SHUTDOWN_GRACE_SECS", DEFAULT_SHUTDOWN_GRACE_SECS)?;
        let shutdown_delay = seconds("SHUTDOWN_DELAY_SECS", 0)?;
        Ok(Self {
            metrics_addr,
            shutdown_grace: std::time::Duration::from_secs(shutdown_grace),
            shutdown_delay: std::time::Duration::from_secs(shutdown_delay),
            pay: PaySettings {
                gateway_url: var("PAY_GATEWAY_URL").unwrap_or_else(|| DEFAULT_PAY_URL.to_owned()),
                callback_url: var("PAY_CALLBACK_URL"),
                merchant_id: var("PAY_MERCHANT_ID").unwrap_or_else(|| DEFAULT_MERCHANT_ID.to_owned()),
                merchant_key: from_file("PAY_MERCHANT_KEY", "data/pay/merchant.key"),
                platform_public_key: from_file("PAY_PLATFORM_PUBLIC_KEY", "data/pay/platform.pub"),
            },
            reconcile_every: std::time::Duration::from_secs(reconcile_every),
            ticket_key: var("TICKET_SIGNING_KEY")
                .or_else(|| var("TICKET_SIGNING_KEY_FILE").and_then(|path| std::fs::read_to_string(path).ok())),
            font_dir: var("PDF_FONT_DIR").unwrap_or_else(|| app::server::printing::DEFAULT_FONT_DIR.to_owned()).into(),
            photo_store,
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            secure_cookies: var("APP_SECURE_COOKIES").is_some_and(|v| v == "true" || v == "1"),
            data_key: var("APP_DATA_KEY"),
            smtp_url: var("SMTP_URL").unwrap_or_else(|| DEFAULT_SMTP_URL.to_owned()),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            public_url: var("APP_PUBLIC_URL").unwrap_or_else(|| format!("http://{}", leptos.site_addr)),
            trusted_proxies: var("TRUSTED_PROXIES").unwrap_or_default(),
            rate_limit_factor,
            leptos,
        })
    }

    /// The payment gateway; serving without its keys is refused with a clear message.
    pub fn payments(&self) -> Result<Payments, ConfigError> {
        let need = |v: &Option<String>, name: &str| {
            v.clone().ok_or_else(|| {
                ConfigError(format!(
                    "{name} is not set (scripts/run makes development keys: pay-sandbox keygen data/pay)"
                ))
            })
        };
        let merchant = SigningKey::from_hex(&need(&self.pay.merchant_key, "PAY_MERCHANT_KEY")?)
            .map_err(|e| ConfigError(format!("PAY_MERCHANT_KEY: {e}")))?;
        let platform = VerifyingKey::from_hex(&need(&self.pay.platform_public_key, "PAY_PLATFORM_PUBLIC_KEY")?)
            .map_err(|e| ConfigError(format!("PAY_PLATFORM_PUBLIC_KEY: {e}")))?;
        let gateway = SandboxGateway::new(&self.pay.gateway_url, &self.pay.merchant_id, merchant, platform)
            .map_err(|e| ConfigError(format!("PAY_GATEWAY_URL: {e}")))?;
        let callback = self.pay.callback_url.as_deref().unwrap_or(&self.public_url).trim_end_matches('/');
        Ok(Payments { gateway: std::sync::Arc::new(gateway), callback_base: callback.into() })
    }

    /// The tickets' signing key: the configured one, or one derived from the data key.
    pub fn ticket_keys(&self) -> Result<app::server::printing::token::TicketKeys, ConfigError> {
        let key = match &self.ticket_key {
            Some(hex) => SigningKey::from_hex(hex).map_err(|e| ConfigError(format!("TICKET_SIGNING_KEY: {e}")))?,
            None => SigningKey::from_seed(&self.data_key()?.subkey("ticket signing key"))
                .map_err(|e| ConfigError(format!("ticket key from APP_DATA_KEY: {e}")))?,
        };
        Ok(app::server::printing::token::TicketKeys::new(key))
    }

    /// The data key, parsed; serving without one is refused with a clear message.
    pub fn data_key(&self) -> Result<DataKey, ConfigError> {
        let hex = self.data_key.as_deref().ok_or_else(|| {
            ConfigError("APP_DATA_KEY is not set: 64 hex characters (scripts/run makes a development key)".into())
        })?;
        DataKey::from_hex(hex).map_err(|e| ConfigError(format!("APP_DATA_KEY: {e}")))
    }
}
