//! `spawn_app()`: migrations and demo seed on a fresh SQLite file (or the database named by
//! `TEST_DATABASE_URL`), a manual clock, and helpers to call the router like a browser.

use app::server::entity::registration;
use app::server::Clock;
use axum::body::Body;
use axum::Router;
use chrono::{DateTime, TimeZone, Utc};
use http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{DatabaseConnection, EntityTrait};
use server::config::Settings;
use server::{seed, startup};
use std::path::PathBuf;
use std::sync::OnceLock;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub db: DatabaseConnection,
    pub clock: Clock,
    db_file: Option<PathBuf>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// `ncre_sid=…` from a Set-Cookie header, ready for a Cookie header.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("ncre_sid="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Runs a test on the one multi-threaded runtime all tests share, as the server runs every
/// request on one runtime (Leptos' executor is process-global).
pub fn run<F: std::future::Future<Output = ()>>(test: F) {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap())
        .block_on(test)
}

/// Monday 2025-01-06 12:00 in Beijing.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 6, 4, 0, 0).unwrap()
}

pub async fn spawn_app() -> TestApp {
    let (url, db_file) = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).unwrap();
            let path = std::env::temp_dir().join(format!("ncre-test-{}.db", hex::encode(bytes)));
            (format!("sqlite://{}?mode=rwc", path.display()), Some(path))
        }
    };
    let db = startup::connect(&url).await.expect("connect");
    startup::migrate(&db).await.expect("migrate");
    let clock = Clock::manual(start_time());
    seed::load_demo(&db, clock.now()).await.expect("seed");
    let settings = Settings::for_tests(&url);
    let router = startup::build_router(startup::state(db.clone(), &settings, clock.clone()).expect("test key"));
    TestApp { router, db, clock, db_file }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(path) = &self.db_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.expect("router is infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header("accept", "text/html");
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A server function call as the WASM client makes it.
    pub async fn call(&self, path: &str, body: serde_json::Value, cookie: Option<&str>) -> Reply {
        let mut req = Request::post(path).header(CONTENT_TYPE, "application/json").header("accept", "application/json");
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap()).await
    }

    /// A plain HTML form post, as a browser without JavaScript sends it.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        match cookie {
            Some(c) => self.post_form_with(path, fields, &[("accept", "text/html"), ("cookie", c)]).await,
            None => self.post_form_with(path, fields, &[("accept", "text/html")]).await,
        }
    }

    /// A form post with the given headers (cookies, origin).
    pub async fn post_form_with(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Reply {
        let body: String =
            fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
        let mut req = Request::post(path).header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Opens a sealed document number with the test key.
    pub fn open_doc_number(&self, sealed: &str) -> String {
        let key = Settings::for_tests("").data_key().unwrap();
        key.open(app::server::repo::DOC_NUMBER_PURPOSE, sealed).expect("opens with the test key")
    }

    pub async fn registrations(&self) -> Vec<registration::Model> {
        registration::Entity::find().all(&self.db).await.expect("query")
    }

    /// Accepts the agreement by server function; returns the session cookie.
    pub async fn accept_agreement(&self) -> String {
        let reply = self.call("/api/agreement", serde_json::json!({"form": {"accept": "yes"}}), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.session_cookie().expect("a session cookie")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
