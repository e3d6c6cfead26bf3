//! A sandbox payment platform (the `pay-sandbox` binary) standing in for Alipay / WeChat Pay
//! in development and tests. The registration server (the merchant) creates orders over a
//! signed form API, sends the candidate's browser to the cashier page here, and learns the
//! outcome from signed notifications (retried until acknowledged), the signed return link,
//! and the query API. Every message uses `pay_protocol`, so both sides
//! sign and check exactly as they would against a real platform.
//!
//! Orders are kept in memory only and live as long as the process: this is a sandbox, and a
//! restart that forgets everything is what tests and demos want.

mod api;
mod cashier;
pub mod cli;
mod notify;
#[cfg(test)]
mod tests;

use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use pay_protocol::{self as protocol, Fields, Method, SigningKey, VerifyingKey};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub struct SandboxConfig {
    /// Signs everything the sandbox sends: API answers, notifications, return links.
    pub platform_key: Arc<SigningKey>,
    /// merchant_id -> the public key its requests must be signed with.
    pub merchants: HashMap<String, VerifyingKey>,
    /// The delay before each notification attempt, counted from the previous attempt
    /// (the first from the payment). Its length is the number of attempts.
    pub notify_schedule: Vec<Duration>,
    /// How browsers reach the sandbox, e.g. `http://127.0.0.1:3920` (no trailing slash).
    pub public_url: String,
}

/// The platform's shared state; clones share it.
#[derive(Clone)]
pub struct Sandbox(Arc<Shared>);

struct Shared {
    config: SandboxConfig,
    book: Mutex<Book>,
    deliver_notifies: AtomicBool,
    /// `None` only if the HTTP client could not be built; notifications then fail (logged).
    http: Option<reqwest::Client>,
}

/// (merchant_id, out_trade_no): an order number is only unique within its merchant.
type OrderKey = (String, String);

#[derive(Default)]
struct Book {
    orders: HashMap<OrderKey, Order>,
    /// Cashier token -> order. Tokens are random so a pay link cannot be guessed from an
    /// order number.
    tokens: HashMap<String, OrderKey>,
    trade_nos: HashSet<String>,
}

/// An order as the merchant created it, every field already checked (`api::parse_new_order`).
#[derive(Debug, Clone)]
struct NewOrder {
    merchant_id: String,
    out_trade_no: String,
    amount_fen: u64,
    purpose: String,
    payer_name: String,
    source: String,
    neea_id: String,
    notify_url: String,
    return_url: String,
    expires_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone)]
struct Order {
    new: NewOrder,
    token: String,
    state: TradeState,
    deliveries: usize,
}

#[derive(Debug, Clone)]
enum TradeState {
    Waiting,
    Paid(Payment),
    Closed,
}

#[derive(Debug, Clone)]
struct Payment {
    trade_no: String,
    method: Method,
    paid_at: DateTime<Utc>,
    /// Built and signed once, at payment: every attempt sends exactly these fields, so the
    /// merchant sees one notify_id and one signature however often it is retried. Kept for
    /// the test hooks, which hand it to a test as the merchant would receive it.
    #[cfg_attr(not(any(test, feature = "test-hooks")), expect(dead_code, reason = "read by the test hooks only"))]
    notification: Fields,
}

impl TradeState {
    fn as_str(&self) -> &'static str {
        match self {
            TradeState::Waiting => protocol::WAIT_BUYER_PAY,
            TradeState::Paid(_) => protocol::TRADE_SUCCESS,
            TradeState::Closed => protocol::TRADE_CLOSED,
        }
    }
}

/// The system random source failed; the request is answered with an internal error.
#[derive(Debug, Clone, Copy)]
struct RandomFailed;

fn random_bytes<const N: usize>() -> Result<[u8; N], RandomFailed> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| RandomFailed)?;
    Ok(bytes)
}

/// 32 lower-case hex digits: cashier tokens and notify ids.
fn random_hex() -> Result<String, RandomFailed> {
    random_bytes::<16>().map(hex::encode)
}

/// What trying to pay an order led to.
enum PayOutcome {
    /// Paid now: the notification to deliver.
    Paid {
        notify_url: String,
        notification: Fields,
    },
    AlreadyPaid,
    Closed,
    Unknown,
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Sandbox {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            // Alipay does not follow redirects either: the notify URL must answer itself.
            .redirect(reqwest::redirect::Policy::none())
            // The merchant is usually on loopback; a proxy from the environment would only
            // get in the way (and make tests depend on the machine).
            .no_proxy()
            .build();
        let http = match http {
            Ok(client) => Some(client),
            Err(e) => {
                tracing::error!(error = %e, "could not build the HTTP client; notifications will fail");
                None
            }
        };
        Sandbox(Arc::new(Shared {
            config,
            book: Mutex::new(Book::default()),
            deliver_notifies: AtomicBool::new(true),
            http,
        }))
    }

    /// Every route, state applied: the merchant API under `/gateway`, the cashier under `/pay`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/gateway/orders", post(api::create_order))
            .route("/gateway/query", post(api::query))
            .route("/gateway/close", post(api::close))
            .route("/pay/{token}", get(cashier::show).post(cashier::submit))
            .route("/pay/{token}/result", get(cashier::result))
            .with_state(self.clone())
    }

    fn config(&self) -> &SandboxConfig {
        &self.0.config
    }

    /// The lock is only ever held for map look-ups and updates, never across an await, so a
    /// poisoned lock (a panic elsewhere) still holds consistent data.
    fn book(&self) -> MutexGuard<'_, Book> {
        self.0.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn delivering(&self) -> bool {
        self.0.deliver_notifies.load(Ordering::SeqCst)
    }

    fn sign(&self, mut fields: Fields) -> Fields {
        self.config().platform_key.sign(&mut fields);
        fields
    }

    fn pay_url(&self, token: &str) -> String {
        format!("{}/pay/{token}", self.config().public_url)
    }

    /// Marks a waiting order paid and starts delivering its notification.
    fn pay_order(&self, key: &OrderKey, method: Method) -> Result<PayOutcome, RandomFailed> {
        let outcome = {
            let mut book = self.book();
            let Book { orders, trade_nos, .. } = &mut *book;
            let Some(order) = orders.get_mut(key) else { return Ok(PayOutcome::Unknown) };
            match order.state {
                TradeState::Paid(_) => return Ok(PayOutcome::AlreadyPaid),
                TradeState::Closed => return Ok(PayOutcome::Closed),
                TradeState::Waiting => {}
            }
            let trade_no = new_trade_no(trade_nos)?;
            let paid_at = Utc::now();
            let notification = self.sign(Fields::from([
                ("notify_id".to_owned(), random_hex()?),
                ("notify_time".to_owned(), paid_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
                ("merchant_id".to_owned(), order.new.merchant_id.clone()),
                ("out_trade_no".to_owned(), order.new.out_trade_no.clone()),
                ("trade_no".to_owned(), trade_no.clone()),
                ("amount_fen".to_owned(), order.new.amount_fen.to_string()),
                ("trade_status".to_owned(), protocol::TRADE_SUCCESS.to_owned()),
                ("method".to_owned(), method.as_str().to_owned()),
                ("paid_at".to_owned(), paid_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ]));
            trade_nos.insert(trade_no.clone());
            tracing::info!(out_trade_no = %key.1, %trade_no, method = method.as_str(), "order paid");
            order.state = TradeState::Paid(Payment { trade_no, method, paid_at, notification: notification.clone() });
            PayOutcome::Paid { notify_url: order.new.notify_url.clone(), notification }
        };
        if let PayOutcome::Paid { notify_url, notification } = &outcome {
            notify::start(self.clone(), key.clone(), notify_url.clone(), notification.clone());
        }
        Ok(outcome)
    }
}

/// What the registration server's integration tests drive the platform with, as a person at
/// the cashier or a lost network would. Only with the `test-hooks` feature (and in this
/// crate's own tests): the `pay-sandbox` binary has none of it.
#[cfg(any(test, feature = "test-hooks"))]
impl Sandbox {
    /// Test hook: pays a waiting order as the cashier page would (notifications are
    /// scheduled); returns the signed notification. `None` if the order is unknown, not
    /// waiting, or `method` is not one the cashier offers.
    pub fn pay(&self, merchant_id: &str, out_trade_no: &str, method: &str) -> Option<Fields> {
        let method = Method::parse(method)?;
        match self.pay_order(&(merchant_id.to_owned(), out_trade_no.to_owned()), method) {
            Ok(PayOutcome::Paid { notification, .. }) => Some(notification),
            Ok(_) | Err(RandomFailed) => None,
        }
    }

    /// Test hook: the signed notification of a paid order.
    pub fn notification(&self, merchant_id: &str, out_trade_no: &str) -> Option<Fields> {
        match &self.book().orders.get(&(merchant_id.to_owned(), out_trade_no.to_owned()))?.state {
            TradeState::Paid(p) => Some(p.notification.clone()),
            TradeState::Waiting | TradeState::Closed => None,
        }
    }

    /// Test hook: `false` stops notifications altogether (a lost notify), including the
    /// remaining retries of payments already made. On by default.
    pub fn set_deliver_notifies(&self, on: bool) {
        self.0.deliver_notifies.store(on, Ordering::SeqCst);
    }

    /// Test hook: notification attempts made so far for the order.
    pub fn deliveries(&self, merchant_id: &str, out_trade_no: &str) -> usize {
        self.book().orders.get(&(merchant_id.to_owned(), out_trade_no.to_owned())).map_or(0, |o| o.deliveries)
    }

    /// Test hook: the order's trade_status, `None` if unknown.
    pub fn status(&self, merchant_id: &str, out_trade_no: &str) -> Option<String> {
        self.book().orders.get(&(merchant_id.to_owned(), out_trade_no.to_owned())).map(|o| o.state.as_str().to_owned())
    }
}

/// A fresh trade number: today's date (UTC) and 20 random digits, 28 digits like Alipay's,
/// never one handed out before.
fn new_trade_no(taken: &HashSet<String>) -> Result<String, RandomFailed> {
    loop {
        let digits = u128::from_le_bytes(random_bytes::<16>()?) % 10u128.pow(20);
        let candidate = format!("{}{digits:020}", Utc::now().format("%Y%m%d"));
        if !taken.contains(&candidate) {
            return Ok(candidate);
        }
    }
}

/// Serves the sandbox on `listener` until the task is dropped (the binary adds a graceful
/// shutdown on top).
pub async fn serve(sandbox: Sandbox, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, sandbox.router()).await
}
