//! Asynchronous payment notifications, delivered the way Alipay delivers them: the same signed
//! form POSTed to the order's notify_url on a schedule of retries, until the merchant answers
//! 200 with a body of exactly `success`. Anything else, including `success` with a trailing
//! newline, counts as not received, as it does at Alipay.

use super::{OrderKey, Sandbox};
use http::header::CONTENT_TYPE;
use http::StatusCode;
use pay_protocol::{self as protocol, Fields};

/// Starts delivering `notification` in the background (unless notifications are switched off).
pub(super) fn start(sandbox: Sandbox, key: OrderKey, url: String, notification: Fields) {
    if !sandbox.delivering() {
        tracing::info!(out_trade_no = %key.1, "notifications are switched off; this one is lost");
        return;
    }
    // The test hooks may be called outside a runtime; a panic from `tokio::spawn` would take
    // the caller down for what is only a missing notification.
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(deliver(sandbox, key, url, notification));
        }
        Err(_) => tracing::error!(out_trade_no = %key.1, "no async runtime; the notification is not sent"),
    }
}

enum Reply {
    Acknowledged,
    Refused { status: StatusCode, body: String },
}

async fn deliver(sandbox: Sandbox, key: OrderKey, url: String, notification: Fields) {
    let body = protocol::to_form(&notification);
    let schedule = sandbox.config().notify_schedule.clone();
    for (i, delay) in schedule.iter().enumerate() {
        let attempt = i + 1;
        tokio::time::sleep(*delay).await;
        if !sandbox.delivering() {
            tracing::info!(out_trade_no = %key.1, attempt, "notifications switched off; no more attempts");
            return;
        }
        if let Some(order) = sandbox.book().orders.get_mut(&key) {
            order.deliveries += 1;
        }
        match post(&sandbox, &url, body.clone()).await {
            Ok(Reply::Acknowledged) => {
                tracing::info!(out_trade_no = %key.1, attempt, outcome = "acknowledged", "notification delivered");
                return;
            }
            Ok(Reply::Refused { status, body }) => tracing::info!(
                out_trade_no = %key.1,
                attempt,
                outcome = "not acknowledged",
                status = status.as_u16(),
                %body,
                "notification not acknowledged"
            ),
            Err(e) => tracing::info!(
                out_trade_no = %key.1,
                attempt,
                outcome = "failed",
                error = %e,
                "notification could not be sent"
            ),
        }
    }
    tracing::warn!(out_trade_no = %key.1, attempts = schedule.len(), "notification never acknowledged; giving up");
}

async fn post(sandbox: &Sandbox, url: &str, body: String) -> Result<Reply, String> {
    let Some(http) = &sandbox.0.http else { return Err("no HTTP client".into()) };
    let res = http
        .post(url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| chain(&e))?;
    let status = res.status();
    let bytes = res.bytes().await.map_err(|e| chain(&e))?;
    if status == StatusCode::OK && bytes.as_ref() == protocol::NOTIFY_ACK.as_bytes() {
        return Ok(Reply::Acknowledged);
    }
    // Enough of the answer to see what the merchant said, not a whole error page in the log.
    let body = String::from_utf8_lossy(&bytes).chars().take(80).collect();
    Ok(Reply::Refused { status, body })
}

/// The error with its causes: reqwest's own message ("error sending request") says little
/// without the connection error beneath it.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
