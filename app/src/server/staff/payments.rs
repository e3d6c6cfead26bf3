//! 缴费管理 (issue 15, the payments desk, first part): money the platform took that is owed
//! back (`refund_due`: it arrived after its order closed, or paid an order twice), for the
//! sites the account may see, and 已退款 to record that it was paid back. Recording is one
//! conditional UPDATE with its trail entry (the operator, when, from where), so a second
//! click, a second admin or a stale page records it once. Nothing here marks an order paid:
//! only the platform's word does that (`payment::orders::apply`).

use super::search::visible;
use crate::server::audit::{self, Actor, Entry};
use crate::server::call::Call;
use crate::server::clock::to_beijing;
use crate::server::entity::payment::{Outcome, RefundReason};
use crate::server::entity::{pass, payment, payment_order, registration};
use crate::server::fault::Fault;
use crate::urls::{self, Notice};
use crate::views::staff::{AuditKind, PaymentsPage, RefundForm, RefundRow};
use crate::views::{AppError, Next};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde_json::json;
use std::collections::HashMap;

fn reason_words(r: Option<RefundReason>) -> &'static str {
    match r {
        Some(RefundReason::OrderClosed) => "订单关闭后才到账",
        Some(RefundReason::AlreadyPaid) => "订单已支付，重复付款",
        None => "",
    }
}

pub async fn payments_page(call: &Call) -> Result<PaymentsPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let session = super::config::current_session(db, &who.staff.province_code).await?.ok_or(AppError::NoSession)?;
    let regs: HashMap<i32, registration::Model> = registration::Entity::find()
        .filter(visible(&who, session.id))
        .filter(
            registration::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(payment_order::Column::RegistrationId)
                    .from(payment_order::Entity)
                    .and_where(
                        payment_order::Column::Id.in_subquery(
                            sea_orm::sea_query::Query::select()
                                .column(payment::Column::OrderId)
                                .from(payment::Entity)
                                .and_where(payment::Column::Outcome.eq(Outcome::RefundDue))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let orders: HashMap<i32, payment_order::Model> = payment_order::Entity::find()
        .filter(payment_order::Column::RegistrationId.is_in(regs.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let passes: HashMap<i32, pass::Model> = pass::Entity::find()
        .filter(pass::Column::Id.is_in(regs.values().map(|r| r.pass_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let owed = payment::Entity::find()
        .filter(payment::Column::Outcome.eq(Outcome::RefundDue))
        .filter(payment::Column::OrderId.is_in(orders.keys().copied()))
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?;
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
    Ok(PaymentsPage { refunds })
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
    let reg = registration::Entity::find_by_id(order.registration_id).one(db).await?.ok_or(AppError::NotFound)?;
    // A province's own registrations; a site account's at its sites only.
    let session = super::config::current_session(db, &who.staff.province_code).await?.ok_or(AppError::NoSession)?;
    if reg.session_id != session.id {
        return Err(AppError::NotFound.into());
    }
    if who.staff.role == crate::server::entity::staff::Role::Site
        && !reg.site_code.as_deref().is_some_and(|s| who.may_act_for(s))
    {
        return Err(AppError::Forbidden.into());
    }
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
        let entry = Entry::new(
            Actor::Staff { id: who.staff.id, email: who.staff.email.clone() },
            AuditKind::RefundRecorded,
            reg.site_code.as_deref(),
            reg.id.to_string(),
        )
        .from(call.client_addr())
        .changed(&json!({ "refund": "due" }), &json!({ "refund": "refunded", "order": order.order_no }));
        audit::record(&txn, now, vec![entry]).await?;
    }
    txn.commit().await?;
    tracing::info!(staff = who.staff.id, payment = owed.id, recorded = done.rows_affected == 1, "refund recorded");
    Ok(Next { url: urls::with_notice(urls::STAFF_PAYMENTS, Notice::RefundRecorded) })
}
