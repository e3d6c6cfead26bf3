//! Payment (issue 7): orders, the platform behind the `Gateway` interface, notifications,
//! the browser's return, and reconciliation.
//!
//! Money changes state in one place, `orders::apply`, whichever way the news arrives: a
//! notification, the return page's query, 更新, or the reconciliation job. It is applied
//! exactly once (unique platform trade number), and a notification is answered `success`
//! only after the commit, so the platform keeps retrying until we have it.

pub mod candidate;
pub mod gateway;
pub mod orders;

use super::entity::payment_order;
use super::AppState;
use crate::urls;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Duration;
use gateway::{Gateway, GatewayError, Paid, Trade};
use http::StatusCode;
use orders::Applied;
use pay_protocol as protocol;
use std::collections::HashMap;
use std::sync::Arc;

/// Open orders are asked about once they are this old, and then at most this often.
pub const CHECK_AFTER: Duration = Duration::minutes(3);

/// The payment side of the state: the platform and how it is reached.
#[derive(Clone, Debug)]
pub struct Payments {
    pub gateway: Arc<dyn Gateway>,
    /// Our address as the platform and the returning browser use it (`http://…:3000`):
    /// notifications go to `{callback_base}/pay/notify`, browsers back to `/pay/return`.
    pub callback_base: Arc<str>,
}

/// Where an order stands after asking the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Paid,
    /// Still open: not paid yet, or the platform could not be asked.
    Pending,
    Closed,
}

/// Applies a payment and says so in the log (the one place money changes state).
async fn record(state: &AppState, paid: &Paid, source: &'static str) -> Result<Applied, sea_orm::DbErr> {
    let applied = orders::apply(state.db.write(), paid, source, state.clock.now()).await?;
    match &applied {
        Applied::Paid(o) => {
            tracing::info!(order = %o.order_no, registration = o.registration_id, source, "payment applied")
        }
        Applied::AlreadyRecorded => tracing::info!(order = %paid.order_no, source, "payment already recorded"),
        Applied::RefundDue { reason } => {
            tracing::warn!(order = %paid.order_no, trade = %paid.trade_no, ?reason, source, "payment recorded for refund")
        }
        Applied::UnknownOrder => tracing::warn!(order = %paid.order_no, source, "payment for an unknown order refused"),
        Applied::WrongAmount => tracing::warn!(order = %paid.order_no, source, "payment with the wrong amount refused"),
    }
    Ok(applied)
}

/// Asks the platform about an open order and brings ours in line: paid → applied; past its
/// time → closed at the platform first (a payment that wins that race is applied instead),
/// then here. Never closes here what the platform has not closed.
pub async fn settle(state: &AppState, order: &payment_order::Model) -> Result<Settled, sea_orm::DbErr> {
    let now = state.clock.now();
    let gw = &state.payments.gateway;
    let asked = gw.query(&order.order_no).await;
    orders::checked(state.db.write(), order.id, now).await?;
    let trade = match asked {
        Ok(Trade::Waiting | Trade::Unknown) if order.expires_at <= now => gw.close(&order.order_no).await,
        other => other,
    };
    match trade {
        Ok(Trade::Paid(paid)) if paid.order_no == order.order_no => match record(state, &paid, "query").await? {
            Applied::Paid(_) | Applied::AlreadyRecorded => Ok(Settled::Paid),
            Applied::RefundDue { .. } | Applied::UnknownOrder | Applied::WrongAmount => Ok(Settled::Pending),
        },
        Ok(Trade::Closed | Trade::Unknown) if order.expires_at <= now => {
            orders::close(state.db.write(), order, now).await?;
            tracing::info!(order = %order.order_no, "order closed at its time; nothing was paid");
            Ok(Settled::Closed)
        }
        Ok(Trade::Closed) => {
            orders::close(state.db.write(), order, now).await?;
            tracing::info!(order = %order.order_no, "order closed by the platform");
            Ok(Settled::Closed)
        }
        Ok(_) => Ok(Settled::Pending),
        Err(e) => {
            tracing::warn!(order = %order.order_no, error = %e, "payment platform not reachable; the order stays open");
            Ok(Settled::Pending)
        }
    }
}

/// One round of reconciliation: every open order due a question is settled. Run every
/// minute.
pub async fn reconcile(state: &AppState) -> Result<usize, sea_orm::DbErr> {
    settle_due(state, CHECK_AFTER, 200).await
}

/// At start-up: every open order, however young, is asked about once (a server that died
/// between a payment and its notification resolves it on its way back up).
pub async fn reconcile_on_start(state: &AppState) -> Result<usize, sea_orm::DbErr> {
    settle_due(state, Duration::zero(), 10_000).await
}

/// Settles the open orders older than `age` (and not asked within it); how many changed.
async fn settle_due(state: &AppState, age: Duration, limit: u64) -> Result<usize, sea_orm::DbErr> {
    let due = orders::due(state.db.read(), state.clock.now(), age, limit).await?;
    let mut changed = 0;
    for order in &due {
        if settle(state, order).await? != Settled::Pending {
            changed += 1;
        }
    }
    Ok(changed)
}

/// The platform's notification. `success` only once the payment is committed (or was
/// before); anything else makes the platform try again later.
async fn notify(State(state): State<AppState>, body: Bytes) -> Response {
    use crate::server::metrics::NotifyOutcome;
    let text = String::from_utf8_lossy(&body);
    let paid = match state.payments.gateway.read_notification(&text) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "payment notification refused");
            state.metrics.notification(NotifyOutcome::Refused);
            return (StatusCode::BAD_REQUEST, "fail").into_response();
        }
    };
    let (outcome, answer) = match record(&state, &paid, "notify").await {
        Ok(Applied::Paid(_)) => (NotifyOutcome::Applied, (StatusCode::OK, protocol::NOTIFY_ACK)),
        Ok(Applied::AlreadyRecorded) => (NotifyOutcome::Repeated, (StatusCode::OK, protocol::NOTIFY_ACK)),
        Ok(Applied::RefundDue { .. }) => (NotifyOutcome::RefundDue, (StatusCode::OK, protocol::NOTIFY_ACK)),
        Ok(Applied::UnknownOrder | Applied::WrongAmount) => (NotifyOutcome::Refused, (StatusCode::BAD_REQUEST, "fail")),
        Err(e) => {
            tracing::error!(error = %e, order = %paid.order_no, "payment notification not applied; the platform will retry");
            (NotifyOutcome::Failed, (StatusCode::INTERNAL_SERVER_ERROR, "fail"))
        }
    };
    state.metrics.notification(outcome);
    answer.into_response()
}

/// The browser back from the platform. Marks nothing paid by itself: it asks the platform
/// about the order named (if it is open) and shows the result page, which says 处理中 while
/// the answer is not in.
async fn back(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(no) = q.get("out_trade_no") {
        let open = payment_order::Entity::find()
            .filter(payment_order::Column::OrderNo.eq(no.as_str()))
            .filter(payment_order::Column::Status.eq(orders::OrderStatus::Open));
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        match open.one(state.db.read()).await {
            Ok(Some(order)) => {
                if let Err(e) = settle(&state, &order).await {
                    tracing::error!(error = %e, "settling on return failed");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "reading the returned order failed"),
        }
    }
    Redirect::to(urls::PAYMENT_RESULT).into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new().route(urls::PAY_NOTIFY, post(notify)).route(urls::PAY_RETURN, get(back))
}

/// How a gateway error reaches a candidate: never its text.
pub fn unavailable(e: &GatewayError) -> crate::views::AppError {
    tracing::warn!(error = %e, "payment platform unavailable");
    crate::views::AppError::PaymentUnavailable
}
