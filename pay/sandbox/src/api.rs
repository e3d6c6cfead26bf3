//! The merchant API: create, query and close orders. Requests are form bodies signed with the
//! merchant's key; answers are JSON objects of text fields signed with the platform key.
//! Errors are unsigned JSON `{"error", "message"}`: 400 for a malformed or missing field, 401
//! for an unknown merchant or a bad signature (checked before anything else is looked at, so
//! an unauthenticated request learns nothing and changes nothing), 409 for an order number
//! reused with a different amount.

use super::{random_hex, NewOrder, Order, OrderKey, RandomFailed, Sandbox, TradeState};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat};
use http::header::CACHE_CONTROL;
use http::{HeaderValue, StatusCode};
use pay_protocol::{self as protocol, Fields};

/// Longest text field accepted (names, purposes, sources); far above any real value.
const MAX_TEXT: usize = 200;
const MAX_URL: usize = 2048;
const MAX_ORDER_NO: usize = 64;
/// Alipay's ceiling for one payment: 100 000 000 yuan.
const MAX_AMOUNT_FEN: u64 = 10_000_000_000;

#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }

    fn unauthorized(code: &'static str, message: &str) -> ApiError {
        ApiError { status: StatusCode::UNAUTHORIZED, code, message: message.into() }
    }

    fn internal() -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "the sandbox could not draw random numbers; try again".into(),
        }
    }
}

impl From<RandomFailed> for ApiError {
    fn from(_: RandomFailed) -> ApiError {
        tracing::error!("the system random source failed");
        ApiError::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message });
        no_store((self.status, Json(body)).into_response())
    }
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

impl Sandbox {
    /// The fields, signed with the platform key, as the JSON answer.
    fn answer(&self, fields: Fields) -> Response {
        no_store(Json(self.sign(fields)).into_response())
    }

    /// The body's fields, once they are known to come from the merchant they name.
    fn authenticate(&self, body: &[u8]) -> Result<Fields, ApiError> {
        let text = std::str::from_utf8(body).map_err(|_| ApiError::bad("malformed", "the body is not UTF-8"))?;
        let fields = protocol::from_form(text)
            .ok_or_else(|| ApiError::bad("malformed", "the body names a field more than once"))?;
        let merchant_id = required(&fields, "merchant_id")?;
        let key = self
            .config()
            .merchants
            .get(merchant_id)
            .ok_or_else(|| ApiError::unauthorized("unknown_merchant", "no merchant has this merchant_id"))?;
        key.verify(&fields).map_err(|_| {
            tracing::warn!(merchant_id, "request with a missing or bad signature refused");
            ApiError::unauthorized("bad_signature", "the signature is missing or does not match the fields")
        })?;
        Ok(fields)
    }

    /// The order's state as query and close report it (unsigned).
    fn trade_fields(&self, key: &OrderKey) -> Fields {
        let mut fields =
            Fields::from([("merchant_id".to_owned(), key.0.clone()), ("out_trade_no".to_owned(), key.1.clone())]);
        let book = self.book();
        let Some(order) = book.orders.get(key) else {
            fields.insert("trade_status".into(), protocol::TRADE_NOT_EXIST.into());
            return fields;
        };
        fields.insert("trade_status".into(), order.state.as_str().into());
        fields.insert("amount_fen".into(), order.new.amount_fen.to_string());
        if let TradeState::Paid(p) = &order.state {
            fields.insert("trade_no".into(), p.trade_no.clone());
            fields.insert("method".into(), p.method.as_str().into());
            fields.insert("paid_at".into(), p.paid_at.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        fields
    }
}

fn required<'a>(fields: &'a Fields, name: &str) -> Result<&'a str, ApiError> {
    match fields.get(name) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::bad("missing_field", format!("field `{name}` is required"))),
    }
}

fn invalid(name: &str, rule: &str) -> ApiError {
    ApiError::bad("invalid_field", format!("field `{name}` {rule}"))
}

fn order_no(fields: &Fields) -> Result<String, ApiError> {
    let v = required(fields, "out_trade_no")?;
    if v.len() > MAX_ORDER_NO || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(invalid("out_trade_no", "must be 1 to 64 letters, digits, `_` or `-`"));
    }
    Ok(v.to_owned())
}

fn text(fields: &Fields, name: &str) -> Result<String, ApiError> {
    let v = required(fields, name)?;
    if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
        return Err(invalid(name, "must be at most 200 characters with no control characters"));
    }
    Ok(v.to_owned())
}

fn url(fields: &Fields, name: &str) -> Result<String, ApiError> {
    let v = required(fields, name)?;
    // Only http(s): the return URL becomes a link on the cashier pages, and any other scheme
    // (`javascript:`) would run in the sandbox's origin.
    let scheme_ok = v.starts_with("http://") || v.starts_with("https://");
    if !scheme_ok || v.len() > MAX_URL || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(name, "must be an http:// or https:// URL without spaces"));
    }
    Ok(v.to_owned())
}

fn amount(fields: &Fields) -> Result<u64, ApiError> {
    let v = required(fields, "amount_fen")?;
    // Digits only: `u64::from_str` would also take a leading `+`.
    let parsed = if v.bytes().all(|b| b.is_ascii_digit()) { v.parse::<u64>().ok() } else { None };
    match parsed {
        Some(n) if (1..=MAX_AMOUNT_FEN).contains(&n) => Ok(n),
        _ => Err(invalid("amount_fen", "must be a whole number of fen from 1 to 10000000000")),
    }
}

fn parse_new_order(fields: &Fields) -> Result<NewOrder, ApiError> {
    let neea_id = required(fields, "neea_id")?;
    if neea_id.len() != 32 || !neea_id.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)) {
        return Err(invalid("neea_id", "must be 32 upper-case hex digits"));
    }
    // Shown on the cashier page only, never enforced: the registration server's tests run on
    // a fake clock years in the past, and every order would look expired to the sandbox.
    let expires_at = DateTime::parse_from_rfc3339(required(fields, "expires_at")?)
        .map_err(|_| invalid("expires_at", "must be an RFC 3339 time"))?;
    Ok(NewOrder {
        merchant_id: required(fields, "merchant_id")?.to_owned(),
        out_trade_no: order_no(fields)?,
        amount_fen: amount(fields)?,
        purpose: text(fields, "purpose")?,
        payer_name: text(fields, "payer_name")?,
        source: text(fields, "source")?,
        neea_id: neea_id.to_owned(),
        notify_url: url(fields, "notify_url")?,
        return_url: url(fields, "return_url")?,
        expires_at,
    })
}

/// `POST /gateway/orders`. Idempotent on (merchant_id, out_trade_no): the same order again
/// gets the existing one back, whatever its state, with the same pay_url (the merchant may
/// retry after a lost answer). Only a different amount is refused: the other fields are
/// descriptive, the amount is what gets charged.
pub(super) async fn create_order(State(sandbox): State<Sandbox>, body: Bytes) -> Result<Response, ApiError> {
    let fields = sandbox.authenticate(&body)?;
    let new = parse_new_order(&fields)?;
    let key: OrderKey = (new.merchant_id.clone(), new.out_trade_no.clone());
    let (state, token) = {
        let mut book = sandbox.book();
        if let Some(existing) = book.orders.get(&key) {
            if existing.new.amount_fen != new.amount_fen {
                return Err(ApiError {
                    status: StatusCode::CONFLICT,
                    code: "amount_mismatch",
                    message: format!(
                        "order {} already exists with amount_fen {}",
                        new.out_trade_no, existing.new.amount_fen
                    ),
                });
            }
            (existing.state.as_str(), existing.token.clone())
        } else {
            let token = loop {
                let candidate = random_hex()?;
                if !book.tokens.contains_key(&candidate) {
                    break candidate;
                }
            };
            tracing::info!(out_trade_no = %new.out_trade_no, amount_fen = new.amount_fen, "order created");
            book.tokens.insert(token.clone(), key.clone());
            let order = Order { new, token: token.clone(), state: TradeState::Waiting, deliveries: 0 };
            book.orders.insert(key.clone(), order);
            (protocol::WAIT_BUYER_PAY, token)
        }
    };
    Ok(sandbox.answer(Fields::from([
        ("merchant_id".to_owned(), key.0),
        ("out_trade_no".to_owned(), key.1),
        ("trade_status".to_owned(), state.to_owned()),
        ("pay_url".to_owned(), sandbox.pay_url(&token)),
    ])))
}

/// `POST /gateway/query`.
pub(super) async fn query(State(sandbox): State<Sandbox>, body: Bytes) -> Result<Response, ApiError> {
    let fields = sandbox.authenticate(&body)?;
    let key = (required(&fields, "merchant_id")?.to_owned(), order_no(&fields)?);
    Ok(sandbox.answer(sandbox.trade_fields(&key)))
}

/// `POST /gateway/close`: a waiting order is closed; a paid one stays paid (the money has
/// moved, and refunds are out of the sandbox's scope). Answers the state after the call.
pub(super) async fn close(State(sandbox): State<Sandbox>, body: Bytes) -> Result<Response, ApiError> {
    let fields = sandbox.authenticate(&body)?;
    let key = (required(&fields, "merchant_id")?.to_owned(), order_no(&fields)?);
    if let Some(order) = sandbox.book().orders.get_mut(&key) {
        match order.state {
            TradeState::Waiting => {
                order.state = TradeState::Closed;
                tracing::info!(out_trade_no = %key.1, "order closed");
            }
            TradeState::Paid(_) => tracing::info!(out_trade_no = %key.1, "close refused: the order is paid"),
            TradeState::Closed => {}
        }
    }
    Ok(sandbox.answer(sandbox.trade_fields(&key)))
}
