//! The candidate's side of paying: the confirmation page, starting (or continuing) the
//! order and sending the browser to the platform, the result page and 更新. Money itself
//! changes state only in `payment::orders::apply`.

use crate::server::call::Call;
use crate::server::clock::format_beijing;
use crate::server::entity::{order_item, payment_order};
use crate::server::fault::Fault;
use crate::server::journey;
use crate::server::journey::repo::{OpenSession, Site};
use crate::server::payment::gateway::NewOrder;
use crate::server::payment::orders::{self, OrderStatus, Start};
use crate::server::payment::{self, Settled};
use crate::server::seats;
use crate::urls;
use crate::validation::payment::PayForm;
use crate::validation::subjects::yuan;
use crate::views::payment::{money_words, OrderState, OrderView, PayPage, PaymentPage, RefundView};
use crate::views::{AppError, Next};

fn order_view(s: &OpenSession, o: &payment_order::Model, items: &[order_item::Model]) -> OrderView {
    OrderView {
        order_no: o.order_no.clone(),
        amount: yuan(o.amount_fen),
        state: match o.status {
            OrderStatus::Paid => OrderState::Paid,
            OrderStatus::Closed => OrderState::Closed,
            OrderStatus::Open => OrderState::Pending,
        },
        subjects: items.iter().map(|i| s.line(i.offered_subject_id, &i.subject_code, i.fee_fen).subject).collect(),
        created: format_beijing(o.created_at),
        // After this an unpaid order is closed.
        pay_by: format_beijing(o.expires_at),
        method: o.method.as_deref().map(|m| method_label(m).to_owned()),
        paid_at: o.paid_at.map(format_beijing),
    }
}

/// Every order of the registration (newest first) and the money owed back.
pub async fn money(
    call: &Call,
    s: &OpenSession,
    registration_id: i32,
) -> Result<(Vec<OrderView>, Vec<RefundView>), Fault> {
    let db = call.state.db.read();
    let orders = orders::orders_of(db, registration_id).await?;
    // Money owed back belongs to an order: without one there is none to look for.
    let refunds = if orders.is_empty() { Vec::new() } else { orders::refunds_of(db, registration_id).await? };
    Ok((
        orders.iter().map(|(o, items)| order_view(s, o, items)).collect(),
        refunds
            .iter()
            .map(|p| RefundView {
                order_no: p.order_no.clone(),
                amount: yuan(p.amount_fen),
                method: method_label(&p.method).into(),
                received: format_beijing(p.received_at),
            })
            .collect(),
    ))
}

pub async fn pay_page(call: &Call) -> Result<PayPage, Fault> {
    let (who, s, reg) = journey::informed_registration(call).await?;
    if reg.photo_key.is_none() {
        return Err(AppError::StepOrder { go_to: urls::PHOTO.into() }.into());
    }
    let enrolments = seats::enrolments(call.state.db.read(), reg.id).await?;
    let unpaid: Vec<_> = enrolments.iter().filter(|e| e.paid_at.is_none()).collect();
    let now = call.state.clock.now();
    let open = orders::open_order_of(call.state.db.read(), reg.id).await?;
    let open_order = match &open {
        Some(o) => {
            let items = orders::orders_of(call.state.db.read(), reg.id)
                .await?
                .into_iter()
                .find(|(x, _)| x.id == o.id)
                .map(|(_, items)| items)
                .unwrap_or_default();
            Some(order_view(&s, o, &items))
        }
        None => None,
    };
    let blocked = if unpaid.is_empty() {
        Some(AppError::NothingToPay.user_message())
    } else {
        journey::require_open_for(now, &s, reg.site_code.as_deref())
            .and_then(|()| journey::review::require_approved(&s, &reg, &enrolments))
            .err()
            .map(|e| e.user_message())
    };
    Ok(PayPage {
        identity: journey::pass_brief(call, &who)?,
        site: reg.site_code.as_deref().and_then(|c| s.site(c)).map(Site::label).unwrap_or_default(),
        lines: unpaid.iter().map(|e| s.line(e.offered_subject_id, &e.subject_code, e.fee_fen)).collect(),
        total: yuan(unpaid.iter().map(|e| e.fee_fen).sum()),
        deadline: unpaid.iter().map(|e| e.chosen_at + journey::UNPAID_HOLD).min().map(format_beijing),
        open_order,
        blocked,
    })
}

/// 去支付: the confirmation ticked, inside the window, photo saved, something unpaid. Opens
/// one order for exactly the unpaid subjects (or continues the open one), which locks the
/// registration (rule 4), and answers the platform's address.
pub async fn start_payment(call: &Call, form: PayForm) -> Result<Next, Fault> {
    form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let (who, s, reg) = journey::informed_registration(call).await?;
    if reg.photo_key.is_none() {
        return Err(AppError::StepOrder { go_to: urls::PHOTO.into() }.into());
    }
    journey::require_open_for(call.state.clock.now(), &s, reg.site_code.as_deref())?;
    let held = seats::enrolments(call.state.db.read(), reg.id).await?;
    journey::review::require_approved(&s, &reg, &held)?;
    let db = call.state.db.write();
    let mut attempt = 0;
    let order = loop {
        attempt += 1;
        let now = call.state.clock.now();
        match orders::start(db, reg.id, who.pass.id, &s.province.code, now).await? {
            Start::Created(o) => {
                tracing::info!(registration = reg.id, order = %o.order_no, amount_fen = o.amount_fen, "order opened; registration locked");
                break o;
            }
            Start::Reused(o) => break o,
            // Past its time but not yet closed: settle it with the platform, then again.
            Start::Expired(o) if attempt == 1 => {
                if payment::settle(&call.state, &o).await? == Settled::Pending {
                    return Err(AppError::PaymentUnavailable.into());
                }
            }
            Start::Expired(_) => return Err(AppError::PaymentUnavailable.into()),
            Start::NothingToPay => return Err(AppError::NothingToPay.into()),
            Start::TooLate => return Err(AppError::PaymentTooLate.into()),
        }
    };
    if order.status == OrderStatus::Paid {
        return Ok(Next { url: urls::PAYMENT_RESULT.into() });
    }
    let base = call.state.payments.callback_base.as_ref();
    let new = NewOrder {
        order_no: order.order_no.clone(),
        amount_fen: order.amount_fen,
        purpose: format!("第{}次NCRE考试费", s.session.number),
        payer_name: who.pass.name.clone(),
        source: format!("全国计算机等级考试({})", s.province.name),
        neea_id: who.pass.neea_id.clone(),
        notify_url: format!("{base}{}", urls::PAY_NOTIFY),
        return_url: format!("{base}{}", urls::PAY_RETURN),
        expires_at: order.expires_at,
    };
    let url = call.state.payments.gateway.create(&new).await.map_err(|e| payment::unavailable(&e))?;
    Ok(Next { url })
}

pub async fn payment_page(call: &Call) -> Result<PaymentPage, Fault> {
    let (_, s, reg) = journey::informed_registration(call).await?;
    let (orders, refunds) = money(call, &s, reg.id).await?;
    Ok(PaymentPage {
        words: money_words(&orders, &refunds),
        pending: orders.iter().any(|o| o.state == OrderState::Pending),
        orders,
        refunds,
    })
}

/// 更新: asks the platform about the open order now (a candidate who paid and still sees
/// 处理中 never needs to pay twice).
pub async fn refresh(call: &Call) -> Result<Next, Fault> {
    let (_, _, reg) = journey::informed_registration(call).await?;
    if let Some(open) = orders::open_order_of(call.state.db.write(), reg.id).await? {
        payment::settle(&call.state, &open).await?;
    }
    Ok(Next { url: urls::PAYMENT_RESULT.into() })
}

/// A stored payment method in words; one the protocol does not name (a platform we no longer
/// use) is "其他方式" rather than a failure.
fn method_label(stored: &str) -> &'static str {
    pay_protocol::Method::parse(stored).map_or("其他方式", pay_protocol::Method::label)
}
