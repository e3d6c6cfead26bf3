//! The server binary run as a child process on a test's database (the crash and cluster
//! tests): started with the test app's settings, called over HTTP like any client.

use crate::helpers::{resident_id, TestApp, MERCHANT};
use app::server::photos::store::PhotoStoreConfig;
use http::StatusCode;
use pay_protocol::{self as protocol, Fields};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The server binary on the app's database, listening on a free loopback port.
pub struct Server {
    pub child: Child,
    pub base: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Server {
    /// `extra`: more settings (`NAME`, value).
    pub fn start(app: &TestApp, log: &std::path::Path, extra: &[(&str, &str)]) -> Server {
        let s = &app.settings;
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let photos = match &s.photo_store {
            PhotoStoreConfig::Local { dir } => dir.clone(),
            PhotoStoreConfig::S3(_) => unreachable!("the tests keep photos in a folder"),
        };
        let log = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("server log");
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", &s.database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", s.leptos.site_root.as_ref())
            .env("LEPTOS_OUTPUT_NAME", "ncre")
            .env("APP_DATA_KEY", s.data_key.as_deref().expect("a data key"))
            .env("APP_PUBLIC_URL", &base)
            .env("SMTP_URL", &s.smtp_url)
            .env("PAY_GATEWAY_URL", &s.pay.gateway_url)
            .env("PAY_MERCHANT_ID", MERCHANT)
            .env("PAY_MERCHANT_KEY", s.pay.merchant_key.as_deref().expect("merchant key"))
            .env("PAY_PLATFORM_PUBLIC_KEY", s.pay.platform_public_key.as_deref().expect("platform key"))
            .env("PHOTO_DIR", photos)
            .env("TRUSTED_PROXIES", "")
            .env("RUST_LOG", "warn")
            .env("LOG_FORMAT", "text")
            .envs(extra.iter().copied())
            .stdout(log.try_clone().expect("server log"))
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        Server { child, base }
    }

    /// Waits (up to 60 s) until `/readyz` answers 200; how long that took.
    pub async fn ready(&mut self, client: &reqwest::Client) -> Duration {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited while starting: {status}");
            }
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await {
                if r.status() == StatusCode::OK {
                    return started.elapsed();
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server was not ready within 60 s");
    }

    /// Waits (up to `limit`) for the process to end by itself.
    pub async fn exited(&mut self, limit: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(started.elapsed() < limit, "still running after {limit:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn kill(&mut self) {
        // `Child::kill` is SIGKILL on Unix: no shutdown code runs.
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill(1)");
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn log_path(name: &str) -> std::path::PathBuf {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    std::env::temp_dir().join(format!("ncre-{name}-{}.log", hex::encode(bytes)))
}

/// A server function call as the WASM client makes it; `None` when no answer came.
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    body: serde_json::Value,
    cookie: &str,
) -> Option<u16> {
    let res = client
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("cookie", cookie)
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    let status = res.status().as_u16();
    // The whole body, or it was not an answer.
    res.bytes().await.ok()?;
    Some(status)
}

pub async fn notify(client: &reqwest::Client, base: &str, fields: &Fields) -> Option<(u16, String)> {
    let res = client
        .post(format!("{base}{}", app::urls::PAY_NOTIFY))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(protocol::to_form(fields))
        .send()
        .await
        .ok()?;
    let status = res.status().as_u16();
    Some((status, res.text().await.ok()?))
}

/// The registration made last (the one of the candidate who just began).
pub async fn newest_registration(app: &TestApp) -> i32 {
    app.registrations().await.iter().map(|r| r.id).max().expect("a registration")
}

/// `count` candidates with their cookies; `prepare` takes each one to where its load starts.
pub async fn candidates(app: &TestApp, from: u32, count: u32, tag: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for n in from..from + count {
        out.push((n, app.candidate(&format!("{tag}{n}@example.com"), &resident_id(n)).await));
    }
    out
}

/// nginx (Debian's `nginx-light`, installed by `scripts/test`) on a free loopback port,
/// spreading requests over `upstreams` in turn, as a site's load balancer would. It never
/// retries a request on another server (a POST must not be applied twice), and tells the
/// servers the client's address in `X-Forwarded-For`.
pub struct Proxy {
    child: Child,
    dir: std::path::PathBuf,
    pub base: String,
}

impl Proxy {
    pub async fn start(upstreams: &[&Server]) -> Proxy {
        let dir = log_path("nginx").with_extension("d");
        std::fs::create_dir_all(&dir).expect("proxy folder");
        let port = free_port();
        let servers: String =
            upstreams.iter().map(|s| format!("    server {};\n", s.base.trim_start_matches("http://"))).collect();
        let d = dir.display();
        let conf = format!(
            "worker_processes 1;\n\
             pid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n\
               access_log off;\n\
               client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               upstream site {{\n{servers}    keepalive 32;\n  }}\n\
               server {{\n\
                 listen 127.0.0.1:{port};\n\
                 client_max_body_size 8m;\n\
                 location / {{\n\
                   proxy_pass http://site;\n\
                   proxy_http_version 1.1;\n\
                   proxy_set_header Connection \"\";\n\
                   proxy_set_header Host $http_host;\n\
                   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                   proxy_next_upstream off;\n\
                 }}\n\
               }}\n\
             }}\n"
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("proxy configuration");
        let nginx = if std::path::Path::new("/usr/sbin/nginx").exists() { "/usr/sbin/nginx" } else { "nginx" };
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off; master_process off;"])
            .spawn()
            .unwrap_or_else(|e| panic!("nginx does not start ({e}); scripts/test installs it (apt: nginx-light)"));
        let proxy = Proxy { child, dir, base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("{}/healthz", proxy.base)).send().await.is_ok_and(|r| r.status() == StatusCode::OK) {
                return proxy;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "nginx did not answer; its log: {}",
            std::fs::read_to_string(proxy.dir.join("error.log")).unwrap_or_default()
        );
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
