//! The candidate journey under load (issue 8's flow benchmark), driven by goose. `scripts/bench
//! flow` runs it against the release server and against a plain-axum baseline:
//!
//!   loadtest run --host http://127.0.0.1:3000 --users 64 --seconds 30 --label app --out app.json
//!   loadtest baseline --listen 127.0.0.1:3300
//!   loadtest compare app.json baseline.json
//!
//! Each virtual user is one seeded candidate (`server seed-candidates`: `flow-<i>@example.com`,
//! the password in `FLOW_PASSWORD`). It signs in once (named `0 sign-in`, not counted in any
//! rate), then walks the journey as a browser without JavaScript does, again and again:
//! home, agreement (read, accept), information (read, save), subjects (read, choose, confirm),
//! photo (read, upload), status, pay page. Every answer is read to its last byte and checked
//! (status, and where the journey turns, where it leads); anything else is an error.
//!
//! Rates count only flows that began after every user had signed in, over the time from the
//! last sign-in to the end of the last counted flow.

use goose::config::GooseConfiguration;
use goose::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, LOCATION};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A valid ID photo (3:4, over 20 KB), the one the browser suite uploads.
const PHOTO: &[u8] = include_bytes!("../../end2end/fixtures/photo.jpg");
/// The site whose two level-one subjects (300 seats each) the flows alternate between, so each
/// confirmation really changes the choice: a seat given back, another taken.
const SITE: &str = "650101";
const SUBJECTS: [&str; 2] = ["14", "15"];

struct Window {
    users: AtomicUsize,
    signed_in: AtomicUsize,
    start: OnceLock<Instant>,
    flows: AtomicU64,
    /// Nanoseconds from `start` to the end of the latest counted flow.
    last_end: AtomicU64,
}

static WINDOW: Window = Window {
    users: AtomicUsize::new(0),
    signed_in: AtomicUsize::new(0),
    start: OnceLock::new(),
    flows: AtomicU64::new(0),
    last_end: AtomicU64::new(0),
};

/// The server processes whose CPU time the run reports (`--server-pid PID[,PID...]`: one
/// per server behind the proxy), and their CPU time together when the counted window began.
static SERVER: OnceLock<Vec<u32>> = OnceLock::new();
static SERVER_CPU_AT_START: OnceLock<Option<Duration>> = OnceLock::new();

/// User + system CPU time of process `pid` so far (`/proc/<pid>/stat`, fields 14 and 15, in
/// clock ticks: USER_HZ, which Linux fixes at 100 for /proc on x86 and arm).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The CPU time of every server process together; none if one cannot be read.
fn servers_cpu_time() -> Option<Duration> {
    SERVER.get()?.iter().map(|pid| cpu_time(*pid)).sum()
}

/// Requests in one flow (the steps of `flow`).
const REQUESTS_PER_FLOW: u64 = 12;

#[derive(Clone)]
struct Candidate {
    flows: usize,
}

fn password() -> String {
    std::env::var("FLOW_PASSWORD").unwrap_or_default()
}

fn fail(message: String) -> Box<TransactionError> {
    Box::new(TransactionError::Custom(message))
}

/// Sends one request of the flow and reads its whole answer. `expect`: the status, and for a
/// redirect where it must lead.
async fn step(
    user: &mut GooseUser,
    name: &'static str,
    builder: reqwest::RequestBuilder,
    expect: u16,
    leads_to: Option<&str>,
) -> Result<String, Box<TransactionError>> {
    let request = GooseRequest::builder().name(name).set_request_builder(builder).expect_status_code(expect).build();
    let mut goose = user.request(request).await?;
    let response = match goose.response {
        Ok(r) => r,
        Err(e) => return Err(fail(format!("{name}: {e}"))),
    };
    let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let status = response.status().as_u16();
    let body = response.text().await.map_err(|e| fail(format!("{name}: body: {e}")))?;
    let wrong = if status != expect {
        Some(format!("status {status}, expected {expect}"))
    } else if leads_to.is_some() && location.as_deref() != leads_to {
        Some(format!("led to {location:?}, expected {leads_to:?}"))
    } else {
        None
    };
    if let Some(wrong) = wrong {
        let excerpt: String = body.chars().take(300).collect();
        user.set_failure(&wrong, &mut goose.request, None, Some(&excerpt))?;
        return Err(fail(format!("{name}: {wrong}")));
    }
    Ok(body)
}

fn get(user: &GooseUser, path: &str) -> Result<reqwest::RequestBuilder, Box<TransactionError>> {
    user.get_request_builder(&GooseMethod::Get, path)
}

fn post_form(
    user: &GooseUser,
    path: &str,
    fields: &[(&str, &str)],
) -> Result<reqwest::RequestBuilder, Box<TransactionError>> {
    Ok(user.get_request_builder(&GooseMethod::Post, path)?.form(fields))
}

/// The value of the hidden `seen` field (the subjects page's seat version), if the page has one.
fn seen_in(page: &str) -> Option<String> {
    let marker = r#"name="seen" value=""#;
    let start = page.find(marker)? + marker.len();
    Some(page[start..].chars().take_while(char::is_ascii_digit).collect())
}

/// The first transaction of every user: its own client (cookies kept, redirects not followed,
/// as each step is measured on its own), then the sign-in form.
async fn sign_in(user: &mut GooseUser) -> TransactionResult {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("text/html,*/*;q=0.8"));
    // What a browser sends with a same-site form post (the server's cross-site check).
    headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .default_headers(headers)
        .timeout(Duration::from_secs(60));
    user.set_client_builder(client).await?;
    user.set_session_data(Candidate { flows: 0 });
    let login = format!("flow-{}@example.com", user.weighted_users_index);
    let password = password();
    let form = post_form(user, "/pass/sign-in", &[("login", &login), ("password", &password)])?;
    step(user, "0 sign-in", form, 303, None).await?;
    if WINDOW.signed_in.fetch_add(1, Ordering::SeqCst) + 1 == WINDOW.users.load(Ordering::SeqCst) {
        let _ = SERVER_CPU_AT_START.set(servers_cpu_time());
        let _ = WINDOW.start.set(Instant::now());
    }
    Ok(())
}

async fn flow(user: &mut GooseUser) -> TransactionResult {
    let counted = WINDOW.start.get().copied();
    let n = user.get_session_data_unchecked::<Candidate>().flows;
    let subject = SUBJECTS[n % 2];

    step(user, "01 home", get(user, "/")?, 200, None).await?;
    step(user, "02 agreement", get(user, "/register/agreement")?, 200, None).await?;
    let accept = post_form(user, "/register/agreement", &[("accept", "yes")])?;
    step(user, "03 agreement: accept", accept, 303, Some("/register/info")).await?;
    step(user, "04 info", get(user, "/register/info")?, 200, None).await?;
    let info = [
        ("gender", "male"),
        ("birth_date", "1990-01-01"),
        ("ethnicity", "01"),
        ("occupation", "01"),
        ("education", "21"),
        ("training_type", "3"),
        ("postcode", "830000"),
        ("address", "乌鲁木齐市天山区"),
        ("email", ""),
        ("department", ""),
        ("major", ""),
        ("class_name", ""),
        ("student_no", ""),
    ];
    let save = post_form(user, "/register/info", &info)?;
    step(user, "05 info: save", save, 303, Some("/register/subjects")).await?;
    let page = step(user, "06 subjects", get(user, "/register/subjects")?, 200, None).await?;
    let seen = seen_in(&page).unwrap_or_default();
    let mut choice = vec![("site", SITE), ("subjects", subject), ("declare", "yes")];
    if !seen.is_empty() {
        choice.push(("seen", &seen));
    }
    let choose = post_form(user, "/register/subjects", &choice)?;
    let confirmation = step(user, "07 subjects: choose", choose, 200, None).await?;
    let seen = seen_in(&confirmation).unwrap_or(seen);
    let mut confirm = vec![("site", SITE), ("subjects", subject), ("declare", "yes"), ("confirmed", "yes")];
    if !seen.is_empty() {
        confirm.push(("seen", &seen));
    }
    let confirm = post_form(user, "/register/subjects", &confirm)?;
    step(user, "08 subjects: confirm", confirm, 303, Some("/register/photo")).await?;
    step(user, "09 photo", get(user, "/register/photo")?, 200, None).await?;
    let upload = user
        .get_request_builder(&GooseMethod::Post, "/api/photo")?
        .header(CONTENT_TYPE, "image/jpeg")
        .header(ACCEPT, "application/json")
        .body(PHOTO);
    step(user, "10 photo: upload", upload, 200, None).await?;
    step(user, "11 status", get(user, "/register/status")?, 200, None).await?;
    step(user, "12 pay", get(user, "/register/pay")?, 200, None).await?;

    user.get_session_data_unchecked_mut::<Candidate>().flows += 1;
    if let Some(start) = counted {
        WINDOW.flows.fetch_add(1, Ordering::SeqCst);
        let end = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        WINDOW.last_end.fetch_max(end, Ordering::SeqCst);
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct Step {
    name: String,
    count: usize,
    failed: usize,
    p50_ms: f64,
    p99_ms: f64,
}

#[derive(Serialize, Deserialize)]
struct Summary {
    label: String,
    users: usize,
    flows: u64,
    seconds: f64,
    flows_per_s: f64,
    requests_per_s: f64,
    errors: usize,
    /// The servers' CPU time per counted flow, in milliseconds (with `--server-pid`). It
    /// includes the flows still under way when the run stopped (at most one per user).
    #[serde(default)]
    server_cpu_ms_per_flow: Option<f64>,
    steps: Vec<Step>,
}

/// The `p`-quantile of a histogram of (microseconds, count), in milliseconds.
fn quantile(buckets: &[(u64, usize)], p: f64) -> f64 {
    let total: usize = buckets.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return 0.0;
    }
    let rank = ((total as f64) * p).ceil().max(1.0) as usize;
    let mut seen = 0;
    for (us, count) in buckets {
        seen += count;
        if seen >= rank {
            return *us as f64 / 1000.0;
        }
    }
    buckets.last().map_or(0.0, |(us, _)| *us as f64 / 1000.0)
}

async fn run(host: &str, users: usize, seconds: u64, label: &str) -> Result<Summary, GooseError> {
    WINDOW.users.store(users, Ordering::SeqCst);
    let args = [
        format!("--host={host}"),
        format!("--users={users}"),
        // Every user at once: the sign-ins are not measured, the flows after them are.
        format!("--increase-rate={users}"),
        format!("--run-time={seconds}s"),
        "--no-reset-metrics".to_owned(),
        "--no-print-metrics".to_owned(),
        "--quiet".to_owned(),
    ];
    let config = GooseConfiguration::parse_args_default(&args)?;
    let metrics = GooseAttack::initialize_with_config(config)?
        .register_scenario(
            scenario!("journey")
                .register_transaction(transaction!(sign_in).set_on_start())
                .register_transaction(transaction!(flow)),
        )
        .execute()
        .await?;
    let cpu_end = servers_cpu_time();
    let mut steps: Vec<Step> = metrics
        .requests
        .values()
        .filter(|r| !r.path.starts_with("0 "))
        .map(|r| {
            let mut buckets: Vec<(u64, usize)> = r.raw_data.times_us.iter().map(|(t, c)| (*t, *c)).collect();
            buckets.sort_unstable();
            Step {
                name: r.path.clone(),
                count: r.success_count + r.fail_count,
                failed: r.fail_count,
                p50_ms: quantile(&buckets, 0.50),
                p99_ms: quantile(&buckets, 0.99),
            }
        })
        .collect();
    steps.sort_by(|a, b| a.name.cmp(&b.name));
    let sign_in_failures: usize =
        metrics.requests.values().filter(|r| r.path.starts_with("0 ")).map(|r| r.fail_count).sum();
    let transaction_errors: usize = metrics.errors.values().map(|e| e.occurrences).sum();
    let failed: usize = steps.iter().map(|s| s.failed).sum::<usize>() + sign_in_failures;
    let flows = WINDOW.flows.load(Ordering::SeqCst);
    let seconds = WINDOW.last_end.load(Ordering::SeqCst) as f64 / 1e9;
    let rate = |n: f64| if seconds > 0.0 { n / seconds } else { 0.0 };
    Ok(Summary {
        label: label.to_owned(),
        users,
        flows,
        seconds,
        flows_per_s: rate(flows as f64),
        requests_per_s: rate((flows * REQUESTS_PER_FLOW) as f64),
        errors: failed.max(transaction_errors),
        server_cpu_ms_per_flow: match (SERVER_CPU_AT_START.get().copied().flatten(), cpu_end) {
            (Some(start), Some(end)) if flows > 0 => Some(end.saturating_sub(start).as_secs_f64() * 1e3 / flows as f64),
            _ => None,
        },
        steps,
    })
}

fn print(summary: &Summary) {
    println!(
        "{}: {} users, {} complete flows in {:.1} s: {:.0} flows/s, {:.0} requests/s, {} errors",
        summary.label,
        summary.users,
        summary.flows,
        summary.seconds,
        summary.flows_per_s,
        summary.requests_per_s,
        summary.errors
    );
    if let Some(ms) = summary.server_cpu_ms_per_flow {
        println!("  server CPU time per flow: {ms:.1} ms");
    }
    println!("  {:<24} {:>9} {:>7} {:>10} {:>10}", "step", "requests", "failed", "p50", "p99");
    for s in &summary.steps {
        println!("  {:<24} {:>9} {:>7} {:>7.2} ms {:>7.2} ms", s.name, s.count, s.failed, s.p50_ms, s.p99_ms);
    }
}

/// The baseline: plain axum handlers answering the flow's requests with the statuses and
/// redirects the journey has (so the very same users walk it), a fixed page of the size of
/// a small real one, nothing read or written anywhere.
mod baseline {
    use axum::http::header::{LOCATION, SET_COOKIE};
    use axum::http::StatusCode;
    use axum::response::{Html, IntoResponse, Response};
    use axum::routing::{get, post};
    use axum::Router;

    fn page() -> Html<String> {
        static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        Html(
            PAGE.get_or_init(|| {
                let filler = "<p>全国计算机等级考试报名系统：考生须知与报名步骤说明。</p>\n".repeat(60);
                format!(
                    "<!DOCTYPE html><html lang=\"zh-CN\"><head><title>基线</title></head><body><main>{filler}\
                     <form method=\"post\"><input type=\"hidden\" name=\"seen\" value=\"1\"/></form></main></body></html>"
                )
            })
            .clone(),
        )
    }

    fn see_other(to: &'static str) -> Response {
        (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response()
    }

    async fn subjects(body: String) -> Response {
        if body.contains("confirmed=yes") {
            see_other("/register/photo")
        } else {
            page().into_response()
        }
    }

    pub fn router() -> Router {
        Router::new()
            .route("/", get(|| async { page() }))
            .route(
                "/pass/sign-in",
                post(|| async { (StatusCode::SEE_OTHER, [(LOCATION, "/"), (SET_COOKIE, "s=1; Path=/; HttpOnly")]) }),
            )
            .route("/register/agreement", get(|| async { page() }).post(|| async { see_other("/register/info") }))
            .route("/register/info", get(|| async { page() }).post(|| async { see_other("/register/subjects") }))
            .route("/register/subjects", get(|| async { page() }).post(subjects))
            .route("/register/photo", get(|| async { page() }))
            .route(
                "/api/photo",
                post(|body: axum::body::Bytes| async move {
                    (
                        [("content-type", "application/json")],
                        format!(r#"{{"Ok":{{"url":"/register/photo","bytes":{}}}}}"#, body.len()),
                    )
                })
                .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024)),
            )
            .route("/register/status", get(|| async { page() }))
            .route("/register/pay", get(|| async { page() }))
    }
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn usage() -> ! {
    eprintln!(
        "usage: loadtest run --host URL [--users N] [--seconds S] [--label L] [--out FILE] [--server-pid PID[,PID...]]\n       \
         loadtest baseline --listen ADDR\n       loadtest compare APP.json BASELINE.json"
    );
    std::process::exit(2)
}

fn read(path: &str) -> Summary {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    serde_json::from_str(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    })
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("run") => {
            let host = arg(&args, "--host").unwrap_or_else(|| usage());
            let users = arg(&args, "--users").map_or(Ok(64), str::parse).unwrap_or_else(|_| usage());
            let seconds = arg(&args, "--seconds").map_or(Ok(30), str::parse).unwrap_or_else(|_| usage());
            let label = arg(&args, "--label").unwrap_or("app");
            if let Some(pid) = arg(&args, "--server-pid") {
                let pids = pid.split(',').map(|p| p.trim().parse().unwrap_or_else(|_| usage())).collect();
                let _ = SERVER.set(pids);
            }
            let summary = match run(host, users, seconds, label).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("load test failed: {e:?}");
                    std::process::exit(1)
                }
            };
            print(&summary);
            if let Some(out) = arg(&args, "--out") {
                let json = serde_json::to_string_pretty(&summary).unwrap_or_default();
                if let Err(e) = std::fs::write(out, json) {
                    eprintln!("{out}: {e}");
                    std::process::exit(1)
                }
            }
            if summary.errors > 0 || summary.flows == 0 {
                eprintln!(
                    "{}: {} errors, {} flows: the run does not count",
                    summary.label, summary.errors, summary.flows
                );
                std::process::exit(1)
            }
        }
        Some("baseline") => {
            let listen = arg(&args, "--listen").unwrap_or_else(|| usage());
            let listener = tokio::net::TcpListener::bind(listen).await.unwrap_or_else(|e| {
                eprintln!("{listen}: {e}");
                std::process::exit(1)
            });
            // As the product's server: no Nagle delay on small answers.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            if let Err(e) = axum::serve(listener, baseline::router()).await {
                eprintln!("baseline: {e}");
                std::process::exit(1)
            }
        }
        Some("compare") if args.len() == 4 => {
            let (app, base) = (read(&args[2]), read(&args[3]));
            for s in [&app, &base] {
                print(s);
            }
            let ratio = |a: f64, b: f64| if b > 0.0 { 100.0 * a / b } else { 0.0 };
            println!(
                "{} against {}: {:.1} % of the flows/s ({:.0} against {:.0}), {:.1} % of the requests/s",
                app.label,
                base.label,
                ratio(app.flows_per_s, base.flows_per_s),
                app.flows_per_s,
                base.flows_per_s,
                ratio(app.requests_per_s, base.requests_per_s)
            );
        }
        _ => usage(),
    }
}
