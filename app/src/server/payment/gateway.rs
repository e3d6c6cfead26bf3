//! The payment platform as the registration side sees it. `Gateway` is the interface; the
//! sandbox platform (`server/src/sandbox.rs`, its own process) is the implementation we ship,
//! spoken to over HTTP with signed messages (`protocol`). A real provider is one more
//! implementation: create an order, query it, close it, and read its notifications.

use chrono::{DateTime, Utc};
use pay_protocol::{self as protocol, Fields, SigningKey, VerifyingKey};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What the platform needs to take a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub order_no: String,
    pub amount_fen: i64,
    /// 付款用途, e.g. `第75次NCRE考试费`.
    pub purpose: String,
    pub payer_name: String,
    /// 来源, e.g. `全国计算机等级考试(新疆)`.
    pub source: String,
    pub neea_id: String,
    pub notify_url: String,
    pub return_url: String,
    pub expires_at: DateTime<Utc>,
}

/// A payment the platform reports, as it reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub order_no: String,
    pub trade_no: String,
    pub amount_fen: i64,
    pub method: String,
    /// The platform's own timestamp (RFC 3339), kept as sent.
    pub paid_at: String,
}

/// An order's state at the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trade {
    Waiting,
    Paid(Paid),
    Closed,
    /// The platform has no such order (never created there, or created lazily and not yet).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Unreachable, timed out, or answered with an error status.
    #[error("payment platform unavailable: {0}")]
    Unavailable(String),
    /// Answered, but not with a message we can trust (bad signature, wrong merchant or
    /// order, missing fields).
    #[error("payment platform answer refused: {0}")]
    BadAnswer(String),
}

/// Why a notification is refused (answered with anything but `success`, nothing changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    #[error("unreadable body")]
    Unreadable,
    #[error("bad signature")]
    BadSignature,
    #[error("wrong merchant")]
    WrongMerchant,
    #[error("status is not a success")]
    NotSuccess,
    #[error("missing or malformed field {0}")]
    Field(&'static str),
}

pub type GatewayFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, GatewayError>> + Send + 'a>>;

pub trait Gateway: Send + Sync + std::fmt::Debug {
    /// Creates the order at the platform (idempotent on the order number) and returns the
    /// address the candidate's browser goes to. Asked again on every 去支付 rather than
    /// stored: a platform that lost the order (the sandbox restarted) makes it again.
    fn create<'a>(&'a self, order: &'a NewOrder) -> GatewayFuture<'a, String>;
    fn query<'a>(&'a self, order_no: &'a str) -> GatewayFuture<'a, Trade>;
    /// Closes an unpaid order so it can no longer be paid; answers the state afterwards
    /// (`Paid` when the payment won the race).
    fn close<'a>(&'a self, order_no: &'a str) -> GatewayFuture<'a, Trade>;
    /// A notification body, verified: signed by the platform, for our merchant id, a success.
    fn read_notification(&self, body: &str) -> Result<Paid, NotifyError>;
    /// The platform's origin (`http://127.0.0.1:3100`), which our pages let forms go to.
    fn origin(&self) -> String;
}

/// The sandbox platform, over HTTP.
#[derive(Clone)]
pub struct SandboxGateway {
    base_url: String,
    merchant_id: String,
    merchant_key: Arc<SigningKey>,
    platform_key: VerifyingKey,
    http: reqwest::Client,
}

impl std::fmt::Debug for SandboxGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxGateway")
            .field("base_url", &self.base_url)
            .field("merchant_id", &self.merchant_id)
            .finish()
    }
}

impl SandboxGateway {
    pub fn new(
        base_url: &str,
        merchant_id: &str,
        merchant_key: SigningKey,
        platform_key: VerifyingKey,
    ) -> Result<Self, GatewayError> {
        // Platforms expect an answer within seconds; a candidate is waiting on this.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            merchant_id: merchant_id.to_owned(),
            merchant_key: Arc::new(merchant_key),
            platform_key,
            http,
        })
    }

    async fn call(&self, path: &str, mut fields: Fields) -> Result<Fields, GatewayError> {
        fields.insert("merchant_id".into(), self.merchant_id.clone());
        self.merchant_key.sign(&mut fields);
        let res = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(protocol::to_form(&fields))
            .send()
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        if !status.is_success() {
            return Err(GatewayError::Unavailable(format!("{path} answered {status}")));
        }
        let answer: Fields =
            serde_json::from_slice(&body).map_err(|_| GatewayError::BadAnswer(format!("{path}: not a JSON map")))?;
        self.platform_key.verify(&answer).map_err(|_| GatewayError::BadAnswer(format!("{path}: bad signature")))?;
        let same = |k: &str| answer.get(k) == fields.get(k);
        if !same("merchant_id") || !same("out_trade_no") {
            return Err(GatewayError::BadAnswer(format!("{path}: answer for another merchant or order")));
        }
        Ok(answer)
    }

    fn trade(answer: &Fields) -> Result<Trade, GatewayError> {
        let get = |k: &str| answer.get(k).cloned().ok_or_else(|| GatewayError::BadAnswer(format!("missing {k}")));
        match get("trade_status")?.as_str() {
            protocol::WAIT_BUYER_PAY => Ok(Trade::Waiting),
            protocol::TRADE_CLOSED => Ok(Trade::Closed),
            protocol::TRADE_NOT_EXIST => Ok(Trade::Unknown),
            protocol::TRADE_SUCCESS => Ok(Trade::Paid(Paid {
                order_no: get("out_trade_no")?,
                trade_no: get("trade_no")?,
                amount_fen: get("amount_fen")?.parse().map_err(|_| GatewayError::BadAnswer("amount_fen".into()))?,
                method: get("method")?,
                paid_at: get("paid_at")?,
            })),
            other => Err(GatewayError::BadAnswer(format!("unknown trade_status {other}"))),
        }
    }
}

fn one(order_no: &str) -> Fields {
    Fields::from([("out_trade_no".to_owned(), order_no.to_owned())])
}

impl Gateway for SandboxGateway {
    fn create<'a>(&'a self, order: &'a NewOrder) -> GatewayFuture<'a, String> {
        Box::pin(async move {
            let mut f = one(&order.order_no);
            for (k, v) in [
                ("amount_fen", order.amount_fen.to_string()),
                ("purpose", order.purpose.clone()),
                ("payer_name", order.payer_name.clone()),
                ("source", order.source.clone()),
                ("neea_id", order.neea_id.clone()),
                ("notify_url", order.notify_url.clone()),
                ("return_url", order.return_url.clone()),
                ("expires_at", order.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ] {
                f.insert(k.into(), v);
            }
            let answer = self.call("/gateway/orders", f).await?;
            let url =
                answer.get("pay_url").cloned().ok_or_else(|| GatewayError::BadAnswer("missing pay_url".into()))?;
            // The browser is sent there: only to the platform itself.
            if !url.starts_with(&format!("{}/", self.base_url)) {
                return Err(GatewayError::BadAnswer("pay_url is not on the platform".into()));
            }
            Ok(url)
        })
    }

    fn query<'a>(&'a self, order_no: &'a str) -> GatewayFuture<'a, Trade> {
        Box::pin(async move { Self::trade(&self.call("/gateway/query", one(order_no)).await?) })
    }

    fn close<'a>(&'a self, order_no: &'a str) -> GatewayFuture<'a, Trade> {
        Box::pin(async move { Self::trade(&self.call("/gateway/close", one(order_no)).await?) })
    }

    fn read_notification(&self, body: &str) -> Result<Paid, NotifyError> {
        let fields = protocol::from_form(body).ok_or(NotifyError::Unreadable)?;
        self.platform_key.verify(&fields).map_err(|_| NotifyError::BadSignature)?;
        if fields.get("merchant_id") != Some(&self.merchant_id) {
            return Err(NotifyError::WrongMerchant);
        }
        if fields.get("trade_status").map(String::as_str) != Some(protocol::TRADE_SUCCESS) {
            return Err(NotifyError::NotSuccess);
        }
        let get = |k: &'static str| fields.get(k).filter(|v| !v.is_empty()).cloned().ok_or(NotifyError::Field(k));
        Ok(Paid {
            order_no: get("out_trade_no")?,
            trade_no: get("trade_no")?,
            amount_fen: get("amount_fen")?.parse().map_err(|_| NotifyError::Field("amount_fen"))?,
            method: get("method")?,
            paid_at: get("paid_at")?,
        })
    }

    fn origin(&self) -> String {
        // scheme://host[:port] of the base URL.
        let after_scheme = self.base_url.find("://").map_or(0, |i| i + 3);
        let end = self.base_url[after_scheme..].find('/').map_or(self.base_url.len(), |i| after_scheme + i);
        self.base_url[..end].to_owned()
    }
}
