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
use pay_protocol::SigningKey;
use pay_sandbox::{Sandbox, SandboxConfig};
use sea_orm::{DatabaseConnection, EntityTrait};
use server::config::PaySettings;
use server::config::Settings;
use server::mail_catcher::{self, Caught, Inbox};
use server::{seed, startup};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    /// The app's writer connection (tests set up and inspect rows directly).
    pub db: DatabaseConnection,
    /// The app's seat desk, for the contention tests.
    pub seats: app::server::seats::SeatDesk,
    pub clock: Clock,
    /// What the app mailed, caught by the in-process mail catcher over real SMTP.
    pub inbox: Inbox,
    /// The app's state (payment reconciliation and settling are called on it directly).
    pub state: app::server::AppState,
    /// The sandbox payment platform, in-process on its own port.
    pub sandbox: pay_sandbox::Sandbox,
    /// The platform's private key: tests sign notifications as the platform would (or not).
    pub platform_key: Arc<SigningKey>,
    /// How to start the same app again on the same database (a restart).
    pub settings: Settings,
    db_file: Option<PathBuf>,
}

/// The peer address requests come from unless a test says otherwise.
pub const CLIENT: &str = "192.0.2.10";

/// The password every test pass gets (one place, so the log scan knows what to look for).
pub const PASSWORD: &str = "Test-Pass-天山-2025";

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (a PDF, an image).
    pub bytes: Vec<u8>,
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

/// A fresh database for one test: a new SQLite file, or, when `TEST_DATABASE_URL` names a
/// PostgreSQL server (`postgres://user@host:port/postgres`), a new database on it.
async fn fresh_database() -> (String, Option<PathBuf>) {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let name = format!("ncre_test_{}", hex::encode(bytes));
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            use sea_orm::ConnectionTrait;
            let server = sea_orm::Database::connect(&admin).await.expect("connect to the test PostgreSQL server");
            server.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
            server.close().await.expect("close");
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
            (format!("{base}/{name}"), None)
        }
        Ok(url) => (url, None),
        Err(_) => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            (format!("sqlite://{}?mode=rwc", path.display()), Some(path))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_at(start_time()).await
}

/// `spawn_app` with its clock (and the demo seed's dates) starting at `now`: for tests
/// that run the server binary, which keeps the system's time.
pub async fn spawn_app_at(now: DateTime<Utc>) -> TestApp {
    let (url, db_file) = fresh_database().await;
    let dbs = startup::connect(&url).await.expect("connect");
    startup::migrate(&dbs).await.expect("migrate");
    let clock = Clock::manual(now);
    let db = dbs.write().clone();
    seed::load_demo(&db, clock.now()).await.expect("seed");
    let (smtp, inbox) = mail_catcher::start_smtp("127.0.0.1:0".parse().unwrap()).await.expect("mail catcher");
    let mut settings = Settings::for_tests(&url);
    settings.smtp_url = format!("smtp://{smtp}");
    settings.trusted_proxies = "10.0.0.0/8".into();
    // The sandbox platform and the app each on a loopback port, so notifications travel
    // over HTTP as they would in production.
    let platform_key = Arc::new(SigningKey::from_hex(&SigningKey::generate_hex()).expect("key"));
    let merchant_key = SigningKey::generate_hex();
    let merchant_public = SigningKey::from_hex(&merchant_key).expect("key").public();
    let sandbox_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let sandbox_url = format!("http://{}", sandbox_listener.local_addr().expect("addr"));
    let app_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app_url = format!("http://{}", app_listener.local_addr().expect("addr"));
    let sandbox = Sandbox::new(SandboxConfig {
        platform_key: platform_key.clone(),
        merchants: HashMap::from([(MERCHANT.to_owned(), merchant_public)]),
        notify_schedule: [0, 200, 400, 800].map(std::time::Duration::from_millis).to_vec(),
        public_url: sandbox_url.clone(),
    });
    tokio::spawn(pay_sandbox::serve(sandbox.clone(), sandbox_listener));
    settings.pay = PaySettings {
        gateway_url: sandbox_url,
        callback_url: Some(app_url),
        merchant_id: MERCHANT.into(),
        merchant_key: Some(merchant_key),
        platform_public_key: Some(platform_key.public().to_hex()),
    };
    let state = startup::state(dbs, &settings, clock.clone()).expect("test settings");
    let seats = state.seats.clone();
    let router = startup::build_router(state.clone());
    let served = router.clone().into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(app_listener, served).await });
    TestApp { router, db, seats, clock, inbox, state, sandbox, platform_key, settings, db_file }
}

pub const MERCHANT: &str = "NCRE65";

impl TestApp {
    /// The app started again on the same database, as after a crash: a new state, nothing
    /// carried over in memory.
    pub async fn restart(&self) -> app::server::AppState {
        let dbs = startup::connect(&self.settings.database_url).await.expect("connect");
        startup::state(dbs, &self.settings, self.clock.clone()).expect("settings")
    }
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
        self.send_from(CLIENT, req).await
    }

    /// A request arriving from TCP peer `peer`.
    pub async fn send_from(&self, peer: &str, req: Request<Body>) -> Reply {
        self.send_via(&self.router, peer, req).await
    }

    /// A request from `peer` to `router` (another server on the same database).
    pub async fn send_via(&self, router: &Router, peer: &str, mut req: Request<Body>) -> Reply {
        let addr: SocketAddr = format!("{peer}:40000").parse().expect("peer address");
        req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        let res = router.clone().oneshot(req).await.expect("router is infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header("accept", "text/html");
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A GET server function as the WASM client calls it.
    pub async fn api_get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header("accept", "application/json");
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

    /// The first mail to `to` whose subject contains `subject`, waiting up to 10 s for it
    /// (mails go out from a background task).
    pub async fn mail(&self, to: &str, subject: &str) -> Caught {
        for _ in 0..200 {
            if let Some(m) = self.inbox.messages(Some(to)).into_iter().rev().find(|m| m.subject.contains(subject)) {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no mail to {to} about {subject}; inbox: {:?}", self.inbox.messages(None));
    }

    /// Waits (up to 10 s) until `to` has received `count` mails, and returns them in arrival order.
    pub async fn mails(&self, to: &str, count: usize) -> Vec<Caught> {
        for _ in 0..200 {
            let mails = self.inbox.messages(Some(to));
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {count} mails to {to}; inbox: {:?}", self.inbox.messages(None));
    }

    /// Signs up a pass by server function (no verification yet).
    pub async fn sign_up(&self, email: &str, doc_number: &str, name: &str) -> Reply {
        let form = serde_json::json!({"form": {
            "email": email, "doc_type": "resident_id", "doc_number": doc_number, "name": name,
            "password": PASSWORD, "password2": PASSWORD,
        }});
        self.call("/api/sign_up", form, None).await
    }

    /// Signs in by server function; the reply carries the new session cookie.
    pub async fn sign_in(&self, login: &str, password: &str) -> Reply {
        self.call("/api/sign_in", serde_json::json!({"form": {"login": login, "password": password}}), None).await
    }

    /// A verified, signed-in candidate: sign up, follow the mailed link, sign in. Returns
    /// the session cookie.
    pub async fn candidate(&self, email: &str, doc_number: &str) -> String {
        self.candidate_named(email, doc_number, "张三").await
    }

    /// `candidate` with the pass's name.
    pub async fn candidate_named(&self, email: &str, doc_number: &str, name: &str) -> String {
        let reply = self.sign_up(email, doc_number, name).await;
        assert_eq!(reply.status, StatusCode::OK, "sign-up: {}", reply.body);
        let token = token_in(&self.mail(email, "验证").await, "/pass/verify");
        let reply = self.call("/api/verify_email", serde_json::json!({"form": {"token": token}}), None).await;
        assert_eq!(reply.status, StatusCode::OK, "verify: {}", reply.body);
        let reply = self.sign_in(email, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "sign-in: {}", reply.body);
        reply.session_cookie().expect("a session cookie")
    }

    /// A GET's body as bytes (an image).
    pub async fn get_bytes(&self, path: &str, cookie: &str) -> Vec<u8> {
        let mut req = Request::get(path).header(COOKIE, cookie).body(Body::empty()).unwrap();
        let addr: SocketAddr = format!("{CLIENT}:40000").parse().expect("peer address");
        req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        let response = self.router.clone().oneshot(req).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    pub async fn registrations(&self) -> Vec<registration::Model> {
        registration::Entity::find().all(&self.db).await.expect("query")
    }

    /// A new verified candidate who has accepted the agreement; returns the session cookie.
    pub async fn accept_agreement(&self) -> String {
        let cookie = self.candidate("agree@example.com", &resident_id(1)).await;
        let reply = self.call("/api/agreement", serde_json::json!({"form": {"accept": "yes"}}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        cookie
    }
}

/// The token of the link to `path` in a mail.
pub fn token_in(mail: &Caught, path: &str) -> String {
    let marker = format!("{path}?token=");
    let start = mail.text.find(&marker).unwrap_or_else(|| panic!("no {path} link in: {}", mail.text)) + marker.len();
    mail.text[start..].chars().take_while(char::is_ascii_hexdigit).collect()
}

/// The `n`th valid 18-digit resident ID number (GB 11643: born 1990-01-01 in 110105,
/// sequence `n`, ISO 7064 MOD 11-2 check character).
pub fn resident_id(n: u32) -> String {
    let body = format!("11010519900101{:03}", n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
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

/// Every counter equals capacity minus its enrolments.
pub async fn counters_agree(app: &TestApp) {
    use app::server::entity::{enrolment, offered_subject};
    use sea_orm::{ColumnTrait, QueryFilter};
    for o in offered_subject::Entity::find().all(&app.db).await.unwrap() {
        let held =
            enrolment::Entity::find().filter(enrolment::Column::OfferedSubjectId.eq(o.id)).all(&app.db).await.unwrap();
        assert!(o.remaining >= 0, "counter of {} below zero", o.subject_code);
        assert_eq!(i64::from(o.remaining), i64::from(o.capacity) - held.len() as i64, "counter of {}", o.subject_code);
    }
}
