//! 缴费管理 (issue 15, the payments desk): money the platform took that is owed back
//! (`refund_due`: it arrived after its order closed, or paid an order twice), for the sites
//! the account may see, and 已退款 to record that it was paid back; the orders there by
//! state (待支付, 已支付, 已关闭) a page at a time, each open one with 向支付平台查询 (the
//! reconciliation's own question, for one order now). Recording is one
//! conditional UPDATE with its trail entry (the operator, when, from where), so a second
//! click, a second admin or a stale page records it once. Nothing here marks an order paid:
//! only the platform's word does that (`payment::orders::apply`).

use super::search::visible;
use crate::server::audit;
use crate::server::call::Call;
use crate::server::clock::to_beijing;
use crate::server::entity::payment::{Outcome, RefundReason};
use crate::server::entity::payment_order::OrderStatus;
use crate::server::entity::{payment, payment_order, registration};
use crate::server::fault::Fault;
use crate::server::payment::Settled;
use crate::urls::{self, Notice};
use crate::views::staff::{
    AuditKind, OrderListQuery, OrderQueryForm, OrderRow, PaymentsPage, RefundForm, RefundRow, ORDERS_PER_PAGE,
    ORDER_FILTERS,
};
use crate::views::{AppError, Next};
use chrono::Duration;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;

fn reason_words(r: Option<RefundReason>) -> &'static str {
    match r {
        Some(RefundReason::OrderClosed) => "订单关闭后才到账",
        Some(RefundReason::AlreadyPaid) => "订单已支付，重复付款",
        None => "",
    }
}

/// Recorded refunds stay on the list this long.
const RECENT_REFUNDS: Duration = Duration::days(30);

pub async fn payments_page(call: &Call, query: OrderListQuery) -> Result<PaymentsPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let session = super::config::open_session_of(db, &who).await?;
    // Everything below is read through the account's registrations, in the database: no
    // list of ids (or of orders) is ever held in memory whole.
    let mine = Query::select()
        .column(registration::Column::Id)
        .from(registration::Entity)
        .cond_where(visible(&who, session.id))
        .to_owned();
    let my_orders = Query::select()
        .column(payment_order::Column::Id)
        .from(payment_order::Entity)
        .and_where(payment_order::Column::RegistrationId.in_subquery(mine.clone()))
        .to_owned();
    let since = call.state.clock.now() - RECENT_REFUNDS;
    let owed = payment::Entity::find()
        .filter(payment::Column::Outcome.eq(Outcome::RefundDue))
        .filter(payment::Column::OrderId.in_subquery(my_orders))
        .filter(Condition::any().add(payment::Column::RefundedAt.is_null()).add(payment::Column::RefundedAt.gt(since)))
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?;

    let status = match query.status.as_str() {
        "paid" => OrderStatus::Paid,
        "closed" => OrderStatus::Closed,
        _ => OrderStatus::Open,
    };
    let found = payment_order::Entity::find()
        .filter(payment_order::Column::RegistrationId.in_subquery(mine))
        .filter(payment_order::Column::Status.eq(status));
    let total = found.clone().count(db).await?;
    let pages = Ord::max(u32::try_from(total.div_ceil(ORDERS_PER_PAGE)).unwrap_or(u32::MAX), 1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let found = match status {
        OrderStatus::Open => found.order_by_asc(payment_order::Column::Id),
        _ => found.order_by_desc(payment_order::Column::Id),
    };
    let listed = found.offset(u64::from(page - 1) * ORDERS_PER_PAGE).limit(ORDERS_PER_PAGE).all(db).await?;

    // The orders, registrations and passes the two lists name.
    let refund_orders: Vec<i32> = owed.iter().filter_map(|p| p.order_id).collect();
    let mut orders: HashMap<i32, payment_order::Model> = payment_order::Entity::find()
        .filter(payment_order::Column::Id.is_in(refund_orders))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    orders.extend(listed.iter().map(|o| (o.id, o.clone())));
    let regs: HashMap<i32, registration::Model> = registration::Entity::find()
        .filter(registration::Column::Id.is_in(orders.values().map(|o| o.registration_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let passes = super::search::passes_by_id(db, regs.values().map(|r| r.pass_id)).await?;
    let refunds = owed
        .into_iter()
        .filter_map(|p| {
            let order = orders.get(&p.order_id?)?;
            let reg = regs.get(&order.registration_id)?;
            let holder = passes.get(&reg.pass_id)?;
            Some(RefundRow {
                payment: p.id,
                order_no: order.order_no.clone(),
                trade_no: p.trade_no,
                amount_fen: p.amount_fen,
                method: p.method,
                reason: reason_words(p.refund_reason).to_owned(),
                received: to_beijing(p.received_at),
                registration: reg.id,
                neea_id: holder.neea_id.clone(),
                name: holder.name.clone(),
                site: reg.site_code.clone(),
                refunded: p.refunded_at.map(to_beijing),
            })
        })
        .collect();
    let orders = listed
        .into_iter()
        .filter_map(|o| {
            let reg = regs.get(&o.registration_id)?;
            let holder = passes.get(&reg.pass_id)?;
            Some(OrderRow {
                order: o.id,
                order_no: o.order_no,
                amount_fen: o.amount_fen,
                created: to_beijing(o.created_at),
                settled: o.paid_at.or(o.closed_at).map(to_beijing),
                trade_no: o.trade_no,
                method: o.method,
                registration: reg.id,
                neea_id: holder.neea_id.clone(),
                name: holder.name.clone(),
                site: reg.site_code.clone(),
            })
        })
        .collect();
    let status = ORDER_FILTERS.iter().map(|(c, _)| *c).find(|c| *c == query.status).unwrap_or("open").to_owned();
    Ok(PaymentsPage { refunds, status, orders, total, page, pages })
}

/// 向支付平台查询: asks the platform about one open order now and brings ours in line
/// exactly as reconciliation does (`payment::settle`: paid → applied once; past its time →
/// closed at the platform first). What the platform answered goes on the trail.
pub async fn query_order(call: &Call, form: OrderQueryForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let id = form.order.trim().parse::<i32>().map_err(|_| AppError::BadRequest)?;
    let order = payment_order::Entity::find_by_id(id).one(call.state.db.read()).await?.ok_or(AppError::NotFound)?;
    let reg = super::search::registration_of(call.state.db.read(), &who, order.registration_id).await?;
    let settled = crate::server::payment::settle(&call.state, &order).await?;
    let (result, notice) = match settled {
        Settled::Paid => ("paid", Notice::OrderPaid),
        Settled::Closed => ("closed", Notice::OrderClosed),
        Settled::Pending => ("pending", Notice::OrderPending),
    };
    let entry = super::config::entry(call, &who, AuditKind::OrderQueried, reg.site_code.as_deref(), reg.id.to_string())
        .created(&json!({ "order": order.order_no, "result": result }));
    audit::record(call.state.db.write(), call.state.clock.now(), vec![entry]).await?;
    tracing::info!(staff = who.staff.id, order = %order.order_no, result, "order queried at the platform by staff");
    Ok(Next { url: urls::with_notice(urls::STAFF_PAYMENTS, notice) })
}

/// 已退款: the money of payment `form.payment` was paid back to the candidate.
pub async fn record_refund(call: &Call, form: RefundForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let id = form.payment.trim().parse::<i32>().map_err(|_| AppError::BadRequest)?;
    let db = call.state.db.write();
    let owed = payment::Entity::find_by_id(id)
        .filter(payment::Column::Outcome.eq(Outcome::RefundDue))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = match owed.order_id {
        Some(o) => payment_order::Entity::find_by_id(o).one(db).await?,
        None => None,
    }
    .ok_or(AppError::NotFound)?;
    let reg = super::search::registration_of(call.state.db.read(), &who, order.registration_id).await?;
    let now = call.state.clock.now();
    let txn = db.begin().await?;
    let done = payment::Entity::update_many()
        .col_expr(payment::Column::RefundedAt, Expr::value(now))
        .filter(payment::Column::Id.eq(owed.id))
        .filter(payment::Column::Outcome.eq(Outcome::RefundDue))
        .filter(payment::Column::RefundedAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected == 1 {
        let entry =
            super::config::entry(call, &who, AuditKind::RefundRecorded, reg.site_code.as_deref(), reg.id.to_string())
                .changed(&json!({ "refund": "due" }), &json!({ "refund": "refunded", "order": order.order_no }));
        audit::record(&txn, now, vec![entry]).await?;
    }
    txn.commit().await?;
    tracing::info!(staff = who.staff.id, payment = owed.id, recorded = done.rows_affected == 1, "refund recorded");
    Ok(Next { url: urls::with_notice(urls::STAFF_PAYMENTS, Notice::RefundRecorded) })
}
